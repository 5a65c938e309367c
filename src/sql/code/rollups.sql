
-- ============================================================================================
-- The scorecard's daily numbers and their rollups (doc/scorecard.md, "Rollups")
--
-- scorecard_daily_raw() computes the daily rows (cs_service_internal.scorecard_row: the
-- counters) from the raw tables for a time range; rollup_daily keeps them for finished days and
-- rollup_monthly their merge per month; refresh_rollups() keeps both up to date, recomputing only
-- the days whose source rows changed (rollup_queue, filled by triggers) and the days that still
-- hold undecided outcomes.  The views read the rollups for the days before the watermark (the
-- local day refresh_rollups last ran on) and the raw rows from it on.
-- ============================================================================================

-- ---- Each client's calendar and communication rhythm -----------------------------------------
-- The client's policy: clients.policy, else the SLA policy rules for the client (channel and
-- priority unspecified) as of now; no policy: the 24/7 calendar and the default rhythm.

CREATE VIEW cs_service_internal.client_settings WITH (security_invoker = true) AS
-- sla_policy_for(c.client_id, NULL, NULL, now()) for every client in one pass over the rules.  A
-- CTE: joined into the plans of the queries that use this view laterally (the rhythm, the
-- client report), the rules as a joined relation made PostgreSQL 15 fail to plan them ("failed to
-- build any N-way joins").
WITH rules AS MATERIALIZED (SELECT r.client, r.policy FROM cs_service_internal.client_rule_policies(pg_catalog.now()) AS r)
SELECT c.client_id, p.name AS policy,
       coalesce(cal.calendar, p.calendar,
                'UTC; mon-sun 00:00-24:00'::@extschema@.business_calendar) AS calendar,
       coalesce(p.status_every_days, 5) AS status_every_days,
       coalesce(p.meeting_report_within, interval '4 hours') AS meeting_report_within,
       c.signed_at
  FROM cs_service_internal.source_clients() AS c
  LEFT JOIN rules AS own ON own.client = c.client_id
  LEFT JOIN @extschema@.sla_policies AS p
    ON p.name = coalesce(c.policy, own.policy, (SELECT d.policy FROM rules AS d WHERE d.client IS NULL))
  LEFT JOIN @extschema@.calendars AS cal ON cal.name = p.calendar_name;

COMMENT ON VIEW cs_service_internal.client_settings IS
'Each client''s policy, calendar and communication rhythm (status update every N business days, meeting report within an interval of business time)';

-- ---- The counters, as lists of SQL ------------------------------------------------------------------
-- Every list of the counters below (a merge of rows, the columns of a generated view) is made from
-- the attributes of cs_service_internal.scorecard_row, so a counter is named once, there.
--   plain: alias.c, ...                     merge: rollup(alias.c) / sum(alias.c)::int4 (int8) AS c, ...
--   zero:  alias.c / coalesce(alias.c, 0)::int8 AS c, ...   (a row that may be missing: 0, not NULL)
--   total: rollup(alias.c) / sum(alias.c)::int8 AS c, ...   (over the zero form)
CREATE FUNCTION cs_service_internal.counter_list(alias pg_catalog.text, how pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result text;
BEGIN
    IF how IS NULL OR how NOT IN ('plain', 'merge', 'zero', 'total') THEN
        RAISE EXCEPTION 'unknown counter list form "%"', how
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The forms are plain, merge, zero and total.';
    END IF;
    SELECT string_agg(
               CASE
                   WHEN how = 'plain' THEN format('%s.%I', alias, a.attname)
                   WHEN a.atttypid NOT IN ('pg_catalog.int4'::regtype, 'pg_catalog.int8'::regtype) AND how = 'zero'
                       THEN format('%s.%I', alias, a.attname)
                   WHEN a.atttypid NOT IN ('pg_catalog.int4'::regtype, 'pg_catalog.int8'::regtype)
                       THEN format('@extschema@.rollup(%s.%I) AS %I', alias, a.attname, a.attname)
                   WHEN how = 'merge'
                       THEN format('pg_catalog.sum(%s.%I)::%s AS %I', alias, a.attname,
                                   pg_catalog.format_type(a.atttypid, NULL), a.attname)
                   WHEN how = 'zero'
                       THEN format('coalesce(%s.%I, 0)::pg_catalog.int8 AS %I', alias, a.attname, a.attname)
                   ELSE format('pg_catalog.sum(%s.%I)::pg_catalog.int8 AS %I', alias, a.attname, a.attname)
               END, ', ' ORDER BY a.attnum)
      INTO result
      FROM pg_attribute AS a
     WHERE a.attrelid = 'cs_service_internal.scorecard_row'::regclass
       AND a.attnum > 2 AND NOT a.attisdropped;
    RETURN result;
END
$$;

COMMENT ON FUNCTION cs_service_internal.counter_list(pg_catalog.text, pg_catalog.text) IS
'The scorecard counters (attributes of scorecard_row after period and client_id) as a list of SQL expressions over alias';

-- ---- The daily rows from raw data --------------------------------------------------------------
-- Rows for the events in [lo, hi): requests opened, surveys answered, projects and deliverables
-- delivered, escalations opened, complaints raised, activities done in the range, each counted
-- on its own local day.  Undecided items (an SLA outcome, a meeting report not yet due) are
-- counted as pending and decided by a later refresh.  The SLA columns merge sla_daily_raw()'s
-- rows; sla_from_rollup => true takes those rows from rollup_sla_daily instead, so that
-- refresh_rollups(), which has just stored them, does not run the SLA clocks twice.

CREATE FUNCTION cs_service_internal.scorecard_daily_raw(
    lo pg_catalog.timestamptz, hi pg_catalog.timestamptz, sla_from_rollup pg_catalog.bool DEFAULT false)
RETURNS SETOF cs_service_internal.scorecard_row
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan   -- planned once per session, not on every call
AS $$
BEGIN
    PERFORM cs_service_internal.citus_plan_per_call();
    RETURN QUERY
    WITH z AS MATERIALIZED (SELECT @extschema@.report_zone() AS zone, pg_catalog.now() AS asof),
    sla AS (
        SELECT o.day, o.client AS client_id,
               @extschema@.rollup(o.outcomes) AS sla,
               pg_catalog.sum(o.pending)::pg_catalog.int4 AS sla_pending,
               @extschema@.rollup(o.outcomes) FILTER (WHERE o.metric = 'first_response') AS response,
               @extschema@.rollup(o.durations) FILTER (WHERE o.metric = 'first_response') AS first_response
          FROM (SELECT r.* FROM cs_service_internal.sla_daily_raw(lo, hi) AS r WHERE NOT sla_from_rollup
                UNION ALL
                SELECT r.* FROM cs_service_internal.rollup_sla_daily AS r, z
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
          FROM cs_service_internal.source_surveys() AS s, z
         WHERE s.answered_at >= lo AND s.answered_at < hi
         GROUP BY 1, 2),
    prj AS (
        SELECT pg_catalog.timezone(z.zone, p.delivered_at)::pg_catalog.date AS day, p.client_id,
               pg_catalog.count(*)::pg_catalog.int4 AS projects_delivered,
               pg_catalog.count(*) FILTER (WHERE p.delivered_at <= p.due_at)::pg_catalog.int4 AS projects_on_time,
               pg_catalog.count(*) FILTER (WHERE p.spent <= p.budget)::pg_catalog.int4 AS projects_within_budget
          FROM cs_service_internal.source_projects() AS p, z
         WHERE p.delivered_at >= lo AND p.delivered_at < hi
         GROUP BY 1, 2),
    dlv AS (
        SELECT pg_catalog.timezone(z.zone, d.delivered_at)::pg_catalog.date AS day, p.client_id,
               pg_catalog.count(*)::pg_catalog.int4 AS deliverables,
               pg_catalog.count(*) FILTER (WHERE d.passed_verification)::pg_catalog.int4 AS deliverables_passed
          FROM cs_service_internal.source_deliverables() AS d
          JOIN cs_service_internal.source_projects() AS p ON p.project_id = d.project_id, z
         WHERE d.delivered_at >= lo AND d.delivered_at < hi
         GROUP BY 1, 2),
    esc AS (
        SELECT pg_catalog.timezone(z.zone, e.opened_at)::pg_catalog.date AS day, e.client_id,
               pg_catalog.count(*)::pg_catalog.int4 AS escalations
          FROM cs_service_internal.source_escalations() AS e, z
         WHERE e.opened_at >= lo AND e.opened_at < hi
         GROUP BY 1, 2),
    cmp AS (
        SELECT pg_catalog.timezone(z.zone, c.raised_at)::pg_catalog.date AS day, c.client_id,
               pg_catalog.count(*)::pg_catalog.int4 AS complaints
          FROM cs_service_internal.source_complaints() AS c, z
         WHERE c.raised_at >= lo AND c.raised_at < hi
         GROUP BY 1, 2),
    -- every activity once, with its rhythm verdict: a meeting's report is due
    -- meeting_report_within business time after it; a status update is on time when it comes
    -- within status_every_days business days of the previous one (the first one: of the
    -- signing), as communication_rhythm_at() reckons it.  No verdict for other kinds, nor for a
    -- client without settings.  (One pass, no CTE used twice: on Citus the lateral lookup of the
    -- previous status update then joins on the shards.)
    act AS (
        SELECT pg_catalog.timezone(z.zone, a.at)::pg_catalog.date AS day, a.client_id, q.passed,
               CASE WHEN cs.client_id IS NULL THEN NULL
                    WHEN a.kind = 'meeting' THEN
                        CASE WHEN a.report_sent_at <= due.at THEN 'on_time'
                             WHEN a.report_sent_at IS NOT NULL OR due.at <= z.asof THEN 'late'
                             ELSE 'pending' END
                    WHEN a.kind = 'status' THEN
                        CASE WHEN a.at <= @extschema@.business_days_add(coalesce(prev.at, cs.signed_at),
                                                                       cs.status_every_days, cs.calendar)
                             THEN 'on_time' ELSE 'late' END
               END AS verdict
          FROM cs_service_internal.source_activities() AS a
          LEFT JOIN cs_service_internal.source_qa_reviews() AS q ON q.activity_id = a.activity_id
         CROSS JOIN z
          LEFT JOIN cs_service_internal.client_settings AS cs
            ON cs.client_id = a.client_id AND a.kind IN ('meeting', 'status')
          -- (OFFSET 0: computed once per meeting, not once per use)
         CROSS JOIN LATERAL (
                SELECT CASE WHEN a.kind = 'meeting'
                            THEN @extschema@.business_add(a.at, cs.meeting_report_within, cs.calendar)
                       END AS at
                OFFSET 0) AS due
          LEFT JOIN LATERAL (
                SELECT pg_catalog.max(p.at) AS at
                  FROM cs_service_internal.source_activities() AS p
                 WHERE p.client_id = a.client_id AND p.kind = 'status' AND p.at < a.at
                   AND a.kind = 'status') AS prev ON true
         WHERE a.at >= lo AND a.at < hi),
    acts AS (
        SELECT a.day, a.client_id,
               pg_catalog.count(*)::pg_catalog.int4 AS activities,
               pg_catalog.count(a.passed)::pg_catalog.int4 AS qa_reviewed,
               pg_catalog.count(*) FILTER (WHERE a.passed)::pg_catalog.int4 AS qa_passed,
               pg_catalog.count(a.verdict) FILTER (WHERE a.verdict <> 'pending')::pg_catalog.int4 AS rhythm_due,
               pg_catalog.count(*) FILTER (WHERE a.verdict = 'on_time')::pg_catalog.int4 AS rhythm_on_time,
               pg_catalog.count(*) FILTER (WHERE a.verdict = 'pending')::pg_catalog.int4 AS rhythm_pending
          FROM act AS a
         GROUP BY 1, 2),
    -- the business time the requests opened in the range waited on each party, up to now for
    -- a wait still running (counted in waits_running: their days are looked at again; other
    -- waits change only by an event, which queues the day)
    wts AS (
        SELECT pg_catalog.timezone(z.zone, rc.opened_at)::pg_catalog.date AS day, rc.client AS client_id,
               pg_catalog.sum(EXTRACT(epoch FROM @extschema@.waited_time(rc.clock, 'client')) * 1000000)::pg_catalog.int8
                   AS waited_client_us,
               pg_catalog.sum(EXTRACT(epoch FROM @extschema@.waited_time(rc.clock, 'third_party')) * 1000000)::pg_catalog.int8
                   AS waited_third_party_us,
               pg_catalog.sum(EXTRACT(epoch FROM @extschema@.waited_time(rc.clock, 'internal')) * 1000000)::pg_catalog.int8
                   AS waited_internal_us,
               pg_catalog.count(*) FILTER (WHERE @extschema@.waiting_on(rc.clock) IS NOT NULL)::pg_catalog.int4 AS waits_running
          FROM cs_service_internal.sla_request_clocks AS rc, z
         WHERE rc.opened_at >= lo AND rc.opened_at < hi AND rc.opened_at <= z.asof AND rc.client IS NOT NULL
         GROUP BY 1, 2),
    keys AS (
        SELECT k.day, k.client_id FROM wts AS k
        UNION SELECT k.day, k.client_id FROM sla AS k
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
           coalesce(acts.rhythm_pending, 0),
           coalesce(wts.waited_client_us, 0), coalesce(wts.waited_third_party_us, 0),
           coalesce(wts.waited_internal_us, 0), coalesce(wts.waits_running, 0)
      FROM keys AS k
      LEFT JOIN wts ON wts.day = k.day AND wts.client_id = k.client_id
      LEFT JOIN sla ON sla.day = k.day AND sla.client_id = k.client_id
      LEFT JOIN srv ON srv.day = k.day AND srv.client_id = k.client_id
      LEFT JOIN prj ON prj.day = k.day AND prj.client_id = k.client_id
      LEFT JOIN dlv ON dlv.day = k.day AND dlv.client_id = k.client_id
      LEFT JOIN esc ON esc.day = k.day AND esc.client_id = k.client_id
      LEFT JOIN cmp ON cmp.day = k.day AND cmp.client_id = k.client_id
      LEFT JOIN acts ON acts.day = k.day AND acts.client_id = k.client_id;
END
$$;

COMMENT ON FUNCTION cs_service_internal.scorecard_daily_raw(pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.bool) IS
'The scorecard''s daily rows (local day of the report zone x client) computed from the raw tables for the events in [lo, hi)';

-- ---- The daily and monthly rows the views read -------------------------------------------------------
-- scorecard_daily: rollup_daily before the watermark, raw rows from it on.  scorecard_monthly:
-- rollup_monthly before the watermark, plus the raw days from it on; only the (month, client)
-- rows with raw days are merged again, the others are read as stored.  scorecard_monthly_raw:
-- the same from the raw tables alone (slow; what the rollups must equal).  Their column lists
-- are generated from the counters.
DO $do$
DECLARE
    from_watermark constant text :=
        'coalesce((SELECT pg_catalog.timezone(@extschema@.report_zone(), s.watermark::pg_catalog.timestamp) '
        'FROM cs_service_internal.rollup_state AS s), ''-infinity'')';
BEGIN
    EXECUTE format($v$
        CREATE VIEW cs_service_internal.scorecard_daily WITH (security_invoker = true) AS
        SELECT d.period AS day, d.client_id, %1$s
          FROM cs_service_internal.rollup_daily AS d
         WHERE d.period < (SELECT s.watermark FROM cs_service_internal.rollup_state AS s)
        UNION ALL
        SELECT r.period, r.client_id, %2$s
          FROM cs_service_internal.scorecard_daily_raw(%3$s, 'infinity') AS r
        $v$, cs_service_internal.counter_list('d', 'plain'), cs_service_internal.counter_list('r', 'plain'),
        from_watermark);
    EXECUTE format($v$
        CREATE VIEW cs_service_internal.scorecard_monthly WITH (security_invoker = true) AS
        WITH raw AS MATERIALIZED (
            SELECT pg_catalog.date_trunc('month', r.period)::pg_catalog.date AS period, r.client_id, %1$s
              FROM cs_service_internal.scorecard_daily_raw(%4$s, 'infinity') AS r),
        rolled AS NOT MATERIALIZED (
            SELECT m.* FROM cs_service_internal.rollup_monthly AS m
             WHERE m.period < (SELECT s.watermark FROM cs_service_internal.rollup_state AS s))
        SELECT m.period AS month, m.client_id, %2$s
          FROM rolled AS m
         WHERE NOT EXISTS (SELECT FROM raw AS r WHERE r.period = m.period AND r.client_id = m.client_id)
        UNION ALL
        SELECT x.period, x.client_id, %3$s
          FROM (SELECT m.* FROM rolled AS m
                 WHERE EXISTS (SELECT FROM raw AS r WHERE r.period = m.period AND r.client_id = m.client_id)
                UNION ALL
                SELECT r.* FROM raw AS r) AS x
         GROUP BY x.period, x.client_id
        $v$, cs_service_internal.counter_list('r', 'plain'), cs_service_internal.counter_list('m', 'plain'),
        cs_service_internal.counter_list('x', 'merge'), from_watermark);
    EXECUTE format($v$
        CREATE VIEW cs_service_internal.scorecard_monthly_raw WITH (security_invoker = true) AS
        SELECT pg_catalog.date_trunc('month', r.period)::pg_catalog.date AS month, r.client_id, %1$s
          FROM cs_service_internal.scorecard_daily_raw('-infinity', 'infinity') AS r
         GROUP BY 1, 2
        $v$, cs_service_internal.counter_list('r', 'merge'));
END
$do$;

COMMENT ON VIEW cs_service_internal.scorecard_daily IS
'The scorecard''s daily rows: from rollup_daily before the watermark, from the raw tables from it on';
COMMENT ON VIEW cs_service_internal.scorecard_monthly IS
'The scorecard''s monthly rows per client: rollup_monthly before the watermark plus the raw days from it on';
COMMENT ON VIEW cs_service_internal.scorecard_monthly_raw IS
'scorecard_monthly recomputed from the raw tables alone (slow; for checks)';

-- ---- The queue: which (day, client) rows changed ----------------------------------------------
-- Statement-level triggers on every source table add the local day and client of each row
-- written, old and new.  A status update also marks the day of the client's next status update
-- (its lateness is measured from this one).  SECURITY DEFINER: whoever may write the source
-- tables may mark days, and nothing else.  The trigger names its table in its argument, not
-- through TG_TABLE_NAME: on a Citus worker the trigger fires on a shard (requests_102008).

CREATE FUNCTION cs_service_internal.rollup_enqueue()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    src text;
    tbl text;
BEGIN
    PERFORM cs_service_internal.citus_refuse_shard_write(TG_TABLE_SCHEMA, TG_TABLE_NAME, 'the rollup queue');
    src := CASE TG_ARGV[0]
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
    IF src IS NULL THEN
        RAISE EXCEPTION 'cs_service_internal.rollup_enqueue() does not know the table %', TG_ARGV[0]
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('The trigger %s fired on %s.', TG_NAME, TG_RELID::regclass),
                  HINT = 'The rollup triggers are created by the extension; do not attach this function to other tables.';
    END IF;
    FOREACH tbl IN ARRAY CASE TG_OP WHEN 'INSERT' THEN ARRAY['new_rows']
                                     WHEN 'DELETE' THEN ARRAY['old_rows']
                                     ELSE ARRAY['new_rows', 'old_rows'] END LOOP
        EXECUTE format('INSERT INTO cs_service_internal.rollup_queue (day, client_id) '
                       'SELECT DISTINCT pg_catalog.timezone($1, s.at)::pg_catalog.date, s.client_id '
                       'FROM (' || src || ') AS s', tbl)
            USING @extschema@.report_zone();
    END LOOP;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['surveys', 'projects', 'deliverables', 'escalations', 'complaints',
                             'activities', 'qa_reviews', 'requests', 'request_events'] LOOP
        EXECUTE format('CREATE TRIGGER rollup_enqueue_insert AFTER INSERT ON @extschema@.%I '
                       'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION cs_service_internal.rollup_enqueue(%1$L)', t);
        EXECUTE format('CREATE TRIGGER rollup_enqueue_update AFTER UPDATE ON @extschema@.%I '
                       'REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION cs_service_internal.rollup_enqueue(%1$L)', t);
        EXECUTE format('CREATE TRIGGER rollup_enqueue_delete AFTER DELETE ON @extschema@.%I '
                       'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION cs_service_internal.rollup_enqueue(%1$L)', t);
    END LOOP;
END
$$;

-- A project that is deleted or moves to another client takes its deliverables' days with it
-- (by the time a statement-level trigger on deliverables runs, the project row is gone).
CREATE FUNCTION cs_service_internal.rollup_enqueue_project_deliverables()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM cs_service_internal.citus_refuse_shard_write(TG_TABLE_SCHEMA, TG_TABLE_NAME, 'the rollup queue');
    INSERT INTO cs_service_internal.rollup_queue (day, client_id)
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

CREATE TRIGGER rollup_enqueue_project_deliverables
    BEFORE DELETE OR UPDATE OF client_id ON @extschema@.projects
    FOR EACH ROW EXECUTE FUNCTION cs_service_internal.rollup_enqueue_project_deliverables();

-- A client's first status update is graded from the signing: a new signed_at re-grades that day.
CREATE FUNCTION cs_service_internal.rollup_enqueue_client_signing()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM cs_service_internal.citus_refuse_shard_write(TG_TABLE_SCHEMA, TG_TABLE_NAME, 'the rollup queue');
    INSERT INTO cs_service_internal.rollup_queue (day, client_id)
    SELECT pg_catalog.timezone(@extschema@.report_zone(), pg_catalog.min(a.at))::pg_catalog.date,
           NEW.client_id
      FROM @extschema@.activities AS a
     WHERE a.client_id = NEW.client_id AND a.kind = 'status'
    HAVING pg_catalog.min(a.at) IS NOT NULL;
    RETURN NULL;
END
$$;

CREATE TRIGGER rollup_enqueue_client_signing AFTER UPDATE OF signed_at ON @extschema@.clients
    FOR EACH ROW WHEN (OLD.signed_at IS DISTINCT FROM NEW.signed_at)
    EXECUTE FUNCTION cs_service_internal.rollup_enqueue_client_signing();

-- A new reporting zone cuts days differently: the rollups start over.
-- So do changes that re-grade every day: a calendar, an SLA policy, target or rule, a client's
-- policy, a binding, and a TRUNCATE of a source table (no rows to queue).  The rollups are
-- emptied and the watermark cleared: the views read raw rows (slower, never stale) until the
-- next refresh_rollups() rebuilds them.
CREATE FUNCTION cs_service_internal.rollups_reset()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF (SELECT s.watermark FROM cs_service_internal.rollup_state AS s) IS NULL THEN
        RETURN;    -- nothing rolled up yet
    END IF;
    PERFORM pg_advisory_xact_lock(pg_catalog.hashtext('cs_service.refresh_rollups'));
    DELETE FROM cs_service_internal.rollup_daily;
    DELETE FROM cs_service_internal.rollup_monthly;
    DELETE FROM cs_service_internal.rollup_sla_daily;
    DELETE FROM cs_service_internal.rollup_sla_monthly;
    DELETE FROM cs_service_internal.rollup_team_monthly;
    DELETE FROM cs_service_internal.rollup_team_clients;
    DELETE FROM cs_service_internal.rollup_queue;      -- the rebuild queues the days from today on
    UPDATE cs_service_internal.rollup_state SET watermark = NULL;
END
$$;

CREATE FUNCTION cs_service_internal.rollup_reset()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF cs_service_internal.citus_shard_of(TG_TABLE_SCHEMA, TG_TABLE_NAME) = '@extschema@.sla_bindings'::pg_catalog.regclass THEN
        RETURN NULL;    -- on Citus: sla_bind() and sla_unbind() reset on the coordinator
    END IF;
    PERFORM cs_service_internal.citus_refuse_shard_write(TG_TABLE_SCHEMA, TG_TABLE_NAME, 'the rollups');
    PERFORM cs_service_internal.rollups_reset();
    RETURN NULL;
END
$$;

CREATE TRIGGER rollup_reset AFTER UPDATE OF zone ON @extschema@.report_settings
    FOR EACH ROW WHEN (OLD.zone IS DISTINCT FROM NEW.zone)
    EXECUTE FUNCTION cs_service_internal.rollup_reset();
CREATE TRIGGER rollup_reset AFTER UPDATE OR DELETE ON @extschema@.calendars
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.rollup_reset();
CREATE TRIGGER rollup_reset AFTER UPDATE OR DELETE ON @extschema@.sla_policies
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.rollup_reset();
CREATE TRIGGER rollup_reset AFTER INSERT OR UPDATE OR DELETE ON @extschema@.sla_targets
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.rollup_reset();
CREATE TRIGGER rollup_reset AFTER INSERT OR UPDATE OR DELETE ON @extschema@.sla_policy_rules
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.rollup_reset();
CREATE TRIGGER rollup_reset AFTER INSERT OR UPDATE OR DELETE ON @extschema@.sla_bindings
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.rollup_reset();
CREATE TRIGGER rollup_reset AFTER UPDATE OF policy ON @extschema@.clients
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.rollup_reset();

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['clients', 'surveys', 'projects', 'deliverables', 'escalations',
                             'complaints', 'activities', 'qa_reviews', 'requests',
                             'request_events'] LOOP
        EXECUTE format('CREATE TRIGGER rollup_reset_truncate AFTER TRUNCATE ON @extschema@.%I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.rollup_reset()', t);
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

-- On Citus a run rewrites shards of the distributed rollup tables and reads them again in the
-- same transaction, which Citus allows only over one connection per worker: the setting below
-- (a placeholder, without effect, where Citus is not loaded).
CREATE FUNCTION @extschema@.refresh_rollups(rebuild pg_catalog.bool DEFAULT false)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET citus.multi_shard_modify_mode = 'sequential'
AS $$
DECLARE
    zone text := @extschema@.report_zone();
    today date;
    d date;
    n bigint := 0;
    mark date;
    months date[];
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('cs_service.refresh_rollups'));
    today := timezone(zone, now())::date;
    SELECT s.watermark INTO mark FROM cs_service_internal.rollup_state AS s FOR UPDATE;

    IF to_regclass('pg_temp.cs_rollup_work') IS NOT NULL THEN   -- (a failed earlier call in
        DROP TABLE pg_temp.cs_rollup_work;                       -- this transaction's savepoint)
    END IF;
    IF to_regclass('pg_temp.cs_rollup_months') IS NOT NULL THEN
        DROP TABLE pg_temp.cs_rollup_months;
    END IF;
    IF to_regclass('pg_temp.cs_rollup_sla_old') IS NOT NULL THEN
        DROP TABLE pg_temp.cs_rollup_sla_old;
    END IF;
    IF to_regclass('pg_temp.cs_rollup_sla_months') IS NOT NULL THEN
        DROP TABLE pg_temp.cs_rollup_sla_months;
    END IF;
    IF to_regclass('pg_temp.cs_rollup_sla_keys') IS NOT NULL THEN
        DROP TABLE pg_temp.cs_rollup_sla_keys;
    END IF;
    CREATE TEMP TABLE cs_rollup_work (day date NOT NULL, client_id text) ON COMMIT DROP;
    -- the (month, client) groups of rollup_sla_monthly whose daily SLA rows changed
    CREATE TEMP TABLE cs_rollup_sla_months (month date NOT NULL, client text) ON COMMIT DROP;

    IF rebuild OR mark IS NULL THEN
        -- everything before today, from scratch
        DELETE FROM cs_service_internal.rollup_queue AS q WHERE q.day < today;
        DELETE FROM cs_service_internal.rollup_daily;
        DELETE FROM cs_service_internal.rollup_monthly;
        DELETE FROM cs_service_internal.rollup_sla_daily;
        DELETE FROM cs_service_internal.rollup_sla_monthly;
        INSERT INTO cs_service_internal.rollup_sla_daily
        SELECT r.* FROM cs_service_internal.sla_daily_raw('-infinity', timezone(zone, today::timestamp)) AS r;
        INSERT INTO cs_service_internal.rollup_sla_monthly
        SELECT date_trunc('month', r.day::timestamp)::date, r.channel, r.priority, r.team, r.manager,
               r.client, r.policy, r.metric, @extschema@.rollup(r.outcomes), @extschema@.rollup(r.durations),
               sum(r.pending)::bigint
          FROM cs_service_internal.rollup_sla_daily AS r
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
        INSERT INTO cs_service_internal.rollup_daily
        SELECT r.* FROM cs_service_internal.scorecard_daily_raw(
                   '-infinity', timezone(zone, today::timestamp), sla_from_rollup => true) AS r;
        GET DIAGNOSTICS n = ROW_COUNT;
        -- the days from today on are rolled up by later runs: make sure they are queued (after
        -- a reset the queue is empty, and rows written before 0.2.0 were never queued)
        INSERT INTO cs_service_internal.rollup_queue (day, client_id)
        SELECT r.period, r.client_id FROM cs_service_internal.scorecard_daily_raw(timezone(zone, today::timestamp), 'infinity') AS r
        UNION
        SELECT r.day, NULL FROM cs_service_internal.sla_daily_raw(timezone(zone, today::timestamp), 'infinity') AS r;
        INSERT INTO pg_temp.cs_rollup_work
        SELECT DISTINCT date_trunc('month', r.period)::date, r.client_id FROM cs_service_internal.rollup_daily AS r;
    ELSE
        -- the days whose rows changed, and the days with undecided items
        WITH taken AS (
            DELETE FROM cs_service_internal.rollup_queue AS q WHERE q.day < today
            RETURNING q.day, q.client_id)
        INSERT INTO pg_temp.cs_rollup_work SELECT DISTINCT t.day, t.client_id FROM taken AS t;
        INSERT INTO pg_temp.cs_rollup_work
        SELECT r.period, r.client_id FROM cs_service_internal.rollup_daily AS r
         WHERE r.sla_pending > 0 OR r.rhythm_pending > 0 OR r.waits_running > 0
        UNION
        SELECT DISTINCT r.day, NULL FROM cs_service_internal.rollup_sla_daily AS r WHERE r.pending > 0;

        CREATE TEMP TABLE cs_rollup_sla_old (client text, r text) ON COMMIT DROP;
        FOR d IN SELECT DISTINCT w.day FROM pg_temp.cs_rollup_work AS w ORDER BY 1 LOOP
            -- the day's SLA outcomes, every client; the clients whose rows differ from the
            -- stored ones have their month merged again below (a day re-examined for its
            -- undecided outcomes usually changes nothing, and then costs no merge)
            DELETE FROM pg_temp.cs_rollup_sla_old;
            WITH gone AS (DELETE FROM cs_service_internal.rollup_sla_daily AS r WHERE r.day = d RETURNING r.*)
            INSERT INTO pg_temp.cs_rollup_sla_old SELECT g.client, g::text FROM gone AS g;
            WITH added AS (
                INSERT INTO cs_service_internal.rollup_sla_daily
                SELECT x.* FROM cs_service_internal.sla_daily_raw(timezone(zone, d::timestamp),
                                                          timezone(zone, (d + 1)::timestamp)) AS x
                RETURNING *),
            new_rows AS (SELECT a.client, a::text AS r FROM added AS a)
            INSERT INTO pg_temp.cs_rollup_sla_months
            SELECT DISTINCT date_trunc('month', d::timestamp)::date, c.client
              FROM ((SELECT o.client, o.r FROM pg_temp.cs_rollup_sla_old AS o
                     EXCEPT ALL SELECT n.client, n.r FROM new_rows AS n)
                    UNION ALL
                    (SELECT n.client, n.r FROM new_rows AS n
                     EXCEPT ALL SELECT o.client, o.r FROM pg_temp.cs_rollup_sla_old AS o)) AS c;
            -- the day's scorecard rows of the clients whose rows changed
            DELETE FROM cs_service_internal.rollup_daily AS r
             USING pg_temp.cs_rollup_work AS w
             WHERE w.day = d AND r.period = d AND r.client_id = w.client_id;
            INSERT INTO cs_service_internal.rollup_daily
            SELECT x.*
              FROM cs_service_internal.scorecard_daily_raw(timezone(zone, d::timestamp),
                                                   timezone(zone, (d + 1)::timestamp),
                                                   sla_from_rollup => true) AS x
             WHERE x.client_id IN (SELECT w.client_id FROM pg_temp.cs_rollup_work AS w WHERE w.day = d);
        END LOOP;
        DROP TABLE pg_temp.cs_rollup_sla_old;
        SELECT count(DISTINCT (w.day, w.client_id)) INTO n FROM pg_temp.cs_rollup_work AS w;
    END IF;

    -- the months those days fall in are summed again
    CREATE TEMP TABLE cs_rollup_months ON COMMIT DROP AS
    SELECT DISTINCT date_trunc('month', w.day)::date AS month, w.client_id FROM pg_temp.cs_rollup_work AS w;
    DELETE FROM cs_service_internal.rollup_monthly AS m
     USING pg_temp.cs_rollup_months AS k
     WHERE m.period = k.month AND m.client_id = k.client_id;
    -- (the daily rows read by the primary key's period range of the months concerned, not all)
    EXECUTE format('INSERT INTO cs_service_internal.rollup_monthly '
                   'SELECT pg_catalog.date_trunc(''month'', r.period)::pg_catalog.date, r.client_id, %s '
                   'FROM cs_service_internal.rollup_daily AS r '
                   'JOIN pg_temp.cs_rollup_months AS k ON r.client_id = k.client_id '
                   'AND r.period >= k.month AND r.period < (k.month + interval ''1 month'')::pg_catalog.date '
                   'WHERE r.period >= (SELECT pg_catalog.min(k.month) FROM pg_temp.cs_rollup_months AS k) '
                   'AND r.period < (SELECT pg_catalog.max(k.month) + interval ''1 month'' FROM pg_temp.cs_rollup_months AS k) '
                   'GROUP BY 1, 2', cs_service_internal.counter_list('r', 'merge'));

    -- the monthly SLA rows of the (month, client) groups whose days changed, merged again from
    -- the days (a client's month by the (client, day) index; requests without a client as one
    -- more group)
    IF EXISTS (SELECT FROM pg_temp.cs_rollup_sla_months) THEN
        CREATE TEMP TABLE cs_rollup_sla_keys ON COMMIT DROP AS
        SELECT DISTINCT k.month, k.client FROM pg_temp.cs_rollup_sla_months AS k;
        ANALYZE pg_temp.cs_rollup_sla_keys;
        -- (the monthly rows read by the month index, only the months concerned)
        DELETE FROM cs_service_internal.rollup_sla_monthly AS m
         USING pg_temp.cs_rollup_sla_keys AS k
         WHERE m.month = k.month AND m.client = k.client
           AND m.month >= (SELECT min(k.month) FROM pg_temp.cs_rollup_sla_keys AS k)
           AND m.month <= (SELECT max(k.month) FROM pg_temp.cs_rollup_sla_keys AS k);
        DELETE FROM cs_service_internal.rollup_sla_monthly AS m
         USING pg_temp.cs_rollup_sla_keys AS k
         WHERE m.month = k.month AND m.client IS NULL AND k.client IS NULL;
        INSERT INTO cs_service_internal.rollup_sla_monthly
        SELECT k.month, r.channel, r.priority, r.team, r.manager, r.client, r.policy, r.metric,
               @extschema@.rollup(r.outcomes), @extschema@.rollup(r.durations), sum(r.pending)::bigint
          FROM pg_temp.cs_rollup_sla_keys AS k
         CROSS JOIN LATERAL (
                SELECT d.* FROM cs_service_internal.rollup_sla_daily AS d
                 WHERE d.client = k.client
                   AND d.day >= k.month AND d.day < (k.month + interval '1 month')::date
                UNION ALL
                SELECT d.* FROM cs_service_internal.rollup_sla_daily AS d
                 WHERE k.client IS NULL AND d.client IS NULL
                   AND d.day >= k.month AND d.day < (k.month + interval '1 month')::date) AS r
         GROUP BY k.month, 2, 3, 4, 5, 6, 7, 8;
        DROP TABLE pg_temp.cs_rollup_sla_keys;
    END IF;

    UPDATE cs_service_internal.rollup_state SET watermark = today, refreshed_at = now(), days_done = n;

    -- the manager and team rows of the closed months (before today's), merged from the client
    -- months now that the watermark is today (scorecard_groups_live reads them as the views will):
    -- every closed month after a rebuild or when a client's assignment differs from the one the
    -- rows were merged under, else the months whose client months changed and those closed since
    -- the last run
    IF rebuild OR mark IS NULL
       OR (SELECT b.closed_before FROM cs_service_internal.rollup_team_bound AS b) IS NULL THEN
        DELETE FROM cs_service_internal.rollup_team_monthly;
        DELETE FROM cs_service_internal.rollup_team_clients;
        INSERT INTO cs_service_internal.rollup_team_clients
        SELECT c.client_id, c.manager, c.team, c.signed_at, c.ended_at
          FROM cs_service_internal.source_clients() AS c;
        INSERT INTO cs_service_internal.rollup_team_monthly
        SELECT g.* FROM cs_service_internal.scorecard_groups_live AS g
         WHERE g.month < date_trunc('month', today::timestamp)::date;
    ELSE
        months := ARRAY(SELECT k.month FROM pg_temp.cs_rollup_months AS k
                         WHERE k.month < date_trunc('month', today::timestamp)::date
                        UNION
                        SELECT generate_series(date_trunc('month', mark::timestamp),
                                               date_trunc('month', today::timestamp) - interval '1 month',
                                               interval '1 month')::date);
        IF cardinality(months) > 0 THEN
            DELETE FROM cs_service_internal.rollup_team_monthly AS t WHERE t.month = ANY (months);
            INSERT INTO cs_service_internal.rollup_team_monthly
            SELECT g.* FROM cs_service_internal.scorecard_groups_live AS g WHERE g.month = ANY (months);
        END IF;
    END IF;

    DROP TABLE pg_temp.cs_rollup_work;
    DROP TABLE pg_temp.cs_rollup_months;
    DROP TABLE pg_temp.cs_rollup_sla_months;
    RETURN n;
END
$$;

COMMENT ON FUNCTION @extschema@.refresh_rollups(pg_catalog.bool) IS
'Brings rollup_daily and rollup_monthly up to yesterday (report zone): recomputes the days whose rows changed and the days with undecided items (rebuild => true: everything); returns the (day, client) rows recomputed';

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
    INSERT INTO cs_service_internal.rollup_queue (day, client_id)
    SELECT d::date, c.client_id
      FROM generate_series(date_trunc('day', timezone(zone, "from")),
                           timezone(zone, "to" - interval '1 microsecond'), interval '1 day') AS d
     CROSS JOIN (SELECT s.client_id FROM cs_service_internal.source_clients() AS s
                  WHERE rollups_invalidate.client_id IS NULL OR s.client_id = rollups_invalidate.client_id
                 UNION ALL SELECT NULL) AS c;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

COMMENT ON FUNCTION @extschema@.rollups_invalidate(pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.text) IS
'Mark the local days of [from, to) (of one client, or all) for the next refresh_rollups(): for sources bound to a CRM, whose writes the rollup triggers cannot see';

