-- pgTAP: the stored SLA state (cs_service_internal.sla_clocks, sla_clock_due) against a refold
-- of the log, on random histories written the way help desks write them: in bulk, one event
-- at a time as it happens, back-dated pauses, late-logged replies, events corrected and
-- deleted, openings moved, reopen cycles, across the 2026 DST changes of two zones.  And
-- check_sla() through the next-due index against the full scan of sla_status, and the
-- retraction of alerts a correction disproves.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cs_service;
SELECT plan(41);
SELECT setseed(0.1106);

-- Two calendars with DST changes inside the histories (Europe 2026-10-25, US 2026-11-01), one
-- whole-day calendar in a zone without DST.
INSERT INTO cs_service.calendars (name, calendar) VALUES
    ('st-ny', 'America/New_York; mon-fri 09:00-17:00; 2026-11-26 off'),
    ('st-london', 'Europe/London; mon-sat 08:00-20:00'),
    ('st-tokyo', 'Asia/Tokyo; mon-sun 00:00-24:00');
INSERT INTO cs_service.sla_policies (name, calendar_name, warning_pct) VALUES
    ('st-ny', 'st-ny', 75), ('st-london', 'st-london', 50), ('st-tokyo', 'st-tokyo', 90);
INSERT INTO cs_service.sla_targets (policy, metric, target)
SELECT p, m, t
  FROM unnest(ARRAY['st-ny', 'st-london', 'st-tokyo']) AS p,
       (VALUES ('first_response', interval '4 hours'), ('next_response', interval '3 hours'),
               ('resolution', interval '40 hours'), ('periodic_update', interval '16 hours')) AS v (m, t);
-- a tighter target for one channel of one policy
INSERT INTO cs_service.sla_targets (policy, metric, channel, target)
VALUES ('st-ny', 'first_response', 'chat', '30 minutes');

-- ---- Random histories -----------------------------------------------------------------------
-- 3,000 requests opened over the 60 days before now(), each with a script of up to 14 events
-- at increasing instants (pauses and resumes, messages, replies, resolutions and reopens).
CREATE TEMP TABLE st_script (request_id int8, n int, at timestamptz, kind text) ON COMMIT DROP;
CREATE TEMP TABLE st_req ON COMMIT DROP AS
SELECT 700000 + g AS id,
       now() - interval '60 days' * random() AS opened_at,
       (ARRAY['email', 'chat', 'phone'])[1 + floor(random() * 3)::int] AS channel,
       (ARRAY['st-ny', 'st-london', 'st-tokyo'])[1 + floor(random() * 3)::int] AS policy,
       floor(random() * 15)::int AS nevents
  FROM generate_series(1, 3000) AS g;

INSERT INTO st_script
SELECT r.id, e.n, e.at, e.kind
  FROM st_req AS r
 CROSS JOIN LATERAL (
        SELECT s.n, r.opened_at + sum(s.gap) OVER (ORDER BY s.n) AS at, s.kind
          FROM (SELECT n, interval '1 minute' * (1 + floor(random() * 2880)) AS gap,
                       (ARRAY['customer_message', 'agent_reply', 'agent_reply', 'waiting_on_client',
                              'resumed', 'customer_message', 'resolved', 'reopened',
                              'agent_reply', 'waiting_on_client'])[1 + floor(random() * 10)::int] AS kind
                  FROM generate_series(1, r.nevents) AS n
                 WHERE r.id IS NOT NULL) AS s) AS e
 WHERE e.at < now();

INSERT INTO cs_service.requests (id, opened_at, channel, policy)
SELECT id, opened_at, channel, policy FROM st_req;

-- The comparison: every stored clock against a fold of the request's log as it is now.
CREATE FUNCTION pg_temp.st_mismatches() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*)
      FROM cs_service.requests AS r
      FULL JOIN cs_service_internal.sla_clocks AS s ON s.request_id = r.id
      LEFT JOIN LATERAL (
             SELECT cs_service.sla_clock_agg(e.at, e.kind, c.calendar ORDER BY e.at, e.seq) AS clock
               FROM cs_service_internal.sla_model_events AS e,
                    cs_service_internal.sla_policy_calendars AS c
              WHERE e.request_id = r.id AND c.policy = r.policy) AS f ON true
     WHERE r.id IS NULL OR s.request_id IS NULL
        OR s.clock::text IS DISTINCT FROM f.clock::text
        OR s.last_at IS DISTINCT FROM cs_service.asof(f.clock)
        OR s.last_seq IS DISTINCT FROM coalesce((SELECT max(e.id) FROM cs_service.request_events AS e
                                                  WHERE e.request_id = r.id AND e.at = s.last_at), 0)
        OR s.policy IS DISTINCT FROM r.policy
$$;

-- The due index against a recomputation from scratch (sla_state_dues(NULL) rewrites it).
CREATE TEMP TABLE st_due (LIKE cs_service_internal.sla_clock_due) ON COMMIT DROP;
CREATE FUNCTION pg_temp.st_due_mismatches() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    DELETE FROM st_due;
    INSERT INTO st_due SELECT * FROM cs_service_internal.sla_clock_due;
    PERFORM cs_service_internal.sla_state_dues(NULL);
    SELECT count(*) INTO n
      FROM (SELECT * FROM st_due EXCEPT ALL SELECT * FROM cs_service_internal.sla_clock_due
            UNION ALL
            SELECT * FROM cs_service_internal.sla_clock_due EXCEPT ALL SELECT * FROM st_due) AS x;
    RETURN n;
END
$$;

-- What check_sla() must record: every warning and breach of sla_status (the full scan) with
-- no alert yet.  Compared with what it did record through the index.
CREATE TEMP TABLE st_expected (request_id int8, metric text, started_at timestamptz, kind text) ON COMMIT DROP;
CREATE FUNCTION pg_temp.st_check_differs() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    before int8;
    n bigint;
BEGIN
    DELETE FROM st_expected;
    INSERT INTO st_expected
    SELECT s.request_id, s.metric, s.started_at,
           CASE s.state WHEN 'breached' THEN 'breach' ELSE 'warning' END
      FROM cs_service.sla_status AS s
     WHERE s.state IN ('warning', 'breached') AND s.request_id > 700000
       AND NOT EXISTS (SELECT FROM cs_service.sla_alerts AS a
                        WHERE a.request_id = s.request_id AND a.metric = s.metric
                          AND a.instance_started_at = s.started_at AND a.retracted_at IS NULL
                          AND a.kind = CASE s.state WHEN 'breached' THEN 'breach' ELSE 'warning' END);
    before := coalesce((SELECT max(id) FROM cs_service.sla_alerts), 0);
    PERFORM cs_service.check_sla();
    SELECT count(*) INTO n
      FROM (SELECT * FROM st_expected
            EXCEPT ALL
            SELECT a.request_id, a.metric, a.instance_started_at, a.kind
              FROM cs_service.sla_alerts AS a WHERE a.id > before
            UNION ALL
            (SELECT a.request_id, a.metric, a.instance_started_at, a.kind
               FROM cs_service.sla_alerts AS a WHERE a.id > before
             EXCEPT ALL
             SELECT * FROM st_expected)) AS x;
    RETURN n;
END
$$;

-- ---- 1. Bulk load: the first half of every script in one statement, in random order --------
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT request_id, at, kind FROM st_script AS s
 WHERE s.n <= 7
 ORDER BY random();
SELECT is(pg_temp.st_mismatches(), 0::bigint,
          'bulk load in random order: every stored clock equals a refold');
SELECT is((SELECT count(*) FROM cs_service_internal.sla_clocks WHERE request_id > 700000),
          3000::bigint, 'one stored clock per request');
SELECT is(pg_temp.st_due_mismatches(), 0::bigint, 'bulk load: the due index equals a recomputation');

-- ---- 2. Live: events one statement at a time, in time order ----------------------------------
DO $$
DECLARE
    e record;
BEGIN
    FOR e IN SELECT request_id, at, kind FROM st_script
              WHERE n BETWEEN 8 AND 10 AND request_id % 5 = 0 ORDER BY at LOOP
        INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (e.request_id, e.at, e.kind);
    END LOOP;
END
$$;
SELECT is(pg_temp.st_mismatches(), 0::bigint, 'live events one by one: stored = refold');
SELECT is(pg_temp.st_due_mismatches(), 0::bigint, 'live events: due index = recomputation');

-- ---- 3. The rest of the scripts in several statements out of time order ---------------------
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT request_id, at, kind FROM st_script
 WHERE n > 10 AND request_id % 2 = 0 ORDER BY at DESC;
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT request_id, at, kind FROM st_script
 WHERE n BETWEEN 8 AND 10 AND request_id % 5 <> 0;
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT request_id, at, kind FROM st_script
 WHERE n > 10 AND request_id % 2 = 1;
SELECT is(pg_temp.st_mismatches(), 0::bigint,
          'later events before earlier ones, across statements: stored = refold');
SELECT is((SELECT count(*) FROM cs_service.request_events WHERE request_id > 700000),
          (SELECT count(*) FROM st_script), 'every scripted event is in the log');

-- ---- 4. check_sla() through the index against the full scan ---------------------------------
SELECT cmp_ok((SELECT count(*) FROM cs_service.sla_status
                WHERE state IN ('warning', 'breached') AND request_id > 700000),
              '>', 100::bigint, 'the histories have more than 100 warnings and breaches running now');
SELECT is(pg_temp.st_check_differs(), 0::bigint,
          'check_sla() through the next-due index records exactly the full scan''s alerts');
SELECT cmp_ok((SELECT count(*) FROM st_expected), '>', 100::bigint, '... which were more than 100');
SELECT is(cs_service.check_sla(), 0, 'a second check_sla() at the same instant records nothing');
SELECT is((SELECT count(*) FROM cs_service_internal.sla_clock_due WHERE check_at <= now()),
          0::bigint, 'after the check nothing is due before now()');
SELECT is(pg_temp.st_due_mismatches(), 0::bigint, 'after the check: due index = recomputation');

-- ---- 5. Back-dated pauses: "the client has been waiting since ..." ---------------------------
-- For a third of the requests with a breach recorded, a pause from a minute after the metric's
-- start, never resumed: the breach did not happen, and the alert is retracted.
CREATE TEMP TABLE st_breached ON COMMIT DROP AS
SELECT DISTINCT ON (a.request_id) a.id, a.request_id, a.metric, a.instance_started_at
  FROM cs_service.sla_alerts AS a
  JOIN cs_service.requests AS r ON r.id = a.request_id
 WHERE a.kind = 'breach' AND a.request_id > 700000 AND a.request_id % 3 = 0
   AND a.metric = 'resolution'
   AND NOT EXISTS (SELECT FROM cs_service.request_events AS e
                    WHERE e.request_id = a.request_id AND e.at > a.instance_started_at)
 ORDER BY a.request_id, a.id;
SELECT cmp_ok((SELECT count(*) FROM st_breached), '>', 5::bigint,
              'some resolution breaches have no event after their start');
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT request_id, instance_started_at + interval '1 minute', 'waiting_on_client' FROM st_breached;
SELECT is(pg_temp.st_mismatches(), 0::bigint, 'back-dated pauses: stored = refold');
SELECT is((SELECT count(*) FROM cs_service.sla_alerts AS a JOIN st_breached AS b ON b.id = a.id
            WHERE a.retracted_at IS NOT NULL),
          (SELECT count(*) FROM st_breached),
          'every breach the back-dated pause disproves is retracted');
SELECT is((SELECT count(*) FROM cs_service.sla_alerts AS a JOIN st_breached AS b ON b.id = a.id),
          (SELECT count(*) FROM st_breached), '... and kept, not deleted');

-- ---- 6. Late-logged replies -----------------------------------------------------------------
-- A reply logged now that was given a minute after the first-response clock started.
CREATE TEMP TABLE st_late ON COMMIT DROP AS
SELECT DISTINCT ON (a.request_id) a.id, a.request_id, a.instance_started_at
  FROM cs_service.sla_alerts AS a
 WHERE a.metric = 'first_response' AND a.kind = 'breach' AND a.retracted_at IS NULL
   AND a.request_id > 700000
 ORDER BY a.request_id, a.id;
SELECT cmp_ok((SELECT count(*) FROM st_late), '>', 5::bigint, 'some first responses were breached');
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT request_id, instance_started_at + interval '1 minute', 'agent_reply' FROM st_late;
SELECT is(pg_temp.st_mismatches(), 0::bigint, 'late-logged replies: stored = refold');
SELECT is((SELECT count(*) FROM cs_service.sla_alerts AS a JOIN st_late AS l ON l.id = a.id
            WHERE a.retracted_at IS NULL),
          0::bigint, 'every first-response breach a late-logged reply disproves is retracted');
SELECT is((SELECT count(*) FROM cs_service.sla_alerts
            WHERE retracted_at IS NULL AND NOT cs_service_internal.sla_alert_holds(sla_alerts)),
          0::bigint, 'every alert not retracted still holds on the corrected log');
SELECT is((SELECT count(*) FROM cs_service.sla_alerts
            WHERE retracted_at IS NOT NULL AND cs_service_internal.sla_alert_holds(sla_alerts)),
          0::bigint, 'no retracted alert holds');

-- ---- 7. Corrections: events moved and deleted, openings moved --------------------------------
UPDATE cs_service.request_events
   SET at = at - interval '1 minute' * floor(random() * 600)
 WHERE request_id > 700000 AND id % 11 = 0
   AND at - interval '10 hours' > (SELECT r.opened_at FROM cs_service.requests AS r WHERE r.id = request_id);
DELETE FROM cs_service.request_events WHERE request_id > 700000 AND id % 13 = 0;
UPDATE cs_service.requests SET opened_at = opened_at - interval '3 hours'
 WHERE id > 700000 AND id % 17 = 0;
UPDATE cs_service.requests AS r SET opened_at = least(now(), coalesce(
           (SELECT min(e.at) FROM cs_service.request_events AS e WHERE e.request_id = r.id), now()))
 WHERE id > 700000 AND id % 19 = 0;
UPDATE cs_service.requests SET channel = 'chat' WHERE id > 700000 AND id % 23 = 0;
SELECT is(pg_temp.st_mismatches(), 0::bigint, 'events moved and deleted, openings moved: stored = refold');
SELECT is((SELECT count(*) FROM cs_service.sla_alerts
            WHERE retracted_at IS NULL AND NOT cs_service_internal.sla_alert_holds(sla_alerts)),
          0::bigint, 'after the corrections every alert not retracted still holds');
SELECT is(pg_temp.st_check_differs(), 0::bigint, 'after the corrections check_sla() = the full scan');

-- ---- 8. Reopen cycles and resolutions of requests resolved long ago ---------------------------
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT r.id, now() - interval '2 hours', k.kind
  FROM cs_service.requests AS r
 CROSS JOIN (VALUES ('reopened'), ('customer_message')) AS k (kind)
 WHERE r.id > 700000 AND NOT r.is_open AND r.id % 7 = 0
   AND NOT EXISTS (SELECT FROM cs_service.request_events AS e
                    WHERE e.request_id = r.id AND e.at >= now() - interval '2 hours');
DELETE FROM cs_service.request_events AS e
 WHERE e.request_id > 700000 AND e.request_id % 29 = 0 AND e.kind = 'resolved';
SELECT is(pg_temp.st_mismatches(), 0::bigint, 'reopens and deleted resolutions: stored = refold');
SELECT is((SELECT count(*) FROM cs_service.requests AS r
             JOIN cs_service_internal.sla_clocks AS s ON s.request_id = r.id
            WHERE r.is_open <> cs_service.is_open(s.clock)),
          0::bigint, 'requests.is_open agrees with the stored clock');

-- ---- 9. Policy, calendar and target changes ---------------------------------------------------
SET LOCAL cs_service.allow_history_rewrite = on;
UPDATE cs_service.sla_targets SET target = '2 hours'
 WHERE policy = 'st-london' AND metric = 'first_response' AND channel IS NULL;
SELECT is(pg_temp.st_due_mismatches(), 0::bigint, 'a target changed: due index = recomputation');
UPDATE cs_service.sla_policies SET warning_pct = 60 WHERE name = 'st-tokyo';
SELECT is(pg_temp.st_due_mismatches(), 0::bigint, 'a warning threshold changed: due index = recomputation');
UPDATE cs_service.calendars SET calendar = 'America/New_York; mon-fri 08:00-18:00; 2026-11-26 off'
 WHERE name = 'st-ny';
SELECT is(pg_temp.st_mismatches(), 0::bigint, 'a calendar edited: stored = refold');
UPDATE cs_service.sla_policies SET calendar_name = 'st-tokyo' WHERE name = 'st-london';
SELECT is(pg_temp.st_mismatches(), 0::bigint, 'a policy''s calendar changed: stored = refold');
SELECT is(pg_temp.st_due_mismatches(), 0::bigint, 'after the policy changes: due index = recomputation');
SELECT is(pg_temp.st_check_differs(), 0::bigint, 'after the policy changes check_sla() = the full scan');

-- ---- 10. Deletes, and a rebuild --------------------------------------------------------------
DELETE FROM cs_service.requests WHERE id > 700000 AND id % 31 = 0;
SELECT is(pg_temp.st_mismatches(), 0::bigint, 'requests deleted: their state goes with them');
CREATE TEMP TABLE st_before ON COMMIT DROP AS
SELECT request_id, clock::text AS clock, last_at, last_seq FROM cs_service_internal.sla_clocks;
SELECT is(cs_service_internal.sla_state_rebuild(),
          (SELECT count(*) FROM cs_service.requests), 'sla_state_rebuild() refolds every request');
SELECT is((SELECT count(*) FROM (
             SELECT * FROM st_before
             EXCEPT SELECT request_id, clock::text, last_at, last_seq FROM cs_service_internal.sla_clocks) AS x),
          0::bigint, 'a rebuild changes nothing the triggers kept');

-- ---- 11. The client the stored state carries ----------------------------------------------------
-- sla_clocks, sla_clock_due and sla_alerts carry their request's client (on Citus they live on
-- the client's shard): set when they are written, moved with a request moved to another client.
CREATE FUNCTION pg_temp.st_client_mismatches() RETURNS bigint LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM cs_service_internal.sla_clocks AS s
              JOIN cs_service.requests AS r ON r.id = s.request_id WHERE s.client IS DISTINCT FROM r.client)
         + (SELECT count(*) FROM cs_service_internal.sla_clock_due AS d
              JOIN cs_service.requests AS r ON r.id = d.request_id WHERE d.client IS DISTINCT FROM r.client)
         + (SELECT count(*) FROM cs_service.sla_alerts AS a
              JOIN cs_service.requests AS r ON r.id = a.request_id WHERE a.client IS DISTINCT FROM r.client)
$$;
SELECT ok((SELECT count(*) FROM cs_service.sla_alerts AS a JOIN cs_service.requests AS r ON r.id = a.request_id) > 0
          AND pg_temp.st_client_mismatches() = 0, 'alerts exist, and the state carries the requests'' (NULL) clients');
UPDATE cs_service.requests SET client = 'st-client-' || (id % 7) WHERE id > 700000 AND id % 3 <> 0;
SELECT is(pg_temp.st_client_mismatches(), 0::bigint, 'requests given a client: their clocks, dues and alerts follow');
UPDATE cs_service.requests SET client = NULL WHERE id > 700000 AND id % 3 = 1;
UPDATE cs_service.requests SET client = 'st-client-x' WHERE id > 700000 AND id % 3 = 2 AND id % 2 = 0;
SELECT is(pg_temp.st_client_mismatches(), 0::bigint, 'clients changed and taken away: the state follows');
SELECT is(pg_temp.st_mismatches(), 0::bigint, 'a client change leaves the clocks as a refold has them');
-- the once-per-instance key holds for a request without a client too (NULLS NOT DISTINCT)
SELECT throws_ok($$INSERT INTO cs_service.sla_alerts (request_id, metric, kind, instance_started_at, cycle, policy,
                                                      target_minutes, elapsed_minutes, client)
                   SELECT a.request_id, a.metric, a.kind, a.instance_started_at, a.cycle, a.policy,
                          a.target_minutes, a.elapsed_minutes, a.client
                     FROM cs_service.sla_alerts AS a
                    WHERE a.client IS NULL AND a.retracted_at IS NULL ORDER BY a.id LIMIT 1$$,
                 '23505', NULL, 'an alert recorded twice for a request without a client is refused');

SELECT * FROM finish();
ROLLBACK;
