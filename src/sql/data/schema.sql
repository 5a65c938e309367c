-- ============================================================================================
-- Schemas, roles and the range of the model's instants
-- ============================================================================================

-- Nothing in the extension may be reached through a caller's search_path: every object is
-- schema-qualified, and every PL/pgSQL function pins search_path (doc/contributing.md,
-- "Function bodies").

-- cs_service: the documented API (README.md, "Public surface").
REVOKE ALL ON SCHEMA @extschema@ FROM PUBLIC;
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

-- cs_service_internal: the building blocks the API is made of (intermediate views, rollup
-- tables, source and trigger functions).  Internal: any release may change them.  Readable by
-- the roles below only as far as the security_invoker views of cs_service need.
CREATE SCHEMA cs_service_internal;
COMMENT ON SCHEMA cs_service_internal IS
'cs_service building blocks (internal: may change in any release); query the views of schema cs_service';
REVOKE ALL ON SCHEMA cs_service_internal FROM PUBLIC;

-- cs_service_bi: reads the views (and, because they are security_invoker views, the rows they
-- read: row-level security on those applies).  Writes nothing, runs no check.
-- cs_service_writer: writes the model and the configuration, runs check_sla() and
-- refresh_rollups().  Roles are cluster-wide: created if missing, never dropped by DROP
-- EXTENSION.  Their privileges are granted in src/sql/roles.sql.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'cs_service_bi') THEN
        CREATE ROLE cs_service_bi NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'cs_service_writer') THEN
        CREATE ROLE cs_service_writer NOLOGIN;
    END IF;
END
$$;

-- Every instant of the model (requests, events, the agency tables) lies in [1900-01-01,
-- 9000-01-01) UTC: infinity and typos such as year 20261 are refused on write (the
-- business-time arithmetic the views run on them ends at 9999, and a single such row would make
-- every view fail).  A CHECK constraint uses it, so it is created with the tables.
CREATE FUNCTION cs_service_internal.is_record_time(t pg_catalog.timestamptz)
RETURNS pg_catalog.bool
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN t OPERATOR(pg_catalog.>=) '1900-01-01 00:00:00+00'::pg_catalog.timestamptz
   AND t OPERATOR(pg_catalog.<) '9000-01-01 00:00:00+00'::pg_catalog.timestamptz;

COMMENT ON FUNCTION cs_service_internal.is_record_time(pg_catalog.timestamptz) IS
'Whether an instant is in the model''s range [1900-01-01, 9000-01-01) UTC (NULL for NULL, so a CHECK lets NULL pass)';
