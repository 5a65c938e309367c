
-- ============================================================================================
-- The monthly team and manager rollup (doc/scorecard.md, "Rollups"): team_scorecard's counters
-- per closed month, manager and team, merged from the client months by
-- cs_service.refresh_rollups(), so that a year of team_scorecard reads a row per group and month
-- instead of merging every client's month twice.  The groups are the clients' current
-- assignment, which may change at any time (and, for a CRM bound with sla_bind, without a
-- trigger): rollup_team_clients keeps the assignment the rows were merged under, and the views
-- use the rows only while it still equals the clients' (see cs_service_internal.rollup_team_bound).
-- Its own file: the 0.2.0 -> 0.3.0 upgrade creates it too.
-- ============================================================================================

-- One column per counter, in scorecard_row's order: a summary as it is, an int4 or int8 counter
-- as int8 (its sum over the clients).  A counter added to scorecard_row is added here too.
DO $do$
BEGIN
    EXECUTE pg_catalog.format(
        'CREATE TABLE cs_service_internal.rollup_team_monthly ('
        'level pg_catalog.text NOT NULL CHECK (level IN (''manager'', ''team'')), '
        'month pg_catalog.date NOT NULL, manager pg_catalog.text, team pg_catalog.text, '
        'clients pg_catalog.int8 NOT NULL, %s)',
        (SELECT pg_catalog.string_agg(
                    pg_catalog.format('%I %s', a.attname,
                        CASE WHEN a.atttypid IN ('pg_catalog.int4'::pg_catalog.regtype,
                                                 'pg_catalog.int8'::pg_catalog.regtype)
                             THEN 'pg_catalog.int8'
                             ELSE pg_catalog.format_type(a.atttypid, NULL) END),
                    ', ' ORDER BY a.attnum)
           FROM pg_catalog.pg_attribute AS a
          WHERE a.attrelid = 'cs_service_internal.scorecard_row'::pg_catalog.regclass
            AND a.attnum > 2 AND NOT a.attisdropped));
END
$do$;

CREATE INDEX rollup_team_monthly_month ON cs_service_internal.rollup_team_monthly (month);

COMMENT ON TABLE cs_service_internal.rollup_team_monthly IS
'team_scorecard''s counters per closed local month (before the watermark''s month), manager and team (level manager) and team (level team), kept by cs_service.refresh_rollups()';

-- The clients' assignment the team rows were merged under (and the months each client is listed
-- in, from signed_at and ended_at).
CREATE TABLE cs_service_internal.rollup_team_clients (
    client_id pg_catalog.text,
    manager   pg_catalog.text,
    team      pg_catalog.text,
    signed_at pg_catalog.timestamptz,
    ended_at  pg_catalog.timestamptz
);

COMMENT ON TABLE cs_service_internal.rollup_team_clients IS
'The clients (manager, team, signed_at, ended_at) as they were when refresh_rollups() merged rollup_team_monthly';
