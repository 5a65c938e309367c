-- rollup of parts equals the whole: daily summaries rolled up to any period give the same
-- summary (so the same metrics) as the one-step aggregate over the same rows, including empty
-- and all-NULL groups, and including summaries shipped as text (as Citus does).
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cs_service;
SELECT plan(24);

SELECT setseed(0.1);
CREATE TABLE r_answers AS
SELECT g AS id,
       g % 40 AS day,
       CASE WHEN random() < 0.05 THEN NULL ELSE floor(random() * 11)::int END AS score,
       CASE WHEN random() < 0.05 THEN NULL ELSE random() < 0.8 END AS met,
       CASE WHEN random() < 0.05 THEN NULL
            WHEN random() < 0.02 THEN interval '0'
            WHEN random() < 0.01 THEN make_interval(secs => -random() * 3600)
            ELSE make_interval(secs => exp(random() * ln(31536000.0))) END AS response
FROM generate_series(1, 20000) g;
-- day 40: only NULLs
INSERT INTO r_answers SELECT 20000 + g, 40, NULL, NULL, NULL FROM generate_series(1, 7) g;

CREATE TABLE r_daily AS
SELECT day,
       cs_service.score_agg(score) AS s,
       cs_service.sla_agg(met) AS m,
       cs_service.duration_agg(response) AS d
FROM r_answers GROUP BY day;

-- the whole table
SELECT is((SELECT cs_service.rollup(s)::text FROM r_daily),
          (SELECT cs_service.score_agg(score)::text FROM r_answers),
          'score: rollup of daily summaries = score_agg over all rows');
SELECT is((SELECT cs_service.rollup(m)::text FROM r_daily),
          (SELECT cs_service.sla_agg(met)::text FROM r_answers),
          'sla: rollup of daily summaries = sla_agg over all rows');
SELECT is((SELECT cs_service.rollup(d)::text FROM r_daily),
          (SELECT cs_service.duration_agg(response)::text FROM r_answers),
          'duration: rollup of daily summaries = duration_agg over all rows');
SELECT is((SELECT cs_service.nps(cs_service.rollup(s)) FROM r_daily),
          (SELECT cs_service.nps(score) FROM r_answers),
          'nps of the rollup = one-step nps, exactly');
SELECT is((SELECT cs_service.sla_pct(cs_service.rollup(m)) FROM r_daily),
          (SELECT cs_service.sla_pct(met) FROM r_answers),
          'sla_pct of the rollup = one-step sla_pct, exactly');
SELECT is((SELECT cs_service.percentile(cs_service.rollup(d), 0.9) FROM r_daily),
          (SELECT cs_service.percentile(cs_service.duration_agg(response), 0.9) FROM r_answers),
          'p90 of the rollup = p90 of the one-step summary, exactly');

-- any period: weeks of 7 days, every group compared
SELECT is((SELECT count(*) FROM
             (SELECT day / 7 AS w, cs_service.rollup(s)::text AS s, cs_service.rollup(m)::text AS m,
                     cs_service.rollup(d)::text AS d
              FROM r_daily GROUP BY 1) a
             FULL JOIN
             (SELECT day / 7 AS w, cs_service.score_agg(score)::text AS s,
                     cs_service.sla_agg(met)::text AS m, cs_service.duration_agg(response)::text AS d
              FROM r_answers GROUP BY 1) b USING (w)
           WHERE a.s IS DISTINCT FROM b.s OR a.m IS DISTINCT FROM b.m OR a.d IS DISTINCT FROM b.d),
          0::bigint, 'weekly rollups = weekly one-step summaries, for all three types');
SELECT is((SELECT count(*) FROM
             (SELECT day / 7 AS w, cs_service.nps(cs_service.rollup(s)) AS v FROM r_daily GROUP BY 1) a
             FULL JOIN
             (SELECT day / 7 AS w, cs_service.nps(score) AS v FROM r_answers GROUP BY 1) b USING (w)
           WHERE a.v IS DISTINCT FROM b.v),
          0::bigint, 'weekly nps from rollups = weekly one-step nps (NULL for the all-NULL week)');

-- rollups of rollups
SELECT is((SELECT cs_service.rollup(w)::text FROM
             (SELECT cs_service.rollup(d) AS w FROM r_daily GROUP BY day / 7) x),
          (SELECT cs_service.duration_agg(response)::text FROM r_answers),
          'rollup of weekly rollups = the whole');

-- the all-NULL group
SELECT is((SELECT s::text FROM r_daily WHERE day = 40),
          '{"version":1,"responses":0,"counts":[0,0,0,0,0,0,0,0,0,0,0]}',
          'all-NULL day: score_agg is the empty summary');
SELECT is((SELECT cs_service.nps(s) FROM r_daily WHERE day = 40), NULL::float8,
          'all-NULL day: nps of its summary is NULL');
SELECT is((SELECT cs_service.nps(score) FROM r_answers WHERE day = 40), NULL::float8,
          'all-NULL day: one-step nps is NULL');
SELECT is((SELECT cs_service.rollup(d)::text FROM r_daily WHERE day = 40),
          (SELECT cs_service.duration_agg(response)::text FROM r_answers WHERE day = 40),
          'all-NULL day: duration rollup = duration_agg');
SELECT is((SELECT cs_service.percentile(cs_service.rollup(d), 0.5) FROM r_daily WHERE day = 40),
          NULL::interval, 'all-NULL day: percentile is NULL');

-- empty input
SELECT is((SELECT cs_service.rollup(s)::text FROM r_daily WHERE false),
          (SELECT cs_service.score_agg(score)::text FROM r_answers WHERE false),
          'no rows: rollup = score_agg = the empty summary');
SELECT is((SELECT cs_service.rollup(m)::text FROM r_daily WHERE false),
          (SELECT cs_service.sla_agg(met)::text FROM r_answers WHERE false),
          'no rows: sla rollup = sla_agg');
SELECT is((SELECT cs_service.rollup(d)::text FROM r_daily WHERE false),
          (SELECT cs_service.duration_agg(response)::text FROM r_answers WHERE false),
          'no rows: duration rollup = duration_agg');
SELECT is((SELECT cs_service.nps(cs_service.rollup(s)) FROM r_daily WHERE false), NULL::float8,
          'no rows: nps of the rollup is NULL');
SELECT is((SELECT cs_service.responses(cs_service.rollup(s)) FROM r_daily WHERE false), 0::bigint,
          'no rows: responses of the rollup is 0');

-- NULL summaries mixed in are skipped
SELECT is((SELECT cs_service.rollup(x)::text FROM
             (SELECT s AS x FROM r_daily UNION ALL SELECT NULL) u),
          (SELECT cs_service.score_agg(score)::text FROM r_answers),
          'NULL summaries are skipped by rollup');

-- states shipped as text and back (Citus sends partial states as text)
SELECT is((SELECT cs_service.rollup(s::text::cs_service.score_summary)::text FROM r_daily),
          (SELECT cs_service.score_agg(score)::text FROM r_answers),
          'score summaries survive text shipping');
SELECT is((SELECT cs_service.rollup(d::text::cs_service.duration_summary)::text FROM r_daily),
          (SELECT cs_service.duration_agg(response)::text FROM r_answers),
          'duration summaries survive text shipping');

-- rollup of a single summary returns it unchanged
SELECT is((SELECT count(*) FROM r_daily
           WHERE (SELECT cs_service.rollup(x)::text FROM (VALUES (d)) v(x)) <> d::text), 0::bigint,
          'rollup of one summary is that summary');

-- the final form is compact: a stored daily duration_summary is small
SELECT cmp_ok((SELECT max(pg_column_size(d)) FROM r_daily), '<', 14000,
              'stored duration summaries use the compact layout');

SELECT * FROM finish();
ROLLBACK;
