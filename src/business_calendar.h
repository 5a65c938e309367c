/*
 * business_calendar.h: the SQL type cs_service.business_calendar.
 *
 * A varlena whose body is the core's serialized calendar (src/core/calendar.h): canonical,
 * ready to compute with, never re-parsed.  A glue header: include after postgres.h.
 */
#ifndef CS_BUSINESS_CALENDAR_H
#define CS_BUSINESS_CALENDAR_H

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "pgtime.h"

#include "bizcal.h"

typedef struct varlena BusinessCalendar;

#define DatumGetBusinessCalendarP(X)	 ((BusinessCalendar *) PG_DETOAST_DATUM(X))
#define PG_GETARG_BUSINESS_CALENDAR_P(n) DatumGetBusinessCalendarP(PG_GETARG_DATUM(n))
#define PG_RETURN_BUSINESS_CALENDAR_P(x) PG_RETURN_POINTER(x)

/* A calendar prepared for computing, with its zone's transitions for a window of instants. */
typedef struct PreparedCalendar
{
	bc_calendar cal; /* points into `bytes` */
	bc_zone zone;
	bc_prepared *prep;
	pg_tz *tz;
} PreparedCalendar;

/*
 * The prepared calendar for argument `argno` of the current call, covering instants lo..hi
 * (grown on demand by calendar_cover).  The call site's cache of prepared calendars lives in
 * *slot (NULL at first; allocated in fn_mcxt): &fcinfo->flinfo->fn_extra for a function that
 * keeps nothing else there, a field of its own fn_extra state otherwise.
 */
extern PreparedCalendar *calendar_prepare(void **slot, FunctionCallInfo fcinfo, int argno,
										  TimestampTz lo, TimestampTz hi);
extern void calendar_cover(PreparedCalendar *pc, TimestampTz need);

/*
 * business_duration(a, b, cal) and business_add(ts, amount, cal) with amounts in microseconds,
 * cal being argument `argno` of the current call, cached in *slot as for calendar_prepare.  The
 * same checks and errors as the SQL functions (whose names the messages carry); no allocation
 * once the calendar is prepared and covers the instants.
 */
extern int64 calendar_duration(void **slot, FunctionCallInfo fcinfo, int argno, TimestampTz a,
							   TimestampTz b);
extern TimestampTz calendar_add(void **slot, FunctionCallInfo fcinfo, int argno, TimestampTz ts,
								int64 amount);

#endif
