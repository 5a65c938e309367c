/*
 * slaclock.h: the SLA clock, a state machine over a request's event log (pure C, no PostgreSQL
 * headers).
 *
 * Instants are microseconds since 2000-01-01 00:00 UTC (PostgreSQL's timestamptz); durations
 * are microseconds.  SLA_NONE marks an instant or a duration that does not exist (yet).
 *
 * The clock never looks at a calendar.  Whoever feeds it (the PostgreSQL glue, or a unit test)
 * measures the business time between the clock's `asof` instant and the next event, and passes
 * that measurement along with the event: see sla_clock_needs_measure() and sla_clock_step().
 * So one clock can be driven by any calendar, and the state machine is tested on its own.
 *
 * The rules (doc/sla.md, "The clock", is the user-facing version):
 *
 *   - Nothing happens before the first `opened`.  Other events before it, a second `opened`,
 *     `reopened` while open, a `waiting_on_<party>` while already waiting on that party or
 *     resolved, and `resumed` while waiting on no one are ignored and counted in `ignored`.
 *   - `waiting_on_client`, `waiting_on_third_party` and `waiting_on_internal` start a wait on
 *     that party, or move the running wait to it.  Business time waited is counted per party
 *     (`waited`).  A wait on one of the clock's pause parties (`pause_on`, by default the client
 *     and third parties) pauses the clock; a wait on another party (by default `internal`) lets it
 *     run.  `resumed` ends the wait; a `customer_message` ends a wait on the client only; a
 *     resolution ends any wait.
 *   - While open and not paused, business time runs on every clock: total elapsed, the current
 *     cycle (resolution), the current reply wait (first or next response) and the time since the
 *     last update (periodic update).  While paused it runs on `paused_time` only.
 *   - `opened` starts cycle 1 and the first wait for a reply.  `customer_message` starts a wait
 *     unless one is running, and ends a pause (the client answered).  `agent_reply` ends the wait
 *     (the first one ends the first-response metric) and restarts the update gap.
 *     `waiting_on_client` pauses; `resumed` ends the pause.
 *   - `resolved` stops every clock: the running wait ends there (a first response not given by
 *     then is measured up to the resolution, and first_response_at stays unset), the cycle ends.
 *   - `reopened` after `resolved` starts a new cycle and a new wait; the old cycle is kept (cycle
 *     count, first resolution, the longest cycle).  A `customer_message` after `resolved`
 *     reopens implicitly.  `agent_reply` after `resolved` is counted and moves no clock.
 */
#ifndef CS_SLACLOCK_H
#define CS_SLACLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SLA_NONE		   INT64_MIN
#define SLA_FORMAT_VERSION 2

/* PostgreSQL's finite timestamp range (4714-11-24 BC .. 294276 AD), as instants. */
#define SLA_MIN_INSTANT INT64_C(-211813488000000000)
#define SLA_MAX_INSTANT INT64_C(9223371331199999999)

typedef enum sla_kind
{
	SLA_OPENED = 0,
	SLA_CUSTOMER_MESSAGE,
	SLA_AGENT_REPLY,
	SLA_WAITING_ON_CLIENT,
	SLA_RESUMED,
	SLA_RESOLVED,
	SLA_REOPENED,
	SLA_WAITING_ON_THIRD_PARTY,
	SLA_WAITING_ON_INTERNAL,
	SLA_NKINDS
} sla_kind;

/*
 * Whom a wait is on.  A `waiting_on_*` event starts a wait on its party (or moves the running
 * wait to it); the clock counts the business time waited per party whatever the party, and a
 * wait stops the clock (pauses it) only when its party is one of the clock's pause parties.
 */
typedef enum sla_party
{
	SLA_PARTY_NONE = 0, /* no wait on anyone */
	SLA_PARTY_CLIENT,
	SLA_PARTY_THIRD_PARTY,
	SLA_PARTY_INTERNAL,
	SLA_NPARTIES
} sla_party;

/* pause parties: a set of parties, bit (party - 1) */
#define SLA_PARTY_BIT(p)  ((uint32_t) 1 << ((p) -1))
#define SLA_PAUSE_DEFAULT (SLA_PARTY_BIT(SLA_PARTY_CLIENT) | SLA_PARTY_BIT(SLA_PARTY_THIRD_PARTY))
#define SLA_PAUSE_ALL	  0x07
#define SLA_NWAIT_PARTIES (SLA_NPARTIES - 1)

typedef enum sla_metric
{
	SLA_FIRST_RESPONSE = 0,
	SLA_NEXT_RESPONSE,
	SLA_RESOLUTION,
	SLA_PERIODIC_UPDATE,
	SLA_NMETRICS
} sla_metric;

typedef enum sla_phase
{
	SLA_PHASE_NEW = 0, /* no `opened` yet */
	SLA_PHASE_OPEN,
	SLA_PHASE_RESOLVED,
	SLA_NPHASES
} sla_phase;

/* flags */
#define SLA_F_PAUSED	   0x01 /* a wait on one of the pause parties runs: the clock stands */
#define SLA_F_WAITING	   0x02 /* the client waits for a reply */
#define SLA_F_FR_DONE	   0x04 /* first response given (or request resolved before it) */
#define SLA_F_WAIT_IS_NEXT 0x08 /* wait_* describe a next-response wait, not the first one */
#define SLA_F_ALL		   0x0F

/* A metric instance's stretch since its start or its last resume (for exact due instants). */
typedef struct sla_anchor
{
	int64_t at;		 /* instant the stretch began */
	int64_t elapsed; /* the metric's elapsed time at that instant */
} sla_anchor;

typedef struct sla_clock
{
	int32_t phase;		/* sla_phase */
	uint32_t flags;		/* SLA_F_* */
	int32_t cycles;		/* 1 + reopens */
	int32_t replies;	/* agent replies */
	int32_t next_waits; /* next-response waits started */
	int32_t ignored;	/* events ignored by the rules above */
	int64_t events;		/* events seen, ignored ones included */

	int64_t asof; /* the last event's instant, or where sla_clock_advance moved it */
	int64_t opened_at;
	int64_t resolved_at; /* latest resolution (kept after a reopen) */
	int64_t pause_since; /* start of the current pause */

	int64_t elapsed;	 /* SLA time over all cycles: business time, paused time excluded */
	int64_t paused_time; /* business time spent paused */

	/* first response */
	int64_t first_response_at; /* first agent reply */
	int64_t fr_stop_at;		   /* first reply, or the resolution that came before it */
	int64_t fr_elapsed;
	sla_anchor fr_anchor;

	/* reply waits (the first one is the first-response wait) */
	int64_t wait_start; /* current or last wait */
	int64_t wait_stop;	/* SLA_NONE while it runs */
	int64_t wait_elapsed;
	int64_t longest_wait;	   /* longest finished wait, first included */
	int64_t longest_next_wait; /* longest finished next-response wait */
	sla_anchor wait_anchor;

	/* resolution cycles */
	int64_t cycle_start;
	int64_t cycle_elapsed;
	int64_t longest_cycle; /* longest finished cycle */
	int64_t first_resolved_at;
	int64_t first_resolution; /* SLA time of cycle 1 up to its resolution */
	sla_anchor cycle_anchor;

	/* periodic update: the gap since opening, the last agent reply or the last reopen */
	int64_t gap_start;
	int64_t gap_elapsed;
	int64_t longest_gap; /* longest finished gap */
	sla_anchor gap_anchor;

	/*
	 * Version 2: waits on a party (they pause the clock if the party is in pause_on).  Last, so
	 * that a version 1 clock is this struct's prefix.
	 */
	uint32_t pause_on;				   /* the pause parties (SLA_PARTY_BIT), fixed for the clock */
	int32_t hold;					   /* sla_party the current wait is on, or SLA_PARTY_NONE */
	int64_t hold_since;				   /* start of the current wait on that party */
	int64_t waited[SLA_NWAIT_PARTIES]; /* business time waited per party (party - 1) */
} sla_clock;

/* the size of a version 1 clock: the fields before pause_on */
#define SLA_CLOCK_V1_SIZE offsetof(sla_clock, pause_on)

typedef enum sla_step_status
{
	SLA_STEP_OK = 0,
	SLA_STEP_IGNORED,	   /* applied as a no-op by the rules; counted in `ignored` */
	SLA_STEP_OUT_OF_ORDER, /* at < asof: the clock is unchanged */
	SLA_STEP_BAD_INPUT	   /* unknown kind, instant out of range, negative measurement */
} sla_step_status;

/* A metric's current (or last) instance, as the views show it. */
typedef struct sla_metric_view
{
	bool exists;  /* false: the metric has not started (e.g. no next wait yet) */
	bool running; /* open, not stopped and not paused */
	bool stopped;
	int64_t started_at;
	int64_t stopped_at; /* SLA_NONE unless stopped */
	int64_t elapsed;	/* this instance */
	int64_t worst;		/* the longest instance so far, this one included */
	sla_anchor anchor;
} sla_metric_view;

extern void sla_clock_init(sla_clock *c);

/* Whether sla_clock_step/advance needs the business time from c->asof to the next instant. */
extern bool sla_clock_needs_measure(const sla_clock *c);

/*
 * Apply one event.  `business` is the business time in [c->asof, at) when
 * sla_clock_needs_measure(c), else ignored.
 */
extern sla_step_status sla_clock_step(sla_clock *c, int64_t at, sla_kind kind, int64_t business);

/* Let the running clocks run up to `asof` (no event); asof <= c->asof changes nothing. */
extern void sla_clock_advance(sla_clock *c, int64_t asof, int64_t business);

/*
 * Set the pause parties of a clock (a set of SLA_PARTY_BIT): on a clock that has seen no event
 * yet, or to the ones it already has.  Returns false (and changes nothing) otherwise, or when the
 * set has unknown bits.
 */
extern bool sla_clock_set_pause_on(sla_clock *c, uint32_t pause_on);

extern sla_metric_view sla_clock_metric(const sla_clock *c, sla_metric m);

/*
 * The instant a metric instance reaches `target`, from its anchor, when that can be known
 * exactly: *needs the business_add of (m.anchor.at, *amount)*.  Returns false when there is no
 * such instant to show: the target is not reached and the clock does not run (paused or stopped:
 * the deadline is suspended or was met), or it was reached before the instance's latest pause.
 */
extern bool sla_due_amount(const sla_metric_view *m, int64_t target, int64_t *amount);

/* Names. */
extern int sla_kind_from_name(const char *name, size_t len); /* -1 if unknown */
extern const char *sla_kind_name(sla_kind k);
extern int sla_metric_from_name(const char *name, size_t len); /* -1 if unknown */
extern const char *sla_metric_name(sla_metric m);
extern const char *sla_phase_name(sla_phase p);
extern int sla_party_from_name(const char *name, size_t len); /* -1 if unknown or "none" */
extern const char *sla_party_name(sla_party p);
/* the party a waiting_on_* kind is on, SLA_PARTY_NONE for other kinds */
extern sla_party sla_kind_party(sla_kind k);

/* Validation of a clock assembled from untrusted input; NULL if consistent. */
extern const char *sla_clock_check(const sla_clock *c);

/*
 * Text form: "v2 phase=open flags=... key=value ..." with instants in ISO 8601 UTC
 * (2026-01-05T09:00:00.000000Z, or "-" for none), durations in seconds with six decimals, the
 * pause parties as a list (client,third_party, or none) and the party waited on as a name (or
 * "-").  The parser also reads version 1 (before parties: its pause was a wait on the client).
 * sla_clock_format returns a cs_alloc'ed string; sla_clock_parse returns NULL on success or a
 * message naming what is wrong (copied into err, at most errlen bytes).
 */
extern char *sla_clock_format(const sla_clock *c);
extern bool sla_clock_parse(const char *text, size_t len, sla_clock *out, char *err, size_t errlen);

/*
 * Every field as an int64 (the int32 ones widened), in the order of the binary and text forms.
 * sla_clock_from_fields returns false if an int32 field does not fit; run sla_clock_check after.
 */
#define SLA_CLOCK_NFIELDS	 43
#define SLA_CLOCK_NFIELDS_V1 37 /* version 1: the same fields without the parties' six */
extern void sla_clock_to_fields(const sla_clock *c, int64_t *out);
extern bool sla_clock_from_fields(sla_clock *c, const int64_t *in);
/* the same from version 1's fields (their pause becomes a wait on the client) */
extern bool sla_clock_from_fields_v1(sla_clock *c, const int64_t *in);
/* a version 1 clock's fields set, the version 2 ones derived: its pause was a wait on the client */
extern void sla_clock_upgrade_v1(sla_clock *c);

#endif
