
-- ---- The stored SLA state of the requests already logged (src/sql/code/sla_state.sql) -------------
-- Every request's clock folded from its log, and its due instants.  The alerts 0.2.0 recorded
-- are kept as they are: none is reviewed (since = infinity).
SELECT cs_service_internal.sla_state_refold(NULL, 'infinity');

-- ---- The rollups' new counters (the business time waited on each party) ---------------------------
-- 0.2.0's rows were copied without them: where rollups are in use, they are rebuilt from the raw
-- rows, with the clocks just folded (as long as refresh_rollups(true) takes on this data).
SELECT @extschema@.refresh_rollups(true)
  FROM cs_service_internal.rollup_state AS s
 WHERE s.watermark IS NOT NULL;
