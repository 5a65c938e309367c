-- ============================================================================================
-- Bindings: which query each source of the SLA views and the scorecard reads (doc/sla.md,
-- "Binding a CRM").  The source functions and the binding code are in src/sql/code/sla_sources.sql.
-- ============================================================================================

-- The binding.  A row here makes a view over the query (cs_service_internal.sla_bound_<source>
-- or bound_<table>, a user object, not part of the extension) the source; the row is kept by
-- pg_dump (a configuration table), and when pg_restore reloads it the trigger points the source
-- function at the view again.  Only the extension's owner can bind.
CREATE TABLE @extschema@.sla_bindings (
    source     pg_catalog.text PRIMARY KEY
               CONSTRAINT sla_bindings_source_check CHECK (source IN (
                   'requests', 'events', 'clients', 'orders', 'projects', 'deliverables',
                   'surveys', 'escalations', 'complaints', 'activities', 'qa_reviews')),
    query      pg_catalog.text NOT NULL,
    updated_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE @extschema@.sla_bindings IS
'Where the SLA views read from: a query per source replacing the default model (doc/sla.md, "Binding a CRM")';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.sla_bindings', '');
