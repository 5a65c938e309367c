-- Service-quality aggregates: the documented examples (doc/metrics.md) and every error message.
-- Each failing statement is followed by its SQLSTATE.
SET extra_float_digits = 0;
SET search_path = public;
SET IntervalStyle = postgres;

CREATE TABLE surveys (id int, team text, day date, nps_score int, csat_score int, effort int,
                      met boolean, response interval);
INSERT INTO surveys VALUES
  (1, 'web', '2025-03-03', 10, 5, 2, true,  '00:04:10'),
  (2, 'web', '2025-03-03',  9, 4, 1, true,  '00:12:00'),
  (3, 'web', '2025-03-03',  8, 4, 3, false, '00:31:00'),
  (4, 'web', '2025-03-04',  6, 2, 5, false, '02:15:00'),
  (5, 'web', '2025-03-04', 10, 5, 1, true,  '00:00:40'),
  (6, 'seo', '2025-03-03',  3, 1, 7, false, '1 day 03:00:00'),
  (7, 'seo', '2025-03-04',  9, 5, 2, true,  '00:09:30'),
  (8, 'seo', '2025-03-04', NULL, NULL, NULL, NULL, NULL),
  (9, 'seo', '2025-03-05',  7, 3, 4, true,  '00:14:59');

-- ---------------------------------------------------------------- one-step aggregates
SELECT team,
       cs_service.nps(nps_score) AS nps,
       cs_service.csat(csat_score) AS csat,
       cs_service.ces(effort) AS ces,
       cs_service.sla_pct(met) AS sla_pct
FROM surveys GROUP BY team ORDER BY team;

-- the same numbers with hand-written FILTER formulas
SELECT team,
       100.0 * (count(*) FILTER (WHERE nps_score >= 9) - count(*) FILTER (WHERE nps_score <= 6))
             / count(nps_score) AS nps,
       100.0 * count(*) FILTER (WHERE csat_score >= 4) / count(csat_score) AS csat,
       avg(effort) AS ces,
       100.0 * count(*) FILTER (WHERE met) / count(met) AS sla_pct
FROM surveys GROUP BY team ORDER BY team;

-- no rows and only NULLs give NULL
SELECT cs_service.nps(nps_score), cs_service.csat(csat_score), cs_service.ces(effort),
       cs_service.sla_pct(met)
FROM surveys WHERE false;
SELECT cs_service.nps(nps_score), cs_service.csat(csat_score), cs_service.ces(effort),
       cs_service.sla_pct(met)
FROM surveys WHERE id = 8;

-- extremes
SELECT cs_service.nps(s) FROM (VALUES (9), (10)) v(s);
SELECT cs_service.nps(s) FROM (VALUES (0), (6)) v(s);
SELECT cs_service.nps(s) FROM (VALUES (7), (8)) v(s);

-- ---------------------------------------------------------------- two-step: summaries
SELECT cs_service.score_agg(nps_score) FROM surveys;
SELECT cs_service.responses(s), cs_service.promoters(s), cs_service.passives(s),
       cs_service.detractors(s), cs_service.nps(s), cs_service.score_count(s, 10)
FROM (SELECT cs_service.score_agg(nps_score) AS s FROM surveys) t;
SELECT cs_service.sla_agg(met) FROM surveys;
SELECT cs_service.sla_met(s), cs_service.sla_total(s), cs_service.sla_pct(s)
FROM (SELECT cs_service.sla_agg(met) AS s FROM surveys) t;

-- no input: an empty summary (like count), whose metrics are NULL
SELECT cs_service.score_agg(nps_score), cs_service.sla_agg(met) FROM surveys WHERE false;
SELECT cs_service.responses(cs_service.score_agg(nps_score)),
       cs_service.nps(cs_service.score_agg(nps_score)),
       cs_service.sla_pct(cs_service.sla_agg(met))
FROM surveys WHERE id = 8;

-- a daily rollup table, then any period from it
CREATE TABLE daily AS
SELECT day, team,
       cs_service.score_agg(nps_score) AS nps_s,
       cs_service.score_agg(csat_score) AS csat_s,
       cs_service.sla_agg(met) AS sla_s,
       cs_service.duration_agg(response) AS resp_s
FROM surveys GROUP BY day, team;
SELECT team, cs_service.nps(cs_service.rollup(nps_s)) AS nps,
       cs_service.csat(cs_service.rollup(csat_s)) AS csat,
       cs_service.sla_pct(cs_service.rollup(sla_s)) AS sla_pct,
       cs_service.percentile(cs_service.rollup(resp_s), 0.5) AS median_response
FROM daily GROUP BY team ORDER BY team;

-- rollup over no rows and over NULLs only
SELECT cs_service.rollup(nps_s), cs_service.rollup(sla_s) FROM daily WHERE false;
SELECT cs_service.rollup(NULL::cs_service.score_summary);
SELECT cs_service.rollup(x) FROM (VALUES (NULL::cs_service.duration_summary)) v(x);

-- CSAT and CES from a summary require answers within their scale
SELECT cs_service.csat(cs_service.score_agg(csat_score)),
       cs_service.ces(cs_service.score_agg(effort))
FROM surveys;

-- ---------------------------------------------------------------- confidence intervals
-- NPS 40 from 100 answers (50 promoters, 30 passives, 20 detractors)
SELECT round(lower::numeric, 3) AS lower, round(upper::numeric, 3) AS upper
FROM cs_service.nps_interval('{"version":1,"responses":100,"counts":[0,0,0,0,0,0,20,15,15,25,25]}');
SELECT round(lower::numeric, 3) AS lower, round(upper::numeric, 3) AS upper
FROM cs_service.nps_interval('{"version":1,"responses":100,"counts":[0,0,0,0,0,0,20,15,15,25,25]}', 0.99);
-- CSAT 80% of 10 answers; SLA 95 of 100 (Wilson); all met
SELECT round(lower::numeric, 3) AS lower, round(upper::numeric, 3) AS upper
FROM cs_service.csat_interval('{"version":1,"responses":10,"counts":[0,1,0,1,4,4,0,0,0,0,0]}');
SELECT round(lower::numeric, 3) AS lower, round(upper::numeric, 3) AS upper
FROM cs_service.sla_interval('{"version":1,"met":95,"total":100}');
SELECT lower, round(upper::numeric, 3) AS upper
FROM cs_service.sla_interval('{"version":1,"met":0,"total":10}');
SELECT round(lower::numeric, 3) AS lower, upper
FROM cs_service.sla_interval('{"version":1,"met":10,"total":10}');
-- per team, as columns
SELECT team, (cs_service.nps_interval(cs_service.score_agg(nps_score))).*
FROM surveys GROUP BY team ORDER BY team;
-- no answers: NULL bounds
SELECT (cs_service.nps_interval(cs_service.score_agg(NULL::int))).*;
SELECT (cs_service.sla_interval(cs_service.sla_agg(NULL::boolean))).*;

-- ---------------------------------------------------------------- durations
SELECT cs_service.duration_count(d) AS count, cs_service.duration_mean(d) AS mean,
       cs_service.duration_min(d) AS min, cs_service.duration_max(d) AS max,
       cs_service.percentile(d, 0.5) AS p50, cs_service.percentile(d, 0.9) AS p90
FROM (SELECT cs_service.duration_agg(response) AS d FROM surveys) t;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY response) AS p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY response) AS p90
FROM surveys;
-- a constant comes back exactly; percentile 0 and 1 are the minimum and maximum
SELECT cs_service.percentile(cs_service.duration_agg(x), 0.37)
FROM (SELECT interval '00:17:03.123456' FROM generate_series(1, 50)) v(x);
SELECT cs_service.percentile(d, 0), cs_service.percentile(d, 1)
FROM (SELECT cs_service.duration_agg(response) AS d FROM surveys) t;
-- zero, negative and very long durations are counted exactly and ranked
SELECT cs_service.duration_count(d), cs_service.duration_negatives(d), cs_service.duration_zeros(d),
       cs_service.duration_over_range(d), cs_service.duration_min(d), cs_service.duration_max(d),
       cs_service.duration_mean(d), cs_service.percentile(d, 0.25), cs_service.percentile(d, 0.5)
FROM (SELECT cs_service.duration_agg(x) AS d
      FROM (VALUES (interval '-2 hours'), ('0'), ('0'), ('10 minutes'), ('150 years')) v(x)) t;
-- months count as 30 days, as in interval comparison
SELECT cs_service.percentile(cs_service.duration_agg(x), 1)
FROM (VALUES (interval '1 mon 2 days')) v(x);
-- no durations
SELECT d, cs_service.percentile(d, 0.5), cs_service.duration_mean(d), cs_service.duration_count(d)
FROM (SELECT cs_service.duration_agg(response) AS d FROM surveys WHERE false) t;

-- ---------------------------------------------------------------- text round trips
SELECT nps_s::text::cs_service.score_summary::text = nps_s::text AS score_ok,
       sla_s::text::cs_service.sla_summary::text = sla_s::text AS sla_ok,
       resp_s::text::cs_service.duration_summary::text = resp_s::text AS duration_ok
FROM daily ORDER BY day, team;
SELECT resp_s FROM daily WHERE team = 'seo' AND day = '2025-03-03';
-- whitespace and key order are free; the text is JSON
SELECT ' { "counts": [0,0,0,0,0,0,0,0,0,1,0], "version": 1, "responses": 1 } '::cs_service.score_summary;
SELECT (nps_s::text::jsonb) -> 'counts' FROM daily WHERE team = 'web' AND day = '2025-03-03';

-- ---------------------------------------------------------------- binary round trips (COPY BINARY)
CREATE TABLE bin_src AS SELECT nps_s, sla_s, resp_s FROM daily;
COPY bin_src TO '/tmp/cs_service_metrics_regress.bin' (FORMAT binary);
CREATE TABLE bin_dst (LIKE bin_src);
COPY bin_dst FROM '/tmp/cs_service_metrics_regress.bin' (FORMAT binary);
SELECT count(*) AS rows,
       count(*) FILTER (WHERE s.nps_s::text = d.nps_s::text AND s.sla_s::text = d.sla_s::text
                        AND s.resp_s::text = d.resp_s::text) AS identical
FROM bin_src s JOIN bin_dst d ON s.nps_s::text = d.nps_s::text AND s.resp_s::text = d.resp_s::text;

-- ---------------------------------------------------------------- errors
-- a score outside its scale: 22003
SELECT cs_service.nps(s) FROM (VALUES (10), (11)) v(s);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.score_agg(s) FROM (VALUES (-1)) v(s);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.csat(s) FROM (VALUES (0)) v(s);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.csat(s) FROM (VALUES (6)) v(s);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.ces(s) FROM (VALUES (8)) v(s);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.csat(cs_service.score_agg(nps_score)) FROM surveys;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.ces(cs_service.score_agg(nps_score)) FROM surveys;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.csat_interval(cs_service.score_agg(0));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.score_count(cs_service.score_agg(5), 11);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- malformed summary text: 22P02
SELECT 'nps=40'::cs_service.score_summary;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT '{"version":1,"responses":3,"counts":[0,0,0,0,0,0,0,0,0,1,1]}'::cs_service.score_summary;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT '{"version":1,"responses":1,"counts":[0,0,0,0,0,0,0,0,0,1]}'::cs_service.score_summary;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT '{"version":2,"responses":0,"counts":[0,0,0,0,0,0,0,0,0,0,0]}'::cs_service.score_summary;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT '{"version":1,"met":5,"total":4}'::cs_service.sla_summary;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT '{"version":1,"met":5}'::cs_service.sla_summary;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT '{"version":1,"met":-1,"total":4}'::cs_service.sla_summary;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT '{"version":1,"count":2,"min_us":60000000,"max_us":60000000,"sum_us":120000000,"negative":0,"zero":0,"over_range":0,"buckets":[[905,1]]}'::cs_service.duration_summary;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT '{"version":1,"count":1,"min_us":60000000,"max_us":60000000,"sum_us":60000000,"negative":0,"zero":0,"over_range":0,"buckets":[[5000,1]]}'::cs_service.duration_summary;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT '{"version":1,"count":1,"min_us":60000000,"max_us":60000000,"sum_us":60000001,"negative":0,"zero":0,"over_range":0,"buckets":[[905,1]]}'::cs_service.duration_summary;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT '{"version":1,"count":1,"min_us":60000000,"max_us":60000000,"sum_us":60000000,"negative":0,"zero":0,"over_range":0,"buckets":[[905,1]],"p50":1}'::cs_service.duration_summary;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- the valid form of the last three
SELECT '{"version":1,"count":1,"min_us":60000000,"max_us":60000000,"sum_us":60000000,"negative":0,"zero":0,"over_range":0,"buckets":[[905,1]]}'::cs_service.duration_summary;

-- confidence outside (0, 1), percentile outside [0, 1]: 22023
SELECT cs_service.nps_interval(cs_service.score_agg(9), 1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.csat_interval(cs_service.score_agg(5), 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.sla_interval(cs_service.sla_agg(true), 'NaN');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.sla_interval(cs_service.sla_agg(true), -0.95);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.percentile(cs_service.duration_agg(interval '1 minute'), 1.5);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.percentile(cs_service.duration_agg(interval '1 minute'), -0.1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.percentile(cs_service.duration_agg(interval '1 minute'), 'NaN');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- but a NULL confidence or fraction is just NULL
SELECT cs_service.nps_interval(cs_service.score_agg(9), NULL),
       cs_service.percentile(cs_service.duration_agg(interval '1 minute'), NULL);

-- counts never overflow silently: 22003
SELECT cs_service.rollup(s) FROM (VALUES
  ('{"version":1,"responses":9223372036854775807,"counts":[0,0,0,0,0,0,0,0,0,0,9223372036854775807]}'::cs_service.score_summary),
  ('{"version":1,"responses":1,"counts":[1,0,0,0,0,0,0,0,0,0,0]}')) v(s);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.rollup(s) FROM (VALUES
  ('{"version":1,"met":0,"total":9223372036854775807}'::cs_service.sla_summary),
  ('{"version":1,"met":1,"total":1}')) v(s);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.rollup(s) FROM (VALUES
  ('{"version":1,"count":9223372036854775807,"min_us":0,"max_us":0,"sum_us":0,"negative":0,"zero":9223372036854775807,"over_range":0,"buckets":[]}'::cs_service.duration_summary),
  ('{"version":1,"count":1,"min_us":0,"max_us":0,"sum_us":0,"negative":0,"zero":1,"over_range":0,"buckets":[]}')) v(s);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.score_agg(s) FROM (VALUES (10)) v(s);

-- an interval beyond microsecond arithmetic: 22008
SELECT cs_service.duration_agg(x) FROM (VALUES (interval '178000000 years')) v(x);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- support functions change their state in place, so only aggregates may call them: 0A000
SELECT cs_service.score_summary_combine(cs_service.score_agg(1), cs_service.score_agg(2));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.score_agg_trans(NULL, 5);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- malformed binary data: 22P03.  Each file is a COPY BINARY stream with one value.
CREATE FUNCTION pg_temp.copy_file(payload bytea) RETURNS bytea LANGUAGE sql AS $$
  SELECT '\x5047434f50590aff0d0a00'::bytea || '\x00000000'::bytea || '\x00000000'::bytea
         || '\x0001'::bytea || int4send(length(payload)) || payload || '\xffff'::bytea
$$;
CREATE FUNCTION pg_temp.write_file(content bytea) RETURNS void LANGUAGE plpgsql AS $$
DECLARE lo oid := lo_from_bytea(0, content);
BEGIN
  PERFORM lo_export(lo, '/tmp/cs_service_metrics_regress.bin');
  PERFORM lo_unlink(lo);
END $$;
CREATE TABLE bin_score (s cs_service.score_summary);
CREATE TABLE bin_sla (s cs_service.sla_summary);
CREATE TABLE bin_duration (s cs_service.duration_summary);
-- a valid sla_summary: version 1, met 2, total 3
SELECT pg_temp.write_file(pg_temp.copy_file('\x01' || int8send(2) || int8send(3)));
COPY bin_sla FROM '/tmp/cs_service_metrics_regress.bin' (FORMAT binary);
SELECT * FROM bin_sla;
-- truncated
SELECT pg_temp.write_file(pg_temp.copy_file('\x01' || int8send(2) || '\x000000'));
COPY bin_sla FROM '/tmp/cs_service_metrics_regress.bin' (FORMAT binary);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- oversized
SELECT pg_temp.write_file(pg_temp.copy_file('\x01' || int8send(2) || int8send(3) || '\x00'));
COPY bin_sla FROM '/tmp/cs_service_metrics_regress.bin' (FORMAT binary);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- inconsistent
SELECT pg_temp.write_file(pg_temp.copy_file('\x01' || int8send(4) || int8send(3)));
COPY bin_sla FROM '/tmp/cs_service_metrics_regress.bin' (FORMAT binary);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- unknown version
SELECT pg_temp.write_file(pg_temp.copy_file('\x07' || int8send(2) || int8send(3)));
COPY bin_sla FROM '/tmp/cs_service_metrics_regress.bin' (FORMAT binary);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- empty
SELECT pg_temp.write_file(pg_temp.copy_file(''));
COPY bin_sla FROM '/tmp/cs_service_metrics_regress.bin' (FORMAT binary);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- score_summary: responses 1 but counts of 0
SELECT pg_temp.write_file(pg_temp.copy_file('\x01' || int8send(1)
       || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0)
       || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0)));
COPY bin_score FROM '/tmp/cs_service_metrics_regress.bin' (FORMAT binary);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- score_summary: truncated
SELECT pg_temp.write_file(pg_temp.copy_file('\x01' || int8send(0)));
COPY bin_score FROM '/tmp/cs_service_metrics_regress.bin' (FORMAT binary);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- duration_summary: one minute, valid
CREATE FUNCTION pg_temp.one_minute(nbuckets int, tail bytea) RETURNS bytea LANGUAGE sql AS $$
  SELECT '\x01'::bytea || int8send(1) || int8send(0) || int8send(0) || int8send(0)
         || int8send(60000000) || int8send(60000000) || int8send(0) || int8send(60000000)
         || int4send(nbuckets) || tail
$$;
SELECT pg_temp.write_file(pg_temp.copy_file(pg_temp.one_minute(1, int2send(905::int2) || int8send(1))));
COPY bin_duration FROM '/tmp/cs_service_metrics_regress.bin' (FORMAT binary);
SELECT cs_service.percentile(s, 0.5), cs_service.duration_count(s) FROM bin_duration;
-- a bucket count that promises more than is there
SELECT pg_temp.write_file(pg_temp.copy_file(pg_temp.one_minute(2, int2send(905::int2) || int8send(1))));
COPY bin_duration FROM '/tmp/cs_service_metrics_regress.bin' (FORMAT binary);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- an absurd bucket count
SELECT pg_temp.write_file(pg_temp.copy_file(pg_temp.one_minute(1000000, '')));
COPY bin_duration FROM '/tmp/cs_service_metrics_regress.bin' (FORMAT binary);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- a bucket far from min_us and max_us
SELECT pg_temp.write_file(pg_temp.copy_file(pg_temp.one_minute(1, int2send(100::int2) || int8send(1))));
COPY bin_duration FROM '/tmp/cs_service_metrics_regress.bin' (FORMAT binary);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- the header cut short
SELECT pg_temp.write_file(pg_temp.copy_file('\x01' || int8send(1)));
COPY bin_duration FROM '/tmp/cs_service_metrics_regress.bin' (FORMAT binary);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

DROP TABLE surveys, daily, bin_src, bin_dst, bin_score, bin_sla, bin_duration;
