-- ============================================================================================
-- Distributing cs_service's own model on a Citus cluster (doc/citus.md)
-- ============================================================================================
-- Run on the coordinator, as the extension's owner (a superuser), after CREATE EXTENSION citus
-- and cs_service and citus_add_node for every worker, once the rows are loaded:
--     SELECT * FROM cs_service_internal.citus_distribute(32);
-- It prints one line per table (reference / distributed by ...) and per foreign key (kept, or
-- dropped with Citus's reason).  Both functions are PL/pgSQL, so they install without Citus and
-- refuse to run where it is absent.  Status (issue 12): test/citus/model.sh compares every view
-- over the result with one node; bench/RESULTS-citus.md says which views run there yet.
--
-- What it does, and why:
--  * the foreign keys between the model's tables are dropped first and added back at the end
--    where Citus allows them: a local table with a foreign key to a new reference table makes
--    Citus convert it, which drops the extension's views (an error);
--  * the extension's triggers are disabled while the rows are copied into the shards (the copy
--    fires them on the shards, where they read and write other tables: planning errors and a
--    distributed deadlock on report_settings), and enabled again after;
--  * everything is distributed by client, co-located: a client's requests, their events,
--    clocks, due instants and alerts, and the client's agency facts live on one shard.  The
--    requests must all have a client (a distribution column holds no NULL: refused before
--    anything changes); request_events gets the column client, filled from its request (the
--    stored state carries it already); the per-request reads then name it
--    (sla_apply_clock_source(), sla_sources.sql);
--  * keys of distributed tables must contain the distribution column: the model's get the
--    client in front (requests (client, id), sla_clocks (client, request_id), ...), the agency
--    facts (client_id, <id>), and the events' foreign key becomes (client, request_id);
--  * CREATE EXTENSION on the coordinator created the same tables on every worker, and Citus
--    keeps them as the workers' shell tables: the key and foreign-key changes are applied there
--    too (citus_run_everywhere), or the foreign keys added back collide with the old ones.
-- Is the table distributed, or a reference table, on Citus?  (false where Citus is absent)
CREATE FUNCTION cs_service_internal.citus_table(rel pg_catalog.regclass)
RETURNS pg_catalog.bool
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    found bool;
BEGIN
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
        RETURN false;
    END IF;
    EXECUTE 'SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition AS p WHERE p.logicalrelid = $1)'
        INTO found USING rel;
    RETURN found;
END
$$;

-- Is the model distributed by client on Citus (cs_service_internal.citus_distribute())?
-- (citus_distribute() distributes sla_alerts, like every table that holds the client's requests,
-- by client: the per-request reads then name the client, sla_apply_clock_source())
CREATE FUNCTION cs_service_internal.citus_by_client()
RETURNS pg_catalog.bool
LANGUAGE sql STABLE PARALLEL SAFE
RETURN cs_service_internal.citus_table('@extschema@.sla_alerts'::pg_catalog.regclass);

-- On Citus a write to a distributed or reference table is executed on its shard placements
-- (requests_102008, ...) and the table's triggers fire there, never on the coordinator's table.
-- The table a trigger fires on (TG_TABLE_SCHEMA, TG_TABLE_NAME): the logical table when it is a
-- Citus shard placement, NULL when it is an ordinary table.  (By name, not from pg_class: Citus
-- may hide shards there.)
CREATE FUNCTION cs_service_internal.citus_shard_of(schema_name pg_catalog.name, table_name pg_catalog.name)
RETURNS pg_catalog.regclass
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    shard text := substring(table_name FROM '_([0-9]{1,18})$');
    logical regclass;
BEGIN
    IF shard IS NULL OR to_regclass('pg_catalog.pg_dist_shard') IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE 'SELECT s.logicalrelid FROM pg_catalog.pg_dist_shard AS s WHERE s.shardid = $1 AND s.logicalrelid = $2'
        INTO logical
        USING shard::int8, to_regclass(format('%I.%I', schema_name, left(table_name, -length(shard) - 1)));
    RETURN logical;
END
$$;

-- The model's triggers keep stored state (the SLA clocks and alerts, the rollup queue) that a
-- trigger on a shard cannot reach: Citus lets it run only on its own node's shards, and the
-- queue lives on the coordinator.  Rather than write where nobody reads (a silent stale
-- rollup), such a write is refused (doc/citus.md, "Writes after the distribution").
CREATE FUNCTION cs_service_internal.citus_refuse_shard_write(schema_name pg_catalog.name,
                                                            table_name pg_catalog.name,
                                                            kept pg_catalog.text)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    logical regclass := cs_service_internal.citus_shard_of(schema_name, table_name);
BEGIN
    IF logical IS NOT NULL THEN
        RAISE EXCEPTION 'writes to % are not supported on Citus yet', logical
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = format('The write reached the shard %I.%I, whose trigger keeps %s, which it cannot reach from there.',
                                  schema_name, table_name, kept),
                  HINT = 'On Citus, load the model before citus_distribute(), or keep the rows in your own distributed tables and bind them with cs_service.sla_bind() (doc/citus.md, "Writes after the distribution").';
    END IF;
END
$$;

CREATE FUNCTION cs_service_internal.citus_run_everywhere(command pg_catalog.text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        RAISE EXCEPTION 'citus is not installed in this database'
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Run CREATE EXTENSION citus first (doc/citus.md).';
    END IF;
    EXECUTE command;
    FOR r IN EXECUTE 'SELECT * FROM run_command_on_workers($1)' USING command LOOP
        IF NOT r.success THEN
            RAISE EXCEPTION 'could not change the model on worker %:%', r.nodename, r.nodeport
                USING ERRCODE = 'connection_failure', DETAIL = r.result;
        END IF;
    END LOOP;
END
$$;
CREATE FUNCTION cs_service_internal.citus_distribute(shard_count pg_catalog.int4 DEFAULT 32)
RETURNS SETOF pg_catalog.text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    fk record;
    t record;
    fks text[] := '{}';
    fk_defs text[] := '{}';
    fk_tables regclass[] := '{}';
    i int;
    trgs text[] := '{}';
    trg_tables regclass[] := '{}';
    libs text[];
    missing int8 := 0;
    first_id int8;
BEGIN
    IF shard_count IS NULL OR shard_count NOT BETWEEN 1 AND 64000 THEN
        RAISE EXCEPTION 'shard_count must be between 1 and 64000, not %', coalesce(shard_count::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Citus''s default is 32 shards per distributed table.';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        RAISE EXCEPTION 'citus is not installed in this database'
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Run CREATE EXTENSION citus first (doc/citus.md).';
    END IF;
    -- the views' source functions reach Citus inlined only through cs_service's planner hook
    -- (src/inline_fmgr.c), which runs before Citus's when cs_service is preloaded after citus
    libs := string_to_array(replace(current_setting('shared_preload_libraries'), ' ', ''), ',');
    IF NOT coalesce(array_position(libs, 'cs_service') > array_position(libs, 'citus'), false) THEN
        RAISE EXCEPTION 'cs_service must be in shared_preload_libraries, after citus'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('shared_preload_libraries is %L.', current_setting('shared_preload_libraries')),
                  HINT = 'Set shared_preload_libraries = ''citus,cs_service'' on every node and restart them (doc/citus.md).';
    END IF;
    -- a distribution column holds no NULL: refused before anything changes
    IF NOT cs_service_internal.citus_table('@extschema@.requests') THEN
        SELECT count(*), min(r.id) INTO missing, first_id FROM @extschema@.requests AS r WHERE r.client IS NULL;
    END IF;
    IF missing > 0 THEN
        RAISE EXCEPTION 'cannot distribute the model by client: % request(s) have no client', missing
            USING ERRCODE = 'not_null_violation',
                  DETAIL = format('Request %s is the first of them; on Citus a client''s requests, events, clocks and alerts live on the client''s shard.', first_id),
                  HINT = 'Give them a client (UPDATE cs_service.requests SET client = ... WHERE client IS NULL), then run citus_distribute() again (doc/citus.md).';
    END IF;
    IF NOT cs_service_internal.citus_table('@extschema@.sla_alerts') THEN
        SELECT count(*), min(a.id) INTO missing, first_id FROM @extschema@.sla_alerts AS a WHERE a.client IS NULL;
    END IF;
    IF missing > 0 THEN
        RAISE EXCEPTION 'cannot distribute the model by client: % alert(s) have no client', missing
            USING ERRCODE = 'not_null_violation',
                  DETAIL = format('Alert %s is the first of them (their requests were deleted, or had no client).', first_id),
                  HINT = 'Give them a client (UPDATE cs_service.sla_alerts SET client = ... WHERE client IS NULL) or delete them, then run citus_distribute() again.';
    END IF;
    PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
    PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
    PERFORM set_config('client_min_messages', 'warning', true);
    -- the foreign keys between the model's tables: dropped, then added back where Citus allows
    FOR fk IN SELECT c.conrelid::regclass AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def
                FROM pg_catalog.pg_constraint AS c
               WHERE c.contype = 'f'
                 AND c.connamespace IN ('cs_service'::regnamespace, 'cs_service_internal'::regnamespace)
    LOOP
        PERFORM cs_service_internal.citus_run_everywhere(format('ALTER TABLE %s DROP CONSTRAINT %I', fk.tbl, fk.conname));
        fk_tables := fk_tables || fk.tbl; fks := fks || fk.conname::text; fk_defs := fk_defs || fk.def;
    END LOOP;
    -- no trigger fires while the rows are copied into the shards (they fire there, on the
    -- nodes: the stored state they keep is copied as it is)
    FOR t IN SELECT tg.tgrelid::regclass AS tbl, tg.tgname
               FROM pg_catalog.pg_trigger AS tg JOIN pg_catalog.pg_class AS c ON c.oid = tg.tgrelid
              WHERE NOT tg.tgisinternal AND tg.tgenabled = 'O'
                AND c.relnamespace IN ('cs_service'::regnamespace, 'cs_service_internal'::regnamespace)
    LOOP
        EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', t.tbl, t.tgname);
        trg_tables := trg_tables || t.tbl; trgs := trgs || t.tgname::text;
    END LOOP;
    -- the client in every table of the requests (request_events gets the column), never NULL
    IF NOT cs_service_internal.citus_table('@extschema@.request_events') THEN
        PERFORM cs_service_internal.citus_run_everywhere(
            'ALTER TABLE @extschema@.request_events ADD COLUMN IF NOT EXISTS client pg_catalog.text');
        UPDATE @extschema@.request_events AS e SET client = r.client
          FROM @extschema@.requests AS r
         WHERE r.id = e.request_id AND e.client IS DISTINCT FROM r.client;
    END IF;
    FOR t IN SELECT unnest(ARRAY['@extschema@.requests', '@extschema@.request_events', 'cs_service_internal.sla_clocks',
                                 'cs_service_internal.sla_clock_due', '@extschema@.sla_alerts']) AS tbl
    LOOP
        CONTINUE WHEN cs_service_internal.citus_table(t.tbl::regclass);
        PERFORM cs_service_internal.citus_run_everywhere(format('ALTER TABLE %s ALTER COLUMN client SET NOT NULL', t.tbl));
    END LOOP;
    -- keys must include the distribution column
    FOR t IN SELECT * FROM (VALUES ('@extschema@.requests', 'requests_pkey', 'PRIMARY KEY (client, id)'),
                                   ('@extschema@.request_events', 'request_events_pkey', 'PRIMARY KEY (client, id)'),
                                   ('@extschema@.request_events', 'request_events_once', 'UNIQUE (client, request_id, at, kind)'),
                                   ('cs_service_internal.sla_clocks', 'sla_clocks_pkey', 'PRIMARY KEY (client, request_id)'),
                                   ('cs_service_internal.sla_clock_due', 'sla_clock_due_pkey', 'PRIMARY KEY (client, request_id, metric)'),
                                   ('@extschema@.sla_alerts', 'sla_alerts_pkey', 'PRIMARY KEY (client, id)'),
                                   ('@extschema@.orders', 'orders_pkey', 'PRIMARY KEY (client_id, order_id)'),
                                   ('@extschema@.projects', 'projects_pkey', 'PRIMARY KEY (client_id, project_id)'),
                                   ('@extschema@.surveys', 'surveys_pkey', 'PRIMARY KEY (client_id, survey_id)'),
                                   ('@extschema@.escalations', 'escalations_pkey', 'PRIMARY KEY (client_id, escalation_id)'),
                                   ('@extschema@.complaints', 'complaints_pkey', 'PRIMARY KEY (client_id, complaint_id)'),
                                   ('@extschema@.activities', 'activities_pkey', 'PRIMARY KEY (client_id, activity_id)'))
                        AS v (tbl, con, def)
    LOOP
        CONTINUE WHEN cs_service_internal.citus_table(t.tbl::regclass);
        PERFORM cs_service_internal.citus_run_everywhere(format('ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I %s',
                                                                t.tbl, t.con, t.con, t.def));
    END LOOP;
    FOR t IN SELECT unnest(ARRAY['cs_service.calendars', 'cs_service.sla_policies', 'cs_service.sla_targets',
                        'cs_service.sla_policy_rules', 'cs_service.report_settings', 'cs_service.quality_weights',
                        'cs_service.sla_bindings', 'cs_service_internal.scorecard_factors',
                        'cs_service_internal.rollup_state', 'cs_service.deliverables', 'cs_service.qa_reviews']) AS tbl
    LOOP
        CONTINUE WHEN EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = t.tbl::regclass);
        PERFORM create_reference_table(t.tbl);
        RETURN NEXT t.tbl || ': reference';
    END LOOP;
    FOR t IN SELECT * FROM (VALUES ('cs_service.clients', 'client_id', NULL),
                                   ('cs_service.requests', 'client', 'cs_service.clients'),
                                   ('cs_service.request_events', 'client', 'cs_service.clients'),
                                   ('cs_service_internal.sla_clocks', 'client', 'cs_service.clients'),
                                   ('cs_service_internal.sla_clock_due', 'client', 'cs_service.clients'),
                                   ('cs_service.sla_alerts', 'client', 'cs_service.clients'),
                                   ('cs_service.orders', 'client_id', 'cs_service.clients'),
                                   ('cs_service.projects', 'client_id', 'cs_service.clients'),
                                   ('cs_service.surveys', 'client_id', 'cs_service.clients'),
                                   ('cs_service.escalations', 'client_id', 'cs_service.clients'),
                                   ('cs_service.complaints', 'client_id', 'cs_service.clients'),
                                   ('cs_service.activities', 'client_id', 'cs_service.clients'),
                                   ('cs_service_internal.rollup_daily', 'client_id', 'cs_service.clients'),
                                   ('cs_service_internal.rollup_monthly', 'client_id', 'cs_service.clients')) AS v (tbl, dcol, colo)
    LOOP
        CONTINUE WHEN EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = t.tbl::regclass);
        IF t.colo IS NULL THEN
            PERFORM create_distributed_table(t.tbl, t.dcol, shard_count => shard_count, colocate_with => 'none');
        ELSE
            PERFORM create_distributed_table(t.tbl, t.dcol, colocate_with => t.colo);
        END IF;
        RETURN NEXT t.tbl || ': distributed by ' || t.dcol;
    END LOOP;
    FOR i IN 1 .. coalesce(array_length(trgs, 1), 0) LOOP
        EXECUTE format('ALTER TABLE %s ENABLE TRIGGER %I', trg_tables[i], trgs[i]);
    END LOOP;
    -- the per-request reads name the client (sla_sources.sql)
    PERFORM cs_service_internal.sla_apply_clock_source();
    FOR i IN 1 .. coalesce(array_length(fks, 1), 0) LOOP
        BEGIN
            -- a reference to a request is by (client, id), the requests' key now
            EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk_tables[i], fks[i],
                           regexp_replace(fk_defs[i], '^FOREIGN KEY \((\w+)\) REFERENCES cs_service\.requests\(id\)',
                                          'FOREIGN KEY (client, \1) REFERENCES cs_service.requests(client, id)'));
            RETURN NEXT fks[i] || ': kept';
        EXCEPTION WHEN feature_not_supported OR invalid_table_definition OR invalid_foreign_key THEN
            RETURN NEXT fks[i] || ': dropped (' || SQLERRM || ')';
        END;
    END LOOP;
END
$$;
