-- pgTAP: the SLA clock on hand-checked timelines through the request model and the views, and
-- properties on random logs (the clock against sla_elapsed over the same pauses).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cs_service;
SELECT plan(41);
SET LOCAL timezone = 'UTC';

-- Business hours Monday-Friday 09:00-18:00 UTC; Wednesday 2026-01-07 is a holiday.
-- 2026-01-05 is a Monday, 2026-01-09 a Friday.
INSERT INTO cs_service.calendars (name, calendar)
VALUES ('tap-office', 'UTC; mon-fri 09:00-18:00; 2026-01-07 off');
INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES ('tap', 'tap-office');
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES
    ('tap', 'first_response', '2 hours'),
    ('tap', 'next_response', '1 hour'),
    ('tap', 'resolution', '8 hours'),
    ('tap', 'periodic_update', '4 hours');

INSERT INTO cs_service.requests (id, opened_at, channel, policy) VALUES
    (9001, '2026-01-09 16:00', 'email', 'tap'),     -- pause over a weekend
    (9002, '2026-01-05 09:00', 'email', 'tap'),     -- reply exactly at the deadline
    (9003, '2026-01-05 09:00', 'email', 'tap'),     -- reply one microsecond late
    (9004, '2026-01-05 09:00', 'email', 'tap'),     -- reopen after resolution
    (9005, '2026-01-06 15:00', 'email', 'tap'),     -- a holiday inside a pause
    (9006, '2026-01-05 09:00', 'email', 'tap');     -- next reply late, after a pause
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES
    (9001, '2026-01-09 17:00', 'waiting_on_client'),
    (9001, '2026-01-12 11:00', 'resumed'),
    (9001, '2026-01-12 12:00', 'agent_reply'),
    (9001, '2026-01-12 13:00', 'resolved'),
    (9002, '2026-01-05 11:00', 'agent_reply'),
    (9002, '2026-01-05 12:00', 'resolved'),
    (9003, '2026-01-05 11:00:00.000001', 'agent_reply'),
    (9003, '2026-01-05 12:00', 'resolved'),
    (9004, '2026-01-05 10:00', 'agent_reply'),
    (9004, '2026-01-05 12:00', 'resolved'),
    (9004, '2026-01-06 10:00', 'reopened'),
    (9004, '2026-01-06 10:00', 'customer_message'),
    (9004, '2026-01-06 11:30', 'agent_reply'),
    (9004, '2026-01-08 14:00', 'resolved'),
    (9005, '2026-01-06 17:00', 'waiting_on_client'),
    (9005, '2026-01-08 10:00', 'resumed'),
    (9005, '2026-01-08 11:00', 'agent_reply'),
    (9005, '2026-01-08 12:00', 'resolved'),
    (9006, '2026-01-05 09:30', 'agent_reply'),
    (9006, '2026-01-05 10:00', 'customer_message'),
    (9006, '2026-01-05 10:30', 'waiting_on_client'),
    (9006, '2026-01-05 16:00', 'customer_message'),
    (9006, '2026-01-05 17:00', 'agent_reply'),
    (9006, '2026-01-05 17:30', 'resolved');

CREATE TEMP TABLE m ON COMMIT DROP AS
SELECT request_id, metric, target, started_at, stopped_at, elapsed, worst, clock
  FROM cs_service_internal.sla_request_metrics WHERE request_id BETWEEN 9001 AND 9099;

-- ---- 9001: pause over a weekend -----------------------------------------------------------
SELECT is((SELECT elapsed FROM m WHERE request_id = 9001 AND metric = 'first_response'),
          interval '2 hours', 'weekend pause: first response 2 h (Fri 16-17 + Mon 11-12)');
SELECT is((SELECT worst FROM m WHERE request_id = 9001 AND metric = 'resolution'),
          interval '3 hours', 'weekend pause: resolution 3 h');
SELECT is((SELECT cs_service.paused_time(clock) FROM m WHERE request_id = 9001 AND metric = 'resolution'),
          interval '3 hours', 'weekend pause: paused 3 business hours (Fri 17-18 + Mon 09-11), not 66');
SELECT is((SELECT worst <= target FROM m WHERE request_id = 9001 AND metric = 'first_response'),
          true, 'weekend pause: first response met (2 h of 2 h)');
SELECT is(cs_service.sla_elapsed('2026-01-09 16:00', '2026-01-12 13:00', cs_service.calendar('tap-office'),
                                 '{[2026-01-09 17:00,2026-01-12 11:00)}'),
          interval '3 hours', 'weekend pause: sla_elapsed agrees with the clock');
SELECT is(cs_service.sla_due('2026-01-09 16:00', '2 hours', cs_service.calendar('tap-office'),
                             '{[2026-01-09 17:00,2026-01-12 11:00)}'),
          timestamptz '2026-01-12 12:00', 'weekend pause: sla_due is Monday 12:00, the pause pushed it out');

-- ---- 9002 / 9003: reply exactly at the deadline, and one microsecond after -----------------
SELECT is((SELECT elapsed FROM m WHERE request_id = 9002 AND metric = 'first_response'),
          interval '2 hours', 'deadline: reply at 11:00 took exactly 2 h');
SELECT is((SELECT worst <= target FROM m WHERE request_id = 9002 AND metric = 'first_response'),
          true, 'deadline: a reply exactly at the deadline is met');
SELECT is((SELECT cs_service.sla_metric_due(clock, 'first_response', target, cs_service.calendar('tap-office'))
             FROM m WHERE request_id = 9002 AND metric = 'first_response'),
          timestamptz '2026-01-05 11:00', 'deadline: due at 11:00');
SELECT is((SELECT worst <= target FROM m WHERE request_id = 9003 AND metric = 'first_response'),
          false, 'deadline: a reply one microsecond later is missed');
SELECT is((SELECT cs_service.sla_metric_due(clock, 'first_response', target, cs_service.calendar('tap-office'))
             FROM m WHERE request_id = 9003 AND metric = 'first_response'),
          timestamptz '2026-01-05 11:00', 'deadline: the missed reply shows when it was due');

-- ---- 9004: reopen after resolution ----------------------------------------------------------
SELECT is((SELECT cs_service.cycles(clock) FROM m WHERE request_id = 9004 AND metric = 'resolution'),
          2, 'reopen: two cycles');
SELECT is((SELECT cs_service.first_resolution_time(clock) FROM m WHERE request_id = 9004 AND metric = 'resolution'),
          interval '3 hours', 'reopen: the first cycle keeps its 3 h');
SELECT is((SELECT cs_service.first_resolved_at(clock) FROM m WHERE request_id = 9004 AND metric = 'resolution'),
          timestamptz '2026-01-05 12:00', 'reopen: the first resolution instant is kept');
SELECT is((SELECT elapsed FROM m WHERE request_id = 9004 AND metric = 'resolution'),
          interval '13 hours', 'reopen: cycle 2 runs Tue 10:00 to Thu 14:00 over the holiday: 8 + 5 = 13 h');
SELECT is((SELECT started_at FROM m WHERE request_id = 9004 AND metric = 'resolution'),
          timestamptz '2026-01-06 10:00', 'reopen: cycle 2 starts at the reopen');
SELECT is((SELECT worst > target FROM m WHERE request_id = 9004 AND metric = 'resolution'),
          true, 'reopen: the second cycle missed the 8 h resolution target');
SELECT is((SELECT cs_service.elapsed(clock) FROM m WHERE request_id = 9004 AND metric = 'resolution'),
          interval '16 hours', 'reopen: total SLA time 3 + 13 h, the time resolved not counted');
SELECT is((SELECT worst FROM m WHERE request_id = 9004 AND metric = 'next_response'),
          interval '1 hour 30 minutes', 'reopen: the reopened request waited 1.5 h for a reply');

-- ---- 9005: a holiday inside a pause ---------------------------------------------------------
SELECT is((SELECT cs_service.paused_time(clock) FROM m WHERE request_id = 9005 AND metric = 'resolution'),
          interval '2 hours', 'holiday in pause: paused Tue 17-18 + Thu 09-10, the holiday counts 0');
SELECT is((SELECT worst FROM m WHERE request_id = 9005 AND metric = 'resolution'),
          interval '4 hours', 'holiday in pause: resolution Tue 15-17 + Thu 10-12 = 4 h');
SELECT is((SELECT elapsed FROM m WHERE request_id = 9005 AND metric = 'first_response'),
          interval '3 hours', 'holiday in pause: first response Tue 15-17 + Thu 10-11 = 3 h');
SELECT is(cs_service.sla_due('2026-01-06 15:00', '3 hours', cs_service.calendar('tap-office'),
                             '{[2026-01-06 17:00,2026-01-08 10:00)}'),
          timestamptz '2026-01-08 11:00', 'holiday in pause: sla_due of 3 h is Thursday 11:00');

-- ---- 9006: next reply, paused in the middle ---------------------------------------------------
SELECT is((SELECT worst FROM m WHERE request_id = 9006 AND metric = 'next_response'),
          interval '1 hour 30 minutes', 'next reply: 10:00-10:30 + 16:00-17:00, the pause excluded');
SELECT is((SELECT worst > target FROM m WHERE request_id = 9006 AND metric = 'next_response'),
          true, 'next reply: 1.5 h misses the 1 h target');
SELECT is((SELECT cs_service.sla_metric_due(clock, 'next_response', target, cs_service.calendar('tap-office'))
             FROM m WHERE request_id = 9006 AND metric = 'next_response'),
          timestamptz '2026-01-05 16:30', 'next reply: breached at 16:30, 30 min after the client answered');
SELECT is((SELECT worst FROM m WHERE request_id = 9006 AND metric = 'periodic_update'),
          interval '2 hours', 'periodic update: the longest gap between replies is 09:30-17:00 minus the 5.5 h pause');

-- ---- Live status at a fixed instant ---------------------------------------------------------
SELECT is((SELECT cs_service.sla_metric_due(
              cs_service.sla_clock_at(k, '2026-01-09 17:30', cs_service.calendar('tap-office')),
              'resolution', '8 hours', cs_service.calendar('tap-office'))
             FROM (SELECT cs_service.sla_clock_agg(e.at, e.kind, cs_service.calendar('tap-office') ORDER BY e.at, e.seq) AS k
                     FROM cs_service_internal.sla_source_events() AS e
                    WHERE e.request_id = 9001 AND e.at <= '2026-01-09 17:30') AS s),
          NULL::timestamptz, 'live: while paused the deadline is suspended (NULL)');
SELECT is((SELECT cs_service.sla_metric_due(
              cs_service.sla_clock_at(k, '2026-01-12 11:30', cs_service.calendar('tap-office')),
              'resolution', '8 hours', cs_service.calendar('tap-office'))
             FROM (SELECT cs_service.sla_clock_agg(e.at, e.kind, cs_service.calendar('tap-office') ORDER BY e.at, e.seq) AS k
                     FROM cs_service_internal.sla_source_events() AS e
                    WHERE e.request_id = 9001 AND e.at <= '2026-01-12 11:30') AS s),
          timestamptz '2026-01-12 18:00', 'live: resumed Monday 11:00 with 1 h used, 8 h is due at 18:00, the close of the day');

-- ---- Properties on random logs ----------------------------------------------------------------
-- Each log: opened, waiting, resumed, waiting, customer_message (ends the pause), agent_reply,
-- waiting, resumed, resolved, at random microsecond instants over ten days in a DST month with
-- a split shift and a holiday.  The clock must agree with sla_elapsed over the same pauses.
SELECT setseed(0.4242);
CREATE TEMP TABLE rl ON COMMIT DROP AS
SELECT r.rid, r.t0, p.ts
  FROM (SELECT g AS rid,
               timestamptz '2026-03-20 00:00' + random() * interval '10 days' AS t0
          FROM generate_series(1, 300) AS g) AS r
 CROSS JOIN LATERAL (
        SELECT array_agg(r.t0 + x ORDER BY x) AS ts
          FROM (SELECT random() * interval '10 days' + r.rid * interval '0' AS x
                  FROM generate_series(1, 8)) AS o) AS p;
CREATE TEMP TABLE rcal ON COMMIT DROP AS
SELECT 'Europe/Berlin; mon-fri 09:00-12:30, 13:30-18:00; sat 10:00-14:00; 2026-04-03 off'::cs_service.business_calendar AS c;
CREATE TEMP TABLE rev ON COMMIT DROP AS
SELECT rl.rid, e.at, e.kind, e.n
  FROM rl CROSS JOIN LATERAL (VALUES
        (rl.t0, 'opened', 0), (rl.ts[1], 'waiting_on_client', 1), (rl.ts[2], 'resumed', 2),
        (rl.ts[3], 'waiting_on_client', 3), (rl.ts[4], 'customer_message', 4),
        (rl.ts[5], 'agent_reply', 5), (rl.ts[6], 'waiting_on_client', 6),
        (rl.ts[7], 'resumed', 7), (rl.ts[8], 'resolved', 8)) AS e(at, kind, n);
CREATE TEMP TABLE rclock ON COMMIT DROP AS
SELECT rid, cs_service.sla_clock_agg(at, kind, (SELECT c FROM rcal) ORDER BY at, n) AS k,
       cs_service.sla_clock_agg(at, kind ORDER BY at, n) AS w
  FROM rev GROUP BY rid;
CREATE TEMP TABLE rref ON COMMIT DROP AS
SELECT rl.rid, rl.t0, rl.ts,
       tstzmultirange(tstzrange(rl.ts[1], rl.ts[2]), tstzrange(rl.ts[3], rl.ts[4]),
                      tstzrange(rl.ts[6], rl.ts[7])) AS paused
  FROM rl;

SELECT is((SELECT count(*) FROM rclock c JOIN rref r USING (rid), rcal
            WHERE cs_service.elapsed(c.k) <> cs_service.sla_elapsed(r.t0, r.ts[8], rcal.c, r.paused)),
          0::bigint, 'random logs: elapsed = sla_elapsed(opened, resolved, cal, pauses) for 300 logs');
SELECT is((SELECT count(*) FROM rclock c JOIN rref r USING (rid), rcal
            WHERE cs_service.first_response_time(c.k) <> cs_service.sla_elapsed(r.t0, r.ts[5], rcal.c, r.paused)),
          0::bigint, 'random logs: first response = sla_elapsed(opened, reply, cal, pauses)');
SELECT is((SELECT count(*) FROM rclock c JOIN rref r USING (rid), rcal
            WHERE cs_service.elapsed(c.k) + cs_service.paused_time(c.k)
                  <> cs_service.business_duration(r.t0, r.ts[8], rcal.c)),
          0::bigint, 'random logs: SLA time + paused time = business time open');
SELECT is((SELECT count(*) FROM rclock c JOIN rref r USING (rid)
            WHERE cs_service.elapsed(c.w) + cs_service.paused_time(c.w) <> r.ts[8] - r.t0
               OR cs_service.paused_time(c.w) <> (r.ts[2] - r.ts[1]) + (r.ts[4] - r.ts[3]) + (r.ts[7] - r.ts[6])),
          0::bigint, 'random logs, 24/7: paused time is the wall time of the pauses');
SELECT is((SELECT count(*) FROM rclock c JOIN rref r USING (rid), rcal
            WHERE cs_service.sla_elapsed(r.t0, cs_service.sla_due(r.t0, cs_service.elapsed(c.k), rcal.c, r.paused),
                                         rcal.c, r.paused) <> cs_service.elapsed(c.k)
              AND cs_service.elapsed(c.k) > interval '0'),
          0::bigint, 'random logs: sla_elapsed(start, sla_due(start, x)) = x');
SELECT is((SELECT count(*) FROM rclock c JOIN rref r USING (rid), rcal
            WHERE cs_service.elapsed(c.k) > interval '0'
              AND cs_service.sla_due(r.t0, cs_service.elapsed(c.k), rcal.c, r.paused) > r.ts[8]),
          0::bigint, 'random logs: the due instant of the whole SLA time is no later than the resolution');
SELECT is((SELECT count(*) FROM rclock c WHERE cs_service.phase(c.k) <> 'resolved' OR cs_service.cycles(c.k) <> 1
                                           OR cs_service.ignored_events(c.k) <> 0),
          0::bigint, 'random logs: every log ends resolved, one cycle, nothing ignored');
-- shuffled input with ORDER BY gives the same clock
SELECT is((SELECT count(*) FROM rclock c JOIN (
              SELECT rid, cs_service.sla_clock_agg(at, kind, (SELECT c FROM rcal) ORDER BY at, n) AS k
                FROM (SELECT * FROM rev ORDER BY random()) AS s GROUP BY rid) AS s USING (rid)
            WHERE s.k::text <> c.k::text),
          0::bigint, 'random logs: input order does not matter with ORDER BY');

-- ---- Bad input ------------------------------------------------------------------------------------
SELECT throws_ok($$SELECT cs_service.sla_clock_agg(at, kind) FROM (SELECT * FROM rev WHERE rid = 1 ORDER BY at DESC) s$$,
                 '22023', 'sla_clock_agg events are out of order', 'out-of-order events are an error');
SELECT throws_ok($$INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (9002, '2026-01-05 08:00', 'resolved')$$,
                 '23514', 'request event is before the request was opened', 'an event before the opening is rejected');
SELECT throws_ok($$INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (424242, '2026-01-05 10:00', 'resolved')$$,
                 '23503', NULL, 'a resolution without a request (and so without an opening) is rejected');
SELECT throws_ok($$INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (9002, '2026-01-05 11:00', 'agent_reply')$$,
                 '23505', NULL, 'a duplicated event is rejected');

SELECT * FROM finish();
ROLLBACK;
