/*
 * bizcal.h: business-time arithmetic on a calendar (pure C, no PostgreSQL headers).
 *
 * Instants are microseconds since 2000-01-01 00:00 UTC (PostgreSQL's timestamptz); local times
 * are microseconds since 2000-01-01 00:00 local (PostgreSQL's timestamp).
 *
 * The time zone comes from the caller (the PostgreSQL glue, which reads PostgreSQL's own
 * zone data): a table of UTC-offset transitions known for a window of instants, and a function
 * converting a local time to an instant exactly as `timestamp AT TIME ZONE` does.
 *
 * How it is fast.  Let U be the set of business instants and F(u) the measure of U up to u (a
 * running total with an arbitrary origin), so business_duration(a, b) = F(b) - F(a).  Far from
 * any offset transition (3 days or more) the instant u is business time exactly when its local
 * time is, so there F(u) = M(u + offset) + E, where M is the running total of business time on
 * the local clock and E a constant per stretch between transitions.  M is computed in O(log R)
 * for R date rules: whole weeks arithmetically, date rules through prefix sums found by binary
 * search.  Around each transition (a "cluster" of +-3 days) U is computed from the definition,
 * once, when the calendar is prepared, and searched by binary search afterwards.  So no call
 * costs more for a longer interval.
 */
#ifndef CS_BIZCAL_H
#define CS_BIZCAL_H

#include "calendar.h"

#define BC_USECS_PER_SEC INT64_C(1000000)
#define BC_USECS_PER_DAY INT64_C(86400000000)

typedef struct bc_transition
{
	int64_t at;			/* instant of the change */
	int32_t off_before; /* UTC offset before, seconds east */
	int32_t off_after;	/* UTC offset from `at` on */
} bc_transition;

typedef int64_t (*bc_local_to_utc_fn)(int64_t local, void *arg);

typedef struct bc_zone
{
	/*
	 * Every transition in [lo - BC_ZONE_MARGIN, hi + BC_ZONE_MARGIN) is listed, in order, so
	 * instants in [lo, hi) can be computed with.  INT64_MIN / INT64_MAX mean unbounded.
	 */
	int64_t lo;
	int64_t hi;
	int32_t off_first; /* the offset before the first listed transition */
	int32_t ntrans;
	bc_transition *trans;
	bc_local_to_utc_fn to_utc; /* exact local -> instant conversion */
	void *arg;

	/*
	 * The instants the caller expects to compute with (optional; 0, 0 for none): their local
	 * days get a precomputed table, so the hot path is a lookup instead of a search.
	 */
	int64_t focus_lo;
	int64_t focus_hi;
} bc_zone;

#define BC_MAX_TABLE_DAYS 100000

#define BC_CLUSTER_HALF (3 * BC_USECS_PER_DAY)
#define BC_ZONE_MARGIN	(12 * BC_USECS_PER_DAY)

typedef enum bc_status
{
	BC_OK = 0,
	BC_NEED_COVERAGE, /* the zone table must cover *need; extend and call again */
	BC_UNREACHABLE,	  /* no business time can reach the target */
	BC_OUT_OF_RANGE	  /* beyond years 0001..9999 */
} bc_status;

typedef struct bc_prepared bc_prepared;

/* Derived data for computing with `cal` in `zone`; both must outlive the result. */
extern bc_prepared *bc_prepare(const bc_calendar *cal, const bc_zone *zone);
extern void bc_prepared_free(bc_prepared *p);
extern bool bc_covers(const bc_prepared *p, int64_t u);

/* Local time of instant u (requires coverage). */
extern int64_t bc_utc_to_local(const bc_prepared *p, int64_t u);

/* business time in [a, b), negative if b < a */
extern bc_status bc_duration(const bc_prepared *p, int64_t a, int64_t b, int64_t *result,
							 int64_t *need);

/* see doc/calendar.md: business_add */
extern bc_status bc_add(const bc_prepared *p, int64_t ts, int64_t amount, int64_t *result,
						int64_t *need);

/* same local clock time on the n-th following (n < 0: preceding) business day */
extern bc_status bc_days_add(const bc_prepared *p, int64_t ts, int32_t n, int64_t *result,
							 int64_t *need);

extern bc_status bc_is_business(const bc_prepared *p, int64_t u, bool *result, int64_t *need);
extern bc_status bc_next_business(const bc_prepared *p, int64_t u, int64_t *result, int64_t *need);

/*
 * Business time within [a, b) from the definition (spans date by date, bounds converted with
 * zone->to_utc, union), as sorted disjoint non-touching pieces.  Needs no coverage.  Returns
 * the count; *pieces is cs_alloc'ed (pairs start, end).
 */
typedef struct bc_piece
{
	int64_t start;
	int64_t end;
} bc_piece;
extern int bc_exact_pieces(const bc_calendar *cal, const bc_zone *zone, int64_t a, int64_t b,
						   bc_piece **pieces);

#endif
