/*
 * Unit tests of the calendar core: dates, the parser and canonical form, the stored form, and
 * the fast clock (bizcal.c) against the definition (bc_exact_pieces) on random calendars,
 * zones and instants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bizcal.h"
#include "calendar.h"
#include "cs_alloc.h"
#include "testzone.h"
#include "unit.h"

#define H(x)	((int64_t) (x) *3600 * BC_USECS_PER_SEC)
#define MIN_(x) ((int64_t) (x) *60 * BC_USECS_PER_SEC)

/* the canonical text of a calendar text (kept in a small ring, so callers need not free it) */
static char *
canon(const char *text)
{
	static char *ring[4];
	static int next;
	bc_calendar cal;
	bc_parse_error err;
	char *out;

	if (!bc_parse(text, strlen(text), &cal, &err))
		return NULL;
	out = bc_format(&cal);
	bc_free(&cal);
	cs_free(ring[next]);
	ring[next] = out;
	next = (next + 1) % 4;
	return out;
}

static bool
parse_error(const char *text, const char *expect_item, const char *expect_fragment)
{
	bc_calendar cal;
	bc_parse_error err;
	bool ok;

	if (bc_parse(text, strlen(text), &cal, &err))
	{
		bc_free(&cal);
		return false;
	}
	ok = (int) strlen(expect_item) == err.item_len &&
		 strncmp(text + err.item_start, expect_item, err.item_len) == 0 &&
		 strstr(err.message, expect_fragment) != NULL;
	if (!ok)
		fprintf(stderr, "  parse error for \"%s\": item \"%.*s\", message \"%s\"\n", text,
				err.item_len, text + err.item_start, err.message);
	return ok;
}

UNIT_TEST(dates_round_trip)
{
	int y, m, d;

	CHECK_EQ_I64(bc_days_from_civil(2000, 1, 1), 0);
	CHECK_EQ_I64(bc_days_from_civil(1970, 1, 1), -10957);
	CHECK_EQ_I64(bc_days_from_civil(1, 1, 1), BC_MIN_DAY);
	CHECK_EQ_I64(bc_days_from_civil(9999, 12, 31), BC_MAX_DAY);
	CHECK_EQ_I64(bc_weekday(0), 5);								   /* Saturday */
	CHECK_EQ_I64(bc_weekday(bc_days_from_civil(2026, 11, 23)), 0); /* a Monday */
	CHECK_EQ_I64(bc_weekday(-1), 4);
	for (int32_t day = BC_MIN_DAY; day <= BC_MAX_DAY; day += 97)
	{
		bc_civil_from_days(day, &y, &m, &d);
		if (bc_days_from_civil(y, m, d) != day || !bc_valid_date(y, m, d))
		{
			CHECK(false);
			break;
		}
	}
	CHECK(bc_valid_date(2024, 2, 29));
	CHECK(!bc_valid_date(2026, 2, 29));
	CHECK(!bc_valid_date(1900, 2, 29));
	CHECK(bc_valid_date(2000, 2, 29));
	CHECK(!bc_valid_date(0, 1, 1));
}

UNIT_TEST(parse_canonical_forms)
{
	CHECK_STR(
		canon(
			"Europe/Moscow; mon-fri 09:00-18:00; sat 10:00-14:00; 2026-01-01..2026-01-08 off; 2026-11-01 09:00-18:00; 2026-12-31 09:00-17:00"),
		"Europe/Moscow; mon-fri 09:00-18:00; sat 10:00-14:00; 2026-01-01..2026-01-08 off; 2026-11-01 09:00-18:00; 2026-12-31 09:00-17:00");
	/* case, white space, merging, a later rule winning, default zone */
	CHECK_STR(canon("  MON - Fri   9:00 - 13:00 ,12:00-18:00 ; fri 09:00-16:45;"),
			  "UTC; mon-thu 09:00-18:00; fri 09:00-16:45");
	CHECK_STR(canon("mon,wed,fri 09:00-12:00; tue,thu 13:00-17:30:15"),
			  "UTC; mon,wed,fri 09:00-12:00; tue,thu 13:00-17:30:15");
	CHECK_STR(canon("fri-mon 22:00-06:00"), "UTC; mon,fri-sun 22:00-06:00");
	CHECK_STR(canon("monday 00:00-24:00"), "UTC; mon 00:00-24:00");
	CHECK_STR(canon("mon 09:00-12:00, 12:00-13:00"), "UTC; mon 09:00-13:00");
	/* date rules: later wins over an overlap, adjacent identical ranges join */
	CHECK_STR(
		canon("mon-fri 09:00-18:00; 2026-01-01..2026-01-10 off; 2026-01-05 10:00-12:00"),
		"UTC; mon-fri 09:00-18:00; 2026-01-01..2026-01-04 off; 2026-01-05 10:00-12:00; 2026-01-06..2026-01-10 off");
	CHECK_STR(canon("mon 09:00-10:00; 2026-01-02 off; 2026-01-01 off; 2026-01-03 off"),
			  "UTC; mon 09:00-10:00; 2026-01-01..2026-01-03 off");
	/* the later range removes the only hours: no working hours at all is an error */
	CHECK(canon("2026-05-01 09:00-10:00; 2026-04-01..2026-06-01 off") == NULL);
	CHECK_STR(canon("mon 08:00-09:00; mon off; tue 10:00-11:00"), "UTC; tue 10:00-11:00");
}

UNIT_TEST(parse_errors)
{
	CHECK(parse_error("mon-fry 09:00-18:00", "mon-fry 09:00-18:00", "expected a weekday"));
	CHECK(parse_error("UTC; mon 09:00-09:00", "mon 09:00-09:00", "is empty"));
	CHECK(parse_error("UTC; mon 9-18", "mon 9-18", "expected a time"));
	CHECK(parse_error("UTC; mon 09:00-25:00", "mon 09:00-25:00", "out of range"));
	CHECK(parse_error("UTC; mon 24:00-02:00", "mon 24:00-02:00", "cannot start"));
	CHECK(parse_error("UTC; Europe/Berlin; mon 09:00-10:00", "Europe/Berlin", "given twice"));
	CHECK(parse_error("2026-02-30 off; mon 09:00-10:00", "2026-02-30 off", "not a valid date"));
	CHECK(parse_error("2026-03-01..2026-02-01 off; mon 09:00-10:00", "2026-03-01..2026-02-01 off",
					  "ends before"));
	CHECK(parse_error("mon 09:00-10:00 11:00-12:00", "mon 09:00-10:00 11:00-12:00",
					  "separate spans"));
	CHECK(parse_error("mon", "mon", "expected spans"));
	CHECK(parse_error("mon offf", "mon offf", "expected spans"));
	CHECK(parse_error("mon off 09:00-10:00", "mon off 09:00-10:00", "after \"off\""));
	CHECK(parse_error("UTC", "UTC", "no working hours"));
	CHECK(parse_error("", "", "no working hours"));
	CHECK(parse_error("mon 00:00-24:00, 23:00-01:00", "mon 00:00-24:00, 23:00-01:00",
					  "24 hours or more"));
	CHECK(parse_error("mon 06:00-18:00, 18:00-06:00", "mon 06:00-18:00, 18:00-06:00",
					  "24 hours or more"));
	CHECK(parse_error("Europe/Ber lin; mon 09:00-10:00", "Europe/Ber lin", "unexpected"));
	CHECK(parse_error("Europe/Ber*lin; mon 09:00-10:00", "Europe/Ber*lin", "may contain only"));
	CHECK(parse_error("#; mon 09:00-10:00", "#", "expected a time zone name"));
	CHECK(parse_error("mon 09:00-10:00; 99999-01-01 off", "99999-01-01 off", "expected a date"));
}

UNIT_TEST(parse_nul_and_long_input)
{
	bc_calendar cal;
	bc_parse_error err;
	const char text[] = "mon 09:00-10:00\0; tue 09:00-10:00";
	char *big;
	size_t n = 0;

	CHECK(!bc_parse(text, sizeof(text) - 1, &cal, &err));
	CHECK(strstr(err.message, "NUL") != NULL);

	/* thousands of holidays parse into a compact sorted form */
	big = cs_alloc(3000 * 20 + 64);
	n += sprintf(big + n, "Europe/Berlin; mon-fri 09:00-17:00");
	for (int i = 0; i < 3000; i++)
	{
		int y, m, d;

		bc_civil_from_days(bc_days_from_civil(2000, 1, 1) + (i * 37) % 20000, &y, &m, &d);
		n += sprintf(big + n, "; %04d-%02d-%02d off", y, m, d);
	}
	CHECK(bc_parse(big, n, &cal, &err));
	CHECK(bc_check(&cal) == NULL);
	CHECK(cal.nranges > 100);
	bc_free(&cal);
	cs_free(big);
}

UNIT_TEST(stored_form_round_trip)
{
	const char *text =
		"Asia/Kolkata; mon-fri 09:30-13:00, 14:00-18:30; sat 22:00-06:00; 2026-01-26 off; 2026-03-01..2026-03-03 10:00-12:00";
	bc_calendar cal, view;
	bc_parse_error err;
	size_t size;
	unsigned char *buf;
	char *a, *b;

	CHECK(bc_parse(text, strlen(text), &cal, &err));
	size = bc_serialized_size(&cal);
	CHECK(size % 4 == 0);
	buf = cs_alloc(size);
	bc_serialize(&cal, buf);
	CHECK(bc_view(buf, size, &view) == NULL);
	CHECK(bc_check(&view) == NULL);
	a = bc_format(&cal);
	b = bc_format(&view);
	CHECK_STR(a, b);
	CHECK_STR(canon(a), a);
	cs_free(a);
	cs_free(b);
	/* truncation and a bad version are caught */
	CHECK(bc_view(buf, 20, &view) != NULL);
	CHECK(bc_view(buf, size - 8, &view) != NULL);
	buf[4] = 99;
	CHECK(bc_view(buf, size, &view) != NULL);
	cs_free(buf);
	bc_free(&cal);
}

UNIT_TEST(check_rejects_bad_structure)
{
	bc_span spans[2] = {{9 * 3600, 10 * 3600}, {8 * 3600, 12 * 3600}};
	bc_range ranges[1] = {{10, 5, 2, 0}};
	bc_calendar cal = {0};

	cal.zone = "UTC";
	for (int d = 0; d < 8; d++)
		cal.week_first[d] = d < 1 ? 0 : 2;
	cal.nspans = 2;
	cal.spans = spans;
	cal.nranges = 0;
	cal.ranges = ranges;
	CHECK(bc_check(&cal) != NULL); /* unsorted spans */
	spans[1].start = 11 * 3600;
	CHECK(bc_check(&cal) == NULL);
	cal.nranges = 1;
	CHECK(bc_check(&cal) != NULL); /* range ends before it starts */
	ranges[0].last = 12;
	CHECK(bc_check(&cal) == NULL);
	spans[1].end = spans[1].start + 86400 + 1;
	CHECK(bc_check(&cal) != NULL); /* span too long */
	spans[1].end = 12 * 3600;
	cal.zone = "Bad zone";
	CHECK(bc_check(&cal) != NULL);
}

/* ---------------------------------------------------------------------------------------------
 * Hand-checked cases
 * ------------------------------------------------------------------------------------------- */

static bc_prepared *
prepare(const char *text, bc_calendar *cal, const bc_zone *zone)
{
	bc_parse_error err;

	if (!bc_parse(text, strlen(text), cal, &err))
	{
		fprintf(stderr, "cannot parse %s: %s\n", text, err.message);
		exit(2);
	}
	return bc_prepare(cal, zone);
}

UNIT_TEST(hand_checked)
{
	testzone msk;
	bc_calendar cal;
	bc_prepared *p;
	int64_t r, need;
	bool in;

	testzone_fixed(&msk, 3 * 3600);
	p = prepare("mon-fri 09:00-18:00; 2026-03-09 off", &cal, &msk.zone);
	/* Friday 2026-03-06 17:30 MSK + 2 working hours: Monday is a holiday, so Tuesday 10:30 */
	CHECK(bc_add(p, ts_civil(2026, 3, 6, 14, 30, 0), H(2), &r, &need) == BC_OK);
	CHECK_EQ_I64(r, ts_civil(2026, 3, 10, 7, 30, 0));
	/* 16:00 + 2h lands on 18:00 itself, not the next morning */
	CHECK(bc_add(p, ts_civil(2026, 3, 6, 13, 0, 0), H(2), &r, &need) == BC_OK);
	CHECK_EQ_I64(r, ts_civil(2026, 3, 6, 15, 0, 0));
	/* backwards: Tuesday 10:30 - 2h = Friday 17:30; Tuesday 09:00 - 1h = Friday 17:00 */
	CHECK(bc_add(p, ts_civil(2026, 3, 10, 7, 30, 0), -H(2), &r, &need) == BC_OK);
	CHECK_EQ_I64(r, ts_civil(2026, 3, 6, 14, 30, 0));
	CHECK(bc_add(p, ts_civil(2026, 3, 10, 6, 0, 0), -H(1), &r, &need) == BC_OK);
	CHECK_EQ_I64(r, ts_civil(2026, 3, 6, 14, 0, 0));
	/* backwards from a span start lands on the previous span's start of business, not its end */
	CHECK(bc_add(p, ts_civil(2026, 3, 6, 6, 0, 0) + H(9), -H(9), &r, &need) == BC_OK);
	CHECK_EQ_I64(r, ts_civil(2026, 3, 6, 6, 0, 0));
	/* duration across the weekend and the holiday */
	CHECK(bc_duration(p, ts_civil(2026, 3, 6, 14, 30, 0), ts_civil(2026, 3, 10, 7, 30, 0), &r,
					  &need) == BC_OK);
	CHECK_EQ_I64(r, H(2));
	CHECK(bc_duration(p, ts_civil(2026, 3, 10, 7, 30, 0), ts_civil(2026, 3, 6, 14, 30, 0), &r,
					  &need) == BC_OK);
	CHECK_EQ_I64(r, -H(2));
	/* business days: Friday + 1 = Tuesday (Monday is off), same clock time */
	CHECK(bc_days_add(p, ts_civil(2026, 3, 6, 14, 30, 0), 1, &r, &need) == BC_OK);
	CHECK_EQ_I64(r, ts_civil(2026, 3, 10, 14, 30, 0));
	CHECK(bc_days_add(p, ts_civil(2026, 3, 10, 14, 30, 0), -1, &r, &need) == BC_OK);
	CHECK_EQ_I64(r, ts_civil(2026, 3, 6, 14, 30, 0));
	/* from Saturday, +1 is Tuesday and -1 is Friday */
	CHECK(bc_days_add(p, ts_civil(2026, 3, 7, 9, 0, 0), 1, &r, &need) == BC_OK);
	CHECK_EQ_I64(r, ts_civil(2026, 3, 10, 9, 0, 0));
	CHECK(bc_days_add(p, ts_civil(2026, 3, 7, 9, 0, 0), -1, &r, &need) == BC_OK);
	CHECK_EQ_I64(r, ts_civil(2026, 3, 6, 9, 0, 0));
	/* is / next business time at the bounds */
	CHECK(bc_is_business(p, ts_civil(2026, 3, 6, 6, 0, 0), &in, &need) == BC_OK && in);
	CHECK(bc_is_business(p, ts_civil(2026, 3, 6, 15, 0, 0), &in, &need) == BC_OK && !in);
	CHECK(bc_is_business(p, ts_civil(2026, 3, 6, 15, 0, 0) - 1, &in, &need) == BC_OK && in);
	CHECK(bc_next_business(p, ts_civil(2026, 3, 6, 15, 0, 0), &r, &need) == BC_OK);
	CHECK_EQ_I64(r, ts_civil(2026, 3, 10, 6, 0, 0));
	CHECK(bc_next_business(p, ts_civil(2026, 3, 6, 7, 0, 0), &r, &need) == BC_OK);
	CHECK_EQ_I64(r, ts_civil(2026, 3, 6, 7, 0, 0));
	bc_prepared_free(p);
	bc_free(&cal);

	/* only date rules: an amount beyond them cannot be reached, and says so */
	p = prepare("2026-01-05 09:00-10:00", &cal, &msk.zone);
	CHECK(bc_add(p, ts_civil(2026, 1, 1, 0, 0, 0), MIN_(30), &r, &need) == BC_OK);
	CHECK_EQ_I64(r, ts_civil(2026, 1, 5, 6, 30, 0));
	CHECK(bc_add(p, ts_civil(2026, 1, 1, 0, 0, 0), H(2), &r, &need) == BC_UNREACHABLE);
	CHECK(bc_days_add(p, ts_civil(2026, 1, 1, 0, 0, 0), 2, &r, &need) == BC_UNREACHABLE);
	CHECK(bc_next_business(p, ts_civil(2026, 1, 6, 0, 0, 0), &r, &need) == BC_UNREACHABLE);
	bc_prepared_free(p);
	bc_free(&cal);
}

UNIT_TEST(night_shift_over_dst)
{
	testzone ny;
	bc_calendar cal;
	bc_prepared *p;
	int64_t r, need;

	testzone_dst(&ny, -5 * 3600, -4 * 3600, false, 2020, 2030);
	p = prepare("mon-sun 22:00-06:00", &cal, &ny.zone);
	/* 2026-03-08 is the spring-forward night: 22:00 Sat to 06:00 Sun lasts 7 hours */
	CHECK(bc_duration(p, ts_civil(2026, 3, 7, 12, 0, 0), ts_civil(2026, 3, 8, 12, 0, 0), &r,
					  &need) == BC_OK);
	CHECK_EQ_I64(r, H(7));
	/* 2026-11-01 is fall-back: 9 hours */
	CHECK(bc_duration(p, ts_civil(2026, 10, 31, 12, 0, 0), ts_civil(2026, 11, 1, 18, 0, 0), &r,
					  &need) == BC_OK);
	CHECK_EQ_I64(r, H(9));
	/* a normal week: 7 nights of 8 hours */
	CHECK(bc_duration(p, ts_civil(2026, 6, 1, 12, 0, 0), ts_civil(2026, 6, 8, 12, 0, 0), &r,
					  &need) == BC_OK);
	CHECK_EQ_I64(r, H(56));
	bc_prepared_free(p);
	bc_free(&cal);
}

/* ---------------------------------------------------------------------------------------------
 * The fast clock against the definition, on random calendars
 * ------------------------------------------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t
rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static int64_t
rnd_range(int64_t lo, int64_t hi)
{
	return lo + (int64_t) (rnd() % (uint64_t) (hi - lo + 1));
}

static void
random_spans(char *buf, size_t size)
{
	int n = (int) rnd_range(0, 3);
	size_t len = 0;

	buf[0] = '\0';
	if (n == 0)
	{
		snprintf(buf, size, "off");
		return;
	}
	for (int i = 0; i < n; i++)
	{
		int s = (int) rnd_range(0, 95) * 15; /* quarter hours */
		int l = (int) rnd_range(1, 40) * 15;
		int e = (s + l) % (24 * 60);

		if (rnd() % 7 == 0)
			e = 24 * 60;
		if (e == s)
			e = (s + 30) % (24 * 60);
		len += snprintf(buf + len, size - len, "%s%02d:%02d-%02d:%02d", i ? ", " : "", s / 60,
						s % 60, e / 60, e % 60);
	}
}

static char *
random_calendar_text(void)
{
	static char text[4096];
	char spans[256];
	size_t len = 0;
	int nweekly = (int) rnd_range(0, 4), ndates = (int) rnd_range(0, 8);
	static const char *const days[] = {"mon", "tue", "wed",		"thu",	   "fri",
									   "sat", "sun", "mon-fri", "sat,sun", "fri-mon"};

	len += snprintf(text + len, sizeof(text) - len, "mon-fri 09:00-18:00");
	for (int i = 0; i < nweekly; i++)
	{
		random_spans(spans, sizeof(spans));
		len += snprintf(text + len, sizeof(text) - len, "; %s %s", days[rnd() % 10], spans);
	}
	for (int i = 0; i < ndates; i++)
	{
		int32_t d = bc_days_from_civil(2026, 1, 1) + (int32_t) rnd_range(-40, 400);
		int32_t d2 = d + (int32_t) (rnd() % 3 == 0 ? rnd_range(1, 20) : 0);
		int y, m, dd, y2, m2, dd2;

		bc_civil_from_days(d, &y, &m, &dd);
		bc_civil_from_days(d2, &y2, &m2, &dd2);
		random_spans(spans, sizeof(spans));
		if (d2 != d)
			len += snprintf(text + len, sizeof(text) - len, "; %04d-%02d-%02d..%04d-%02d-%02d %s",
							y, m, dd, y2, m2, dd2, spans);
		else
			len += snprintf(text + len, sizeof(text) - len, "; %04d-%02d-%02d %s", y, m, dd, spans);
	}
	return text;
}

static int64_t
pieces_measure(const bc_piece *p, int n, int64_t a, int64_t b)
{
	int64_t total = 0;

	for (int i = 0; i < n; i++)
	{
		int64_t s = p[i].start > a ? p[i].start : a;
		int64_t e = p[i].end < b ? p[i].end : b;

		if (e > s)
			total += e - s;
	}
	return total;
}

/* an instant near the interesting places: transitions, span bounds, or anywhere */
static int64_t
random_instant(const bc_zone *z)
{
	int64_t base;

	switch (rnd() % 4)
	{
		case 0:
			if (z->ntrans > 0)
			{
				int i = (int) (rnd() % z->ntrans);

				if (z->trans[i].at > ts_civil(2025, 6, 1, 0, 0, 0) &&
					z->trans[i].at < ts_civil(2027, 6, 1, 0, 0, 0))
					return z->trans[i].at + rnd_range(-H(60), H(60)) / MIN_(15) * MIN_(15);
			}
			/* FALLTHROUGH */
		case 1:
			base = ts_civil(2026, 1, 1, 0, 0, 0) + rnd_range(-40, 400) * BC_USECS_PER_DAY;
			return base + rnd_range(0, 96) * MIN_(15);
		case 2:
			base = ts_civil(2026, 1, 1, 0, 0, 0) + rnd_range(-40, 400) * BC_USECS_PER_DAY;
			return base + rnd_range(0, 86400) * BC_USECS_PER_SEC + rnd_range(-2, 2);
		default:
			return ts_civil(2025, 11, 1, 0, 0, 0) + rnd_range(0, H(24 * 400));
	}
}

UNIT_TEST(fast_clock_matches_definition)
{
	int cases = 0, failures = 0;

	for (int round = 0; round < 240 && failures < 5; round++)
	{
		testzone tz;
		bc_calendar cal;
		bc_parse_error err;
		bc_prepared *p;
		bc_piece *pieces;
		int np;
		int64_t lo = ts_civil(2025, 9, 1, 0, 0, 0), hi = ts_civil(2027, 7, 1, 0, 0, 0);
		const char *text;

		switch (round % 5)
		{
			case 0:
				testzone_fixed(&tz, 0);
				break;
			case 1:
				testzone_fixed(&tz, 5 * 3600 + 1800); /* Kolkata-like */
				break;
			case 2:
				testzone_dst(&tz, -5 * 3600, -4 * 3600, false, 2015, 2035);
				break;
			case 3:
				testzone_dst(&tz, 10 * 3600, 11 * 3600, true, 2015, 2035);
				break;
			default:
				testzone_dst(&tz, 10 * 3600 + 1800, 11 * 3600, true, 2015,
							 2035); /* Lord Howe-like */
				break;
		}
		/* random spans may join into more than 24 hours, which the parser rejects: draw again */
		do
			text = random_calendar_text();
		while (!bc_parse(text, strlen(text), &cal, &err));
		/* half the rounds use the day table, half the search path */
		if (round % 2)
		{
			tz.zone.focus_lo = ts_civil(2025, 12, 1, 0, 0, 0);
			tz.zone.focus_hi = ts_civil(2026, 10, 1, 0, 0, 0);
		}
		p = bc_prepare(&cal, &tz.zone);
		np = bc_exact_pieces(&cal, &tz.zone, lo, hi, &pieces);
		for (int k = 0; k < 60 && failures < 5; k++)
		{
			int64_t a = random_instant(&tz.zone),
					b = rnd() % 3 ? random_instant(&tz.zone) : a + rnd_range(0, H(72)), got, want,
					need, t;
			bool in;
			bc_status st;

			cases++;
			/* duration */
			want = a <= b ? pieces_measure(pieces, np, a, b) : -pieces_measure(pieces, np, b, a);
			st = bc_duration(p, a, b, &got, &need);
			if (st != BC_OK || got != want)
			{
				failures++;
				fprintf(
					stderr,
					"duration mismatch: cal \"%s\" zone %d a=%lld b=%lld got %lld want %lld (st %d)\n",
					text, round % 5, (long long) a, (long long) b, (long long) got,
					(long long) want, st);
			}
			/* business_add forward and backward, checked by the definition */
			if (want > 0)
			{
				st = bc_add(p, a, want, &t, &need);
				/* the earliest t with measure [a, t) = want */
				if (st != BC_OK || pieces_measure(pieces, np, a, t) != want ||
					pieces_measure(pieces, np, a, t - 1) == want)
				{
					failures++;
					fprintf(
						stderr,
						"add mismatch: cal \"%s\" zone %d a=%lld amount=%lld got %lld (st %d)\n",
						text, round % 5, (long long) a, (long long) want, (long long) t, st);
				}
				st = bc_add(p, b, -want, &t, &need);
				if (st != BC_OK || pieces_measure(pieces, np, t, b) != want ||
					pieces_measure(pieces, np, t + 1, b) == want)
				{
					failures++;
					fprintf(
						stderr,
						"backward add mismatch: cal \"%s\" zone %d b=%lld amount=%lld got %lld (st %d)\n",
						text, round % 5, (long long) b, (long long) want, (long long) t, st);
				}
			}
			/* membership and the next business instant */
			st = bc_is_business(p, a, &in, &need);
			if (st != BC_OK || in != (pieces_measure(pieces, np, a, a + 1) == 1))
			{
				failures++;
				fprintf(stderr, "is_business mismatch: cal \"%s\" zone %d a=%lld\n", text,
						round % 5, (long long) a);
			}
			st = bc_next_business(p, a, &t, &need);
			if (st == BC_OK && t < hi - H(24 * 30) &&
				(pieces_measure(pieces, np, a, t) != 0 ||
				 pieces_measure(pieces, np, t, t + 1) != 1))
			{
				failures++;
				fprintf(stderr, "next_business mismatch: cal \"%s\" zone %d a=%lld got %lld\n",
						text, round % 5, (long long) a, (long long) t);
			}
		}
		cs_free(pieces);
		bc_prepared_free(p);
		bc_free(&cal);
	}
	CHECK(failures == 0);
	CHECK(cases >= 10000);
}
