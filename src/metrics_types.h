/*
 * metrics_types.h: stored layouts of score_summary, sla_summary and duration_summary.
 *
 * Include after postgres.h.  All three are varlena values starting with a version byte
 * (CS_METRICS_VERSION) so later releases can read older layouts.  The layouts below are the
 * in-memory and on-disk forms; the text and binary (send/recv) forms are described in
 * doc/metrics.md and never depend on byte order.
 */
#ifndef CS_METRICS_TYPES_H
#define CS_METRICS_TYPES_H

#include "fmgr.h"

#include "metrics.h"

/* score_summary: 104 bytes */
typedef struct ScoreSummary
{
	int32 vl_len_;
	uint8 version;
	uint8 flags;	 /* 0 */
	uint16 reserved; /* 0 */
	cs_score_counts s;
} ScoreSummary;

/* sla_summary: 24 bytes */
typedef struct SlaSummary
{
	int32 vl_len_;
	uint8 version;
	uint8 flags;	 /* 0 */
	uint16 reserved; /* 0 */
	cs_sla_counts s;
} SlaSummary;

/*
 * duration_summary: a header, then the buckets in one of two layouts.
 *
 *   DS_DENSE set:   data[] is cs_dd_sketch.bucket (CS_DD_NBUCKETS counts), so &h is a
 *                   cs_dd_sketch.  Aggregate transition states use it: adding a duration is
 *                   one increment, with no search and no allocation.
 *   DS_DENSE clear: data[] holds nnz counts, then nnz uint16 bucket numbers, ascending.  Final
 *                   functions and the input functions produce it, so stored summaries take
 *                   about 100 bytes plus 10 per non-empty bucket.
 *
 * Every function accepts both.
 */
#define DS_DENSE 0x01

typedef struct DurationSummary
{
	int32 vl_len_;
	uint8 version;
	uint8 flags;
	uint16 reserved; /* 0 */
	int32 nnz;		 /* sparse: number of buckets listed; dense: 0 */
	int32 reserved2; /* 0 */
	cs_dd_head h;
	int64 data[FLEXIBLE_ARRAY_MEMBER];
} DurationSummary;

#define DS_SPARSE_SIZE(nnz) \
	(offsetof(DurationSummary, data) + (Size) (nnz) * (sizeof(int64) + sizeof(uint16)))
#define DS_DENSE_SIZE	  (offsetof(DurationSummary, h) + sizeof(cs_dd_sketch))
#define DS_SPARSE_IDX(ds) ((uint16 *) ((ds)->data + (ds)->nnz))

/* detoasted, version-checked access */
extern ScoreSummary *cs_score_summary_get(Datum d);
extern SlaSummary *cs_sla_summary_get(Datum d);
extern DurationSummary *cs_duration_summary_get(Datum d);

#define DatumGetScoreSummaryP(d)		cs_score_summary_get(d)
#define DatumGetSlaSummaryP(d)			cs_sla_summary_get(d)
#define DatumGetDurationSummaryP(d)		cs_duration_summary_get(d)
#define PG_GETARG_SCORE_SUMMARY_P(n)	DatumGetScoreSummaryP(PG_GETARG_DATUM(n))
#define PG_GETARG_SLA_SUMMARY_P(n)		DatumGetSlaSummaryP(PG_GETARG_DATUM(n))
#define PG_GETARG_DURATION_SUMMARY_P(n) DatumGetDurationSummaryP(PG_GETARG_DATUM(n))

#endif
