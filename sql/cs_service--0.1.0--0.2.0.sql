-- cs_service 0.1.0 -> 0.2.0, built from src/sql/5*.sql and later; do not edit.
\echo Use "ALTER EXTENSION cs_service UPDATE" to load this file. \quit

-- ============================================================================================
-- 0.2.0: the agency model (doc/scorecard.md).  Clients, orders, projects, deliverables,
-- surveys, escalations, complaints, manager activities and their QA reviews; the reporting
-- zone; the quality weights; the communication rhythm of the SLA policies.
-- This fragment and the later ones are also the 0.1.0 -> 0.2.0 upgrade script: they only add
-- objects or ALTER existing ones.
-- ============================================================================================

-- ---- Reporting settings ----------------------------------------------------------------------
-- One row.  zone: the time zone whose local calendar days and months every scorecard view
-- reports by (and the daily rollups are cut by).  An INSERT sets the row (so pg_restore and
-- scripts can write it without knowing it exists).

CREATE TABLE @extschema@.report_settings (
    singleton  pg_catalog.bool PRIMARY KEY DEFAULT true
               CONSTRAINT report_settings_one_row CHECK (singleton),
    zone       pg_catalog.text NOT NULL DEFAULT 'UTC',
    updated_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE @extschema@.report_settings IS
'One row: zone = the time zone whose calendar days and months the scorecard views and rollups use (default UTC)';

CREATE FUNCTION @extschema@.report_settings_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.zone IS NULL OR NEW.zone = '' THEN
        RAISE EXCEPTION 'the reporting zone must be a time zone name'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'UPDATE cs_service.report_settings SET zone = ''Europe/Moscow''.';
    END IF;
    BEGIN
        PERFORM pg_catalog.timezone(NEW.zone, pg_catalog.now());
    EXCEPTION WHEN invalid_parameter_value THEN
        RAISE EXCEPTION 'unknown reporting time zone "%"', NEW.zone
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use a name from pg_timezone_names, e.g. ''Europe/Moscow''.';
    END;
    NEW.singleton := true;
    NEW.updated_at := now();
    IF TG_OP = 'INSERT' AND EXISTS (SELECT FROM @extschema@.report_settings) THEN
        UPDATE @extschema@.report_settings SET zone = NEW.zone;
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER report_settings_check BEFORE INSERT OR UPDATE ON @extschema@.report_settings
    FOR EACH ROW EXECUTE FUNCTION @extschema@.report_settings_check();

CREATE FUNCTION @extschema@.report_settings_keep()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'cs_service.report_settings must keep its one row'
        USING ERRCODE = 'object_in_use',
              HINT = 'Change the zone instead: UPDATE cs_service.report_settings SET zone = ''UTC''.';
END
$$;

CREATE TRIGGER report_settings_keep BEFORE DELETE OR TRUNCATE ON @extschema@.report_settings
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.report_settings_keep();

INSERT INTO @extschema@.report_settings DEFAULT VALUES;

CREATE FUNCTION @extschema@.report_zone()
RETURNS pg_catalog.text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT coalesce((SELECT s.zone FROM @extschema@.report_settings AS s), 'UTC') $$;

COMMENT ON FUNCTION @extschema@.report_zone() IS
'The reporting time zone (cs_service.report_settings.zone)';

-- ---- The communication rhythm lives in the SLA policies --------------------------------------

ALTER TABLE @extschema@.sla_policies
    ADD COLUMN status_every_days pg_catalog.int4 NOT NULL DEFAULT 5
        CONSTRAINT sla_policies_status_every_days_range
        CHECK (status_every_days BETWEEN 1 AND 366),
    ADD COLUMN meeting_report_within pg_catalog.interval NOT NULL DEFAULT '4 hours'
        CONSTRAINT sla_policies_meeting_report_within_hours
        CHECK (meeting_report_within > interval '0'
               AND pg_catalog.date_part('day', meeting_report_within) = 0
               AND pg_catalog.date_part('month', meeting_report_within) = 0);

COMMENT ON COLUMN @extschema@.sla_policies.status_every_days IS
'Communication rhythm: a status update is due this many business days after the previous one (default 5: weekly)';
COMMENT ON COLUMN @extschema@.sla_policies.meeting_report_within IS
'Communication rhythm: a meeting''s report is due this much business time after the meeting (default 4 hours)';

-- ---- The range of the model's instants -----------------------------------------------------------
-- Every instant of the agency model lies in [1900-01-01, 9000-01-01) UTC: infinity and typos
-- such as year 20261 are refused on write (the business-time arithmetic the views run on them
-- ends at 9999, and a single such row would make every scorecard read fail).

CREATE FUNCTION @extschema@.is_record_time(t pg_catalog.timestamptz)
RETURNS pg_catalog.bool
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN t OPERATOR(pg_catalog.>=) '1900-01-01 00:00:00+00'::pg_catalog.timestamptz
   AND t OPERATOR(pg_catalog.<) '9000-01-01 00:00:00+00'::pg_catalog.timestamptz;

COMMENT ON FUNCTION @extschema@.is_record_time(pg_catalog.timestamptz) IS
'Whether an instant is in the agency model''s range [1900-01-01, 9000-01-01) UTC (NULL for NULL, so a CHECK lets NULL pass)';

-- ---- The agency model ------------------------------------------------------------------------
-- Keys are text for clients (the SLA model's requests.client holds them) and bigint identities
-- for everything else.  Every column beyond the documented contract has a default.

CREATE TABLE @extschema@.clients (
    client_id  pg_catalog.text PRIMARY KEY
               CONSTRAINT clients_client_id_not_empty CHECK (client_id <> ''),
    name       pg_catalog.text NOT NULL,
    manager    pg_catalog.text,
    team       pg_catalog.text,
    signed_at  pg_catalog.timestamptz NOT NULL,
    ended_at   pg_catalog.timestamptz,
    policy     pg_catalog.text REFERENCES @extschema@.sla_policies (name) ON UPDATE CASCADE,
    created_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT clients_signed_at_in_range CHECK (@extschema@.is_record_time(signed_at)),
    CONSTRAINT clients_ended_at_in_range CHECK (@extschema@.is_record_time(ended_at)),
    CONSTRAINT clients_ended_after_signed CHECK (ended_at >= signed_at)
);

COMMENT ON TABLE @extschema@.clients IS
'Clients: signed_at .. ended_at (NULL: still a client); manager and team are the current assignment; policy (NULL: the SLA policy rules choose) sets the calendar and rhythm';

CREATE INDEX clients_manager ON @extschema@.clients (manager);
CREATE INDEX clients_team ON @extschema@.clients (team);

CREATE TABLE @extschema@.orders (
    order_id   pg_catalog.int8 GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    client_id  pg_catalog.text NOT NULL
               REFERENCES @extschema@.clients (client_id) ON UPDATE CASCADE ON DELETE CASCADE,
    ordered_at pg_catalog.timestamptz NOT NULL,
    amount     pg_catalog.numeric NOT NULL,
    CONSTRAINT orders_amount_not_negative CHECK (amount >= 0 AND amount < 'Infinity' AND amount <> 'NaN'),
    CONSTRAINT orders_ordered_at_in_range CHECK (@extschema@.is_record_time(ordered_at))
);

CREATE INDEX orders_client ON @extschema@.orders (client_id, ordered_at);

COMMENT ON TABLE @extschema@.orders IS 'Orders (revenue): amount >= 0';

CREATE TABLE @extschema@.projects (
    project_id        pg_catalog.int8 GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    client_id         pg_catalog.text NOT NULL
                      REFERENCES @extschema@.clients (client_id) ON UPDATE CASCADE ON DELETE CASCADE,
    name              pg_catalog.text,
    budget            pg_catalog.numeric NOT NULL,
    spent             pg_catalog.numeric NOT NULL DEFAULT 0,
    due_at            pg_catalog.timestamptz NOT NULL,
    delivered_at      pg_catalog.timestamptz,
    slip_announced_at pg_catalog.timestamptz,
    CONSTRAINT projects_budget_not_negative CHECK (budget >= 0 AND budget < 'Infinity' AND budget <> 'NaN'),
    CONSTRAINT projects_spent_not_negative CHECK (spent >= 0 AND spent < 'Infinity' AND spent <> 'NaN'),
    CONSTRAINT projects_due_at_in_range CHECK (@extschema@.is_record_time(due_at)),
    CONSTRAINT projects_delivered_at_in_range CHECK (@extschema@.is_record_time(delivered_at)),
    CONSTRAINT projects_slip_announced_at_in_range CHECK (@extschema@.is_record_time(slip_announced_at))
);

CREATE INDEX projects_client ON @extschema@.projects (client_id);
CREATE INDEX projects_delivered_at ON @extschema@.projects (delivered_at);
CREATE INDEX projects_open ON @extschema@.projects (due_at) WHERE delivered_at IS NULL;

COMMENT ON TABLE @extschema@.projects IS
'Projects: budget and spent (>= 0), due_at, delivered_at (NULL: not yet), slip_announced_at (when the client was told of a new date; announced in time if before due_at)';

CREATE TABLE @extschema@.deliverables (
    deliverable_id      pg_catalog.int8 GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    project_id          pg_catalog.int8 NOT NULL
                        REFERENCES @extschema@.projects (project_id) ON DELETE CASCADE,
    name                pg_catalog.text,
    delivered_at        pg_catalog.timestamptz NOT NULL,
    passed_verification pg_catalog.bool NOT NULL,
    rework_rounds       pg_catalog.int4 NOT NULL DEFAULT 0,
    CONSTRAINT deliverables_rework_rounds_not_negative CHECK (rework_rounds >= 0),
    CONSTRAINT deliverables_delivered_at_in_range CHECK (@extschema@.is_record_time(delivered_at))
);

CREATE INDEX deliverables_project ON @extschema@.deliverables (project_id);
CREATE INDEX deliverables_delivered_at ON @extschema@.deliverables (delivered_at);

COMMENT ON TABLE @extschema@.deliverables IS
'Deliverables of a project: passed_verification, rework_rounds (0 = accepted as delivered)';

CREATE TABLE @extschema@.surveys (
    survey_id   pg_catalog.int8 GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    client_id   pg_catalog.text NOT NULL
                REFERENCES @extschema@.clients (client_id) ON UPDATE CASCADE ON DELETE CASCADE,
    answered_at pg_catalog.timestamptz NOT NULL,
    kind        pg_catalog.text NOT NULL,
    score       pg_catalog.int4 NOT NULL,
    milestone   pg_catalog.text,
    CONSTRAINT surveys_kind_known CHECK (kind IN ('nps', 'csat', 'ces')),
    CONSTRAINT surveys_score_on_scale CHECK (
        CASE kind WHEN 'nps' THEN score BETWEEN 0 AND 10
                  WHEN 'csat' THEN score BETWEEN 1 AND 5
                  WHEN 'ces' THEN score BETWEEN 1 AND 7 END),
    CONSTRAINT surveys_answered_at_in_range CHECK (@extschema@.is_record_time(answered_at))
);

CREATE INDEX surveys_answered_at ON @extschema@.surveys (answered_at);
CREATE INDEX surveys_client ON @extschema@.surveys (client_id, answered_at);

COMMENT ON TABLE @extschema@.surveys IS
'Survey answers: kind nps (0..10), csat (1..5) or ces (1..7, 1 = effortless), optionally at a project milestone';

CREATE TABLE @extschema@.escalations (
    escalation_id pg_catalog.int8 GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    client_id     pg_catalog.text NOT NULL
                  REFERENCES @extschema@.clients (client_id) ON UPDATE CASCADE ON DELETE CASCADE,
    opened_at     pg_catalog.timestamptz NOT NULL,
    resolved_at   pg_catalog.timestamptz,
    reason        pg_catalog.text,
    CONSTRAINT escalations_resolved_after_opened CHECK (resolved_at >= opened_at),
    CONSTRAINT escalations_opened_at_in_range CHECK (@extschema@.is_record_time(opened_at)),
    CONSTRAINT escalations_resolved_at_in_range CHECK (@extschema@.is_record_time(resolved_at))
);

CREATE INDEX escalations_opened_at ON @extschema@.escalations (opened_at);
CREATE INDEX escalations_client ON @extschema@.escalations (client_id);

COMMENT ON TABLE @extschema@.escalations IS 'Escalations: opened_at .. resolved_at (NULL: still open)';

CREATE TABLE @extschema@.complaints (
    complaint_id pg_catalog.int8 GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    client_id    pg_catalog.text NOT NULL
                 REFERENCES @extschema@.clients (client_id) ON UPDATE CASCADE ON DELETE CASCADE,
    raised_at    pg_catalog.timestamptz NOT NULL,
    category     pg_catalog.text NOT NULL,
    note         pg_catalog.text,
    CONSTRAINT complaints_category_not_empty CHECK (category <> ''),
    CONSTRAINT complaints_raised_at_in_range CHECK (@extschema@.is_record_time(raised_at))
);

CREATE INDEX complaints_raised_at ON @extschema@.complaints (raised_at);
CREATE INDEX complaints_client ON @extschema@.complaints (client_id);

COMMENT ON TABLE @extschema@.complaints IS 'Complaints by category (e.g. ''reports'', ''texts'')';

CREATE TABLE @extschema@.activities (
    activity_id    pg_catalog.int8 GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    manager        pg_catalog.text NOT NULL,
    client_id      pg_catalog.text NOT NULL
                   REFERENCES @extschema@.clients (client_id) ON UPDATE CASCADE ON DELETE CASCADE,
    kind           pg_catalog.text NOT NULL,
    at             pg_catalog.timestamptz NOT NULL,
    report_sent_at pg_catalog.timestamptz,
    CONSTRAINT activities_kind_known
        CHECK (kind IN ('meeting', 'call', 'email', 'status', 'review')),
    CONSTRAINT activities_report_only_for_meetings
        CHECK (report_sent_at IS NULL OR kind = 'meeting'),
    CONSTRAINT activities_report_after_activity CHECK (report_sent_at >= at),
    CONSTRAINT activities_at_in_range CHECK (@extschema@.is_record_time(at)),
    CONSTRAINT activities_report_sent_at_in_range CHECK (@extschema@.is_record_time(report_sent_at))
);

CREATE INDEX activities_at ON @extschema@.activities (at);
CREATE INDEX activities_client ON @extschema@.activities (client_id, kind, at);
CREATE INDEX activities_manager ON @extschema@.activities (manager, at);

COMMENT ON TABLE @extschema@.activities IS
'What managers did: meeting, call, email, status (update), review (monthly business review); report_sent_at is a meeting''s report';

CREATE TABLE @extschema@.qa_reviews (
    activity_id pg_catalog.int8 PRIMARY KEY
                REFERENCES @extschema@.activities (activity_id) ON DELETE CASCADE,
    reviewed_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    passed      pg_catalog.bool NOT NULL,
    reviewer    pg_catalog.text,
    note        pg_catalog.text,
    CONSTRAINT qa_reviews_reviewed_at_in_range CHECK (@extschema@.is_record_time(reviewed_at))
);

COMMENT ON TABLE @extschema@.qa_reviews IS
'QA reviews of sampled activities (cs_service.qa_sample): one per activity, passed or not';

CREATE INDEX requests_client ON @extschema@.requests (client, opened_at);

-- ---- Quality weights -------------------------------------------------------------------------
-- The factors of the service score, each a percentage 0..100 for a client and month (see
-- doc/scorecard.md), grouped into the three K's.  An INSERT of a factor that is already there
-- sets its weight (so pg_restore and scripts can write weights without knowing the defaults).

CREATE TABLE @extschema@.quality_weights (
    factor      pg_catalog.text PRIMARY KEY,
    weight      pg_catalog.float8 NOT NULL,
    part        pg_catalog.text GENERATED ALWAYS AS (
                    CASE WHEN factor IN ('sla', 'on_time', 'within_budget') THEN 'contract'
                         WHEN factor IN ('deliverable_quality', 'qa_pass') THEN 'competence'
                         ELSE 'communication' END) STORED,
    description pg_catalog.text,
    CONSTRAINT quality_weights_factor_known CHECK (factor IN (
        'sla', 'on_time', 'within_budget', 'deliverable_quality', 'qa_pass',
        'nps', 'csat', 'ces', 'rhythm', 'response_time')),
    CONSTRAINT quality_weights_weight_in_range
        CHECK (weight >= 0 AND weight <= 1000000 AND weight <> 'NaN'::pg_catalog.float8)
);

COMMENT ON TABLE @extschema@.quality_weights IS
'Weights of the service-score factors (>= 0, not all zero); part = the K the factor belongs to (contract, competence, communication)';

CREATE FUNCTION @extschema@.quality_weights_upsert()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT FROM @extschema@.quality_weights AS w WHERE w.factor = NEW.factor) THEN
        UPDATE @extschema@.quality_weights AS w
           SET weight = NEW.weight, description = coalesce(NEW.description, w.description)
         WHERE w.factor = NEW.factor;
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER quality_weights_upsert BEFORE INSERT ON @extschema@.quality_weights
    FOR EACH ROW EXECUTE FUNCTION @extschema@.quality_weights_upsert();

CREATE FUNCTION @extschema@.quality_weights_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF coalesce((SELECT sum(w.weight) FROM @extschema@.quality_weights AS w), 0) <= 0 THEN
        RAISE EXCEPTION 'the quality weights cannot all be zero'
            USING ERRCODE = 'check_violation',
                  DETAIL = 'With no positive weight there is no service score to compute.',
                  HINT = 'Give at least one factor a positive weight: UPDATE cs_service.quality_weights SET weight = 15 WHERE factor = ''sla''.';
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER quality_weights_check AFTER UPDATE OR DELETE ON @extschema@.quality_weights
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION @extschema@.quality_weights_check();

CREATE FUNCTION @extschema@.quality_weights_no_truncate()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'the quality weights cannot all be removed'
        USING ERRCODE = 'check_violation',
              HINT = 'Set the weights you do not want to 0: UPDATE cs_service.quality_weights SET weight = 0 WHERE factor = ''ces''.';
END
$$;

CREATE TRIGGER quality_weights_no_truncate BEFORE TRUNCATE ON @extschema@.quality_weights
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.quality_weights_no_truncate();

INSERT INTO @extschema@.quality_weights (factor, weight, description) VALUES
    ('sla',                 15, 'contract: requests handled within their SLA targets, %'),
    ('on_time',             15, 'contract: projects delivered on or before their due date, %'),
    ('within_budget',       10, 'contract: projects delivered within budget (spent <= budget), %'),
    ('deliverable_quality', 15, 'competence: deliverables that passed verification, %'),
    ('qa_pass',             10, 'competence: QA-reviewed manager activities that passed, %'),
    ('nps',                 10, 'communication: NPS mapped to 0..100 as (NPS + 100) / 2'),
    ('csat',                 5, 'communication: CSAT, % of answers 4 or 5'),
    ('ces',                  5, 'communication: CES mapped to 0..100 as (7 - mean effort) / 6 x 100'),
    ('rhythm',              10, 'communication: status updates and meeting reports on time, %'),
    ('response_time',        5, 'communication: first responses within their target, %');


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
        EXECUTE format('CREATE FUNCTION @extschema@.%I() RETURNS SETOF @extschema@.%I '
                       'LANGUAGE sql STABLE PARALLEL SAFE AS %L',
                       'source_' || t, t, format('SELECT s.* FROM @extschema@.%I AS s', t));
        EXECUTE format('COMMENT ON FUNCTION @extschema@.%I() IS %L', 'source_' || t,
                       format('The %s the scorecard reads: cs_service.%s, or the query bound with sla_bind(%L, ...)', t, t, t));
    END LOOP;
END
$$;

-- Binding: sla_bind() accepts the agency tables too.  A bound query must return the contract
-- columns of the table by name (any type castable to the model's); the model's other columns
-- may be left out (they read as NULL, or their default for created_at-like columns).
ALTER TABLE @extschema@.sla_bindings DROP CONSTRAINT sla_bindings_source_check;
ALTER TABLE @extschema@.sla_bindings ADD CONSTRAINT sla_bindings_source_check CHECK (source IN (
    'requests', 'events', 'clients', 'orders', 'projects', 'deliverables', 'surveys',
    'escalations', 'complaints', 'activities', 'qa_reviews'));

-- A bound row that breaks the data contract: the read fails with the rule and the row.
CREATE FUNCTION @extschema@.binding_violation(source pg_catalog.text, rule pg_catalog.text,
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

COMMENT ON FUNCTION @extschema@.binding_violation(pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
'Raises 23514 for a row of a bound source that breaks the data contract (used by the bound_<table> views)';

CREATE FUNCTION @extschema@.agency_apply_binding(source pg_catalog.text, query pg_catalog.text)
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
        EXECUTE format('CREATE OR REPLACE FUNCTION @extschema@.%I() RETURNS SETOF @extschema@.%I '
                       'LANGUAGE sql STABLE PARALLEL SAFE AS %L',
                       'source_' || source, source,
                       format('SELECT s.* FROM @extschema@.%I AS s', source));
        IF to_regclass('@extschema@.bound_' || source) IS NOT NULL THEN
            EXECUTE format('DROP VIEW @extschema@.%I', 'bound_' || source);
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
                   format('CASE WHEN (%s) IS FALSE THEN @extschema@.binding_violation(%L, %L, %s) ELSE true END',
                          pg_get_expr(c.conbin, c.conrelid), source, c.conname, row_text) AS cond
              FROM pg_constraint AS c
             WHERE c.conrelid = format('@extschema@.%I', source)::regclass AND c.contype = 'c'
            UNION ALL
            SELECT 0,
                   format('CASE WHEN v.%I IS NULL THEN @extschema@.binding_violation(%L, %L, %s) ELSE true END',
                          a.attname, source, a.attname || ' IS NOT NULL', row_text)
              FROM pg_attribute AS a
             WHERE a.attrelid = format('@extschema@.%I', source)::regclass AND a.attnum > 0
               AND NOT a.attisdropped AND a.attnotnull AND a.attname::text = ANY (contract)) AS x;
    EXECUTE format('CREATE OR REPLACE VIEW @extschema@.%I WITH (security_invoker = true) AS '
                   'SELECT v.* FROM (SELECT %s FROM (%s) AS s) AS v WHERE %s',
                   'bound_' || source, cols, query, coalesce(checks, 'true'));
    EXECUTE format('GRANT SELECT ON @extschema@.%I TO cs_service_bi, cs_service_writer', 'bound_' || source);
    EXECUTE format('CREATE OR REPLACE FUNCTION @extschema@.%I() RETURNS SETOF @extschema@.%I '
                   'LANGUAGE sql STABLE PARALLEL SAFE AS %L',
                   'source_' || source, source,
                   format('SELECT s.* FROM @extschema@.%I AS s', 'bound_' || source));
END
$$;

REVOKE ALL ON FUNCTION @extschema@.agency_apply_binding(pg_catalog.text, pg_catalog.text) FROM PUBLIC;

-- sla_apply_binding (0.1.0) handles requests and events; the agency sources go to the above.
CREATE OR REPLACE FUNCTION @extschema@.sla_bindings_apply()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND (TG_OP = 'DELETE' OR NEW.source <> OLD.source) THEN
        IF OLD.source IN ('requests', 'events') THEN
            PERFORM @extschema@.sla_apply_binding(OLD.source, NULL);
        ELSE
            PERFORM @extschema@.agency_apply_binding(OLD.source, NULL);
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF NEW.source IN ('requests', 'events') THEN
        PERFORM @extschema@.sla_apply_binding(NEW.source, NEW.query);
    ELSE
        PERFORM @extschema@.agency_apply_binding(NEW.source, NEW.query);
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.sla_bind(source pg_catalog.text, query pg_catalog.text)
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
    INSERT INTO @extschema@.sla_bindings AS b (source, query) VALUES (sla_bind.source, sla_bind.query)
        ON CONFLICT ON CONSTRAINT sla_bindings_pkey
        DO UPDATE SET query = excluded.query, updated_at = now();
END
$$;

COMMENT ON FUNCTION @extschema@.sla_bind(pg_catalog.text, pg_catalog.text) IS
'Point a source (requests, events, or an agency table: clients, orders, projects, deliverables, surveys, escalations, complaints, activities, qa_reviews) at a query over your own tables; survives pg_dump and restore';

-- Rollups cannot see a CRM's writes: mark the days whose rows changed (or rebuild with
-- refresh_rollups(true)).
CREATE FUNCTION @extschema@.rollups_invalidate(
    "from" pg_catalog.timestamptz, "to" pg_catalog.timestamptz,
    client_id pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    zone text := @extschema@.report_zone();
    n bigint;
BEGIN
    IF "from" IS NULL OR "to" IS NULL OR NOT ("from" < "to") OR NOT isfinite("from") OR NOT isfinite("to") THEN
        RAISE EXCEPTION 'rollups_invalidate needs a finite period with "from" before "to"'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('The period was [%s, %s).', "from", "to");
    END IF;
    INSERT INTO @extschema@.rollup_queue (day, client_id)
    SELECT d::date, c.client_id
      FROM generate_series(date_trunc('day', timezone(zone, "from")),
                           timezone(zone, "to" - interval '1 microsecond'), interval '1 day') AS d
     CROSS JOIN (SELECT s.client_id FROM @extschema@.source_clients() AS s
                  WHERE rollups_invalidate.client_id IS NULL OR s.client_id = rollups_invalidate.client_id
                 UNION ALL SELECT NULL) AS c;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

COMMENT ON FUNCTION @extschema@.rollups_invalidate(pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.text) IS
'Mark the local days of [from, to) (of one client, or all) for the next refresh_rollups(): for sources bound to a CRM, whose writes the rollup triggers cannot see';

REVOKE ALL ON FUNCTION @extschema@.rollups_invalidate(pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.text) FROM PUBLIC;

-- ---- pg_dump keeps the rows --------------------------------------------------------------------

SELECT pg_catalog.pg_extension_config_dump('@extschema@.report_settings', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.quality_weights', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.clients', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.orders', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.projects', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.deliverables', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.surveys', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.escalations', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.complaints', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.activities', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.qa_reviews', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.orders_order_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.projects_project_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.deliverables_deliverable_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.surveys_survey_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.escalations_escalation_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.complaints_complaint_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.activities_activity_id_seq', '');

-- ---- Privileges --------------------------------------------------------------------------------

REVOKE ALL ON @extschema@.report_settings, @extschema@.quality_weights, @extschema@.clients,
    @extschema@.orders, @extschema@.projects, @extschema@.deliverables, @extschema@.surveys,
    @extschema@.escalations, @extschema@.complaints, @extschema@.activities,
    @extschema@.qa_reviews FROM PUBLIC;
GRANT SELECT ON @extschema@.report_settings, @extschema@.quality_weights TO PUBLIC;
GRANT SELECT ON @extschema@.clients, @extschema@.orders, @extschema@.projects,
    @extschema@.deliverables, @extschema@.surveys, @extschema@.escalations,
    @extschema@.complaints, @extschema@.activities, @extschema@.qa_reviews TO cs_service_bi;
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.clients, @extschema@.orders,
    @extschema@.projects, @extschema@.deliverables, @extschema@.surveys, @extschema@.escalations,
    @extschema@.complaints, @extschema@.activities, @extschema@.qa_reviews,
    @extschema@.quality_weights TO cs_service_writer;
GRANT UPDATE ON @extschema@.report_settings TO cs_service_writer;
GRANT USAGE ON SEQUENCE @extschema@.orders_order_id_seq, @extschema@.projects_project_id_seq,
    @extschema@.deliverables_deliverable_id_seq, @extschema@.surveys_survey_id_seq,
    @extschema@.escalations_escalation_id_seq, @extschema@.complaints_complaint_id_seq,
    @extschema@.activities_activity_id_seq TO cs_service_writer;

-- ============================================================================================
-- 0.2.0: the scorecard's daily numbers and their rollups (doc/scorecard.md, "Rollups")
--
-- Every number of the scorecard is built from one row per local day (report zone) and client:
-- survey summaries, SLA outcome and duration summaries, and counts.  scorecard_daily_raw()
-- computes those rows from the raw tables for a time range; rollup_daily keeps them for finished
-- days and rollup_monthly their sums per month; refresh_rollups() keeps both up to date,
-- recomputing only the days whose source rows changed (rollup_queue, filled by triggers) and the
-- days that still hold undecided outcomes.  The views read the rollups for the days before the
-- watermark (the local day refresh_rollups last ran on) and the raw rows from it on.
-- ============================================================================================

-- ---- Each client's calendar and communication rhythm -----------------------------------------
-- The client's policy: clients.policy, else the SLA policy rules for the client (channel and
-- priority unspecified) as of now; no policy: the 24/7 calendar and the default rhythm.

CREATE VIEW @extschema@.client_settings WITH (security_invoker = true) AS
SELECT c.client_id, p.name AS policy,
       coalesce(cal.calendar, p.calendar,
                'UTC; mon-sun 00:00-24:00'::@extschema@.business_calendar) AS calendar,
       coalesce(p.status_every_days, 5) AS status_every_days,
       coalesce(p.meeting_report_within, interval '4 hours') AS meeting_report_within,
       c.signed_at
  FROM @extschema@.source_clients() AS c
  LEFT JOIN @extschema@.sla_policies AS p
    ON p.name = coalesce(c.policy,
                         @extschema@.sla_policy_for(c.client_id, NULL, NULL, pg_catalog.now()))
  LEFT JOIN @extschema@.calendars AS cal ON cal.name = p.calendar_name;

COMMENT ON VIEW @extschema@.client_settings IS
'Each client''s policy, calendar and communication rhythm (status update every N business days, meeting report within an interval of business time)';

-- ---- The daily row ----------------------------------------------------------------------------

CREATE TABLE @extschema@.rollup_daily (
    day                    pg_catalog.date NOT NULL,
    client_id              pg_catalog.text NOT NULL,
    nps                    @extschema@.score_summary,    -- survey answers (NULL: none)
    csat                   @extschema@.score_summary,
    ces                    @extschema@.score_summary,
    sla                    @extschema@.sla_summary,      -- decided outcomes, every metric
    sla_pending            pg_catalog.int4 NOT NULL DEFAULT 0,
    response               @extschema@.sla_summary,      -- decided first responses
    first_response         @extschema@.duration_summary, -- their SLA times
    projects_delivered     pg_catalog.int4 NOT NULL DEFAULT 0,
    projects_on_time       pg_catalog.int4 NOT NULL DEFAULT 0,
    projects_within_budget pg_catalog.int4 NOT NULL DEFAULT 0,
    deliverables           pg_catalog.int4 NOT NULL DEFAULT 0,
    deliverables_passed    pg_catalog.int4 NOT NULL DEFAULT 0,
    escalations            pg_catalog.int4 NOT NULL DEFAULT 0,
    complaints             pg_catalog.int4 NOT NULL DEFAULT 0,
    activities             pg_catalog.int4 NOT NULL DEFAULT 0,
    qa_reviewed            pg_catalog.int4 NOT NULL DEFAULT 0,
    qa_passed              pg_catalog.int4 NOT NULL DEFAULT 0,
    rhythm_due             pg_catalog.int4 NOT NULL DEFAULT 0,  -- decided rhythm obligations
    rhythm_on_time         pg_catalog.int4 NOT NULL DEFAULT 0,
    rhythm_pending         pg_catalog.int4 NOT NULL DEFAULT 0,
    PRIMARY KEY (day, client_id)
);

COMMENT ON TABLE @extschema@.rollup_daily IS
'Scorecard numbers per local day (report zone) and client for finished days, kept by cs_service.refresh_rollups()';

CREATE TABLE @extschema@.rollup_monthly (LIKE @extschema@.rollup_daily INCLUDING DEFAULTS);
ALTER TABLE @extschema@.rollup_monthly RENAME COLUMN day TO month;
ALTER TABLE @extschema@.rollup_monthly ADD PRIMARY KEY (month, client_id);

COMMENT ON TABLE @extschema@.rollup_monthly IS
'rollup_daily summed per local month and client (the days before the watermark), kept by cs_service.refresh_rollups()';

-- Days to recompute: (day, client) pairs whose source rows changed.  Append-only: a writer adds
-- rows, refresh_rollups() deletes the ones it saw (see the concurrency note there).
CREATE TABLE @extschema@.rollup_queue (
    id        pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    day       pg_catalog.date NOT NULL,
    client_id pg_catalog.text,                   -- NULL: a request without a client
    queued_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE INDEX rollup_queue_day ON @extschema@.rollup_queue (day);

CREATE TABLE @extschema@.rollup_state (
    singleton    pg_catalog.bool PRIMARY KEY DEFAULT true CHECK (singleton),
    watermark    pg_catalog.date,              -- NULL: no rollups, the views read raw rows only
    refreshed_at pg_catalog.timestamptz,
    days_done    pg_catalog.int8 NOT NULL DEFAULT 0  -- (day, client) rows recomputed last time
);

INSERT INTO @extschema@.rollup_state DEFAULT VALUES;

COMMENT ON TABLE @extschema@.rollup_state IS
'The rollups'' watermark: days before it come from rollup_daily / rollup_monthly, days from it on from the raw rows';

-- ---- The daily rows from raw data --------------------------------------------------------------
-- Rows for the events in [lo, hi): requests opened, surveys answered, projects and deliverables
-- delivered, escalations opened, complaints raised, activities done in the range, each counted
-- on its own local day.  Undecided items (an SLA outcome, a meeting report not yet due) are
-- counted as pending and decided by a later refresh.  The SLA columns merge sla_daily_raw()'s
-- rows; sla_from_rollup => true takes those rows from rollup_sla_daily instead, so that
-- refresh_rollups(), which has just stored them, does not run the SLA clocks twice.

CREATE FUNCTION @extschema@.scorecard_daily_raw(
    lo pg_catalog.timestamptz, hi pg_catalog.timestamptz, sla_from_rollup pg_catalog.bool DEFAULT false)
RETURNS SETOF @extschema@.rollup_daily
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan   -- planned once per session, not on every call
AS $$
BEGIN
    RETURN QUERY
    WITH z AS MATERIALIZED (SELECT @extschema@.report_zone() AS zone, pg_catalog.now() AS asof),
    sla AS (
        SELECT o.day, o.client AS client_id,
               @extschema@.rollup(o.outcomes) AS sla,
               pg_catalog.sum(o.pending)::pg_catalog.int4 AS sla_pending,
               @extschema@.rollup(o.outcomes) FILTER (WHERE o.metric = 'first_response') AS response,
               @extschema@.rollup(o.durations) FILTER (WHERE o.metric = 'first_response') AS first_response
          FROM (SELECT r.* FROM @extschema@.sla_daily_raw(lo, hi) AS r WHERE NOT sla_from_rollup
                UNION ALL
                SELECT r.* FROM @extschema@.rollup_sla_daily AS r, z
                 WHERE sla_from_rollup
                   AND r.day >= pg_catalog.timezone(z.zone, lo)::pg_catalog.date
                   AND r.day < pg_catalog.timezone(z.zone, hi)::pg_catalog.date) AS o
         WHERE o.client IS NOT NULL
         GROUP BY 1, 2),
    srv AS (
        SELECT pg_catalog.timezone(z.zone, s.answered_at)::pg_catalog.date AS day, s.client_id,
               @extschema@.score_agg(s.score) FILTER (WHERE s.kind = 'nps') AS nps,
               @extschema@.score_agg(s.score) FILTER (WHERE s.kind = 'csat') AS csat,
               @extschema@.score_agg(s.score) FILTER (WHERE s.kind = 'ces') AS ces
          FROM @extschema@.source_surveys() AS s, z
         WHERE s.answered_at >= lo AND s.answered_at < hi
         GROUP BY 1, 2),
    prj AS (
        SELECT pg_catalog.timezone(z.zone, p.delivered_at)::pg_catalog.date AS day, p.client_id,
               pg_catalog.count(*)::pg_catalog.int4 AS projects_delivered,
               pg_catalog.count(*) FILTER (WHERE p.delivered_at <= p.due_at)::pg_catalog.int4 AS projects_on_time,
               pg_catalog.count(*) FILTER (WHERE p.spent <= p.budget)::pg_catalog.int4 AS projects_within_budget
          FROM @extschema@.source_projects() AS p, z
         WHERE p.delivered_at >= lo AND p.delivered_at < hi
         GROUP BY 1, 2),
    dlv AS (
        SELECT pg_catalog.timezone(z.zone, d.delivered_at)::pg_catalog.date AS day, p.client_id,
               pg_catalog.count(*)::pg_catalog.int4 AS deliverables,
               pg_catalog.count(*) FILTER (WHERE d.passed_verification)::pg_catalog.int4 AS deliverables_passed
          FROM @extschema@.source_deliverables() AS d
          JOIN @extschema@.source_projects() AS p ON p.project_id = d.project_id, z
         WHERE d.delivered_at >= lo AND d.delivered_at < hi
         GROUP BY 1, 2),
    esc AS (
        SELECT pg_catalog.timezone(z.zone, e.opened_at)::pg_catalog.date AS day, e.client_id,
               pg_catalog.count(*)::pg_catalog.int4 AS escalations
          FROM @extschema@.source_escalations() AS e, z
         WHERE e.opened_at >= lo AND e.opened_at < hi
         GROUP BY 1, 2),
    cmp AS (
        SELECT pg_catalog.timezone(z.zone, c.raised_at)::pg_catalog.date AS day, c.client_id,
               pg_catalog.count(*)::pg_catalog.int4 AS complaints
          FROM @extschema@.source_complaints() AS c, z
         WHERE c.raised_at >= lo AND c.raised_at < hi
         GROUP BY 1, 2),
    act AS (
        SELECT a.activity_id, a.client_id, a.kind, a.at, a.report_sent_at, q.passed,
               pg_catalog.timezone(z.zone, a.at)::pg_catalog.date AS day, z.asof
          FROM @extschema@.source_activities() AS a
          LEFT JOIN @extschema@.source_qa_reviews() AS q ON q.activity_id = a.activity_id, z
         WHERE a.at >= lo AND a.at < hi),
    rhythm AS (
        -- a meeting's report is due meeting_report_within business time after it; a status update
        -- is on time when it comes within status_every_days business days of the previous one (the
        -- first one: of the signing), as communication_rhythm_at() reckons it
        SELECT a.activity_id,
               CASE a.kind
                   WHEN 'meeting' THEN
                       CASE WHEN a.report_sent_at <= due.at THEN 'on_time'
                            WHEN a.report_sent_at IS NOT NULL OR due.at <= a.asof THEN 'late'
                            ELSE 'pending' END
                   ELSE
                       CASE WHEN a.at <= @extschema@.business_days_add(coalesce(prev.at, cs.signed_at),
                                                                      cs.status_every_days, cs.calendar)
                            THEN 'on_time' ELSE 'late' END
               END AS verdict
          FROM act AS a
          JOIN @extschema@.client_settings AS cs ON cs.client_id = a.client_id
          -- (OFFSET 0: computed once per meeting, not once per use)
          CROSS JOIN LATERAL (
                SELECT CASE WHEN a.kind = 'meeting'
                            THEN @extschema@.business_add(a.at, cs.meeting_report_within, cs.calendar)
                       END AS at
                OFFSET 0) AS due
          LEFT JOIN LATERAL (
                SELECT pg_catalog.max(p.at) AS at
                  FROM @extschema@.source_activities() AS p
                 WHERE p.client_id = a.client_id AND p.kind = 'status' AND p.at < a.at
                   AND a.kind = 'status') AS prev ON true
         WHERE a.kind IN ('meeting', 'status')),
    acts AS (
        SELECT a.day, a.client_id,
               pg_catalog.count(*)::pg_catalog.int4 AS activities,
               pg_catalog.count(a.passed)::pg_catalog.int4 AS qa_reviewed,
               pg_catalog.count(*) FILTER (WHERE a.passed)::pg_catalog.int4 AS qa_passed,
               pg_catalog.count(r.verdict) FILTER (WHERE r.verdict <> 'pending')::pg_catalog.int4 AS rhythm_due,
               pg_catalog.count(*) FILTER (WHERE r.verdict = 'on_time')::pg_catalog.int4 AS rhythm_on_time,
               pg_catalog.count(*) FILTER (WHERE r.verdict = 'pending')::pg_catalog.int4 AS rhythm_pending
          FROM act AS a
          LEFT JOIN rhythm AS r ON r.activity_id = a.activity_id
         GROUP BY 1, 2),
    keys AS (
        SELECT k.day, k.client_id FROM sla AS k
        UNION SELECT k.day, k.client_id FROM srv AS k
        UNION SELECT k.day, k.client_id FROM prj AS k
        UNION SELECT k.day, k.client_id FROM dlv AS k
        UNION SELECT k.day, k.client_id FROM esc AS k
        UNION SELECT k.day, k.client_id FROM cmp AS k
        UNION SELECT k.day, k.client_id FROM acts AS k)
    SELECT k.day, k.client_id, srv.nps, srv.csat, srv.ces,
           sla.sla, coalesce(sla.sla_pending, 0), sla.response, sla.first_response,
           coalesce(prj.projects_delivered, 0), coalesce(prj.projects_on_time, 0),
           coalesce(prj.projects_within_budget, 0),
           coalesce(dlv.deliverables, 0), coalesce(dlv.deliverables_passed, 0),
           coalesce(esc.escalations, 0), coalesce(cmp.complaints, 0),
           coalesce(acts.activities, 0), coalesce(acts.qa_reviewed, 0), coalesce(acts.qa_passed, 0),
           coalesce(acts.rhythm_due, 0), coalesce(acts.rhythm_on_time, 0),
           coalesce(acts.rhythm_pending, 0)
      FROM keys AS k
      LEFT JOIN sla ON sla.day = k.day AND sla.client_id = k.client_id
      LEFT JOIN srv ON srv.day = k.day AND srv.client_id = k.client_id
      LEFT JOIN prj ON prj.day = k.day AND prj.client_id = k.client_id
      LEFT JOIN dlv ON dlv.day = k.day AND dlv.client_id = k.client_id
      LEFT JOIN esc ON esc.day = k.day AND esc.client_id = k.client_id
      LEFT JOIN cmp ON cmp.day = k.day AND cmp.client_id = k.client_id
      LEFT JOIN acts ON acts.day = k.day AND acts.client_id = k.client_id;
END
$$;

COMMENT ON FUNCTION @extschema@.scorecard_daily_raw(pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.bool) IS
'The scorecard''s daily rows (local day of the report zone x client) computed from the raw tables for the events in [lo, hi)';

-- The daily rows the views use: rollups before the watermark, raw rows from it on.
CREATE VIEW @extschema@.scorecard_daily WITH (security_invoker = true) AS
SELECT d.*
  FROM @extschema@.rollup_daily AS d
 WHERE d.day < (SELECT s.watermark FROM @extschema@.rollup_state AS s)
UNION ALL
SELECT r.*
  FROM @extschema@.scorecard_daily_raw(
           coalesce((SELECT pg_catalog.timezone(@extschema@.report_zone(), s.watermark::pg_catalog.timestamp)
                       FROM @extschema@.rollup_state AS s), '-infinity'),
           'infinity') AS r;

COMMENT ON VIEW @extschema@.scorecard_daily IS
'The scorecard''s daily rows: from rollup_daily before the watermark, from the raw tables from it on';

-- The same per month: rollup_monthly before the watermark, plus the raw days from it on.  Only
-- the (month, client) rows with raw days are merged again; the others are read as stored.
CREATE VIEW @extschema@.scorecard_monthly WITH (security_invoker = true) AS
WITH raw AS MATERIALIZED (
    SELECT pg_catalog.date_trunc('month', r.day)::pg_catalog.date AS month, r.client_id, r.nps,
           r.csat, r.ces, r.sla, r.sla_pending, r.response, r.first_response, r.projects_delivered,
           r.projects_on_time, r.projects_within_budget, r.deliverables, r.deliverables_passed,
           r.escalations, r.complaints, r.activities, r.qa_reviewed, r.qa_passed, r.rhythm_due,
           r.rhythm_on_time, r.rhythm_pending
      FROM @extschema@.scorecard_daily_raw(
               coalesce((SELECT pg_catalog.timezone(@extschema@.report_zone(), s.watermark::pg_catalog.timestamp)
                           FROM @extschema@.rollup_state AS s), '-infinity'),
               'infinity') AS r),
rolled AS NOT MATERIALIZED (
    SELECT m.* FROM @extschema@.rollup_monthly AS m
     WHERE m.month < (SELECT s.watermark FROM @extschema@.rollup_state AS s))
SELECT m.*
  FROM rolled AS m
 WHERE NOT EXISTS (SELECT FROM raw AS r WHERE r.month = m.month AND r.client_id = m.client_id)
UNION ALL
SELECT x.month, x.client_id,
       @extschema@.rollup(x.nps), @extschema@.rollup(x.csat), @extschema@.rollup(x.ces),
       @extschema@.rollup(x.sla), pg_catalog.sum(x.sla_pending)::pg_catalog.int4,
       @extschema@.rollup(x.response), @extschema@.rollup(x.first_response),
       pg_catalog.sum(x.projects_delivered)::pg_catalog.int4,
       pg_catalog.sum(x.projects_on_time)::pg_catalog.int4,
       pg_catalog.sum(x.projects_within_budget)::pg_catalog.int4,
       pg_catalog.sum(x.deliverables)::pg_catalog.int4,
       pg_catalog.sum(x.deliverables_passed)::pg_catalog.int4,
       pg_catalog.sum(x.escalations)::pg_catalog.int4, pg_catalog.sum(x.complaints)::pg_catalog.int4,
       pg_catalog.sum(x.activities)::pg_catalog.int4, pg_catalog.sum(x.qa_reviewed)::pg_catalog.int4,
       pg_catalog.sum(x.qa_passed)::pg_catalog.int4, pg_catalog.sum(x.rhythm_due)::pg_catalog.int4,
       pg_catalog.sum(x.rhythm_on_time)::pg_catalog.int4,
       pg_catalog.sum(x.rhythm_pending)::pg_catalog.int4
  FROM (SELECT m.* FROM rolled AS m
         WHERE EXISTS (SELECT FROM raw AS r WHERE r.month = m.month AND r.client_id = m.client_id)
        UNION ALL
        SELECT r.* FROM raw AS r) AS x
 GROUP BY x.month, x.client_id;

COMMENT ON VIEW @extschema@.scorecard_monthly IS
'The scorecard''s monthly rows per client: rollup_monthly before the watermark plus the raw days from it on';

-- The same from the raw tables only (no rollups): what the rollups must equal.
CREATE VIEW @extschema@.scorecard_monthly_raw WITH (security_invoker = true) AS
SELECT pg_catalog.date_trunc('month', r.day)::pg_catalog.date AS month, r.client_id,
       @extschema@.rollup(r.nps) AS nps, @extschema@.rollup(r.csat) AS csat,
       @extschema@.rollup(r.ces) AS ces, @extschema@.rollup(r.sla) AS sla,
       pg_catalog.sum(r.sla_pending)::pg_catalog.int4 AS sla_pending,
       @extschema@.rollup(r.response) AS response,
       @extschema@.rollup(r.first_response) AS first_response,
       pg_catalog.sum(r.projects_delivered)::pg_catalog.int4 AS projects_delivered,
       pg_catalog.sum(r.projects_on_time)::pg_catalog.int4 AS projects_on_time,
       pg_catalog.sum(r.projects_within_budget)::pg_catalog.int4 AS projects_within_budget,
       pg_catalog.sum(r.deliverables)::pg_catalog.int4 AS deliverables,
       pg_catalog.sum(r.deliverables_passed)::pg_catalog.int4 AS deliverables_passed,
       pg_catalog.sum(r.escalations)::pg_catalog.int4 AS escalations,
       pg_catalog.sum(r.complaints)::pg_catalog.int4 AS complaints,
       pg_catalog.sum(r.activities)::pg_catalog.int4 AS activities,
       pg_catalog.sum(r.qa_reviewed)::pg_catalog.int4 AS qa_reviewed,
       pg_catalog.sum(r.qa_passed)::pg_catalog.int4 AS qa_passed,
       pg_catalog.sum(r.rhythm_due)::pg_catalog.int4 AS rhythm_due,
       pg_catalog.sum(r.rhythm_on_time)::pg_catalog.int4 AS rhythm_on_time,
       pg_catalog.sum(r.rhythm_pending)::pg_catalog.int4 AS rhythm_pending
  FROM @extschema@.scorecard_daily_raw('-infinity', 'infinity') AS r
 GROUP BY 1, 2;

COMMENT ON VIEW @extschema@.scorecard_monthly_raw IS
'scorecard_monthly recomputed from the raw tables alone (slow; for checks)';

-- ---- SLA outcomes per day and every dimension of sla_compliance -----------------------------------

CREATE TABLE @extschema@.rollup_sla_daily (
    day      pg_catalog.date NOT NULL,
    channel  pg_catalog.text,
    priority pg_catalog.text,
    team     pg_catalog.text,
    manager  pg_catalog.text,
    client   pg_catalog.text,
    policy   pg_catalog.text,
    metric   pg_catalog.text NOT NULL,
    outcomes @extschema@.sla_summary NOT NULL,       -- decided outcomes
    durations @extschema@.duration_summary NOT NULL, -- their SLA times
    pending  pg_catalog.int8 NOT NULL DEFAULT 0      -- undecided
);

CREATE INDEX rollup_sla_daily_day ON @extschema@.rollup_sla_daily (day);

COMMENT ON TABLE @extschema@.rollup_sla_daily IS
'SLA outcomes per local day (report zone) of opening, channel, priority, team, manager, client, policy and metric for finished days, kept by cs_service.refresh_rollups(); sla_compliance reads it';

CREATE FUNCTION @extschema@.sla_daily_raw(lo pg_catalog.timestamptz, hi pg_catalog.timestamptz)
RETURNS SETOF @extschema@.rollup_sla_daily
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan   -- planned once per session, not on every call
AS $$
BEGIN
    RETURN QUERY
    SELECT pg_catalog.timezone(z.zone, o.opened_at)::pg_catalog.date,
           o.channel, o.priority, o.team, o.manager, o.client, o.policy, o.metric,
           @extschema@.sla_agg(o.met),
           @extschema@.duration_agg(o.worst) FILTER (WHERE o.met IS NOT NULL),
           pg_catalog.count(*) FILTER (WHERE o.met IS NULL)
      FROM @extschema@.sla_outcomes AS o,
           (SELECT @extschema@.report_zone() AS zone OFFSET 0) AS z
     WHERE o.opened_at >= lo AND o.opened_at < hi
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
END
$$;

COMMENT ON FUNCTION @extschema@.sla_daily_raw(pg_catalog.timestamptz, pg_catalog.timestamptz) IS
'rollup_sla_daily''s rows computed from the requests opened in [lo, hi)';

CREATE VIEW @extschema@.sla_daily WITH (security_invoker = true) AS
SELECT d.*
  FROM @extschema@.rollup_sla_daily AS d
 WHERE d.day < (SELECT s.watermark FROM @extschema@.rollup_state AS s)
UNION ALL
SELECT r.*
  FROM @extschema@.sla_daily_raw(
           coalesce((SELECT pg_catalog.timezone(@extschema@.report_zone(), s.watermark::pg_catalog.timestamp)
                       FROM @extschema@.rollup_state AS s), '-infinity'),
           'infinity') AS r;

COMMENT ON VIEW @extschema@.sla_daily IS
'SLA outcomes per day and dimension: from rollup_sla_daily before the watermark, from the raw requests from it on';

-- ---- The queue: which (day, client) rows changed ----------------------------------------------
-- Statement-level triggers on every source table add the local day and client of each row
-- written, old and new.  A status update also marks the day of the client's next status update
-- (its lateness is measured from this one).  SECURITY DEFINER: whoever may write the source
-- tables may mark days, and nothing else.

CREATE FUNCTION @extschema@.rollup_enqueue()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    src text;
    tbl text;
BEGIN
    src := CASE TG_TABLE_NAME
        WHEN 'surveys' THEN 'SELECT r.answered_at AS at, r.client_id FROM %1$I AS r'
        WHEN 'projects' THEN 'SELECT r.delivered_at AS at, r.client_id FROM %1$I AS r WHERE r.delivered_at IS NOT NULL'
        WHEN 'deliverables' THEN
            'SELECT r.delivered_at AS at, p.client_id FROM %1$I AS r '
            'JOIN @extschema@.projects AS p ON p.project_id = r.project_id'
        WHEN 'escalations' THEN 'SELECT r.opened_at AS at, r.client_id FROM %1$I AS r'
        WHEN 'complaints' THEN 'SELECT r.raised_at AS at, r.client_id FROM %1$I AS r'
        WHEN 'activities' THEN
            'SELECT r.at, r.client_id FROM %1$I AS r '
            'UNION ALL '
            'SELECT n.at, r.client_id FROM %1$I AS r CROSS JOIN LATERAL ('
            '  SELECT pg_catalog.min(a.at) AS at FROM @extschema@.activities AS a'
            '   WHERE a.client_id = r.client_id AND a.kind = ''status'' AND a.at > r.at) AS n '
            'WHERE r.kind = ''status'' AND n.at IS NOT NULL'
        WHEN 'qa_reviews' THEN
            'SELECT a.at, a.client_id FROM %1$I AS r '
            'JOIN @extschema@.activities AS a ON a.activity_id = r.activity_id'
        WHEN 'requests' THEN 'SELECT r.opened_at AS at, r.client AS client_id FROM %1$I AS r'
        WHEN 'request_events' THEN
            'SELECT q.opened_at AS at, q.client AS client_id '
            'FROM (SELECT DISTINCT e.request_id FROM %1$I AS e) AS r '
            'JOIN @extschema@.requests AS q ON q.id = r.request_id'
    END;
    FOREACH tbl IN ARRAY CASE TG_OP WHEN 'INSERT' THEN ARRAY['new_rows']
                                     WHEN 'DELETE' THEN ARRAY['old_rows']
                                     ELSE ARRAY['new_rows', 'old_rows'] END LOOP
        EXECUTE format('INSERT INTO @extschema@.rollup_queue (day, client_id) '
                       'SELECT DISTINCT pg_catalog.timezone($1, s.at)::pg_catalog.date, s.client_id '
                       'FROM (' || src || ') AS s', tbl)
            USING @extschema@.report_zone();
    END LOOP;
    RETURN NULL;
END
$$;

REVOKE ALL ON FUNCTION @extschema@.rollup_enqueue() FROM PUBLIC;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['surveys', 'projects', 'deliverables', 'escalations', 'complaints',
                             'activities', 'qa_reviews', 'requests', 'request_events'] LOOP
        EXECUTE format('CREATE TRIGGER rollup_enqueue_insert AFTER INSERT ON @extschema@.%I '
                       'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION @extschema@.rollup_enqueue()', t);
        EXECUTE format('CREATE TRIGGER rollup_enqueue_update AFTER UPDATE ON @extschema@.%I '
                       'REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION @extschema@.rollup_enqueue()', t);
        EXECUTE format('CREATE TRIGGER rollup_enqueue_delete AFTER DELETE ON @extschema@.%I '
                       'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION @extschema@.rollup_enqueue()', t);
    END LOOP;
END
$$;

-- A project that is deleted or moves to another client takes its deliverables' days with it
-- (by the time a statement-level trigger on deliverables runs, the project row is gone).
CREATE FUNCTION @extschema@.rollup_enqueue_project_deliverables()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO @extschema@.rollup_queue (day, client_id)
    SELECT DISTINCT pg_catalog.timezone(@extschema@.report_zone(), d.delivered_at)::pg_catalog.date, c.client_id
      FROM @extschema@.deliverables AS d,
           (VALUES (OLD.client_id), (CASE WHEN TG_OP = 'UPDATE' THEN NEW.client_id END)) AS c (client_id)
     WHERE d.project_id = OLD.project_id AND c.client_id IS NOT NULL;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;

REVOKE ALL ON FUNCTION @extschema@.rollup_enqueue_project_deliverables() FROM PUBLIC;

CREATE TRIGGER rollup_enqueue_project_deliverables
    BEFORE DELETE OR UPDATE OF client_id ON @extschema@.projects
    FOR EACH ROW EXECUTE FUNCTION @extschema@.rollup_enqueue_project_deliverables();

-- A client's first status update is graded from the signing: a new signed_at re-grades that day.
CREATE FUNCTION @extschema@.rollup_enqueue_client_signing()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO @extschema@.rollup_queue (day, client_id)
    SELECT pg_catalog.timezone(@extschema@.report_zone(), pg_catalog.min(a.at))::pg_catalog.date,
           NEW.client_id
      FROM @extschema@.activities AS a
     WHERE a.client_id = NEW.client_id AND a.kind = 'status'
    HAVING pg_catalog.min(a.at) IS NOT NULL;
    RETURN NULL;
END
$$;

REVOKE ALL ON FUNCTION @extschema@.rollup_enqueue_client_signing() FROM PUBLIC;

CREATE TRIGGER rollup_enqueue_client_signing AFTER UPDATE OF signed_at ON @extschema@.clients
    FOR EACH ROW WHEN (OLD.signed_at IS DISTINCT FROM NEW.signed_at)
    EXECUTE FUNCTION @extschema@.rollup_enqueue_client_signing();

-- A new reporting zone cuts days differently: the rollups start over.
-- So do changes that re-grade every day: a calendar, an SLA policy, target or rule, a client's
-- policy, a binding, and a TRUNCATE of a source table (no rows to queue).  The rollups are
-- emptied and the watermark cleared: the views read raw rows (slower, never stale) until the
-- next refresh_rollups() rebuilds them.
CREATE FUNCTION @extschema@.rollup_reset()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF (SELECT s.watermark FROM @extschema@.rollup_state AS s) IS NULL THEN
        RETURN NULL;    -- nothing rolled up yet
    END IF;
    PERFORM pg_advisory_xact_lock(pg_catalog.hashtext('cs_service.refresh_rollups'));
    DELETE FROM @extschema@.rollup_daily;
    DELETE FROM @extschema@.rollup_monthly;
    DELETE FROM @extschema@.rollup_sla_daily;
    DELETE FROM @extschema@.rollup_queue;      -- the rebuild queues the days from today on
    UPDATE @extschema@.rollup_state SET watermark = NULL;
    RETURN NULL;
END
$$;

REVOKE ALL ON FUNCTION @extschema@.rollup_reset() FROM PUBLIC;

CREATE TRIGGER rollup_reset AFTER UPDATE OF zone ON @extschema@.report_settings
    FOR EACH ROW WHEN (OLD.zone IS DISTINCT FROM NEW.zone)
    EXECUTE FUNCTION @extschema@.rollup_reset();
CREATE TRIGGER rollup_reset AFTER UPDATE OR DELETE ON @extschema@.calendars
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.rollup_reset();
CREATE TRIGGER rollup_reset AFTER UPDATE OR DELETE ON @extschema@.sla_policies
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.rollup_reset();
CREATE TRIGGER rollup_reset AFTER INSERT OR UPDATE OR DELETE ON @extschema@.sla_targets
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.rollup_reset();
CREATE TRIGGER rollup_reset AFTER INSERT OR UPDATE OR DELETE ON @extschema@.sla_policy_rules
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.rollup_reset();
CREATE TRIGGER rollup_reset AFTER INSERT OR UPDATE OR DELETE ON @extschema@.sla_bindings
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.rollup_reset();
CREATE TRIGGER rollup_reset AFTER UPDATE OF policy ON @extschema@.clients
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.rollup_reset();

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['clients', 'surveys', 'projects', 'deliverables', 'escalations',
                             'complaints', 'activities', 'qa_reviews', 'requests',
                             'request_events'] LOOP
        EXECUTE format('CREATE TRIGGER rollup_reset_truncate AFTER TRUNCATE ON @extschema@.%I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.rollup_reset()', t);
    END LOOP;
END
$$;

-- ---- refresh_rollups ------------------------------------------------------------------------------
-- Concurrency.  Runs of refresh_rollups() take turns (a transaction-level advisory lock).  A run
-- first deletes the queue rows it can see (one statement), then recomputes those days in later
-- statements, each with a newer snapshot (READ COMMITTED): every change whose queue row it
-- deleted is committed and visible to the recomputation, and a change committed later left its
-- own queue row, which the next run takes.  Queue rows are never merged, so no change can hide
-- behind another's row.  Readers see the old rollups and watermark until the run commits.

CREATE FUNCTION @extschema@.refresh_rollups(rebuild pg_catalog.bool DEFAULT false)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    zone text := @extschema@.report_zone();
    today date;
    d date;
    n bigint := 0;
    mark date;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('cs_service.refresh_rollups'));
    today := timezone(zone, now())::date;
    SELECT s.watermark INTO mark FROM @extschema@.rollup_state AS s FOR UPDATE;

    IF to_regclass('pg_temp.cs_rollup_work') IS NOT NULL THEN   -- (a failed earlier call in
        DROP TABLE pg_temp.cs_rollup_work;                       -- this transaction's savepoint)
    END IF;
    IF to_regclass('pg_temp.cs_rollup_months') IS NOT NULL THEN
        DROP TABLE pg_temp.cs_rollup_months;
    END IF;
    CREATE TEMP TABLE cs_rollup_work (day date NOT NULL, client_id text) ON COMMIT DROP;

    IF rebuild OR mark IS NULL THEN
        -- everything before today, from scratch
        DELETE FROM @extschema@.rollup_queue AS q WHERE q.day < today;
        DELETE FROM @extschema@.rollup_daily;
        DELETE FROM @extschema@.rollup_monthly;
        DELETE FROM @extschema@.rollup_sla_daily;
        INSERT INTO @extschema@.rollup_sla_daily
        SELECT r.* FROM @extschema@.sla_daily_raw('-infinity', timezone(zone, today::timestamp)) AS r;
        INSERT INTO @extschema@.rollup_daily
        SELECT r.* FROM @extschema@.scorecard_daily_raw(
                   '-infinity', timezone(zone, today::timestamp), sla_from_rollup => true) AS r;
        GET DIAGNOSTICS n = ROW_COUNT;
        -- the days from today on are rolled up by later runs: make sure they are queued (after
        -- a reset the queue is empty, and rows written before 0.2.0 were never queued)
        INSERT INTO @extschema@.rollup_queue (day, client_id)
        SELECT r.day, r.client_id FROM @extschema@.scorecard_daily_raw(timezone(zone, today::timestamp), 'infinity') AS r
        UNION
        SELECT r.day, NULL FROM @extschema@.sla_daily_raw(timezone(zone, today::timestamp), 'infinity') AS r;
        INSERT INTO pg_temp.cs_rollup_work
        SELECT DISTINCT date_trunc('month', r.day)::date, r.client_id FROM @extschema@.rollup_daily AS r;
    ELSE
        -- the days whose rows changed, and the days with undecided items
        WITH taken AS (
            DELETE FROM @extschema@.rollup_queue AS q WHERE q.day < today
            RETURNING q.day, q.client_id)
        INSERT INTO pg_temp.cs_rollup_work SELECT DISTINCT t.day, t.client_id FROM taken AS t;
        INSERT INTO pg_temp.cs_rollup_work
        SELECT r.day, r.client_id FROM @extschema@.rollup_daily AS r
         WHERE r.sla_pending > 0 OR r.rhythm_pending > 0
        UNION
        SELECT DISTINCT r.day, NULL FROM @extschema@.rollup_sla_daily AS r WHERE r.pending > 0;

        FOR d IN SELECT DISTINCT w.day FROM pg_temp.cs_rollup_work AS w ORDER BY 1 LOOP
            -- the day's SLA outcomes, every client
            DELETE FROM @extschema@.rollup_sla_daily AS r WHERE r.day = d;
            INSERT INTO @extschema@.rollup_sla_daily
            SELECT x.* FROM @extschema@.sla_daily_raw(timezone(zone, d::timestamp),
                                                      timezone(zone, (d + 1)::timestamp)) AS x;
            -- the day's scorecard rows of the clients whose rows changed
            DELETE FROM @extschema@.rollup_daily AS r
             USING pg_temp.cs_rollup_work AS w
             WHERE w.day = d AND r.day = d AND r.client_id = w.client_id;
            INSERT INTO @extschema@.rollup_daily
            SELECT x.*
              FROM @extschema@.scorecard_daily_raw(timezone(zone, d::timestamp),
                                                   timezone(zone, (d + 1)::timestamp),
                                                   sla_from_rollup => true) AS x
             WHERE x.client_id IN (SELECT w.client_id FROM pg_temp.cs_rollup_work AS w WHERE w.day = d);
        END LOOP;
        SELECT count(DISTINCT (w.day, w.client_id)) INTO n FROM pg_temp.cs_rollup_work AS w;
    END IF;

    -- the months those days fall in are summed again
    CREATE TEMP TABLE cs_rollup_months ON COMMIT DROP AS
    SELECT DISTINCT date_trunc('month', w.day)::date AS month, w.client_id FROM pg_temp.cs_rollup_work AS w;
    DELETE FROM @extschema@.rollup_monthly AS m
     USING pg_temp.cs_rollup_months AS k
     WHERE m.month = k.month AND m.client_id = k.client_id;
    INSERT INTO @extschema@.rollup_monthly
    SELECT date_trunc('month', r.day)::date, r.client_id,
           @extschema@.rollup(r.nps), @extschema@.rollup(r.csat), @extschema@.rollup(r.ces),
           @extschema@.rollup(r.sla), sum(r.sla_pending), @extschema@.rollup(r.response),
           @extschema@.rollup(r.first_response), sum(r.projects_delivered),
           sum(r.projects_on_time), sum(r.projects_within_budget), sum(r.deliverables),
           sum(r.deliverables_passed), sum(r.escalations), sum(r.complaints), sum(r.activities),
           sum(r.qa_reviewed), sum(r.qa_passed), sum(r.rhythm_due), sum(r.rhythm_on_time),
           sum(r.rhythm_pending)
      FROM @extschema@.rollup_daily AS r
      JOIN pg_temp.cs_rollup_months AS k
        ON r.client_id = k.client_id
       AND r.day >= k.month AND r.day < (k.month + interval '1 month')::date
     GROUP BY 1, 2;

    UPDATE @extschema@.rollup_state SET watermark = today, refreshed_at = now(), days_done = n;
    DROP TABLE pg_temp.cs_rollup_work;
    DROP TABLE pg_temp.cs_rollup_months;
    RETURN n;
END
$$;

COMMENT ON FUNCTION @extschema@.refresh_rollups(pg_catalog.bool) IS
'Brings rollup_daily and rollup_monthly up to yesterday (report zone): recomputes the days whose rows changed and the days with undecided items (rebuild => true: everything); returns the (day, client) rows recomputed';

-- ---- Privileges --------------------------------------------------------------------------------

REVOKE ALL ON @extschema@.rollup_daily, @extschema@.rollup_monthly, @extschema@.rollup_queue,
    @extschema@.rollup_state, @extschema@.rollup_sla_daily, @extschema@.sla_daily,
    @extschema@.client_settings, @extschema@.scorecard_daily, @extschema@.scorecard_monthly,
    @extschema@.scorecard_monthly_raw FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.refresh_rollups(pg_catalog.bool) FROM PUBLIC;
GRANT SELECT ON @extschema@.rollup_daily, @extschema@.rollup_monthly, @extschema@.rollup_state,
    @extschema@.rollup_sla_daily, @extschema@.sla_daily,
    @extschema@.client_settings, @extschema@.scorecard_daily, @extschema@.scorecard_monthly,
    @extschema@.scorecard_monthly_raw TO cs_service_bi, cs_service_writer;
GRANT SELECT, INSERT, DELETE ON @extschema@.rollup_daily, @extschema@.rollup_monthly,
    @extschema@.rollup_sla_daily, @extschema@.rollup_queue TO cs_service_writer;
GRANT UPDATE ON @extschema@.rollup_state TO cs_service_writer;
GRANT EXECUTE ON FUNCTION @extschema@.refresh_rollups(pg_catalog.bool) TO cs_service_writer;
GRANT EXECUTE ON FUNCTION @extschema@.rollups_invalidate(pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.text)
    TO cs_service_writer;

-- ============================================================================================
-- 0.2.0: the agency scorecard (doc/scorecard.md).  Flat, typed, security_invoker views a BI
-- tool can chart; months are local calendar months of the report zone (report_settings.zone).
-- ============================================================================================

-- ---- Summaries per client, manager and team ----------------------------------------------------
-- One row per level ('client', 'manager', 'team'), month and key, holding the summaries the
-- scores are computed from.  A client is listed for every month it was a client in (signed
-- before the month ended, not ended before it began), up to the current month.  Managers and
-- teams are the clients' current assignment (clients.manager, clients.team).

CREATE VIEW @extschema@.scorecard_summaries WITH (security_invoker = true) AS
WITH z AS MATERIALIZED (SELECT @extschema@.report_zone() AS zone),
per_client AS NOT MATERIALIZED (
    SELECT am.month, c.client_id, c.name, c.manager, c.team,
           m.nps, m.csat, m.ces, m.sla, m.response, m.first_response,
           coalesce(m.projects_delivered, 0) AS projects_delivered,
           coalesce(m.projects_on_time, 0) AS projects_on_time,
           coalesce(m.projects_within_budget, 0) AS projects_within_budget,
           coalesce(m.deliverables, 0) AS deliverables,
           coalesce(m.deliverables_passed, 0) AS deliverables_passed,
           coalesce(m.escalations, 0) AS escalations,
           coalesce(m.complaints, 0) AS complaints,
           coalesce(m.activities, 0) AS activities,
           coalesce(m.qa_reviewed, 0) AS qa_reviewed,
           coalesce(m.qa_passed, 0) AS qa_passed,
           coalesce(m.rhythm_due, 0) AS rhythm_due,
           coalesce(m.rhythm_on_time, 0) AS rhythm_on_time
      FROM @extschema@.source_clients() AS c
     CROSS JOIN z
     CROSS JOIN LATERAL pg_catalog.generate_series(
            pg_catalog.date_trunc('month', pg_catalog.timezone(z.zone, c.signed_at)),
            pg_catalog.date_trunc('month', pg_catalog.timezone(z.zone,
                LEAST(coalesce(c.ended_at, pg_catalog.now()), pg_catalog.now()))),
            interval '1 month') AS g (month_start)
     CROSS JOIN LATERAL (SELECT g.month_start::pg_catalog.date AS month) AS am
      LEFT JOIN @extschema@.scorecard_monthly AS m
        ON m.month = am.month AND m.client_id = c.client_id)
SELECT 'client'::pg_catalog.text AS level, p.month, p.client_id, p.name, p.manager, p.team,
       1::pg_catalog.int8 AS clients,
       p.nps, p.csat, p.ces, p.sla, p.response, p.first_response, p.projects_delivered,
       p.projects_on_time::pg_catalog.int8, p.projects_within_budget::pg_catalog.int8,
       p.deliverables::pg_catalog.int8, p.deliverables_passed::pg_catalog.int8,
       p.escalations::pg_catalog.int8, p.complaints::pg_catalog.int8,
       p.activities::pg_catalog.int8, p.qa_reviewed::pg_catalog.int8,
       p.qa_passed::pg_catalog.int8, p.rhythm_due::pg_catalog.int8,
       p.rhythm_on_time::pg_catalog.int8
  FROM per_client AS p
UNION ALL
SELECT 'manager', p.month, NULL, NULL, p.manager, p.team, pg_catalog.count(*),
       @extschema@.rollup(p.nps), @extschema@.rollup(p.csat), @extschema@.rollup(p.ces),
       @extschema@.rollup(p.sla), @extschema@.rollup(p.response),
       @extschema@.rollup(p.first_response), pg_catalog.sum(p.projects_delivered)::pg_catalog.int4,
       pg_catalog.sum(p.projects_on_time), pg_catalog.sum(p.projects_within_budget),
       pg_catalog.sum(p.deliverables), pg_catalog.sum(p.deliverables_passed),
       pg_catalog.sum(p.escalations), pg_catalog.sum(p.complaints), pg_catalog.sum(p.activities),
       pg_catalog.sum(p.qa_reviewed), pg_catalog.sum(p.qa_passed), pg_catalog.sum(p.rhythm_due),
       pg_catalog.sum(p.rhythm_on_time)
  FROM per_client AS p
 GROUP BY p.month, p.manager, p.team
UNION ALL
SELECT 'team', p.month, NULL, NULL, NULL, p.team, pg_catalog.count(*),
       @extschema@.rollup(p.nps), @extschema@.rollup(p.csat), @extschema@.rollup(p.ces),
       @extschema@.rollup(p.sla), @extschema@.rollup(p.response),
       @extschema@.rollup(p.first_response), pg_catalog.sum(p.projects_delivered)::pg_catalog.int4,
       pg_catalog.sum(p.projects_on_time), pg_catalog.sum(p.projects_within_budget),
       pg_catalog.sum(p.deliverables), pg_catalog.sum(p.deliverables_passed),
       pg_catalog.sum(p.escalations), pg_catalog.sum(p.complaints), pg_catalog.sum(p.activities),
       pg_catalog.sum(p.qa_reviewed), pg_catalog.sum(p.qa_passed), pg_catalog.sum(p.rhythm_due),
       pg_catalog.sum(p.rhythm_on_time)
  FROM per_client AS p
 GROUP BY p.month, p.team;

-- ---- Metrics and the weighted service score ------------------------------------------------------
-- Each factor is a percentage 0..100 (NULL: no data that month): sla = SLA % of every decided
-- metric; on_time, within_budget = projects delivered that month; deliverable_quality =
-- deliverables that passed verification; qa_pass = QA reviews passed; nps as (NPS + 100) / 2;
-- csat as is; ces as (7 - mean) / 6 x 100; rhythm = status updates and meeting reports on time;
-- response_time = first responses within target.  A part's score (and the service score) is the
-- weighted mean of its factors that have data: factors without data are left out and the
-- weights of the others renormalised; NULL when no factor with a positive weight has data.

CREATE VIEW @extschema@.scorecard_values WITH (security_invoker = true) AS
SELECT s.level, s.month, s.client_id, s.name, s.manager, s.team, s.clients, v.nps, v.csat, v.ces,
       v.survey_answers, v.sla_pct, v.sla_decided, v.response_pct,
       v.first_response_median_minutes, v.first_response_p90_minutes, v.deliverable_quality_pct,
       s.projects_delivered, v.on_time_pct, v.within_budget_pct, s.escalations, s.complaints,
       s.activities, s.qa_reviewed, v.qa_pass_pct, v.rhythm_pct,
       t.num_contract / NULLIF(t.den_contract, 0) AS contract_score,
       t.num_competence / NULLIF(t.den_competence, 0) AS competence_score,
       t.num_communication / NULLIF(t.den_communication, 0) AS communication_score,
       (t.num_contract + t.num_competence + t.num_communication)
           / NULLIF(t.den_contract + t.den_competence + t.den_communication, 0) AS service_score
  FROM @extschema@.scorecard_summaries AS s
 CROSS JOIN (SELECT coalesce(pg_catalog.max(w.weight) FILTER (WHERE w.factor = 'sla'), 0) AS sla,
                    coalesce(pg_catalog.max(w.weight) FILTER (WHERE w.factor = 'on_time'), 0) AS on_time,
                    coalesce(pg_catalog.max(w.weight) FILTER (WHERE w.factor = 'within_budget'), 0) AS within_budget,
                    coalesce(pg_catalog.max(w.weight) FILTER (WHERE w.factor = 'deliverable_quality'), 0) AS deliverable_quality,
                    coalesce(pg_catalog.max(w.weight) FILTER (WHERE w.factor = 'qa_pass'), 0) AS qa_pass,
                    coalesce(pg_catalog.max(w.weight) FILTER (WHERE w.factor = 'nps'), 0) AS nps,
                    coalesce(pg_catalog.max(w.weight) FILTER (WHERE w.factor = 'csat'), 0) AS csat,
                    coalesce(pg_catalog.max(w.weight) FILTER (WHERE w.factor = 'ces'), 0) AS ces,
                    coalesce(pg_catalog.max(w.weight) FILTER (WHERE w.factor = 'rhythm'), 0) AS rhythm,
                    coalesce(pg_catalog.max(w.weight) FILTER (WHERE w.factor = 'response_time'), 0) AS response_time
               FROM @extschema@.quality_weights AS w) AS w
 -- the metrics of the row, each computed once (OFFSET 0 keeps the planner from copying the
 -- function calls into every expression that uses them: each score uses its factors twice, the
 -- service score all of them again); the sums below are plain arithmetic on them
 CROSS JOIN LATERAL (
        SELECT @extschema@.nps(s.nps) AS nps,
               @extschema@.csat(s.csat) AS csat,
               @extschema@.ces(s.ces) AS ces,
               coalesce(@extschema@.responses(s.nps), 0) + coalesce(@extschema@.responses(s.csat), 0)
                   + coalesce(@extschema@.responses(s.ces), 0) AS survey_answers,
               @extschema@.sla_pct(s.sla) AS sla_pct,
               coalesce(@extschema@.sla_total(s.sla), 0) AS sla_decided,
               @extschema@.sla_pct(s.response) AS response_pct,
               pg_catalog.date_part('epoch', @extschema@.percentile(s.first_response, 0.5)) / 60
                   AS first_response_median_minutes,
               pg_catalog.date_part('epoch', @extschema@.percentile(s.first_response, 0.9)) / 60
                   AS first_response_p90_minutes,
               100.0::pg_catalog.float8 * s.deliverables_passed / NULLIF(s.deliverables, 0) AS deliverable_quality_pct,
               100.0::pg_catalog.float8 * s.projects_on_time / NULLIF(s.projects_delivered, 0) AS on_time_pct,
               100.0::pg_catalog.float8 * s.projects_within_budget / NULLIF(s.projects_delivered, 0) AS within_budget_pct,
               100.0::pg_catalog.float8 * s.qa_passed / NULLIF(s.qa_reviewed, 0) AS qa_pass_pct,
               100.0::pg_catalog.float8 * s.rhythm_on_time / NULLIF(s.rhythm_due, 0) AS rhythm_pct
        OFFSET 0) AS v
 CROSS JOIN LATERAL (
        -- per part: the weighted sum of the factors with data, and the sum of their weights
        SELECT coalesce(w.sla * v.sla_pct, 0) + coalesce(w.on_time * v.on_time_pct, 0)
                   + coalesce(w.within_budget * v.within_budget_pct, 0) AS num_contract,
               CASE WHEN v.sla_pct IS NULL THEN 0 ELSE w.sla END
                   + CASE WHEN v.on_time_pct IS NULL THEN 0 ELSE w.on_time END
                   + CASE WHEN v.within_budget_pct IS NULL THEN 0 ELSE w.within_budget END AS den_contract,
               coalesce(w.deliverable_quality * v.deliverable_quality_pct, 0)
                   + coalesce(w.qa_pass * v.qa_pass_pct, 0) AS num_competence,
               CASE WHEN v.deliverable_quality_pct IS NULL THEN 0 ELSE w.deliverable_quality END
                   + CASE WHEN v.qa_pass_pct IS NULL THEN 0 ELSE w.qa_pass END AS den_competence,
               coalesce(w.nps * (v.nps + 100) / 2, 0) + coalesce(w.csat * v.csat, 0)
                   + coalesce(w.ces * (7 - v.ces) / 6 * 100, 0) + coalesce(w.rhythm * v.rhythm_pct, 0)
                   + coalesce(w.response_time * v.response_pct, 0) AS num_communication,
               CASE WHEN v.nps IS NULL THEN 0 ELSE w.nps END
                   + CASE WHEN v.csat IS NULL THEN 0 ELSE w.csat END
                   + CASE WHEN v.ces IS NULL THEN 0 ELSE w.ces END
                   + CASE WHEN v.rhythm_pct IS NULL THEN 0 ELSE w.rhythm END
                   + CASE WHEN v.response_pct IS NULL THEN 0 ELSE w.response_time END AS den_communication
       ) AS t;

COMMENT ON VIEW @extschema@.scorecard_values IS
'Every scorecard metric and score per level (client, manager, team) and month; client_scorecard and team_scorecard show it';

CREATE VIEW @extschema@.client_scorecard WITH (security_invoker = true) AS
SELECT v.month, v.client_id, v.name AS client_name, v.manager, v.team,
       v.nps, v.csat, v.ces, v.survey_answers, v.sla_pct, v.sla_decided,
       v.first_response_median_minutes, v.first_response_p90_minutes,
       v.deliverable_quality_pct, v.projects_delivered, v.on_time_pct, v.within_budget_pct,
       v.escalations, v.complaints, v.activities, v.qa_reviewed, v.qa_pass_pct, v.rhythm_pct,
       v.response_pct, v.service_score, v.contract_score, v.competence_score,
       v.communication_score
  FROM @extschema@.scorecard_values AS v
 WHERE v.level = 'client';

COMMENT ON VIEW @extschema@.client_scorecard IS
'Per month and client: NPS, CSAT, CES, SLA %, first-response median and p90 (business minutes), deliverable quality, on-time and within-budget %, escalations, complaints, QA pass and rhythm %, and the weighted service score 0..100 with its contract, competence and communication parts';

CREATE VIEW @extschema@.team_scorecard WITH (security_invoker = true) AS
SELECT v.level, v.month, v.team, v.manager, v.clients,
       v.nps, v.csat, v.ces, v.survey_answers, v.sla_pct, v.sla_decided,
       v.first_response_median_minutes, v.first_response_p90_minutes,
       v.deliverable_quality_pct, v.projects_delivered, v.on_time_pct, v.within_budget_pct,
       v.escalations, v.complaints, v.activities, v.qa_reviewed, v.qa_pass_pct, v.rhythm_pct,
       v.response_pct, v.service_score, v.contract_score, v.competence_score,
       v.communication_score
  FROM @extschema@.scorecard_values AS v
 WHERE v.level IN ('team', 'manager');

COMMENT ON VIEW @extschema@.team_scorecard IS
'client_scorecard per month and team (level = ''team'', manager NULL) and per month and manager (level = ''manager''), over the clients they are assigned now';

-- ---- Retention ------------------------------------------------------------------------------------

CREATE VIEW @extschema@.retention WITH (security_invoker = true) AS
WITH z AS MATERIALIZED (SELECT @extschema@.report_zone() AS zone),
months AS MATERIALIZED (
    SELECT g::pg_catalog.date AS month,
           pg_catalog.timezone(z.zone, g::pg_catalog.timestamp) AS m_start,
           pg_catalog.timezone(z.zone, (g + interval '1 month')::pg_catalog.timestamp) AS m_end
      FROM z CROSS JOIN LATERAL pg_catalog.generate_series(
               (SELECT pg_catalog.date_trunc('month', pg_catalog.timezone(z.zone, pg_catalog.min(c.signed_at)))
                  FROM @extschema@.source_clients() AS c),
               pg_catalog.date_trunc('month', pg_catalog.timezone(z.zone, pg_catalog.now())),
               interval '1 month') AS g),
counts AS (
    SELECT mo.month,
           pg_catalog.count(*) FILTER (WHERE c.signed_at < mo.m_start
                                       AND (c.ended_at IS NULL OR c.ended_at >= mo.m_start)) AS clients_start,
           pg_catalog.count(*) FILTER (WHERE c.signed_at >= mo.m_start AND c.signed_at < mo.m_end) AS clients_new,
           pg_catalog.count(*) FILTER (WHERE c.ended_at >= mo.m_start AND c.ended_at < mo.m_end) AS clients_ended,
           pg_catalog.count(*) FILTER (WHERE c.signed_at < mo.m_end
                                       AND (c.ended_at IS NULL OR c.ended_at >= mo.m_end)) AS clients_end,
           pg_catalog.count(*) FILTER (WHERE c.signed_at >= mo.m_start AND c.signed_at < mo.m_end
                                       AND c.ended_at - c.signed_at <= interval '60 days') AS early_churned
      FROM months AS mo CROSS JOIN @extschema@.source_clients() AS c
     GROUP BY mo.month),
ordering AS (
    SELECT mo.month,
           pg_catalog.count(*) FILTER (WHERE o.n >= 1) AS clients_ordered,
           pg_catalog.count(*) FILTER (WHERE o.n >= 2) AS clients_reordered,
           pg_catalog.sum(o.revenue) AS revenue_to_date
      FROM months AS mo
     CROSS JOIN LATERAL (
            SELECT pg_catalog.count(*) AS n, pg_catalog.sum(od.amount) AS revenue
              FROM @extschema@.source_orders() AS od
             WHERE od.ordered_at < mo.m_end
             GROUP BY od.client_id) AS o
     GROUP BY mo.month),
cohorts AS (
    SELECT pg_catalog.date_trunc('month', pg_catalog.timezone(z.zone, c.signed_at))::pg_catalog.date AS month,
           pg_catalog.round(pg_catalog.avg(coalesce(r.revenue, 0)), 2) AS ltv_avg,
           pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY coalesce(r.revenue, 0)::pg_catalog.float8) AS ltv_median
      FROM @extschema@.source_clients() AS c
     CROSS JOIN z
      LEFT JOIN LATERAL (SELECT pg_catalog.sum(od.amount) AS revenue
                           FROM @extschema@.source_orders() AS od
                          WHERE od.client_id = c.client_id AND od.ordered_at <= pg_catalog.now()) AS r ON true
     GROUP BY 1)
SELECT k.month, k.clients_start, k.clients_new, k.clients_ended, k.clients_end,
       100.0::pg_catalog.float8 * (k.clients_end - k.clients_new) / NULLIF(k.clients_start, 0) AS retention_pct,
       k.early_churned,
       100.0::pg_catalog.float8 * k.early_churned / NULLIF(k.clients_new, 0) AS early_churn_pct,
       coalesce(o.clients_ordered, 0) AS clients_ordered,
       coalesce(o.clients_reordered, 0) AS clients_reordered,
       100.0::pg_catalog.float8 * o.clients_reordered / NULLIF(o.clients_ordered, 0) AS repeat_order_pct,
       ch.ltv_avg AS cohort_ltv_avg,
       ch.ltv_median::pg_catalog.numeric AS cohort_ltv_median
  FROM counts AS k
  LEFT JOIN ordering AS o ON o.month = k.month
  LEFT JOIN cohorts AS ch ON ch.month = k.month;

COMMENT ON VIEW @extschema@.retention IS
'Per month: clients at start, new, ended, at end; retention % = (end - new) / start; early churn % = clients signed that month who ended within 60 days (1,440 hours) of signing / clients signed; repeat-order % = clients with 2+ orders / with 1+ by the month''s end; cohort LTV = revenue to date per client signed that month (average, median)';

-- ---- Delivery and deliverable quality ---------------------------------------------------------------

CREATE VIEW @extschema@.delivery_adherence WITH (security_invoker = true) AS
SELECT pg_catalog.date_trunc('month', pg_catalog.timezone(z.zone, p.delivered_at))::pg_catalog.date AS month,
       p.client_id,
       pg_catalog.count(*) AS delivered,
       pg_catalog.count(*) FILTER (WHERE pg_catalog.timezone(z.zone, p.delivered_at)::pg_catalog.date
                                         < pg_catalog.timezone(z.zone, p.due_at)::pg_catalog.date) AS early,
       pg_catalog.count(*) FILTER (WHERE p.delivered_at <= p.due_at
                                     AND pg_catalog.timezone(z.zone, p.delivered_at)::pg_catalog.date
                                         = pg_catalog.timezone(z.zone, p.due_at)::pg_catalog.date) AS on_time,
       pg_catalog.count(*) FILTER (WHERE p.delivered_at > p.due_at AND p.slip_announced_at < p.due_at) AS late_announced,
       pg_catalog.count(*) FILTER (WHERE p.delivered_at > p.due_at
                                     AND (p.slip_announced_at IS NULL OR p.slip_announced_at >= p.due_at)) AS late_unannounced,
       100.0::pg_catalog.float8 * pg_catalog.count(*) FILTER (WHERE p.delivered_at <= p.due_at) / pg_catalog.count(*) AS on_time_pct,
       100.0::pg_catalog.float8 * pg_catalog.count(*) FILTER (WHERE p.spent <= p.budget) / pg_catalog.count(*) AS within_budget_pct,
       pg_catalog.count(*) FILTER (WHERE p.spent > p.budget) AS over_budget,
       -- (a project with budget 0 that spent anything is over budget, but has no overrun %)
       (pg_catalog.avg(100 * (p.spent - p.budget) / p.budget)
           FILTER (WHERE p.spent > p.budget AND p.budget > 0))::pg_catalog.float8 AS overrun_pct_avg
  FROM @extschema@.source_projects() AS p
 CROSS JOIN (SELECT @extschema@.report_zone() AS zone) AS z
 WHERE p.delivered_at IS NOT NULL
 GROUP BY 1, 2;

COMMENT ON VIEW @extschema@.delivery_adherence IS
'Per month delivered and client: projects delivered early (on an earlier local day than due), on time (by due_at, on its day), late with the slip announced before due_at, late unannounced; on-time % (early included), within-budget % (spent <= budget), projects over budget, their average overrun % (those with a budget above 0)';

CREATE VIEW @extschema@.deliverable_quality WITH (security_invoker = true) AS
SELECT pg_catalog.date_trunc('month', pg_catalog.timezone(z.zone, d.delivered_at))::pg_catalog.date AS month,
       p.client_id, d.project_id,
       pg_catalog.count(*) AS deliverables,
       100.0::pg_catalog.float8 * pg_catalog.count(*) FILTER (WHERE d.passed_verification) / pg_catalog.count(*) AS passed_verification_pct,
       100.0::pg_catalog.float8 * pg_catalog.count(*) FILTER (WHERE d.rework_rounds = 0) / pg_catalog.count(*) AS first_pass_pct,
       pg_catalog.avg(d.rework_rounds)::pg_catalog.float8 AS rework_rounds_avg
  FROM @extschema@.source_deliverables() AS d
  JOIN @extschema@.source_projects() AS p ON p.project_id = d.project_id
 CROSS JOIN (SELECT @extschema@.report_zone() AS zone) AS z
 GROUP BY 1, 2, 3;

COMMENT ON VIEW @extschema@.deliverable_quality IS
'Per month delivered, client and project: deliverables, % passed verification, first-pass % (0 rework rounds), mean rework rounds';

-- ---- Communication rhythm ----------------------------------------------------------------------------
-- Per client active at asof: the last status update and when the next is due (status_every_days
-- business days later in the client's calendar; from signing if there was none), overdue or not;
-- whether the monthly review was held in asof's month; meetings of that month up to asof and
-- their reports: late (sent after, or not sent by, meeting_report_within business time after
-- the meeting) or still pending.

CREATE FUNCTION @extschema@.communication_rhythm_at(asof pg_catalog.timestamptz)
RETURNS TABLE (client_id pg_catalog.text, client_name pg_catalog.text, manager pg_catalog.text,
               team pg_catalog.text, policy pg_catalog.text,
               last_status_at pg_catalog.timestamptz, next_status_due pg_catalog.timestamptz,
               status_overdue pg_catalog.bool, review_held_this_month pg_catalog.bool,
               meetings_this_month pg_catalog.int8, reports_late_this_month pg_catalog.int8,
               reports_pending pg_catalog.int8)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
WITH z AS MATERIALIZED (
    SELECT pg_catalog.timezone(@extschema@.report_zone(),
               pg_catalog.date_trunc('month', pg_catalog.timezone(@extschema@.report_zone(), asof))) AS m_start)
SELECT c.client_id, c.name, c.manager, c.team, cs.policy, st.last_at, nx.due, nx.due < asof,
       EXISTS (SELECT FROM @extschema@.source_activities() AS a
                WHERE a.client_id = c.client_id AND a.kind = 'review'
                  AND a.at >= z.m_start AND a.at <= asof),
       mt.meetings, mt.late, mt.pending
  FROM @extschema@.source_clients() AS c
  JOIN @extschema@.client_settings AS cs ON cs.client_id = c.client_id
 CROSS JOIN z
 CROSS JOIN LATERAL (SELECT pg_catalog.max(a.at) AS last_at
                       FROM @extschema@.source_activities() AS a
                      WHERE a.client_id = c.client_id AND a.kind = 'status' AND a.at <= asof) AS st
 CROSS JOIN LATERAL (
        SELECT @extschema@.business_days_add(coalesce(st.last_at, c.signed_at), cs.status_every_days,
                                             cs.calendar) AS due
        OFFSET 0) AS nx
 CROSS JOIN LATERAL (
        SELECT pg_catalog.count(*) AS meetings,
               pg_catalog.count(*) FILTER (WHERE (a.report_sent_at <= asof AND a.report_sent_at > r.due)
                                              OR ((a.report_sent_at IS NULL OR a.report_sent_at > asof)
                                                  AND r.due <= asof)) AS late,
               pg_catalog.count(*) FILTER (WHERE (a.report_sent_at IS NULL OR a.report_sent_at > asof)
                                              AND r.due > asof) AS pending
          FROM @extschema@.source_activities() AS a
         CROSS JOIN LATERAL (SELECT @extschema@.business_add(a.at, cs.meeting_report_within, cs.calendar) AS due
                             OFFSET 0) AS r   -- once per meeting, not once per use
         WHERE a.client_id = c.client_id AND a.kind = 'meeting'
           AND a.at >= z.m_start AND a.at <= asof) AS mt
 WHERE c.signed_at <= asof AND (c.ended_at IS NULL OR c.ended_at > asof);
END;

COMMENT ON FUNCTION @extschema@.communication_rhythm_at(pg_catalog.timestamptz) IS
'The communication rhythm of every client active at asof: last and next status update, overdue, monthly review held, meeting reports late or pending this month';

CREATE VIEW @extschema@.communication_rhythm WITH (security_invoker = true) AS
SELECT r.* FROM @extschema@.communication_rhythm_at(pg_catalog.now()) AS r;

COMMENT ON VIEW @extschema@.communication_rhythm IS
'communication_rhythm_at(now()): per active client, status updates due and overdue, monthly review held, meeting reports late this month';

-- ---- Complaint patterns: systemic or local ---------------------------------------------------------

CREATE FUNCTION @extschema@.complaint_patterns(
    "from" pg_catalog.timestamptz, "to" pg_catalog.timestamptz,
    threshold pg_catalog.float8 DEFAULT 0.30)
RETURNS TABLE (category pg_catalog.text, clients_complaining pg_catalog.int8,
               active_clients pg_catalog.int8, share pg_catalog.float8, verdict pg_catalog.text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF "from" IS NULL OR "to" IS NULL OR threshold IS NULL THEN
        RAISE EXCEPTION 'complaint_patterns needs a period and a threshold'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'SELECT * FROM cs_service.complaint_patterns(''2026-10-01'', ''2026-11-01'', 0.30).';
    END IF;
    IF NOT (threshold > 0 AND threshold <= 1) THEN
        RAISE EXCEPTION 'complaint threshold must be in (0, 1]'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('The threshold was %s.', threshold),
                  HINT = 'Give a share of the active clients: 0.30 for 30 %.';
    END IF;
    IF NOT ("from" < "to") THEN
        RAISE EXCEPTION 'complaint period is empty'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('The period was [%s, %s).', "from", "to"),
                  HINT = 'Give "from" before "to".';
    END IF;
    RETURN QUERY
    WITH active AS (
        SELECT c.client_id FROM @extschema@.source_clients() AS c
         WHERE c.signed_at < "to" AND (c.ended_at IS NULL OR c.ended_at >= "from")),
    n AS (SELECT count(*) AS n FROM active)
    SELECT k.category, count(DISTINCT k.client_id), n.n,
           count(DISTINCT k.client_id)::float8 / n.n,
           CASE WHEN count(DISTINCT k.client_id)::float8 / n.n >= threshold
                THEN 'systemic' ELSE 'local' END
      FROM @extschema@.source_complaints() AS k
      JOIN active AS a ON a.client_id = k.client_id
     CROSS JOIN n
     WHERE k.raised_at >= "from" AND k.raised_at < "to"
     GROUP BY k.category, n.n
     ORDER BY 4 DESC, 1;
END
$$;

COMMENT ON FUNCTION @extschema@.complaint_patterns(pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.float8) IS
'Per complaint category in [from, to): clients complaining, active clients (signed before to, not ended before from), their share, and the verdict: systemic when share >= threshold, else local';

CREATE VIEW @extschema@.complaint_patterns WITH (security_invoker = true) AS
SELECT m.month, p.category, p.clients_complaining, p.active_clients, p.share, p.verdict
  FROM (SELECT DISTINCT pg_catalog.date_trunc('month', pg_catalog.timezone(z.zone, k.raised_at))::pg_catalog.date AS month, z.zone
          FROM @extschema@.source_complaints() AS k
         CROSS JOIN (SELECT @extschema@.report_zone() AS zone) AS z) AS m
 CROSS JOIN LATERAL @extschema@.complaint_patterns(
        pg_catalog.timezone(m.zone, m.month::pg_catalog.timestamp),
        pg_catalog.timezone(m.zone, (m.month + interval '1 month')::pg_catalog.timestamp)) AS p;

COMMENT ON VIEW @extschema@.complaint_patterns IS
'complaint_patterns() per local month with complaints, threshold 30 %';

-- ---- QA: a reproducible stratified sample, and the results ------------------------------------------
-- Each (manager, kind) stratum of the month's activities is ordered by a seeded hash of the
-- activity id (hashint8extended, the hash PostgreSQL's hash partitioning relies on, so it does
-- not change between versions) and its first ceil(fraction x n) taken: the same arguments over
-- the same activities give the same rows, and an activity added later to another stratum or
-- month never changes this stratum's sample.

CREATE FUNCTION @extschema@.qa_sample(
    month pg_catalog.date, fraction pg_catalog.float8 DEFAULT 0.15, seed pg_catalog.int4 DEFAULT 0)
RETURNS TABLE (activity_id pg_catalog.int8, manager pg_catalog.text, client_id pg_catalog.text,
               kind pg_catalog.text, at pg_catalog.timestamptz, stratum_size pg_catalog.int8,
               stratum_sample pg_catalog.int8)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    zone text := @extschema@.report_zone();
    m_start timestamptz;
    m_end timestamptz;
BEGIN
    IF month IS NULL OR fraction IS NULL OR seed IS NULL THEN
        RAISE EXCEPTION 'qa_sample needs a month, a fraction and a seed'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'SELECT * FROM cs_service.qa_sample(''2026-10-01'', 0.15, 0).';
    END IF;
    IF NOT (fraction > 0 AND fraction <= 1) THEN
        RAISE EXCEPTION 'QA sample fraction must be in (0, 1]'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('The fraction was %s.', fraction),
                  HINT = 'Review 10-20 % of the activities: fraction => 0.15.';
    END IF;
    IF NOT isfinite(month) THEN
        RAISE EXCEPTION 'QA sample month must be finite'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- (month::timestamp: the date as a local date-time, whatever the session's zone)
    m_start := timezone(zone, date_trunc('month', month::timestamp));
    m_end := timezone(zone, date_trunc('month', month::timestamp) + interval '1 month');
    RETURN QUERY
    SELECT s.activity_id, s.manager, s.client_id, s.kind, s.at, s.n, s.k
      FROM (SELECT a.activity_id, a.manager, a.client_id, a.kind, a.at,
                   row_number() OVER w AS rn,
                   count(*) OVER (PARTITION BY a.manager, a.kind) AS n,
                   ceil(fraction::numeric * count(*) OVER (PARTITION BY a.manager, a.kind))::int8 AS k
              FROM @extschema@.source_activities() AS a
             WHERE a.at >= m_start AND a.at < m_end
            WINDOW w AS (PARTITION BY a.manager, a.kind
                         ORDER BY hashint8extended(a.activity_id, seed), a.activity_id)) AS s
     WHERE s.rn <= s.k
     ORDER BY s.manager, s.kind, s.at, s.activity_id;
END
$$;

COMMENT ON FUNCTION @extschema@.qa_sample(pg_catalog.date, pg_catalog.float8, pg_catalog.int4) IS
'A reproducible random sample of the local month''s activities, stratified by manager and kind: ceil(fraction x n) of each stratum, chosen by a seeded hash of the activity id';

CREATE VIEW @extschema@.qa_results WITH (security_invoker = true) AS
SELECT pg_catalog.date_trunc('month', pg_catalog.timezone(z.zone, a.at))::pg_catalog.date AS month,
       a.manager,
       pg_catalog.count(*) AS activities,
       pg_catalog.count(q.activity_id) AS reviewed,
       pg_catalog.count(*) FILTER (WHERE q.passed) AS passed,
       @extschema@.sla_pct(@extschema@.sla_agg(NOT q.passed)) AS error_rate_pct,
       (@extschema@.sla_interval(@extschema@.sla_agg(NOT q.passed))).lower AS error_rate_low,
       (@extschema@.sla_interval(@extschema@.sla_agg(NOT q.passed))).upper AS error_rate_high
  FROM @extschema@.source_activities() AS a
  LEFT JOIN @extschema@.source_qa_reviews() AS q ON q.activity_id = a.activity_id
 CROSS JOIN (SELECT @extschema@.report_zone() AS zone) AS z
 GROUP BY 1, 2;

COMMENT ON VIEW @extschema@.qa_results IS
'Per month and manager: activities, QA-reviewed, passed, error rate % with its 95 % Wilson interval';

-- ---- Clients at risk ------------------------------------------------------------------------------------
-- Points per reason, for clients active at asof: a detractor (NPS 0-6) in the last 30 days 30;
-- SLA misses among the requests opened in the last 30 days: over 10 % missed 20, over 20 % 30
-- (the outcomes as known now, from the scorecard's daily rows: for a past asof, a miss that
-- happened after asof counts); an escalation open at
-- asof 25; a project past due, undelivered at asof, with no slip announced before its due date
-- 20; the status update overdue 15.

CREATE FUNCTION @extschema@.at_risk_clients_at(asof pg_catalog.timestamptz)
RETURNS TABLE (client_id pg_catalog.text, client_name pg_catalog.text, manager pg_catalog.text,
               team pg_catalog.text, risk_score pg_catalog.int4, reasons pg_catalog.text[])
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
SELECT x.client_id, x.name, x.manager, x.team, x.score, x.reasons
  FROM (SELECT c.client_id, c.name, c.manager, c.team,
               (CASE WHEN det.n > 0 THEN 30 ELSE 0 END
                + CASE WHEN miss.n > 0 AND 100.0 * miss.n / miss.total > 20 THEN 30
                       WHEN miss.n > 0 AND 100.0 * miss.n / miss.total > 10 THEN 20 ELSE 0 END
                + CASE WHEN esc.n > 0 THEN 25 ELSE 0 END
                + CASE WHEN slip.n > 0 THEN 20 ELSE 0 END
                + CASE WHEN rh.status_overdue THEN 15 ELSE 0 END)::pg_catalog.int4 AS score,
               pg_catalog.array_remove(ARRAY[
                   CASE WHEN det.n > 0 THEN pg_catalog.format('detractor: NPS %s on %s', det.worst, det.last_day)
                        || CASE WHEN det.n > 1 THEN pg_catalog.format(' (%s detractors in 30 days)', det.n) ELSE '' END END,
                   CASE WHEN miss.n > 0 AND 100.0 * miss.n / miss.total > 10
                        THEN pg_catalog.format('SLA %s %% in 30 days (%s of %s missed)',
                                               pg_catalog.round(100 - 100.0 * miss.n / miss.total, 1), miss.n, miss.total) END,
                   CASE WHEN esc.n > 0 THEN pg_catalog.format('open escalation since %s',
                        pg_catalog.to_char(pg_catalog.timezone(@extschema@.report_zone(), esc.since), 'YYYY-MM-DD HH24:MI')) END,
                   CASE WHEN slip.n > 0 THEN pg_catalog.format('unannounced slip: %s project(s) past due', slip.n) END,
                   CASE WHEN rh.status_overdue THEN pg_catalog.format('status update overdue since %s',
                        pg_catalog.to_char(pg_catalog.timezone(@extschema@.report_zone(), rh.next_status_due), 'YYYY-MM-DD HH24:MI')) END
               ], NULL) AS reasons
          FROM @extschema@.source_clients() AS c
          LEFT JOIN @extschema@.communication_rhythm_at(asof) AS rh ON rh.client_id = c.client_id
          LEFT JOIN LATERAL (
                SELECT pg_catalog.count(*) OVER () AS n, s.score AS worst,
                       pg_catalog.timezone(@extschema@.report_zone(), s.answered_at)::pg_catalog.date AS last_day
                  FROM @extschema@.source_surveys() AS s
                 WHERE s.client_id = c.client_id AND s.kind = 'nps' AND s.score <= 6
                   AND s.answered_at > asof - interval '30 days' AND s.answered_at <= asof
                 ORDER BY s.score, s.answered_at DESC
                 LIMIT 1) AS det ON true
          LEFT JOIN (
                SELECT d.client_id,
                       pg_catalog.sum(@extschema@.sla_total(d.sla) - @extschema@.sla_met(d.sla)) AS n,
                       pg_catalog.sum(@extschema@.sla_total(d.sla)) AS total
                  FROM @extschema@.scorecard_daily AS d
                 WHERE d.day > pg_catalog.timezone(@extschema@.report_zone(), asof - interval '30 days')::pg_catalog.date
                   AND d.day <= pg_catalog.timezone(@extschema@.report_zone(), asof)::pg_catalog.date
                 GROUP BY d.client_id) AS miss ON miss.client_id = c.client_id
         CROSS JOIN LATERAL (
                SELECT pg_catalog.count(*) AS n, pg_catalog.min(e.opened_at) AS since
                  FROM @extschema@.source_escalations() AS e
                 WHERE e.client_id = c.client_id AND e.opened_at <= asof
                   AND (e.resolved_at IS NULL OR e.resolved_at > asof)) AS esc
         CROSS JOIN LATERAL (
                SELECT pg_catalog.count(*) AS n
                  FROM @extschema@.source_projects() AS p
                 WHERE p.client_id = c.client_id AND p.due_at < asof
                   AND (p.delivered_at IS NULL OR p.delivered_at > asof)
                   AND (p.slip_announced_at IS NULL OR p.slip_announced_at >= p.due_at)) AS slip
         WHERE c.signed_at <= asof AND (c.ended_at IS NULL OR c.ended_at > asof)) AS x
 WHERE x.score > 0
 ORDER BY x.score DESC, x.client_id;
END;

COMMENT ON FUNCTION @extschema@.at_risk_clients_at(pg_catalog.timestamptz) IS
'Clients active at asof with a risk score and its reasons (recent detractor, SLA misses, open escalation, unannounced slip, overdue status update), worst first';

CREATE VIEW @extschema@.at_risk_clients WITH (security_invoker = true) AS
SELECT r.* FROM @extschema@.at_risk_clients_at(pg_catalog.now()) AS r;

COMMENT ON VIEW @extschema@.at_risk_clients IS
'at_risk_clients_at(now()): active clients with a risk score and its reasons, worst first';

-- ---- Privileges ---------------------------------------------------------------------------------------

REVOKE ALL ON @extschema@.scorecard_summaries, @extschema@.scorecard_values,
    @extschema@.client_scorecard, @extschema@.team_scorecard, @extschema@.retention,
    @extschema@.delivery_adherence, @extschema@.deliverable_quality,
    @extschema@.communication_rhythm, @extschema@.complaint_patterns, @extschema@.qa_results,
    @extschema@.at_risk_clients FROM PUBLIC;
GRANT SELECT ON @extschema@.scorecard_summaries, @extschema@.scorecard_values,
    @extschema@.client_scorecard, @extschema@.team_scorecard, @extschema@.retention,
    @extschema@.delivery_adherence, @extschema@.deliverable_quality,
    @extschema@.communication_rhythm, @extschema@.complaint_patterns, @extschema@.qa_results,
    @extschema@.at_risk_clients TO cs_service_bi, cs_service_writer;

-- ---- sla_compliance reads the rollups ----------------------------------------------------------------
-- 0.2.0: the same columns as in 0.1.0, now merged from the daily SLA rollups (finished days) and
-- the raw requests (from the watermark on); periods are local days, ISO weeks and months of the
-- report zone (0.1.0: of the session's time zone).

CREATE OR REPLACE VIEW @extschema@.sla_compliance WITH (security_invoker = true) AS
SELECT 'day'::pg_catalog.text AS grain, x.period, x.period AS day, NULL::pg_catalog.date AS week, NULL::pg_catalog.date AS month,
       x.channel, x.priority, x.team, x.manager, x.client, x.policy, x.metric,
       @extschema@.sla_total(x.summary) AS requests, @extschema@.sla_met(x.summary) AS met,
       @extschema@.sla_total(x.summary) - @extschema@.sla_met(x.summary) AS missed, x.pending,
       @extschema@.sla_pct(x.summary) AS sla_pct,
       (@extschema@.sla_interval(x.summary)).lower AS sla_pct_low,
       (@extschema@.sla_interval(x.summary)).upper AS sla_pct_high,
       pg_catalog.date_part('epoch', @extschema@.percentile(x.durations, 0.5)) / 60 AS median_minutes,
       pg_catalog.date_part('epoch', @extschema@.percentile(x.durations, 0.9)) / 60 AS p90_minutes
  FROM (SELECT d.day AS period,
               d.channel, d.priority, d.team, d.manager, d.client, d.policy, d.metric,
               @extschema@.rollup(d.outcomes) AS summary, @extschema@.rollup(d.durations) AS durations,
               pg_catalog.sum(d.pending)::pg_catalog.int8 AS pending
          FROM @extschema@.sla_daily AS d
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) AS x
UNION ALL
SELECT 'week'::pg_catalog.text AS grain, x.period, NULL::pg_catalog.date AS day, x.period AS week, NULL::pg_catalog.date AS month,
       x.channel, x.priority, x.team, x.manager, x.client, x.policy, x.metric,
       @extschema@.sla_total(x.summary) AS requests, @extschema@.sla_met(x.summary) AS met,
       @extschema@.sla_total(x.summary) - @extschema@.sla_met(x.summary) AS missed, x.pending,
       @extschema@.sla_pct(x.summary) AS sla_pct,
       (@extschema@.sla_interval(x.summary)).lower AS sla_pct_low,
       (@extschema@.sla_interval(x.summary)).upper AS sla_pct_high,
       pg_catalog.date_part('epoch', @extschema@.percentile(x.durations, 0.5)) / 60 AS median_minutes,
       pg_catalog.date_part('epoch', @extschema@.percentile(x.durations, 0.9)) / 60 AS p90_minutes
  FROM (SELECT pg_catalog.date_trunc('week', d.day)::pg_catalog.date AS period,
               d.channel, d.priority, d.team, d.manager, d.client, d.policy, d.metric,
               @extschema@.rollup(d.outcomes) AS summary, @extschema@.rollup(d.durations) AS durations,
               pg_catalog.sum(d.pending)::pg_catalog.int8 AS pending
          FROM @extschema@.sla_daily AS d
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) AS x
UNION ALL
SELECT 'month'::pg_catalog.text AS grain, x.period, NULL::pg_catalog.date AS day, NULL::pg_catalog.date AS week, x.period AS month,
       x.channel, x.priority, x.team, x.manager, x.client, x.policy, x.metric,
       @extschema@.sla_total(x.summary) AS requests, @extschema@.sla_met(x.summary) AS met,
       @extschema@.sla_total(x.summary) - @extschema@.sla_met(x.summary) AS missed, x.pending,
       @extschema@.sla_pct(x.summary) AS sla_pct,
       (@extschema@.sla_interval(x.summary)).lower AS sla_pct_low,
       (@extschema@.sla_interval(x.summary)).upper AS sla_pct_high,
       pg_catalog.date_part('epoch', @extschema@.percentile(x.durations, 0.5)) / 60 AS median_minutes,
       pg_catalog.date_part('epoch', @extschema@.percentile(x.durations, 0.9)) / 60 AS p90_minutes
  FROM (SELECT pg_catalog.date_trunc('month', d.day)::pg_catalog.date AS period,
               d.channel, d.priority, d.team, d.manager, d.client, d.policy, d.metric,
               @extschema@.rollup(d.outcomes) AS summary, @extschema@.rollup(d.durations) AS durations,
               pg_catalog.sum(d.pending)::pg_catalog.int8 AS pending
          FROM @extschema@.sla_daily AS d
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) AS x;
