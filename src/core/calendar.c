/*
 * calendar.c: parsing, canonical printing and the stored form of business calendars.
 *
 * Pure C: no PostgreSQL headers.  The parser turns the text of doc/calendar.md into the
 * canonical bc_calendar described in calendar.h, or reports which item is wrong and what was
 * expected there.  It never reads past `len` bytes and never trusts the input to be terminated.
 */
#include "calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs_alloc.h"

/* ---------------------------------------------------------------------------------------------
 * Dates
 * ------------------------------------------------------------------------------------------- */

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Days from 2000-01-01 to y-m-d in the proleptic Gregorian calendar (400-year eras). */
int32_t
bc_days_from_civil(int y, int m, int d)
{
	int64_t yy = (int64_t) y - (m <= 2 ? 1 : 0);
	int64_t era = floor_div(yy, 400);
	int64_t yoe = yy - era * 400; /* 0..399 */
	int64_t mp = (m + 9) % 12;	  /* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	/* era * 146097 + doe counts from 0000-03-01; 2000-01-01 is day 730425 of that count */
	return (int32_t) (era * 146097 + doe - 730425);
}

void
bc_civil_from_days(int32_t days, int *y, int *m, int *d)
{
	int64_t z = (int64_t) days + 730425;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t dd = doy - (153 * mp + 2) / 5 + 1;
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;

	*y = (int) (yoe + era * 400 + (mm <= 2 ? 1 : 0));
	*m = (int) mm;
	*d = (int) dd;
}

int
bc_weekday(int64_t days)
{
	/* 2000-01-01 was a Saturday (5 with Monday = 0) */
	int64_t w = (days + 5) % 7;

	return (int) (w < 0 ? w + 7 : w);
}

bool
bc_valid_date(int y, int m, int d)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int dim;

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return false;
	dim = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		dim = 29;
	return d <= dim;
}

/* ---------------------------------------------------------------------------------------------
 * Lookups
 * ------------------------------------------------------------------------------------------- */

int
bc_find_range(const bc_calendar *cal, int64_t day)
{
	int lo = 0, hi = cal->nranges - 1;

	while (lo <= hi)
	{
		int mid = lo + (hi - lo) / 2;
		const bc_range *r = &cal->ranges[mid];

		if (day < r->first)
			hi = mid - 1;
		else if (day > r->last)
			lo = mid + 1;
		else
			return mid;
	}
	return -1;
}

int
bc_spans_of_day(const bc_calendar *cal, int64_t day, const bc_span **spans)
{
	int r = bc_find_range(cal, day);

	if (r >= 0)
	{
		*spans = cal->spans + cal->ranges[r].span_first;
		return cal->ranges[r].span_count;
	}
	else
	{
		int w = bc_weekday(day);

		*spans = cal->spans + cal->week_first[w];
		return cal->week_first[w + 1] - cal->week_first[w];
	}
}

/* ---------------------------------------------------------------------------------------------
 * Parser
 * ------------------------------------------------------------------------------------------- */

typedef struct rule
{
	int32_t first;
	int32_t last;
	int32_t span_first; /* into the builder's span pool */
	int32_t span_count;
} rule;

typedef struct builder
{
	const char *text;
	size_t len;
	size_t pos; /* cursor */
	size_t item_start;
	size_t item_end;
	bc_parse_error *err;

	bool have_zone;
	char zone[BC_MAX_ZONE_LEN + 1];
	bc_span week[7][BC_MAX_SPANS_PER_RULE];
	int week_count[7];

	bc_span *pool; /* spans of the date rules */
	int32_t npool;
	int32_t pool_cap;
	int32_t ndaterules; /* date items read so far */
	rule *rules;		/* sorted, disjoint: later rules already applied */
	int32_t nrules;
	int32_t rules_cap;
} builder;

static bool
fail(builder *b, size_t at, const char *fmt, const char *arg)
{
	size_t s = b->item_start, e = b->item_end;

	while (s < e &&
		   (b->text[s] == ' ' || b->text[s] == '\t' || b->text[s] == '\n' || b->text[s] == '\r'))
		s++;
	while (e > s && (b->text[e - 1] == ' ' || b->text[e - 1] == '\t' || b->text[e - 1] == '\n' ||
					 b->text[e - 1] == '\r'))
		e--;
	b->err->item_start = (int) s;
	b->err->item_len = (int) (e - s);
	b->err->pos = (int) at;
	snprintf(b->err->message, sizeof(b->err->message), fmt, arg ? arg : "");
	return false;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
}

static void
skip_space(builder *b)
{
	while (b->pos < b->item_end && is_space(b->text[b->pos]))
		b->pos++;
}

static bool
at_end(builder *b)
{
	skip_space(b);
	return b->pos >= b->item_end;
}

static bool
accept_char(builder *b, char c)
{
	skip_space(b);
	if (b->pos < b->item_end && b->text[b->pos] == c)
	{
		b->pos++;
		return true;
	}
	return false;
}

/* Copies the word at the cursor (lower-cased, truncated) for messages; returns its length. */
static size_t
word_at(builder *b, size_t at, char *buf, size_t bufsize)
{
	size_t n = 0, i = at;

	while (i < b->item_end && !is_space(b->text[i]) && b->text[i] != ',' && b->text[i] != ';')
	{
		if (n + 1 < bufsize)
			buf[n++] = b->text[i];
		i++;
	}
	/* cut short: never leave half of a multi-byte UTF-8 character at the end */
	if (i - at > n)
	{
		while (n > 0 && ((unsigned char) buf[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 0 && (unsigned char) buf[n - 1] >= 0xC0)
			n--;
	}
	buf[n] = '\0';
	if (n == 0 && bufsize > 12)
		strcpy(buf, i < b->item_end ? "" : "end of item");
	return i - at;
}

/* Reports fmt at the time-like token at `at` (digits and colons), or the word there. */
static bool
fail_at_time(builder *b, size_t at, const char *fmt)
{
	char tok[40];
	size_t n = 0, i = at;

	while (i < b->item_end && (is_digit(b->text[i]) || b->text[i] == ':') && n + 1 < sizeof(tok))
		tok[n++] = b->text[i++];
	tok[n] = '\0';
	if (n == 0)
		word_at(b, at, tok, sizeof(tok));
	return fail(b, at, fmt, tok);
}

static bool
fail_at_token(builder *b, const char *fmt)
{
	char tok[40];

	skip_space(b);
	word_at(b, b->pos, tok, sizeof(tok));
	return fail(b, b->pos, fmt, tok);
}

static const char *const day_short[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
static const char *const day_long[7] = {"monday", "tuesday",  "wednesday", "thursday",
										"friday", "saturday", "sunday"};

/* The alphabetic word at the cursor as a weekday, or -1.  Advances only on success. */
static int
peek_weekday(builder *b, size_t *wordlen)
{
	char w[16];
	size_t n = 0, i;

	skip_space(b);
	i = b->pos;
	while (i < b->item_end && is_alpha(b->text[i]) && n < sizeof(w) - 1)
		w[n++] = lower(b->text[i++]);
	w[n] = '\0';
	if (i < b->item_end && is_alpha(b->text[i]))
		return -1;
	*wordlen = n;
	for (int d = 0; d < 7; d++)
		if (strcmp(w, day_short[d]) == 0 || strcmp(w, day_long[d]) == 0)
			return d;
	return -1;
}

static bool
parse_weekday(builder *b, int *day)
{
	size_t n;
	int d = peek_weekday(b, &n);

	if (d < 0)
		return fail_at_token(b,
							 "expected a weekday (mon, tue, wed, thu, fri, sat or sun) at \"%s\"");
	b->pos += n;
	*day = d;
	return true;
}

/* Reads exactly `ndigits` digits (or 1..2 when ndigits is 0). */
static bool
read_number(builder *b, int ndigits, int *value)
{
	int v = 0, n = 0, max = ndigits ? ndigits : 2;

	while (b->pos < b->item_end && is_digit(b->text[b->pos]) && n < max)
	{
		v = v * 10 + (b->text[b->pos] - '0');
		b->pos++;
		n++;
	}
	if (n == 0 || (ndigits && n != ndigits))
		return false;
	if (b->pos < b->item_end && is_digit(b->text[b->pos]))
		return false; /* too many digits */
	*value = v;
	return true;
}

/* HH:MM[:SS] as seconds; 24:00[:00] only when allow24. */
static bool
parse_time(builder *b, bool allow24, int32_t *secs)
{
	size_t start;
	int h, m, s = 0;

	skip_space(b);
	start = b->pos;
	if (!read_number(b, 0, &h) || b->pos >= b->item_end || b->text[b->pos] != ':')
	{
		b->pos = start;
		return fail_at_token(b, "expected a time HH:MM or HH:MM:SS at \"%s\"");
	}
	b->pos++;
	if (!read_number(b, 2, &m))
	{
		b->pos = start;
		return fail_at_token(b, "expected a time HH:MM or HH:MM:SS at \"%s\"");
	}
	if (b->pos < b->item_end && b->text[b->pos] == ':')
	{
		b->pos++;
		if (!read_number(b, 2, &s))
		{
			b->pos = start;
			return fail_at_token(b, "expected a time HH:MM or HH:MM:SS at \"%s\"");
		}
	}
	if (m > 59 || s > 59 || h > 24 || (h == 24 && (m != 0 || s != 0)))
		return fail_at_time(b, start,
							"time \"%s\" is out of range (00:00 to 23:59:59, or 24:00 as an end)");
	if (h == 24 && !allow24)
		return fail_at_time(b, start, "a span cannot start at %s (24:00 may only end a span)");
	*secs = h * 3600 + m * 60 + s;
	return true;
}

static bool
parse_date(builder *b, int32_t *day)
{
	size_t start;
	int y, m, d;

	skip_space(b);
	start = b->pos;
	if (!read_number(b, 4, &y) || !accept_char(b, '-') || !read_number(b, 2, &m) ||
		!accept_char(b, '-') || !read_number(b, 2, &d))
	{
		b->pos = start;
		return fail_at_token(b, "expected a date YYYY-MM-DD at \"%s\"");
	}
	if (!bc_valid_date(y, m, d))
	{
		b->pos = start;
		return fail_at_token(b, "\"%s\" is not a valid date (years 0001 to 9999)");
	}
	*day = bc_days_from_civil(y, m, d);
	return true;
}

static int
span_cmp(const void *a, const void *b)
{
	const bc_span *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/*
 * Spans or "off" up to the end of the item, sorted and merged into out[]; returns the count,
 * or -1 after reporting an error.
 */
static int
parse_schedule(builder *b, bc_span *out)
{
	int n = 0, merged = 0;
	size_t n_off;
	char w[8];
	size_t i;

	skip_space(b);
	/* "off" */
	n_off = 0;
	i = b->pos;
	while (i < b->item_end && is_alpha(b->text[i]) && n_off < sizeof(w) - 1)
		w[n_off++] = lower(b->text[i++]);
	w[n_off] = '\0';
	if (n_off > 0)
	{
		if (strcmp(w, "off") != 0 || (i < b->item_end && is_alpha(b->text[i])))
		{
			fail_at_token(b, "expected spans HH:MM-HH:MM or \"off\" at \"%s\"");
			return -1;
		}
		b->pos = i;
		if (!at_end(b))
		{
			fail_at_token(b, "unexpected \"%s\" after \"off\"");
			return -1;
		}
		return 0;
	}
	if (b->pos >= b->item_end)
	{
		fail(b, b->pos, "expected spans HH:MM-HH:MM or \"off\" at the end of the item%s", "");
		return -1;
	}

	for (;;)
	{
		int32_t s, e;
		size_t span_at;

		skip_space(b);
		span_at = b->pos;
		if (!parse_time(b, false, &s))
			return -1;
		if (!accept_char(b, '-'))
		{
			fail_at_token(b, "expected \"-\" and the end of the span at \"%s\"");
			return -1;
		}
		if (!parse_time(b, true, &e))
			return -1;
		if (e == s)
		{
			char tok[40];

			word_at(b, span_at, tok, sizeof(tok));
			fail(b, span_at, "span \"%s\" is empty (use 00:00-24:00 for a whole day)", tok);
			return -1;
		}
		if (e < s)
			e += BC_SECS_PER_DAY; /* runs past midnight */
		if (n >= BC_MAX_SPANS_PER_RULE)
		{
			fail(b, span_at, "too many spans in one rule (at most 64)%s", "");
			return -1;
		}
		out[n].start = s;
		out[n].end = e;
		n++;
		if (at_end(b))
			break;
		if (!accept_char(b, ','))
		{
			fail_at_token(b, "unexpected \"%s\": separate spans with \",\" and items with \";\"");
			return -1;
		}
	}

	/* sort and merge overlapping or touching spans */
	qsort(out, n, sizeof(bc_span), span_cmp);
	for (int k = 0; k < n; k++)
	{
		if (merged > 0 && out[k].start <= out[merged - 1].end)
		{
			if (out[k].end > out[merged - 1].end)
				out[merged - 1].end = out[k].end;
		}
		else
			out[merged++] = out[k];
	}
	for (int k = 0; k < merged; k++)
	{
		int32_t length = out[k].end - out[k].start;

		if (length > BC_SECS_PER_DAY || (length == BC_SECS_PER_DAY && out[k].start != 0))
		{
			fail(
				b, b->item_start,
				"its spans join into a stretch of 24 hours or more%s; write 00:00-24:00 for a whole day, or split it over two dates",
				"");
			return -1;
		}
	}
	return merged;
}

static void
pool_reserve(builder *b, int32_t extra)
{
	if (b->npool + extra > b->pool_cap)
	{
		int32_t cap = b->pool_cap ? b->pool_cap * 2 : 64;

		while (cap < b->npool + extra)
			cap *= 2;
		b->pool = cs_realloc(b->pool, sizeof(bc_span) * cap);
		b->pool_cap = cap;
	}
}

static bool
spans_equal(const bc_span *a, int na, const bc_span *c, int nc)
{
	return na == nc && (na == 0 || memcmp(a, c, sizeof(bc_span) * na) == 0);
}

/*
 * Applies date rule [first, last] on top of the rules so far (a later rule wins where they
 * overlap), keeping rules[] sorted and disjoint.
 */
static bool
add_date_rule(builder *b, int32_t first, int32_t last, const bc_span *spans, int nspans)
{
	int lo = 0, hi = b->nrules;
	int i, j;
	rule left = {0}, right = {0};
	bool have_left = false, have_right = false;
	int removed, added;

	/* first rule whose last >= first */
	while (lo < hi)
	{
		int mid = lo + (hi - lo) / 2;

		if (b->rules[mid].last < first)
			lo = mid + 1;
		else
			hi = mid;
	}
	i = lo;
	/* rules i .. j-1 overlap [first, last] */
	j = i;
	while (j < b->nrules && b->rules[j].first <= last)
		j++;
	if (j > i)
	{
		if (b->rules[i].first < first)
		{
			left = b->rules[i];
			left.last = first - 1;
			have_left = true;
		}
		if (b->rules[j - 1].last > last)
		{
			right = b->rules[j - 1];
			right.first = last + 1;
			have_right = true;
		}
	}
	removed = j - i;
	added = 1 + (have_left ? 1 : 0) + (have_right ? 1 : 0);
	if (b->nrules - removed + added > BC_MAX_RANGES)
		return fail(b, b->item_start, "too many date rules (at most 100000 ranges)%s", "");
	if (b->nrules - removed + added > b->rules_cap)
	{
		int32_t cap = b->rules_cap ? b->rules_cap * 2 : 16;

		while (cap < b->nrules - removed + added)
			cap *= 2;
		b->rules = cs_realloc(b->rules, sizeof(rule) * cap);
		b->rules_cap = cap;
	}
	memmove(&b->rules[i + added], &b->rules[j], sizeof(rule) * (b->nrules - j));
	b->nrules += added - removed;
	pool_reserve(b, nspans);
	if (have_left)
		b->rules[i++] = left;
	b->rules[i].first = first;
	b->rules[i].last = last;
	b->rules[i].span_first = b->npool;
	b->rules[i].span_count = nspans;
	if (nspans > 0)
		memcpy(&b->pool[b->npool], spans, sizeof(bc_span) * nspans);
	b->npool += nspans;
	i++;
	if (have_right)
		b->rules[i] = right;
	return true;
}

static bool
parse_zone(builder *b)
{
	size_t s, e, n;

	skip_space(b);
	s = b->pos;
	e = s;
	while (e < b->item_end && !is_space(b->text[e]))
	{
		char c = b->text[e];

		if (!(is_alpha(c) || is_digit(c) || c == '/' || c == '_' || c == '-' || c == '+'))
			return fail(b, e, "a time zone name may contain only letters, digits and / _ - +%s",
						"");
		e++;
	}
	n = e - s;
	b->pos = e;
	if (!at_end(b))
		return fail_at_token(b, "unexpected \"%s\" after the time zone name");
	if (b->have_zone)
		return fail(b, s, "the time zone is given twice%s", "");
	if (n > BC_MAX_ZONE_LEN)
		return fail(b, s, "the time zone name is too long (at most 63 characters)%s", "");
	memcpy(b->zone, b->text + s, n);
	b->zone[n] = '\0';
	b->have_zone = true;
	return true;
}

static bool
parse_weekly(builder *b)
{
	bool days[7] = {false};
	bc_span spans[BC_MAX_SPANS_PER_RULE];
	int n;

	for (;;)
	{
		int d1 = 0, d2;

		if (!parse_weekday(b, &d1))
			return false;
		d2 = d1;
		if (accept_char(b, '-'))
		{
			if (!parse_weekday(b, &d2))
				return false;
		}
		for (int d = d1;; d = (d + 1) % 7)
		{
			days[d] = true;
			if (d == d2)
				break;
		}
		if (!accept_char(b, ','))
			break;
	}
	n = parse_schedule(b, spans);
	if (n < 0)
		return false;
	for (int d = 0; d < 7; d++)
		if (days[d])
		{
			memcpy(b->week[d], spans, sizeof(bc_span) * n);
			b->week_count[d] = n;
		}
	return true;
}

static bool
parse_date_rule(builder *b)
{
	int32_t first, last;
	size_t at;
	bc_span spans[BC_MAX_SPANS_PER_RULE];
	int n;

	if (++b->ndaterules > BC_MAX_DATE_RULES)
		return fail(b, b->item_start, "too many date rules (at most %s)", "10000");
	if (!parse_date(b, &first))
		return false;
	last = first;
	skip_space(b);
	at = b->pos;
	if (b->pos + 1 < b->item_end && b->text[b->pos] == '.' && b->text[b->pos + 1] == '.')
	{
		b->pos += 2;
		if (!parse_date(b, &last))
			return false;
		if (last < first)
			return fail(b, at, "the date range ends before it starts%s", "");
	}
	n = parse_schedule(b, spans);
	if (n < 0)
		return false;
	return add_date_rule(b, first, last, spans, n);
}

static bool
parse_item(builder *b)
{
	size_t n;
	char c;

	skip_space(b);
	if (b->pos >= b->item_end)
		return true; /* empty item */
	c = b->text[b->pos];
	if (is_digit(c))
		return parse_date_rule(b);
	if (is_alpha(c))
	{
		if (peek_weekday(b, &n) >= 0)
			return parse_weekly(b);
		return parse_zone(b);
	}
	return fail_at_token(
		b, "expected a time zone name, weekdays (mon-fri) or a date (YYYY-MM-DD) at \"%s\"");
}

bool
bc_parse(const char *text, size_t len, bc_calendar *out, bc_parse_error *err)
{
	builder *b = cs_alloc(sizeof(builder));
	bool ok = true;
	size_t s = 0;
	int32_t total, nranges, k;
	bc_span *spans;
	bc_range *ranges;
	char *zone;

	memset(b, 0, sizeof(builder));
	memset(err, 0, sizeof(*err));
	memset(out, 0, sizeof(*out));
	pool_reserve(b, 1); /* never a NULL pool, even with no date spans */
	b->text = text;
	b->len = len;
	b->err = err;

	/* a NUL byte ends nothing: it is reported as a bad character where it appears */
	while (ok && s <= len)
	{
		size_t e = s;

		while (e < len && text[e] != ';')
			e++;
		b->item_start = s;
		b->item_end = e;
		b->pos = s;
		for (size_t i = s; i < e; i++)
			if (text[i] == '\0')
			{
				ok = fail(b, i, "unexpected NUL byte%s", "");
				break;
			}
		if (ok)
			ok = parse_item(b);
		s = e + 1;
	}

	if (ok)
	{
		/* drop the redundant split between adjacent rules with identical spans */
		int32_t m = 0;

		for (int32_t i = 0; i < b->nrules; i++)
		{
			if (m > 0 && b->rules[m - 1].last + 1 == b->rules[i].first &&
				spans_equal(&b->pool[b->rules[m - 1].span_first], b->rules[m - 1].span_count,
							&b->pool[b->rules[i].span_first], b->rules[i].span_count))
				b->rules[m - 1].last = b->rules[i].last;
			else
				b->rules[m++] = b->rules[i];
		}
		b->nrules = m;

		total = 0;
		for (int d = 0; d < 7; d++)
			total += b->week_count[d];
		for (int32_t i = 0; i < b->nrules; i++)
			total += b->rules[i].span_count;
		if (total == 0)
		{
			b->item_start = 0;
			b->item_end = len;
			ok = fail(
				b, 0,
				"the calendar has no working hours: give at least one weekly or date rule with spans%s",
				"");
		}
	}
	if (!ok)
	{
		cs_free(b->pool);
		cs_free(b->rules);
		cs_free(b);
		return false;
	}

	nranges = b->nrules;
	spans = cs_alloc(sizeof(bc_span) * (total ? total : 1));
	ranges = cs_alloc(sizeof(bc_range) * (nranges ? nranges : 1));
	k = 0;
	for (int d = 0; d < 7; d++)
	{
		out->week_first[d] = k;
		memcpy(&spans[k], b->week[d], sizeof(bc_span) * b->week_count[d]);
		k += b->week_count[d];
	}
	out->week_first[7] = k;
	for (int32_t i = 0; i < nranges; i++)
	{
		ranges[i].first = b->rules[i].first;
		ranges[i].last = b->rules[i].last;
		ranges[i].span_first = k;
		ranges[i].span_count = b->rules[i].span_count;
		if (b->rules[i].span_count > 0)
			memcpy(&spans[k], &b->pool[b->rules[i].span_first],
				   sizeof(bc_span) * b->rules[i].span_count);
		k += b->rules[i].span_count;
	}
	zone = cs_alloc(BC_MAX_ZONE_LEN + 1);
	strcpy(zone, b->have_zone ? b->zone : "UTC");
	out->zone = zone;
	out->nspans = k;
	out->nranges = nranges;
	out->spans = spans;
	out->ranges = ranges;
	cs_free(b->pool);
	cs_free(b->rules);
	cs_free(b);
	return true;
}

void
bc_free(bc_calendar *cal)
{
	cs_free((void *) cal->zone);
	cs_free((void *) cal->spans);
	cs_free((void *) cal->ranges);
	memset(cal, 0, sizeof(*cal));
}

void
bc_set_zone(bc_calendar *cal, const char *zone)
{
	size_t n = strlen(zone);
	char *z = cs_alloc(n + 1);

	memcpy(z, zone, n + 1);
	cs_free((void *) cal->zone);
	cal->zone = z;
}

/* ---------------------------------------------------------------------------------------------
 * Validation (for calendars assembled from binary input)
 * ------------------------------------------------------------------------------------------- */

static const char *
check_spans(const bc_span *s, int n)
{
	if (n < 0 || n > BC_MAX_SPANS_PER_RULE)
		return "a rule has a bad number of spans";
	for (int i = 0; i < n; i++)
	{
		int32_t length = s[i].end - s[i].start;

		if (s[i].start < 0 || s[i].start >= BC_SECS_PER_DAY || s[i].end <= s[i].start ||
			length > BC_SECS_PER_DAY || (length == BC_SECS_PER_DAY && s[i].start != 0))
			return "a span is out of range";
		if (i > 0 && s[i].start <= s[i - 1].end)
			return "spans are not sorted and disjoint";
	}
	return NULL;
}

const char *
bc_check(const bc_calendar *cal)
{
	int32_t k = 0;
	int32_t total = 0;
	const char *msg;
	size_t zl;

	if (cal->zone == NULL)
		return "the time zone is missing";
	zl = strlen(cal->zone);
	if (zl == 0 || zl > BC_MAX_ZONE_LEN)
		return "the time zone name has a bad length";
	for (size_t i = 0; i < zl; i++)
	{
		char c = cal->zone[i];

		if (!(is_alpha(c) || is_digit(c) || c == '/' || c == '_' || c == '-' || c == '+'))
			return "the time zone name has a bad character";
	}
	if (cal->nspans < 0 || cal->nranges < 0 || cal->nranges > BC_MAX_RANGES)
		return "bad counts";
	if (cal->week_first[0] != 0)
		return "the weekly spans do not start at 0";
	for (int d = 0; d < 7; d++)
	{
		if (cal->week_first[d + 1] < cal->week_first[d] || cal->week_first[d + 1] > cal->nspans)
			return "the weekly span index is inconsistent";
		if ((msg = check_spans(cal->spans + cal->week_first[d],
							   cal->week_first[d + 1] - cal->week_first[d])) != NULL)
			return msg;
	}
	k = cal->week_first[7];
	total = k;
	for (int32_t i = 0; i < cal->nranges; i++)
	{
		const bc_range *r = &cal->ranges[i];

		if (r->first < BC_MIN_DAY || r->last > BC_MAX_DAY || r->last < r->first)
			return "a date range is out of range";
		if (i > 0 && r->first <= cal->ranges[i - 1].last)
			return "date ranges are not sorted and disjoint";
		if (r->span_first != k || r->span_count < 0 || r->span_count > cal->nspans - k)
			return "the date rule span index is inconsistent";
		if ((msg = check_spans(cal->spans + k, r->span_count)) != NULL)
			return msg;
		if (i > 0 && cal->ranges[i - 1].last + 1 == r->first &&
			spans_equal(cal->spans + cal->ranges[i - 1].span_first, cal->ranges[i - 1].span_count,
						cal->spans + k, r->span_count))
			return "adjacent date ranges with identical spans are not joined";
		k += r->span_count;
		total += r->span_count;
	}
	if (k != cal->nspans)
		return "the span count is inconsistent";
	if (total == 0)
		return "the calendar has no working hours";
	return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Canonical text
 * ------------------------------------------------------------------------------------------- */

typedef struct strbuf
{
	char *data;
	size_t len;
	size_t cap;
} strbuf;

static void
sb_append(strbuf *sb, const char *s)
{
	size_t n = strlen(s);

	if (sb->len + n + 1 > sb->cap)
	{
		size_t cap = sb->cap ? sb->cap * 2 : 256;

		while (cap < sb->len + n + 1)
			cap *= 2;
		sb->data = cs_realloc(sb->data, cap);
		sb->cap = cap;
	}
	memcpy(sb->data + sb->len, s, n + 1);
	sb->len += n;
}

static void
format_time(char *buf, int32_t secs)
{
	int h = secs / 3600, m = secs / 60 % 60, s = secs % 60;

	if (s)
		sprintf(buf, "%02d:%02d:%02d", h, m, s);
	else
		sprintf(buf, "%02d:%02d", h, m);
}

static void
format_spans(strbuf *sb, const bc_span *s, int n)
{
	char buf[16];

	if (n == 0)
	{
		sb_append(sb, " off");
		return;
	}
	for (int i = 0; i < n; i++)
	{
		int32_t end = s[i].end;

		sb_append(sb, i ? ", " : " ");
		format_time(buf, s[i].start);
		sb_append(sb, buf);
		sb_append(sb, "-");
		format_time(buf, end > BC_SECS_PER_DAY ? end - BC_SECS_PER_DAY : end);
		sb_append(sb, buf);
	}
}

static void
format_date(char *buf, int32_t day)
{
	int y, m, d;

	bc_civil_from_days(day, &y, &m, &d);
	sprintf(buf, "%04d-%02d-%02d", y, m, d);
}

char *
bc_format(const bc_calendar *cal)
{
	strbuf sb = {0};
	bool done[7] = {false};
	char buf[32];

	sb_append(&sb, cal->zone);
	for (int d = 0; d < 7; d++)
	{
		const bc_span *s = cal->spans + cal->week_first[d];
		int n = cal->week_first[d + 1] - cal->week_first[d];
		bool same[7] = {false};
		bool first = true;

		if (done[d] || n == 0)
			continue;
		for (int e = d; e < 7; e++)
			if (!done[e] && spans_equal(s, n, cal->spans + cal->week_first[e],
										cal->week_first[e + 1] - cal->week_first[e]))
				same[e] = done[e] = true;
		sb_append(&sb, "; ");
		for (int e = 0; e < 7; e++)
		{
			int f = e;

			if (!same[e])
				continue;
			while (f + 1 < 7 && same[f + 1])
				f++;
			if (!first)
				sb_append(&sb, ",");
			sb_append(&sb, day_short[e]);
			if (f > e)
			{
				sb_append(&sb, "-");
				sb_append(&sb, day_short[f]);
			}
			first = false;
			e = f;
		}
		format_spans(&sb, s, n);
	}
	for (int32_t i = 0; i < cal->nranges; i++)
	{
		const bc_range *r = &cal->ranges[i];

		sb_append(&sb, "; ");
		format_date(buf, r->first);
		sb_append(&sb, buf);
		if (r->last != r->first)
		{
			sb_append(&sb, "..");
			format_date(buf, r->last);
			sb_append(&sb, buf);
		}
		format_spans(&sb, cal->spans + r->span_first, r->span_count);
	}
	return sb.data;
}

/* ---------------------------------------------------------------------------------------------
 * Stored form
 * ------------------------------------------------------------------------------------------- */

#define HDR_SIZE 48

size_t
bc_serialized_size(const bc_calendar *cal)
{
	size_t size = HDR_SIZE + sizeof(bc_span) * cal->nspans + sizeof(bc_range) * cal->nranges +
				  strlen(cal->zone) + 1;

	return (size + 3) & ~(size_t) 3;
}

static void
put_i32(unsigned char *p, int32_t v)
{
	memcpy(p, &v, 4);
}

static int32_t
get_i32(const unsigned char *p)
{
	int32_t v;

	memcpy(&v, p, 4);
	return v;
}

void
bc_serialize(const bc_calendar *cal, void *buf)
{
	unsigned char *p = buf;
	size_t size = bc_serialized_size(cal);
	size_t zl = strlen(cal->zone);
	size_t off;

	memset(p, 0, size);
	p[4] = BC_FORMAT_VERSION;
	p[5] = 0;
	p[6] = (unsigned char) (zl & 0xff);
	p[7] = (unsigned char) (zl >> 8);
	put_i32(p + 8, cal->nspans);
	put_i32(p + 12, cal->nranges);
	for (int d = 0; d < 8; d++)
		put_i32(p + 16 + 4 * d, cal->week_first[d]);
	off = HDR_SIZE;
	if (cal->nspans)
		memcpy(p + off, cal->spans, sizeof(bc_span) * cal->nspans);
	off += sizeof(bc_span) * cal->nspans;
	if (cal->nranges)
		memcpy(p + off, cal->ranges, sizeof(bc_range) * cal->nranges);
	off += sizeof(bc_range) * cal->nranges;
	memcpy(p + off, cal->zone, zl + 1);
}

const char *
bc_view(const void *buf, size_t len, bc_calendar *out)
{
	const unsigned char *p = buf;
	size_t zl, need;
	int32_t nspans, nranges;

	if (len < HDR_SIZE)
		return "stored calendar is truncated";
	if (p[4] != BC_FORMAT_VERSION)
		return "stored calendar has an unknown format version";
	zl = (size_t) p[6] | ((size_t) p[7] << 8);
	nspans = get_i32(p + 8);
	nranges = get_i32(p + 12);
	if (nspans < 0 || nranges < 0 || nranges > BC_MAX_RANGES ||
		nspans > (BC_MAX_RANGES + 7) * BC_MAX_SPANS_PER_RULE)
		return "stored calendar has bad counts";
	need =
		HDR_SIZE + sizeof(bc_span) * (size_t) nspans + sizeof(bc_range) * (size_t) nranges + zl + 1;
	if (len < need)
		return "stored calendar is truncated";
	for (int d = 0; d < 8; d++)
		out->week_first[d] = get_i32(p + 16 + 4 * d);
	out->nspans = nspans;
	out->nranges = nranges;
	out->spans = (const bc_span *) (p + HDR_SIZE);
	out->ranges = (const bc_range *) (p + HDR_SIZE + sizeof(bc_span) * nspans);
	out->zone =
		(const char *) (p + HDR_SIZE + sizeof(bc_span) * nspans + sizeof(bc_range) * nranges);
	if (out->zone[zl] != '\0')
		return "stored calendar has a bad zone name";
	return NULL;
}
