/*
 * slaclock.c: the SLA clock state machine, its checks and its text form.  See slaclock.h.
 *
 * Pure C: no PostgreSQL headers, no calendar.  Business time arrives as a measurement with each
 * event, so every function here is plain arithmetic on the state.
 */
#include "slaclock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs_alloc.h"

static const char *const kind_names[SLA_NKINDS] = {"opened",
												   "customer_message",
												   "agent_reply",
												   "waiting_on_client",
												   "resumed",
												   "resolved",
												   "reopened",
												   "waiting_on_third_party",
												   "waiting_on_internal"};

static const char *const party_names[SLA_NPARTIES] = {"none", "client", "third_party", "internal"};

static const char *const metric_names[SLA_NMETRICS] = {"first_response", "next_response",
													   "resolution", "periodic_update"};

static const char *const phase_names[SLA_NPHASES] = {"new", "open", "resolved"};

static int
name_index(const char *const *names, int n, const char *name, size_t len)
{
	for (int i = 0; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			return i;
	return -1;
}

int
sla_kind_from_name(const char *name, size_t len)
{
	return name_index(kind_names, SLA_NKINDS, name, len);
}

const char *
sla_kind_name(sla_kind k)
{
	return (k >= 0 && k < SLA_NKINDS) ? kind_names[k] : "?";
}

int
sla_metric_from_name(const char *name, size_t len)
{
	return name_index(metric_names, SLA_NMETRICS, name, len);
}

const char *
sla_metric_name(sla_metric m)
{
	return (m >= 0 && m < SLA_NMETRICS) ? metric_names[m] : "?";
}

const char *
sla_phase_name(sla_phase p)
{
	return (p >= 0 && p < SLA_NPHASES) ? phase_names[p] : "?";
}

int
sla_party_from_name(const char *name, size_t len)
{
	int p = name_index(party_names, SLA_NPARTIES, name, len);

	return p > SLA_PARTY_NONE ? p : -1;
}

const char *
sla_party_name(sla_party p)
{
	return (p >= 0 && p < SLA_NPARTIES) ? party_names[p] : "?";
}

sla_party
sla_kind_party(sla_kind k)
{
	switch (k)
	{
		case SLA_WAITING_ON_CLIENT:
			return SLA_PARTY_CLIENT;
		case SLA_WAITING_ON_THIRD_PARTY:
			return SLA_PARTY_THIRD_PARTY;
		case SLA_WAITING_ON_INTERNAL:
			return SLA_PARTY_INTERNAL;
		default:
			return SLA_PARTY_NONE;
	}
}

/* ---------------------------------------------------------------------------------------------
 * The state machine
 * ------------------------------------------------------------------------------------------- */

static inline int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static inline void
anchor_set(sla_anchor *a, int64_t at, int64_t elapsed)
{
	a->at = at;
	a->elapsed = elapsed;
}

void
sla_clock_init(sla_clock *c)
{
	memset(c, 0, sizeof(*c));
	c->phase = SLA_PHASE_NEW;
	c->asof = SLA_NONE;
	c->opened_at = SLA_NONE;
	c->resolved_at = SLA_NONE;
	c->pause_since = SLA_NONE;
	c->pause_on = SLA_PAUSE_DEFAULT;
	c->hold = SLA_PARTY_NONE;
	c->hold_since = SLA_NONE;
	c->first_response_at = SLA_NONE;
	c->fr_stop_at = SLA_NONE;
	anchor_set(&c->fr_anchor, SLA_NONE, 0);
	c->wait_start = SLA_NONE;
	c->wait_stop = SLA_NONE;
	anchor_set(&c->wait_anchor, SLA_NONE, 0);
	c->cycle_start = SLA_NONE;
	c->first_resolved_at = SLA_NONE;
	anchor_set(&c->cycle_anchor, SLA_NONE, 0);
	c->gap_start = SLA_NONE;
	anchor_set(&c->gap_anchor, SLA_NONE, 0);
}

bool
sla_clock_needs_measure(const sla_clock *c)
{
	return c->phase == SLA_PHASE_OPEN;
}

bool
sla_clock_set_pause_on(sla_clock *c, uint32_t pause_on)
{
	if (pause_on & ~(uint32_t) SLA_PAUSE_ALL)
		return false;
	if (c->pause_on == pause_on)
		return true;
	if (c->events > 0)
		return false;
	c->pause_on = pause_on;
	return true;
}

/* Let `business` of business time pass on the running clocks (from c->asof on). */
static void
accumulate(sla_clock *c, int64_t business)
{
	if (c->phase != SLA_PHASE_OPEN || business <= 0)
		return;
	if (c->hold != SLA_PARTY_NONE)
		c->waited[c->hold - 1] += business;
	if (c->flags & SLA_F_PAUSED)
	{
		c->paused_time += business;
		return;
	}
	c->elapsed += business;
	c->cycle_elapsed += business;
	c->gap_elapsed += business;
	if (c->flags & SLA_F_WAITING)
	{
		c->wait_elapsed += business;
		if (!(c->flags & SLA_F_FR_DONE))
			c->fr_elapsed += business;
	}
}

static void
start_wait(sla_clock *c, int64_t at)
{
	c->flags |= SLA_F_WAITING;
	c->wait_start = at;
	c->wait_stop = SLA_NONE;
	c->wait_elapsed = 0;
	anchor_set(&c->wait_anchor, at, 0);
	if (c->flags & SLA_F_FR_DONE)
	{
		c->flags |= SLA_F_WAIT_IS_NEXT;
		c->next_waits++;
	}
	else
		c->flags &= ~SLA_F_WAIT_IS_NEXT;
}

/* The running wait ends at `at`: answered (reply) or closed by a resolution. */
static void
end_wait(sla_clock *c, int64_t at, bool reply)
{
	if (!(c->flags & SLA_F_WAITING))
		return;
	c->flags &= ~SLA_F_WAITING;
	c->wait_stop = at;
	c->longest_wait = max64(c->longest_wait, c->wait_elapsed);
	if (!(c->flags & SLA_F_FR_DONE))
	{
		c->flags |= SLA_F_FR_DONE;
		c->fr_stop_at = at;
		if (reply)
			c->first_response_at = at;
	}
	else
		c->longest_next_wait = max64(c->longest_next_wait, c->wait_elapsed);
}

static void
resume(sla_clock *c, int64_t at)
{
	c->flags &= ~SLA_F_PAUSED;
	c->pause_since = SLA_NONE;
	/* every running instance starts a new stretch here */
	if (!(c->flags & SLA_F_FR_DONE))
		anchor_set(&c->fr_anchor, at, c->fr_elapsed);
	if (c->flags & SLA_F_WAITING)
		anchor_set(&c->wait_anchor, at, c->wait_elapsed);
	anchor_set(&c->cycle_anchor, at, c->cycle_elapsed);
	anchor_set(&c->gap_anchor, at, c->gap_elapsed);
}

/*
 * From `at` on the request waits on `party` (SLA_PARTY_NONE: on no one): the clock stands if the
 * party is a pause party, and runs again (a new stretch for every running instance) if it stood.
 * A pause that goes on from one pause party to another keeps its start.
 */
static void
set_hold(sla_clock *c, int64_t at, sla_party party)
{
	bool was_paused = (c->flags & SLA_F_PAUSED) != 0;
	bool pauses = party != SLA_PARTY_NONE && (c->pause_on & SLA_PARTY_BIT(party));

	c->hold = party;
	c->hold_since = party == SLA_PARTY_NONE ? SLA_NONE : at;
	if (was_paused && !pauses)
		resume(c, at);
	else if (!was_paused && pauses)
	{
		c->flags |= SLA_F_PAUSED;
		c->pause_since = at;
	}
}

static void
start_cycle(sla_clock *c, int64_t at)
{
	c->phase = SLA_PHASE_OPEN;
	c->cycles++;
	c->cycle_start = at;
	c->cycle_elapsed = 0;
	anchor_set(&c->cycle_anchor, at, 0);
	c->gap_start = at;
	c->gap_elapsed = 0;
	anchor_set(&c->gap_anchor, at, 0);
	c->flags &= ~SLA_F_PAUSED;
	c->pause_since = SLA_NONE;
	c->hold = SLA_PARTY_NONE;
	c->hold_since = SLA_NONE;
	start_wait(c, at);
}

static void
resolve(sla_clock *c, int64_t at)
{
	c->flags &= ~SLA_F_PAUSED;
	c->pause_since = SLA_NONE;
	c->hold = SLA_PARTY_NONE;
	c->hold_since = SLA_NONE;
	end_wait(c, at, false);
	c->longest_gap = max64(c->longest_gap, c->gap_elapsed);
	c->longest_cycle = max64(c->longest_cycle, c->cycle_elapsed);
	if (c->cycles == 1)
	{
		c->first_resolved_at = at;
		c->first_resolution = c->cycle_elapsed;
	}
	c->resolved_at = at;
	c->phase = SLA_PHASE_RESOLVED;
}

sla_step_status
sla_clock_step(sla_clock *c, int64_t at, sla_kind kind, int64_t business)
{
	if (kind < 0 || kind >= SLA_NKINDS || at < SLA_MIN_INSTANT || at > SLA_MAX_INSTANT)
		return SLA_STEP_BAD_INPUT;
	if (c->asof != SLA_NONE && at < c->asof)
		return SLA_STEP_OUT_OF_ORDER;
	if (sla_clock_needs_measure(c) && business < 0)
		return SLA_STEP_BAD_INPUT;

	accumulate(c, business);
	c->asof = at;
	c->events++;

	switch (c->phase)
	{
		case SLA_PHASE_NEW:
			if (kind != SLA_OPENED)
				break;
			c->opened_at = at;
			c->cycles = 0;
			anchor_set(&c->fr_anchor, at, 0);
			start_cycle(c, at);
			return SLA_STEP_OK;

		case SLA_PHASE_OPEN:
			switch (kind)
			{
				case SLA_OPENED:
				case SLA_REOPENED:
					break;
				case SLA_CUSTOMER_MESSAGE:
					/* the client answered: that ends a wait on the client, not on others */
					if (c->hold == SLA_PARTY_CLIENT)
						set_hold(c, at, SLA_PARTY_NONE);
					if (!(c->flags & SLA_F_WAITING))
						start_wait(c, at);
					return SLA_STEP_OK;
				case SLA_AGENT_REPLY:
					c->replies++;
					end_wait(c, at, true);
					c->longest_gap = max64(c->longest_gap, c->gap_elapsed);
					c->gap_start = at;
					c->gap_elapsed = 0;
					anchor_set(&c->gap_anchor, at, 0);
					return SLA_STEP_OK;
				case SLA_WAITING_ON_CLIENT:
				case SLA_WAITING_ON_THIRD_PARTY:
				case SLA_WAITING_ON_INTERNAL:
					if (c->hold == (int32_t) sla_kind_party(kind))
						break;
					set_hold(c, at, sla_kind_party(kind));
					return SLA_STEP_OK;
				case SLA_RESUMED:
					if (c->hold == SLA_PARTY_NONE)
						break;
					set_hold(c, at, SLA_PARTY_NONE);
					return SLA_STEP_OK;
				case SLA_RESOLVED:
					resolve(c, at);
					return SLA_STEP_OK;
				default:
					break;
			}
			break;

		case SLA_PHASE_RESOLVED:
			switch (kind)
			{
				case SLA_REOPENED:
					start_cycle(c, at);
					return SLA_STEP_OK;
				case SLA_CUSTOMER_MESSAGE:
					/* the client writes again: an implicit reopen, the message starts the wait */
					start_cycle(c, at);
					return SLA_STEP_OK;
				case SLA_AGENT_REPLY:
					c->replies++;
					return SLA_STEP_OK;
				default:
					break;
			}
			break;
	}
	c->ignored++;
	return SLA_STEP_IGNORED;
}

void
sla_clock_advance(sla_clock *c, int64_t asof, int64_t business)
{
	if (c->asof == SLA_NONE || asof <= c->asof || asof > SLA_MAX_INSTANT)
		return;
	if (sla_clock_needs_measure(c))
	{
		if (business < 0)
			return;
		accumulate(c, business);
	}
	c->asof = asof;
}

sla_metric_view
sla_clock_metric(const sla_clock *c, sla_metric m)
{
	sla_metric_view v;
	bool open = c->phase == SLA_PHASE_OPEN;
	bool paused = (c->flags & SLA_F_PAUSED) != 0;
	bool resolved = c->phase == SLA_PHASE_RESOLVED;

	memset(&v, 0, sizeof(v));
	v.started_at = SLA_NONE;
	v.stopped_at = SLA_NONE;
	v.anchor.at = SLA_NONE;
	if (c->phase == SLA_PHASE_NEW)
		return v;

	switch (m)
	{
		case SLA_FIRST_RESPONSE:
			v.exists = true;
			v.started_at = c->opened_at;
			v.stopped = (c->flags & SLA_F_FR_DONE) != 0;
			v.stopped_at = v.stopped ? c->fr_stop_at : SLA_NONE;
			v.elapsed = v.worst = c->fr_elapsed;
			v.anchor = c->fr_anchor;
			break;
		case SLA_NEXT_RESPONSE:
			if (!(c->flags & SLA_F_WAIT_IS_NEXT))
			{
				/* no next wait has begun; only finished ones (none) would count */
				if (c->next_waits == 0)
					return v;
				/* unreachable by the state machine: a finished next wait keeps the flag */
			}
			v.exists = true;
			v.started_at = c->wait_start;
			v.stopped = !(c->flags & SLA_F_WAITING);
			v.stopped_at = v.stopped ? c->wait_stop : SLA_NONE;
			v.elapsed = c->wait_elapsed;
			v.worst = max64(c->longest_next_wait, c->wait_elapsed);
			v.anchor = c->wait_anchor;
			break;
		case SLA_RESOLUTION:
			v.exists = true;
			v.started_at = c->cycle_start;
			v.stopped = resolved;
			v.stopped_at = resolved ? c->resolved_at : SLA_NONE;
			v.elapsed = c->cycle_elapsed;
			v.worst = max64(c->longest_cycle, c->cycle_elapsed);
			v.anchor = c->cycle_anchor;
			break;
		case SLA_PERIODIC_UPDATE:
			v.exists = true;
			v.started_at = c->gap_start;
			v.stopped = resolved;
			v.stopped_at = resolved ? c->resolved_at : SLA_NONE;
			v.elapsed = c->gap_elapsed;
			v.worst = max64(c->longest_gap, c->gap_elapsed);
			v.anchor = c->gap_anchor;
			break;
		default:
			return v;
	}
	v.running = open && !paused && !v.stopped;
	return v;
}

bool
sla_due_amount(const sla_metric_view *m, int64_t target, int64_t *amount)
{
	if (!m->exists || target <= 0 || m->anchor.at == SLA_NONE)
		return false;
	if (target <= m->elapsed)
	{
		/* reached: exactly when, if within the latest stretch */
		if (target < m->anchor.elapsed)
			return false;
		*amount = target - m->anchor.elapsed;
		return true;
	}
	if (!m->running)
		return false; /* met (stopped) or suspended (paused) */
	*amount = target - m->anchor.elapsed;
	return true;
}

/* ---------------------------------------------------------------------------------------------
 * Fields, checks
 * ------------------------------------------------------------------------------------------- */

typedef enum ftype
{
	F_COUNT32,	/* int32 >= 0 */
	F_COUNT64,	/* int64 >= 0 */
	F_INSTANT,	/* SLA_NONE or a finite instant */
	F_DURATION, /* >= 0 */
	F_PARTIES,	/* uint32: a set of SLA_PARTY_BIT */
	F_PARTY		/* int32: an sla_party */
} ftype;

typedef struct field
{
	const char *name;
	size_t off;
	ftype type;
} field;

#define FLD(name, member, type)                 \
	{                                           \
		name, offsetof(sla_clock, member), type \
	}

/* phase and flags come first (written by name in the text form); the rest in this order */
static const field fields[] = {
	FLD("cycles", cycles, F_COUNT32),
	FLD("replies", replies, F_COUNT32),
	FLD("next_waits", next_waits, F_COUNT32),
	FLD("ignored", ignored, F_COUNT32),
	FLD("events", events, F_COUNT64),
	FLD("asof", asof, F_INSTANT),
	FLD("opened_at", opened_at, F_INSTANT),
	FLD("resolved_at", resolved_at, F_INSTANT),
	FLD("pause_since", pause_since, F_INSTANT),
	FLD("elapsed", elapsed, F_DURATION),
	FLD("paused_time", paused_time, F_DURATION),
	FLD("first_response_at", first_response_at, F_INSTANT),
	FLD("fr_stop_at", fr_stop_at, F_INSTANT),
	FLD("fr_elapsed", fr_elapsed, F_DURATION),
	FLD("fr_anchor_at", fr_anchor.at, F_INSTANT),
	FLD("fr_anchor_elapsed", fr_anchor.elapsed, F_DURATION),
	FLD("wait_start", wait_start, F_INSTANT),
	FLD("wait_stop", wait_stop, F_INSTANT),
	FLD("wait_elapsed", wait_elapsed, F_DURATION),
	FLD("longest_wait", longest_wait, F_DURATION),
	FLD("longest_next_wait", longest_next_wait, F_DURATION),
	FLD("wait_anchor_at", wait_anchor.at, F_INSTANT),
	FLD("wait_anchor_elapsed", wait_anchor.elapsed, F_DURATION),
	FLD("cycle_start", cycle_start, F_INSTANT),
	FLD("cycle_elapsed", cycle_elapsed, F_DURATION),
	FLD("longest_cycle", longest_cycle, F_DURATION),
	FLD("first_resolved_at", first_resolved_at, F_INSTANT),
	FLD("first_resolution", first_resolution, F_DURATION),
	FLD("cycle_anchor_at", cycle_anchor.at, F_INSTANT),
	FLD("cycle_anchor_elapsed", cycle_anchor.elapsed, F_DURATION),
	FLD("gap_start", gap_start, F_INSTANT),
	FLD("gap_elapsed", gap_elapsed, F_DURATION),
	FLD("longest_gap", longest_gap, F_DURATION),
	FLD("gap_anchor_at", gap_anchor.at, F_INSTANT),
	FLD("gap_anchor_elapsed", gap_anchor.elapsed, F_DURATION),
	/* version 2 */
	FLD("pause_on", pause_on, F_PARTIES),
	FLD("hold", hold, F_PARTY),
	FLD("hold_since", hold_since, F_INSTANT),
	FLD("waited_client", waited[SLA_PARTY_CLIENT - 1], F_DURATION),
	FLD("waited_third_party", waited[SLA_PARTY_THIRD_PARTY - 1], F_DURATION),
	FLD("waited_internal", waited[SLA_PARTY_INTERNAL - 1], F_DURATION),
};

#define NFIELDS	   ((int) (sizeof(fields) / sizeof(fields[0])))
#define NFIELDS_V1 (SLA_CLOCK_NFIELDS_V1 - 2)

static bool
is32(ftype t)
{
	return t == F_COUNT32 || t == F_PARTIES || t == F_PARTY;
}

_Static_assert(sizeof(fields) / sizeof(fields[0]) + 2 == SLA_CLOCK_NFIELDS,
			   "SLA_CLOCK_NFIELDS must count phase, flags and the field table");

static int64_t
get_field(const sla_clock *c, int i)
{
	const char *p = (const char *) c + fields[i].off;

	if (is32(fields[i].type))
	{
		int32_t v;

		memcpy(&v, p, sizeof(v));
		return v;
	}
	else
	{
		int64_t v;

		memcpy(&v, p, sizeof(v));
		return v;
	}
}

static bool
set_field(sla_clock *c, int i, int64_t v)
{
	char *p = (char *) c + fields[i].off;

	if (is32(fields[i].type))
	{
		int32_t w;

		if (v < INT32_MIN || v > INT32_MAX)
			return false;
		w = (int32_t) v;
		memcpy(p, &w, sizeof(w));
	}
	else
		memcpy(p, &v, sizeof(v));
	return true;
}

void
sla_clock_to_fields(const sla_clock *c, int64_t *out)
{
	out[0] = c->phase;
	out[1] = c->flags;
	for (int i = 0; i < NFIELDS; i++)
		out[2 + i] = get_field(c, i);
}

/*
 * A version 1 clock knew one party: its pause was a wait on the client, with the default pause
 * parties, and all its paused time was waited on the client.
 */
void
sla_clock_upgrade_v1(sla_clock *c)
{
	c->pause_on = SLA_PAUSE_DEFAULT;
	c->hold = (c->flags & SLA_F_PAUSED) ? SLA_PARTY_CLIENT : SLA_PARTY_NONE;
	c->hold_since = c->pause_since;
	c->waited[SLA_PARTY_CLIENT - 1] = c->paused_time;
	c->waited[SLA_PARTY_THIRD_PARTY - 1] = 0;
	c->waited[SLA_PARTY_INTERNAL - 1] = 0;
}

static bool
from_fields(sla_clock *c, const int64_t *in, int nfields)
{
	sla_clock_init(c);
	if (in[0] < 0 || in[0] >= SLA_NPHASES || in[1] < 0 || in[1] > SLA_F_ALL)
		return false;
	c->phase = (int32_t) in[0];
	c->flags = (uint32_t) in[1];
	for (int i = 0; i < nfields; i++)
		if (!set_field(c, i, in[2 + i]))
			return false;
	return true;
}

bool
sla_clock_from_fields(sla_clock *c, const int64_t *in)
{
	return from_fields(c, in, NFIELDS);
}

bool
sla_clock_from_fields_v1(sla_clock *c, const int64_t *in)
{
	if (!from_fields(c, in, NFIELDS_V1))
		return false;
	sla_clock_upgrade_v1(c);
	return true;
}

static bool
instant_ok(int64_t v)
{
	return v == SLA_NONE || (v >= SLA_MIN_INSTANT && v <= SLA_MAX_INSTANT);
}

const char *
sla_clock_check(const sla_clock *c)
{
	bool paused = (c->flags & SLA_F_PAUSED) != 0;
	bool waiting = (c->flags & SLA_F_WAITING) != 0;
	bool fr_done = (c->flags & SLA_F_FR_DONE) != 0;

	if (c->phase < 0 || c->phase >= SLA_NPHASES)
		return "unknown phase";
	if (c->flags & ~(uint32_t) SLA_F_ALL)
		return "unknown flags";
	for (int i = 0; i < NFIELDS; i++)
	{
		int64_t v = get_field(c, i);

		switch (fields[i].type)
		{
			case F_COUNT32:
			case F_COUNT64:
			case F_DURATION:
				if (v < 0)
					return "a count or a duration is negative";
				break;
			case F_INSTANT:
				if (!instant_ok(v))
					return "an instant is out of range";
				break;
			case F_PARTIES:
				if (v < 0 || v > SLA_PAUSE_ALL)
					return "unknown pause parties";
				break;
			case F_PARTY:
				if (v < SLA_PARTY_NONE || v >= SLA_NPARTIES)
					return "unknown party waited on";
				break;
		}
	}
	{
		int64_t on_pause_parties = 0;

		for (int p = SLA_PARTY_CLIENT; p < SLA_NPARTIES; p++)
			if (c->pause_on & SLA_PARTY_BIT(p))
				on_pause_parties += c->waited[p - 1];
		if (on_pause_parties != c->paused_time)
			return "the paused time is not the time waited on the pause parties";
	}
	if ((c->hold != SLA_PARTY_NONE) != (c->hold_since != SLA_NONE))
		return "the party waited on and hold_since disagree";
	if (paused != (c->hold != SLA_PARTY_NONE && (c->pause_on & SLA_PARTY_BIT(c->hold)) != 0))
		return "paused disagrees with the party waited on and the pause parties";
	if (paused && c->pause_since > c->hold_since)
		return "the pause began after the wait that pauses it";
	if (c->hold != SLA_PARTY_NONE && c->phase != SLA_PHASE_OPEN)
		return "only an open clock can wait on a party";
	if (c->hold != SLA_PARTY_NONE && (c->hold_since < c->cycle_start || c->hold_since > c->asof))
		return "the wait on a party began outside [cycle start, asof]";
	if (c->events < (int64_t) c->ignored)
		return "more ignored events than events";
	if (c->phase == SLA_PHASE_NEW)
	{
		if (c->flags != 0 || c->cycles != 0 || c->opened_at != SLA_NONE || c->elapsed != 0 ||
			c->paused_time != 0 || c->replies != 0 || c->next_waits != 0 || c->waited[0] != 0 ||
			c->waited[1] != 0 || c->waited[2] != 0)
			return "a clock that was never opened has a running state";
		if (c->events > 0 && c->asof == SLA_NONE)
			return "events without an instant";
		return NULL;
	}
	if (c->opened_at == SLA_NONE || c->asof == SLA_NONE || c->asof < c->opened_at)
		return "an opened clock needs opened_at <= asof";
	if (c->cycles < 1 || c->events < 1)
		return "an opened clock needs a cycle and an event";
	if (c->cycle_start == SLA_NONE || c->cycle_start < c->opened_at || c->cycle_start > c->asof)
		return "the cycle start is outside [opened_at, asof]";
	if (c->gap_start == SLA_NONE || c->wait_start == SLA_NONE)
		return "the update gap or the reply wait has no start";
	if (paused != (c->pause_since != SLA_NONE))
		return "paused and pause_since disagree";
	if (paused && c->phase != SLA_PHASE_OPEN)
		return "only an open clock can be paused";
	if (waiting && c->phase != SLA_PHASE_OPEN)
		return "only an open clock can wait for a reply";
	if (waiting == (c->wait_stop != SLA_NONE))
		return "the reply wait's stop disagrees with its state";
	if (!fr_done && (!waiting || c->phase != SLA_PHASE_OPEN || c->first_response_at != SLA_NONE))
		return "the first response is pending but no first wait runs";
	if (fr_done && c->fr_stop_at == SLA_NONE)
		return "the first response is done but has no stop";
	if ((c->flags & SLA_F_WAIT_IS_NEXT) && (!fr_done || c->next_waits < 1))
		return "a next-response wait before the first response";
	if (c->phase == SLA_PHASE_RESOLVED && c->resolved_at == SLA_NONE)
		return "a resolved clock needs resolved_at";
	if (c->fr_elapsed > c->elapsed || c->cycle_elapsed > c->elapsed ||
		c->gap_elapsed > c->elapsed || c->wait_elapsed > c->elapsed)
		return "a metric has more time than the whole clock";
	if (c->fr_anchor.elapsed > c->fr_elapsed || c->wait_anchor.elapsed > c->wait_elapsed ||
		c->cycle_anchor.elapsed > c->cycle_elapsed || c->gap_anchor.elapsed > c->gap_elapsed)
		return "an anchor is past its metric's elapsed time";
	return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Text form
 * ------------------------------------------------------------------------------------------- */

#define USECS_PER_SEC INT64_C(1000000)
#define USECS_PER_DAY INT64_C(86400000000)

static int64_t
fdiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* days since 2000-01-01 <-> proleptic Gregorian y-m-d (astronomical years) */
static int64_t
days_from_ymd(int64_t y, int m, int d)
{
	int64_t yy = y - (m <= 2);
	int64_t era = fdiv(yy, 400);
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 730425;
}

static void
ymd_from_days(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 730425;
	int64_t era = fdiv(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int) (doy - (153 * mp + 2) / 5 + 1);
	*m = (int) (mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
days_in_month(int64_t y, int m)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return (m == 2 && leap) ? 29 : dm[m - 1];
}

typedef struct sbuf
{
	char *data;
	size_t len;
	size_t cap;
} sbuf;

static void
sb_append(sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 1 > b->cap)
	{
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap ? b->cap * 2 : 256;
		b->data = cs_realloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, s, n + 1);
	b->len += n;
}

static void
format_instant(char *out, size_t outlen, int64_t v)
{
	int64_t days, usec, y;
	int m, d;
	int hh, mi, ss;
	long frac;
	char year[24];

	if (v == SLA_NONE)
	{
		snprintf(out, outlen, "-");
		return;
	}
	days = fdiv(v, USECS_PER_DAY);
	usec = v - days * USECS_PER_DAY;
	ymd_from_days(days, &y, &m, &d);
	hh = (int) (usec / (3600 * USECS_PER_SEC));
	mi = (int) (usec / (60 * USECS_PER_SEC) % 60);
	ss = (int) (usec / USECS_PER_SEC % 60);
	frac = (long) (usec % USECS_PER_SEC);
	if (y >= 0 && y <= 9999)
		snprintf(year, sizeof(year), "%04lld", (long long) y);
	else
		snprintf(year, sizeof(year), "%+05lld", (long long) y);
	if (frac)
		snprintf(out, outlen, "%s-%02d-%02dT%02d:%02d:%02d.%06ldZ", year, m, d, hh, mi, ss, frac);
	else
		snprintf(out, outlen, "%s-%02d-%02dT%02d:%02d:%02dZ", year, m, d, hh, mi, ss);
}

/* a set of parties: "client,third_party", or "none" */
static void
format_parties(char *out, size_t outlen, int64_t v)
{
	size_t n = 0;

	out[0] = '\0';
	for (int p = SLA_PARTY_CLIENT; p < SLA_NPARTIES; p++)
		if (v & SLA_PARTY_BIT(p))
			n += snprintf(out + n, n < outlen ? outlen - n : 0, "%s%s", n ? "," : "",
						  party_names[p]);
	if (n == 0)
		snprintf(out, outlen, "none");
}

static void
format_duration(char *out, size_t outlen, int64_t v)
{
	long long s = (long long) (v / USECS_PER_SEC);
	long f = (long) (v % USECS_PER_SEC);

	if (f)
		snprintf(out, outlen, "%lld.%06ld", s, f);
	else
		snprintf(out, outlen, "%lld", s);
}

char *
sla_clock_format(const sla_clock *c)
{
	sbuf b = {NULL, 0, 0};
	char val[64];
	bool first = true;
	static const char *const flag_names[] = {"paused", "waiting", "fr_done", "next_wait"};

	snprintf(val, sizeof(val), "v%d phase=%s flags=", SLA_FORMAT_VERSION,
			 sla_phase_name((sla_phase) c->phase));
	sb_append(&b, val);
	for (int i = 0; i < 4; i++)
		if (c->flags & (1u << i))
		{
			if (!first)
				sb_append(&b, ",");
			sb_append(&b, flag_names[i]);
			first = false;
		}
	if (first)
		sb_append(&b, "none");
	for (int i = 0; i < NFIELDS; i++)
	{
		int64_t v = get_field(c, i);

		sb_append(&b, " ");
		sb_append(&b, fields[i].name);
		sb_append(&b, "=");
		switch (fields[i].type)
		{
			case F_COUNT32:
			case F_COUNT64:
				snprintf(val, sizeof(val), "%lld", (long long) v);
				break;
			case F_INSTANT:
				format_instant(val, sizeof(val), v);
				break;
			case F_DURATION:
				format_duration(val, sizeof(val), v);
				break;
			case F_PARTIES:
				format_parties(val, sizeof(val), v);
				break;
			case F_PARTY:
				snprintf(val, sizeof(val), "%s",
						 v == SLA_PARTY_NONE ? "-" : sla_party_name((sla_party) v));
				break;
		}
		sb_append(&b, val);
	}
	return b.data;
}

/* a parse cursor over [p, end) */
typedef struct cursor
{
	const char *p;
	const char *end;
} cursor;

static bool
read_digits(cursor *cur, int min, int max, int64_t *out)
{
	int n = 0;
	int64_t v = 0;

	while (cur->p < cur->end && *cur->p >= '0' && *cur->p <= '9' && n < max)
	{
		v = v * 10 + (*cur->p - '0');
		cur->p++;
		n++;
	}
	if (n < min)
		return false;
	if (cur->p < cur->end && *cur->p >= '0' && *cur->p <= '9')
		return false; /* too many digits */
	*out = v;
	return true;
}

static bool
expect(cursor *cur, char ch)
{
	if (cur->p < cur->end && *cur->p == ch)
	{
		cur->p++;
		return true;
	}
	return false;
}

static bool
read_fraction(cursor *cur, int64_t *usec)
{
	int64_t f = 0;
	int n = 0;

	*usec = 0;
	if (!expect(cur, '.'))
		return true;
	while (cur->p < cur->end && *cur->p >= '0' && *cur->p <= '9')
	{
		if (n == 6)
			return false;
		f = f * 10 + (*cur->p - '0');
		cur->p++;
		n++;
	}
	if (n == 0)
		return false;
	while (n++ < 6)
		f *= 10;
	*usec = f;
	return true;
}

static bool
parse_instant(cursor *cur, int64_t *out)
{
	int64_t y, mo, d, hh, mi, ss, frac;
	int sign = 1;
	int64_t v;

	if (expect(cur, '-'))
	{
		if (cur->p == cur->end || *cur->p < '0' || *cur->p > '9')
		{
			*out = SLA_NONE;
			return true;
		}
		sign = -1;
	}
	else
		(void) expect(cur, '+');
	if (!read_digits(cur, 4, 6, &y) || !expect(cur, '-') || !read_digits(cur, 2, 2, &mo) ||
		!expect(cur, '-') || !read_digits(cur, 2, 2, &d) || !expect(cur, 'T') ||
		!read_digits(cur, 2, 2, &hh) || !expect(cur, ':') || !read_digits(cur, 2, 2, &mi) ||
		!expect(cur, ':') || !read_digits(cur, 2, 2, &ss) || !read_fraction(cur, &frac) ||
		!expect(cur, 'Z'))
		return false;
	y *= sign;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, (int) mo) || hh > 23 || mi > 59 ||
		ss > 59)
		return false;
	v = days_from_ymd(y, (int) mo, (int) d) * USECS_PER_DAY +
		((hh * 60 + mi) * 60 + ss) * USECS_PER_SEC + frac;
	if (v < SLA_MIN_INSTANT || v > SLA_MAX_INSTANT)
		return false;
	*out = v;
	return true;
}

static bool
parse_duration(cursor *cur, int64_t *out)
{
	int64_t s, f;

	if (!read_digits(cur, 1, 12, &s) || !read_fraction(cur, &f))
		return false;
	*out = s * USECS_PER_SEC + f;
	return true;
}

static bool
parse_count(cursor *cur, int64_t *out)
{
	return read_digits(cur, 1, 18, out);
}

static bool read_word(cursor *cur, const char **w, size_t *len, const char *stops);

/* "client,third_party" or "none" */
static bool
parse_parties(cursor *cur, int64_t *out)
{
	const char *w;
	size_t wl;

	*out = 0;
	if ((size_t) (cur->end - cur->p) >= 4 && memcmp(cur->p, "none", 4) == 0)
	{
		cur->p += 4;
		return true;
	}
	for (;;)
	{
		int p;

		if (!read_word(cur, &w, &wl, ", \t\r\n"))
			return false;
		p = sla_party_from_name(w, wl);
		if (p < 0 || (*out & SLA_PARTY_BIT(p)))
			return false;
		*out |= SLA_PARTY_BIT(p);
		if (!expect(cur, ','))
			return true;
	}
}

/* a party's name or "-" */
static bool
parse_party(cursor *cur, int64_t *out)
{
	const char *w;
	size_t wl;
	int p;

	if (!read_word(cur, &w, &wl, " \t\r\n"))
		return false;
	if (wl == 1 && w[0] == '-')
	{
		*out = SLA_PARTY_NONE;
		return true;
	}
	p = sla_party_from_name(w, wl);
	*out = p;
	return p > 0;
}

static bool
fail(char *err, size_t errlen, const char *fmt, const char *arg)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, arg);
	return false;
}

/* reads "name=" at the cursor */
static bool
read_key(cursor *cur, const char *name)
{
	size_t n = strlen(name);

	if ((size_t) (cur->end - cur->p) < n + 1 || memcmp(cur->p, name, n) != 0 || cur->p[n] != '=')
		return false;
	cur->p += n + 1;
	return true;
}

static void
skip_spaces(cursor *cur)
{
	while (cur->p < cur->end &&
		   (*cur->p == ' ' || *cur->p == '\t' || *cur->p == '\n' || *cur->p == '\r'))
		cur->p++;
}

static bool
read_word(cursor *cur, const char **w, size_t *len, const char *stops)
{
	const char *s = cur->p;

	while (cur->p < cur->end && strchr(stops, *cur->p) == NULL)
		cur->p++;
	*w = s;
	*len = (size_t) (cur->p - s);
	return *len > 0;
}

bool
sla_clock_parse(const char *text, size_t len, sla_clock *out, char *err, size_t errlen)
{
	cursor cur = {text, text + len};
	static const char *const flag_names[] = {"paused", "waiting", "fr_done", "next_wait"};
	const char *w;
	size_t wl;
	int64_t ver;
	int phase;
	uint32_t flags = 0;
	const char *check;

	sla_clock_init(out);
	skip_spaces(&cur);
	if (!expect(&cur, 'v') || !read_digits(&cur, 1, 4, &ver))
		return fail(err, errlen, "expected a version (\"v%s\") at the start", "2");
	if (ver != SLA_FORMAT_VERSION && ver != 1)
		return fail(err, errlen, "unsupported version; this build reads v%s", "1 and v2");

	skip_spaces(&cur);
	if (!read_key(&cur, "phase") || !read_word(&cur, &w, &wl, " \t\r\n"))
		return fail(err, errlen, "expected %s", "\"phase=new|open|resolved\"");
	phase = name_index(phase_names, SLA_NPHASES, w, wl);
	if (phase < 0)
		return fail(err, errlen, "expected %s", "\"phase=new|open|resolved\"");

	skip_spaces(&cur);
	if (!read_key(&cur, "flags"))
		return fail(err, errlen, "expected %s", "\"flags=\"");
	if ((size_t) (cur.end - cur.p) >= 4 && memcmp(cur.p, "none", 4) == 0)
		cur.p += 4;
	else
		for (;;)
		{
			int f;

			if (!read_word(&cur, &w, &wl, ", \t\r\n"))
				return fail(err, errlen, "expected %s",
							"flags paused,waiting,fr_done,next_wait or none");
			f = name_index(flag_names, 4, w, wl);
			if (f < 0)
				return fail(err, errlen, "expected %s",
							"flags paused,waiting,fr_done,next_wait or none");
			flags |= 1u << f;
			if (!expect(&cur, ','))
				break;
		}
	out->phase = phase;
	out->flags = flags;

	for (int i = 0; i < (ver == 1 ? NFIELDS_V1 : NFIELDS); i++)
	{
		int64_t v = 0;
		bool ok;

		skip_spaces(&cur);
		if (!read_key(&cur, fields[i].name))
			return fail(err, errlen, "expected \"%s=\"", fields[i].name);
		switch (fields[i].type)
		{
			case F_INSTANT:
				ok = parse_instant(&cur, &v);
				break;
			case F_DURATION:
				ok = parse_duration(&cur, &v);
				break;
			case F_PARTIES:
				ok = parse_parties(&cur, &v);
				break;
			case F_PARTY:
				ok = parse_party(&cur, &v);
				break;
			default:
				ok = parse_count(&cur, &v);
				break;
		}
		if (ok && cur.p < cur.end && *cur.p != ' ' && *cur.p != '\t' && *cur.p != '\n' &&
			*cur.p != '\r')
			ok = false;
		if (!ok || !set_field(out, i, v))
			return fail(
				err, errlen,
				fields[i].type == F_INSTANT
					? "bad value for \"%s\": expected YYYY-MM-DDTHH:MM:SS[.ffffff]Z or -"
				: fields[i].type == F_DURATION ? "bad value for \"%s\": expected seconds[.ffffff]"
				: fields[i].type == F_PARTIES
					? "bad value for \"%s\": expected client,third_party,internal (some of them) or none"
				: fields[i].type == F_PARTY
					? "bad value for \"%s\": expected client, third_party, internal or -"
					: "bad value for \"%s\": expected a non-negative integer",
				fields[i].name);
	}
	skip_spaces(&cur);
	if (cur.p != cur.end)
		return fail(err, errlen, "%s", "unexpected text after the last field");
	if (ver == 1)
		sla_clock_upgrade_v1(out);
	check = sla_clock_check(out);
	if (check)
		return fail(err, errlen, "inconsistent clock: %s", check);
	return true;
}
