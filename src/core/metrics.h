/*
 * metrics.h: service-quality arithmetic, pure C (no PostgreSQL headers).
 *
 * Three mergeable summaries and what is computed from them:
 *
 *   cs_score_counts  a count per answer 0..10: NPS, CSAT (1-5), CES (1-7) and their intervals
 *   cs_sla_counts    met / total: SLA %, Wilson interval
 *   cs_dd_sketch     a log-bucket duration sketch (DDSketch mapping, fixed bucket count):
 *                    quantiles with relative error <= CS_DD_ALPHA, exact count/min/max/sum
 *
 * Every count is int64_t and every function that adds reports overflow instead of wrapping.
 * Text forms are small JSON objects (see doc/metrics.md); the parsers are strict and report a
 * one-line reason in a caller-supplied buffer.
 */
#ifndef CS_METRICS_H
#define CS_METRICS_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CS_METRICS_VERSION 1 /* version of every text, binary and stored form below */

/* ---------------------------------------------------------------- scores */

#define CS_SCORE_SLOTS 11 /* answers 0..10 */

typedef struct cs_score_counts
{
	int64_t n; /* responses; always the sum of c[] */
	int64_t c[CS_SCORE_SLOTS];
} cs_score_counts;

typedef enum cs_scale
{
	CS_SCALE_NPS,  /* 0..10 */
	CS_SCALE_CSAT, /* 1..5 */
	CS_SCALE_CES   /* 1..7 */
} cs_scale;

/* inline: the transition functions check every answer against these */
static inline int
cs_scale_min(cs_scale scale)
{
	return scale == CS_SCALE_NPS ? 0 : 1;
}

static inline int
cs_scale_max(cs_scale scale)
{
	return scale == CS_SCALE_CSAT ? 5 : scale == CS_SCALE_CES ? 7 : 10;
}

extern const char *cs_scale_name(cs_scale scale);

/*
 * Add one answer (caller has checked 0 <= score <= 10).  False, and no change, if the count
 * would overflow.
 */
static inline bool
cs_score_add(cs_score_counts *s, int score)
{
	if (s->n == INT64_MAX)
		return false;
	s->n++;
	s->c[score]++;
	return true;
}

extern bool cs_score_merge(cs_score_counts *dst, const cs_score_counts *src);
extern bool cs_score_check(const cs_score_counts *s, char *err, size_t errlen);
extern int64_t cs_score_promoters(const cs_score_counts *s);  /* 9-10 */
extern int64_t cs_score_passives(const cs_score_counts *s);	  /* 7-8 */
extern int64_t cs_score_detractors(const cs_score_counts *s); /* 0-6 */

/* answers outside the scale (0 when the summary fits the scale) */
extern int64_t cs_score_outside(const cs_score_counts *s, cs_scale scale);

/* the metrics; callers ensure n > 0 and, for CSAT/CES, cs_score_outside() == 0 */
extern double cs_score_nps(const cs_score_counts *s);  /* -100..100 */
extern double cs_score_csat(const cs_score_counts *s); /* 0..100: share of 4 and 5 */
extern double cs_score_ces(const cs_score_counts *s);  /* mean answer */

extern char *cs_score_format(const cs_score_counts *s); /* cs_alloc'd */
extern bool cs_score_parse(const char *text, cs_score_counts *out, char *err, size_t errlen);

/* ---------------------------------------------------------------- SLA */

typedef struct cs_sla_counts
{
	int64_t met;   /* requests handled within SLA */
	int64_t total; /* all non-null requests; met <= total */
} cs_sla_counts;

static inline bool
cs_sla_add(cs_sla_counts *s, bool met)
{
	if (s->total == INT64_MAX)
		return false;
	s->total++;
	s->met += met ? 1 : 0;
	return true;
}

extern bool cs_sla_merge(cs_sla_counts *dst, const cs_sla_counts *src);
extern bool cs_sla_check(const cs_sla_counts *s, char *err, size_t errlen);
extern double cs_sla_pct(const cs_sla_counts *s); /* total > 0 */
extern char *cs_sla_format(const cs_sla_counts *s);
extern bool cs_sla_parse(const char *text, cs_sla_counts *out, char *err, size_t errlen);

/* ---------------------------------------------------------------- intervals */

/* inverse of the standard normal CDF; 0 < p < 1 (else NaN) */
extern double cs_norm_quantile(double p);

/* two-sided z for a confidence level 0 < confidence < 1 (else NaN) */
extern double cs_z_for_confidence(double confidence);

/*
 * Wilson score interval for x successes in n trials (0 <= x <= n, n > 0), in percent 0..100.
 * lo is exactly 0 when x = 0 and hi exactly 100 when x = n.
 */
extern void cs_wilson(int64_t x, int64_t n, double z, double *lo, double *hi);

/*
 * NPS interval, in NPS points (-100..100), adjusted Wald (Rocks 2016): pseudo-counts of 0.75
 * promoter, 1.5 passive and 0.75 detractor (n + 3), trinomial variance of the adjusted shares
 * (p + d - (p - d)^2) / (n + 3), centred on the adjusted NPS, clamped to [-100, 100].
 */
extern void cs_nps_interval(int64_t promoters, int64_t detractors, int64_t n, double z, double *lo,
							double *hi);

/* ---------------------------------------------------------------- duration sketch */

/*
 * Durations are whole microseconds.  A positive duration x (1 us .. CS_DD_MAX_US) falls in
 * bucket k = ceil(log(x) / log(gamma)), gamma = (1 + alpha) / (1 - alpha), which covers
 * (gamma^(k-1), gamma^k]; the bucket's value (1 - alpha) * gamma^k is within alpha of every
 * duration in it.  alpha = 0.99% keeps the answer within 1% after rounding to whole
 * microseconds for every duration from 5 ms up.  Bucket 0 holds exactly 1 us; bucket
 * CS_DD_NBUCKETS - 1 reaches past 100 years.  Negative, zero and over-range durations are
 * counted exactly, outside the buckets.
 */
#define CS_DD_ALPHA		   0.0099
#define CS_DD_GAMMA		   1.01999798000202		/* (1 + alpha) / (1 - alpha) */
#define CS_DD_LN_GAMMA	   0.019800646904042287 /* log(gamma) */
#define CS_DD_INV_LN_GAMMA 50.50340046192384	/* 1 / log(gamma) */
#define CS_DD_NBUCKETS	   1804
#define CS_DD_MAX_US	   INT64_C(3155760000000000) /* 100 years of 365.25 days */

/* 128-bit two's-complement integer for the exact sum of microseconds */
typedef struct cs_i128
{
	int64_t hi;
	uint64_t lo;
} cs_i128;

extern cs_i128 cs_i128_from_i64(int64_t v);
extern cs_i128 cs_i128_add(cs_i128 a, cs_i128 b);
extern int cs_i128_cmp(cs_i128 a, cs_i128 b);
extern cs_i128 cs_i128_mul_i64(int64_t a, int64_t b); /* exact: |a|, |b| < 2^63 */
extern double cs_i128_to_double(cs_i128 v);
extern void cs_i128_to_string(cs_i128 v, char *buf); /* buf of at least 41 bytes */

static inline cs_i128
cs_i128_add_i64(cs_i128 a, int64_t v)
{
	uint64_t lo = a.lo + (uint64_t) v;

	a.hi = (int64_t) ((uint64_t) a.hi + (v < 0 ? UINT64_MAX : 0) + (lo < a.lo ? 1 : 0));
	a.lo = lo;
	return a;
}

typedef struct cs_dd_head
{
	int64_t count;	  /* all durations */
	int64_t negative; /* < 0 */
	int64_t zero;	  /* = 0 */
	int64_t over;	  /* > CS_DD_MAX_US */
	int64_t min_us;	  /* exact; 0 when count = 0 */
	int64_t max_us;	  /* exact; 0 when count = 0 */
	cs_i128 sum_us;	  /* exact */
} cs_dd_head;

typedef struct cs_dd_sketch
{
	cs_dd_head h;
	int64_t bucket[CS_DD_NBUCKETS];
} cs_dd_sketch;

/* bucket of a duration 1 <= us <= CS_DD_MAX_US */
static inline int
cs_dd_index(int64_t us)
{
	int k = (int) ceil(log((double) us) * CS_DD_INV_LN_GAMMA);

	if (k < 0)
		k = 0;
	if (k >= CS_DD_NBUCKETS)
		k = CS_DD_NBUCKETS - 1;
	return k;
}

extern double cs_dd_value(int k); /* the bucket's representative, in microseconds */

/* a fresh sketch is all zero bytes */
extern bool cs_dd_add(cs_dd_sketch *sk, int64_t us);

/* merge heads (false on count overflow; dst unchanged then) */
extern bool cs_dd_merge_head(cs_dd_head *dst, const cs_dd_head *src);

/* add bucket counts; call after cs_dd_merge_head succeeded, so no bucket can overflow */
extern void cs_dd_merge_dense(cs_dd_sketch *dst, const int64_t *bucket);
extern void cs_dd_merge_sparse(cs_dd_sketch *dst, const int64_t *counts, const uint16_t *idx,
							   int nnz);

/*
 * the union of two sparse bucket lists (each ascending, no zero count) into out_counts / out_idx
 * (room for CS_DD_NBUCKETS): ascending, counts of a bucket in both added; returns its nnz.  Call
 * after cs_dd_merge_head succeeded, so no bucket can overflow.
 */
extern int cs_dd_merge_sparse_lists(const int64_t *a_counts, const uint16_t *a_idx, int a_nnz,
									const int64_t *b_counts, const uint16_t *b_idx, int b_nnz,
									int64_t *out_counts, uint16_t *out_idx);

/* the non-empty buckets of a dense sketch, ascending: returns nnz */
extern int cs_dd_to_sparse(const cs_dd_sketch *sk, int64_t *counts, uint16_t *idx);

/*
 * Check a sketch given in sparse form (as read from text or binary): indexes strictly
 * ascending in range, counts positive, count = negative + zero + over + sum of buckets,
 * min/max/sum consistent with the regions that hold durations.
 */
extern bool cs_dd_check(const cs_dd_head *h, const int64_t *counts, const uint16_t *idx, int nnz,
						char *err, size_t errlen);

/*
 * Quantile 0 <= q <= 1 interpolated like percentile_cont, from the sparse form; count > 0.
 * Ranks are located exactly; a rank among the negative durations answers the observed
 * minimum, among zeros 0, in a bucket its value, among over-range durations the observed
 * maximum; answers are clamped to [min, max], so rank 0 is min and rank count-1 is max.
 */
extern int64_t cs_dd_quantile(const cs_dd_head *h, const int64_t *counts, const uint16_t *idx,
							  int nnz, double q);

extern double cs_dd_mean(const cs_dd_head *h); /* microseconds; count > 0 */

extern char *cs_dd_format(const cs_dd_head *h, const int64_t *counts, const uint16_t *idx, int nnz);

/* counts/idx have room for CS_DD_NBUCKETS entries; the result is checked (cs_dd_check) */
extern bool cs_dd_parse(const char *text, cs_dd_head *h, int64_t *counts, uint16_t *idx, int *nnz,
						char *err, size_t errlen);

#endif
