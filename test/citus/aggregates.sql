-- test/citus/aggregates.sql: every aggregate of cs_service, whole and grouped, with FILTER, and
-- the accessors over them. test/citus/run.sh runs this file in a single-node database and in the
-- Citus cluster (with citus.coordinator_aggregation_strategy = 'disabled', so an aggregate that
-- cannot be split into a partial part on the shards and a combine on the coordinator is an
-- error) and requires the two outputs to be identical.
\set ON_ERROR_STOP 1
SET extra_float_digits = 0;
SET TimeZone = 'UTC';

\echo == whole table
SELECT count(*),
       cs_service.nps(score), cs_service.csat(csat), cs_service.ces(effort),
       cs_service.sla_pct(in_time),
       cs_service.nps(score) FILTER (WHERE channel = 'email') AS nps_email,
       cs_service.sla_pct(in_time) FILTER (WHERE channel <> 'phone') AS sla_not_phone
  FROM citus_facts;

\echo == summaries and their accessors
SELECT cs_service.nps(cs_service.score_agg(score)) AS nps,
       cs_service.nps_interval(cs_service.score_agg(score), 0.95) AS nps_ci,
       cs_service.csat_interval(cs_service.score_agg(csat), 0.95) AS csat_ci,
       cs_service.sla_interval(cs_service.sla_agg(in_time), 0.9) AS sla_ci,
       cs_service.percentile(cs_service.duration_agg(took), 0.5) AS p50,
       cs_service.percentile(cs_service.duration_agg(took), 0.9) AS p90,
       cs_service.percentile(cs_service.duration_agg(took) FILTER (WHERE kind = 'agent_reply'), 0.99) AS p99_replies
  FROM citus_facts;

\echo == grouped by a column that is not the distribution column
SELECT channel, count(*), cs_service.nps(score), cs_service.csat(csat), cs_service.ces(effort),
       cs_service.sla_pct(in_time),
       cs_service.percentile(cs_service.duration_agg(took), 0.9) AS p90,
       cs_service.nps_interval(cs_service.score_agg(score) FILTER (WHERE at < '2026-07-01'), 0.95) AS nps_h1
  FROM citus_facts GROUP BY channel ORDER BY channel;

\echo == grouped by the distribution column
SELECT client, count(*), cs_service.nps(score), cs_service.sla_pct(in_time),
       cs_service.percentile(cs_service.duration_agg(took), 0.5) AS p50
  FROM citus_facts GROUP BY client ORDER BY client LIMIT 12;

\echo == grouped by month, an expression
SELECT date_trunc('month', at) AS month, cs_service.nps(score), cs_service.sla_pct(in_time),
       cs_service.sla_interval(cs_service.sla_agg(in_time), 0.95) AS sla_ci
  FROM citus_facts GROUP BY 1 ORDER BY 1;

\echo == rollup of stored summaries, whole and per month
SELECT cs_service.nps(cs_service.rollup(scores)) AS nps,
       cs_service.sla_interval(cs_service.rollup(slas), 0.95) AS sla_ci,
       cs_service.percentile(cs_service.rollup(took), 0.75) AS p75
  FROM citus_daily;
SELECT date_trunc('month', day)::date AS month, cs_service.nps(cs_service.rollup(scores)),
       cs_service.percentile(cs_service.rollup(took), 0.9) AS p90
  FROM citus_daily WHERE day >= '2026-03-01' GROUP BY 1 ORDER BY 1;

\echo == the stored summaries equal the raw rows
SELECT (SELECT cs_service.rollup(scores)::text FROM citus_daily)
     = (SELECT cs_service.score_agg(score)::text FROM citus_facts) AS scores_equal,
       (SELECT cs_service.rollup(slas)::text FROM citus_daily)
     = (SELECT cs_service.sla_agg(in_time)::text FROM citus_facts) AS slas_equal;

\echo == the ordered SLA clock, grouped by the distribution column (runs whole on the shards)
SELECT client, cs_service.sla_clock_agg(at, kind ORDER BY at, id)::text AS clock
  FROM citus_facts WHERE at < '2026-01-03' GROUP BY client ORDER BY client LIMIT 8;
