-- Agreement with the hand-written formulas teams use today (FILTER, avg, count, min, max) on
-- random data, overall and per group.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cs_service;
SELECT plan(14);

SELECT setseed(0.3);
CREATE TABLE f_answers AS
SELECT g % 25 AS team,
       CASE WHEN random() < 0.04 THEN NULL ELSE floor(random() * 11)::int END AS s,
       CASE WHEN random() < 0.04 THEN NULL ELSE 1 + floor(random() * 5)::int END AS c,
       CASE WHEN random() < 0.04 THEN NULL ELSE 1 + floor(random() * 7)::int END AS e,
       CASE WHEN random() < 0.04 THEN NULL ELSE random() < 0.85 END AS met,
       CASE WHEN random() < 0.04 THEN NULL
            ELSE make_interval(secs => round((random() * random() * 86400)::numeric, 6)) END AS r
FROM generate_series(1, 60000) g;
-- a team with two answers, a team with only NULLs
INSERT INTO f_answers VALUES (100, 9, 5, 1, true, '1 hour'), (100, 3, 1, 7, false, '2 hours'),
                             (101, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE f_mine AS
SELECT team, cs_service.nps(s) AS nps, cs_service.csat(c) AS csat, cs_service.ces(e) AS ces,
       cs_service.sla_pct(met) AS sla, cs_service.score_agg(s) AS ss, cs_service.duration_agg(r) AS d
FROM f_answers GROUP BY team;
CREATE TABLE f_theirs AS
SELECT team,
       100.0 * (count(*) FILTER (WHERE s >= 9) - count(*) FILTER (WHERE s <= 6)) / nullif(count(s), 0) AS nps,
       100.0 * count(*) FILTER (WHERE c >= 4) / nullif(count(c), 0) AS csat,
       avg(e) AS ces,
       100.0 * count(*) FILTER (WHERE met) / nullif(count(met), 0) AS sla,
       count(s) AS responses,
       count(*) FILTER (WHERE s >= 9) AS promoters,
       count(*) FILTER (WHERE s BETWEEN 7 AND 8) AS passives,
       count(*) FILTER (WHERE s <= 6) AS detractors,
       count(*) FILTER (WHERE s = 10) AS tens,
       count(r) AS n, min(r) AS min_r, max(r) AS max_r, avg(r) AS avg_r
FROM f_answers GROUP BY team;

SELECT is((SELECT count(*) FROM f_mine), 27::bigint, '27 groups');
SELECT is((SELECT count(*) FROM f_mine m JOIN f_theirs t USING (team)
           WHERE m.nps IS DISTINCT FROM t.nps::float8
             AND NOT abs(m.nps - t.nps::float8) < 1e-9), 0::bigint,
          'nps(score) = 100*(count FILTER >= 9 - count FILTER <= 6)/count, every group');
SELECT is((SELECT count(*) FROM f_mine m JOIN f_theirs t USING (team)
           WHERE m.csat IS DISTINCT FROM t.csat::float8 AND NOT abs(m.csat - t.csat::float8) < 1e-9),
          0::bigint, 'csat(score) = 100*count FILTER >= 4/count, every group');
SELECT is((SELECT count(*) FROM f_mine m JOIN f_theirs t USING (team)
           WHERE m.ces IS DISTINCT FROM t.ces::float8 AND NOT abs(m.ces - t.ces::float8) < 1e-9),
          0::bigint, 'ces(score) = avg(score), every group');
SELECT is((SELECT count(*) FROM f_mine m JOIN f_theirs t USING (team)
           WHERE m.sla IS DISTINCT FROM t.sla::float8 AND NOT abs(m.sla - t.sla::float8) < 1e-9),
          0::bigint, 'sla_pct(flag) = 100*count FILTER (WHERE flag)/count, every group');
SELECT is((SELECT count(*) FROM f_mine m JOIN f_theirs t USING (team)
           WHERE (cs_service.responses(ss), cs_service.promoters(ss), cs_service.passives(ss),
                  cs_service.detractors(ss), cs_service.score_count(ss, 10))
                 IS DISTINCT FROM (t.responses, t.promoters, t.passives, t.detractors, t.tens)),
          0::bigint, 'responses/promoters/passives/detractors/score_count = count FILTER, every group');
SELECT is((SELECT count(*) FROM f_mine m JOIN f_theirs t USING (team)
           WHERE (cs_service.duration_count(d), cs_service.duration_min(d), cs_service.duration_max(d))
                 IS DISTINCT FROM (t.n, t.min_r, t.max_r)),
          0::bigint, 'duration count/min/max = count/min/max, exactly, every group');
SELECT is((SELECT count(*) FROM f_mine m JOIN f_theirs t USING (team)
           WHERE NOT abs(extract(epoch FROM cs_service.duration_mean(d) - t.avg_r)) <= 0.000001),
          0::bigint, 'duration_mean = avg(interval) within a microsecond, every group with data');
SELECT is((SELECT (nps, csat, ces, sla) FROM f_mine WHERE team = 101),
          (NULL::float8, NULL::float8, NULL::float8, NULL::float8),
          'all-NULL group: every metric NULL, like the formulas');
SELECT is((SELECT (nps, csat, ces, sla) FROM f_mine WHERE team = 100),
          (0::float8, 50::float8, 4::float8, 50::float8), 'two-answer group');

-- overall, and the formulas on the whole table
SELECT is((SELECT round(cs_service.nps(s)::numeric, 9) FROM f_answers),
          (SELECT round(100.0 * (count(*) FILTER (WHERE s >= 9) - count(*) FILTER (WHERE s <= 6)) / count(s), 9)
           FROM f_answers), 'overall nps = formula');
SELECT is((SELECT cs_service.nps(cs_service.score_agg(s)) FROM f_answers),
          (SELECT cs_service.nps(s) FROM f_answers), 'nps(score_agg(s)) = nps(s), exactly');
SELECT is((SELECT cs_service.csat(cs_service.score_agg(c)) FROM f_answers),
          (SELECT cs_service.csat(c) FROM f_answers), 'csat(score_agg(c)) = csat(c), exactly');
SELECT is((SELECT cs_service.sla_pct(cs_service.sla_agg(met)) FROM f_answers),
          (SELECT cs_service.sla_pct(met) FROM f_answers), 'sla_pct(sla_agg(m)) = sla_pct(m), exactly');

SELECT * FROM finish();
ROLLBACK;
