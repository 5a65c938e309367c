-- Do the 95% intervals cover the true value about 95% of the time?  1,000 simulated samples
-- per case from known shares, with a fixed seed (so the run is repeatable); the accepted band
-- 930..970 is about 3 standard deviations of a binomial(1000, 0.95) count either side.
-- With discrete data the exact coverage of any interval oscillates with n and the true share
-- (test/unit/test_metrics.c computes it over whole grids); the cases below have exact
-- coverage 94.9% (NPS, n = 40), 95.0% (NPS, n = 15), 95.2% (CSAT), 95.2% (SLA 95% met) and
-- 99.4% (SLA at 99% confidence); the 80% NPS interval of the first case has 80.6%.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cs_service;
SELECT plan(8);

SELECT setseed(0.5);

-- NPS: promoters 45%, passives 30%, detractors 25%: true NPS 20; samples of 40 answers
CREATE TABLE c_nps AS
SELECT sample, cs_service.score_agg(CASE WHEN u < 0.45 THEN 9 + (u * 100)::int % 2
                                          WHEN u < 0.75 THEN 7 + (u * 100)::int % 2
                                          ELSE (u * 100)::int % 7 END) AS s
FROM (SELECT sample, random() AS u FROM generate_series(1, 1000) sample, generate_series(1, 40) answer) x
GROUP BY sample;
SELECT is((SELECT count(*) FROM c_nps), 1000::bigint, 'NPS: 1,000 samples');
SELECT cmp_ok((SELECT abs(avg(cs_service.nps(s)) - 20) FROM c_nps)::float8, '<', 1::float8,
              'NPS: the sample NPS averages the true 20');
SELECT ok((SELECT count(*) FILTER (WHERE (i).lower <= 20 AND 20 <= (i).upper)
           FROM (SELECT cs_service.nps_interval(s) AS i FROM c_nps) y) BETWEEN 930 AND 970,
          'NPS, n = 40: the 95% interval covers the true NPS in 930..970 of 1,000 samples');

-- NPS with small samples and a lopsided split: promoters 70%, detractors 5%; n = 15
CREATE TABLE c_nps_small AS
SELECT sample, cs_service.score_agg(CASE WHEN u < 0.70 THEN 10 WHEN u < 0.95 THEN 8 ELSE 2 END) AS s
FROM (SELECT sample, random() AS u FROM generate_series(1, 1000) sample, generate_series(1, 15) answer) x
GROUP BY sample;
SELECT ok((SELECT count(*) FILTER (WHERE (i).lower <= 65 AND 65 <= (i).upper)
           FROM (SELECT cs_service.nps_interval(s) AS i FROM c_nps_small) y) BETWEEN 930 AND 970,
          'NPS, n = 15, true NPS 65: coverage in 930..970 of 1,000');

-- CSAT: 75% of answers are 4 or 5; samples of 50
CREATE TABLE c_csat AS
SELECT sample, cs_service.score_agg(CASE WHEN u < 0.75 THEN 4 + (u * 100)::int % 2
                                          ELSE 1 + (u * 100)::int % 3 END) AS s
FROM (SELECT sample, random() AS u FROM generate_series(1, 1000) sample, generate_series(1, 50) answer) x
GROUP BY sample;
SELECT ok((SELECT count(*) FILTER (WHERE (i).lower <= 75 AND 75 <= (i).upper)
           FROM (SELECT cs_service.csat_interval(s) AS i FROM c_csat) y) BETWEEN 930 AND 970,
          'CSAT, n = 50, true 75%: the Wilson interval covers in 930..970 of 1,000');

-- SLA: 95% met; samples of 40 (close to 100%, where the plain Wald interval fails)
CREATE TABLE c_sla AS
SELECT sample, cs_service.sla_agg(u < 0.95) AS s
FROM (SELECT sample, random() AS u FROM generate_series(1, 1000) sample, generate_series(1, 40) answer) x
GROUP BY sample;
SELECT ok((SELECT count(*) FILTER (WHERE (i).lower <= 95 AND 95 <= (i).upper)
           FROM (SELECT cs_service.sla_interval(s) AS i FROM c_sla) y) BETWEEN 930 AND 970,
          'SLA, n = 40, true 95%: the Wilson interval covers in 930..970 of 1,000');

-- another confidence level: 80% intervals cover about 800 times
SELECT ok((SELECT count(*) FILTER (WHERE (i).lower <= 20 AND 20 <= (i).upper)
           FROM (SELECT cs_service.nps_interval(s, 0.80) AS i FROM c_nps) y) BETWEEN 760 AND 840,
          'NPS, 80% intervals: coverage in 760..840 of 1,000');
CREATE TABLE c_sla85 AS
SELECT sample, cs_service.sla_agg(u < 0.85) AS s
FROM (SELECT sample, random() AS u FROM generate_series(1, 1000) sample, generate_series(1, 50) answer) x
GROUP BY sample;
SELECT ok((SELECT count(*) FILTER (WHERE (i).lower <= 85 AND 85 <= (i).upper)
           FROM (SELECT cs_service.sla_interval(s, 0.99) AS i FROM c_sla85) y) BETWEEN 980 AND 1000,
          'SLA, n = 50, true 85%, 99% intervals: coverage in 980..1000 of 1,000');

SELECT * FROM finish();
ROLLBACK;
