/*
 * business_calendar.h: the SQL type cs_service.business_calendar.
 *
 * A varlena whose body is the core's serialized calendar (src/core/calendar.h): canonical,
 * ready to compute with, never re-parsed.
 */
#ifndef CS_BUSINESS_CALENDAR_H
#define CS_BUSINESS_CALENDAR_H

#include "postgres.h"

#include "fmgr.h"
#include "pgtime.h"

#include "bizcal.h"

typedef struct varlena BusinessCalendar;

#define DatumGetBusinessCalendarP(X)	((BusinessCalendar *) PG_DETOAST_DATUM(X))
#define PG_GETARG_BUSINESS_CALENDAR_P(n) DatumGetBusinessCalendarP(PG_GETARG_DATUM(n))
#define PG_RETURN_BUSINESS_CALENDAR_P(x) PG_RETURN_POINTER(x)

/* A calendar prepared for computing, with its zone's transitions for a window of instants. */
typedef struct PreparedCalendar
{
	bc_calendar cal;			/* points into `bytes` */
	bc_zone		zone;
	bc_prepared *prep;
	pg_tz	   *tz;
} PreparedCalendar;

/*
 * The prepared calendar for argument `argno` of the current call, cached in fn_extra, covering
 * instants lo..hi (grown on demand by calendar_cover).
 */
extern PreparedCalendar *calendar_prepare(FunctionCallInfo fcinfo, int argno, TimestampTz lo, TimestampTz hi);
extern void calendar_cover(PreparedCalendar *pc, TimestampTz need);

#endif
