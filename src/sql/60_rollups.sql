
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
