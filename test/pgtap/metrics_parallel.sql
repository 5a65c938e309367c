-- Parallel and partial aggregation: every aggregate gets a forced parallel plan (EXPLAIN shows
-- Partial Aggregate) and returns exactly what the serial plan returns; partitionwise
-- aggregation (partial states combined in one process) too.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cs_service;
SELECT plan(34);

SELECT setseed(0.2);
-- a regular (not temporary) table: temporary tables are never scanned in parallel
CREATE TABLE p_answers AS
SELECT g AS id,
       g % 13 AS team,
       CASE WHEN random() < 0.03 THEN NULL ELSE floor(random() * 11)::int END AS score,
       CASE WHEN random() < 0.03 THEN NULL ELSE 1 + floor(random() * 5)::int END AS csat,
       CASE WHEN random() < 0.03 THEN NULL ELSE 1 + floor(random() * 7)::int END AS effort,
       CASE WHEN random() < 0.03 THEN NULL ELSE random() < 0.9 END AS met,
       CASE WHEN random() < 0.03 THEN NULL
            ELSE make_interval(secs => exp(random() * ln(31536000.0))) END AS response
FROM generate_series(1, 200000) g;
ANALYZE p_answers;

CREATE FUNCTION p_plan(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; result text := '';
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
    result := result || line || E'\n';
  END LOOP;
  RETURN result;
END $$;

-- one query per aggregate, all results as text so they compare exactly
CREATE TABLE p_queries (name text, q text);
INSERT INTO p_queries VALUES
  ('nps(int)',          'SELECT cs_service.nps(score)::text FROM p_answers'),
  ('csat(int)',         'SELECT cs_service.csat(csat)::text FROM p_answers'),
  ('ces(int)',          'SELECT cs_service.ces(effort)::text FROM p_answers'),
  ('sla_pct(bool)',     'SELECT cs_service.sla_pct(met)::text FROM p_answers'),
  ('score_agg',         'SELECT cs_service.score_agg(score)::text FROM p_answers'),
  ('sla_agg',           'SELECT cs_service.sla_agg(met)::text FROM p_answers'),
  ('duration_agg',      'SELECT cs_service.duration_agg(response)::text FROM p_answers'),
  ('rollup(score)',     'SELECT cs_service.rollup(s)::text FROM p_daily_score'),
  ('rollup(sla)',       'SELECT cs_service.rollup(s)::text FROM p_daily_sla'),
  ('rollup(duration)',  'SELECT cs_service.rollup(s)::text FROM p_daily_duration'),
  ('grouped nps',       'SELECT string_agg(t || '':'' || v, '','' ORDER BY t) FROM (SELECT team AS t, cs_service.nps(score)::text AS v FROM p_answers GROUP BY team) x'),
  ('grouped durations', 'SELECT string_agg(t || '':'' || v, '','' ORDER BY t) FROM (SELECT team AS t, cs_service.duration_agg(response)::text AS v FROM p_answers GROUP BY team) x');

-- summaries per id bucket for the rollup aggregates (many rows, so they go parallel too)
CREATE TABLE p_daily_score AS SELECT cs_service.score_agg(score) AS s FROM p_answers GROUP BY id % 5000;
CREATE TABLE p_daily_sla AS SELECT cs_service.sla_agg(met) AS s FROM p_answers GROUP BY id % 5000;
CREATE TABLE p_daily_duration AS SELECT cs_service.duration_agg(response) AS s FROM p_answers GROUP BY id % 500;
ANALYZE p_daily_score, p_daily_sla, p_daily_duration;

-- serial answers
SET LOCAL max_parallel_workers_per_gather = 0;
CREATE TABLE p_serial AS SELECT name, NULL::text AS result FROM p_queries;
DO $$
DECLARE r record; v text;
BEGIN
  FOR r IN SELECT * FROM p_queries LOOP
    EXECUTE r.q INTO v;
    UPDATE p_serial SET result = v WHERE name = r.name;
  END LOOP;
END $$;

-- forced parallel plans
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL enable_hashagg = off;

SELECT alike(p_plan(q), '%Partial%Aggregate%', name || ': the plan has a Partial Aggregate')
FROM p_queries ORDER BY name;
SELECT alike(p_plan(q), '%Gather%', name || ': the plan gathers from parallel workers')
FROM p_queries WHERE name IN ('nps(int)', 'duration_agg', 'rollup(duration)') ORDER BY name;

CREATE FUNCTION p_run(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v text; BEGIN EXECUTE q INTO v; RETURN v; END $$;
SELECT is(p_run(q.q), s.result, q.name || ': parallel result = serial result')
FROM p_queries q JOIN p_serial s USING (name) ORDER BY name;
SELECT isnt(s.result, NULL, s.name || ': the serial result is not NULL')
FROM p_serial s WHERE name IN ('nps(int)', 'duration_agg') ORDER BY name;

-- partitionwise aggregation: partial states of each partition combined in one process
RESET enable_hashagg;
SET LOCAL max_parallel_workers_per_gather = 0;
SET LOCAL enable_partitionwise_aggregate = on;
CREATE TABLE p_parted (team int, score int, met boolean, response interval) PARTITION BY LIST ((team % 3));
CREATE TABLE p_parted_0 PARTITION OF p_parted FOR VALUES IN (0);
CREATE TABLE p_parted_1 PARTITION OF p_parted FOR VALUES IN (1);
CREATE TABLE p_parted_2 PARTITION OF p_parted FOR VALUES IN (2);
INSERT INTO p_parted SELECT team, score, met, response FROM p_answers;
ANALYZE p_parted;
SELECT alike(p_plan('SELECT id % 4, cs_service.duration_agg(response) FROM (SELECT team AS id, response FROM p_parted) x GROUP BY 1'),
            '%Partial%Aggregate%', 'partitionwise: partial aggregation per partition');
SELECT is((SELECT cs_service.duration_agg(response)::text FROM p_parted),
          (SELECT result FROM p_serial WHERE name = 'duration_agg'),
          'partitionwise duration_agg = serial over the unpartitioned table');
SELECT is((SELECT cs_service.score_agg(score)::text FROM p_parted),
          (SELECT result FROM p_serial WHERE name = 'score_agg'),
          'partitionwise score_agg = serial');
SELECT is((SELECT cs_service.sla_agg(met)::text FROM p_parted),
          (SELECT result FROM p_serial WHERE name = 'sla_agg'),
          'partitionwise sla_agg = serial');
SELECT is((SELECT string_agg(g || ':' || v, ',' ORDER BY g) FROM
             (SELECT team % 4 AS g, cs_service.nps(score)::text AS v FROM p_parted GROUP BY 1) x),
          (SELECT string_agg(g || ':' || v, ',' ORDER BY g) FROM
             (SELECT team % 4 AS g, cs_service.nps(score)::text AS v FROM p_answers GROUP BY 1) x),
          'partitionwise grouped nps = serial');

SELECT * FROM finish();
ROLLBACK;
