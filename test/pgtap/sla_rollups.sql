-- sla_compliance read from the daily and monthly SLA rollups equals sla_compliance computed from
-- the raw requests, after a refresh and after inserts, updates and deletes on past days; the
-- queue empties; undecided outcomes are re-examined; rollup_sla_monthly is always the merge of
-- rollup_sla_daily's days, and every reset (zone, calendar, policy, target, TRUNCATE) empties it.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cs_service;
SELECT plan(39);

SET LOCAL TimeZone = 'UTC';
UPDATE cs_service.report_settings SET zone = 'Europe/Moscow';
INSERT INTO cs_service.calendars (name, calendar) VALUES ('rt-office', 'Europe/Moscow; mon-fri 09:00-18:00');
INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES ('rt', 'rt-office');
INSERT INTO cs_service.sla_targets (policy, metric, channel, target) VALUES
    ('rt', 'first_response', NULL, '2 hours'),
    ('rt', 'first_response', 'chat', '15 minutes'),
    ('rt', 'resolution', NULL, '8 hours');
INSERT INTO cs_service.sla_policy_rules (policy) VALUES ('rt');
-- undecided whatever the hour the test runs at: a resolution target of 1000 business hours
INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES ('rt-slow', 'rt-office');
INSERT INTO cs_service.sla_targets (policy, metric, channel, target) VALUES ('rt-slow', 'resolution', NULL, '1000 hours');

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
INSERT INTO cs_service.requests (id, opened_at, channel, priority, client, team, manager, policy)
SELECT 900 + g, date_trunc('day', now()) - interval '3 days' + g * interval '1 hour', 'email', 'normal',
       'c1', 't1', 'm1', 'rt-slow'
  FROM generate_series(1, 3) AS g;

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

-- rollup_sla_monthly against rollup_sla_daily merged per month here: rows that differ
CREATE FUNCTION pg_temp.monthly_diff() RETURNS bigint
LANGUAGE sql AS $$
    WITH m AS (SELECT month, channel, priority, team, manager, client, policy, metric,
                      outcomes::text AS o, durations::text AS d, pending
                 FROM cs_service_internal.rollup_sla_monthly),
    d AS (SELECT date_trunc('month', day::timestamp)::date AS month, channel, priority, team, manager,
                 client, policy, metric, cs_service.rollup(outcomes)::text AS o,
                 cs_service.rollup(durations)::text AS d, sum(pending)::bigint AS pending
            FROM cs_service_internal.rollup_sla_daily GROUP BY 1, 2, 3, 4, 5, 6, 7, 8)
    SELECT count(*) FROM ((TABLE m EXCEPT ALL TABLE d) UNION ALL (TABLE d EXCEPT ALL TABLE m)) AS x
$$;

-- every period of sla_compliance (the current one too) from the rollups against the same from
-- the raw requests (watermark cleared for the comparison, then put back): rows that differ
CREATE FUNCTION pg_temp.rolled_vs_raw() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    mark date;
    n bigint;
BEGIN
    SELECT watermark INTO mark FROM cs_service_internal.rollup_state;
    IF mark IS NULL THEN
        RAISE EXCEPTION 'no rollups to compare';
    END IF;
    CREATE TEMP TABLE cmp_rolled AS
    SELECT grain, period, channel, priority, team, manager, client, policy, metric, requests, met,
           missed, pending, sla_pct, sla_pct_low, sla_pct_high, median_minutes, p90_minutes
      FROM cs_service.sla_compliance;
    UPDATE cs_service_internal.rollup_state SET watermark = NULL;
    CREATE TEMP TABLE cmp_raw AS
    SELECT grain, period, channel, priority, team, manager, client, policy, metric, requests, met,
           missed, pending, sla_pct, sla_pct_low, sla_pct_high, median_minutes, p90_minutes
      FROM cs_service.sla_compliance;
    UPDATE cs_service_internal.rollup_state SET watermark = mark;
    SELECT count(*) INTO n
      FROM ((TABLE cmp_rolled EXCEPT ALL TABLE cmp_raw) UNION ALL (TABLE cmp_raw EXCEPT ALL TABLE cmp_rolled)) AS x;
    DROP TABLE cmp_rolled, cmp_raw;
    RETURN n;
END
$$;

CREATE TEMP TABLE raw1 AS SELECT * FROM pg_temp.compliance();
SELECT ok((SELECT count(*) FROM raw1) > 100, 'the raw compliance has rows in every grain');

SELECT ok(cs_service.refresh_rollups() > 0, 'refresh_rollups() rolls the past days up');
SELECT ok((SELECT count(*) FROM cs_service_internal.rollup_sla_daily) > 0, 'rollup_sla_daily holds rows');
SELECT bag_eq('SELECT * FROM pg_temp.compliance()', 'SELECT * FROM raw1',
              'sla_compliance from the rollups equals sla_compliance from the raw requests');
SELECT ok((SELECT count(*) FROM cs_service_internal.rollup_sla_monthly)
          BETWEEN 1 AND (SELECT count(*) - 1 FROM cs_service_internal.rollup_sla_daily),
          'rollup_sla_monthly holds fewer rows than rollup_sla_daily');
SELECT is(pg_temp.monthly_diff(), 0::bigint, 'rollup_sla_monthly is rollup_sla_daily merged per month');
-- requests opened today, after the watermark, in groups the month's rolled days already hold:
-- the current month merges its monthly rows with raw rows
INSERT INTO cs_service.requests (id, opened_at, channel, priority, client, team, manager)
SELECT 2000 + row_number() OVER (ORDER BY r.id),
       greatest(now() - interval '1 minute', timezone('Europe/Moscow', timezone('Europe/Moscow', now())::date::timestamp)),
       r.channel, r.priority, r.client, r.team, r.manager
  FROM cs_service.requests AS r
 WHERE r.opened_at >= timezone('Europe/Moscow', date_trunc('month', timezone('Europe/Moscow', now())))
 ORDER BY r.id LIMIT 20;
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT r.id, r.opened_at + interval '30 seconds', 'agent_reply' FROM cs_service.requests AS r WHERE r.id > 2000;
SELECT is(pg_temp.rolled_vs_raw(), 0::bigint,
          'every period of sla_compliance, today''s raw requests merged in, equals the raw computation');
SELECT ok(EXISTS (SELECT FROM cs_service_internal.rollup_sla_daily WHERE pending > 0),
          'some days hold undecided outcomes');
CREATE TEMP TABLE monthly1 AS SELECT m::text AS m FROM cs_service_internal.rollup_sla_monthly AS m;
SELECT ok(cs_service.refresh_rollups() > 0, 'a refresh with nothing new re-examines the undecided days');
SELECT set_eq('SELECT m::text FROM cs_service_internal.rollup_sla_monthly AS m', 'SELECT m FROM monthly1',
              '... and leaves rollup_sla_monthly as it was');

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
SELECT is(pg_temp.monthly_diff(), 0::bigint, 'after the changes, rollup_sla_monthly is rollup_sla_daily merged per month');
SELECT ok(EXISTS (SELECT m::text FROM cs_service_internal.rollup_sla_monthly AS m EXCEPT SELECT m FROM monthly1),
          'the changes changed rollup_sla_monthly');
CREATE TEMP TABLE monthly2 AS SELECT m::text AS m FROM cs_service_internal.rollup_sla_monthly AS m;

-- a rebuild from scratch gives the same
SELECT ok(cs_service.refresh_rollups(true) > 0, 'refresh_rollups(true) recomputes every finished day');
SELECT bag_eq('SELECT * FROM pg_temp.compliance()', 'SELECT * FROM raw2',
              'refresh_rollups(true) gives the same as the incremental refreshes');
SELECT set_eq('SELECT m::text FROM cs_service_internal.rollup_sla_monthly AS m', 'SELECT m FROM monthly2',
              'refresh_rollups(true) gives the same rollup_sla_monthly as the incremental refreshes');
SELECT is(pg_temp.rolled_vs_raw(), 0::bigint, 'after the rebuild, every period equals the raw computation');

-- changes that re-grade every day empty the rollups, monthly ones too; the next refresh
-- rebuilds them and they equal the raw computation again
CREATE FUNCTION pg_temp.emptied() RETURNS bool
LANGUAGE sql AS $$
    SELECT (SELECT watermark FROM cs_service_internal.rollup_state) IS NULL
       AND NOT EXISTS (SELECT FROM cs_service_internal.rollup_sla_daily)
       AND NOT EXISTS (SELECT FROM cs_service_internal.rollup_sla_monthly)
$$;
SET LOCAL cs_service.allow_history_rewrite = on;   -- (deliberate corrections of the past)
UPDATE cs_service.sla_targets SET target = '3 hours' WHERE policy = 'rt' AND metric = 'first_response' AND channel IS NULL;
SELECT ok(pg_temp.emptied(), 'a target change empties the SLA rollups, daily and monthly');
SELECT ok(cs_service.refresh_rollups() > 0, 'refresh after the target change');
SELECT is(pg_temp.rolled_vs_raw(), 0::bigint, 'after a target change, the rollups equal the raw computation');
SELECT is(pg_temp.monthly_diff(), 0::bigint, '... and rollup_sla_monthly is the merge of the days');

UPDATE cs_service.calendars SET calendar = 'Europe/Moscow; mon-fri 10:00-19:00' WHERE name = 'rt-office';
SELECT ok(pg_temp.emptied(), 'a calendar change empties the SLA rollups');
SELECT ok(cs_service.refresh_rollups() > 0, 'refresh after the calendar change');
SELECT is(pg_temp.rolled_vs_raw(), 0::bigint, 'after a calendar change, the rollups equal the raw computation');

UPDATE cs_service.sla_policies SET warning_pct = 50 WHERE name = 'rt';
SELECT ok(pg_temp.emptied(), 'a policy change empties the SLA rollups');
SELECT ok(cs_service.refresh_rollups() > 0, 'refresh after the policy change');

UPDATE cs_service.report_settings SET zone = 'Asia/Vladivostok';
SELECT ok(pg_temp.emptied(), 'a new reporting zone empties the SLA rollups');
SELECT ok(cs_service.refresh_rollups() > 0, 'refresh in the new zone');
SELECT is(pg_temp.rolled_vs_raw(), 0::bigint, 'in the new zone, the rollups equal the raw computation');
SELECT is(pg_temp.monthly_diff(), 0::bigint, '... and rollup_sla_monthly is the merge of the days');

TRUNCATE cs_service.request_events;
SELECT ok(pg_temp.emptied(), 'a TRUNCATE of request_events empties the SLA rollups');
SELECT ok(cs_service.refresh_rollups() > 0, 'refresh after the TRUNCATE');
SELECT is(pg_temp.rolled_vs_raw(), 0::bigint, 'after the TRUNCATE (every outcome undecided), the rollups equal the raw computation');

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
