/*
 * metrics.c: score counts, SLA counts, confidence intervals and the duration sketch.
 *
 * Pure C: no PostgreSQL headers; the only allocations (the formatted text) go through
 * cs_alloc.h.  See metrics.h for the contracts and doc/metrics.md for the user-visible rules.
 */
#include "metrics.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs_alloc.h"

/* ================================================================ small helpers */

static bool fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool
fail(char *err, size_t errlen, const char *fmt, ...)
{
	if (err != NULL && errlen > 0)
	{
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return false;
}

static bool
add_overflows(int64_t a, int64_t b, int64_t *out)
{
	return __builtin_add_overflow(a, b, out);
}

/* a growing string, allocated with cs_alloc */
typedef struct strbuf
{
	char *data;
	size_t len;
	size_t cap;
} strbuf;

static void
sb_init(strbuf *sb, size_t cap)
{
	sb->data = cs_alloc(cap);
	sb->len = 0;
	sb->cap = cap;
	sb->data[0] = '\0';
}

static void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sb_printf(strbuf *sb, const char *fmt, ...)
{
	for (;;)
	{
		va_list ap;
		int n;

		va_start(ap, fmt);
		n = vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t) n < sb->cap - sb->len)
		{
			sb->len += (size_t) n;
			return;
		}
		sb->cap = sb->cap * 2 + (size_t) (n > 0 ? n : 64);
		sb->data = cs_realloc(sb->data, sb->cap);
	}
}

/* ================================================================ 128-bit integers */

cs_i128
cs_i128_from_i64(int64_t v)
{
	cs_i128 r;

	r.hi = v < 0 ? -1 : 0;
	r.lo = (uint64_t) v;
	return r;
}

cs_i128
cs_i128_add(cs_i128 a, cs_i128 b)
{
	cs_i128 r;

	r.lo = a.lo + b.lo;
	r.hi = (int64_t) ((uint64_t) a.hi + (uint64_t) b.hi + (r.lo < a.lo ? 1 : 0));
	return r;
}

int
cs_i128_cmp(cs_i128 a, cs_i128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

static cs_i128
i128_negate(cs_i128 a)
{
	cs_i128 r;

	r.lo = ~a.lo + 1;
	r.hi = (int64_t) (~(uint64_t) a.hi + (r.lo == 0 ? 1 : 0));
	return r;
}

static uint64_t
u64_abs(int64_t v)
{
	return v < 0 ? ~(uint64_t) v + 1 : (uint64_t) v;
}

cs_i128
cs_i128_mul_i64(int64_t a, int64_t b)
{
	uint64_t ua = u64_abs(a), ub = u64_abs(b);
	uint64_t a0 = ua & 0xffffffffu, a1 = ua >> 32, b0 = ub & 0xffffffffu, b1 = ub >> 32;
	uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
	uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
	cs_i128 r;

	r.lo = (mid << 32) | (p00 & 0xffffffffu);
	r.hi = (int64_t) (p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32));
	if ((a < 0) != (b < 0))
		r = i128_negate(r);
	return r;
}

double
cs_i128_to_double(cs_i128 v)
{
	return (double) v.hi * 18446744073709551616.0 + (double) v.lo;
}

void
cs_i128_to_string(cs_i128 v, char *buf)
{
	bool neg = v.hi < 0;
	uint32_t limb[4];
	char tmp[41];
	int n = 0;
	char *out = buf;

	if (neg)
		v = i128_negate(v); /* magnitude; -2^127 itself never occurs here */
	limb[0] = (uint32_t) ((uint64_t) v.hi >> 32);
	limb[1] = (uint32_t) (uint64_t) v.hi;
	limb[2] = (uint32_t) (v.lo >> 32);
	limb[3] = (uint32_t) v.lo;
	do
	{
		uint64_t rem = 0;

		for (int i = 0; i < 4; i++)
		{
			uint64_t cur = (rem << 32) | limb[i];

			limb[i] = (uint32_t) (cur / 10);
			rem = cur % 10;
		}
		tmp[n++] = (char) ('0' + rem);
	} while (limb[0] | limb[1] | limb[2] | limb[3]);
	if (neg)
		*out++ = '-';
	while (n > 0)
		*out++ = tmp[--n];
	*out = '\0';
}

/* ================================================================ a strict JSON-subset reader */

typedef struct lexer
{
	const char *start;
	const char *p;
	char *err;
	size_t errlen;
} lexer;

static void
lx_ws(lexer *lx)
{
	while (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\n' || *lx->p == '\r')
		lx->p++;
}

static bool
lx_unexpected(lexer *lx, const char *wanted)
{
	int pos = (int) (lx->p - lx->start) + 1;

	if (*lx->p == '\0')
		return fail(lx->err, lx->errlen, "Expected %s at character %d, found the end of the input.",
					wanted, pos);
	if ((unsigned char) *lx->p < 0x20 || (unsigned char) *lx->p >= 0x7f)
		return fail(lx->err, lx->errlen, "Expected %s at character %d, found byte 0x%02x.", wanted,
					pos, (unsigned char) *lx->p);
	return fail(lx->err, lx->errlen, "Expected %s at character %d, found \"%c\".", wanted, pos,
				*lx->p);
}

static bool
lx_expect(lexer *lx, char ch)
{
	char wanted[4] = {'"', ch, '"', '\0'};

	lx_ws(lx);
	if (*lx->p != ch)
		return lx_unexpected(lx, wanted);
	lx->p++;
	return true;
}

static bool
lx_peek(lexer *lx, char ch)
{
	lx_ws(lx);
	return *lx->p == ch;
}

/* "key" : */
static bool
lx_key(lexer *lx, char *buf, size_t size)
{
	size_t n = 0;

	lx_ws(lx);
	if (*lx->p != '"')
		return lx_unexpected(lx, "a quoted key");
	lx->p++;
	while ((*lx->p >= 'a' && *lx->p <= 'z') || (*lx->p >= '0' && *lx->p <= '9') || *lx->p == '_')
	{
		if (n + 1 >= size)
			return fail(lx->err, lx->errlen, "Key at character %d is too long.",
						(int) (lx->p - lx->start) + 1);
		buf[n++] = *lx->p++;
	}
	buf[n] = '\0';
	if (*lx->p != '"')
		return lx_unexpected(lx,
							 "a key of lower-case letters, digits and \"_\" and its closing quote");
	lx->p++;
	return lx_expect(lx, ':');
}

/* an integer of at most 38 digits (so its magnitude fits 127 bits) */
static bool
lx_i128(lexer *lx, cs_i128 *out)
{
	bool neg = false;
	int digits = 0;
	uint64_t hi = 0, lo = 0;

	lx_ws(lx);
	if (*lx->p == '-')
	{
		neg = true;
		lx->p++;
	}
	if (*lx->p < '0' || *lx->p > '9')
		return lx_unexpected(lx, "a digit");
	if (*lx->p == '0' && lx->p[1] >= '0' && lx->p[1] <= '9')
		return fail(lx->err, lx->errlen, "Number at character %d has a leading zero.",
					(int) (lx->p - lx->start) + 1);
	while (*lx->p >= '0' && *lx->p <= '9')
	{
		uint64_t d = (uint64_t) (*lx->p - '0');
		uint64_t l0 = lo & 0xffffffffu, l1 = lo >> 32;
		uint64_t t0 = l0 * 10 + d;
		uint64_t t1 = l1 * 10 + (t0 >> 32);

		if (++digits > 38)
			return fail(lx->err, lx->errlen, "Number at character %d is too large.",
						(int) (lx->p - lx->start) + 1);
		lo = (t1 << 32) | (t0 & 0xffffffffu);
		hi = hi * 10 + (t1 >> 32);
		lx->p++;
	}
	if (*lx->p == '.' || *lx->p == 'e' || *lx->p == 'E')
		return fail(lx->err, lx->errlen, "Number at character %d is not an integer.",
					(int) (lx->p - lx->start) + 1);
	out->hi = (int64_t) hi;
	out->lo = lo;
	if (neg)
		*out = i128_negate(*out);
	return true;
}

static bool
lx_i64(lexer *lx, int64_t *out, const char *what)
{
	const char *at = lx->p;
	cs_i128 v;

	if (!lx_i128(lx, &v))
		return false;
	if (v.hi != (((int64_t) v.lo) < 0 ? -1 : 0))
		return fail(lx->err, lx->errlen,
					"Value of %s at character %d is out of range for a 64-bit integer.", what,
					(int) (at - lx->start) + 1);
	*out = (int64_t) v.lo;
	return true;
}

static bool
lx_count(lexer *lx, int64_t *out, const char *what)
{
	if (!lx_i64(lx, out, what))
		return false;
	if (*out < 0)
		return fail(lx->err, lx->errlen, "Count %s must not be negative.", what);
	return true;
}

static bool
lx_end(lexer *lx)
{
	lx_ws(lx);
	if (*lx->p != '\0')
		return lx_unexpected(lx, "the end of the input");
	return true;
}

/*
 * Drive the object: calls field(key) for each key, which reads the value.  Each key of the
 * list must occur exactly once.
 */
typedef bool (*field_reader)(lexer *lx, int which, void *arg);

static bool
lx_object(lexer *lx, const char *const *keys, int nkeys, field_reader reader, void *arg)
{
	unsigned seen = 0;
	char key[32];

	if (!lx_expect(lx, '{'))
		return false;
	for (;;)
	{
		int which = -1;

		if (!lx_key(lx, key, sizeof(key)))
			return false;
		for (int i = 0; i < nkeys; i++)
			if (strcmp(key, keys[i]) == 0)
				which = i;
		if (which < 0)
			return fail(lx->err, lx->errlen, "Unknown key \"%s\".", key);
		if (seen & (1u << which))
			return fail(lx->err, lx->errlen, "Key \"%s\" appears twice.", key);
		seen |= 1u << which;
		if (!reader(lx, which, arg))
			return false;
		if (lx_peek(lx, ','))
		{
			lx->p++;
			continue;
		}
		if (!lx_expect(lx, '}'))
			return false;
		break;
	}
	if (!lx_end(lx))
		return false;
	for (int i = 0; i < nkeys; i++)
		if (!(seen & (1u << i)))
			return fail(lx->err, lx->errlen, "Key \"%s\" is missing.", keys[i]);
	return true;
}

static bool
read_version(lexer *lx)
{
	int64_t v = 0;

	if (!lx_i64(lx, &v, "version"))
		return false;
	if (v != CS_METRICS_VERSION)
		return fail(lx->err, lx->errlen,
					"Version %lld is not supported; this build reads version %d.", (long long) v,
					CS_METRICS_VERSION);
	return true;
}

/* ================================================================ scores */

const char *
cs_scale_name(cs_scale scale)
{
	switch (scale)
	{
		case CS_SCALE_CSAT:
			return "CSAT";
		case CS_SCALE_CES:
			return "CES";
		default:
			return "NPS";
	}
}

bool
cs_score_merge(cs_score_counts *dst, const cs_score_counts *src)
{
	int64_t n;

	if (add_overflows(dst->n, src->n, &n))
		return false;
	dst->n = n;
	for (int i = 0; i < CS_SCORE_SLOTS; i++)
		dst->c[i] += src->c[i]; /* each c[i] <= n, so none overflows */
	return true;
}

bool
cs_score_check(const cs_score_counts *s, char *err, size_t errlen)
{
	int64_t sum = 0;

	for (int i = 0; i < CS_SCORE_SLOTS; i++)
	{
		if (s->c[i] < 0)
			return fail(err, errlen, "Count for score %d is negative.", i);
		if (add_overflows(sum, s->c[i], &sum))
			return fail(err, errlen, "Counts add up to more than a 64-bit integer holds.");
	}
	if (s->n != sum)
		return fail(err, errlen, "Responses %lld differ from the sum of the counts, %lld.",
					(long long) s->n, (long long) sum);
	return true;
}

int64_t
cs_score_promoters(const cs_score_counts *s)
{
	return s->c[9] + s->c[10];
}

int64_t
cs_score_passives(const cs_score_counts *s)
{
	return s->c[7] + s->c[8];
}

int64_t
cs_score_detractors(const cs_score_counts *s)
{
	return s->n - cs_score_promoters(s) - cs_score_passives(s);
}

int64_t
cs_score_outside(const cs_score_counts *s, cs_scale scale)
{
	int64_t out = 0;

	for (int i = 0; i < CS_SCORE_SLOTS; i++)
		if (i < cs_scale_min(scale) || i > cs_scale_max(scale))
			out += s->c[i];
	return out;
}

double
cs_score_nps(const cs_score_counts *s)
{
	/* the difference of counts is exact in int64; one division keeps 100% exact */
	return 100.0 * (double) (cs_score_promoters(s) - cs_score_detractors(s)) / (double) s->n;
}

double
cs_score_csat(const cs_score_counts *s)
{
	return 100.0 * (double) (s->c[4] + s->c[5]) / (double) s->n;
}

double
cs_score_ces(const cs_score_counts *s)
{
	double sum = 0;

	for (int i = 1; i < CS_SCORE_SLOTS; i++)
		sum += (double) i * (double) s->c[i];
	return sum / (double) s->n;
}

char *
cs_score_format(const cs_score_counts *s)
{
	strbuf sb;

	sb_init(&sb, 256);
	sb_printf(&sb, "{\"version\":%d,\"responses\":%lld,\"counts\":[", CS_METRICS_VERSION,
			  (long long) s->n);
	for (int i = 0; i < CS_SCORE_SLOTS; i++)
		sb_printf(&sb, "%s%lld", i ? "," : "", (long long) s->c[i]);
	sb_printf(&sb, "]}");
	return sb.data;
}

static const char *const score_keys[] = {"version", "responses", "counts"};

static bool
score_field(lexer *lx, int which, void *arg)
{
	cs_score_counts *s = arg;

	switch (which)
	{
		case 0:
			return read_version(lx);
		case 1:
			return lx_count(lx, &s->n, "responses");
		default:
			if (!lx_expect(lx, '['))
				return false;
			for (int i = 0; i < CS_SCORE_SLOTS; i++)
			{
				char what[32];

				snprintf(what, sizeof(what), "for score %d", i);
				if (i > 0 && !lx_expect(lx, ','))
					return false;
				if (!lx_count(lx, &s->c[i], what))
					return false;
			}
			if (lx_peek(lx, ','))
				return fail(lx->err, lx->errlen,
							"Counts must have exactly %d elements, for scores 0 to 10.",
							CS_SCORE_SLOTS);
			return lx_expect(lx, ']');
	}
}

bool
cs_score_parse(const char *text, cs_score_counts *out, char *err, size_t errlen)
{
	lexer lx = {text, text, err, errlen};

	memset(out, 0, sizeof(*out));
	if (!lx_object(&lx, score_keys, 3, score_field, out))
		return false;
	return cs_score_check(out, err, errlen);
}

/* ================================================================ SLA */

bool
cs_sla_merge(cs_sla_counts *dst, const cs_sla_counts *src)
{
	int64_t total;

	if (add_overflows(dst->total, src->total, &total))
		return false;
	dst->total = total;
	dst->met += src->met;
	return true;
}

bool
cs_sla_check(const cs_sla_counts *s, char *err, size_t errlen)
{
	if (s->total < 0 || s->met < 0)
		return fail(err, errlen, "Counts must not be negative.");
	if (s->met > s->total)
		return fail(err, errlen, "Met %lld exceeds total %lld.", (long long) s->met,
					(long long) s->total);
	return true;
}

double
cs_sla_pct(const cs_sla_counts *s)
{
	return 100.0 * (double) s->met / (double) s->total;
}

char *
cs_sla_format(const cs_sla_counts *s)
{
	strbuf sb;

	sb_init(&sb, 96);
	sb_printf(&sb, "{\"version\":%d,\"met\":%lld,\"total\":%lld}", CS_METRICS_VERSION,
			  (long long) s->met, (long long) s->total);
	return sb.data;
}

static const char *const sla_keys[] = {"version", "met", "total"};

static bool
sla_field(lexer *lx, int which, void *arg)
{
	cs_sla_counts *s = arg;

	switch (which)
	{
		case 0:
			return read_version(lx);
		case 1:
			return lx_count(lx, &s->met, "met");
		default:
			return lx_count(lx, &s->total, "total");
	}
}

bool
cs_sla_parse(const char *text, cs_sla_counts *out, char *err, size_t errlen)
{
	lexer lx = {text, text, err, errlen};

	memset(out, 0, sizeof(*out));
	if (!lx_object(&lx, sla_keys, 3, sla_field, out))
		return false;
	return cs_sla_check(out, err, errlen);
}

/* ================================================================ intervals */

/*
 * Inverse normal CDF for the lower half (0 < p <= 0.5): P. J. Acklam's rational approximation
 * (relative error about 1e-9), then one Halley step on erfc, which brings it to full double
 * precision.  The upper half follows by symmetry; 1 - p is exact for p >= 0.5.
 */
static double
norm_quantile_lower(double p)
{
	static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02,
								-2.759285104469687e+02, 1.383577518672690e+02,
								-3.066479806614716e+01, 2.506628277459239e+00};
	static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02,
								-1.556989798598866e+02, 6.680131188771972e+01,
								-1.328068155288572e+01};
	static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01,
								-2.400758277161838e+00, -2.549732539343734e+00,
								4.374664141464968e+00,	2.938163982698783e+00};
	static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
								3.754408661907416e+00};
	double x;

	if (p < 0.02425)
	{
		double q = sqrt(-2.0 * log(p));

		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
	}
	else
	{
		double q = p - 0.5;
		double r = q * q;

		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
			(((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
	}

	/* Halley refinement: f(x) = Phi(x) - p, f' = phi(x), f'' = -x phi(x) */
	{
		double e = 0.5 * erfc(-x * 0.70710678118654752440) - p;
		double u = e * 2.50662827463100050242 * exp(x * x / 2.0);

		x = x - u / (1.0 + x * u / 2.0);
	}
	return x;
}

double
cs_norm_quantile(double p)
{
	if (!(p > 0.0 && p < 1.0))
		return NAN;
	if (p == 0.5)
		return 0.0;
	if (p < 0.5)
		return norm_quantile_lower(p);
	return -norm_quantile_lower(1.0 - p);
}

double
cs_z_for_confidence(double confidence)
{
	if (!(confidence > 0.0 && confidence < 1.0))
		return NAN;
	return -norm_quantile_lower((1.0 - confidence) / 2.0);
}

void
cs_wilson(int64_t x, int64_t n, double z, double *lo, double *hi)
{
	double dn = (double) n, dx = (double) x, z2 = z * z;
	double centre = (dx + z2 / 2.0) / (dn + z2);
	double half = z / (dn + z2) * sqrt(dx * (dn - dx) / dn + z2 / 4.0);
	double l = centre - half, h = centre + half;

	if (x == 0 || l < 0.0)
		l = 0.0;
	if (x == n || h > 1.0)
		h = 1.0;
	*lo = 100.0 * l;
	*hi = 100.0 * h;
}

void
cs_nps_interval(int64_t promoters, int64_t detractors, int64_t n, double z, double *lo, double *hi)
{
	double nt = (double) n + 3.0;
	double p = ((double) promoters + 0.75) / nt;
	double d = ((double) detractors + 0.75) / nt;
	double centre = p - d;
	double var = (p + d - centre * centre) / nt;
	double half = z * sqrt(var > 0.0 ? var : 0.0);
	double l = centre - half, h = centre + half;

	*lo = 100.0 * (l < -1.0 ? -1.0 : l);
	*hi = 100.0 * (h > 1.0 ? 1.0 : h);
}

/* ================================================================ duration sketch */

double
cs_dd_value(int k)
{
	return (1.0 - CS_DD_ALPHA) * exp((double) k * CS_DD_LN_GAMMA);
}

bool
cs_dd_add(cs_dd_sketch *sk, int64_t us)
{
	cs_dd_head *h = &sk->h;

	if (h->count == INT64_MAX)
		return false;
	if (h->count == 0)
		h->min_us = h->max_us = us;
	else if (us < h->min_us)
		h->min_us = us;
	else if (us > h->max_us)
		h->max_us = us;
	h->count++;
	h->sum_us = cs_i128_add_i64(h->sum_us, us);
	if (us > 0)
	{
		if (us <= CS_DD_MAX_US)
			sk->bucket[cs_dd_index(us)]++;
		else
			h->over++;
	}
	else if (us == 0)
		h->zero++;
	else
		h->negative++;
	return true;
}

bool
cs_dd_merge_head(cs_dd_head *dst, const cs_dd_head *src)
{
	int64_t count;

	if (src->count == 0)
		return true;
	if (add_overflows(dst->count, src->count, &count))
		return false;
	if (dst->count == 0)
	{
		dst->min_us = src->min_us;
		dst->max_us = src->max_us;
	}
	else
	{
		if (src->min_us < dst->min_us)
			dst->min_us = src->min_us;
		if (src->max_us > dst->max_us)
			dst->max_us = src->max_us;
	}
	dst->count = count;
	dst->negative += src->negative;
	dst->zero += src->zero;
	dst->over += src->over;
	dst->sum_us = cs_i128_add(dst->sum_us, src->sum_us);
	return true;
}

void
cs_dd_merge_dense(cs_dd_sketch *dst, const int64_t *bucket)
{
	for (int k = 0; k < CS_DD_NBUCKETS; k++)
		dst->bucket[k] += bucket[k];
}

void
cs_dd_merge_sparse(cs_dd_sketch *dst, const int64_t *counts, const uint16_t *idx, int nnz)
{
	for (int i = 0; i < nnz; i++)
		dst->bucket[idx[i]] += counts[i];
}

int
cs_dd_merge_sparse_lists(const int64_t *a_counts, const uint16_t *a_idx, int a_nnz,
						 const int64_t *b_counts, const uint16_t *b_idx, int b_nnz,
						 int64_t *out_counts, uint16_t *out_idx)
{
	int i = 0, j = 0, n = 0;

	while (i < a_nnz || j < b_nnz)
	{
		if (j >= b_nnz || (i < a_nnz && a_idx[i] < b_idx[j]))
		{
			out_idx[n] = a_idx[i];
			out_counts[n] = a_counts[i++];
		}
		else if (i >= a_nnz || b_idx[j] < a_idx[i])
		{
			out_idx[n] = b_idx[j];
			out_counts[n] = b_counts[j++];
		}
		else
		{
			out_idx[n] = a_idx[i];
			out_counts[n] = a_counts[i++] + b_counts[j++];
		}
		n++;
	}
	return n;
}

int
cs_dd_to_sparse(const cs_dd_sketch *sk, int64_t *counts, uint16_t *idx)
{
	int nnz = 0;

	for (int k = 0; k < CS_DD_NBUCKETS; k++)
		if (sk->bucket[k] != 0)
		{
			counts[nnz] = sk->bucket[k];
			idx[nnz] = (uint16_t) k;
			nnz++;
		}
	return nnz;
}

bool
cs_dd_check(const cs_dd_head *h, const int64_t *counts, const uint16_t *idx, int nnz, char *err,
			size_t errlen)
{
	int64_t total;
	cs_i128 lo, hi;

	if (h->count < 0 || h->negative < 0 || h->zero < 0 || h->over < 0)
		return fail(err, errlen, "Counts must not be negative.");
	if (nnz < 0 || nnz > CS_DD_NBUCKETS)
		return fail(err, errlen, "A sketch has at most %d buckets.", CS_DD_NBUCKETS);
	if (add_overflows(h->negative, h->zero, &total) || add_overflows(total, h->over, &total))
		return fail(err, errlen, "Counts add up to more than a 64-bit integer holds.");
	for (int i = 0; i < nnz; i++)
	{
		if (idx[i] >= CS_DD_NBUCKETS)
			return fail(err, errlen, "Bucket %d is out of range 0 to %d.", (int) idx[i],
						CS_DD_NBUCKETS - 1);
		if (i > 0 && idx[i] <= idx[i - 1])
			return fail(err, errlen,
						"Buckets must be in strictly ascending order (bucket %d after %d).",
						(int) idx[i], (int) idx[i - 1]);
		if (counts[i] <= 0)
			return fail(err, errlen,
						"Bucket %d has count %lld; listed buckets need a positive count.",
						(int) idx[i], (long long) counts[i]);
		if (add_overflows(total, counts[i], &total))
			return fail(err, errlen, "Counts add up to more than a 64-bit integer holds.");
	}
	if (total != h->count)
		return fail(
			err, errlen,
			"Count %lld differs from the %lld durations in negative, zero, over_range and the buckets.",
			(long long) h->count, (long long) total);
	if (h->count == 0)
	{
		if (h->min_us != 0 || h->max_us != 0 || h->sum_us.hi != 0 || h->sum_us.lo != 0)
			return fail(err, errlen, "An empty sketch has min_us, max_us and sum_us 0.");
		return true;
	}
	if (h->min_us > h->max_us)
		return fail(err, errlen, "min_us %lld exceeds max_us %lld.", (long long) h->min_us,
					(long long) h->max_us);
	if (h->count == 1 && h->min_us != h->max_us)
		return fail(err, errlen, "A sketch of one duration has min_us equal to max_us.");

	/* the minimum lies in the lowest region that holds durations, the maximum in the highest */
	if (h->negative > 0 ? h->min_us >= 0
		: h->zero > 0	? h->min_us != 0
		: nnz > 0		? (h->min_us < 1 || h->min_us > CS_DD_MAX_US ||
					   abs(cs_dd_index(h->min_us) - (int) idx[0]) > 1)
						: h->min_us <= CS_DD_MAX_US)
		return fail(err, errlen, "min_us %lld does not match the lowest duration counted.",
					(long long) h->min_us);
	if (h->over > 0	  ? h->max_us <= CS_DD_MAX_US
		: nnz > 0	  ? (h->max_us < 1 || h->max_us > CS_DD_MAX_US ||
					 abs(cs_dd_index(h->max_us) - (int) idx[nnz - 1]) > 1)
		: h->zero > 0 ? h->max_us != 0
					  : h->max_us >= 0)
		return fail(err, errlen, "max_us %lld does not match the highest duration counted.",
					(long long) h->max_us);

	lo = cs_i128_mul_i64(h->count, h->min_us);
	hi = cs_i128_mul_i64(h->count, h->max_us);
	if (cs_i128_cmp(h->sum_us, lo) < 0 || cs_i128_cmp(h->sum_us, hi) > 0)
		return fail(err, errlen, "sum_us lies outside count * min_us .. count * max_us.");
	return true;
}

/* the estimated duration of the value of 0-based rank r */
static double
dd_value_at(const cs_dd_head *h, const int64_t *counts, const uint16_t *idx, int nnz, int64_t r)
{
	int64_t c;

	if (r <= 0)
		return (double) h->min_us;
	if (r >= h->count - 1)
		return (double) h->max_us;
	c = h->negative;
	if (r < c)
		return (double) h->min_us;
	c += h->zero;
	if (r < c)
		return 0.0;
	for (int i = 0; i < nnz; i++)
	{
		c += counts[i];
		if (r < c)
		{
			double v = cs_dd_value(idx[i]);

			if (v < (double) h->min_us)
				v = (double) h->min_us;
			if (v > (double) h->max_us)
				v = (double) h->max_us;
			return v;
		}
	}
	return (double) h->max_us;
}

int64_t
cs_dd_quantile(const cs_dd_head *h, const int64_t *counts, const uint16_t *idx, int nnz, double q)
{
	double pos = q * (double) (h->count - 1);
	double first = floor(pos);
	int64_t r0 = (int64_t) first, r1 = (int64_t) ceil(pos);
	double v = dd_value_at(h, counts, idx, nnz, r0);

	if (r1 != r0)
		v += (pos - first) * (dd_value_at(h, counts, idx, nnz, r1) - v);
	if (v <= (double) h->min_us)
		return h->min_us;
	if (v >= (double) h->max_us)
		return h->max_us;
	return (int64_t) llround(v);
}

double
cs_dd_mean(const cs_dd_head *h)
{
	return cs_i128_to_double(h->sum_us) / (double) h->count;
}

char *
cs_dd_format(const cs_dd_head *h, const int64_t *counts, const uint16_t *idx, int nnz)
{
	strbuf sb;
	char sum[48];

	cs_i128_to_string(h->sum_us, sum);
	sb_init(&sb, 256 + (size_t) nnz * 16);
	sb_printf(&sb,
			  "{\"version\":%d,\"count\":%lld,\"min_us\":%lld,\"max_us\":%lld,\"sum_us\":%s,"
			  "\"negative\":%lld,\"zero\":%lld,\"over_range\":%lld,\"buckets\":[",
			  CS_METRICS_VERSION, (long long) h->count, (long long) h->min_us,
			  (long long) h->max_us, sum, (long long) h->negative, (long long) h->zero,
			  (long long) h->over);
	for (int i = 0; i < nnz; i++)
		sb_printf(&sb, "%s[%d,%lld]", i ? "," : "", (int) idx[i], (long long) counts[i]);
	sb_printf(&sb, "]}");
	return sb.data;
}

static const char *const dd_keys[] = {"version",  "count", "min_us",	 "max_us", "sum_us",
									  "negative", "zero",  "over_range", "buckets"};

typedef struct dd_parse_state
{
	cs_dd_head *h;
	int64_t *counts;
	uint16_t *idx;
	int nnz;
} dd_parse_state;

static bool
dd_field(lexer *lx, int which, void *arg)
{
	dd_parse_state *st = arg;

	switch (which)
	{
		case 0:
			return read_version(lx);
		case 1:
			return lx_count(lx, &st->h->count, "count");
		case 2:
			return lx_i64(lx, &st->h->min_us, "min_us");
		case 3:
			return lx_i64(lx, &st->h->max_us, "max_us");
		case 4:
			return lx_i128(lx, &st->h->sum_us);
		case 5:
			return lx_count(lx, &st->h->negative, "negative");
		case 6:
			return lx_count(lx, &st->h->zero, "zero");
		case 7:
			return lx_count(lx, &st->h->over, "over_range");
		default:
			if (!lx_expect(lx, '['))
				return false;
			if (lx_peek(lx, ']'))
			{
				lx->p++;
				return true;
			}
			for (;;)
			{
				int64_t k;

				if (st->nnz >= CS_DD_NBUCKETS)
					return fail(lx->err, lx->errlen, "A sketch has at most %d buckets.",
								CS_DD_NBUCKETS);
				if (!lx_expect(lx, '[') || !lx_i64(lx, &k, "a bucket index"))
					return false;
				if (k < 0 || k >= CS_DD_NBUCKETS)
					return fail(lx->err, lx->errlen, "Bucket %lld is out of range 0 to %d.",
								(long long) k, CS_DD_NBUCKETS - 1);
				st->idx[st->nnz] = (uint16_t) k;
				if (!lx_expect(lx, ',') || !lx_i64(lx, &st->counts[st->nnz], "a bucket count") ||
					!lx_expect(lx, ']'))
					return false;
				st->nnz++;
				if (lx_peek(lx, ','))
				{
					lx->p++;
					continue;
				}
				return lx_expect(lx, ']');
			}
	}
}

bool
cs_dd_parse(const char *text, cs_dd_head *h, int64_t *counts, uint16_t *idx, int *nnz, char *err,
			size_t errlen)
{
	lexer lx = {text, text, err, errlen};
	dd_parse_state st = {h, counts, idx, 0};

	memset(h, 0, sizeof(*h));
	*nnz = 0;
	if (!lx_object(&lx, dd_keys, 9, dd_field, &st))
		return false;
	*nnz = st.nnz;
	return cs_dd_check(h, counts, idx, st.nnz, err, errlen);
}
