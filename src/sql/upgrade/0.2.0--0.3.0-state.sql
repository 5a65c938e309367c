
-- ---- The stored SLA state of the requests already logged (src/sql/code/sla_state.sql) -------------
-- Every request's clock folded from its log, and its due instants.  The alerts 0.2.0 recorded
-- are kept as they are: none is reviewed (since = infinity).
SELECT cs_service_internal.sla_state_refold(NULL, 'infinity');
