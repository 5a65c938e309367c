
-- ---- The rollups' rows, into the tables of the counters' type --------------------------------------
INSERT INTO cs_service_internal.rollup_daily SELECT r.* FROM @extschema@.rollup_daily_0_2 AS r;
INSERT INTO cs_service_internal.rollup_monthly SELECT r.* FROM @extschema@.rollup_monthly_0_2 AS r;
DROP TABLE @extschema@.rollup_daily_0_2, @extschema@.rollup_monthly_0_2;

-- The monthly SLA rollup (new in 0.3.0) from the daily SLA rows the update kept.
INSERT INTO cs_service_internal.rollup_sla_monthly
SELECT pg_catalog.date_trunc('month', r.day::pg_catalog.timestamp)::pg_catalog.date, r.channel,
       r.priority, r.team, r.manager, r.client, r.policy, r.metric, @extschema@.rollup(r.outcomes),
       @extschema@.rollup(r.durations), pg_catalog.sum(r.pending)::pg_catalog.int8
  FROM cs_service_internal.rollup_sla_daily AS r
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
