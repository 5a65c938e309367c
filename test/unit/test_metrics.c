/* Unit tests of src/core/metrics.c: scores, SLA, intervals, 128-bit sums, duration sketch. */
#include <math.h>
#include <stdlib.h>

#include "cs_alloc.h"
#include "metrics.h"
#include "unit.h"

/* ---------------------------------------------------------------- helpers */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rng(void)
{
	/* splitmix64: deterministic, so every run checks the same cases */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double
rng_unit(void)
{
	return (double) (rng() >> 11) / 9007199254740992.0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;

	return x < y ? -1 : x > y;
}

/* percentile_cont over sorted values */
static double
exact_cont(const int64_t *sorted, int64_t n, double q)
{
	double pos = q * (double) (n - 1);
	int64_t r0 = (int64_t) floor(pos), r1 = (int64_t) ceil(pos);

	return (double) sorted[r0] + (pos - floor(pos)) * (double) (sorted[r1] - sorted[r0]);
}

typedef struct sparse_view
{
	int64_t counts[CS_DD_NBUCKETS];
	uint16_t idx[CS_DD_NBUCKETS];
	int nnz;
} sparse_view;

static int64_t
sketch_quantile(const cs_dd_sketch *sk, double q)
{
	static sparse_view v;

	v.nnz = cs_dd_to_sparse(sk, v.counts, v.idx);
	return cs_dd_quantile(&sk->h, v.counts, v.idx, v.nnz, q);
}

/* ---------------------------------------------------------------- scores */

UNIT_TEST(score_metrics)
{
	cs_score_counts s = {0};
	int answers[] = {10, 9, 9, 8, 7, 6, 0, 10, 9, 3};

	for (int i = 0; i < 10; i++)
		CHECK(cs_score_add(&s, answers[i]));
	CHECK_EQ_I64(s.n, 10);
	CHECK_EQ_I64(cs_score_promoters(&s), 5);
	CHECK_EQ_I64(cs_score_passives(&s), 2);
	CHECK_EQ_I64(cs_score_detractors(&s), 3);
	CHECK_NEAR(cs_score_nps(&s), 20.0, 0);
	CHECK(cs_score_check(&s, NULL, 0));
	CHECK_EQ_I64(cs_score_outside(&s, CS_SCALE_NPS), 0);
	CHECK_EQ_I64(cs_score_outside(&s, CS_SCALE_CSAT), 9); /* all but the 3 */
	CHECK_EQ_I64(cs_score_outside(&s, CS_SCALE_CES), 7);  /* 0, 8..10 */
	CHECK_EQ_I64(cs_scale_min(CS_SCALE_CSAT), 1);
	CHECK_EQ_I64(cs_scale_max(CS_SCALE_CES), 7);
	CHECK_STR(cs_scale_name(CS_SCALE_CES), "CES");
}

UNIT_TEST(score_csat_ces)
{
	cs_score_counts s = {0};
	int answers[] = {5, 4, 4, 3, 1, 2, 5, 5};

	for (int i = 0; i < 8; i++)
		CHECK(cs_score_add(&s, answers[i]));
	CHECK_EQ_I64(cs_score_outside(&s, CS_SCALE_CSAT), 0);
	CHECK_NEAR(cs_score_csat(&s), 62.5, 0);
	CHECK_NEAR(cs_score_ces(&s), 29.0 / 8.0, 1e-15);
}

UNIT_TEST(score_merge_and_overflow)
{
	cs_score_counts a = {0}, b = {0}, whole = {0};

	for (int i = 0; i < 1000; i++)
	{
		int v = (int) (rng() % 11);

		CHECK(cs_score_add(i % 3 ? &a : &b, v));
		CHECK(cs_score_add(&whole, v));
	}
	CHECK(cs_score_merge(&a, &b));
	CHECK(memcmp(&a, &whole, sizeof(a)) == 0);

	a.n = INT64_MAX;
	a.c[10] = INT64_MAX;
	memset(a.c, 0, sizeof(a.c) - sizeof(a.c[10]));
	b = a;
	CHECK(!cs_score_add(&a, 3));
	CHECK(a.c[3] == 0 && a.n == INT64_MAX);
	b.n = 1;
	memset(b.c, 0, sizeof(b.c));
	b.c[0] = 1;
	CHECK(!cs_score_merge(&a, &b));
	CHECK(a.n == INT64_MAX && a.c[0] == 0);
}

UNIT_TEST(score_text_round_trip)
{
	cs_score_counts s = {0}, back;
	char err[200];
	char *text;

	text = cs_score_format(&s);
	CHECK_STR(text, "{\"version\":1,\"responses\":0,\"counts\":[0,0,0,0,0,0,0,0,0,0,0]}");
	cs_free(text);
	for (int i = 0; i < 50; i++)
		cs_score_add(&s, i % 11);
	s.c[10] += INT64_MAX - 60;
	s.n += INT64_MAX - 60;
	text = cs_score_format(&s);
	CHECK(cs_score_parse(text, &back, err, sizeof(err)));
	CHECK(memcmp(&s, &back, sizeof(s)) == 0);
	cs_free(text);

	CHECK(cs_score_parse(
		" { \"counts\" : [1,0,0,0,0,0,0,0,0,0,2] ,\n\"responses\":3, \"version\":1 } ", &back, err,
		sizeof(err)));
	CHECK_EQ_I64(back.n, 3);
	CHECK_EQ_I64(back.c[10], 2);
}

static void
check_score_rejects(const char *text, const char *reason)
{
	cs_score_counts s;
	char err[200] = "";

	CHECK(!cs_score_parse(text, &s, err, sizeof(err)));
	if (strstr(err, reason) == NULL)
		unit_fail(__FILE__, __LINE__, "for %s: got \"%s\", expected it to contain \"%s\"", text,
				  err, reason);
}

UNIT_TEST(score_text_rejects)
{
	check_score_rejects("", "found the end of the input");
	check_score_rejects("{}", "Expected a quoted key");
	check_score_rejects("{\"version\":1,\"responses\":1,\"counts\":[1,0,0,0,0,0,0,0,0,0,0]} x",
						"Expected the end of the input at character 62");
	check_score_rejects("{\"version\":2,\"responses\":0,\"counts\":[0,0,0,0,0,0,0,0,0,0,0]}",
						"Version 2 is not supported");
	check_score_rejects("{\"version\":1,\"responses\":2,\"counts\":[1,0,0,0,0,0,0,0,0,0,0]}",
						"Responses 2 differ from the sum of the counts, 1");
	check_score_rejects("{\"version\":1,\"responses\":0,\"counts\":[0,0,0,0,0,0,0,0,0,0]}",
						"Expected \",\"");
	check_score_rejects("{\"version\":1,\"responses\":0,\"counts\":[0,0,0,0,0,0,0,0,0,0,0,0]}",
						"exactly 11 elements");
	check_score_rejects("{\"version\":1,\"responses\":-1,\"counts\":[-1,0,0,0,0,0,0,0,0,0,0]}",
						"must not be negative");
	check_score_rejects("{\"version\":1,\"responses\":0}", "Key \"counts\" is missing");
	check_score_rejects("{\"version\":1,\"version\":1}", "appears twice");
	check_score_rejects("{\"nps\":1}", "Unknown key \"nps\"");
	check_score_rejects("{\"version\":1.5}", "not an integer");
	check_score_rejects("{\"version\":01}", "leading zero");
	check_score_rejects("{\"version\":1,\"responses\":9223372036854775808,\"counts\":[]}",
						"out of range for a 64-bit integer");
	check_score_rejects("{\"version\":1,\"responses\":1234567890123456789012345678901234567890}",
						"too large");
	check_score_rejects("{\"version\":1,\"responses\":0,\"counts\":[0,0,0,0,0,0,0,0,0,0,\x01",
						"byte 0x01");
	check_score_rejects("{\"version\":1,\"responses\":2,\"counts\":"
						"[9223372036854775807,9223372036854775807,0,0,0,0,0,0,0,0,0]}",
						"more than a 64-bit integer");
	check_score_rejects("{\"Version\":1}", "lower-case letters");
}

/* ---------------------------------------------------------------- SLA */

UNIT_TEST(sla_counts)
{
	cs_sla_counts s = {0}, t = {0}, back;
	char err[200];
	char *text;

	for (int i = 0; i < 20; i++)
		CHECK(cs_sla_add(i < 10 ? &s : &t, i % 4 != 0));
	CHECK(cs_sla_merge(&s, &t));
	CHECK_EQ_I64(s.total, 20);
	CHECK_EQ_I64(s.met, 15);
	CHECK_NEAR(cs_sla_pct(&s), 75.0, 0);
	text = cs_sla_format(&s);
	CHECK_STR(text, "{\"version\":1,\"met\":15,\"total\":20}");
	CHECK(cs_sla_parse(text, &back, err, sizeof(err)));
	CHECK(back.met == 15 && back.total == 20);
	cs_free(text);
	CHECK(!cs_sla_parse("{\"version\":1,\"met\":21,\"total\":20}", &back, err, sizeof(err)));
	CHECK(strstr(err, "exceeds total") != NULL);
	t.total = INT64_MAX;
	t.met = 0;
	CHECK(!cs_sla_add(&t, true));
	CHECK(!cs_sla_merge(&t, &s));
	CHECK(t.total == INT64_MAX && t.met == 0);
}

/* ---------------------------------------------------------------- intervals */

UNIT_TEST(norm_quantile)
{
	CHECK_NEAR(cs_norm_quantile(0.975), 1.9599639845400536, 1e-14);
	CHECK_NEAR(cs_norm_quantile(0.995), 2.5758293035489, 1e-13);
	CHECK_NEAR(cs_norm_quantile(0.95), 1.6448536269514715, 1e-14);
	CHECK_NEAR(cs_norm_quantile(0.9), 1.2815515655446008, 1e-14);
	CHECK_NEAR(cs_norm_quantile(1e-10), -6.361340902404056, 1e-12);
	CHECK_NEAR(cs_norm_quantile(0.3), -0.5244005127080407, 1e-14);
	CHECK(cs_norm_quantile(0.5) == 0.0);
	CHECK(isnan(cs_norm_quantile(0.0)));
	CHECK(isnan(cs_norm_quantile(1.0)));
	CHECK(isnan(cs_norm_quantile(NAN)));
	CHECK_NEAR(cs_z_for_confidence(0.95), 1.9599639845400536, 1e-14);
	CHECK_NEAR(cs_z_for_confidence(0.99), 2.5758293035489, 1e-13);
	CHECK(isnan(cs_z_for_confidence(1.0)));
	CHECK(isnan(cs_z_for_confidence(-0.5)));

	/* Phi(z(p)) = p and symmetry over a wide grid, both tails */
	for (double lp = -300; lp < 0; lp += 0.37)
	{
		double p = pow(10.0, lp / 10.0);
		double z = cs_norm_quantile(p);

		CHECK_NEAR(0.5 * erfc(-z / sqrt(2.0)) / p, 1.0, 1e-12);
	}
	for (int i = 1; i < 1024; i++) /* 1 - i/1024 is exact, so symmetry must be exact */
		CHECK(cs_norm_quantile(1.0 - i / 1024.0) == -cs_norm_quantile(i / 1024.0));
	for (int i = 1; i < 1000; i++)
	{
		double p = i / 1000.0;

		CHECK_NEAR(0.5 * erfc(-cs_norm_quantile(p) / sqrt(2.0)), p, 2e-16 * 8);
		if (i > 1)
			CHECK(cs_norm_quantile(p) > cs_norm_quantile((i - 1) / 1000.0));
	}
}

UNIT_TEST(wilson_values)
{
	double z = cs_z_for_confidence(0.95), lo, hi;

	cs_wilson(8, 10, z, &lo, &hi);
	CHECK_NEAR(lo, 49.016247153664175, 1e-10);
	CHECK_NEAR(hi, 94.33178485456246, 1e-10);
	cs_wilson(0, 10, z, &lo, &hi);
	CHECK(lo == 0.0);
	CHECK_NEAR(hi, 27.753279986288916, 1e-10);
	cs_wilson(10, 10, z, &lo, &hi);
	CHECK(hi == 100.0);
	CHECK_NEAR(lo, 100.0 - 27.753279986288916, 1e-10);
	cs_wilson(95, 100, z, &lo, &hi);
	CHECK_NEAR(lo, 88.82495307680809, 1e-10);
	CHECK_NEAR(hi, 97.8456320845632, 1e-10);
	cs_wilson(INT64_MAX / 2, INT64_MAX, z, &lo, &hi);
	CHECK(lo < 50.0 && hi > 50.0 && hi - lo < 1e-6);
}

static double
log_multinomial(int n, int a, int b, double pa, double pb)
{
	int c = n - a - b;
	double pc = 1.0 - pa - pb;
	double l = lgamma(n + 1.0) - lgamma(a + 1.0) - lgamma(b + 1.0) - lgamma(c + 1.0);

	l += a ? a * log(pa) : 0;
	l += b ? b * log(pb) : 0;
	l += c ? c * log(pc) : 0;
	return l;
}

/* exact coverage probability of the 95% NPS interval under a trinomial model */
static double
nps_coverage(int n, double p, double d)
{
	double z = cs_z_for_confidence(0.95), cov = 0;

	for (int P = 0; P <= n; P++)
		for (int D = 0; D + P <= n; D++)
		{
			double lo, hi;

			cs_nps_interval(P, D, n, z, &lo, &hi);
			if (lo <= 100.0 * (p - d) && 100.0 * (p - d) <= hi)
				cov += exp(log_multinomial(n, P, D, p, d));
		}
	return cov;
}

UNIT_TEST(nps_interval_values_and_coverage)
{
	double z = cs_z_for_confidence(0.95), lo, hi;
	int sizes[] = {10, 20, 50, 100};

	cs_nps_interval(50, 20, 100, z, &lo, &hi);
	CHECK_NEAR(lo, 14.051130178761609, 1e-10);
	CHECK_NEAR(hi, 44.20129700570441, 1e-10);
	cs_nps_interval(5, 2, 10, z, &lo, &hi);
	CHECK_NEAR(lo, -19.05061537636366, 1e-10);
	CHECK_NEAR(hi, 65.20446153020981, 1e-10);
	cs_nps_interval(1, 0, 1, z, &lo, &hi);
	CHECK(lo >= -100 && hi <= 100 && lo < hi);
	cs_nps_interval(1000000, 0, 1000000, z, &lo, &hi);
	CHECK(hi == 100.0 && lo > 99.9);

	/*
	 * Exact coverage over a grid of true promoter/detractor shares: the adjusted Wald keeps the
	 * mean at 95% +- 1 point and no case below 93% even at n = 10, where the plain Wald
	 * interval falls to about 87%.
	 */
	for (int s = 0; s < 4; s++)
	{
		double sum = 0, min = 1;
		int cases = 0;

		for (double p = 0.05; p < 0.81; p += 0.15)
			for (double d = 0.05; d < 0.51 && p + d <= 0.951; d += 0.15)
			{
				double c = nps_coverage(sizes[s], p, d);

				sum += c;
				min = c < min ? c : min;
				cases++;
			}
		CHECK(fabs(sum / cases - 0.95) < 0.01);
		CHECK(min > 0.93);
	}
}

UNIT_TEST(wilson_coverage)
{
	double z = cs_z_for_confidence(0.95);

	for (int n = 10; n <= 200; n *= 2)
	{
		double sum = 0;
		int cases = 0;

		for (double p = 0.05; p < 0.96; p += 0.05)
		{
			double cov = 0;

			for (int x = 0; x <= n; x++)
			{
				double lo, hi;

				cs_wilson(x, n, z, &lo, &hi);
				if (lo <= 100 * p && 100 * p <= hi)
					cov += exp(lgamma(n + 1.0) - lgamma(x + 1.0) - lgamma(n - x + 1.0) +
							   x * log(p) + (n - x) * log(1 - p));
			}
			sum += cov;
			cases++;
		}
		CHECK(fabs(sum / cases - 0.95) < 0.015);
	}
}

/* ---------------------------------------------------------------- 128-bit */

#ifdef __SIZEOF_INT128__
static __int128
to_native(cs_i128 v)
{
	return (__int128) (((unsigned __int128) (uint64_t) v.hi << 64) | v.lo);
}
#endif

UNIT_TEST(i128_arithmetic)
{
	char buf[48];
	cs_i128 v = cs_i128_from_i64(0);

	cs_i128_to_string(v, buf);
	CHECK_STR(buf, "0");
	v = cs_i128_add_i64(v, -5);
	cs_i128_to_string(v, buf);
	CHECK_STR(buf, "-5");
	v = cs_i128_mul_i64(INT64_MAX, INT64_MAX);
	cs_i128_to_string(v, buf);
	CHECK_STR(buf, "85070591730234615847396907784232501249");
	v = cs_i128_mul_i64(INT64_MIN, INT64_MAX);
	cs_i128_to_string(v, buf);
	CHECK_STR(buf, "-85070591730234615856620279821087277056");
	CHECK(cs_i128_cmp(cs_i128_from_i64(-1), cs_i128_from_i64(1)) < 0);
	CHECK(cs_i128_to_double(cs_i128_mul_i64(INT64_C(1) << 40, INT64_C(1) << 40)) == ldexp(1, 80));
#ifdef __SIZEOF_INT128__
	for (int i = 0; i < 20000; i++)
	{
		int64_t a = (int64_t) rng() >> (rng() % 64), b = (int64_t) rng() >> (rng() % 64);
		__int128 sum = (__int128) a * 3 + b;
		cs_i128 s = cs_i128_add(cs_i128_mul_i64(a, 3), cs_i128_from_i64(b));
		cs_i128 p = cs_i128_mul_i64(a, b);

		CHECK(to_native(s) == sum);
		CHECK(to_native(p) == (__int128) a * b);
		CHECK(to_native(cs_i128_add_i64(p, a)) == (__int128) a * b + a);
		CHECK((cs_i128_cmp(p, s) < 0) == (to_native(p) < to_native(s)));
	}
#endif
}

/* ---------------------------------------------------------------- duration sketch */

UNIT_TEST(dd_constants)
{
	CHECK_NEAR(CS_DD_GAMMA, (1 + CS_DD_ALPHA) / (1 - CS_DD_ALPHA), 1e-15);
	CHECK_NEAR(CS_DD_LN_GAMMA, log(CS_DD_GAMMA), 1e-17);
	CHECK_NEAR(CS_DD_INV_LN_GAMMA, 1 / log(CS_DD_GAMMA), 1e-12);
	CHECK_EQ_I64(cs_dd_index(1), 0);
	CHECK(cs_dd_index(CS_DD_MAX_US) <= CS_DD_NBUCKETS - 1);
	CHECK(cs_dd_index(CS_DD_MAX_US) >= CS_DD_NBUCKETS - 2);
	CHECK(sizeof(cs_dd_head) == 64);
}

UNIT_TEST(dd_bucket_error)
{
	/* every duration is within alpha of its bucket's value; rounding keeps 1% from 5 ms */
	int prev = 0;

	for (int64_t us = 1; us < 200000; us++)
	{
		int k = cs_dd_index(us);
		double v = cs_dd_value(k);

		CHECK(fabs(v - (double) us) <= CS_DD_ALPHA * (double) us * (1 + 1e-12));
		CHECK(k >= prev);
		prev = k;
	}
	for (int i = 0; i < 200000; i++)
	{
		int64_t us = 1 + (int64_t) (rng() % (uint64_t) CS_DD_MAX_US);
		double v = (double) llround(cs_dd_value(cs_dd_index(us)));

		CHECK(fabs(v - (double) us) <= CS_DD_ALPHA * (double) us * (1 + 1e-12) + 0.5);
		if (us >= 5000)
			CHECK(fabs(v - (double) us) <= 0.01 * (double) us);
	}
}

UNIT_TEST(dd_quantiles_match_percentile_cont)
{
	enum
	{
		N = 20001
	};
	static int64_t values[N];
	static cs_dd_sketch sk;
	double qs[] = {0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1};

	for (int dist = 0; dist < 4; dist++)
	{
		int n = dist == 3 ? 7 : N;

		memset(&sk, 0, sizeof(sk));
		for (int i = 0; i < n; i++)
		{
			double u = rng_unit();

			switch (dist)
			{
				case 0: /* log-uniform 1 s .. 1 year */
					values[i] = (int64_t) (1e6 * exp(u * log(365.0 * 86400.0)));
					break;
				case 1: /* exponential, mean 2 hours */
					values[i] = 1000000 + (int64_t) (-7200e6 * log(1 - u));
					break;
				case 2: /* few distinct values, many ties */
					values[i] = (int64_t) (1 + rng() % 5) * 900 * INT64_C(1000000);
					break;
				default: /* tiny sample */
					values[i] = (int64_t) (1e6 + u * 1e9);
			}
			CHECK(cs_dd_add(&sk, values[i]));
		}
		qsort(values, n, sizeof(int64_t), cmp_i64);
		for (int j = 0; j < (int) (sizeof(qs) / sizeof(qs[0])); j++)
		{
			double want = exact_cont(values, n, qs[j]);
			int64_t got = sketch_quantile(&sk, qs[j]);

			if (!(fabs((double) got - want) <= 0.01 * want))
				unit_fail(__FILE__, __LINE__, "dist %d q %g: got %lld want %.1f", dist, qs[j],
						  (long long) got, want);
			unit_checks++;
		}
		CHECK_EQ_I64(sketch_quantile(&sk, 0), values[0]);
		CHECK_EQ_I64(sketch_quantile(&sk, 1), values[n - 1]);
	}
}

UNIT_TEST(dd_special_regions)
{
	static cs_dd_sketch sk;
	int64_t vals[] = {-5000000, -1, 0, 0, 0, 2000000, 3000000, CS_DD_MAX_US + 1, INT64_MAX};

	memset(&sk, 0, sizeof(sk));
	for (int i = 0; i < 9; i++)
		CHECK(cs_dd_add(&sk, vals[i]));
	CHECK_EQ_I64(sk.h.count, 9);
	CHECK_EQ_I64(sk.h.negative, 2);
	CHECK_EQ_I64(sk.h.zero, 3);
	CHECK_EQ_I64(sk.h.over, 2);
	CHECK_EQ_I64(sk.h.min_us, -5000000);
	CHECK_EQ_I64(sk.h.max_us, INT64_MAX);
	/* ranks: 0 -> min; 1 (negative) -> min; 2..4 -> 0; 5, 6 -> buckets; 7 -> over -> max */
	CHECK_EQ_I64(sketch_quantile(&sk, 0), -5000000);
	CHECK_EQ_I64(sketch_quantile(&sk, 1.0 / 8), -5000000);
	CHECK_EQ_I64(sketch_quantile(&sk, 2.0 / 8), 0);
	CHECK_EQ_I64(sketch_quantile(&sk, 4.0 / 8), 0);
	CHECK(llabs(sketch_quantile(&sk, 5.0 / 8) - 2000000) <= 20000);
	CHECK(llabs(sketch_quantile(&sk, 6.0 / 8) - 3000000) <= 30000);
	CHECK_EQ_I64(sketch_quantile(&sk, 7.0 / 8), INT64_MAX);
	CHECK_EQ_I64(sketch_quantile(&sk, 1), INT64_MAX);
	CHECK(llabs(sketch_quantile(&sk, 4.5 / 8) - 1000000) <= 10000); /* halfway 0 .. 2 s */

	/* constant input returns the constant exactly */
	memset(&sk, 0, sizeof(sk));
	for (int i = 0; i < 100; i++)
		cs_dd_add(&sk, 1234567);
	for (double q = 0; q <= 1; q += 0.125)
		CHECK_EQ_I64(sketch_quantile(&sk, q), 1234567);
	CHECK_NEAR(cs_dd_mean(&sk.h), 1234567, 1e-6);

	/* sum does not overflow 64 bits */
	memset(&sk, 0, sizeof(sk));
	for (int i = 0; i < 10; i++)
		cs_dd_add(&sk, INT64_MAX);
	CHECK_NEAR(cs_dd_mean(&sk.h) / (double) INT64_MAX, 1.0, 1e-15);
	sk.h.count = INT64_MAX;
	CHECK(!cs_dd_add(&sk, 5));
}

UNIT_TEST(dd_merge_equals_union)
{
	static cs_dd_sketch a, b, whole, c;
	static sparse_view v;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&whole, 0, sizeof(whole));
	for (int i = 0; i < 5000; i++)
	{
		int64_t us = (int64_t) (rng() % 100000000000ull) - 1000000;

		cs_dd_add(i % 7 ? &a : &b, us);
		cs_dd_add(&whole, us);
	}
	c = a;
	CHECK(cs_dd_merge_head(&c.h, &b.h));
	cs_dd_merge_dense(&c, b.bucket);
	CHECK(memcmp(&c, &whole, sizeof(c)) == 0);

	c = a;
	v.nnz = cs_dd_to_sparse(&b, v.counts, v.idx);
	CHECK(cs_dd_merge_head(&c.h, &b.h));
	cs_dd_merge_sparse(&c, v.counts, v.idx, v.nnz);
	CHECK(memcmp(&c, &whole, sizeof(c)) == 0);

	/* two sparse lists merged into one equal the sparse list of the dense merge */
	{
		static int64_t bc[CS_DD_NBUCKETS], ac[CS_DD_NBUCKETS], oc[CS_DD_NBUCKETS],
			wc[CS_DD_NBUCKETS];
		static uint16_t bi[CS_DD_NBUCKETS], ai[CS_DD_NBUCKETS], oi[CS_DD_NBUCKETS],
			wi[CS_DD_NBUCKETS];
		int an = cs_dd_to_sparse(&a, ac, ai), bn = cs_dd_to_sparse(&b, bc, bi);
		int wn = cs_dd_to_sparse(&whole, wc, wi);
		int on = cs_dd_merge_sparse_lists(ac, ai, an, bc, bi, bn, oc, oi);

		CHECK(an > 0 && bn > 0 && on == wn);
		CHECK(memcmp(oc, wc, sizeof(int64_t) * wn) == 0 &&
			  memcmp(oi, wi, sizeof(uint16_t) * wn) == 0);
		/* either way round, and with an empty list */
		CHECK(cs_dd_merge_sparse_lists(bc, bi, bn, ac, ai, an, oc, oi) == wn);
		CHECK(memcmp(oc, wc, sizeof(int64_t) * wn) == 0 &&
			  memcmp(oi, wi, sizeof(uint16_t) * wn) == 0);
		CHECK(cs_dd_merge_sparse_lists(ac, ai, an, bc, bi, 0, oc, oi) == an);
		CHECK(memcmp(oc, ac, sizeof(int64_t) * an) == 0 &&
			  memcmp(oi, ai, sizeof(uint16_t) * an) == 0);
		CHECK(cs_dd_merge_sparse_lists(ac, ai, 0, bc, bi, 0, oc, oi) == 0);
	}

	/* merging an empty sketch either way is the identity */
	memset(&c, 0, sizeof(c));
	CHECK(cs_dd_merge_head(&c.h, &a.h));
	cs_dd_merge_dense(&c, a.bucket);
	CHECK(memcmp(&c, &a, sizeof(c)) == 0);
	memset(&b, 0, sizeof(b));
	CHECK(cs_dd_merge_head(&c.h, &b.h));
	CHECK(memcmp(&c, &a, sizeof(c)) == 0);

	/* count overflow leaves the destination alone */
	b.h.count = INT64_MAX;
	b.h.zero = INT64_MAX;
	CHECK(!cs_dd_merge_head(&c.h, &b.h));
	CHECK(memcmp(&c, &a, sizeof(c)) == 0);
}

UNIT_TEST(dd_text_round_trip)
{
	static cs_dd_sketch sk;
	static sparse_view v, w;
	cs_dd_head h;
	char err[200];
	char *text, *again;

	memset(&sk, 0, sizeof(sk));
	v.nnz = cs_dd_to_sparse(&sk, v.counts, v.idx);
	text = cs_dd_format(&sk.h, v.counts, v.idx, v.nnz);
	CHECK_STR(text,
			  "{\"version\":1,\"count\":0,\"min_us\":0,\"max_us\":0,\"sum_us\":0,\"negative\":0,"
			  "\"zero\":0,\"over_range\":0,\"buckets\":[]}");
	CHECK(cs_dd_parse(text, &h, w.counts, w.idx, &w.nnz, err, sizeof(err)));
	cs_free(text);

	for (int i = 0; i < 3000; i++)
		cs_dd_add(&sk, (int64_t) (rng() >> 1) >> (rng() % 63));
	cs_dd_add(&sk, -7);
	cs_dd_add(&sk, 0);
	cs_dd_add(&sk, INT64_MAX);
	cs_dd_add(&sk, INT64_MAX);
	v.nnz = cs_dd_to_sparse(&sk, v.counts, v.idx);
	text = cs_dd_format(&sk.h, v.counts, v.idx, v.nnz);
	if (!cs_dd_parse(text, &h, w.counts, w.idx, &w.nnz, err, sizeof(err)))
		unit_fail(__FILE__, __LINE__, "%s", err);
	CHECK(memcmp(&h, &sk.h, sizeof(h)) == 0);
	CHECK(w.nnz == v.nnz);
	CHECK(memcmp(w.counts, v.counts, sizeof(int64_t) * v.nnz) == 0);
	CHECK(memcmp(w.idx, v.idx, sizeof(uint16_t) * v.nnz) == 0);
	again = cs_dd_format(&h, w.counts, w.idx, w.nnz);
	CHECK_STR(again, text);
	cs_free(text);
	cs_free(again);
}

static void
check_dd_rejects(const char *text, const char *reason)
{
	static sparse_view w;
	cs_dd_head h;
	char err[200] = "";

	CHECK(!cs_dd_parse(text, &h, w.counts, w.idx, &w.nnz, err, sizeof(err)));
	if (strstr(err, reason) == NULL)
		unit_fail(__FILE__, __LINE__, "for %s: got \"%s\", expected it to contain \"%s\"", text,
				  err, reason);
}

#define DD_TEXT(count, min, max, sum, neg, zero, over, buckets)                                    \
	"{\"version\":1,\"count\":" #count ",\"min_us\":" #min ",\"max_us\":" #max ",\"sum_us\":" #sum \
	",\"negative\":" #neg ",\"zero\":" #zero ",\"over_range\":" #over ",\"buckets\":" buckets "}"

UNIT_TEST(dd_text_rejects)
{
	static sparse_view w;
	cs_dd_head h;
	char err[200];

	/* a valid one: 1 s twice (bucket 698) */
	CHECK(cs_dd_parse(DD_TEXT(2, 1000000, 1000000, 2000000, 0, 0, 0, "[[698,2]]"), &h, w.counts,
					  w.idx, &w.nnz, err, sizeof(err)));
	check_dd_rejects(DD_TEXT(3, 1000000, 1000000, 2000000, 0, 0, 0, "[[698,2]]"),
					 "Count 3 differs");
	check_dd_rejects(DD_TEXT(2, 1000000, 1000000, 2000000, 0, 0, 0, "[[698,1],[698,1]]"),
					 "strictly ascending");
	check_dd_rejects(DD_TEXT(2, 1000000, 1000000, 2000000, 0, 0, 0, "[[698,2],[700,0]]"),
					 "positive count");
	check_dd_rejects(DD_TEXT(2, 1000000, 1000000, 2000000, 0, 0, 0, "[[1804,2]]"),
					 "Bucket 1804 is out of range");
	check_dd_rejects(DD_TEXT(2, 1000000, 1000000, 2000000, 0, 0, 0, "[[698,2]"), "Expected \"]\"");
	check_dd_rejects(DD_TEXT(2, 1000000, 1000000, 2000001, 0, 0, 0, "[[698,2]]"),
					 "sum_us lies outside");
	check_dd_rejects(DD_TEXT(2, 1000000, 5000000, 2000000, 0, 0, 0, "[[698,2]]"),
					 "max_us 5000000 does not match");
	check_dd_rejects(DD_TEXT(2, -1, 1000000, 999999, 0, 0, 0, "[[698,2]]"),
					 "min_us -1 does not match");
	check_dd_rejects(DD_TEXT(2, 0, 1000000, 1000000, 1, 0, 0, "[[698,1]]"),
					 "min_us 0 does not match");
	check_dd_rejects(DD_TEXT(1, 5, 5, 5, 0, 0, 1, "[]"), "min_us 5 does not match");
	check_dd_rejects(DD_TEXT(0, 1, 1, 0, 0, 0, 0, "[]"), "empty sketch");
	check_dd_rejects(DD_TEXT(2, 2, 1, 3, 0, 0, 0, "[[35,1],[0,1]]"), "ascending");
	check_dd_rejects(DD_TEXT(-1, 0, 0, 0, 0, 0, 0, "[]"), "must not be negative");
	check_dd_rejects(DD_TEXT(9223372036854775807, 0, 0, 0, 9223372036854775807, 1, 0, "[]"),
					 "more than a 64-bit integer");
	check_dd_rejects("{\"version\":1,\"count\":0}", "Key \"min_us\" is missing");
	check_dd_rejects(DD_TEXT(0, 0, 0, 0, 0, 0, 0, "[[1,1"), "Expected \"]\" at character 109");
	check_dd_rejects(DD_TEXT(0, 0, 0, 0, 0, 0, 0, "[[1 1]]"), "Expected \",\"");
	check_dd_rejects(DD_TEXT(0, 0, 0, 0, 0, 0, 0, "[[1,1] [2,1]]"), "Expected \"]\"");
}

UNIT_TEST(dd_text_too_many_buckets)
{
	/* CS_DD_NBUCKETS + 1 pairs: refused before writing past the caller's arrays */
	static sparse_view w;
	cs_dd_head h;
	char err[200];
	size_t cap = 200000, len;
	char *text = cs_alloc(cap);

	len =
		(size_t) snprintf(text, cap,
						  "{\"version\":1,\"count\":0,\"min_us\":0,\"max_us\":0,"
						  "\"sum_us\":0,\"negative\":0,\"zero\":0,\"over_range\":0,\"buckets\":[");
	for (int i = 0; i <= CS_DD_NBUCKETS; i++)
		len += (size_t) snprintf(text + len, cap - len, "%s[%d,1]", i ? "," : "", i);
	snprintf(text + len, cap - len, "]}");
	CHECK(!cs_dd_parse(text, &h, w.counts, w.idx, &w.nnz, err, sizeof(err)));
	CHECK(strstr(err, "at most 1804 buckets") != NULL);
	cs_free(text);
}
