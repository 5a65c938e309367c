/*
 * Unit tests of the SLA clock state machine (src/core/slaclock.c), driven by hand-checked
 * timelines.  Business time comes from a tiny calendar written here, independently of the
 * extension's calendar code: Monday-Friday 09:00-18:00 UTC, with an optional list of holidays.
 */
#include <stdlib.h>

#include "slaclock.h"
#include "cs_alloc.h"
#include "unit.h"

#define SEC	 INT64_C(1000000)
#define MIN	 (60 * SEC)
#define HOUR (60 * MIN)
#define DAY	 (24 * HOUR)

/* days from 2000-01-01 for a date in 2000..2099 (enough here) */
static int64_t
day_no(int y, int m, int d)
{
	static const int cum[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
	int64_t days = 0;

	for (int yy = 2000; yy < y; yy++)
		days += (yy % 4 == 0) ? 366 : 365;
	days += cum[m - 1] + (m > 2 && y % 4 == 0) + d - 1;
	return days;
}

/* instant of y-m-d hh:mi UTC */
static int64_t
T(int y, int m, int d, int hh, int mi)
{
	return day_no(y, m, d) * DAY + hh * HOUR + mi * MIN;
}

static int64_t holidays[8];
static int nholidays;

/* business time in [a, b): Mon-Fri 09:00-18:00 UTC minus holidays; day 0 (2000-01-01) = Sat */
static int64_t
biz(int64_t a, int64_t b)
{
	int64_t total = 0;

	if (b <= a)
		return 0;
	for (int64_t day = a / DAY - 1; day <= b / DAY + 1; day++)
	{
		int wd = (int) ((day + 5) % 7); /* 0 = Monday */
		bool off = wd >= 5;
		int64_t s = day * DAY + 9 * HOUR, e = day * DAY + 18 * HOUR;

		for (int i = 0; i < nholidays; i++)
			if (holidays[i] == day)
				off = true;
		if (off)
			continue;
		if (s < a)
			s = a;
		if (e > b)
			e = b;
		if (e > s)
			total += e - s;
	}
	return total;
}

static int64_t
wall(int64_t a, int64_t b)
{
	return b > a ? b - a : 0;
}

typedef int64_t (*measure_fn)(int64_t, int64_t);

static sla_step_status
ev(sla_clock *c, measure_fn f, int64_t at, sla_kind k)
{
	return sla_clock_step(c, at, k, sla_clock_needs_measure(c) ? f(c->asof, at) : 0);
}

static void
adv(sla_clock *c, measure_fn f, int64_t at)
{
	sla_clock_advance(c, at, sla_clock_needs_measure(c) ? f(c->asof, at) : 0);
}

static void
roundtrip(const sla_clock *c)
{
	char *text = sla_clock_format(c);
	sla_clock back;
	char err[200];
	int64_t f1[SLA_CLOCK_NFIELDS], f2[SLA_CLOCK_NFIELDS];
	bool ok = sla_clock_parse(text, strlen(text), &back, err, sizeof(err));

	CHECK(sla_clock_check(c) == NULL);
	CHECK(ok);
	if (!ok)
		fprintf(stderr, "  parse error: %s\n  in: %s\n", err, text);
	sla_clock_to_fields(c, f1);
	sla_clock_to_fields(&back, f2);
	CHECK(memcmp(f1, f2, sizeof(f1)) == 0);
	cs_free(text);
}

UNIT_TEST(slaclock_names)
{
	CHECK_EQ_I64(sla_kind_from_name("opened", 6), SLA_OPENED);
	CHECK_EQ_I64(sla_kind_from_name("waiting_on_client", 17), SLA_WAITING_ON_CLIENT);
	CHECK_EQ_I64(sla_kind_from_name("reopen", 6), -1);
	CHECK_EQ_I64(sla_kind_from_name("openedx", 6), SLA_OPENED); /* length-bounded */
	CHECK_EQ_I64(sla_metric_from_name("periodic_update", 15), SLA_PERIODIC_UPDATE);
	CHECK_EQ_I64(sla_metric_from_name("resolution_time", 15), -1);
	CHECK_STR(sla_kind_name(SLA_REOPENED), "reopened");
	CHECK_STR(sla_metric_name(SLA_NEXT_RESPONSE), "next_response");
}

UNIT_TEST(slaclock_calendar_helper)
{
	/* 2026-01-09 is a Friday, 2026-01-12 a Monday */
	CHECK_EQ_I64(biz(T(2026, 1, 9, 16, 0), T(2026, 1, 12, 11, 0)), 4 * HOUR);
	CHECK_EQ_I64(biz(T(2026, 1, 10, 0, 0), T(2026, 1, 12, 0, 0)), 0);
}

/* Before opening nothing runs; the first `opened` starts everything. */
UNIT_TEST(slaclock_new_and_ignored)
{
	sla_clock c;
	sla_metric_view m;

	sla_clock_init(&c);
	CHECK(sla_clock_check(&c) == NULL);
	m = sla_clock_metric(&c, SLA_FIRST_RESPONSE);
	CHECK(!m.exists);
	CHECK_EQ_I64(ev(&c, biz, T(2026, 1, 5, 8, 0), SLA_AGENT_REPLY), SLA_STEP_IGNORED);
	CHECK_EQ_I64(c.phase, SLA_PHASE_NEW);
	CHECK_EQ_I64(c.replies, 0);
	CHECK_EQ_I64(ev(&c, biz, T(2026, 1, 5, 9, 0), SLA_OPENED), SLA_STEP_OK);
	CHECK_EQ_I64(ev(&c, biz, T(2026, 1, 5, 9, 30), SLA_OPENED), SLA_STEP_IGNORED);
	CHECK_EQ_I64(ev(&c, biz, T(2026, 1, 5, 9, 40), SLA_REOPENED), SLA_STEP_IGNORED);
	CHECK_EQ_I64(ev(&c, biz, T(2026, 1, 5, 9, 50), SLA_RESUMED), SLA_STEP_IGNORED);
	CHECK_EQ_I64(c.ignored, 4);
	CHECK_EQ_I64(c.events, 5);
	CHECK_EQ_I64(c.opened_at, T(2026, 1, 5, 9, 0));
	CHECK_EQ_I64(c.elapsed, 50 * MIN);
	CHECK_EQ_I64(c.fr_elapsed, 50 * MIN);
	roundtrip(&c);
}

/* Pause over a weekend: opened Fri 16:00, waiting Fri 17:00, resumed Mon 11:00, reply Mon 12:00,
 * resolved Mon 13:00 (Mon-Fri 09-18).  Running 16-17 + 11-12 = 2 h to the reply; paused
 * Fri 17-18 + Mon 09-11 = 3 h; resolution 16-17 + 11-13 = 3 h. */
UNIT_TEST(slaclock_pause_over_weekend)
{
	sla_clock c;
	sla_metric_view m;

	sla_clock_init(&c);
	CHECK_EQ_I64(ev(&c, biz, T(2026, 1, 9, 16, 0), SLA_OPENED), SLA_STEP_OK);
	CHECK_EQ_I64(ev(&c, biz, T(2026, 1, 9, 17, 0), SLA_WAITING_ON_CLIENT), SLA_STEP_OK);
	CHECK(c.flags & SLA_F_PAUSED);

	/* on Sunday the clock stands: advance and look */
	{
		sla_clock sun = c;

		adv(&sun, biz, T(2026, 1, 11, 12, 0));
		CHECK_EQ_I64(sun.elapsed, 1 * HOUR);
		CHECK_EQ_I64(sun.paused_time, 1 * HOUR);
		m = sla_clock_metric(&sun, SLA_FIRST_RESPONSE);
		CHECK(m.exists && !m.running && !m.stopped);
		CHECK_EQ_I64(m.elapsed, 1 * HOUR);
		roundtrip(&sun);
	}

	CHECK_EQ_I64(ev(&c, biz, T(2026, 1, 12, 11, 0), SLA_RESUMED), SLA_STEP_OK);
	CHECK_EQ_I64(c.paused_time, 3 * HOUR);
	CHECK_EQ_I64(c.elapsed, 1 * HOUR);
	CHECK_EQ_I64(ev(&c, biz, T(2026, 1, 12, 12, 0), SLA_AGENT_REPLY), SLA_STEP_OK);
	CHECK_EQ_I64(c.first_response_at, T(2026, 1, 12, 12, 0));
	CHECK_EQ_I64(c.fr_elapsed, 2 * HOUR);
	CHECK_EQ_I64(ev(&c, biz, T(2026, 1, 12, 13, 0), SLA_RESOLVED), SLA_STEP_OK);
	CHECK_EQ_I64(c.phase, SLA_PHASE_RESOLVED);
	CHECK_EQ_I64(c.first_resolution, 3 * HOUR);
	CHECK_EQ_I64(c.first_resolved_at, T(2026, 1, 12, 13, 0));
	CHECK_EQ_I64(c.elapsed, 3 * HOUR);
	CHECK_EQ_I64(c.paused_time, 3 * HOUR);

	m = sla_clock_metric(&c, SLA_RESOLUTION);
	CHECK(m.exists && m.stopped && !m.running);
	CHECK_EQ_I64(m.worst, 3 * HOUR);
	CHECK_EQ_I64(m.stopped_at, T(2026, 1, 12, 13, 0));
	/* an 8 h resolution target was met: no due instant to show */
	{
		int64_t amount;

		CHECK(!sla_due_amount(&m, 8 * HOUR, &amount));
		/* a 2.5 h target was reached in the stretch after the resume: 1.5 h after 11:00 */
		CHECK(sla_due_amount(&m, 150 * MIN, &amount));
		CHECK_EQ_I64(m.anchor.at, T(2026, 1, 12, 11, 0));
		CHECK_EQ_I64(amount, 90 * MIN);
		/* a 30 min target was reached before the pause: not knowable from the state */
		CHECK(!sla_due_amount(&m, 30 * MIN, &amount));
	}
	m = sla_clock_metric(&c, SLA_NEXT_RESPONSE);
	CHECK(!m.exists);
	roundtrip(&c);
}

/* Reply exactly at the deadline: opened Mon 09:00, reply Mon 11:00, target 2 h: met, due 11:00. */
UNIT_TEST(slaclock_reply_at_deadline)
{
	sla_clock c;
	sla_metric_view m;
	int64_t amount = -1;

	sla_clock_init(&c);
	ev(&c, biz, T(2026, 1, 5, 9, 0), SLA_OPENED);
	/* live at 10:30: running, due in 2 h from the anchor */
	{
		sla_clock live = c;

		adv(&live, biz, T(2026, 1, 5, 10, 30));
		m = sla_clock_metric(&live, SLA_FIRST_RESPONSE);
		CHECK(m.running);
		CHECK_EQ_I64(m.elapsed, 90 * MIN);
		CHECK(sla_due_amount(&m, 2 * HOUR, &amount));
		CHECK_EQ_I64(m.anchor.at, T(2026, 1, 5, 9, 0));
		CHECK_EQ_I64(amount, 2 * HOUR);
	}
	ev(&c, biz, T(2026, 1, 5, 11, 0), SLA_AGENT_REPLY);
	m = sla_clock_metric(&c, SLA_FIRST_RESPONSE);
	CHECK(m.stopped && !m.running);
	CHECK_EQ_I64(m.elapsed, 2 * HOUR);
	CHECK(m.elapsed <= 2 * HOUR); /* met: elapsed <= target */
	CHECK(sla_due_amount(&m, 2 * HOUR, &amount));
	CHECK_EQ_I64(amount, 2 * HOUR);
	/* one microsecond later would have missed a target one microsecond shorter */
	CHECK(m.elapsed > 2 * HOUR - 1);
	/* the periodic-update gap restarted at the reply */
	m = sla_clock_metric(&c, SLA_PERIODIC_UPDATE);
	CHECK_EQ_I64(m.started_at, T(2026, 1, 5, 11, 0));
	CHECK_EQ_I64(m.worst, 2 * HOUR);
	roundtrip(&c);
}

/* Reopen after resolution keeps the old cycle:
 * Mon 09:00 opened, 10:00 reply, 12:00 resolved; Tue 10:00 reopened + customer message,
 * 11:30 reply, 14:00 resolved. */
UNIT_TEST(slaclock_reopen_after_resolution)
{
	sla_clock c;
	sla_metric_view m;

	sla_clock_init(&c);
	ev(&c, biz, T(2026, 1, 5, 9, 0), SLA_OPENED);
	ev(&c, biz, T(2026, 1, 5, 10, 0), SLA_AGENT_REPLY);
	ev(&c, biz, T(2026, 1, 5, 12, 0), SLA_RESOLVED);
	CHECK_EQ_I64(c.first_resolution, 3 * HOUR);
	/* resolved: nothing runs overnight */
	CHECK(!sla_clock_needs_measure(&c));
	CHECK_EQ_I64(ev(&c, biz, T(2026, 1, 6, 10, 0), SLA_REOPENED), SLA_STEP_OK);
	CHECK_EQ_I64(ev(&c, biz, T(2026, 1, 6, 10, 0), SLA_CUSTOMER_MESSAGE), SLA_STEP_OK);
	CHECK_EQ_I64(c.cycles, 2);
	CHECK_EQ_I64(c.next_waits, 1); /* the message joined the reopen's wait */
	m = sla_clock_metric(&c, SLA_NEXT_RESPONSE);
	CHECK(m.exists && m.running);
	CHECK_EQ_I64(m.started_at, T(2026, 1, 6, 10, 0));
	ev(&c, biz, T(2026, 1, 6, 11, 30), SLA_AGENT_REPLY);
	ev(&c, biz, T(2026, 1, 6, 14, 0), SLA_RESOLVED);

	CHECK_EQ_I64(c.phase, SLA_PHASE_RESOLVED);
	CHECK_EQ_I64(c.first_resolution, 3 * HOUR);
	CHECK_EQ_I64(c.first_resolved_at, T(2026, 1, 5, 12, 0));
	CHECK_EQ_I64(c.resolved_at, T(2026, 1, 6, 14, 0));
	CHECK_EQ_I64(c.cycle_elapsed, 4 * HOUR);
	CHECK_EQ_I64(c.longest_cycle, 4 * HOUR);
	CHECK_EQ_I64(c.elapsed, 7 * HOUR);
	CHECK_EQ_I64(c.first_response_at, T(2026, 1, 5, 10, 0));
	CHECK_EQ_I64(c.fr_elapsed, 1 * HOUR);
	CHECK_EQ_I64(c.longest_next_wait, 90 * MIN);
	CHECK_EQ_I64(c.longest_wait, 90 * MIN);
	m = sla_clock_metric(&c, SLA_RESOLUTION);
	CHECK_EQ_I64(m.started_at, T(2026, 1, 6, 10, 0));
	CHECK_EQ_I64(m.elapsed, 4 * HOUR);
	CHECK_EQ_I64(m.worst, 4 * HOUR);
	m = sla_clock_metric(&c, SLA_NEXT_RESPONSE);
	CHECK(m.exists && m.stopped);
	CHECK_EQ_I64(m.stopped_at, T(2026, 1, 6, 11, 30));
	CHECK_EQ_I64(m.worst, 90 * MIN);
	m = sla_clock_metric(&c, SLA_PERIODIC_UPDATE);
	CHECK_EQ_I64(m.worst, 150 * MIN); /* 11:30 -> 14:00 */
	roundtrip(&c);
}

/* A holiday inside a pause: Wed 2026-01-07 off.  Opened Tue 15:00, waiting Tue 17:00, resumed
 * Thu 10:00, resolved Thu 12:00: running 2 h + 2 h, paused Tue 17-18 + Thu 09-10 = 2 h. */
UNIT_TEST(slaclock_holiday_inside_pause)
{
	sla_clock c;

	nholidays = 1;
	holidays[0] = day_no(2026, 1, 7);
	sla_clock_init(&c);
	ev(&c, biz, T(2026, 1, 6, 15, 0), SLA_OPENED);
	ev(&c, biz, T(2026, 1, 6, 17, 0), SLA_WAITING_ON_CLIENT);
	ev(&c, biz, T(2026, 1, 8, 10, 0), SLA_RESUMED);
	ev(&c, biz, T(2026, 1, 8, 12, 0), SLA_RESOLVED);
	CHECK_EQ_I64(c.elapsed, 4 * HOUR);
	CHECK_EQ_I64(c.paused_time, 2 * HOUR);
	CHECK_EQ_I64(c.first_resolution, 4 * HOUR);
	/* resolved without a reply: first response measured to the resolution, no reply instant */
	CHECK_EQ_I64(c.first_response_at, SLA_NONE);
	CHECK_EQ_I64(c.fr_stop_at, T(2026, 1, 8, 12, 0));
	CHECK_EQ_I64(c.fr_elapsed, 4 * HOUR);
	nholidays = 0;
	roundtrip(&c);
}

/* The client's answer ends a pause; a wait runs from the first unanswered message. */
UNIT_TEST(slaclock_customer_answer_resumes)
{
	sla_clock c;
	sla_metric_view m;
	int64_t amount;

	sla_clock_init(&c);
	ev(&c, wall, T(2026, 1, 5, 9, 0), SLA_OPENED);
	ev(&c, wall, T(2026, 1, 5, 9, 10), SLA_AGENT_REPLY);
	ev(&c, wall, T(2026, 1, 5, 9, 10), SLA_WAITING_ON_CLIENT);
	ev(&c, wall, T(2026, 1, 5, 13, 0), SLA_CUSTOMER_MESSAGE);
	CHECK(!(c.flags & SLA_F_PAUSED));
	CHECK(c.flags & SLA_F_WAITING);
	ev(&c, wall, T(2026, 1, 5, 13, 20), SLA_CUSTOMER_MESSAGE); /* does not restart the wait */
	adv(&c, wall, T(2026, 1, 5, 14, 0));
	m = sla_clock_metric(&c, SLA_NEXT_RESPONSE);
	CHECK(m.running);
	CHECK_EQ_I64(m.started_at, T(2026, 1, 5, 13, 0));
	CHECK_EQ_I64(m.elapsed, 60 * MIN);
	CHECK(sla_due_amount(&m, 30 * MIN, &amount)); /* breached at 13:30 */
	CHECK_EQ_I64(m.anchor.at + amount, T(2026, 1, 5, 13, 30));
	CHECK_EQ_I64(c.paused_time, 230 * MIN);
	/* the periodic-update gap: 9:10 -> now, paused time excluded */
	m = sla_clock_metric(&c, SLA_PERIODIC_UPDATE);
	CHECK_EQ_I64(m.started_at, T(2026, 1, 5, 9, 10));
	CHECK_EQ_I64(m.elapsed, 60 * MIN);
	CHECK_EQ_I64(m.anchor.at, T(2026, 1, 5, 13, 0));
	CHECK_EQ_I64(m.anchor.elapsed, 0);
	/* paused again: the deadline of a not yet breached metric is suspended */
	ev(&c, wall, T(2026, 1, 5, 14, 0), SLA_WAITING_ON_CLIENT);
	m = sla_clock_metric(&c, SLA_PERIODIC_UPDATE);
	CHECK(!m.running && !m.stopped);
	CHECK(!sla_due_amount(&m, 2 * HOUR, &amount));
	CHECK(sla_due_amount(&m, 30 * MIN, &amount)); /* reached 13:30, in the last stretch */
	CHECK_EQ_I64(m.anchor.at + amount, T(2026, 1, 5, 13, 30));
	roundtrip(&c);
}

/* After resolution a customer message reopens; a late agent reply moves nothing. */
UNIT_TEST(slaclock_implicit_reopen)
{
	sla_clock c;

	sla_clock_init(&c);
	ev(&c, wall, T(2026, 1, 5, 9, 0), SLA_OPENED);
	ev(&c, wall, T(2026, 1, 5, 10, 0), SLA_RESOLVED);
	CHECK_EQ_I64(ev(&c, wall, T(2026, 1, 5, 11, 0), SLA_AGENT_REPLY), SLA_STEP_OK);
	CHECK_EQ_I64(c.phase, SLA_PHASE_RESOLVED);
	CHECK_EQ_I64(c.replies, 1);
	CHECK_EQ_I64(ev(&c, wall, T(2026, 1, 5, 11, 0), SLA_WAITING_ON_CLIENT), SLA_STEP_IGNORED);
	CHECK_EQ_I64(ev(&c, wall, T(2026, 1, 5, 11, 0), SLA_RESOLVED), SLA_STEP_IGNORED);
	CHECK_EQ_I64(ev(&c, wall, T(2026, 1, 5, 12, 0), SLA_CUSTOMER_MESSAGE), SLA_STEP_OK);
	CHECK_EQ_I64(c.phase, SLA_PHASE_OPEN);
	CHECK_EQ_I64(c.cycles, 2);
	CHECK(c.flags & SLA_F_WAIT_IS_NEXT);
	CHECK_EQ_I64(c.elapsed, 1 * HOUR);
	CHECK_EQ_I64(c.ignored, 2);
	roundtrip(&c);
}

UNIT_TEST(slaclock_out_of_order_and_bad_input)
{
	sla_clock c, before;

	sla_clock_init(&c);
	ev(&c, wall, T(2026, 1, 5, 9, 0), SLA_OPENED);
	ev(&c, wall, T(2026, 1, 5, 10, 0), SLA_AGENT_REPLY);
	before = c;
	CHECK_EQ_I64(ev(&c, wall, T(2026, 1, 5, 9, 30), SLA_RESOLVED), SLA_STEP_OUT_OF_ORDER);
	CHECK(memcmp(&c, &before, sizeof(c)) == 0);
	CHECK_EQ_I64(sla_clock_step(&c, T(2026, 1, 5, 11, 0), SLA_NKINDS, 0), SLA_STEP_BAD_INPUT);
	CHECK_EQ_I64(sla_clock_step(&c, T(2026, 1, 5, 11, 0), SLA_RESOLVED, -1), SLA_STEP_BAD_INPUT);
	CHECK_EQ_I64(sla_clock_step(&c, SLA_MAX_INSTANT + 1, SLA_RESOLVED, 0), SLA_STEP_BAD_INPUT);
	CHECK(memcmp(&c, &before, sizeof(c)) == 0);
	/* equal instants are in order */
	CHECK_EQ_I64(ev(&c, wall, T(2026, 1, 5, 10, 0), SLA_AGENT_REPLY), SLA_STEP_OK);
	CHECK_EQ_I64(c.replies, 2);
	/* advancing backwards does nothing */
	before = c;
	adv(&c, wall, T(2026, 1, 5, 9, 0));
	CHECK(memcmp(&c, &before, sizeof(c)) == 0);
}

UNIT_TEST(slaclock_text_form)
{
	sla_clock c;
	char *text;
	char err[200];
	sla_clock back;

	sla_clock_init(&c);
	text = sla_clock_format(&c);
	CHECK(strncmp(text, "v2 phase=new flags=none cycles=0", 32) == 0);
	CHECK(sla_clock_parse(text, strlen(text), &back, err, sizeof(err)));
	cs_free(text);

	ev(&c, wall, T(2026, 1, 5, 9, 0) + 123456, SLA_OPENED);
	ev(&c, wall, T(2026, 1, 5, 9, 30), SLA_WAITING_ON_CLIENT);
	text = sla_clock_format(&c);
	CHECK(strstr(text, "phase=open flags=paused,waiting ") != NULL);
	CHECK(strstr(text, " opened_at=2026-01-05T09:00:00.123456Z ") != NULL);
	CHECK(strstr(text, " elapsed=1799.876544 ") != NULL);
	CHECK(strstr(text, " resolved_at=- ") != NULL);
	roundtrip(&c);

	/* corrupt it in a few ways */
	{
		const char *bad[] = {
			"",
			"v2 phase=new",
			"v3 phase=new flags=none cycles=0",
			"v1 phase=closed",
			"v1 phase=open flags=wat",
			"v1 phase=new flags=none cycles=-1",
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			CHECK(!sla_clock_parse(bad[i], strlen(bad[i]), &back, err, sizeof(err)));
	}
	{
		char *mod = strdup(text);
		char *p = strstr(mod, "2026-01-05T09:00:00.123456Z");

		p[5] = '1';
		p[6] = '3'; /* month 13 */
		CHECK(!sla_clock_parse(mod, strlen(mod), &back, err, sizeof(err)));
		CHECK(strstr(err, "opened_at") != NULL);
		free(mod);
	}
	{
		/* consistent syntax, inconsistent state: paused without pause_since */
		char *mod = strdup(text);
		char *p = strstr(mod, "pause_since=2026-01-05T09:30:00Z");
		size_t n = strlen("pause_since=2026-01-05T09:30:00Z");

		CHECK(p != NULL);
		if (p)
		{
			memcpy(p, "pause_since=-", 13);
			memmove(p + 13, p + n, strlen(p + n) + 1);
			CHECK(!sla_clock_parse(mod, strlen(mod), &back, err, sizeof(err)));
			CHECK(strstr(err, "inconsistent") != NULL);
		}
		free(mod);
	}
	/* trailing garbage, truncation */
	{
		size_t n = strlen(text);
		char *mod = malloc(n + 3);

		memcpy(mod, text, n);
		memcpy(mod + n, " x", 3);
		CHECK(!sla_clock_parse(mod, n + 2, &back, err, sizeof(err)));
		CHECK(!sla_clock_parse(text, n - 3, &back, err, sizeof(err)));
		free(mod);
	}
	cs_free(text);

	/* far instants keep their sign and width */
	sla_clock_init(&c);
	CHECK_EQ_I64(sla_clock_step(&c, SLA_MIN_INSTANT, SLA_OPENED, 0), SLA_STEP_OK);
	CHECK_EQ_I64(sla_clock_step(&c, SLA_MAX_INSTANT, SLA_AGENT_REPLY, 1), SLA_STEP_OK);
	roundtrip(&c);
	text = sla_clock_format(&c);
	CHECK(strstr(text, " opened_at=-4713-11-24T00:00:00Z ") != NULL);
	CHECK(strstr(text, " asof=+294276-12-31T23:59:59.999999Z ") != NULL);
	cs_free(text);
}

UNIT_TEST(slaclock_fields_and_check)
{
	sla_clock c, d;
	int64_t f[SLA_CLOCK_NFIELDS];

	sla_clock_init(&c);
	ev(&c, wall, T(2026, 1, 5, 9, 0), SLA_OPENED);
	ev(&c, wall, T(2026, 1, 5, 10, 0), SLA_AGENT_REPLY);
	sla_clock_to_fields(&c, f);
	CHECK(sla_clock_from_fields(&d, f));
	CHECK(sla_clock_check(&d) == NULL);
	CHECK(memcmp(&c, &d, sizeof(c)) == 0);
	f[2] = INT64_C(1) << 40; /* cycles does not fit an int32 */
	CHECK(!sla_clock_from_fields(&d, f));
	sla_clock_to_fields(&c, f);
	f[0] = 7; /* phase */
	CHECK(!sla_clock_from_fields(&d, f));
	sla_clock_to_fields(&c, f);
	f[1] = 0x10; /* flags */
	CHECK(!sla_clock_from_fields(&d, f));

	d = c;
	d.elapsed = -1;
	CHECK(sla_clock_check(&d) != NULL);
	d = c;
	d.fr_elapsed = d.elapsed + 1;
	CHECK(sla_clock_check(&d) != NULL);
	d = c;
	d.flags |= SLA_F_PAUSED;
	CHECK(sla_clock_check(&d) != NULL);
	d = c;
	d.phase = SLA_PHASE_NEW;
	CHECK(sla_clock_check(&d) != NULL);
}

/*
 * Waits on the three parties, default pause parties (client, third party), on Monday 2026-01-05
 * (all in business hours): opened 09:00; internal 10:00 (the clock runs); third party 11:00
 * (it stands); a client message 12:00 does not end that wait; resumed 13:00; client 14:00; the
 * client answers 15:00; reply 16:00.  Waited: internal 1 h, third party 2 h, client 1 h.
 */
static void
party_log(sla_clock *c, uint32_t pause_on)
{
	sla_clock_init(c);
	CHECK(sla_clock_set_pause_on(c, pause_on));
	CHECK_EQ_I64(ev(c, biz, T(2026, 1, 5, 9, 0), SLA_OPENED), SLA_STEP_OK);
	CHECK_EQ_I64(ev(c, biz, T(2026, 1, 5, 10, 0), SLA_WAITING_ON_INTERNAL), SLA_STEP_OK);
	CHECK_EQ_I64(ev(c, biz, T(2026, 1, 5, 11, 0), SLA_WAITING_ON_THIRD_PARTY), SLA_STEP_OK);
	CHECK_EQ_I64(ev(c, biz, T(2026, 1, 5, 12, 0), SLA_CUSTOMER_MESSAGE), SLA_STEP_OK);
	CHECK_EQ_I64(c->hold, SLA_PARTY_THIRD_PARTY);
	CHECK_EQ_I64(ev(c, biz, T(2026, 1, 5, 13, 0), SLA_RESUMED), SLA_STEP_OK);
	CHECK_EQ_I64(c->hold, SLA_PARTY_NONE);
	CHECK_EQ_I64(ev(c, biz, T(2026, 1, 5, 14, 0), SLA_WAITING_ON_CLIENT), SLA_STEP_OK);
	CHECK_EQ_I64(ev(c, biz, T(2026, 1, 5, 15, 0), SLA_CUSTOMER_MESSAGE), SLA_STEP_OK);
	CHECK_EQ_I64(c->hold, SLA_PARTY_NONE);
	CHECK_EQ_I64(ev(c, biz, T(2026, 1, 5, 16, 0), SLA_AGENT_REPLY), SLA_STEP_OK);
	CHECK_EQ_I64(c->ignored, 0);
	CHECK_EQ_I64(c->waited[SLA_PARTY_CLIENT - 1], 1 * HOUR);
	CHECK_EQ_I64(c->waited[SLA_PARTY_THIRD_PARTY - 1], 2 * HOUR);
	CHECK_EQ_I64(c->waited[SLA_PARTY_INTERNAL - 1], 1 * HOUR);
	roundtrip(c);
}

UNIT_TEST(slaclock_parties)
{
	sla_clock c;

	CHECK_EQ_I64(sla_party_from_name("third_party", 11), SLA_PARTY_THIRD_PARTY);
	CHECK_EQ_I64(sla_party_from_name("none", 4), -1);
	CHECK_EQ_I64(sla_party_from_name("vendor", 6), -1);
	CHECK_STR(sla_party_name(SLA_PARTY_INTERNAL), "internal");
	CHECK_EQ_I64(sla_kind_from_name("waiting_on_third_party", 22), SLA_WAITING_ON_THIRD_PARTY);
	CHECK_EQ_I64(sla_kind_party(SLA_WAITING_ON_INTERNAL), SLA_PARTY_INTERNAL);
	CHECK_EQ_I64(sla_kind_party(SLA_RESUMED), SLA_PARTY_NONE);

	/* default: the client's and the third party's waits stop the clock, the internal one not */
	party_log(&c, SLA_PAUSE_DEFAULT);
	CHECK_EQ_I64(c.paused_time, 3 * HOUR);
	CHECK_EQ_I64(c.elapsed, 4 * HOUR);
	CHECK_EQ_I64(c.fr_elapsed, 4 * HOUR);
	CHECK_EQ_I64(c.first_response_at, T(2026, 1, 5, 16, 0));

	/* a policy that stops on internal waits too */
	party_log(&c, SLA_PAUSE_ALL);
	CHECK_EQ_I64(c.paused_time, 4 * HOUR);
	CHECK_EQ_I64(c.elapsed, 3 * HOUR);

	/* one that never stops: the waits are still counted */
	party_log(&c, 0);
	CHECK_EQ_I64(c.paused_time, 0);
	CHECK_EQ_I64(c.elapsed, 7 * HOUR);

	/* only the internal party */
	party_log(&c, SLA_PARTY_BIT(SLA_PARTY_INTERNAL));
	CHECK_EQ_I64(c.paused_time, 1 * HOUR);
	CHECK_EQ_I64(c.elapsed, 6 * HOUR);

	/* the pause parties are fixed once the clock has seen an event */
	CHECK(!sla_clock_set_pause_on(&c, SLA_PAUSE_DEFAULT));
	CHECK(sla_clock_set_pause_on(&c, SLA_PARTY_BIT(SLA_PARTY_INTERNAL)));
	sla_clock_init(&c);
	CHECK(!sla_clock_set_pause_on(&c, 0x08));
	CHECK_EQ_I64(c.pause_on, SLA_PAUSE_DEFAULT);
}

/* Moving a wait from one party to another; the same party again is ignored. */
UNIT_TEST(slaclock_party_switch)
{
	sla_clock c;
	sla_metric_view m;

	sla_clock_init(&c);
	ev(&c, biz, T(2026, 1, 5, 9, 0), SLA_OPENED);
	CHECK_EQ_I64(ev(&c, biz, T(2026, 1, 5, 9, 10), SLA_RESUMED), SLA_STEP_IGNORED);
	ev(&c, biz, T(2026, 1, 5, 10, 0), SLA_WAITING_ON_CLIENT);
	CHECK_EQ_I64(ev(&c, biz, T(2026, 1, 5, 10, 30), SLA_WAITING_ON_CLIENT), SLA_STEP_IGNORED);
	/* client -> third party: both pause, so the pause goes on from 10:00 */
	CHECK_EQ_I64(ev(&c, biz, T(2026, 1, 5, 11, 0), SLA_WAITING_ON_THIRD_PARTY), SLA_STEP_OK);
	CHECK(c.flags & SLA_F_PAUSED);
	CHECK_EQ_I64(c.pause_since, T(2026, 1, 5, 10, 0));
	CHECK_EQ_I64(c.hold_since, T(2026, 1, 5, 11, 0));
	/* third party -> internal: the clock runs again from 12:00, a new stretch */
	CHECK_EQ_I64(ev(&c, biz, T(2026, 1, 5, 12, 0), SLA_WAITING_ON_INTERNAL), SLA_STEP_OK);
	CHECK(!(c.flags & SLA_F_PAUSED));
	CHECK_EQ_I64(c.pause_since, SLA_NONE);
	m = sla_clock_metric(&c, SLA_FIRST_RESPONSE);
	CHECK(m.running);
	CHECK_EQ_I64(m.anchor.at, T(2026, 1, 5, 12, 0));
	CHECK_EQ_I64(m.anchor.elapsed, 1 * HOUR);
	/* internal -> client: it stands again */
	ev(&c, biz, T(2026, 1, 5, 13, 0), SLA_WAITING_ON_CLIENT);
	CHECK(c.flags & SLA_F_PAUSED);
	CHECK_EQ_I64(c.pause_since, T(2026, 1, 5, 13, 0));
	roundtrip(&c);
	/* advancing while waiting counts for the party */
	adv(&c, biz, T(2026, 1, 5, 14, 30));
	CHECK_EQ_I64(c.waited[SLA_PARTY_CLIENT - 1], 2 * HOUR + 30 * MIN);
	CHECK_EQ_I64(c.waited[SLA_PARTY_THIRD_PARTY - 1], 1 * HOUR);
	CHECK_EQ_I64(c.waited[SLA_PARTY_INTERNAL - 1], 1 * HOUR);
	CHECK_EQ_I64(c.paused_time, 3 * HOUR + 30 * MIN);
	/* a resolution ends the wait; waiting after it is ignored */
	ev(&c, biz, T(2026, 1, 5, 15, 0), SLA_RESOLVED);
	CHECK_EQ_I64(c.hold, SLA_PARTY_NONE);
	CHECK_EQ_I64(c.hold_since, SLA_NONE);
	CHECK_EQ_I64(ev(&c, biz, T(2026, 1, 5, 15, 30), SLA_WAITING_ON_INTERNAL), SLA_STEP_IGNORED);
	CHECK_EQ_I64(c.waited[SLA_PARTY_CLIENT - 1], 3 * HOUR);
	roundtrip(&c);
}

/* Version 1 text (before parties) reads as a wait on the client; checks on the new fields. */
UNIT_TEST(slaclock_parties_text_and_check)
{
	sla_clock c, back, d;
	char err[200];
	char *text, *v1, *cut;

	sla_clock_init(&c);
	ev(&c, biz, T(2026, 1, 5, 9, 0), SLA_OPENED);
	ev(&c, biz, T(2026, 1, 5, 10, 0), SLA_WAITING_ON_CLIENT);
	ev(&c, biz, T(2026, 1, 5, 11, 0), SLA_RESUMED);
	ev(&c, biz, T(2026, 1, 5, 12, 0), SLA_WAITING_ON_CLIENT);
	text = sla_clock_format(&c);
	CHECK(strstr(text, " pause_on=client,third_party hold=client hold_since=2026-01-05T12:00:00Z "
					   "waited_client=3600 waited_third_party=0 waited_internal=0") != NULL);
	/* the same clock as version 1 wrote it */
	v1 = strdup(text);
	v1[1] = '1';
	cut = strstr(v1, " pause_on=");
	CHECK(cut != NULL);
	if (cut)
	{
		*cut = '\0';
		CHECK(sla_clock_parse(v1, strlen(v1), &back, err, sizeof(err)));
		CHECK(memcmp(&back, &c, sizeof(c)) == 0);
	}
	free(v1);
	/* a version 1 clock in version 2 text lacks the new fields */
	text[1] = '2';
	cut = strstr(text, " pause_on=");
	if (cut)
	{
		*cut = '\0';
		CHECK(!sla_clock_parse(text, strlen(text), &back, err, sizeof(err)));
		CHECK(strstr(err, "pause_on") != NULL);
	}
	cs_free(text);
	{
		const char *bad[] = {"pause_on=client,vendor", "pause_on=client,client", "hold=vendor",
							 "hold=none"};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		{
			char buf[2048];
			char *full = sla_clock_format(&c);
			const char *key = strchr(bad[i], '=');
			char *at = strstr(full, bad[i][0] == 'p' ? " pause_on=" : " hold=");
			char *end = at ? strchr(at + 1, ' ') : NULL;

			(void) key;
			CHECK(at != NULL && end != NULL);
			if (at && end)
			{
				snprintf(buf, sizeof(buf), "%.*s %s%s", (int) (at - full), full, bad[i], end);
				CHECK(!sla_clock_parse(buf, strlen(buf), &back, err, sizeof(err)));
			}
			cs_free(full);
		}
	}
	d = c;
	d.waited[SLA_PARTY_CLIENT - 1] += 1;
	CHECK(sla_clock_check(&d) != NULL); /* paused time is the waits on the pause parties */
	d = c;
	d.pause_on = 0;
	CHECK(sla_clock_check(&d) != NULL); /* paused while no party pauses */
	d = c;
	d.hold = SLA_PARTY_NONE;
	CHECK(sla_clock_check(&d) != NULL);
	d = c;
	d.hold = SLA_PARTY_INTERNAL;
	CHECK(sla_clock_check(&d) != NULL); /* internal does not pause by default */
	d = c;
	d.pause_on = 0x08;
	CHECK(sla_clock_check(&d) != NULL);
}

/* A long random walk: the invariants hold after every step, and the parts add up. */
UNIT_TEST(slaclock_random_invariants)
{
	unsigned int seed = 12345;

	for (int run = 0; run < 2000; run++)
	{
		sla_clock c, all, never;
		int64_t t = T(2026, 1, 5, 9, 0) + (int64_t) (run % 97) * 7 * MIN;
		int64_t wall_open = 0;

		sla_clock_init(&c);
		sla_clock_init(&all);
		sla_clock_init(&never);
		CHECK(sla_clock_set_pause_on(&all, SLA_PAUSE_ALL));
		CHECK(sla_clock_set_pause_on(&never, 0));
		for (int i = 0; i < 30; i++)
		{
			sla_kind k;
			int64_t step;

			seed = seed * 1103515245u + 12345u;
			k = (i == 0) ? SLA_OPENED : (sla_kind) ((seed >> 16) % SLA_NKINDS);
			seed = seed * 1103515245u + 12345u;
			step = (int64_t) ((seed >> 16) % 600) * MIN;
			if (c.phase == SLA_PHASE_OPEN)
				wall_open += step;
			t += step;
			CHECK(ev(&c, wall, t, k) != SLA_STEP_OUT_OF_ORDER);
			ev(&all, wall, t, k);
			ev(&never, wall, t, k);
			if (sla_clock_check(&c) != NULL || sla_clock_check(&all) != NULL ||
				sla_clock_check(&never) != NULL)
			{
				unit_fail(__FILE__, __LINE__, "run %d step %d: %s", run, i,
						  sla_clock_check(&c)	  ? sla_clock_check(&c)
						  : sla_clock_check(&all) ? sla_clock_check(&all)
												  : sla_clock_check(&never));
				return;
			}
		}
		/* 24/7: SLA time + paused time = wall time spent open, whatever the pause parties */
		CHECK_EQ_I64(c.elapsed + c.paused_time, wall_open);
		CHECK_EQ_I64(all.elapsed + all.paused_time, wall_open);
		CHECK_EQ_I64(never.elapsed, wall_open);
		CHECK_EQ_I64(never.paused_time, 0);
		/* the waits per party do not depend on which of them pause the clock; stopping on all
		 * of them, the paused time is their sum */
		for (int p = 0; p < SLA_NWAIT_PARTIES; p++)
		{
			CHECK_EQ_I64(c.waited[p], all.waited[p]);
			CHECK_EQ_I64(c.waited[p], never.waited[p]);
		}
		CHECK_EQ_I64(all.paused_time, c.waited[0] + c.waited[1] + c.waited[2]);
		CHECK_EQ_I64(c.paused_time, c.waited[0] + c.waited[1]);
		CHECK_EQ_I64(c.events, all.events);
		CHECK_EQ_I64(c.ignored, never.ignored);
		if (run % 50 == 0)
			roundtrip(&c);
	}
}
