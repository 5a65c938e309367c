
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
