-- Percentiles of duration summaries stay within 1% of percentile_cont over the same rows, for
-- several distributions between 1 second and 1 year, overall and per group, and are exact at
-- the ends and for constant input.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cs_service;
SELECT plan(12);

SELECT setseed(0.4);
CREATE TABLE q_durations AS
SELECT 'log-uniform 1 s .. 1 year'::text AS dist, g % 10 AS grp,
       make_interval(secs => exp(random() * ln(31536000.0))) AS x
FROM generate_series(1, 50000) g
UNION ALL
SELECT 'exponential, mean 2 h', g % 10, make_interval(secs => 1 - 7200 * ln(1 - random()))
FROM generate_series(1, 50000) g
UNION ALL
SELECT 'chat: lognormal around 10 min',  g % 10,
       make_interval(secs => 600 * exp(sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())))
FROM generate_series(1, 50000) g
UNION ALL
SELECT 'working hours, ties', g % 10, make_interval(mins => 15 * (1 + floor(random() * 32)::int))
FROM generate_series(1, 50000) g
UNION ALL
SELECT 'a few rows', g % 2, make_interval(secs => 1 + random() * 100000)
FROM generate_series(1, 9) g;

CREATE TABLE q_levels AS SELECT unnest(ARRAY[0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1]::float8[]) AS q;

-- relative error of every (distribution, level), overall
CREATE TABLE q_overall AS
SELECT d.dist, l.q,
       extract(epoch FROM cs_service.percentile(d.summary, l.q)) AS est,
       (SELECT extract(epoch FROM percentile_cont(l.q) WITHIN GROUP (ORDER BY x))
        FROM q_durations x WHERE x.dist = d.dist) AS exact
FROM (SELECT dist, cs_service.duration_agg(x) AS summary FROM q_durations GROUP BY dist) d, q_levels l;

SELECT is((SELECT count(*) FROM q_overall), 65::bigint, '5 distributions x 13 levels');
SELECT cmp_ok((SELECT max(abs(est - exact) / exact) FROM q_overall WHERE dist = x.dist)::float8,
              '<=', 0.01::float8, x.dist || ': every percentile within 1% of percentile_cont')
FROM (SELECT DISTINCT dist FROM q_overall) x ORDER BY dist;
SELECT is((SELECT count(*) FROM q_overall WHERE q IN (0, 1) AND est <> exact), 0::bigint,
          'percentile 0 and 1 are the exact minimum and maximum');

-- per group: 10 groups x 4 distributions, summaries rolled up from 2 halves of each group
CREATE TABLE q_grouped AS
SELECT g.dist, g.grp, l.q,
       extract(epoch FROM cs_service.percentile(g.summary, l.q)) AS est,
       (SELECT extract(epoch FROM percentile_cont(l.q) WITHIN GROUP (ORDER BY x))
        FROM q_durations x WHERE x.dist = g.dist AND x.grp = g.grp) AS exact
FROM (SELECT dist, grp, cs_service.rollup(half) AS summary
      FROM (SELECT dist, grp, cs_service.duration_agg(x) AS half
            FROM q_durations GROUP BY dist, grp, extract(microseconds FROM x)::bigint % 2) h
      GROUP BY dist, grp) g, q_levels l;
SELECT cmp_ok((SELECT max(abs(est - exact) / exact) FROM q_grouped)::float8, '<=', 0.01::float8,
              'per group, from rolled-up halves: every percentile within 1% of percentile_cont');

-- percentile_disc is a rank, not an interpolation: on 50,000 rows the two agree closely
SELECT cmp_ok((SELECT max(abs(extract(epoch FROM cs_service.percentile(d.summary, l.q)) - extract(epoch FROM t.disc)) / extract(epoch FROM t.disc))
               FROM (SELECT dist, cs_service.duration_agg(x) AS summary FROM q_durations
                     WHERE dist = 'exponential, mean 2 h' GROUP BY dist) d
               CROSS JOIN q_levels l
               CROSS JOIN LATERAL (SELECT percentile_disc(l.q) WITHIN GROUP (ORDER BY x) AS disc
                                   FROM q_durations WHERE dist = d.dist) t)::float8,
              '<=', 0.01::float8, 'exponential: within 1% of percentile_disc too');

-- constant input: the constant, exactly, at every level
SELECT is((SELECT count(*) FROM q_levels l,
             (SELECT cs_service.duration_agg(interval '3 hours 17 minutes 0.5 seconds') AS s
              FROM generate_series(1, 1000)) c
           WHERE cs_service.percentile(c.s, l.q) <> interval '3 hours 17 minutes 0.5 seconds'),
          0::bigint, 'constant input returns the constant at every level');

-- bounded memory: the stored summary of 200,000 durations spread over a year is small
SELECT cmp_ok((SELECT pg_column_size(cs_service.duration_agg(x)) FROM q_durations), '<', 20000,
              'a summary of 200,000 durations takes under 20 kB');
SELECT cmp_ok((SELECT pg_column_size(cs_service.duration_agg(x)) FROM q_durations
               WHERE dist = 'working hours, ties'), '<', 1000,
              'a summary of 32 distinct durations takes under 1 kB');

SELECT * FROM finish();
ROLLBACK;
