-- sla_compliance read from the daily SLA rollups equals sla_compliance computed from the raw
-- requests, after a refresh and after inserts, updates and deletes on past days; the queue
-- empties; undecided outcomes are re-examined.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cs_service;
SELECT plan(13);

SET LOCAL TimeZone = 'UTC';
UPDATE cs_service.report_settings SET zone = 'Europe/Moscow';
INSERT INTO cs_service.calendars (name, calendar) VALUES ('rt-office', 'Europe/Moscow; mon-fri 09:00-18:00');
INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES ('rt', 'rt-office');
INSERT INTO cs_service.sla_targets (policy, metric, channel, target) VALUES
    ('rt', 'first_response', NULL, '2 hours'),
    ('rt', 'first_response', 'chat', '15 minutes'),
    ('rt', 'resolution', NULL, '8 hours');
INSERT INTO cs_service.sla_policy_rules (policy) VALUES ('rt');

-- 600 requests over 60 days before today, some without a client, some late at night (they
-- land on another day in Moscow than in UTC); replies after 5 min .. 5 h, most resolved
INSERT INTO cs_service.requests (id, opened_at, channel, priority, client, team, manager)
SELECT g,
       date_trunc('day', now()) - interval '60 days' + (g * interval '143 minutes'),
       (ARRAY['chat', 'email', 'phone'])[1 + g % 3],
       CASE WHEN g % 7 = 0 THEN 'high' ELSE 'normal' END,
       CASE WHEN g % 11 = 0 THEN NULL ELSE 'c' || (g % 9) END,
       't' || (g % 3), 'm' || (g % 5)
  FROM generate_series(1, 600) AS g;
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT r.id, r.opened_at + ((5 + (r.id * 37) % 300) * interval '1 minute'), 'agent_reply'
  FROM cs_service.requests AS r;
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT r.id, r.opened_at + ((60 + (r.id * 53) % 900) * interval '1 minute'), 'resolved'
  FROM cs_service.requests AS r WHERE r.id % 13 <> 0;

CREATE FUNCTION pg_temp.compliance() RETURNS TABLE (grain text, period date, channel text, priority text,
    team text, manager text, client text, policy text, metric text, requests bigint, met bigint,
    missed bigint, pending bigint, sla_pct numeric, median numeric, p90 numeric)
LANGUAGE sql AS $$
    SELECT grain, period, channel, priority, team, manager, client, policy, metric, requests, met,
           missed, pending, round(sla_pct::numeric, 9), round(median_minutes::numeric, 6),
           round(p90_minutes::numeric, 6)
      FROM cs_service.sla_compliance
     WHERE period < timezone('Europe/Moscow', now())::date - 7
$$;

CREATE TEMP TABLE raw1 AS SELECT * FROM pg_temp.compliance();
SELECT ok((SELECT count(*) FROM raw1) > 100, 'the raw compliance has rows in every grain');

SELECT ok(cs_service.refresh_rollups() > 0, 'refresh_rollups() rolls the past days up');
SELECT ok((SELECT count(*) FROM cs_service_internal.rollup_sla_daily) > 0, 'rollup_sla_daily holds rows');
SELECT bag_eq('SELECT * FROM pg_temp.compliance()', 'SELECT * FROM raw1',
              'sla_compliance from the rollups equals sla_compliance from the raw requests');

-- changes to past days: a late event, a moved request, a deleted request, a new old request
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT r.id, r.opened_at + interval '20 hours', 'resolved' FROM cs_service.requests AS r WHERE r.id % 13 = 0 AND r.id < 300;
UPDATE cs_service.requests SET opened_at = opened_at - interval '3 days' WHERE id IN (10, 20, 30);
DELETE FROM cs_service.requests WHERE id IN (40, 41, 42, 43);
INSERT INTO cs_service.requests (id, opened_at, channel, client) VALUES (1000, date_trunc('day', now()) - interval '40 days 3 hours', 'chat', NULL);
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES
    (1000, date_trunc('day', now()) - interval '40 days 2 hours', 'agent_reply');

SELECT ok((SELECT count(*) FROM cs_service_internal.rollup_queue) > 0, 'the changes are queued');
SELECT ok(cs_service.refresh_rollups() > 0, 'the next refresh recomputes the changed days');
SELECT is((SELECT count(*) FROM cs_service_internal.rollup_queue WHERE day < timezone('Europe/Moscow', now())::date), 0::bigint,
          'no past day is left in the queue');

CREATE TEMP TABLE rolled AS SELECT * FROM pg_temp.compliance();
UPDATE cs_service_internal.rollup_state SET watermark = NULL;   -- every number from the raw rows
CREATE TEMP TABLE raw2 AS SELECT * FROM pg_temp.compliance();
SELECT bag_eq('SELECT * FROM rolled', 'SELECT * FROM raw2',
              'after inserts, updates and deletes on past days, the rollups equal the raw requests');
SELECT ok(EXISTS (SELECT * FROM raw2 EXCEPT SELECT * FROM raw1), 'the changes changed the numbers');

-- a rebuild from scratch gives the same
SELECT ok(cs_service.refresh_rollups(true) > 0, 'refresh_rollups(true) recomputes every finished day');
SELECT bag_eq('SELECT * FROM pg_temp.compliance()', 'SELECT * FROM raw2',
              'refresh_rollups(true) gives the same as the incremental refreshes');

-- the queue trigger is told its table (a Citus shard is not named like its table); attached
-- to any other table it says so instead of running a NULL statement
CREATE TEMP TABLE not_a_source (at timestamptz, client_id text);
CREATE TRIGGER q AFTER INSERT ON not_a_source REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.rollup_enqueue('not_a_source');
SELECT throws_ok($$INSERT INTO not_a_source VALUES (now(), 'c')$$, '22023',
                 'cs_service_internal.rollup_enqueue() does not know the table not_a_source',
                 'rollup_enqueue on an unknown table is an error that names it');
SELECT is((SELECT count(*)::int FROM pg_trigger
            WHERE tgfoid = 'cs_service_internal.rollup_enqueue'::regproc
              AND tgrelid IN ('cs_service.requests'::regclass, 'cs_service.request_events'::regclass)
              AND pg_catalog.encode(tgargs, 'escape') IN ('requests\000', 'request_events\000')),
          6, 'the rollup triggers of requests and request_events pass their table name');

SELECT * FROM finish();
ROLLBACK;
