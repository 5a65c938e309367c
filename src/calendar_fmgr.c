/*
 * calendar_fmgr.c: the business_calendar type and the business-time functions.
 *
 * A thin layer over the pure core (src/core/calendar.c, src/core/bizcal.c): argument checks,
 * errors, and the time zone, read from PostgreSQL's own zone data so that every local time is
 * converted exactly as `timestamp AT TIME ZONE zone` converts it.
 *
 * Prepared calendars (the zone's transitions for a window of instants and the core's derived
 * tables) are cached per call site, in a slot the caller names (fn_extra for the functions here,
 * a field of its own fn_extra state for the SLA clock): a few entries, compared by content, so a
 * column holding a handful of calendars is prepared once per calendar, not once per row.
 */
#include "postgres.h"

#include <string.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "nodes/primnodes.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/memutils.h"
#include "utils/multirangetypes.h"
#include "utils/rangetypes.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "business_calendar.h"

/* instants the functions accept: years 0001 to 9999 */
#define CAL_MIN_TS ((int64) BC_MIN_DAY * USECS_PER_DAY)
#define CAL_END_TS (((int64) BC_MAX_DAY + 1) * USECS_PER_DAY)
#define CACHE_SIZE 16

/* ---------------------------------------------------------------------------------------------
 * Time zones
 * ------------------------------------------------------------------------------------------- */

static pg_tz *
lookup_zone(const char *name, bool *ok)
{
	pg_tz *tz = pg_tzset(name);

	*ok = tz != NULL && pg_tz_acceptable(tz);
	return tz;
}

static void
unknown_zone_error(const char *name)
{
	ereport(
		ERROR,
		(errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("time zone \"%s\" not recognized", name),
		 errdetail("A business calendar needs an IANA time zone name."),
		 errhint(
			 "Use a name from pg_timezone_names, for example \"Europe/Moscow\" or \"America/New_York\".")));
}

/* local -> instant, exactly as timestamp AT TIME ZONE does it */
static int64_t
local_to_utc(int64_t local, void *arg)
{
	pg_tz *tz = (pg_tz *) arg;
	struct pg_tm tm;
	fsec_t fsec;
	int tzoff;

	if (timestamp2tm((Timestamp) local, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("timestamp out of range")));
	tzoff = DetermineTimeZoneOffset(&tm, tz);
	return local + (int64) tzoff * USECS_PER_SEC;
}

static pg_time_t
ts_to_pgtime(int64 ts)
{
	return (pg_time_t) (ts / USECS_PER_SEC) +
		   (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;
}

static int64
pgtime_to_ts(pg_time_t t)
{
	return ((int64) t - (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY) *
		   USECS_PER_SEC;
}

/* Lists the zone's offset changes around [lo, hi) into zone (memory in the current context). */
static void
build_zone(bc_zone *zone, pg_tz *tz, int64 lo, int64 hi)
{
	pg_time_t t = ts_to_pgtime(lo - BC_ZONE_MARGIN);
	pg_time_t end = ts_to_pgtime(hi + BC_ZONE_MARGIN);
	long int before_off, after_off;
	int before_dst, after_dst;
	pg_time_t boundary;
	int res, cap = 16;

	zone->lo = lo;
	zone->hi = hi;
	zone->focus_lo = lo;
	zone->focus_hi = hi;
	zone->ntrans = 0;
	zone->trans = palloc(sizeof(bc_transition) * cap);
	zone->to_utc = local_to_utc;
	zone->arg = tz;

	res = pg_next_dst_boundary(&t, &before_off, &before_dst, &boundary, &after_off, &after_dst, tz);
	zone->off_first = (int32) before_off;
	for (;;)
	{
		/*
		 * PostgreSQL extends a zone's rules past its transition table in 400-year cycles, and
		 * asked from exactly the end of a cycle it answers "no further change" (0).  A second
		 * look one second later tells that apart from a zone that really stays put.
		 */
		if (res == 0)
		{
			pg_time_t t1 = t + 1;

			res = pg_next_dst_boundary(&t1, &before_off, &before_dst, &boundary, &after_off,
									   &after_dst, tz);
		}
		if (res != 1 || boundary > end)
			break;
		if (before_off != after_off)
		{
			if (zone->ntrans == cap)
			{
				cap *= 2;
				zone->trans = repalloc(zone->trans, sizeof(bc_transition) * cap);
			}
			zone->trans[zone->ntrans].at = pgtime_to_ts(boundary);
			zone->trans[zone->ntrans].off_before = (int32) before_off;
			zone->trans[zone->ntrans].off_after = (int32) after_off;
			zone->ntrans++;
		}
		t = boundary > t ? boundary : t + 1;
		res = pg_next_dst_boundary(&t, &before_off, &before_dst, &boundary, &after_off, &after_dst,
								   tz);
	}
	if (res < 0)
		elog(ERROR, "could not read the transitions of time zone \"%s\"", pg_get_timezone_name(tz));
	if (res == 0)
		zone->hi = PG_INT64_MAX; /* no change after this: the table is complete */

	/*
	 * No instant outside the years 1-9999 is accepted, so a window reaching their end is as good
	 * as unbounded: the core may then conclude that an amount cannot be reached at all.
	 */
	if (lo <= CAL_MIN_TS)
		zone->lo = PG_INT64_MIN;
	if (hi >= CAL_END_TS)
		zone->hi = PG_INT64_MAX;
}

/* ---------------------------------------------------------------------------------------------
 * The prepared-calendar cache
 * ------------------------------------------------------------------------------------------- */

struct CalendarCache;

typedef struct CacheEntry
{
	PreparedCalendar pc;		 /* first: calendar_cover casts back */
	struct CalendarCache *cache; /* the cache holding this entry */
	MemoryContext cxt;			 /* holds everything below */
	char *bytes;				 /* a copy of the calendar value */
	Size len;
	uint64 used;
	int64 focus_lo; /* the instants prepared for: zone table and day table */
	int64 focus_hi;
} CacheEntry;

typedef struct CalendarCache
{
	CacheEntry entries[CACHE_SIZE];
	int nentries;
	uint64 clock;
	bool arg_stable;  /* the calendar argument is a Const */
	Pointer last_raw; /* for a stable argument: its datum, and its entry */
	CacheEntry *last_entry;
} CalendarCache;

/* (Re)builds entry e for the calendar whose stored body (after the varlena header) is given. */
static void
build_entry(CacheEntry *e, const char *body, Size bodylen, int64 lo, int64 hi)
{
	MemoryContext old;
	const char *msg;
	bool ok;
	Size len = bodylen + VARHDRSZ;

	/* if anything below fails, the entry must not be found again half-built */
	e->len = 0;
	if (e->cache->last_entry == e)
		e->cache->last_raw = NULL;
	MemoryContextReset(e->cxt);
	old = MemoryContextSwitchTo(e->cxt);
	/* a copy with a 4-byte header, aligned, whatever form the argument came in */
	e->bytes = palloc(len);
	SET_VARSIZE(e->bytes, len);
	memcpy(e->bytes + VARHDRSZ, body, bodylen);
	msg = bc_view(e->bytes, len, &e->pc.cal);
	if (msg)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED), errmsg("corrupt business calendar: %s", msg)));
	e->pc.tz = lookup_zone(e->pc.cal.zone, &ok);
	if (!ok)
		unknown_zone_error(e->pc.cal.zone);
	e->focus_lo = lo;
	e->focus_hi = hi;
	build_zone(&e->pc.zone, e->pc.tz, lo, hi);
	e->pc.prep = bc_prepare(&e->pc.cal, &e->pc.zone);
	MemoryContextSwitchTo(old);
	e->len = len;
}

static int64
clamp_ts(int64 t)
{
	if (t < CAL_MIN_TS)
		return CAL_MIN_TS;
	if (t > CAL_END_TS)
		return CAL_END_TS;
	return t;
}

/*
 * Widens the prepared window to include `need`: at least a year beyond it, and at least as much
 * again as the window was, so a query touching ever new instants rebuilds only O(log n) times.
 */
void
calendar_cover(PreparedCalendar *pc, TimestampTz need)
{
	CacheEntry *e = (CacheEntry *) pc;
	int64 lo = e->focus_lo, hi = e->focus_hi, width = Max(hi - lo, 366 * USECS_PER_DAY);
	char *body;
	Size bodylen = e->len - VARHDRSZ;

	if (need < lo)
		lo = need - width;
	if (need >= hi)
		hi = need + width;
	/* the bytes live in the context about to be reset: keep a copy */
	body = palloc(bodylen);
	memcpy(body, e->bytes + VARHDRSZ, bodylen);
	build_entry(e, body, bodylen, clamp_ts(lo), clamp_ts(hi));
	pfree(body);
}

/*
 * Whether argument argno is a Const of the calling expression: its datum then lives as long as
 * the plan and never changes, so its address identifies it.  (A Param does not qualify: in
 * PL/pgSQL a parameter's memory is reused for other values between calls.)
 */
static bool
arg_is_const(FmgrInfo *flinfo, int argno)
{
	Node *expr = flinfo->fn_expr;
	List *args;

	if (expr == NULL)
		return false;
	if (IsA(expr, FuncExpr))
		args = ((FuncExpr *) expr)->args;
	else
		return false;
	return argno < list_length(args) && IsA(list_nth(args, argno), Const);
}

static bool
entry_matches(const CacheEntry *e, const char *body, Size bodylen)
{
	return e->len == bodylen + VARHDRSZ && memcmp(e->bytes + VARHDRSZ, body, bodylen) == 0;
}

PreparedCalendar *
calendar_prepare(void **slot, FunctionCallInfo fcinfo, int argno, TimestampTz lo, TimestampTz hi)
{
	Pointer raw = DatumGetPointer(PG_GETARG_DATUM(argno));
	struct varlena *cal;
	const char *body;
	Size bodylen;
	CalendarCache *cache = (CalendarCache *) *slot;
	CacheEntry *e = NULL;

	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(CalendarCache));
		cache->arg_stable = arg_is_const(fcinfo->flinfo, argno);
		*slot = cache;
	}
	/* a constant calendar is the same datum on every row: no detoasting, no comparing */
	if (cache->arg_stable && raw == cache->last_raw)
	{
		e = cache->last_entry;
		goto found;
	}

	/*
	 * Compared in the form it comes in: a short (1-byte header) value is not copied, so a
	 * calendar from a table column costs a comparison per row, no allocation.  The entry used
	 * last is tried first.
	 */
	cal = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(argno));
	body = VARDATA_ANY(cal);
	bodylen = VARSIZE_ANY_EXHDR(cal);
	if (cache->last_entry != NULL && entry_matches(cache->last_entry, body, bodylen))
		e = cache->last_entry;
	for (int i = 0; e == NULL && i < cache->nentries; i++)
	{
		if (entry_matches(&cache->entries[i], body, bodylen))
			e = &cache->entries[i];
	}
	if (e == NULL)
	{
		if (cache->nentries < CACHE_SIZE)
		{
			e = &cache->entries[cache->nentries++];
			e->cache = cache;
			e->cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt, "cs_service calendar",
										   ALLOCSET_SMALL_SIZES);
		}
		else
		{
			e = &cache->entries[0];
			for (int i = 1; i < CACHE_SIZE; i++)
				if (cache->entries[i].used < e->used)
					e = &cache->entries[i];
		}
		/* a window of at least a year around the instants in play */
		build_entry(e, body, bodylen, clamp_ts(lo - 366 * USECS_PER_DAY),
					clamp_ts(hi + 366 * USECS_PER_DAY));
	}
	if ((Pointer) cal != raw)
		pfree(cal);
	cache->last_raw = cache->arg_stable ? raw : NULL;
	cache->last_entry = e;
found:
	e->used = ++cache->clock;
	if (lo < e->focus_lo)
		calendar_cover(&e->pc, lo);
	if (hi >= e->focus_hi)
		calendar_cover(&e->pc, hi);
	return &e->pc;
}

/* ---------------------------------------------------------------------------------------------
 * Type I/O
 * ------------------------------------------------------------------------------------------- */

/*
 * Real zones stay within about 16 hours of UTC; PostgreSQL also accepts POSIX-style strings
 * with offsets up to a week ("AAA+100BBB"), which the arithmetic (and common sense) does not
 * support.  Rejects a zone whose offset ever leaves +-26 hours in the years 1-2500.
 */
static void
check_zone_offsets(pg_tz *tz, const char *name)
{
	pg_time_t t = ts_to_pgtime(CAL_MIN_TS);
	pg_time_t end = ts_to_pgtime((int64) bc_days_from_civil(2500, 1, 1) * USECS_PER_DAY);
	long int before_off, after_off;
	int before_dst, after_dst, res;
	pg_time_t boundary;
	const long limit = 26 * 3600;

	for (int i = 0; i < 100000; i++)
	{
		res = pg_next_dst_boundary(&t, &before_off, &before_dst, &boundary, &after_off, &after_dst,
								   tz);
		if (res < 0 || before_off > limit || before_off < -limit ||
			(res == 1 && (after_off > limit || after_off < -limit)))
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							errmsg("time zone \"%s\" has a UTC offset beyond 26 hours", name),
							errdetail("Business calendars need a time zone within a day of UTC."),
							errhint("Use an IANA zone name such as \"Europe/Moscow\".")));
		if (res != 1 || boundary > end)
			break;
		t = boundary > t ? boundary : t + 1;
	}
}

/* Checks the zone, puts PostgreSQL's spelling of it in, and builds the stored value. */
static BusinessCalendar *
finish_calendar(bc_calendar *cal)
{
	bool ok;
	pg_tz *tz = lookup_zone(cal->zone, &ok);
	Size size;
	BusinessCalendar *result;

	if (!ok)
		unknown_zone_error(cal->zone);
	check_zone_offsets(tz, cal->zone);
	bc_set_zone(cal, pg_get_timezone_name(tz));
	size = bc_serialized_size(cal);
	result = palloc(size);
	bc_serialize(cal, result);
	SET_VARSIZE(result, size);
	return result;
}

PG_FUNCTION_INFO_V1(business_calendar_in);
Datum
business_calendar_in(PG_FUNCTION_ARGS)
{
	char *text = PG_GETARG_CSTRING(0);
	bc_calendar cal;
	bc_parse_error err;

	if (!bc_parse(text, strlen(text), &cal, &err))
	{
		int show = pg_mbcliplen(text + err.item_start, err.item_len, 200);
		char *item =
			psprintf("%.*s%s", show, text + err.item_start, show < err.item_len ? "..." : "");

		err.message[0] = pg_toupper((unsigned char) err.message[0]);
		ereport(
			ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid business calendar item \"%s\"", item), errdetail("%s.", err.message),
			 errhint(
				 "A calendar looks like \"Europe/Moscow; mon-fri 09:00-18:00; 2026-01-01..2026-01-08 off\".")));
	}
	PG_RETURN_BUSINESS_CALENDAR_P(finish_calendar(&cal));
}

static bc_calendar
view_of(BusinessCalendar *value)
{
	bc_calendar cal;
	const char *msg = bc_view(value, VARSIZE(value), &cal);

	if (msg)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED), errmsg("corrupt business calendar: %s", msg)));
	return cal;
}

PG_FUNCTION_INFO_V1(business_calendar_out);
Datum
business_calendar_out(PG_FUNCTION_ARGS)
{
	BusinessCalendar *value = PG_GETARG_BUSINESS_CALENDAR_P(0);
	bc_calendar cal = view_of(value);

	PG_RETURN_CSTRING(bc_format(&cal));
}

/*
 * Binary form: int8 version, text zone, int32 week_first[8], int32 nspans, spans as int32
 * pairs, int32 nranges, ranges as int32 quadruples.  Checked in full on receipt.
 */
PG_FUNCTION_INFO_V1(business_calendar_send);
Datum
business_calendar_send(PG_FUNCTION_ARGS)
{
	BusinessCalendar *value = PG_GETARG_BUSINESS_CALENDAR_P(0);
	bc_calendar cal = view_of(value);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint8(&buf, BC_FORMAT_VERSION);
	pq_sendstring(&buf, cal.zone);
	for (int i = 0; i < 8; i++)
		pq_sendint32(&buf, cal.week_first[i]);
	pq_sendint32(&buf, cal.nspans);
	for (int i = 0; i < cal.nspans; i++)
	{
		pq_sendint32(&buf, cal.spans[i].start);
		pq_sendint32(&buf, cal.spans[i].end);
	}
	pq_sendint32(&buf, cal.nranges);
	for (int i = 0; i < cal.nranges; i++)
	{
		pq_sendint32(&buf, cal.ranges[i].first);
		pq_sendint32(&buf, cal.ranges[i].last);
		pq_sendint32(&buf, cal.ranges[i].span_first);
		pq_sendint32(&buf, cal.ranges[i].span_count);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static void
bad_binary(const char *what)
{
	ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					errmsg("invalid binary business calendar: %s", what)));
}

PG_FUNCTION_INFO_V1(business_calendar_recv);
Datum
business_calendar_recv(PG_FUNCTION_ARGS)
{
	StringInfo buf = (StringInfo) PG_GETARG_POINTER(0);
	bc_calendar cal;
	bc_span *spans;
	bc_range *ranges;
	const char *zone;
	const char *msg;
	int version = pq_getmsgint(buf, 1);

	if (version != BC_FORMAT_VERSION)
		bad_binary("unknown format version");
	zone = pq_getmsgstring(buf);
	if (strlen(zone) > BC_MAX_ZONE_LEN)
		bad_binary("time zone name too long");
	for (int i = 0; i < 8; i++)
		cal.week_first[i] = (int32) pq_getmsgint(buf, 4);
	cal.nspans = (int32) pq_getmsgint(buf, 4);
	if (cal.nspans < 0 || (Size) cal.nspans > (Size) (buf->len - buf->cursor) / 8)
		bad_binary("span count does not match the data");
	spans = palloc(sizeof(bc_span) * (cal.nspans + 1));
	for (int i = 0; i < cal.nspans; i++)
	{
		spans[i].start = (int32) pq_getmsgint(buf, 4);
		spans[i].end = (int32) pq_getmsgint(buf, 4);
	}
	cal.nranges = (int32) pq_getmsgint(buf, 4);
	if (cal.nranges < 0 || (Size) cal.nranges > (Size) (buf->len - buf->cursor) / 16)
		bad_binary("range count does not match the data");
	ranges = palloc(sizeof(bc_range) * (cal.nranges + 1));
	for (int i = 0; i < cal.nranges; i++)
	{
		ranges[i].first = (int32) pq_getmsgint(buf, 4);
		ranges[i].last = (int32) pq_getmsgint(buf, 4);
		ranges[i].span_first = (int32) pq_getmsgint(buf, 4);
		ranges[i].span_count = (int32) pq_getmsgint(buf, 4);
	}
	cal.spans = spans;
	cal.ranges = ranges;
	cal.zone = pstrdup(zone);
	msg = bc_check(&cal);
	if (msg)
		bad_binary(msg);
	PG_RETURN_BUSINESS_CALENDAR_P(finish_calendar(&cal));
}

PG_FUNCTION_INFO_V1(business_calendar_eq);
Datum
business_calendar_eq(PG_FUNCTION_ARGS)
{
	BusinessCalendar *a = PG_GETARG_BUSINESS_CALENDAR_P(0);
	BusinessCalendar *b = PG_GETARG_BUSINESS_CALENDAR_P(1);

	PG_RETURN_BOOL(VARSIZE(a) == VARSIZE(b) &&
				   memcmp(VARDATA(a), VARDATA(b), VARSIZE(a) - VARHDRSZ) == 0);
}

PG_FUNCTION_INFO_V1(business_calendar_ne);
Datum
business_calendar_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!DatumGetBool(
		DirectFunctionCall2(business_calendar_eq, PG_GETARG_DATUM(0), PG_GETARG_DATUM(1))));
}

/*
 * A total order on calendars (by their stored bytes), so they can be sorted for GROUP BY,
 * DISTINCT and merge joins.  It means nothing beyond that: equal calendars sort together.
 */
static int
calendar_cmp(FunctionCallInfo fcinfo)
{
	BusinessCalendar *a = PG_GETARG_BUSINESS_CALENDAR_P(0);
	BusinessCalendar *b = PG_GETARG_BUSINESS_CALENDAR_P(1);
	Size la = VARSIZE(a) - VARHDRSZ, lb = VARSIZE(b) - VARHDRSZ;
	int c = memcmp(VARDATA(a), VARDATA(b), Min(la, lb));

	if (c != 0)
		return c < 0 ? -1 : 1;
	return (la > lb) - (la < lb);
}

PG_FUNCTION_INFO_V1(business_calendar_cmp);
Datum
business_calendar_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(calendar_cmp(fcinfo));
}

PG_FUNCTION_INFO_V1(business_calendar_lt);
Datum
business_calendar_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(calendar_cmp(fcinfo) < 0);
}

PG_FUNCTION_INFO_V1(business_calendar_le);
Datum
business_calendar_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(calendar_cmp(fcinfo) <= 0);
}

PG_FUNCTION_INFO_V1(business_calendar_gt);
Datum
business_calendar_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(calendar_cmp(fcinfo) > 0);
}

PG_FUNCTION_INFO_V1(business_calendar_ge);
Datum
business_calendar_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(calendar_cmp(fcinfo) >= 0);
}

PG_FUNCTION_INFO_V1(business_calendar_hash);
Datum
business_calendar_hash(PG_FUNCTION_ARGS)
{
	BusinessCalendar *a = PG_GETARG_BUSINESS_CALENDAR_P(0);

	PG_RETURN_DATUM(hash_any((unsigned char *) VARDATA(a), VARSIZE(a) - VARHDRSZ));
}

/* ---------------------------------------------------------------------------------------------
 * Business-time functions
 * ------------------------------------------------------------------------------------------- */

static void
check_instant(TimestampTz t, const char *what)
{
	if (TIMESTAMP_NOT_FINITE(t))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("%s must be finite", what),
				 errdetail("Business time cannot be measured to or from infinity.")));
	if (t < CAL_MIN_TS || t >= CAL_END_TS)
		ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
						errmsg("%s is out of range for business-time arithmetic", what),
						errdetail("Business calendars cover the years 0001 to 9999.")));
}

/* Turns a core status into the error it means; `need` is where the answer lies. */
static void
raise_status(bc_status st, const char *func)
{
	switch (st)
	{
		case BC_OK:
		case BC_NEED_COVERAGE:
			return;
		case BC_UNREACHABLE:
			ereport(
				ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s cannot be reached in this business calendar", func),
				 errdetail(
					 "The calendar does not have enough business time in the years 0001 to 9999 for the amount."),
				 errhint("Check that the calendar has weekly hours, not only date rules.")));
			break;
		case BC_OUT_OF_RANGE:
			ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
							errmsg("%s result is out of range", func),
							errdetail("Business calendars cover the years 0001 to 9999.")));
			break;
	}
}

/* A computed instant must lie in the years 1-9999 like the arguments. */
static void
check_result(int64 result, const char *func)
{
	if (result < CAL_MIN_TS || result >= CAL_END_TS)
		raise_status(BC_OUT_OF_RANGE, func);
}

/* Extends the zone window to `need`, or reports that the answer lies beyond the years 1-9999. */
static void
cover_or_fail(PreparedCalendar *pc, int64 need, const char *func)
{
	if (need < CAL_MIN_TS || need > CAL_END_TS)
		raise_status(BC_OUT_OF_RANGE, func);
	calendar_cover(pc, need);
}

static Interval *
make_time_interval(int64 usecs)
{
	Interval *result = palloc(sizeof(Interval));

	result->time = usecs;
	result->day = 0;
	result->month = 0;
	return result;
}

/*
 * business_duration(a, b, cal) in microseconds, cal being argument argno, its prepared form
 * cached in *slot; every check and error of the SQL function.
 */
int64
calendar_duration(void **slot, FunctionCallInfo fcinfo, int argno, TimestampTz a, TimestampTz b)
{
	PreparedCalendar *pc;
	int64_t result, need;
	bc_status st;

	check_instant(a, "business_duration start");
	check_instant(b, "business_duration end");
	pc = calendar_prepare(slot, fcinfo, argno, Min(a, b), Max(a, b));
	while ((st = bc_duration(pc->prep, a, b, &result, &need)) == BC_NEED_COVERAGE)
		cover_or_fail(pc, need, "business_duration");
	raise_status(st, "business_duration");
	return result;
}

/* business_add(ts, amount microseconds, cal), as calendar_duration */
TimestampTz
calendar_add(void **slot, FunctionCallInfo fcinfo, int argno, TimestampTz ts, int64 amount)
{
	PreparedCalendar *pc;
	int64_t result, need;
	bc_status st;

	check_instant(ts, "business_add start");
	pc = calendar_prepare(slot, fcinfo, argno, ts, ts);
	while ((st = bc_add(pc->prep, ts, amount, &result, &need)) == BC_NEED_COVERAGE)
		cover_or_fail(pc, need, "business_add");
	raise_status(st, "business_add");
	check_result(result, "business_add");
	return result;
}

PG_FUNCTION_INFO_V1(business_duration);
Datum
business_duration(PG_FUNCTION_ARGS)
{
	TimestampTz a = PG_GETARG_TIMESTAMPTZ(0);
	TimestampTz b = PG_GETARG_TIMESTAMPTZ(1);

	PG_RETURN_INTERVAL_P(
		make_time_interval(calendar_duration(&fcinfo->flinfo->fn_extra, fcinfo, 2, a, b)));
}

PG_FUNCTION_INFO_V1(business_add);
Datum
business_add(PG_FUNCTION_ARGS)
{
	TimestampTz ts = PG_GETARG_TIMESTAMPTZ(0);
	Interval *amount = PG_GETARG_INTERVAL_P(1);

	check_instant(ts, "business_add start"); /* before the amount, as calendar_add does */
	if (amount->month != 0 || amount->day != 0)
		ereport(
			ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("business_add amount must not have days or months"),
			 errdetail(
				 "The amount was %s; a business day has no fixed length.",
				 DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(amount)))),
			 errhint(
				 "Give the amount in hours, e.g. interval '16 hours', or use business_days_add for whole business days.")));
	PG_RETURN_TIMESTAMPTZ(calendar_add(&fcinfo->flinfo->fn_extra, fcinfo, 2, ts, amount->time));
}

PG_FUNCTION_INFO_V1(business_days_add);
Datum
business_days_add(PG_FUNCTION_ARGS)
{
	TimestampTz ts = PG_GETARG_TIMESTAMPTZ(0);
	int32 days = PG_GETARG_INT32(1);
	PreparedCalendar *pc;
	int64_t result, need;
	bc_status st;

	check_instant(ts, "business_days_add start");
	pc = calendar_prepare(&fcinfo->flinfo->fn_extra, fcinfo, 2, ts, ts);
	while ((st = bc_days_add(pc->prep, ts, days, &result, &need)) == BC_NEED_COVERAGE)
		cover_or_fail(pc, need, "business_days_add");
	raise_status(st, "business_days_add");
	check_result(result, "business_days_add");
	PG_RETURN_TIMESTAMPTZ(result);
}

PG_FUNCTION_INFO_V1(is_business_time);
Datum
is_business_time(PG_FUNCTION_ARGS)
{
	TimestampTz ts = PG_GETARG_TIMESTAMPTZ(0);
	PreparedCalendar *pc;
	int64_t need;
	bool result;
	bc_status st;

	check_instant(ts, "is_business_time instant");
	pc = calendar_prepare(&fcinfo->flinfo->fn_extra, fcinfo, 1, ts, ts + 1);
	while ((st = bc_is_business(pc->prep, ts, &result, &need)) == BC_NEED_COVERAGE)
		cover_or_fail(pc, need, "is_business_time");
	raise_status(st, "is_business_time");
	PG_RETURN_BOOL(result);
}

PG_FUNCTION_INFO_V1(next_business_time);
Datum
next_business_time(PG_FUNCTION_ARGS)
{
	TimestampTz ts = PG_GETARG_TIMESTAMPTZ(0);
	PreparedCalendar *pc;
	int64_t result, need;
	bc_status st;

	check_instant(ts, "next_business_time instant");
	pc = calendar_prepare(&fcinfo->flinfo->fn_extra, fcinfo, 1, ts, ts + 1);
	while ((st = bc_next_business(pc->prep, ts, &result, &need)) == BC_NEED_COVERAGE)
		cover_or_fail(pc, need, "next_business_time");
	raise_status(st, "next_business_time");
	check_result(result, "next_business_time");
	PG_RETURN_TIMESTAMPTZ(result);
}

PG_FUNCTION_INFO_V1(business_windows);
Datum
business_windows(PG_FUNCTION_ARGS)
{
	RangeType *r = PG_GETARG_RANGE_P(0);
	BusinessCalendar *value = PG_GETARG_BUSINESS_CALENDAR_P(1);
	Oid mltrngtypoid = get_fn_expr_rettype(fcinfo->flinfo);
	TypeCacheEntry *rangetyp = lookup_type_cache(TSTZRANGEOID, TYPECACHE_RANGE_INFO);
	RangeBound lower, upper;
	bool empty, ok;
	bc_calendar cal = view_of(value);
	bc_zone zone;
	bc_piece *pieces;
	RangeType **ranges;
	int n;
	int64 a, b;

	if (!OidIsValid(mltrngtypoid))
		mltrngtypoid = TSTZMULTIRANGEOID;
	range_deserialize(rangetyp, r, &lower, &upper, &empty);
	if (empty)
		PG_RETURN_MULTIRANGE_P(make_empty_multirange(mltrngtypoid, rangetyp));
	if (lower.infinite || upper.infinite)
		ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
						errmsg("business_windows range must be bounded"),
						errhint("Give both ends, e.g. tstzrange('2026-01-01', '2026-02-01').")));
	a = DatumGetTimestampTz(lower.val);
	b = DatumGetTimestampTz(upper.val);
	check_instant(a, "business_windows range start");
	check_instant(b, "business_windows range end");
	if (!lower.inclusive)
		a += 1;
	if (upper.inclusive)
		b += 1;
	if (b - a > (int64) 200 * 366 * USECS_PER_DAY)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						errmsg("business_windows range is longer than 200 years")));
	zone.to_utc = local_to_utc;
	zone.arg = lookup_zone(cal.zone, &ok);
	if (!ok)
		unknown_zone_error(cal.zone);
	n = bc_exact_pieces(&cal, &zone, a, b, &pieces);
	ranges = palloc(sizeof(RangeType *) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		RangeBound lo = {0}, hi = {0};

		lo.val = TimestampTzGetDatum(pieces[i].start);
		lo.inclusive = true;
		lo.lower = true;
		hi.val = TimestampTzGetDatum(pieces[i].end);
		hi.inclusive = false;
		hi.lower = false;
		ranges[i] = make_range(rangetyp, &lo, &hi, false);
	}
	PG_RETURN_MULTIRANGE_P(make_multirange(mltrngtypoid, rangetyp, n, ranges));
}
