-- bench/citus_month.sql: a month of SLA outcomes (October 2026 of the demo agency) per client and
-- metric, read from the model's tables directly, as the views will once the source layer is
-- views (doc/citus.md). Run it in the databases single and dist of a cluster left by
-- KEEP_CLUSTER=1 bash test/citus/model.sh, with citus.coordinator_aggregation_strategy = 'disabled';
-- the two outputs must be identical. bench/RESULTS-citus.md records one run.
-- The stored clock (joined by request and client: the model is distributed by client) is advanced
-- to a fixed instant, the targets come from a LATERAL subquery over the
-- reference table, and the outcome is computed as sla_outcomes computes it.
SELECT r.client, t.metric, count(*) AS n,
       cs_service.sla_agg(CASE WHEN cs_service.sla_metric_worst(c.clock, t.metric) > t.target THEN false
                               WHEN t.metric = 'first_response' AND cs_service.sla_metric_stopped_at(c.clock, t.metric) IS NOT NULL THEN true
                               WHEN cs_service.phase(c.clock) = 'resolved' THEN true END)::text AS outcome
  FROM cs_service.requests AS r
  JOIN cs_service_internal.sla_clocks AS k ON k.request_id = r.id AND k.client = r.client
 CROSS JOIN LATERAL (SELECT cs_service.sla_clock_at(k.clock, '2026-11-01 00:00+00', k.calendar) AS clock) AS c
 CROSS JOIN LATERAL (SELECT DISTINCT ON (st.metric) st.metric, st.target
                       FROM cs_service.sla_targets AS st
                      WHERE st.policy = k.policy AND st.valid_from <= r.opened_at
                        AND (st.channel IS NULL OR st.channel = r.channel)
                        AND (st.priority IS NULL OR st.priority = r.priority)
                        AND cs_service.sla_metric_started_at(c.clock, st.metric) IS NOT NULL
                      ORDER BY st.metric, (st.channel IS NOT NULL AND st.priority IS NOT NULL) DESC,
                               (st.priority IS NOT NULL) DESC, (st.channel IS NOT NULL) DESC, st.valid_from DESC) AS t
 WHERE r.opened_at >= '2026-10-01 00:00+00' AND r.opened_at < '2026-11-01 00:00+00' AND t.target IS NOT NULL
 GROUP BY r.client, t.metric
 ORDER BY 1, 2;
