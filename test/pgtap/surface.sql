-- pgTAP: the public surface (README.md, "Public surface").  Schema cs_service holds the
-- documented API only, every view there is chartable by a BI tool as it is, the building blocks
-- live in cs_service_internal, the BI role reads every view and writes nothing, and every
-- function follows the rule for SQL function bodies (doc/contributing.md).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cs_service;
SELECT plan(28);

-- ---- what schema cs_service holds ------------------------------------------------------------------
SELECT set_eq($$SELECT c.relname::text FROM pg_class AS c
                WHERE c.relnamespace = 'cs_service'::regnamespace AND c.relkind = 'v'$$,
              ARRAY['sla_status', 'sla_compliance', 'client_scorecard', 'team_scorecard', 'retention',
                    'delivery_adherence', 'deliverable_quality', 'communication_rhythm',
                    'complaint_patterns', 'qa_results', 'at_risk_clients', 'wait_attribution'],
              'surface: cs_service holds the 12 documented views and no other');
SELECT set_eq($$SELECT c.relname::text FROM pg_class AS c
                WHERE c.relnamespace = 'cs_service'::regnamespace AND c.relkind = 'r'$$,
              ARRAY['calendars', 'sla_policies', 'sla_targets', 'sla_policy_rules', 'sla_bindings',
                    'requests', 'request_events', 'sla_alerts', 'report_settings', 'quality_weights',
                    'clients', 'orders', 'projects', 'deliverables', 'surveys', 'escalations',
                    'complaints', 'activities', 'qa_reviews'],
              'surface: cs_service holds the 19 documented model and configuration tables and no other');
SELECT is((SELECT count(*) FROM pg_depend AS d
            JOIN pg_extension AS x ON x.oid = d.refobjid AND x.extname = 'cs_service'
            JOIN pg_proc AS p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
            JOIN pg_language AS l ON l.oid = p.prolang
           WHERE d.deptype = 'e' AND p.pronamespace = 'cs_service'::regnamespace
             AND l.lanname IN ('sql', 'plpgsql') AND p.prorettype = 'trigger'::regtype),
          0::bigint, 'surface: no trigger function in cs_service');
SELECT is((SELECT string_agg(p.proname, ', ' ORDER BY p.proname) FROM pg_proc AS p
            JOIN pg_language AS l ON l.oid = p.prolang
           WHERE p.pronamespace = 'cs_service'::regnamespace AND l.lanname IN ('sql', 'plpgsql')),
          'at_risk_clients_at, calendar, check_sla, client_report, communication_rhythm_at, complaint_patterns, '
          'qa_sample, refresh_rollups, report_zone, rollups_invalidate, sla_bind, sla_due, '
          'sla_elapsed, sla_policy_for, sla_unbind, team_report',
          'surface: the SQL and PL/pgSQL functions of cs_service are the documented ones');
SELECT is((SELECT count(*) FROM pg_depend AS d
            JOIN pg_extension AS x ON x.oid = d.refobjid AND x.extname = 'cs_service'
           WHERE d.deptype = 'e' AND d.classid = 'pg_class'::regclass
             AND (SELECT c.relnamespace FROM pg_class AS c WHERE c.oid = d.objid)
                 NOT IN ('cs_service'::regnamespace, 'cs_service_internal'::regnamespace)),
          0::bigint, 'surface: every relation of the extension is in cs_service or cs_service_internal');

-- ---- chartable views ------------------------------------------------------------------------------
SELECT is((SELECT string_agg(c.table_name || '.' || c.column_name || ' ' || c.data_type, ', ')
             FROM information_schema.columns AS c
            WHERE c.table_schema = 'cs_service'
              AND c.table_name IN (SELECT v.table_name FROM information_schema.views AS v
                                    WHERE v.table_schema = 'cs_service')
              AND c.data_type NOT IN ('text', 'smallint', 'integer', 'bigint', 'numeric', 'real',
                                      'double precision', 'boolean', 'date',
                                      'timestamp with time zone', 'timestamp without time zone')),
          NULL, 'BI shape: every column of every cs_service view is text, a number, a boolean, a date or a timestamp');
SELECT is((SELECT count(*) FROM information_schema.columns AS c
            WHERE c.table_schema = 'cs_service' AND c.column_name LIKE '%\_minutes'
              AND c.data_type <> 'double precision'),
          0::bigint, 'BI shape: durations are numbers of minutes');
SELECT is((SELECT count(*) FROM pg_class AS c
            WHERE c.relnamespace = 'cs_service'::regnamespace AND c.relkind = 'v'
              AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false)),
          0::bigint, 'BI shape: every view runs with the reader''s rights (security_invoker)');

-- ---- the roles ------------------------------------------------------------------------------------
SELECT ok(NOT has_schema_privilege('public', 'cs_service_internal', 'USAGE'),
          'roles: PUBLIC has no usage on cs_service_internal');
SELECT ok(has_schema_privilege('cs_service_bi', 'cs_service_internal', 'USAGE')
          AND has_schema_privilege('cs_service_writer', 'cs_service_internal', 'USAGE'),
          'roles: BI and the writer may use cs_service_internal');
SELECT is((SELECT count(*) FROM pg_class AS c
            WHERE c.relnamespace = 'cs_service_internal'::regnamespace AND c.relkind IN ('r', 'v')
              AND has_table_privilege('cs_service_bi', c.oid, 'INSERT,UPDATE,DELETE,TRUNCATE')),
          0::bigint, 'roles: BI writes nothing in cs_service_internal');
SELECT ok(NOT has_table_privilege('cs_service_bi', 'cs_service_internal.rollup_queue', 'SELECT')
          AND NOT has_table_privilege('cs_service_bi', 'cs_service_internal.scorecard_monthly_raw', 'SELECT'),
          'roles: BI reads no building block the views do not read');

-- every view of cs_service, read as a member of cs_service_bi (one lives_ok per view)
CREATE ROLE tap_analyst NOLOGIN IN ROLE cs_service_bi;
SET LOCAL ROLE tap_analyst;
SELECT lives_ok(format('SELECT * FROM cs_service.%I LIMIT 1', v),
                format('roles: a cs_service_bi member reads cs_service.%s', v))
  FROM unnest(ARRAY['sla_status', 'sla_compliance', 'client_scorecard', 'team_scorecard',
                    'retention', 'delivery_adherence', 'deliverable_quality', 'communication_rhythm',
                    'complaint_patterns', 'qa_results', 'at_risk_clients', 'wait_attribution']) AS v;
RESET ROLE;

-- ---- the rule for function bodies -----------------------------------------------------------------
-- SQL functions: BEGIN ATOMIC or RETURN (bound at creation, no SET, so they can be inlined),
-- except the source functions, whose string bodies the binding rewrites, and the scalar ones that
-- read a table, which Citus must be able to re-parse (doc/citus.md); PL/pgSQL functions pin
-- search_path.
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ') FROM pg_proc AS p
            JOIN pg_language AS l ON l.oid = p.prolang AND l.lanname = 'sql'
           WHERE p.pronamespace IN ('cs_service'::regnamespace, 'cs_service_internal'::regnamespace)
             AND (p.prosqlbody IS NULL OR p.proconfig IS NOT NULL)
             AND p.proname !~ '^(sla_)?source_'
             AND p.oid NOT IN ('cs_service.report_zone()'::regprocedure,
                               'cs_service_internal.sla_state_in_use()'::regprocedure)),
          NULL, 'functions: every SQL function but the sources and the two Citus reads has a BEGIN ATOMIC or RETURN body and no SET');
-- ... those two string bodies are parsed at each call with the caller's search_path, so they name
-- everything schema-qualified: tables of the same names first on the path change nothing
CREATE SCHEMA cs_shadow;
CREATE TABLE cs_shadow.report_settings (zone text);
INSERT INTO cs_shadow.report_settings VALUES ('Asia/Tokyo');
CREATE TABLE cs_shadow.sla_bindings (source text);
INSERT INTO cs_shadow.sla_bindings VALUES ('requests');
SET LOCAL search_path = cs_shadow, public;
SELECT is(cs_service.report_zone(), (SELECT s.zone FROM cs_service.report_settings AS s),
          'functions: report_zone() reads cs_service.report_settings whatever the search_path');
SELECT is(cs_service_internal.sla_state_in_use(), NOT EXISTS (SELECT FROM cs_service.sla_bindings),
          'functions: sla_state_in_use() reads cs_service.sla_bindings whatever the search_path');
RESET search_path;
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ') FROM pg_proc AS p
            JOIN pg_language AS l ON l.oid = p.prolang AND l.lanname = 'plpgsql'
           WHERE p.pronamespace IN ('cs_service'::regnamespace, 'cs_service_internal'::regnamespace)
             AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)),
          NULL, 'functions: every PL/pgSQL function pins search_path');

SELECT * FROM finish();
ROLLBACK;
