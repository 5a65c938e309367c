-- SLA clock: the aggregate over hand-checked timelines, accessors, the stand-alone functions,
-- the type's text and binary forms, and every error of the clock functions.
SET timezone = 'UTC';
SET extra_float_digits = 0;
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';

-- Business hours for every timeline: Monday-Friday 09:00-18:00 UTC; Wednesday 2026-01-07 is a
-- holiday.  2026-01-05 is a Monday, 2026-01-09 a Friday.
CREATE TEMP TABLE cal AS
SELECT 'UTC; mon-fri 09:00-18:00; 2026-01-07 off'::cs_service.business_calendar AS c;

CREATE TEMP TABLE ev (id serial, tl text, at timestamptz, kind text);
INSERT INTO ev (tl, at, kind) VALUES
-- A. pause over a weekend: opened Fri 16:00, waiting Fri 17:00, resumed Mon 11:00, reply Mon
--    12:00, resolved Mon 13:00.  Running Fri 16-17 + Mon 11-12 = 2 h to the reply; paused
--    Fri 17-18 + Mon 09-11 = 3 h; resolution 1 h + 2 h = 3 h.
    ('A', '2026-01-09 16:00', 'opened'),
    ('A', '2026-01-09 17:00', 'waiting_on_client'),
    ('A', '2026-01-12 11:00', 'resumed'),
    ('A', '2026-01-12 12:00', 'agent_reply'),
    ('A', '2026-01-12 13:00', 'resolved'),
-- B. reply exactly at the deadline: opened Mon 09:00, reply Mon 11:00 (2 h target).
    ('B', '2026-01-05 09:00', 'opened'),
    ('B', '2026-01-05 11:00', 'agent_reply'),
-- C. reopen after resolution: Mon 09:00 opened, 10:00 reply, 12:00 resolved; Tue 10:00
--    reopened with a customer message, 11:30 reply, 14:00 resolved.  Cycle 1: 3 h, cycle 2:
--    4 h, next-reply wait 1.5 h, total 7 h.
    ('C', '2026-01-05 09:00', 'opened'),
    ('C', '2026-01-05 10:00', 'agent_reply'),
    ('C', '2026-01-05 12:00', 'resolved'),
    ('C', '2026-01-06 10:00', 'reopened'),
    ('C', '2026-01-06 10:00', 'customer_message'),
    ('C', '2026-01-06 11:30', 'agent_reply'),
    ('C', '2026-01-06 14:00', 'resolved'),
-- D. a holiday inside a pause: opened Tue 15:00, waiting Tue 17:00, resumed Thu 10:00 (Wed is
--    off), resolved Thu 12:00 without a reply.  Running 2 h + 2 h; paused Tue 17-18 + Thu 09-10.
    ('D', '2026-01-06 15:00', 'opened'),
    ('D', '2026-01-06 17:00', 'waiting_on_client'),
    ('D', '2026-01-08 10:00', 'resumed'),
    ('D', '2026-01-08 12:00', 'resolved'),
-- E. the client's answer ends the pause; several messages make one wait: opened Mon 09:00,
--    reply 09:10, waiting 09:10, messages 13:00 and 13:20, reply 14:30.
    ('E', '2026-01-05 09:00', 'opened'),
    ('E', '2026-01-05 09:10', 'agent_reply'),
    ('E', '2026-01-05 09:10', 'waiting_on_client'),
    ('E', '2026-01-05 13:00', 'customer_message'),
    ('E', '2026-01-05 13:20', 'customer_message'),
    ('E', '2026-01-05 14:30', 'agent_reply'),
-- F. events before the opening, a second opening, a stray resume: ignored and counted.
    ('F', '2026-01-05 08:00', 'agent_reply'),
    ('F', '2026-01-05 09:00', 'opened'),
    ('F', '2026-01-05 09:30', 'opened'),
    ('F', '2026-01-05 10:00', 'resumed'),
-- G. a customer message after the resolution reopens; the opening outside business hours
--    starts the clock at the next opening time: opened Sat 10:00, resolved Mon 10:00, message
--    Mon 15:00, still open at Mon 17:00 (the as-of instant below).
    ('G', '2026-01-10 10:00', 'opened'),
    ('G', '2026-01-12 10:00', 'resolved'),
    ('G', '2026-01-12 15:00', 'customer_message');

-- Each timeline's clock as of Monday 2026-01-12 17:00.
CREATE TEMP TABLE clocks AS
SELECT ev.tl,
       cs_service.sla_clock_at(cs_service.sla_clock_agg(ev.at, ev.kind, cal.c ORDER BY ev.at, ev.id),
                               '2026-01-12 17:00', (SELECT c FROM cal)) AS clock
  FROM ev, cal
 GROUP BY ev.tl;

SELECT tl, cs_service.phase(clock), cs_service.cycles(clock), cs_service.replies(clock) AS replies,
       cs_service.ignored_events(clock) AS ignored,
       cs_service.elapsed(clock), cs_service.paused_time(clock),
       cs_service.is_paused(clock) AS paused
  FROM clocks ORDER BY tl;

SELECT tl, cs_service.opened_at(clock), cs_service.first_response_at(clock),
       cs_service.first_response_time(clock), cs_service.first_resolved_at(clock),
       cs_service.first_resolution_time(clock), cs_service.resolved_at(clock)
  FROM clocks ORDER BY tl;

SELECT tl, cs_service.cycle_started_at(clock), cs_service.cycle_elapsed(clock),
       cs_service.longest_cycle(clock), cs_service.longest_wait(clock),
       cs_service.current_wait(clock), cs_service.waiting_since(clock)
  FROM clocks ORDER BY tl;

-- Every metric's current (or last) instance.
SELECT c.tl, m.metric,
       cs_service.sla_metric_started_at(c.clock, m.metric) AS started_at,
       cs_service.sla_metric_stopped_at(c.clock, m.metric) AS stopped_at,
       cs_service.sla_metric_elapsed(c.clock, m.metric) AS elapsed,
       cs_service.sla_metric_worst(c.clock, m.metric) AS worst,
       cs_service.sla_metric_running(c.clock, m.metric) AS running
  FROM clocks AS c,
       (VALUES ('first_response'), ('next_response'), ('resolution'), ('periodic_update')) AS m(metric)
 ORDER BY c.tl, m.metric;

-- Due instants.  B: a 2 h first-response target is due at 11:00 and the reply at 11:00 met it.
-- A: a 2.5 h resolution target was reached 1.5 h after the Monday resume (12:30); a 30 min
-- one before the pause (not knowable from the state: NULL); 8 h was met (NULL).
-- G: cycle 2 began Mon 15:00; a 4 h resolution target is due Tue 10:00.
SELECT c.tl, t.metric, t.target,
       cs_service.sla_metric_due(c.clock, t.metric, t.target, cal.c) AS due_at
  FROM clocks AS c, cal,
       (VALUES ('B', 'first_response', interval '2 hours'),
               ('A', 'resolution', interval '2 hours 30 minutes'),
               ('A', 'resolution', interval '30 minutes'),
               ('A', 'resolution', interval '8 hours'),
               ('G', 'resolution', interval '4 hours'),
               ('G', 'next_response', interval '1 hour'),
               ('E', 'next_response', interval '1 hour')) AS t(tl, metric, target)
 WHERE c.tl = t.tl
 ORDER BY c.tl, t.metric, t.target;

-- The 24/7 form: wall-clock time, no calendar.
SELECT tl, cs_service.elapsed(k), cs_service.paused_time(k), cs_service.first_response_time(k)
  FROM (SELECT tl, cs_service.sla_clock_agg(at, kind ORDER BY at, id) AS k FROM ev GROUP BY tl) AS s
 ORDER BY tl;

-- Input order does not matter with ORDER BY; a request with no events gives NULL; NULL rows
-- are skipped.
SELECT cs_service.sla_clock_agg(at, kind) IS NULL AS empty_is_null FROM ev WHERE false;
SELECT cs_service.elapsed(cs_service.sla_clock_agg(x.at, x.kind ORDER BY x.at))
  FROM (VALUES (timestamptz '2026-01-05 09:00', 'opened'), (NULL, 'resolved'),
               ('2026-01-05 10:00', NULL), ('2026-01-05 11:00', 'resolved')) AS x(at, kind);

-- As a window function: the clock after each event of timeline A.
SELECT at, kind, cs_service.phase(c), cs_service.is_paused(c) AS paused, cs_service.elapsed(c),
       cs_service.paused_time(c)
  FROM (SELECT at, kind, cs_service.sla_clock_agg(at, kind, (SELECT c FROM cal)) OVER (ORDER BY at, id) AS c
          FROM ev WHERE tl = 'A') AS s
 ORDER BY at;

-- sla_elapsed and sla_due on the same timelines.
SELECT cs_service.sla_elapsed('2026-01-09 16:00', '2026-01-12 13:00', cal.c,
                              '{[2026-01-09 17:00,2026-01-12 11:00)}') AS a_resolution,
       cs_service.sla_elapsed('2026-01-06 15:00', '2026-01-08 12:00', cal.c,
                              '{[2026-01-06 17:00,2026-01-08 10:00)}') AS d_resolution,
       cs_service.sla_elapsed('2026-01-08 12:00', '2026-01-06 15:00', cal.c,
                              '{[2026-01-06 17:00,2026-01-08 10:00)}') AS d_backwards,
       cs_service.sla_elapsed('2026-01-05 09:00', '2026-01-05 18:00', cal.c) AS no_pause,
       cs_service.sla_elapsed('2026-01-05 09:00', '2026-01-05 18:00', cal.c,
                              '{[2026-01-05 12:00,2026-01-05 13:00), [2026-01-05 17:00,)}') AS unbounded_pause
  FROM cal;

SELECT cs_service.sla_due('2026-01-09 16:00', '3 hours', cal.c,
                          '{[2026-01-09 17:00,2026-01-12 11:00)}') AS a_due,
       cs_service.sla_due('2026-01-06 15:00', '4 hours', cal.c,
                          '{[2026-01-06 17:00,2026-01-08 10:00)}') AS d_due,
       cs_service.sla_due('2026-01-05 09:00', '2 hours', cal.c) AS b_due,
       cs_service.sla_due('2026-01-05 09:00', '3 hours', cal.c,
                          '{[2026-01-05 11:00,2026-01-05 12:00)}') AS pause_at_10,
       cs_service.sla_due('2026-01-05 09:00', '2 hours', cal.c,
                          '{[2026-01-05 11:00,2026-01-05 12:00)}') AS due_at_pause_start,
       cs_service.sla_due('2026-01-05 09:00', '3 hours', cal.c,
                          '{[2026-01-05 11:00,)}') AS never,
       cs_service.sla_due('2026-01-05 10:00', '1 hour', cal.c,
                          '{[2026-01-05 08:00,2026-01-05 12:00)}') AS starts_paused
  FROM cal;

-- Identity: the clock agrees with sla_elapsed over its own pauses (timeline A, D).
SELECT cs_service.elapsed(clock) = cs_service.sla_elapsed('2026-01-09 16:00', '2026-01-12 13:00',
           cal.c, '{[2026-01-09 17:00,2026-01-12 11:00)}') AS a_agrees
  FROM clocks, cal WHERE tl = 'A';

-- Text form round trip, binary round trip.
SELECT tl, clock::text::cs_service.sla_clock::text = clock::text AS text_roundtrip
  FROM clocks ORDER BY tl;
CREATE TEMP TABLE bin (c cs_service.sla_clock);
INSERT INTO bin SELECT clock FROM clocks;
COPY bin TO '/tmp/cs_service_sla_clock.bin' WITH (FORMAT binary);
CREATE TEMP TABLE bin2 (c cs_service.sla_clock);
COPY bin2 FROM '/tmp/cs_service_sla_clock.bin' WITH (FORMAT binary);
SELECT count(*) AS binary_roundtrip FROM bin2 JOIN bin ON bin.c::text = bin2.c::text;
SELECT 'v2 phase=new flags=none cycles=0 replies=0 next_waits=0 ignored=0 events=0 asof=- opened_at=- resolved_at=- pause_since=- elapsed=0 paused_time=0 first_response_at=- fr_stop_at=- fr_elapsed=0 fr_anchor_at=- fr_anchor_elapsed=0 wait_start=- wait_stop=- wait_elapsed=0 longest_wait=0 longest_next_wait=0 wait_anchor_at=- wait_anchor_elapsed=0 cycle_start=- cycle_elapsed=0 longest_cycle=0 first_resolved_at=- first_resolution=0 cycle_anchor_at=- cycle_anchor_elapsed=0 gap_start=- gap_elapsed=0 longest_gap=0 gap_anchor_at=- gap_anchor_elapsed=0 pause_on=client,third_party hold=- hold_since=- waited_client=0 waited_third_party=0 waited_internal=0'::cs_service.sla_clock::text = 'v2 phase=new flags=none cycles=0 replies=0 next_waits=0 ignored=0 events=0 asof=- opened_at=- resolved_at=- pause_since=- elapsed=0 paused_time=0 first_response_at=- fr_stop_at=- fr_elapsed=0 fr_anchor_at=- fr_anchor_elapsed=0 wait_start=- wait_stop=- wait_elapsed=0 longest_wait=0 longest_next_wait=0 wait_anchor_at=- wait_anchor_elapsed=0 cycle_start=- cycle_elapsed=0 longest_cycle=0 first_resolved_at=- first_resolution=0 cycle_anchor_at=- cycle_anchor_elapsed=0 gap_start=- gap_elapsed=0 longest_gap=0 gap_anchor_at=- gap_anchor_elapsed=0 pause_on=client,third_party hold=- hold_since=- waited_client=0 waited_third_party=0 waited_internal=0' AS new_clock_roundtrip;
-- the text of version 1 (before the parties) is still read, as the same clock
SELECT 'v1 phase=new flags=none cycles=0 replies=0 next_waits=0 ignored=0 events=0 asof=- opened_at=- resolved_at=- pause_since=- elapsed=0 paused_time=0 first_response_at=- fr_stop_at=- fr_elapsed=0 fr_anchor_at=- fr_anchor_elapsed=0 wait_start=- wait_stop=- wait_elapsed=0 longest_wait=0 longest_next_wait=0 wait_anchor_at=- wait_anchor_elapsed=0 cycle_start=- cycle_elapsed=0 longest_cycle=0 first_resolved_at=- first_resolution=0 cycle_anchor_at=- cycle_anchor_elapsed=0 gap_start=- gap_elapsed=0 longest_gap=0 gap_anchor_at=- gap_anchor_elapsed=0'::cs_service.sla_clock::text = 'v2 phase=new flags=none cycles=0 replies=0 next_waits=0 ignored=0 events=0 asof=- opened_at=- resolved_at=- pause_since=- elapsed=0 paused_time=0 first_response_at=- fr_stop_at=- fr_elapsed=0 fr_anchor_at=- fr_anchor_elapsed=0 wait_start=- wait_stop=- wait_elapsed=0 longest_wait=0 longest_next_wait=0 wait_anchor_at=- wait_anchor_elapsed=0 cycle_start=- cycle_elapsed=0 longest_cycle=0 first_resolved_at=- first_resolution=0 cycle_anchor_at=- cycle_anchor_elapsed=0 gap_start=- gap_elapsed=0 longest_gap=0 gap_anchor_at=- gap_anchor_elapsed=0 pause_on=client,third_party hold=- hold_since=- waited_client=0 waited_third_party=0 waited_internal=0' AS v1_text_read;

-- ---- Errors ----------------------------------------------------------------------------------
-- events out of order (no ORDER BY, input reversed)
SELECT cs_service.sla_clock_agg(x.at, x.kind)
  FROM (SELECT * FROM ev WHERE tl = 'C' ORDER BY at DESC, id DESC) AS x;
-- an unknown event kind
SELECT cs_service.sla_clock_agg(x.at, x.kind ORDER BY x.at)
  FROM (VALUES (timestamptz '2026-01-05 09:00', 'opened'), ('2026-01-05 10:00', 'pending')) AS x(at, kind);
-- a NULL calendar
SELECT cs_service.sla_clock_agg(x.at, x.kind, NULL::cs_service.business_calendar)
  FROM (VALUES (timestamptz '2026-01-05 09:00', 'opened')) AS x(at, kind);
-- an infinite event time
SELECT cs_service.sla_clock_agg(x.at, x.kind)
  FROM (VALUES (timestamptz 'infinity', 'opened')) AS x(at, kind);
-- sla_clock_at to infinity
SELECT cs_service.sla_clock_at(clock, 'infinity', cal.c) FROM clocks, cal WHERE tl = 'A';
-- an unknown metric, a bad target
SELECT cs_service.sla_metric_elapsed(clock, 'resolution_time') FROM clocks WHERE tl = 'A';
SELECT cs_service.sla_metric_due(clock, 'resolution', '0 hours', cal.c) FROM clocks, cal WHERE tl = 'A';
SELECT cs_service.sla_metric_due(clock, 'resolution', '1 day') FROM clocks WHERE tl = 'A';
SELECT cs_service.sla_due('2026-01-05 09:00', '-1 hours', cal.c) FROM cal;
SELECT cs_service.sla_due('2026-01-05 09:00', '2 days', cal.c) FROM cal;
-- a malformed clock text
SELECT 'v1 phase=open'::cs_service.sla_clock;
SELECT 'v9 phase=new'::cs_service.sla_clock;
SELECT 'nonsense'::cs_service.sla_clock;
SELECT regexp_replace((SELECT clock::text FROM clocks WHERE tl = 'A'), 'cycles=1', 'cycles=0')::cs_service.sla_clock;
-- binary values that are truncated, of another version, or inconsistent: written as bytea,
-- read back as sla_clock
CREATE TEMP TABLE rawbin (b bytea);
INSERT INTO rawbin VALUES ('\x0125');
COPY rawbin TO '/tmp/cs_service_sla_clock_bad.bin' WITH (FORMAT binary);
COPY bin2 FROM '/tmp/cs_service_sla_clock_bad.bin' WITH (FORMAT binary);
TRUNCATE rawbin;
INSERT INTO rawbin SELECT overlay(cs_service.sla_clock_send(clock) PLACING '\x03' FROM 1 FOR 1)
  FROM clocks WHERE tl = 'A';
COPY rawbin TO '/tmp/cs_service_sla_clock_bad.bin' WITH (FORMAT binary);
COPY bin2 FROM '/tmp/cs_service_sla_clock_bad.bin' WITH (FORMAT binary);
TRUNCATE rawbin;
-- phase "new" with everything else of an open clock
INSERT INTO rawbin SELECT overlay(cs_service.sla_clock_send(clock) PLACING '\x0000000000000000' FROM 3 FOR 8)
  FROM clocks WHERE tl = 'A';
COPY rawbin TO '/tmp/cs_service_sla_clock_bad.bin' WITH (FORMAT binary);
COPY bin2 FROM '/tmp/cs_service_sla_clock_bad.bin' WITH (FORMAT binary);
-- phase 9
TRUNCATE rawbin;
INSERT INTO rawbin SELECT overlay(cs_service.sla_clock_send(clock) PLACING '\x0000000000000009' FROM 3 FOR 8)
  FROM clocks WHERE tl = 'A';
COPY rawbin TO '/tmp/cs_service_sla_clock_bad.bin' WITH (FORMAT binary);
COPY bin2 FROM '/tmp/cs_service_sla_clock_bad.bin' WITH (FORMAT binary);
