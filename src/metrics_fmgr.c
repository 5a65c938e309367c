/*
 * metrics_fmgr.c: PostgreSQL glue for the service-quality aggregates.
 *
 * Types score_summary, sla_summary and duration_summary (text and binary I/O), their
 * transition, combine and final functions, accessors and confidence intervals.  The
 * arithmetic is in src/core/metrics.c.
 *
 * Transition states are the summary types themselves (not internal), so Citus can push
 * partial aggregation down to shards and ship states as text, and parallel workers hand
 * states to the leader as ordinary values.  The rules every transition and combine function
 * here follows:
 *
 *  - AggCheckCallContext() must succeed: the state is changed in place, which is only safe
 *    when the executor owns it.
 *  - A NULL state gets a fresh summary, allocated in the current (per-call) memory context:
 *    the executor sees a pointer different from the old state and copies it into the
 *    aggregate context once (ExecAggTransReparent), so allocating it there ourselves would
 *    only leave a dead copy per group.  Every later call changes that copy in place and
 *    returns the same pointer, which the executor keeps without copying.
 *  - The second argument of a combine function (a partial state or a stored summary) is
 *    detoasted and read, never modified; with a NULL first argument it is copied.
 *  - Counts are int64; an addition that would overflow raises 22003.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "metrics.h"
#include "metrics_types.h"

StaticAssertDecl(sizeof(ScoreSummary) == 104, "score_summary layout");
StaticAssertDecl(sizeof(SlaSummary) == 24, "sla_summary layout");
StaticAssertDecl(offsetof(DurationSummary, data) - offsetof(DurationSummary, h) ==
					 offsetof(cs_dd_sketch, bucket),
				 "duration_summary dense layout");

#define ERRHINT_SCORE_TEXT                                                                            \
	"A score_summary looks like {\"version\":1,\"responses\":3,\"counts\":[0,0,0,0,0,0,1,0,0,1,1]}: " \
	"the number of answers and a count for each score 0 to 10."
#define ERRHINT_SLA_TEXT "An sla_summary looks like {\"version\":1,\"met\":95,\"total\":100}."
#define ERRHINT_DURATION_TEXT \
	"Produce duration_summary text with duration_agg(...)::text; doc/metrics.md describes every field."

/* ================================================================ shared helpers */

static pg_attribute_noreturn() void not_in_aggregate(const char *fn)
{
	ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					errmsg("%s can only be called as an aggregate support function", fn),
					errdetail("It changes its first argument in place.")));
}

static pg_attribute_noreturn() void count_overflow(const char *type)
{
	ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("%s count overflow", type),
					errdetail("A summary counts at most 9223372036854775807 values.")));
}

static pg_attribute_noreturn() void corrupted(const char *type)
{
	ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
					errmsg("%s value is corrupted or has an unsupported format", type),
					errdetail("This build reads format version %d.", CS_METRICS_VERSION)));
}

static void
check_binary_length(StringInfo buf, int expected, const char *type)
{
	int left = buf->len - buf->cursor;

	if (left != expected)
		ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						errmsg("invalid binary data for type %s", type),
						errdetail("Expected %d more bytes, found %d.", expected, left)));
}

static void
read_binary_version(StringInfo buf, const char *type)
{
	int v;

	if (buf->len - buf->cursor < 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						errmsg("invalid binary data for type %s", type),
						errdetail("The value is empty.")));
	v = pq_getmsgbyte(buf);
	if (v != CS_METRICS_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary data for type %s", type),
				 errdetail("Format version %d is not supported; this build reads version %d.", v,
						   CS_METRICS_VERSION)));
}

static void
check_confidence(double confidence)
{
	if (!(confidence > 0.0 && confidence < 1.0))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("confidence %g is out of range", confidence),
						errdetail("Confidence must lie strictly between 0 and 1."),
						errhint("Use 0.95 for a 95%% interval.")));
}

/* a (lower, upper) row for the *_interval functions; both NULL when there is no data */
static Datum
interval_row(FunctionCallInfo fcinfo, bool empty, double lo, double hi)
{
	TupleDesc tupdesc;
	Datum values[2];
	bool nulls[2];

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Float8GetDatum(lo);
	values[1] = Float8GetDatum(hi);
	nulls[0] = nulls[1] = empty;
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/* ================================================================ score_summary */

ScoreSummary *
cs_score_summary_get(Datum d)
{
	ScoreSummary *s = (ScoreSummary *) PG_DETOAST_DATUM(d);

	if (VARSIZE(s) != sizeof(ScoreSummary) || s->version != CS_METRICS_VERSION)
		corrupted("score_summary");
	return s;
}

static ScoreSummary *
score_new(void)
{
	ScoreSummary *s = palloc0(sizeof(ScoreSummary));

	SET_VARSIZE(s, sizeof(ScoreSummary));
	s->version = CS_METRICS_VERSION;
	return s;
}

PG_FUNCTION_INFO_V1(metrics_score_summary_in);
Datum
metrics_score_summary_in(PG_FUNCTION_ARGS)
{
	char *str = PG_GETARG_CSTRING(0);
	ScoreSummary *s = score_new();
	char err[256];

	if (!cs_score_parse(str, &s->s, err, sizeof(err)))
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						errmsg("invalid input syntax for type %s: \"%s\"", "score_summary", str),
						errdetail("%s", err), errhint(ERRHINT_SCORE_TEXT)));
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(metrics_score_summary_out);
Datum
metrics_score_summary_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(cs_score_format(&PG_GETARG_SCORE_SUMMARY_P(0)->s));
}

/* binary: version byte, responses, then the 11 counts, all int8 */
PG_FUNCTION_INFO_V1(metrics_score_summary_send);
Datum
metrics_score_summary_send(PG_FUNCTION_ARGS)
{
	ScoreSummary *s = PG_GETARG_SCORE_SUMMARY_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, CS_METRICS_VERSION);
	pq_sendint64(&buf, s->s.n);
	for (int i = 0; i < CS_SCORE_SLOTS; i++)
		pq_sendint64(&buf, s->s.c[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(metrics_score_summary_recv);
Datum
metrics_score_summary_recv(PG_FUNCTION_ARGS)
{
	StringInfo buf = (StringInfo) PG_GETARG_POINTER(0);
	ScoreSummary *s = score_new();
	char err[256];

	read_binary_version(buf, "score_summary");
	check_binary_length(buf, 8 * (1 + CS_SCORE_SLOTS), "score_summary");
	s->s.n = pq_getmsgint64(buf);
	for (int i = 0; i < CS_SCORE_SLOTS; i++)
		s->s.c[i] = pq_getmsgint64(buf);
	if (!cs_score_check(&s->s, err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary data for type %s", "score_summary"), errdetail("%s", err)));
	PG_RETURN_POINTER(s);
}

static pg_noinline
pg_attribute_noreturn() void score_out_of_range(int32 v, cs_scale scale)
{
	ereport(
		ERROR,
		(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
		 errmsg("%s score %d is out of range", cs_scale_name(scale), v),
		 errdetail("%s answers are integers from %d to %d.", cs_scale_name(scale),
				   cs_scale_min(scale), cs_scale_max(scale)),
		 errhint(
			 "Leave out or fix the other answers, e.g. with FILTER (WHERE score BETWEEN %d AND %d).",
			 cs_scale_min(scale), cs_scale_max(scale))));
}

/* the transition of nps(int), score_agg(int), csat(int) and ces(int): one answer */
static pg_attribute_always_inline Datum
score_trans(FunctionCallInfo fcinfo, cs_scale scale, const char *fn)
{
	ScoreSummary *state;
	int32 v;

	if (!AggCheckCallContext(fcinfo, NULL))
		not_in_aggregate(fn);
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	v = PG_GETARG_INT32(1);
	if (unlikely(v < cs_scale_min(scale) || v > cs_scale_max(scale)))
		score_out_of_range(v, scale);
	state = PG_ARGISNULL(0) ? score_new() : (ScoreSummary *) PG_GETARG_POINTER(0);
	if (unlikely(!cs_score_add(&state->s, v)))
		count_overflow("score_summary");
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(metrics_score_agg_trans);
Datum
metrics_score_agg_trans(PG_FUNCTION_ARGS)
{
	return score_trans(fcinfo, CS_SCALE_NPS, "score_agg_trans");
}

PG_FUNCTION_INFO_V1(metrics_csat_trans);
Datum
metrics_csat_trans(PG_FUNCTION_ARGS)
{
	return score_trans(fcinfo, CS_SCALE_CSAT, "csat_trans");
}

PG_FUNCTION_INFO_V1(metrics_ces_trans);
Datum
metrics_ces_trans(PG_FUNCTION_ARGS)
{
	return score_trans(fcinfo, CS_SCALE_CES, "ces_trans");
}

/* combine function of every score aggregate, and the transition of rollup(score_summary) */
PG_FUNCTION_INFO_V1(metrics_score_summary_combine);
Datum
metrics_score_summary_combine(PG_FUNCTION_ARGS)
{
	ScoreSummary *state, *src;

	if (!AggCheckCallContext(fcinfo, NULL))
		not_in_aggregate("score_summary_combine");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	src = PG_GETARG_SCORE_SUMMARY_P(1);
	if (PG_ARGISNULL(0))
	{
		state = score_new();
		state->s = src->s;
		PG_RETURN_POINTER(state);
	}
	state = (ScoreSummary *) PG_GETARG_POINTER(0);
	if (!cs_score_merge(&state->s, &src->s))
		count_overflow("score_summary");
	PG_RETURN_POINTER(state);
}

/* final function of score_agg and rollup: no input gives an empty summary, like count() */
PG_FUNCTION_INFO_V1(metrics_score_summary_final);
Datum
metrics_score_summary_final(PG_FUNCTION_ARGS)
{
	ScoreSummary *s = score_new();

	if (!PG_ARGISNULL(0))
		s->s = ((ScoreSummary *) PG_GETARG_POINTER(0))->s;
	PG_RETURN_POINTER(s);
}

static void
require_scale(const ScoreSummary *s, cs_scale scale)
{
	int64 outside = cs_score_outside(&s->s, scale);

	if (outside != 0)
		ereport(
			ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("score_summary holds answers outside the %s scale", cs_scale_name(scale)),
			 errdetail("%lld of its %lld answers are not between %d and %d.", (long long) outside,
					   (long long) s->s.n, cs_scale_min(scale), cs_scale_max(scale)),
			 errhint(
				 "Summarise %s answers only, e.g. score_agg(answer) FILTER (WHERE answer BETWEEN %d AND %d).",
				 cs_scale_name(scale), cs_scale_min(scale), cs_scale_max(scale))));
}

PG_FUNCTION_INFO_V1(metrics_score_nps);
Datum
metrics_score_nps(PG_FUNCTION_ARGS)
{
	ScoreSummary *s = PG_GETARG_SCORE_SUMMARY_P(0);

	if (s->s.n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(cs_score_nps(&s->s));
}

PG_FUNCTION_INFO_V1(metrics_score_csat);
Datum
metrics_score_csat(PG_FUNCTION_ARGS)
{
	ScoreSummary *s = PG_GETARG_SCORE_SUMMARY_P(0);

	if (s->s.n == 0)
		PG_RETURN_NULL();
	require_scale(s, CS_SCALE_CSAT);
	PG_RETURN_FLOAT8(cs_score_csat(&s->s));
}

PG_FUNCTION_INFO_V1(metrics_score_ces);
Datum
metrics_score_ces(PG_FUNCTION_ARGS)
{
	ScoreSummary *s = PG_GETARG_SCORE_SUMMARY_P(0);

	if (s->s.n == 0)
		PG_RETURN_NULL();
	require_scale(s, CS_SCALE_CES);
	PG_RETURN_FLOAT8(cs_score_ces(&s->s));
}

PG_FUNCTION_INFO_V1(metrics_score_responses);
Datum
metrics_score_responses(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_SCORE_SUMMARY_P(0)->s.n);
}

PG_FUNCTION_INFO_V1(metrics_score_promoters);
Datum
metrics_score_promoters(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(cs_score_promoters(&PG_GETARG_SCORE_SUMMARY_P(0)->s));
}

PG_FUNCTION_INFO_V1(metrics_score_passives);
Datum
metrics_score_passives(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(cs_score_passives(&PG_GETARG_SCORE_SUMMARY_P(0)->s));
}

PG_FUNCTION_INFO_V1(metrics_score_detractors);
Datum
metrics_score_detractors(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(cs_score_detractors(&PG_GETARG_SCORE_SUMMARY_P(0)->s));
}

PG_FUNCTION_INFO_V1(metrics_score_count);
Datum
metrics_score_count(PG_FUNCTION_ARGS)
{
	ScoreSummary *s = PG_GETARG_SCORE_SUMMARY_P(0);
	int32 score = PG_GETARG_INT32(1);

	if (score < 0 || score > 10)
		ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						errmsg("score %d is out of range", score),
						errdetail("A score_summary counts the scores 0 to 10.")));
	PG_RETURN_INT64(s->s.c[score]);
}

PG_FUNCTION_INFO_V1(metrics_nps_interval);
Datum
metrics_nps_interval(PG_FUNCTION_ARGS)
{
	ScoreSummary *s = PG_GETARG_SCORE_SUMMARY_P(0);
	double confidence = PG_GETARG_FLOAT8(1);
	double lo = 0, hi = 0;

	check_confidence(confidence);
	if (s->s.n > 0)
		cs_nps_interval(cs_score_promoters(&s->s), cs_score_detractors(&s->s), s->s.n,
						cs_z_for_confidence(confidence), &lo, &hi);
	return interval_row(fcinfo, s->s.n == 0, lo, hi);
}

PG_FUNCTION_INFO_V1(metrics_csat_interval);
Datum
metrics_csat_interval(PG_FUNCTION_ARGS)
{
	ScoreSummary *s = PG_GETARG_SCORE_SUMMARY_P(0);
	double confidence = PG_GETARG_FLOAT8(1);
	double lo = 0, hi = 0;

	check_confidence(confidence);
	if (s->s.n > 0)
	{
		require_scale(s, CS_SCALE_CSAT);
		cs_wilson(s->s.c[4] + s->s.c[5], s->s.n, cs_z_for_confidence(confidence), &lo, &hi);
	}
	return interval_row(fcinfo, s->s.n == 0, lo, hi);
}

/* ================================================================ sla_summary */

SlaSummary *
cs_sla_summary_get(Datum d)
{
	SlaSummary *s = (SlaSummary *) PG_DETOAST_DATUM(d);

	if (VARSIZE(s) != sizeof(SlaSummary) || s->version != CS_METRICS_VERSION)
		corrupted("sla_summary");
	return s;
}

static SlaSummary *
sla_new(void)
{
	SlaSummary *s = palloc0(sizeof(SlaSummary));

	SET_VARSIZE(s, sizeof(SlaSummary));
	s->version = CS_METRICS_VERSION;
	return s;
}

PG_FUNCTION_INFO_V1(metrics_sla_summary_in);
Datum
metrics_sla_summary_in(PG_FUNCTION_ARGS)
{
	char *str = PG_GETARG_CSTRING(0);
	SlaSummary *s = sla_new();
	char err[256];

	if (!cs_sla_parse(str, &s->s, err, sizeof(err)))
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						errmsg("invalid input syntax for type %s: \"%s\"", "sla_summary", str),
						errdetail("%s", err), errhint(ERRHINT_SLA_TEXT)));
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(metrics_sla_summary_out);
Datum
metrics_sla_summary_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(cs_sla_format(&PG_GETARG_SLA_SUMMARY_P(0)->s));
}

/* binary: version byte, met, total (int8) */
PG_FUNCTION_INFO_V1(metrics_sla_summary_send);
Datum
metrics_sla_summary_send(PG_FUNCTION_ARGS)
{
	SlaSummary *s = PG_GETARG_SLA_SUMMARY_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, CS_METRICS_VERSION);
	pq_sendint64(&buf, s->s.met);
	pq_sendint64(&buf, s->s.total);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(metrics_sla_summary_recv);
Datum
metrics_sla_summary_recv(PG_FUNCTION_ARGS)
{
	StringInfo buf = (StringInfo) PG_GETARG_POINTER(0);
	SlaSummary *s = sla_new();
	char err[256];

	read_binary_version(buf, "sla_summary");
	check_binary_length(buf, 16, "sla_summary");
	s->s.met = pq_getmsgint64(buf);
	s->s.total = pq_getmsgint64(buf);
	if (!cs_sla_check(&s->s, err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary data for type %s", "sla_summary"), errdetail("%s", err)));
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(metrics_sla_agg_trans);
Datum
metrics_sla_agg_trans(PG_FUNCTION_ARGS)
{
	SlaSummary *state;

	if (!AggCheckCallContext(fcinfo, NULL))
		not_in_aggregate("sla_agg_trans");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	state = PG_ARGISNULL(0) ? sla_new() : (SlaSummary *) PG_GETARG_POINTER(0);
	if (unlikely(!cs_sla_add(&state->s, PG_GETARG_BOOL(1))))
		count_overflow("sla_summary");
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(metrics_sla_summary_combine);
Datum
metrics_sla_summary_combine(PG_FUNCTION_ARGS)
{
	SlaSummary *state, *src;

	if (!AggCheckCallContext(fcinfo, NULL))
		not_in_aggregate("sla_summary_combine");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	src = PG_GETARG_SLA_SUMMARY_P(1);
	if (PG_ARGISNULL(0))
	{
		state = sla_new();
		state->s = src->s;
		PG_RETURN_POINTER(state);
	}
	state = (SlaSummary *) PG_GETARG_POINTER(0);
	if (!cs_sla_merge(&state->s, &src->s))
		count_overflow("sla_summary");
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(metrics_sla_summary_final);
Datum
metrics_sla_summary_final(PG_FUNCTION_ARGS)
{
	SlaSummary *s = sla_new();

	if (!PG_ARGISNULL(0))
		s->s = ((SlaSummary *) PG_GETARG_POINTER(0))->s;
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(metrics_sla_pct);
Datum
metrics_sla_pct(PG_FUNCTION_ARGS)
{
	SlaSummary *s = PG_GETARG_SLA_SUMMARY_P(0);

	if (s->s.total == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(cs_sla_pct(&s->s));
}

PG_FUNCTION_INFO_V1(metrics_sla_met);
Datum
metrics_sla_met(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_SLA_SUMMARY_P(0)->s.met);
}

PG_FUNCTION_INFO_V1(metrics_sla_total);
Datum
metrics_sla_total(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_SLA_SUMMARY_P(0)->s.total);
}

PG_FUNCTION_INFO_V1(metrics_sla_interval);
Datum
metrics_sla_interval(PG_FUNCTION_ARGS)
{
	SlaSummary *s = PG_GETARG_SLA_SUMMARY_P(0);
	double confidence = PG_GETARG_FLOAT8(1);
	double lo = 0, hi = 0;

	check_confidence(confidence);
	if (s->s.total > 0)
		cs_wilson(s->s.met, s->s.total, cs_z_for_confidence(confidence), &lo, &hi);
	return interval_row(fcinfo, s->s.total == 0, lo, hi);
}

/* ================================================================ duration_summary */

DurationSummary *
cs_duration_summary_get(Datum d)
{
	DurationSummary *ds = (DurationSummary *) PG_DETOAST_DATUM(d);
	Size want;

	if (ds->version != CS_METRICS_VERSION || VARSIZE(ds) < offsetof(DurationSummary, data))
		corrupted("duration_summary");
	if (ds->flags == DS_DENSE)
		want = DS_DENSE_SIZE;
	else if (ds->flags == 0 && ds->nnz >= 0 && ds->nnz <= CS_DD_NBUCKETS)
		want = DS_SPARSE_SIZE(ds->nnz);
	else
		want = 0;
	if (VARSIZE(ds) != want)
		corrupted("duration_summary");
	return ds;
}

/* the most buckets a sparse aggregate state may hold before it turns dense */
#define DS_SPARSE_STATE_MAX 512

static DurationSummary *
ds_new_dense(void)
{
	DurationSummary *ds = palloc0(DS_DENSE_SIZE);

	SET_VARSIZE(ds, DS_DENSE_SIZE);
	ds->version = CS_METRICS_VERSION;
	ds->flags = DS_DENSE;
	return ds;
}

static DurationSummary *
ds_new_sparse(const cs_dd_head *h, const int64 *counts, const uint16 *idx, int nnz)
{
	DurationSummary *ds = palloc0(DS_SPARSE_SIZE(nnz));

	SET_VARSIZE(ds, DS_SPARSE_SIZE(nnz));
	ds->version = CS_METRICS_VERSION;
	ds->nnz = nnz;
	ds->h = *h;
	if (nnz > 0)
	{
		memcpy(ds->data, counts, sizeof(int64) * nnz);
		memcpy(DS_SPARSE_IDX(ds), idx, sizeof(uint16) * nnz);
	}
	return ds;
}

static inline cs_dd_sketch *
ds_dense(DurationSummary *ds)
{
	return (cs_dd_sketch *) &ds->h;
}

/* add a detoasted summary of either layout into a dense one */
static void
ds_merge_into(DurationSummary *dst, const DurationSummary *src)
{
	if (!cs_dd_merge_head(&dst->h, &src->h))
		count_overflow("duration_summary");
	if (src->flags & DS_DENSE)
		cs_dd_merge_dense(ds_dense(dst), src->data);
	else
		cs_dd_merge_sparse(ds_dense(dst), src->data, DS_SPARSE_IDX(src), src->nnz);
}

/* the sparse view of a detoasted summary of either layout */
typedef struct ds_view
{
	const cs_dd_head *h;
	const int64 *counts;
	const uint16 *idx;
	int nnz;
} ds_view;

static ds_view
ds_get_view(const DurationSummary *ds)
{
	ds_view v;

	v.h = &ds->h;
	if (ds->flags & DS_DENSE)
	{
		int64 *counts = palloc(sizeof(int64) * CS_DD_NBUCKETS);
		uint16 *idx = palloc(sizeof(uint16) * CS_DD_NBUCKETS);

		v.nnz = cs_dd_to_sparse((const cs_dd_sketch *) &ds->h, counts, idx);
		v.counts = counts;
		v.idx = idx;
	}
	else
	{
		v.nnz = ds->nnz;
		v.counts = ds->data;
		v.idx = DS_SPARSE_IDX(ds);
	}
	return v;
}

static DurationSummary *
ds_to_sparse(const DurationSummary *ds)
{
	ds_view v = ds_get_view(ds);

	return ds_new_sparse(v.h, v.counts, v.idx, v.nnz);
}

PG_FUNCTION_INFO_V1(metrics_duration_summary_in);
Datum
metrics_duration_summary_in(PG_FUNCTION_ARGS)
{
	char *str = PG_GETARG_CSTRING(0);
	cs_dd_head h;
	int64 *counts = palloc(sizeof(int64) * CS_DD_NBUCKETS);
	uint16 *idx = palloc(sizeof(uint16) * CS_DD_NBUCKETS);
	int nnz;
	char err[256];

	if (!cs_dd_parse(str, &h, counts, idx, &nnz, err, sizeof(err)))
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						errmsg("invalid input syntax for type %s: \"%s\"", "duration_summary", str),
						errdetail("%s", err), errhint(ERRHINT_DURATION_TEXT)));
	PG_RETURN_POINTER(ds_new_sparse(&h, counts, idx, nnz));
}

PG_FUNCTION_INFO_V1(metrics_duration_summary_out);
Datum
metrics_duration_summary_out(PG_FUNCTION_ARGS)
{
	ds_view v = ds_get_view(PG_GETARG_DURATION_SUMMARY_P(0));

	PG_RETURN_CSTRING(cs_dd_format(v.h, v.counts, v.idx, v.nnz));
}

/*
 * binary: version byte; count, negative, zero, over_range, min_us, max_us, the high and low
 * 64 bits of sum_us (int8 each); the number of buckets (int4); then per bucket its number
 * (int2) and count (int8), ascending.
 */
#define DS_BINARY_FIXED		 (8 * 8 + 4)
#define DS_BINARY_PER_BUCKET (2 + 8)

PG_FUNCTION_INFO_V1(metrics_duration_summary_send);
Datum
metrics_duration_summary_send(PG_FUNCTION_ARGS)
{
	ds_view v = ds_get_view(PG_GETARG_DURATION_SUMMARY_P(0));
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, CS_METRICS_VERSION);
	pq_sendint64(&buf, v.h->count);
	pq_sendint64(&buf, v.h->negative);
	pq_sendint64(&buf, v.h->zero);
	pq_sendint64(&buf, v.h->over);
	pq_sendint64(&buf, v.h->min_us);
	pq_sendint64(&buf, v.h->max_us);
	pq_sendint64(&buf, v.h->sum_us.hi);
	pq_sendint64(&buf, (int64) v.h->sum_us.lo);
	pq_sendint32(&buf, v.nnz);
	for (int i = 0; i < v.nnz; i++)
	{
		pq_sendint16(&buf, v.idx[i]);
		pq_sendint64(&buf, v.counts[i]);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(metrics_duration_summary_recv);
Datum
metrics_duration_summary_recv(PG_FUNCTION_ARGS)
{
	StringInfo buf = (StringInfo) PG_GETARG_POINTER(0);
	cs_dd_head h;
	int64 *counts;
	uint16 *idx;
	int nnz;
	char err[256];

	read_binary_version(buf, "duration_summary");
	if (buf->len - buf->cursor < DS_BINARY_FIXED)
		check_binary_length(buf, DS_BINARY_FIXED, "duration_summary");
	h.count = pq_getmsgint64(buf);
	h.negative = pq_getmsgint64(buf);
	h.zero = pq_getmsgint64(buf);
	h.over = pq_getmsgint64(buf);
	h.min_us = pq_getmsgint64(buf);
	h.max_us = pq_getmsgint64(buf);
	h.sum_us.hi = pq_getmsgint64(buf);
	h.sum_us.lo = (uint64) pq_getmsgint64(buf);
	nnz = (int) pq_getmsgint(buf, 4);
	if (nnz < 0 || nnz > CS_DD_NBUCKETS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary data for type %s", "duration_summary"),
				 errdetail("Bucket count %d is out of range 0 to %d.", nnz, CS_DD_NBUCKETS)));
	check_binary_length(buf, nnz * DS_BINARY_PER_BUCKET, "duration_summary");
	counts = palloc(sizeof(int64) * (nnz + 1));
	idx = palloc(sizeof(uint16) * (nnz + 1));
	for (int i = 0; i < nnz; i++)
	{
		idx[i] = (uint16) pq_getmsgint(buf, 2);
		counts[i] = pq_getmsgint64(buf);
	}
	if (!cs_dd_check(&h, counts, idx, nnz, err, sizeof(err)))
		ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						errmsg("invalid binary data for type %s", "duration_summary"),
						errdetail("%s", err)));
	PG_RETURN_POINTER(ds_new_sparse(&h, counts, idx, nnz));
}

/* months count 30 days, as in interval comparison (and so in percentile_cont's ordering) */
static int64
interval_to_us(const Interval *iv)
{
	int64 days, us;

	if (pg_mul_s64_overflow((int64) iv->month, DAYS_PER_MONTH, &days) ||
		pg_add_s64_overflow(days, (int64) iv->day, &days) ||
		pg_mul_s64_overflow(days, USECS_PER_DAY, &us) || pg_add_s64_overflow(us, iv->time, &us))
		ereport(
			ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("interval out of range for duration_agg"),
			 errdetail(
				 "Durations are counted in microseconds, up to about 292,000 years either way.")));
	return us;
}

static Interval *
us_to_interval(int64 us)
{
	Interval *iv = palloc(sizeof(Interval));

	iv->month = 0;
	iv->day = (int32) (us / USECS_PER_DAY);
	iv->time = us % USECS_PER_DAY;
	return iv;
}

PG_FUNCTION_INFO_V1(metrics_duration_agg_trans);
Datum
metrics_duration_agg_trans(PG_FUNCTION_ARGS)
{
	DurationSummary *state;
	int64 us;

	if (!AggCheckCallContext(fcinfo, NULL))
		not_in_aggregate("duration_agg_trans");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	us = interval_to_us(PG_GETARG_INTERVAL_P(1));
	if (PG_ARGISNULL(0))
		state = ds_new_dense();
	else
	{
		state = (DurationSummary *) PG_GETARG_POINTER(0);
		if (unlikely(!(state->flags & DS_DENSE)))
		{
			/* a sparse state can only come from a user aggregate's INITCOND */
			DurationSummary *dense = ds_new_dense();

			ds_merge_into(dense, cs_duration_summary_get(PG_GETARG_DATUM(0)));
			state = dense;
		}
	}
	if (unlikely(!cs_dd_add(ds_dense(state), us)))
		count_overflow("duration_summary");
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(metrics_duration_summary_combine);
Datum
metrics_duration_summary_combine(PG_FUNCTION_ARGS)
{
	DurationSummary *state, *src;

	if (!AggCheckCallContext(fcinfo, NULL))
		not_in_aggregate("duration_summary_combine");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	src = PG_GETARG_DURATION_SUMMARY_P(1);
	/*
	 * While the state and the input are both sparse and small, the state stays
	 * sparse: a new sparse summary of the two (the executor copies a new state
	 * into the aggregate's context and frees the old).  Most groups that merge
	 * stored summaries (a month of a client's days, a team's clients) have a
	 * few rows of a few hundred buckets, and a dense state per group (14 kB,
	 * fresh memory each) cost far more than the merge.  Past DS_SPARSE_STATE_MAX
	 * buckets the state turns dense and is updated in place.
	 */
	if (PG_ARGISNULL(0))
	{
		if (!(src->flags & DS_DENSE))
			PG_RETURN_POINTER(src);
		state = ds_new_dense();
	}
	else
	{
		state = (DurationSummary *) PG_GETARG_POINTER(0);
		if (unlikely(!(state->flags & DS_DENSE)))
		{
			DurationSummary *cur = cs_duration_summary_get(PG_GETARG_DATUM(0));

			if (!(src->flags & DS_DENSE) && cur->nnz + src->nnz <= DS_SPARSE_STATE_MAX)
			{
				cs_dd_head h = cur->h;
				int64 counts[DS_SPARSE_STATE_MAX];
				uint16 idx[DS_SPARSE_STATE_MAX];
				int nnz;

				if (!cs_dd_merge_head(&h, &src->h))
					count_overflow("duration_summary");
				nnz = cs_dd_merge_sparse_lists(cur->data, DS_SPARSE_IDX(cur), cur->nnz, src->data,
											   DS_SPARSE_IDX(src), src->nnz, counts, idx);
				PG_RETURN_POINTER(ds_new_sparse(&h, counts, idx, nnz));
			}
			state = ds_new_dense();
			ds_merge_into(state, cur);
		}
	}
	ds_merge_into(state, src);
	PG_RETURN_POINTER(state);
}

/* final function of duration_agg and rollup: the compact layout; no input gives an empty one */
PG_FUNCTION_INFO_V1(metrics_duration_summary_final);
Datum
metrics_duration_summary_final(PG_FUNCTION_ARGS)
{
	cs_dd_head empty;

	if (PG_ARGISNULL(0))
	{
		memset(&empty, 0, sizeof(empty));
		PG_RETURN_POINTER(ds_new_sparse(&empty, NULL, NULL, 0));
	}
	PG_RETURN_POINTER(ds_to_sparse(PG_GETARG_DURATION_SUMMARY_P(0)));
}

PG_FUNCTION_INFO_V1(metrics_duration_percentile);
Datum
metrics_duration_percentile(PG_FUNCTION_ARGS)
{
	DurationSummary *ds = PG_GETARG_DURATION_SUMMARY_P(0);
	double q = PG_GETARG_FLOAT8(1);
	ds_view v;

	if (!(q >= 0.0 && q <= 1.0))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("percentile %g is out of range", q),
						errdetail("A percentile is a fraction between 0 and 1 inclusive."),
						errhint("Use 0.9 for the 90th percentile.")));
	if (ds->h.count == 0)
		PG_RETURN_NULL();
	v = ds_get_view(ds);
	PG_RETURN_INTERVAL_P(us_to_interval(cs_dd_quantile(v.h, v.counts, v.idx, v.nnz, q)));
}

PG_FUNCTION_INFO_V1(metrics_duration_count);
Datum
metrics_duration_count(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_DURATION_SUMMARY_P(0)->h.count);
}

PG_FUNCTION_INFO_V1(metrics_duration_mean);
Datum
metrics_duration_mean(PG_FUNCTION_ARGS)
{
	DurationSummary *ds = PG_GETARG_DURATION_SUMMARY_P(0);
	double mean;
	int64 us;

	if (ds->h.count == 0)
		PG_RETURN_NULL();
	mean = cs_dd_mean(&ds->h);
	if (mean <= (double) ds->h.min_us)
		us = ds->h.min_us;
	else if (mean >= (double) ds->h.max_us)
		us = ds->h.max_us;
	else
		us = (int64) llround(mean);
	PG_RETURN_INTERVAL_P(us_to_interval(us));
}

PG_FUNCTION_INFO_V1(metrics_duration_min);
Datum
metrics_duration_min(PG_FUNCTION_ARGS)
{
	DurationSummary *ds = PG_GETARG_DURATION_SUMMARY_P(0);

	if (ds->h.count == 0)
		PG_RETURN_NULL();
	PG_RETURN_INTERVAL_P(us_to_interval(ds->h.min_us));
}

PG_FUNCTION_INFO_V1(metrics_duration_max);
Datum
metrics_duration_max(PG_FUNCTION_ARGS)
{
	DurationSummary *ds = PG_GETARG_DURATION_SUMMARY_P(0);

	if (ds->h.count == 0)
		PG_RETURN_NULL();
	PG_RETURN_INTERVAL_P(us_to_interval(ds->h.max_us));
}

PG_FUNCTION_INFO_V1(metrics_duration_negatives);
Datum
metrics_duration_negatives(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_DURATION_SUMMARY_P(0)->h.negative);
}

PG_FUNCTION_INFO_V1(metrics_duration_zeros);
Datum
metrics_duration_zeros(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_DURATION_SUMMARY_P(0)->h.zero);
}

PG_FUNCTION_INFO_V1(metrics_duration_over_range);
Datum
metrics_duration_over_range(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_DURATION_SUMMARY_P(0)->h.over);
}
