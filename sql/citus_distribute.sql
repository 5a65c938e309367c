-- cs_service_internal.citus_distribute() and citus_run_everywhere() on a database without Citus
-- (every pg_regress run): a clear error, nothing changed.  On a cluster they are tested by
-- test/citus/model.sh (doc/citus.md).
SELECT count(*) AS foreign_keys_before FROM pg_catalog.pg_constraint
 WHERE contype = 'f' AND connamespace IN ('cs_service'::regnamespace, 'cs_service_internal'::regnamespace);
SELECT * FROM cs_service_internal.citus_distribute(32);
SELECT cs_service_internal.citus_run_everywhere('SELECT 1');
-- the arguments are checked first
SELECT * FROM cs_service_internal.citus_distribute(0);
SELECT * FROM cs_service_internal.citus_distribute(NULL);
-- nothing was dropped
SELECT count(*) AS foreign_keys_after FROM pg_catalog.pg_constraint
 WHERE contype = 'f' AND connamespace IN ('cs_service'::regnamespace, 'cs_service_internal'::regnamespace);
-- not for PUBLIC
CREATE ROLE cs_citus_nobody IN ROLE cs_service_bi;
SET ROLE cs_citus_nobody;
SELECT * FROM cs_service_internal.citus_distribute(32);
RESET ROLE;
DROP ROLE cs_citus_nobody;
