/*
 * testzone.h: time zones for testing the core without PostgreSQL.
 *
 * A zone is a table of offset transitions; local -> instant follows PostgreSQL's documented
 * rule for DST gaps and overlaps (a local time in a spring-forward gap is read with the offset
 * before the change, one in a fall-back overlap with the offset after it).
 */
#ifndef TESTZONE_H
#define TESTZONE_H

#include "bizcal.h"

typedef struct testzone
{
	bc_zone zone;
	bc_transition trans[512];
} testzone;

/* a fixed offset (seconds east) */
extern void testzone_fixed(testzone *tz, int32_t off);

/*
 * A zone with standard offset `std` and `dst` in summer, switching on the given local dates at
 * 02:00 local, for the years y0..y1: northern (spring forward in March, back in October/November)
 * or southern (forward in October, back in April).
 */
extern void testzone_dst(testzone *tz, int32_t std, int32_t dst, bool southern, int y0, int y1);

/* local -> instant, PostgreSQL's rule */
extern int64_t testzone_to_utc(int64_t local, void *arg);

/* microseconds since 2000-01-01 of a civil time (y, m, d, h, mi, s) */
extern int64_t ts_civil(int y, int m, int d, int h, int mi, int s);

#endif
