-- pgTAP: whom a wait is on (doc/sla.md, "Whom a wait is on").  Random logs of waits on the three
-- parties against an independent reference (a walk over the log that collects each party's
-- wait ranges, measured with business_duration and sla_elapsed), under three sets of pause
-- parties; and the stored clocks of the model equal a refold under the policy's pause parties,
-- after in-order, out-of-order and corrected writes and a change of the pause parties.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cs_service;
SELECT plan(14);
SET LOCAL timezone = 'UTC';

-- 300 logs: opened, 12 events among the waits, resumed, client messages and replies at random
-- instants over ten days, then resolved; a calendar with a split shift, DST and a holiday.
SELECT setseed(0.1717);
CREATE TEMP TABLE pcal ON COMMIT DROP AS
SELECT 'Europe/Berlin; mon-fri 09:00-12:30, 13:30-18:00; sat 10:00-14:00; 2026-04-03 off'::cs_service.business_calendar AS c;
CREATE TEMP TABLE pev ON COMMIT DROP AS
WITH logs AS (
    SELECT g AS rid, timestamptz '2026-03-20 00:00' + random() * interval '10 days' AS t0
      FROM generate_series(1, 300) AS g),
steps AS (
    SELECT l.rid, l.t0, s.n,
           l.t0 + random() * interval '10 days' + l.rid * interval '0' AS at,
           (ARRAY['waiting_on_client', 'waiting_on_third_party', 'waiting_on_internal',
                  'waiting_on_client', 'waiting_on_third_party', 'waiting_on_internal',
                  'resumed', 'resumed', 'customer_message', 'agent_reply'])[1 + floor(random() * 10)::int + s.n * 0] AS kind
      FROM logs AS l CROSS JOIN generate_series(1, 12) AS s (n))
SELECT rid, t0 AS at, 'opened' AS kind, 0 AS n FROM logs
UNION ALL
SELECT rid, at, kind, row_number() OVER (PARTITION BY rid ORDER BY at) AS n FROM steps
UNION ALL
SELECT rid, t0 + interval '10 days 1 hour', 'resolved', 13 FROM logs;

-- the reference: walk each log in order; a wait on a party begins at waiting_on_<party> (the
-- same party again changes nothing) and ends at resumed, a resolution, another party's wait,
-- or (a wait on the client only) a customer message
CREATE FUNCTION pg_temp.ref_waits() RETURNS TABLE (rid int, party text, r tstzrange)
LANGUAGE plpgsql AS $$
DECLARE
    e record;
    cur_rid int;
    hold text;
    since timestamptz;
    nxt text;
BEGIN
    FOR e IN SELECT p.rid, p.at, p.kind FROM pev AS p ORDER BY p.rid, p.at, p.n LOOP
        IF e.rid IS DISTINCT FROM cur_rid THEN
            cur_rid := e.rid; hold := NULL; since := NULL;
        END IF;
        nxt := CASE WHEN e.kind LIKE 'waiting_on_%' THEN substr(e.kind, 12)
                    WHEN e.kind IN ('resumed', 'resolved') THEN NULL
                    WHEN e.kind = 'customer_message' AND hold = 'client' THEN NULL
                    ELSE hold END;
        IF nxt IS DISTINCT FROM hold THEN
            IF hold IS NOT NULL THEN
                rid := e.rid; party := hold; r := tstzrange(since, e.at);
                RETURN NEXT;
            END IF;
            hold := nxt; since := e.at;
        END IF;
    END LOOP;
END
$$;
CREATE TEMP TABLE pref ON COMMIT DROP AS
SELECT l.rid, p.party,
       coalesce((SELECT range_agg(w.r) FROM pg_temp.ref_waits() AS w WHERE w.rid = l.rid AND w.party = p.party),
                '{}') AS ranges
  FROM (SELECT DISTINCT rid FROM pev) AS l
 CROSS JOIN (VALUES ('client'), ('third_party'), ('internal')) AS p (party);
CREATE TEMP TABLE pwait ON COMMIT DROP AS
SELECT p.rid, p.party, p.ranges,
       coalesce((SELECT sum(cs_service.business_duration(lower(u), upper(u), pcal.c)) FROM unnest(p.ranges) AS u),
                interval '0') AS waited
  FROM pref AS p, pcal;

CREATE TEMP TABLE pclock ON COMMIT DROP AS
SELECT rid,
       cs_service.sla_clock_agg(at, kind, (SELECT c FROM pcal) ORDER BY at, n) AS dflt,
       cs_service.sla_clock_agg(at, kind, (SELECT c FROM pcal), '{client,third_party,internal}' ORDER BY at, n) AS alls,
       cs_service.sla_clock_agg(at, kind, (SELECT c FROM pcal), '{}' ORDER BY at, n) AS never,
       cs_service.sla_clock_agg(at, kind, (SELECT c FROM pcal), '{internal}' ORDER BY at, n) AS internal_only
  FROM pev GROUP BY rid;

SELECT is((SELECT count(*) FROM pwait WHERE waited > interval '0' AND party = 'internal'), 
          (SELECT count(DISTINCT rid) FROM pwait WHERE waited > interval '0' AND party = 'internal'),
          'reference: sanity (one row per log and party)');
SELECT ok((SELECT count(*) FILTER (WHERE waited > interval '0') FROM pwait) > 600,
          'random logs: most logs wait on most parties');
SELECT is((SELECT count(*) FROM pclock AS c JOIN pwait AS w USING (rid)
            WHERE cs_service.waited_time(c.dflt, w.party) <> w.waited),
          0::bigint, 'random logs: the time waited per party equals the reference, for 300 logs and 3 parties');
SELECT is((SELECT count(*) FROM pclock AS c JOIN pwait AS w USING (rid)
            WHERE cs_service.waited_time(c.alls, w.party) <> w.waited
               OR cs_service.waited_time(c.never, w.party) <> w.waited
               OR cs_service.waited_time(c.internal_only, w.party) <> w.waited),
          0::bigint, 'random logs: the time waited per party does not depend on the pause parties');
SELECT is((SELECT count(*) FROM pclock AS c
            WHERE cs_service.paused_time(c.alls)
                  <> (SELECT sum(w.waited) FROM pwait AS w WHERE w.rid = c.rid)),
          0::bigint, 'random logs: the per-party times sum to the total waited time (the paused time when every party pauses)');
SELECT is((SELECT count(*) FROM pclock AS c
            WHERE cs_service.paused_time(c.dflt)
                  <> (SELECT sum(w.waited) FROM pwait AS w WHERE w.rid = c.rid AND w.party <> 'internal')
               OR cs_service.paused_time(c.internal_only)
                  <> (SELECT w.waited FROM pwait AS w WHERE w.rid = c.rid AND w.party = 'internal')
               OR cs_service.paused_time(c.never) <> interval '0'),
          0::bigint, 'random logs: the paused time is the time waited on the pause parties');
SELECT is((SELECT count(*) FROM pclock AS c, pcal,
                  (SELECT rid, min(at) AS t0, max(at) AS t1 FROM pev GROUP BY rid) AS b
            WHERE b.rid = c.rid
              AND (cs_service.elapsed(c.alls)
                     <> cs_service.sla_elapsed(b.t0, b.t1, pcal.c,
                            coalesce((SELECT range_agg(u) FROM pwait AS p, unnest(p.ranges) AS u
                                       WHERE p.rid = c.rid), '{}'))
                   OR cs_service.elapsed(c.dflt)
                     <> cs_service.sla_elapsed(b.t0, b.t1, pcal.c,
                            coalesce((SELECT range_agg(u) FROM pwait AS p, unnest(p.ranges) AS u
                                       WHERE p.rid = c.rid AND p.party <> 'internal'), '{}'))
                   OR cs_service.elapsed(c.never) <> cs_service.business_duration(b.t0, b.t1, pcal.c))),
          0::bigint, 'random logs: SLA time = sla_elapsed over the waits on the pause parties (a policy that stops on internal too, the default, none)');
SELECT is((SELECT count(*) FROM pclock AS c, pcal,
                  (SELECT rid, min(at) AS t0, max(at) AS t1 FROM pev GROUP BY rid) AS b
            WHERE b.rid = c.rid
              AND (cs_service.first_response_time(c.dflt) > cs_service.elapsed(c.dflt)
                   OR cs_service.elapsed(c.alls) > cs_service.elapsed(c.dflt)
                   OR cs_service.elapsed(c.dflt) > cs_service.elapsed(c.never))),
          0::bigint, 'random logs: more pause parties never give more SLA time');
SELECT is((SELECT count(*) FROM pclock AS c WHERE c.dflt::text::cs_service.sla_clock::text <> c.dflt::text
                                              OR c.alls::text::cs_service.sla_clock::text <> c.alls::text),
          0::bigint, 'random logs: the text form round-trips with the parties');

-- ---- Stored state = refold, through the model ---------------------------------------------------------
INSERT INTO cs_service.calendars (name, calendar) SELECT 'tap-party', c FROM pcal;
INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES ('tap-party-default', 'tap-party');
INSERT INTO cs_service.sla_policies (name, calendar_name, pause_parties)
VALUES ('tap-party-internal', 'tap-party', '{client,third_party,internal}');
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES
    ('tap-party-default', 'first_response', '4 hours'), ('tap-party-internal', 'first_response', '4 hours');
INSERT INTO cs_service.requests (id, opened_at, channel, client, policy)
SELECT 70000 + rid, at, 'email', 'tap-party-' || (rid % 5),
       CASE WHEN rid % 2 = 0 THEN 'tap-party-default' ELSE 'tap-party-internal' END
  FROM pev WHERE kind = 'opened';
-- the first half of each log in order (folded on), the rest shuffled in three statements
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT 70000 + rid, at, kind FROM pev WHERE kind <> 'opened' AND n <= 6 ORDER BY at;
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT 70000 + rid, at, kind FROM pev WHERE kind <> 'opened' AND n > 6 AND n % 3 = 0 ORDER BY random()
ON CONFLICT DO NOTHING;
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT 70000 + rid, at, kind FROM pev WHERE kind <> 'opened' AND n > 6 AND n % 3 = 1 ORDER BY at
ON CONFLICT DO NOTHING;
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT 70000 + rid, at, kind FROM pev WHERE kind <> 'opened' AND n > 6 AND n % 3 = 2 ORDER BY random()
ON CONFLICT DO NOTHING;

CREATE FUNCTION pg_temp.stored_not_refold() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*)
      FROM cs_service.requests AS q
      JOIN cs_service_internal.sla_model_request_calendars AS r ON r.request_id = q.id
      LEFT JOIN cs_service_internal.sla_clocks AS s ON s.request_id = q.id
     CROSS JOIN LATERAL (SELECT cs_service.sla_clock_agg(e.at, e.kind, r.calendar, r.pause_parties ORDER BY e.at, e.seq) AS clock
                           FROM cs_service_internal.sla_model_events AS e WHERE e.request_id = q.id) AS k
     WHERE q.id > 70000 AND s.clock::text IS DISTINCT FROM k.clock::text
$$;
SELECT is(pg_temp.stored_not_refold(), 0::bigint,
          'stored state: after in-order and out-of-order inserts, every stored clock equals a refold under its policy''s pause parties');
SELECT is((SELECT count(*) FROM cs_service_internal.sla_request_clocks AS rc JOIN pclock AS c ON rc.request_id = 70000 + c.rid
            WHERE cs_service.waited_time(rc.clock, 'internal') <> cs_service.waited_time(c.dflt, 'internal')
               OR cs_service.paused_time(rc.clock)
                  <> cs_service.paused_time(CASE WHEN c.rid % 2 = 0 THEN c.dflt ELSE c.alls END)),
          0::bigint, 'stored state: the model''s clocks are the aggregate''s under each policy');

-- corrections: a wait moved to another party, a wait deleted
UPDATE cs_service.request_events SET kind = 'waiting_on_internal'
 WHERE request_id % 7 = 0 AND request_id > 70000 AND kind = 'waiting_on_client';
DELETE FROM cs_service.request_events
 WHERE request_id % 5 = 0 AND request_id > 70000 AND kind = 'waiting_on_third_party';
SELECT is(pg_temp.stored_not_refold(), 0::bigint, 'stored state: after updates and deletes of waits, stored = refold');

-- a deliberate change of the pause parties re-grades the policy's requests
SET LOCAL cs_service.allow_history_rewrite = on;
UPDATE cs_service.sla_policies SET pause_parties = '{internal}' WHERE name = 'tap-party-default';
SELECT is(pg_temp.stored_not_refold(), 0::bigint, 'stored state: after a change of a policy''s pause parties, stored = refold');
SELECT is((SELECT count(*) FROM cs_service_internal.sla_clocks AS s
            WHERE s.request_id > 70000 AND s.request_id % 2 = 0
              AND cs_service.paused_time(s.clock) <> cs_service.waited_time(s.clock, 'internal')),
          0::bigint, 'stored state: the re-graded requests stop on internal waits only');

SELECT * FROM finish();
ROLLBACK;
