/*
 * slaclock_fmgr.c: PostgreSQL glue for the SLA clock (src/core/slaclock.c).
 *
 * - The type cs_service.sla_clock: a fixed-size state, text and binary I/O that round-trip.
 * - The aggregate cs_service.sla_clock_agg(at, kind [, cal]): an ordered event aggregate.  Its
 *   transition function updates the state in place in the aggregate context.  It has no
 *   combine function on purpose: a clock is a fold over events in time order, and partial
 *   states of arbitrary (not time-contiguous) subsets of a request's events cannot be merged
 *   into the clock of the whole log.  Events must arrive ordered by time (ORDER BY at, id inside
 *   the call, or a sorted input); an event earlier than its predecessor is an ERROR, never a
 *   silently wrong clock.
 * - Accessors, the "as of now" advance, and per-metric views with their due instants.
 *
 * Business time comes straight from the core (src/core/bizcal.c) through the calendar glue's
 * calendar_duration and calendar_add (src/calendar_fmgr.c): the same checks and errors as
 * cs_service.business_duration and business_add, the calendar prepared once per call site and
 * kept in this file's fn_extra state, no allocation per event.  A clock without a calendar
 * argument runs on wall-clock time (24/7).
 */
#include "postgres.h"

#include "common/int.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "business_calendar.h"
#include "cs_alloc.h"
#include "sla_clock_type.h"

/* ---------------------------------------------------------------------------------------------
 * Per-call-site state in fn_extra
 * ------------------------------------------------------------------------------------------- */

typedef struct ClockExtra
{
	void *calendars; /* the calendar argument, prepared (calendar_prepare's slot) */
	/* the last pause-parties argument seen (its bytes) and its set */
	char *parties_bytes;
	Size parties_len;
	uint32 parties;
} ClockExtra;

static ClockExtra *
clock_extra(FunctionCallInfo fcinfo)
{
	ClockExtra *x = (ClockExtra *) fcinfo->flinfo->fn_extra;

	if (x == NULL)
	{
		x = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ClockExtra));
		fcinfo->flinfo->fn_extra = x;
	}
	return x;
}

static void **
calendar_slot(FunctionCallInfo fcinfo)
{
	return &clock_extra(fcinfo)->calendars;
}

/*
 * The pause parties argument (text[]): a set of parties.  NULL, a NULL element or an unknown
 * party is an error.  The set of the last array seen is kept, so a constant argument is parsed
 * once per call site.
 */
static uint32
pause_parties_arg(FunctionCallInfo fcinfo, int argno)
{
	ClockExtra *x = clock_extra(fcinfo);
	ArrayType *arr;
	Size len;
	Datum *elems;
	bool *nulls;
	int n;
	uint32 set = 0;

	if (PG_ARGISNULL(argno))
		ereport(
			ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("the pause parties of an SLA clock must not be null"),
			 errhint(
				 "Give a list of client, third_party and internal, e.g. "
				 "'{client,third_party}' (the default), or '{}' for a clock that never stops.")));
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	len = VARSIZE(arr);
	if (x->parties_bytes != NULL && x->parties_len == len &&
		memcmp(x->parties_bytes, arr, len) == 0)
		return x->parties;
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
						errmsg("the pause parties must be a one-dimensional array")));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		text *t;
		int p;

		if (nulls[i])
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							errmsg("a pause party must not be null"),
							errdetail("The parties are client, third_party and internal.")));
		t = DatumGetTextPP(elems[i]);
		p = sla_party_from_name(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
		if (p < 0)
			ereport(
				ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown party \"%s\"", text_to_cstring(t)),
				 errdetail(
					 "The parties a request can wait on are client, third_party and internal."),
				 errhint(
					 "Map other parties onto these, e.g. a vendor or a hosting provider onto third_party.")));
		set |= SLA_PARTY_BIT(p);
	}
	if (x->parties_bytes != NULL)
		pfree(x->parties_bytes);
	x->parties_bytes = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, len);
	memcpy(x->parties_bytes, arr, len);
	x->parties_len = len;
	x->parties = set;
	return set;
}

static void
set_pause_parties(SlaClockData *st, uint32 set)
{
	if (!sla_clock_set_pause_on(&st->clock, set))
		ereport(
			ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("the pause parties of an SLA clock cannot change within its log"),
			 errdetail("The clock was started with other pause parties than this row gives."),
			 errhint(
				 "Give every row of one clock the same pause parties, e.g. its policy's pause_parties.")));
}

static int64
wall_diff(int64 a, int64 b)
{
	int64 d;

	if (pg_sub_s64_overflow(b, a, &d))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("interval out of range")));
	return d;
}

/* business time in [a, b); calarg < 0 means 24/7, else the calendar is that argument */
static int64
measure(FunctionCallInfo fcinfo, int calarg, int64 a, int64 b)
{
	if (calarg < 0)
		return wall_diff(a, b);
	return calendar_duration(calendar_slot(fcinfo), fcinfo, calarg, a, b);
}

/* business_add(ts, amount, cal); calarg < 0 means 24/7 */
static int64
advance_by(FunctionCallInfo fcinfo, int calarg, int64 ts, int64 amount)
{
	int64 r;

	if (calarg < 0)
	{
		if (pg_add_s64_overflow(ts, amount, &r) || r > SLA_MAX_INSTANT)
			ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
							errmsg("timestamp out of range")));
		return r;
	}
	return calendar_add(calendar_slot(fcinfo), fcinfo, calarg, ts, amount);
}

static Interval *
duration_interval(int64 usecs)
{
	Interval *r = palloc(sizeof(Interval));

	r->time = usecs;
	r->day = 0;
	r->month = 0;
	return r;
}

static void
check_finite(TimestampTz t, const char *what)
{
	if (TIMESTAMP_NOT_FINITE(t))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("%s must be finite", what),
				 errdetail("An SLA clock cannot run to or from infinity.")));
}

static SlaClockData *
new_clock(MemoryContext cxt)
{
	SlaClockData *st = MemoryContextAllocZero(cxt, SLA_CLOCK_SIZE);

	SET_VARSIZE(st, SLA_CLOCK_SIZE);
	st->version = SLA_FORMAT_VERSION;
	sla_clock_init(&st->clock);
	return st;
}

static SlaClockData *
copy_clock(const SlaClockData *src)
{
	SlaClockData *st = palloc(SLA_CLOCK_SIZE);

	memcpy(st, src, SLA_CLOCK_SIZE);
	return st;
}

/*
 * A stored clock, checked for size and version (stored values come from our own I/O).  A
 * version 1 value (stored by a build before the parties; its struct is this one's prefix) is
 * read as a version 2 copy.
 */
static SlaClockData *
get_clock(FunctionCallInfo fcinfo, int argno)
{
	SlaClockData *st = PG_GETARG_SLA_CLOCK_P(argno);

	if (st->version == 1 && VARSIZE(st) == offsetof(SlaClockData, clock) + SLA_CLOCK_V1_SIZE)
	{
		SlaClockData *up = new_clock(CurrentMemoryContext);

		memcpy(&up->clock, &st->clock, SLA_CLOCK_V1_SIZE);
		sla_clock_upgrade_v1(&up->clock);
		return up;
	}
	if (VARSIZE(st) != SLA_CLOCK_SIZE || st->version != SLA_FORMAT_VERSION)
		ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
						errmsg("sla_clock value has an unexpected size or version")));
	return st;
}

/* ---------------------------------------------------------------------------------------------
 * Type I/O
 * ------------------------------------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(sla_clock_in);
Datum
sla_clock_in(PG_FUNCTION_ARGS)
{
	char *text = PG_GETARG_CSTRING(0);
	SlaClockData *st = new_clock(CurrentMemoryContext);
	char err[256];

	if (!sla_clock_parse(text, strlen(text), &st->clock, err, sizeof(err)))
	{
		err[0] = pg_toupper((unsigned char) err[0]);
		ereport(
			ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type sla_clock: \"%s\"", text), errdetail("%s.", err),
			 errhint(
				 "Use the text that sla_clock_agg's result prints as, e.g. \"v2 phase=new flags=none cycles=0 ...\".")));
	}
	PG_RETURN_SLA_CLOCK_P(st);
}

PG_FUNCTION_INFO_V1(sla_clock_out);
Datum
sla_clock_out(PG_FUNCTION_ARGS)
{
	SlaClockData *st = get_clock(fcinfo, 0);

	PG_RETURN_CSTRING(sla_clock_format(&st->clock));
}

PG_FUNCTION_INFO_V1(sla_clock_send);
Datum
sla_clock_send(PG_FUNCTION_ARGS)
{
	SlaClockData *st = get_clock(fcinfo, 0);
	StringInfoData buf;
	int64 f[SLA_CLOCK_NFIELDS];

	sla_clock_to_fields(&st->clock, f);
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, SLA_FORMAT_VERSION);
	pq_sendbyte(&buf, SLA_CLOCK_NFIELDS);
	for (int i = 0; i < SLA_CLOCK_NFIELDS; i++)
		pq_sendint64(&buf, f[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(sla_clock_recv);
Datum
sla_clock_recv(PG_FUNCTION_ARGS)
{
	StringInfo buf = (StringInfo) PG_GETARG_POINTER(0);
	SlaClockData *st = new_clock(CurrentMemoryContext);
	int64 f[SLA_CLOCK_NFIELDS];
	int version, n;
	const char *problem;

	if (buf->len - buf->cursor != 2 + 8 * SLA_CLOCK_NFIELDS &&
		buf->len - buf->cursor != 2 + 8 * SLA_CLOCK_NFIELDS_V1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						errmsg("invalid binary sla_clock: %d bytes", buf->len - buf->cursor),
						errdetail("A version %d sla_clock is %d bytes, a version 1 one %d.",
								  SLA_FORMAT_VERSION, 2 + 8 * SLA_CLOCK_NFIELDS,
								  2 + 8 * SLA_CLOCK_NFIELDS_V1)));
	version = pq_getmsgbyte(buf);
	n = pq_getmsgbyte(buf);
	if (!(version == SLA_FORMAT_VERSION && n == SLA_CLOCK_NFIELDS) &&
		!(version == 1 && n == SLA_CLOCK_NFIELDS_V1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported binary sla_clock version %d with %d fields", version, n),
				 errdetail("This build reads version %d with %d fields and version 1 with %d.",
						   SLA_FORMAT_VERSION, SLA_CLOCK_NFIELDS, SLA_CLOCK_NFIELDS_V1)));
	if (buf->len - buf->cursor != 8 * n)
		ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						errmsg("invalid binary sla_clock: %d fields in %d bytes", n,
							   buf->len - buf->cursor)));
	for (int i = 0; i < n; i++)
		f[i] = pq_getmsgint64(buf);
	if (!(version == 1 ? sla_clock_from_fields_v1(&st->clock, f)
					   : sla_clock_from_fields(&st->clock, f)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION), errmsg("invalid binary sla_clock"),
				 errdetail("A phase, the flags or a count is out of range.")));
	problem = sla_clock_check(&st->clock);
	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION), errmsg("invalid binary sla_clock"),
				 errdetail("Inconsistent clock: %s.", problem)));
	PG_RETURN_SLA_CLOCK_P(st);
}

/* ---------------------------------------------------------------------------------------------
 * The aggregate
 * ------------------------------------------------------------------------------------------- */

static sla_kind
kind_arg(text *t)
{
	const char *s = VARDATA_ANY(t);
	int len = VARSIZE_ANY_EXHDR(t);
	int k = sla_kind_from_name(s, len);

	if (k < 0)
		ereport(
			ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown request event kind \"%s\"", text_to_cstring(t)),
			 errdetail(
				 "The kinds are opened, customer_message, agent_reply, waiting_on_client, waiting_on_third_party, waiting_on_internal, resumed, resolved and reopened."),
			 errhint(
				 "Map your own event names onto these in the source view, e.g. CASE status WHEN 'pending' THEN 'waiting_on_client' END.")));
	return (sla_kind) k;
}

static char *
ts_text(TimestampTz t)
{
	return DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(t)));
}

/*
 * One event (arguments atarg, atarg + 1, and the calendar at calarg, < 0 for 24/7) applied to the
 * clock in place.
 */
static void
clock_step(FunctionCallInfo fcinfo, SlaClockData *st, int atarg, int calarg)
{
	sla_clock *c = &st->clock;
	TimestampTz at = PG_GETARG_TIMESTAMPTZ(atarg);
	sla_kind kind;
	int64 business = 0;
	sla_step_status status;

	check_finite(at, "event time");
	kind = kind_arg(PG_GETARG_TEXT_PP(atarg + 1));
	if (c->asof != SLA_NONE && at < c->asof)
		ereport(
			ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("sla_clock_agg events are out of order"),
			 errdetail("Event \"%s\" at %s comes after an event at %s.", sla_kind_name(kind),
					   ts_text(at), ts_text(c->asof)),
			 errhint(
				 "Order the aggregate's input by time: sla_clock_agg(at, kind, cal ORDER BY at, id).")));
	if (sla_clock_needs_measure(c))
		business = measure(fcinfo, calarg, c->asof, at);
	status = sla_clock_step(c, at, kind, business);
	if (status == SLA_STEP_OUT_OF_ORDER || status == SLA_STEP_BAD_INPUT)
		ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
						errmsg("event time %s is out of range for an SLA clock", ts_text(at))));
}

static void
check_calendar_arg(FunctionCallInfo fcinfo, int calarg)
{
	if (PG_ARGISNULL(calarg))
		ereport(
			ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("sla_clock_agg calendar must not be null"),
			 errdetail("A NULL calendar usually means a policy or calendar lookup found nothing."),
			 errhint(
				 "For a clock that never stops use the two-argument form sla_clock_agg(at, kind), or the calendar 'mon-sun 00:00-24:00'.")));
}

/*
 * sla_clock_trans(state, at, kind [, cal [, pause_parties]]): one event.  Rows with a NULL time
 * or kind are skipped, as aggregates skip NULLs.  Called as a plain function it returns a new
 * clock and leaves its argument alone.  Without pause parties a clock has the default ones
 * (client, third_party); with them, every row of one clock must give the same.
 */
PG_FUNCTION_INFO_V1(sla_clock_trans);
Datum
sla_clock_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	bool in_agg = AggCheckCallContext(fcinfo, &aggcxt) != 0;
	bool has_cal = PG_NARGS() >= 4;
	bool has_parties = PG_NARGS() >= 5;
	SlaClockData *st;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (has_cal)
		check_calendar_arg(fcinfo, 3);
	if (PG_ARGISNULL(0))
		st = new_clock(in_agg ? aggcxt : CurrentMemoryContext);
	else if (in_agg)
		st = (SlaClockData *) PG_GETARG_POINTER(0); /* ours, in the aggregate context */
	else
		st = copy_clock(get_clock(fcinfo, 0));
	if (has_parties)
		set_pause_parties(st, pause_parties_arg(fcinfo, 4));
	clock_step(fcinfo, st, 1, has_cal ? 3 : -1);
	PG_RETURN_SLA_CLOCK_P(st);
}

/*
 * sla_clock_resume_trans(state, base, at, kind, cal): the transition of
 * cs_service_internal.sla_clock_resume(base, at, kind, cal ORDER BY at, seq), which folds events
 * into a stored clock (base, the same on every row; NULL: a new clock) instead of a new one.  The
 * stored clock state (src/sql/code/sla_state.sql) folds a request's newly written events with it.
 */
PG_FUNCTION_INFO_V1(sla_clock_resume_trans);
Datum
sla_clock_resume_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	SlaClockData *st;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						errmsg("sla_clock_resume_trans can only be called as an aggregate")));
	check_calendar_arg(fcinfo, 4);
	if (!PG_ARGISNULL(0))
		st = (SlaClockData *) PG_GETARG_POINTER(0);
	else
	{
		st = new_clock(aggcxt);
		if (!PG_ARGISNULL(1))
			memcpy(st, get_clock(fcinfo, 1), SLA_CLOCK_SIZE);
	}
	if (!PG_ARGISNULL(2) && !PG_ARGISNULL(3))
		clock_step(fcinfo, st, 2, 4);
	PG_RETURN_SLA_CLOCK_P(st);
}

/* sla_clock_at(clock, asof [, cal]): the running clocks advanced to asof */
PG_FUNCTION_INFO_V1(sla_clock_at);
Datum
sla_clock_at(PG_FUNCTION_ARGS)
{
	SlaClockData *st = get_clock(fcinfo, 0);
	TimestampTz asof = PG_GETARG_TIMESTAMPTZ(1);
	bool has_cal = PG_NARGS() >= 3;
	SlaClockData *r;
	int64 business = 0;

	check_finite(asof, "sla_clock_at instant");
	/* only an open clock runs: a new or resolved one is returned as it is */
	if (st->clock.asof == SLA_NONE || asof <= st->clock.asof ||
		!sla_clock_needs_measure(&st->clock))
		PG_RETURN_SLA_CLOCK_P(st);
	r = copy_clock(st);
	if (sla_clock_needs_measure(&r->clock))
		business = measure(fcinfo, has_cal ? 2 : -1, r->clock.asof, asof);
	sla_clock_advance(&r->clock, asof, business);
	PG_RETURN_SLA_CLOCK_P(r);
}

/* ---------------------------------------------------------------------------------------------
 * Accessors
 * ------------------------------------------------------------------------------------------- */

#define RETURN_INSTANT(v)          \
	do                             \
	{                              \
		int64 v_ = (v);            \
		if (v_ == SLA_NONE)        \
			PG_RETURN_NULL();      \
		PG_RETURN_TIMESTAMPTZ(v_); \
	} while (0)

#define INSTANT_ACCESSOR(fname, expr)                      \
	PG_FUNCTION_INFO_V1(fname);                            \
	Datum fname(PG_FUNCTION_ARGS)                          \
	{                                                      \
		const sla_clock *c = &get_clock(fcinfo, 0)->clock; \
		RETURN_INSTANT(expr);                              \
	}

#define DURATION_ACCESSOR(fname, expr)                     \
	PG_FUNCTION_INFO_V1(fname);                            \
	Datum fname(PG_FUNCTION_ARGS)                          \
	{                                                      \
		const sla_clock *c = &get_clock(fcinfo, 0)->clock; \
		if (c->phase == SLA_PHASE_NEW)                     \
		{                                                  \
			PG_RETURN_NULL();                              \
		}                                                  \
		PG_RETURN_INTERVAL_P(duration_interval(expr));     \
	}

#define INT_ACCESSOR(fname, expr)                          \
	PG_FUNCTION_INFO_V1(fname);                            \
	Datum fname(PG_FUNCTION_ARGS)                          \
	{                                                      \
		const sla_clock *c = &get_clock(fcinfo, 0)->clock; \
		PG_RETURN_INT32(expr);                             \
	}

#define BOOL_ACCESSOR(fname, expr)                         \
	PG_FUNCTION_INFO_V1(fname);                            \
	Datum fname(PG_FUNCTION_ARGS)                          \
	{                                                      \
		const sla_clock *c = &get_clock(fcinfo, 0)->clock; \
		PG_RETURN_BOOL(expr);                              \
	}

INSTANT_ACCESSOR(sla_clock_asof, c->asof)
INSTANT_ACCESSOR(sla_clock_opened_at, c->opened_at)
INSTANT_ACCESSOR(sla_clock_first_response_at, c->first_response_at)
INSTANT_ACCESSOR(sla_clock_resolved_at, c->phase == SLA_PHASE_RESOLVED ? c->resolved_at : SLA_NONE)
INSTANT_ACCESSOR(sla_clock_last_resolved_at, c->resolved_at)
INSTANT_ACCESSOR(sla_clock_first_resolved_at, c->first_resolved_at)
INSTANT_ACCESSOR(sla_clock_paused_since, c->pause_since)
INSTANT_ACCESSOR(sla_clock_cycle_started_at, c->cycle_start)
INSTANT_ACCESSOR(sla_clock_waiting_since, (c->flags & SLA_F_WAITING) ? c->wait_start : SLA_NONE)

DURATION_ACCESSOR(sla_clock_elapsed, c->elapsed)
DURATION_ACCESSOR(sla_clock_paused_time, c->paused_time)
DURATION_ACCESSOR(sla_clock_first_response_time, c->fr_elapsed)
DURATION_ACCESSOR(sla_clock_cycle_elapsed, c->cycle_elapsed)
DURATION_ACCESSOR(sla_clock_longest_wait,
				  (c->flags & SLA_F_WAITING) && c->wait_elapsed > c->longest_wait ? c->wait_elapsed
																				  : c->longest_wait)
DURATION_ACCESSOR(sla_clock_longest_cycle,
				  c->cycle_elapsed > c->longest_cycle ? c->cycle_elapsed : c->longest_cycle)

INT_ACCESSOR(sla_clock_cycles, c->cycles)
INT_ACCESSOR(sla_clock_replies, c->replies)
INT_ACCESSOR(sla_clock_ignored_events, c->ignored)

BOOL_ACCESSOR(sla_clock_is_open, c->phase == SLA_PHASE_OPEN)
BOOL_ACCESSOR(sla_clock_is_paused, (c->flags & SLA_F_PAUSED) != 0)

PG_FUNCTION_INFO_V1(sla_clock_first_resolution_time);
Datum
sla_clock_first_resolution_time(PG_FUNCTION_ARGS)
{
	const sla_clock *c = &get_clock(fcinfo, 0)->clock;

	if (c->first_resolved_at == SLA_NONE)
		PG_RETURN_NULL();
	PG_RETURN_INTERVAL_P(duration_interval(c->first_resolution));
}

/* current_wait(clock): the running wait for a reply, NULL if none */
PG_FUNCTION_INFO_V1(sla_clock_current_wait);
Datum
sla_clock_current_wait(PG_FUNCTION_ARGS)
{
	const sla_clock *c = &get_clock(fcinfo, 0)->clock;

	if (!(c->flags & SLA_F_WAITING))
		PG_RETURN_NULL();
	PG_RETURN_INTERVAL_P(duration_interval(c->wait_elapsed));
}

/* waiting_on(clock): the party the current wait is on, NULL if none */
PG_FUNCTION_INFO_V1(sla_clock_waiting_on);
Datum
sla_clock_waiting_on(PG_FUNCTION_ARGS)
{
	const sla_clock *c = &get_clock(fcinfo, 0)->clock;

	if (c->hold == SLA_PARTY_NONE)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(sla_party_name((sla_party) c->hold)));
}

/* pause_parties(clock): the parties whose waits stop this clock, in the order of the list */
PG_FUNCTION_INFO_V1(sla_clock_pause_parties);
Datum
sla_clock_pause_parties(PG_FUNCTION_ARGS)
{
	const sla_clock *c = &get_clock(fcinfo, 0)->clock;
	Datum elems[SLA_NWAIT_PARTIES];
	int n = 0;

	for (int p = SLA_PARTY_CLIENT; p < SLA_NPARTIES; p++)
		if (c->pause_on & SLA_PARTY_BIT(p))
			elems[n++] = PointerGetDatum(cstring_to_text(sla_party_name((sla_party) p)));
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* waited_time(clock, party): the business time waited on the party, whether or not it paused */
PG_FUNCTION_INFO_V1(sla_clock_waited_time);
Datum
sla_clock_waited_time(PG_FUNCTION_ARGS)
{
	const sla_clock *c = &get_clock(fcinfo, 0)->clock;
	text *t = PG_GETARG_TEXT_PP(1);
	int p = sla_party_from_name(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));

	if (p < 0)
		ereport(
			ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown party \"%s\"", text_to_cstring(t)),
			 errdetail("The parties a request can wait on are client, third_party and internal.")));
	if (c->phase == SLA_PHASE_NEW)
		PG_RETURN_NULL();
	PG_RETURN_INTERVAL_P(duration_interval(c->waited[p - 1]));
}

PG_FUNCTION_INFO_V1(sla_clock_phase);
Datum
sla_clock_phase(PG_FUNCTION_ARGS)
{
	const sla_clock *c = &get_clock(fcinfo, 0)->clock;

	PG_RETURN_TEXT_P(cstring_to_text(sla_phase_name((sla_phase) c->phase)));
}

/* ---------------------------------------------------------------------------------------------
 * Metrics: sla_metric_*(clock, metric, ...)
 * ------------------------------------------------------------------------------------------- */

static sla_metric_view
metric_arg(FunctionCallInfo fcinfo)
{
	const sla_clock *c = &get_clock(fcinfo, 0)->clock;
	text *t = PG_GETARG_TEXT_PP(1);
	int m = sla_metric_from_name(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));

	if (m < 0)
		ereport(
			ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown SLA metric \"%s\"", text_to_cstring(t)),
			 errdetail(
				 "The metrics are first_response, next_response, resolution and periodic_update.")));
	return sla_clock_metric(c, (sla_metric) m);
}

PG_FUNCTION_INFO_V1(sla_metric_started_at);
Datum
sla_metric_started_at(PG_FUNCTION_ARGS)
{
	sla_metric_view m = metric_arg(fcinfo);

	RETURN_INSTANT(m.exists ? m.started_at : SLA_NONE);
}

PG_FUNCTION_INFO_V1(sla_metric_stopped_at);
Datum
sla_metric_stopped_at(PG_FUNCTION_ARGS)
{
	sla_metric_view m = metric_arg(fcinfo);

	RETURN_INSTANT(m.exists ? m.stopped_at : SLA_NONE);
}

PG_FUNCTION_INFO_V1(sla_metric_elapsed);
Datum
sla_metric_elapsed(PG_FUNCTION_ARGS)
{
	sla_metric_view m = metric_arg(fcinfo);

	if (!m.exists)
		PG_RETURN_NULL();
	PG_RETURN_INTERVAL_P(duration_interval(m.elapsed));
}

PG_FUNCTION_INFO_V1(sla_metric_worst);
Datum
sla_metric_worst(PG_FUNCTION_ARGS)
{
	sla_metric_view m = metric_arg(fcinfo);

	if (!m.exists)
		PG_RETURN_NULL();
	PG_RETURN_INTERVAL_P(duration_interval(m.worst));
}

PG_FUNCTION_INFO_V1(sla_metric_running);
Datum
sla_metric_running(PG_FUNCTION_ARGS)
{
	sla_metric_view m = metric_arg(fcinfo);

	if (!m.exists)
		PG_RETURN_NULL();
	PG_RETURN_BOOL(m.running);
}

static int64
target_arg(FunctionCallInfo fcinfo, int argno)
{
	Interval *t = PG_GETARG_INTERVAL_P(argno);

	if (t->month != 0 || t->day != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("SLA target must not have days or months"),
						errdetail("A business day has no fixed length."),
						errhint("Give the target in hours, e.g. interval '24 hours'.")));
	if (t->time <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("SLA target must be positive"),
				 errhint("Give the target as a positive interval, e.g. interval '2 hours'.")));
	return t->time;
}

/*
 * sla_metric_due(clock, metric, target [, cal]): the instant the metric's current instance
 * reaches the target (in the future while it runs, in the past once breached); NULL when the
 * deadline is suspended (paused), was met (stopped in time), or was passed before the
 * instance's latest pause.
 */
PG_FUNCTION_INFO_V1(sla_metric_due);
Datum
sla_metric_due(PG_FUNCTION_ARGS)
{
	sla_metric_view m = metric_arg(fcinfo);
	int64 target = target_arg(fcinfo, 2);
	bool has_cal = PG_NARGS() >= 4;
	int64 amount;

	if (!sla_due_amount(&m, target, &amount))
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(advance_by(fcinfo, has_cal ? 3 : -1, m.anchor.at, amount));
}
