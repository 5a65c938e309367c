-- cs_service install script.  Built from src/sql/*.sql in name order; do not edit the built
-- sql/cs_service--<version>.sql.
\echo Use "CREATE EXTENSION cs_service" to load this file. \quit

-- Nothing in the extension may be reached through a caller's search_path: every object is
-- schema-qualified and every SQL-language function pins search_path.
REVOKE ALL ON SCHEMA @extschema@ FROM PUBLIC;
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;
