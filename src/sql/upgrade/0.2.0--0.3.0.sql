
-- ============================================================================================
-- cs_service 0.2.0 -> 0.3.0: what changes in the objects that hold data.  The Makefile appends
-- the code of 0.3.0 (src/sql/code/*.sql, every view and SQL / PL/pgSQL function and trigger,
-- created afresh) and its privileges (src/sql/roles.sql), so the result equals a fresh install
-- of 0.3.0 (test/integration/upgrade.sh compares the catalogs).
-- ============================================================================================

-- ---- Refuse to start on rows the new range checks would reject --------------------------------
-- requests.opened_at and request_events.at must now lie in [1900-01-01, 9000-01-01) UTC, as the
-- agency tables' instants already do.  Rows outside it are not changed or dropped silently: the
-- update stops, names them, and changes nothing; correct or delete them and update again.
DO $$
DECLARE
    bad record;
BEGIN
    SELECT r.id, r.opened_at INTO bad FROM @extschema@.requests AS r
     WHERE NOT (r.opened_at >= '1900-01-01 00:00:00+00' AND r.opened_at < '9000-01-01 00:00:00+00')
     ORDER BY r.id LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'cannot update cs_service to 0.3.0: request % was opened at %, outside [1900-01-01, 9000-01-01) UTC',
                        bad.id, bad.opened_at
            USING ERRCODE = 'check_violation',
                  DETAIL = format('%s request(s) are outside the range 0.3.0 enforces.',
                                  (SELECT pg_catalog.count(*) FROM @extschema@.requests AS r
                                    WHERE NOT (r.opened_at >= '1900-01-01 00:00:00+00'
                                               AND r.opened_at < '9000-01-01 00:00:00+00'))),
                  HINT = 'Correct them (UPDATE cs_service.requests SET opened_at = ... WHERE id = ...) or delete them, then run ALTER EXTENSION cs_service UPDATE again.';
    END IF;
    SELECT e.id, e.request_id, e.at INTO bad FROM @extschema@.request_events AS e
     WHERE NOT (e.at >= '1900-01-01 00:00:00+00' AND e.at < '9000-01-01 00:00:00+00')
     ORDER BY e.id LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'cannot update cs_service to 0.3.0: event % of request % is at %, outside [1900-01-01, 9000-01-01) UTC',
                        bad.id, bad.request_id, bad.at
            USING ERRCODE = 'check_violation',
                  DETAIL = format('%s event(s) are outside the range 0.3.0 enforces.',
                                  (SELECT pg_catalog.count(*) FROM @extschema@.request_events AS e
                                    WHERE NOT (e.at >= '1900-01-01 00:00:00+00'
                                               AND e.at < '9000-01-01 00:00:00+00'))),
                  HINT = 'Correct them (UPDATE cs_service.request_events SET at = ... WHERE id = ...) or delete them, then run ALTER EXTENSION cs_service UPDATE again.';
    END IF;
END
$$;

-- ---- The internal schema ---------------------------------------------------------------------------
CREATE SCHEMA cs_service_internal;
COMMENT ON SCHEMA cs_service_internal IS
'cs_service building blocks (internal: may change in any release); query the views of schema cs_service';
REVOKE ALL ON SCHEMA cs_service_internal FROM PUBLIC;

-- ---- Remove the code of 0.2.0 ------------------------------------------------------------------------
-- The views bound to a CRM's queries (user objects; re-created in the internal schema from
-- sla_bindings by the code below), the triggers on the extension's tables, every view and every
-- SQL or PL/pgSQL function of the extension except is_record_time (CHECK constraints use it).
-- A view or function of your own that depends on them makes the update stop here with
-- PostgreSQL's "cannot drop ... because other objects depend on it", naming it: drop it, update,
-- and create it again over the 0.3.0 views.
DO $$
DECLARE
    ext oid := (SELECT x.oid FROM pg_catalog.pg_extension AS x WHERE x.extname = 'cs_service');
    obj record;
    left_over int;
    progress bool;
    last_error text;
BEGIN
    FOR obj IN SELECT c.oid::regclass AS rel FROM pg_catalog.pg_class AS c
                WHERE c.relnamespace = '@extschema@'::regnamespace AND c.relkind = 'v'
                  AND (c.relname LIKE 'sla\_bound\_%' OR c.relname LIKE 'bound\_%')
                  AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend AS d
                                   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                     AND d.refobjid = ext AND d.deptype = 'e') LOOP
        EXECUTE format('DROP VIEW %s', obj.rel);
    END LOOP;
    FOR obj IN SELECT t.tgname, t.tgrelid::regclass AS rel
                 FROM pg_catalog.pg_trigger AS t
                 JOIN pg_catalog.pg_depend AS d
                   ON d.classid = 'pg_class'::regclass AND d.objid = t.tgrelid
                  AND d.refobjid = ext AND d.deptype = 'e'
                WHERE NOT t.tgisinternal LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', obj.tgname, obj.rel);
    END LOOP;
    -- views and functions in dependency order: drop what nothing else depends on, until none is left
    LOOP
        progress := false;
        left_over := 0;
        FOR obj IN SELECT 'VIEW ' || c.oid::regclass::text AS what
                     FROM pg_catalog.pg_class AS c
                     JOIN pg_catalog.pg_depend AS d
                       ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.refobjid = ext AND d.deptype = 'e'
                    WHERE c.relkind = 'v'
                   UNION ALL
                   SELECT 'FUNCTION ' || p.oid::regprocedure::text
                     FROM pg_catalog.pg_proc AS p
                     JOIN pg_catalog.pg_depend AS d
                       ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                      AND d.refobjid = ext AND d.deptype = 'e'
                    WHERE p.prokind IN ('f', 'p')
                      AND p.prolang IN ((SELECT l.oid FROM pg_catalog.pg_language AS l WHERE l.lanname IN ('sql', 'plpgsql')))
                      AND p.proname <> 'is_record_time' LOOP
            BEGIN
                EXECUTE 'ALTER EXTENSION cs_service DROP ' || obj.what;
                EXECUTE 'DROP ' || obj.what;
                progress := true;
            EXCEPTION WHEN dependent_objects_still_exist THEN
                left_over := left_over + 1;
                GET STACKED DIAGNOSTICS last_error = MESSAGE_TEXT;
            END;
        END LOOP;
        EXIT WHEN left_over = 0;
        IF NOT progress THEN
            RAISE EXCEPTION 'cannot update cs_service to 0.3.0: %', last_error
                USING ERRCODE = 'dependent_objects_still_exist',
                      HINT = 'A view or function of your own depends on a cs_service view or function: drop it, run ALTER EXTENSION cs_service UPDATE, then create it again.';
        END IF;
    END LOOP;
    -- what earlier releases granted the extension's roles on its tables; roles.sql grants 0.3.0's
    FOR obj IN SELECT c.oid::regclass AS rel, c.relkind
                 FROM pg_catalog.pg_class AS c
                 JOIN pg_catalog.pg_depend AS d
                   ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
                  AND d.refobjid = ext AND d.deptype = 'e'
                WHERE c.relkind IN ('r', 'S') AND c.relacl IS NOT NULL LOOP
        EXECUTE format('REVOKE ALL ON %s %s FROM PUBLIC, cs_service_bi, cs_service_writer',
                       CASE obj.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, obj.rel);
    END LOOP;
END
$$;

-- ---- Moves and new constraints ---------------------------------------------------------------------
ALTER FUNCTION @extschema@.is_record_time(pg_catalog.timestamptz) SET SCHEMA cs_service_internal;
COMMENT ON FUNCTION cs_service_internal.is_record_time(pg_catalog.timestamptz) IS
'Whether an instant is in the model''s range [1900-01-01, 9000-01-01) UTC (NULL for NULL, so a CHECK lets NULL pass)';

ALTER TABLE @extschema@.requests DROP CONSTRAINT requests_opened_at_finite;
ALTER TABLE @extschema@.requests ADD CONSTRAINT requests_opened_at_in_range
    CHECK (cs_service_internal.is_record_time(opened_at));
ALTER TABLE @extschema@.request_events ADD CONSTRAINT request_events_at_in_range
    CHECK (cs_service_internal.is_record_time(at));

-- Alerts can be retracted (src/sql/data/sla_alerts.sql): once per instance and kind among the
-- alerts not retracted.  They carry their request's client (an alert whose request was deleted
-- keeps none).
ALTER TABLE @extschema@.sla_alerts ADD COLUMN retracted_at pg_catalog.timestamptz;
ALTER TABLE @extschema@.sla_alerts ADD COLUMN client pg_catalog.text;
UPDATE @extschema@.sla_alerts AS a SET client = r.client
  FROM @extschema@.requests AS r
 WHERE r.id = a.request_id AND r.client IS NOT NULL;
ALTER TABLE @extschema@.sla_alerts DROP CONSTRAINT sla_alerts_once;
CREATE UNIQUE INDEX sla_alerts_once ON @extschema@.sla_alerts (request_id, metric, instance_started_at, kind, client)
    NULLS NOT DISTINCT WHERE retracted_at IS NULL;
COMMENT ON TABLE @extschema@.sla_alerts IS
'Warnings and breaches recorded by cs_service.check_sla(), each once per metric instance; retracted_at is set when a correction of the log shows it did not happen';

COMMENT ON TABLE @extschema@.sla_policies IS
'SLA policies: a calendar (named, literal, or none for 24/7), a warning threshold and the communication rhythm; targets in sla_targets';

-- Whom a wait is on (doc/sla.md, "Whom a wait is on"): the pause parties of a policy, the clock
-- with the pause parties, the accessors of the waits.  Existing policies stop on the client
-- (the only party 0.2.0 knew) and on third parties.
ALTER TABLE @extschema@.sla_policies ADD COLUMN pause_parties pg_catalog.text[] NOT NULL DEFAULT '{client,third_party}'
    CONSTRAINT sla_policies_pause_parties_known
    CHECK (pause_parties OPERATOR(pg_catalog.<@) '{client,third_party,internal}'::pg_catalog.text[]
           AND pg_catalog.array_position(pause_parties, NULL) IS NULL);
COMMENT ON COLUMN @extschema@.sla_policies.pause_parties IS
'The parties (client, third_party, internal) whose waits stop the clocks of this policy (default: client and third party)';
COMMENT ON TABLE @extschema@.request_events IS
'What happened to a request after its opening: customer_message, agent_reply, waiting_on_client, waiting_on_third_party, waiting_on_internal, resumed, resolved, reopened';

CREATE FUNCTION @extschema@.sla_clock_trans(
    @extschema@.sla_clock, pg_catalog.timestamptz, pg_catalog.text, @extschema@.business_calendar,
    pg_catalog.text[])
RETURNS @extschema@.sla_clock
AS 'MODULE_PATHNAME', 'sla_clock_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.sla_clock_agg(
    pg_catalog.timestamptz, pg_catalog.text, @extschema@.business_calendar, pg_catalog.text[]) (
    SFUNC = @extschema@.sla_clock_trans,
    STYPE = @extschema@.sla_clock,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sla_clock_agg(pg_catalog.timestamptz, pg_catalog.text, @extschema@.business_calendar, pg_catalog.text[]) IS
'The SLA clock of a request whose waits on the given parties stop it: sla_clock_agg(at, kind, cal, pause_parties ORDER BY at, id)';
CREATE FUNCTION @extschema@.waiting_on(@extschema@.sla_clock) RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'sla_clock_waiting_on' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.pause_parties(@extschema@.sla_clock) RETURNS pg_catalog.text[]
AS 'MODULE_PATHNAME', 'sla_clock_pause_parties' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.waited_time(clock @extschema@.sla_clock, party pg_catalog.text)
RETURNS pg_catalog.interval
AS 'MODULE_PATHNAME', 'sla_clock_waited_time' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.waited_time(@extschema@.sla_clock, pg_catalog.text) IS
'Business time the request waited on the party (client, third_party, internal), whether or not that party stops its clock';

-- The rollups move to the internal schema; the daily and monthly rollups become tables of the
-- counters' type (their rows are kept: the same columns, day or month renamed period).
ALTER TABLE @extschema@.rollup_queue SET SCHEMA cs_service_internal;
ALTER TABLE @extschema@.rollup_state SET SCHEMA cs_service_internal;
ALTER TABLE @extschema@.rollup_sla_daily SET SCHEMA cs_service_internal;
CREATE INDEX rollup_sla_daily_pending ON cs_service_internal.rollup_sla_daily (day) WHERE pending > 0;
CREATE INDEX rollup_sla_daily_week ON cs_service_internal.rollup_sla_daily
    ((pg_catalog.date_trunc('week', day::pg_catalog.timestamp)::pg_catalog.date));
CREATE INDEX rollup_sla_daily_month ON cs_service_internal.rollup_sla_daily
    ((pg_catalog.date_trunc('month', day::pg_catalog.timestamp)::pg_catalog.date));
CREATE INDEX rollup_sla_daily_client ON cs_service_internal.rollup_sla_daily (client, day);
ALTER EXTENSION cs_service DROP TABLE @extschema@.rollup_daily;
ALTER EXTENSION cs_service DROP TABLE @extschema@.rollup_monthly;
ALTER TABLE @extschema@.rollup_daily RENAME TO rollup_daily_0_2;
ALTER TABLE @extschema@.rollup_monthly RENAME TO rollup_monthly_0_2;
