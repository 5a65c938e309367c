
-- ---- The rollups' rows, into the tables of the counters' type --------------------------------------
INSERT INTO cs_service_internal.rollup_daily SELECT r.* FROM @extschema@.rollup_daily_0_2 AS r;
INSERT INTO cs_service_internal.rollup_monthly SELECT r.* FROM @extschema@.rollup_monthly_0_2 AS r;
DROP TABLE @extschema@.rollup_daily_0_2, @extschema@.rollup_monthly_0_2;
