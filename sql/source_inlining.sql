-- The planner hook (src/inline_fmgr.c) inlines the extension's own SQL set-returning functions
-- (the source layer the views read) before any other planner hook sees the query, by
-- PostgreSQL's rules.  On a single node the result is what PostgreSQL's own inlining gives; on
-- Citus it is what lets the views run (test/citus/model.sh).
SET client_min_messages = warning;
-- the hook starts once the library is loaded (a C function's first use, or preloading)
SELECT 'UTC; mon-fri 09:00-17:00'::cs_service.business_calendar IS NOT NULL AS loaded;

-- filters reach the tables: no Function Scan is left
EXPLAIN (COSTS OFF) SELECT * FROM cs_service_internal.sla_source_events() WHERE request_id = 7;
EXPLAIN (COSTS OFF) SELECT c.name FROM cs_service_internal.source_clients() AS c WHERE c.client_id = 'c1';
-- a function with parameters, its arguments substituted (here a lateral reference)
SET enable_seqscan = off;   -- (one plan whatever the statistics)
EXPLAIN (COSTS OFF)
SELECT v.at, p.policy FROM (VALUES ('2026-01-05 09:00+00'::timestamptz)) AS v (at)
 CROSS JOIN LATERAL cs_service_internal.client_rule_policies(v.at) AS p;
RESET enable_seqscan;

-- a prepared statement follows the binding: it depends on the source function, which sla_bind re-creates
CREATE SCHEMA crm;
CREATE TABLE crm.ticket_log (ticket int, at timestamptz, what text);
INSERT INTO crm.ticket_log VALUES (7, '2026-01-05 09:00+00', 'opened'), (7, '2026-01-05 10:00+00', 'agent_reply'),
                                  (8, '2026-01-05 09:30+00', 'opened');
PREPARE events AS SELECT count(*) FROM cs_service_internal.sla_source_events();
EXECUTE events;
SELECT cs_service.sla_bind('events', 'SELECT ticket AS request_id, at, what AS kind, 0 AS seq FROM crm.ticket_log');
EXECUTE events;
SELECT cs_service.sla_unbind('events');
EXECUTE events;
DEALLOCATE events;
DROP SCHEMA crm CASCADE;

-- the caller's privileges hold: a function the role may not execute is not inlined around it
CREATE ROLE cs_inline_reader;
GRANT USAGE ON SCHEMA cs_service_internal TO cs_inline_reader;
GRANT SELECT ON cs_service.clients TO cs_inline_reader;
REVOKE EXECUTE ON FUNCTION cs_service_internal.source_clients() FROM PUBLIC;
SET ROLE cs_inline_reader;
SELECT count(*) FROM cs_service.clients;
SELECT count(*) FROM cs_service_internal.source_clients();
RESET ROLE;
GRANT EXECUTE ON FUNCTION cs_service_internal.source_clients() TO PUBLIC;
REVOKE ALL ON SCHEMA cs_service_internal FROM cs_inline_reader;
REVOKE ALL ON cs_service.clients FROM cs_inline_reader;
DROP ROLE cs_inline_reader;

-- other functions are left to PostgreSQL: a user's own SQL function is inlined by it as ever
CREATE FUNCTION public.my_requests() RETURNS SETOF cs_service.requests LANGUAGE sql STABLE
AS 'SELECT r.* FROM cs_service.requests AS r';
EXPLAIN (COSTS OFF) SELECT * FROM public.my_requests() WHERE id = 3;
DROP FUNCTION public.my_requests();
