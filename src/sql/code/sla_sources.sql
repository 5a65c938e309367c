-- ---- Sources: what the SLA views read ----------------------------------------------------------
-- The views read two set-returning SQL functions with a fixed shape, sla_source_requests() and
-- sla_source_events().  By default they read the model above (through the views
-- sla_model_requests and sla_model_events); cs_service.sla_bind() points them at a view over a
-- CRM's own tables instead (see sla_bindings).
--
-- Why functions: a function body records no dependency, so the extension never depends on the
-- CRM's tables (a DROP ... CASCADE of a CRM table drops the binding's view, never the
-- extension and its data), and a plain SQL function is inlined into the query, so filters reach
-- the CRM's tables as through a view.  To be inlined they carry no SET search_path; their bodies
-- name only a relation (schema-qualified) and its columns, so no search_path can change them.

CREATE VIEW cs_service_internal.sla_model_requests WITH (security_invoker = true) AS
SELECT r.id AS request_id, r.opened_at, r.channel, r.priority, r.client, r.team, r.manager,
       r.policy, r.is_open
  FROM @extschema@.requests AS r;

COMMENT ON VIEW cs_service_internal.sla_model_requests IS
'The default model''s requests in the shape of cs_service.sla_source_requests()';

CREATE VIEW cs_service_internal.sla_model_events WITH (security_invoker = true) AS
SELECT r.id AS request_id, r.opened_at AS at, 'opened'::pg_catalog.text AS kind,
       0::pg_catalog.int8 AS seq
  FROM @extschema@.requests AS r
UNION ALL
SELECT e.request_id, e.at, e.kind, e.id AS seq
  FROM @extschema@.request_events AS e;

COMMENT ON VIEW cs_service_internal.sla_model_events IS
'The default model''s event log (openings included) in the shape of cs_service.sla_source_events()';

CREATE FUNCTION cs_service_internal.sla_source_requests()
RETURNS TABLE (request_id pg_catalog.int8, opened_at pg_catalog.timestamptz,
               channel pg_catalog.text, priority pg_catalog.text, client pg_catalog.text,
               team pg_catalog.text, manager pg_catalog.text, policy pg_catalog.text,
               is_open pg_catalog.bool)
LANGUAGE sql STABLE PARALLEL SAFE
AS 'SELECT s.request_id, s.opened_at, s.channel, s.priority, s.client, s.team, s.manager, s.policy, s.is_open FROM cs_service_internal.sla_model_requests AS s';

COMMENT ON FUNCTION cs_service_internal.sla_source_requests() IS
'The requests the SLA views measure: request_id, opened_at, channel, priority, client, team, manager, policy (NULL: the rules choose), is_open (NULL: unknown)';

CREATE FUNCTION cs_service_internal.sla_source_events()
RETURNS TABLE (request_id pg_catalog.int8, at pg_catalog.timestamptz, kind pg_catalog.text,
               seq pg_catalog.int8)
LANGUAGE sql STABLE PARALLEL SAFE
AS 'SELECT s.request_id, s.at, s.kind, s.seq FROM cs_service_internal.sla_model_events AS s';

COMMENT ON FUNCTION cs_service_internal.sla_source_events() IS
'The event log the SLA clocks read: request_id, at, kind, seq (orders events at the same instant); one opened event per request';

-- Whether the SLA views read the default model (no binding of requests or events): then they
-- read each request's stored clock (src/sql/code/sla_state.sql), kept by the model's triggers;
-- a bound CRM's log has no such triggers, so its clocks are folded when read.
CREATE FUNCTION cs_service_internal.sla_state_in_use()
RETURNS pg_catalog.bool
LANGUAGE sql STABLE PARALLEL SAFE
-- a string body: see report_zone()
AS 'SELECT NOT EXISTS (SELECT FROM @extschema@.sla_bindings AS b
                        WHERE b.source OPERATOR(pg_catalog.=) ANY (ARRAY[''requests'', ''events'']))';

-- Per request, what the views and check_sla() read of it, by its id and its client: the client
-- is what the model's tables are distributed by on Citus (doc/citus.md), where a lateral read
-- must name it to run inside the client's shard; elsewhere it is not needed and not read.
-- Re-created by sla_apply_clock_source() whenever a binding or the layout changes; inlined, so
-- like the other sources their bodies name relations and operators schema-qualified.

-- The stored state of a request's clock (src/sql/code/sla_state.sql): a row, or none.
CREATE FUNCTION cs_service_internal.sla_source_stored_clock(request_id pg_catalog.int8, client pg_catalog.text)
RETURNS SETOF cs_service_internal.sla_clocks
LANGUAGE sql STABLE PARALLEL SAFE
AS 'SELECT s.* FROM cs_service_internal.sla_clocks AS s WHERE s.request_id OPERATOR(pg_catalog.=) $1';

COMMENT ON FUNCTION cs_service_internal.sla_source_stored_clock(pg_catalog.int8, pg_catalog.text) IS
'The stored clock of a request (id, client) of the default model, kept by its triggers';

-- The clock of a request (its calendar and pause parties given), for sla_request_clocks: one
-- row, or none.  (The fold of a bound log groups by the request: Citus pushes a lateral
-- aggregate that reads a reference table's column, the calendar, into the shards only when it
-- has a GROUP BY.)
CREATE FUNCTION cs_service_internal.sla_source_clock(
    request_id pg_catalog.int8, client pg_catalog.text, calendar @extschema@.business_calendar,
    pause_parties pg_catalog.text[])
RETURNS TABLE (clock @extschema@.sla_clock)
LANGUAGE sql STABLE PARALLEL SAFE
AS 'SELECT s.clock FROM cs_service_internal.sla_source_stored_clock($1, $2) AS s';

COMMENT ON FUNCTION cs_service_internal.sla_source_clock(pg_catalog.int8, pg_catalog.text, @extschema@.business_calendar, pg_catalog.text[]) IS
'The clock of a request (id, client), not advanced: the stored one (default model), or the fold of a bound log';

-- The events of a request after its opening, from the source events.
CREATE FUNCTION cs_service_internal.sla_source_request_log(request_id pg_catalog.int8, client pg_catalog.text)
RETURNS TABLE (at pg_catalog.timestamptz, kind pg_catalog.text, seq pg_catalog.int8)
LANGUAGE sql STABLE PARALLEL SAFE
AS 'SELECT e.at, e.kind, e.seq FROM cs_service_internal.sla_source_events() AS e WHERE e.request_id OPERATOR(pg_catalog.=) $1 AND e.kind OPERATOR(pg_catalog.<>) ''opened''';

COMMENT ON FUNCTION cs_service_internal.sla_source_request_log(pg_catalog.int8, pg_catalog.text) IS
'The events of a request (id, client) after its opening: at, kind, seq';

-- The alerts recorded for a request.
CREATE FUNCTION cs_service_internal.sla_source_request_alerts(request_id pg_catalog.int8, client pg_catalog.text)
RETURNS SETOF @extschema@.sla_alerts
LANGUAGE sql STABLE PARALLEL SAFE
AS 'SELECT s.* FROM @extschema@.sla_alerts AS s WHERE s.request_id OPERATOR(pg_catalog.=) $1';

COMMENT ON FUNCTION cs_service_internal.sla_source_request_alerts(pg_catalog.int8, pg_catalog.text) IS
'The alerts recorded for a request (id, client), retracted ones included';

CREATE FUNCTION cs_service_internal.sla_apply_clock_source()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- on Citus the model's tables carry the client, and every per-request read names it
    by_client bool := cs_service_internal.citus_by_client();
    on_client text := CASE WHEN by_client THEN ' AND s.client OPERATOR(pg_catalog.=) $2' ELSE '' END;
    bound_events bool := EXISTS (SELECT FROM @extschema@.sla_bindings AS b WHERE b.source = 'events');
BEGIN
    EXECUTE format('CREATE OR REPLACE FUNCTION cs_service_internal.sla_source_stored_clock('
                   'request_id pg_catalog.int8, client pg_catalog.text) '
                   'RETURNS SETOF cs_service_internal.sla_clocks LANGUAGE sql STABLE PARALLEL SAFE AS %L',
                   'SELECT s.* FROM cs_service_internal.sla_clocks AS s WHERE s.request_id OPERATOR(pg_catalog.=) $1' || on_client);
    EXECUTE format('CREATE OR REPLACE FUNCTION cs_service_internal.sla_source_clock('
                   'request_id pg_catalog.int8, client pg_catalog.text, calendar @extschema@.business_calendar, '
                   'pause_parties pg_catalog.text[]) '
                   'RETURNS TABLE (clock @extschema@.sla_clock) LANGUAGE sql STABLE PARALLEL SAFE AS %L',
                   CASE WHEN cs_service_internal.sla_state_in_use()
                        THEN 'SELECT s.clock FROM cs_service_internal.sla_source_stored_clock($1, $2) AS s'
                        ELSE 'SELECT @extschema@.sla_clock_agg(e.at, e.kind, $3, $4 ORDER BY e.at, e.seq) '
                             'FROM cs_service_internal.sla_source_events() AS e WHERE e.request_id OPERATOR(pg_catalog.=) $1 '
                             'GROUP BY e.request_id'
                   END);
    EXECUTE format('CREATE OR REPLACE FUNCTION cs_service_internal.sla_source_request_log('
                   'request_id pg_catalog.int8, client pg_catalog.text) '
                   'RETURNS TABLE (at pg_catalog.timestamptz, kind pg_catalog.text, seq pg_catalog.int8) '
                   'LANGUAGE sql STABLE PARALLEL SAFE AS %L',
                   CASE WHEN by_client AND NOT bound_events
                        THEN 'SELECT s.at, s.kind, s.id FROM @extschema@.request_events AS s '
                             'WHERE s.request_id OPERATOR(pg_catalog.=) $1' || on_client
                        ELSE 'SELECT e.at, e.kind, e.seq FROM cs_service_internal.sla_source_events() AS e '
                             'WHERE e.request_id OPERATOR(pg_catalog.=) $1 AND e.kind OPERATOR(pg_catalog.<>) ''opened'''
                   END);
    EXECUTE format('CREATE OR REPLACE FUNCTION cs_service_internal.sla_source_request_alerts('
                   'request_id pg_catalog.int8, client pg_catalog.text) '
                   'RETURNS SETOF @extschema@.sla_alerts LANGUAGE sql STABLE PARALLEL SAFE AS %L',
                   'SELECT s.* FROM @extschema@.sla_alerts AS s WHERE s.request_id OPERATOR(pg_catalog.=) $1' || on_client);
END
$$;

-- Point source requests or events at a query (NULL: back at the model): the query becomes the
-- view cs_service_internal.sla_bound_<source>, and the source function reads it.
CREATE FUNCTION cs_service_internal.sla_apply_binding(source pg_catalog.text, query pg_catalog.text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cols text;
    wrapped text;
    fn text;
    rettype text;
BEGIN
    IF source = 'requests' THEN
        cols := 's.request_id, s.opened_at, s.channel, s.priority, s.client, s.team, s.manager, s.policy, s.is_open';
        wrapped := 's.request_id::pg_catalog.int8 AS request_id, s.opened_at::pg_catalog.timestamptz AS opened_at, '
                   's.channel::pg_catalog.text AS channel, s.priority::pg_catalog.text AS priority, '
                   's.client::pg_catalog.text AS client, s.team::pg_catalog.text AS team, '
                   's.manager::pg_catalog.text AS manager, s.policy::pg_catalog.text AS policy, '
                   's.is_open::pg_catalog.bool AS is_open';
        rettype := 'TABLE (request_id pg_catalog.int8, opened_at pg_catalog.timestamptz, channel pg_catalog.text, '
                   'priority pg_catalog.text, client pg_catalog.text, team pg_catalog.text, manager pg_catalog.text, '
                   'policy pg_catalog.text, is_open pg_catalog.bool)';
    ELSIF source = 'events' THEN
        cols := 's.request_id, s.at, s.kind, s.seq';
        wrapped := 's.request_id::pg_catalog.int8 AS request_id, s.at::pg_catalog.timestamptz AS at, '
                   's.kind::pg_catalog.text AS kind, s.seq::pg_catalog.int8 AS seq';
        rettype := 'TABLE (request_id pg_catalog.int8, at pg_catalog.timestamptz, kind pg_catalog.text, seq pg_catalog.int8)';
    ELSE
        RAISE EXCEPTION 'unknown SLA source "%"', source
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The sources are requests and events.';
    END IF;
    IF query IS NULL THEN
        fn := format('SELECT %s FROM cs_service_internal.%I AS s', cols, 'sla_model_' || source);
    ELSE
        EXECUTE format('CREATE OR REPLACE VIEW cs_service_internal.%I WITH (security_invoker = true) AS SELECT %s FROM (%s) AS s',
                       'sla_bound_' || source, wrapped, query);
        EXECUTE format('GRANT SELECT ON cs_service_internal.%I TO cs_service_bi, cs_service_writer', 'sla_bound_' || source);
        fn := format('SELECT %s FROM cs_service_internal.%I AS s', cols, 'sla_bound_' || source);
    END IF;
    EXECUTE format('CREATE OR REPLACE FUNCTION cs_service_internal.%I() RETURNS %s LANGUAGE sql STABLE PARALLEL SAFE AS %L',
                   'sla_source_' || source, rettype, fn);
    IF query IS NULL AND to_regclass('cs_service_internal.sla_bound_' || source) IS NOT NULL THEN
        EXECUTE format('DROP VIEW cs_service_internal.%I', 'sla_bound_' || source);
    END IF;
    PERFORM cs_service_internal.sla_apply_clock_source();
END
$$;


-- ---- Sources: what the scorecard reads ----------------------------------------------------------
-- As for the SLA engine (doc/sla.md, "Binding a CRM"), the scorecard reads each table of the
-- model through a plain SQL function, source_<table>(), returning the table's row type.  By
-- default it reads the table; cs_service.sla_bind('<table>', 'SELECT ... FROM crm....') points
-- it at a view over a CRM's own tables instead, without copying a row.  The functions are
-- inlined into the queries (no SET search_path; their bodies name one schema-qualified relation).

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['clients', 'orders', 'projects', 'deliverables', 'surveys',
                             'escalations', 'complaints', 'activities', 'qa_reviews'] LOOP
        EXECUTE format('CREATE FUNCTION cs_service_internal.%I() RETURNS SETOF @extschema@.%I '
                       'LANGUAGE sql STABLE PARALLEL SAFE AS %L',
                       'source_' || t, t, format('SELECT s.* FROM @extschema@.%I AS s', t));
        EXECUTE format('COMMENT ON FUNCTION cs_service_internal.%I() IS %L', 'source_' || t,
                       format('The %s the scorecard reads: cs_service.%s, or the query bound with sla_bind(%L, ...)', t, t, t));
    END LOOP;
END
$$;

-- Binding: sla_bind() accepts the agency tables too.  A bound query must return the contract

-- columns of the table by name (any type castable to the model's); the model's other columns
-- may be left out (they read as NULL, or their default for created_at-like columns).
-- A bound row that breaks the data contract: the read fails with the rule and the row.
CREATE FUNCTION cs_service_internal.binding_violation(source pg_catalog.text, rule pg_catalog.text,
                                              row_text pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'a row of the query bound to source "%" breaks the data contract (%)', source, rule
        USING ERRCODE = 'check_violation',
              DETAIL = format('Failing row: %s.',
                              CASE WHEN length(row_text) > 300 THEN left(row_text, 300) || '...' ELSE row_text END),
              HINT = format('Correct the row in the CRM, or filter or map it in the query bound with sla_bind(%L, ...).', source);
END
$$;

COMMENT ON FUNCTION cs_service_internal.binding_violation(pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
'Raises 23514 for a row of a bound source that breaks the data contract (used by the bound_<table> views)';

CREATE FUNCTION cs_service_internal.agency_apply_binding(source pg_catalog.text, query pg_catalog.text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    contract text[] := CASE source
        WHEN 'clients' THEN ARRAY['client_id', 'name', 'manager', 'team', 'signed_at', 'ended_at']
        WHEN 'orders' THEN ARRAY['order_id', 'client_id', 'ordered_at', 'amount']
        WHEN 'projects' THEN ARRAY['project_id', 'client_id', 'budget', 'spent', 'due_at', 'delivered_at', 'slip_announced_at']
        WHEN 'deliverables' THEN ARRAY['deliverable_id', 'project_id', 'delivered_at', 'passed_verification', 'rework_rounds']
        WHEN 'surveys' THEN ARRAY['survey_id', 'client_id', 'answered_at', 'kind', 'score', 'milestone']
        WHEN 'escalations' THEN ARRAY['escalation_id', 'client_id', 'opened_at', 'resolved_at']
        WHEN 'complaints' THEN ARRAY['complaint_id', 'client_id', 'raised_at', 'category']
        WHEN 'activities' THEN ARRAY['activity_id', 'manager', 'client_id', 'kind', 'at', 'report_sent_at']
        WHEN 'qa_reviews' THEN ARRAY['activity_id', 'reviewed_at', 'passed', 'note']
    END;
    have text[];
    cols text;
    missing text;
    checks text;
    row_text text;
BEGIN
    IF query IS NULL THEN
        EXECUTE format('CREATE OR REPLACE FUNCTION cs_service_internal.%I() RETURNS SETOF @extschema@.%I '
                       'LANGUAGE sql STABLE PARALLEL SAFE AS %L',
                       'source_' || source, source,
                       format('SELECT s.* FROM @extschema@.%I AS s', source));
        IF to_regclass('cs_service_internal.bound_' || source) IS NOT NULL THEN
            EXECUTE format('DROP VIEW cs_service_internal.%I', 'bound_' || source);
        END IF;
        RETURN;
    END IF;
    -- which columns does the query return?
    EXECUTE format('CREATE TEMP VIEW cs_service_binding_probe AS %s', query);
    SELECT array_agg(a.attname::text) INTO have
      FROM pg_attribute AS a
     WHERE a.attrelid = 'pg_temp.cs_service_binding_probe'::regclass AND a.attnum > 0;
    DROP VIEW pg_temp.cs_service_binding_probe;
    SELECT string_agg(c, ', ') INTO missing FROM unnest(contract) AS c WHERE c <> ALL (have);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'the query bound to source "%" lacks columns: %', source, missing
            USING ERRCODE = 'undefined_column',
                  DETAIL = format('It returns: %s.', array_to_string(have, ', ')),
                  HINT = format('Name them with AS, e.g. SELECT id AS %s, ...', contract[1]);
    END IF;
    SELECT string_agg(CASE WHEN a.attname::text = ANY (have)
                           THEN format('s.%I::%s AS %I', a.attname, format_type(a.atttypid, a.atttypmod), a.attname)
                           ELSE format('%s::%s AS %I',
                                       coalesce(pg_get_expr(d.adbin, d.adrelid), 'NULL'),
                                       format_type(a.atttypid, a.atttypmod), a.attname) END,
                      ', ' ORDER BY a.attnum) INTO cols
      FROM pg_attribute AS a
      LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.attgenerated = ''
     WHERE a.attrelid = format('@extschema@.%I', source)::regclass AND a.attnum > 0 AND NOT a.attisdropped;
    -- the rows must keep the data contract as the model table's rows do: its CHECK constraints,
    -- and NOT NULL on the contract columns; a row that breaks one makes the read fail (23514)
    -- rather than count wrongly, showing the row by its contract columns.  (Only the rows a
    -- query reads are checked.)
    SELECT format('ROW(%s)::pg_catalog.text', string_agg(format('v.%I', c), ', ')) INTO row_text
      FROM unnest(contract) AS c;
    SELECT string_agg(x.cond, ' AND ' ORDER BY x.ord) INTO checks
      FROM (SELECT 1 AS ord,
                   format('CASE WHEN (%s) IS FALSE THEN cs_service_internal.binding_violation(%L, %L, %s) ELSE true END',
                          pg_get_expr(c.conbin, c.conrelid), source, c.conname, row_text) AS cond
              FROM pg_constraint AS c
             WHERE c.conrelid = format('@extschema@.%I', source)::regclass AND c.contype = 'c'
            UNION ALL
            SELECT 0,
                   format('CASE WHEN v.%I IS NULL THEN cs_service_internal.binding_violation(%L, %L, %s) ELSE true END',
                          a.attname, source, a.attname || ' IS NOT NULL', row_text)
              FROM pg_attribute AS a
             WHERE a.attrelid = format('@extschema@.%I', source)::regclass AND a.attnum > 0
               AND NOT a.attisdropped AND a.attnotnull AND a.attname::text = ANY (contract)) AS x;
    EXECUTE format('CREATE OR REPLACE VIEW cs_service_internal.%I WITH (security_invoker = true) AS '
                   'SELECT v.* FROM (SELECT %s FROM (%s) AS s) AS v WHERE %s',
                   'bound_' || source, cols, query, coalesce(checks, 'true'));
    EXECUTE format('GRANT SELECT ON cs_service_internal.%I TO cs_service_bi, cs_service_writer', 'bound_' || source);
    EXECUTE format('CREATE OR REPLACE FUNCTION cs_service_internal.%I() RETURNS SETOF @extschema@.%I '
                   'LANGUAGE sql STABLE PARALLEL SAFE AS %L',
                   'source_' || source, source,
                   format('SELECT s.* FROM cs_service_internal.%I AS s', 'bound_' || source));
END
$$;

-- Point a source at a query (NULL: back at the model): sla_apply_binding for requests and events,
-- agency_apply_binding for the agency tables.
CREATE FUNCTION cs_service_internal.apply_binding(source pg_catalog.text, query pg_catalog.text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF source IN ('requests', 'events') THEN
        PERFORM cs_service_internal.sla_apply_binding(source, query);
    ELSE
        PERFORM cs_service_internal.agency_apply_binding(source, query);
    END IF;
END
$$;

-- A row written to sla_bindings points its source at the query; a row deleted points it back at
-- the model.  sla_bind() and sla_unbind() write the row, and pg_restore does.  On Citus,
-- sla_bindings is a reference table: a write to it is executed on the shard placements
-- (sla_bindings_102008, ...), where this trigger fires, never on the coordinator's table; there
-- it does nothing (a binding creates a view and replaces functions, DDL that belongs on the
-- coordinator), and sla_bind() and sla_unbind() apply the binding themselves.
CREATE FUNCTION cs_service_internal.sla_bindings_apply()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_NAME <> 'sla_bindings' THEN
        RETURN NULL;    -- a Citus shard placement
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND (TG_OP = 'DELETE' OR NEW.source <> OLD.source) THEN
        PERFORM cs_service_internal.apply_binding(OLD.source, NULL);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM cs_service_internal.apply_binding(NEW.source, NEW.query);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER sla_bindings_apply AFTER INSERT OR UPDATE OR DELETE ON @extschema@.sla_bindings
    FOR EACH ROW EXECUTE FUNCTION cs_service_internal.sla_bindings_apply();

CREATE FUNCTION @extschema@.sla_bind(source pg_catalog.text, query pg_catalog.text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF source IS NULL OR source NOT IN ('requests', 'events', 'clients', 'orders', 'projects',
                                        'deliverables', 'surveys', 'escalations', 'complaints',
                                        'activities', 'qa_reviews') THEN
        RAISE EXCEPTION 'unknown source "%"', source
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The sources are requests, events, clients, orders, projects, deliverables, surveys, escalations, complaints, activities and qa_reviews.',
                  HINT = 'SELECT cs_service.sla_bind(''events'', ''SELECT ticket_id AS request_id, at, kind, id AS seq FROM crm.ticket_events'').';
    END IF;
    IF query IS NULL THEN
        RAISE EXCEPTION 'the query bound to source "%" must not be NULL', source
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = format('To read the model table again: SELECT cs_service.sla_unbind(%L).', source);
    END IF;
    -- (updated_at from the new row's default: on Citus, where sla_bindings is a reference table,
    -- the DO UPDATE clause may call no function that is not immutable)
    INSERT INTO @extschema@.sla_bindings AS b (source, query) VALUES (sla_bind.source, sla_bind.query)
        ON CONFLICT ON CONSTRAINT sla_bindings_pkey
        DO UPDATE SET query = excluded.query, updated_at = excluded.updated_at;
    IF cs_service_internal.citus_table('@extschema@.sla_bindings') THEN
        PERFORM cs_service_internal.apply_binding(sla_bind.source, sla_bind.query);   -- (see sla_bindings_apply)
        PERFORM cs_service_internal.rollups_reset();
    END IF;
END
$$;

COMMENT ON FUNCTION @extschema@.sla_bind(pg_catalog.text, pg_catalog.text) IS
'Point a source (requests, events, or an agency table: clients, orders, projects, deliverables, surveys, escalations, complaints, activities, qa_reviews) at a query over your own tables; survives pg_dump and restore';

CREATE FUNCTION @extschema@.sla_unbind(source pg_catalog.text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM @extschema@.sla_bindings AS b WHERE b.source = sla_unbind.source;
    IF FOUND AND cs_service_internal.citus_table('@extschema@.sla_bindings') THEN
        PERFORM cs_service_internal.apply_binding(sla_unbind.source, NULL);   -- (see sla_bindings_apply)
        PERFORM cs_service_internal.rollups_reset();
    END IF;
END
$$;

COMMENT ON FUNCTION @extschema@.sla_unbind(pg_catalog.text) IS
'Point a source back at the default model';

-- Bindings made before this release (an update re-creates every function and view): point
-- each bound source at its query again.  A fresh install has none.  The bound view stays a user
-- object, not a member of the extension (created here inside the update script, it would
-- become one).
DO $$
DECLARE
    b record;
    bound text;
BEGIN
    FOR b IN SELECT s.source, s.query FROM @extschema@.sla_bindings AS s ORDER BY s.source LOOP
        PERFORM cs_service_internal.apply_binding(b.source, b.query);
        bound := CASE WHEN b.source IN ('requests', 'events') THEN 'sla_bound_' ELSE 'bound_' END || b.source;
        EXECUTE format('ALTER EXTENSION cs_service DROP VIEW cs_service_internal.%I', bound);
    END LOOP;
END
$$;
