
-- ============================================================================================
-- The agency scorecard (doc/scorecard.md).  Flat, typed, security_invoker views a BI tool can
-- chart; months are local calendar months of the report zone (report_settings.zone).
-- ============================================================================================

-- ---- Summaries per client, manager and team ----------------------------------------------------
-- One row per level ('client', 'manager', 'team'), month and key, holding the counters the
-- scores are computed from (generated from cs_service_internal.scorecard_row: a client month
-- without a row counts 0).  A client is listed for every month it was a client in (signed before
-- the month ended, not ended before it began), up to the current month.  Managers and teams are
-- the clients' current assignment (clients.manager, clients.team).
--
-- scorecard_groups_live merges the client months into the manager and team rows;
-- scorecard_summaries reads them from rollup_team_monthly (merged by refresh_rollups() with the
-- same view) for the closed months, those before the watermark's, while the clients are assigned
-- as they were then (rollup_team_bound), and from scorecard_groups_live for the other months.

-- The month before which rollup_team_monthly's rows hold: the watermark's month, or NULL (every
-- month merged live) when no rollups exist or a client's manager, team, signing or end differs
-- from rollup_team_clients (until the next refresh_rollups() merges the months again).
CREATE VIEW cs_service_internal.rollup_team_bound WITH (security_invoker = true) AS
SELECT CASE WHEN NOT EXISTS (
                (SELECT c.client_id, c.manager, c.team, c.signed_at, c.ended_at
                   FROM cs_service_internal.source_clients() AS c
                 EXCEPT ALL
                 SELECT k.client_id, k.manager, k.team, k.signed_at, k.ended_at
                   FROM cs_service_internal.rollup_team_clients AS k)
                UNION ALL
                (SELECT k.client_id, k.manager, k.team, k.signed_at, k.ended_at
                   FROM cs_service_internal.rollup_team_clients AS k
                 EXCEPT ALL
                 SELECT c.client_id, c.manager, c.team, c.signed_at, c.ended_at
                   FROM cs_service_internal.source_clients() AS c))
            THEN pg_catalog.date_trunc('month', s.watermark::pg_catalog.timestamp)::pg_catalog.date
       END AS closed_before
  FROM cs_service_internal.rollup_state AS s;

COMMENT ON VIEW cs_service_internal.rollup_team_bound IS
'The month before which rollup_team_monthly holds the manager and team rows (NULL: none, the clients'' assignment changed since refresh_rollups() merged them)';

DO $do$
DECLARE
    -- every client month with its counters
    per_client constant text := format($v$
        z AS MATERIALIZED (SELECT @extschema@.report_zone() AS zone),
        per_client AS NOT MATERIALIZED (
            SELECT am.month, c.client_id, c.name, c.manager, c.team, %1$s
              FROM cs_service_internal.source_clients() AS c
             CROSS JOIN z
             CROSS JOIN LATERAL pg_catalog.generate_series(
                    pg_catalog.date_trunc('month', pg_catalog.timezone(z.zone, c.signed_at)),
                    pg_catalog.date_trunc('month', pg_catalog.timezone(z.zone,
                        LEAST(coalesce(c.ended_at, pg_catalog.now()), pg_catalog.now()))),
                    interval '1 month') AS g (month_start)
             CROSS JOIN LATERAL (SELECT g.month_start::pg_catalog.date AS month) AS am
              LEFT JOIN cs_service_internal.scorecard_monthly AS m
                ON m.month = am.month AND m.client_id = c.client_id)$v$,
        cs_service_internal.counter_list('m', 'zero'));
BEGIN
    EXECUTE format($v$
        CREATE VIEW cs_service_internal.scorecard_groups_live WITH (security_invoker = true) AS
        WITH %1$s
        SELECT 'manager'::pg_catalog.text AS level, p.month, p.manager, p.team, pg_catalog.count(*) AS clients, %2$s
          FROM per_client AS p
         GROUP BY p.month, p.manager, p.team
        UNION ALL
        SELECT 'team', p.month, NULL, p.team, pg_catalog.count(*), %2$s
          FROM per_client AS p
         GROUP BY p.month, p.team
        $v$, per_client, cs_service_internal.counter_list('p', 'total'));
    EXECUTE format($v$
        CREATE VIEW cs_service_internal.scorecard_summaries WITH (security_invoker = true) AS
        WITH %1$s,
        -- (compared once for both branches below)
        bound AS MATERIALIZED (SELECT b.closed_before FROM cs_service_internal.rollup_team_bound AS b)
        SELECT 'client'::pg_catalog.text AS level, p.month, p.client_id, p.name, p.manager, p.team,
               1::pg_catalog.int8 AS clients, %2$s
          FROM per_client AS p
        UNION ALL
        SELECT t.level, t.month, NULL, NULL, t.manager, t.team, t.clients, %3$s
          FROM cs_service_internal.rollup_team_monthly AS t
         WHERE t.month < (SELECT b.closed_before FROM bound AS b)
        UNION ALL
        SELECT g.level, g.month, NULL, NULL, g.manager, g.team, g.clients, %4$s
          FROM cs_service_internal.scorecard_groups_live AS g
         WHERE g.month >= (SELECT coalesce(b.closed_before, '-infinity') FROM bound AS b)
        $v$, per_client, cs_service_internal.counter_list('p', 'plain'),
        cs_service_internal.counter_list('t', 'plain'), cs_service_internal.counter_list('g', 'plain'));
END
$do$;

COMMENT ON VIEW cs_service_internal.scorecard_groups_live IS
'The scorecard counters per month and manager (level manager) and team (level team), merged from the client months';
COMMENT ON VIEW cs_service_internal.scorecard_summaries IS
'The scorecard counters per level (client, manager, team), month and key';

-- ---- Metrics and the weighted service score ------------------------------------------------------
-- Each factor is a percentage 0..100 (NULL: no data that month): sla = SLA % of every decided
-- metric; on_time, within_budget = projects delivered that month; deliverable_quality =
-- deliverables that passed verification; qa_pass = QA reviews passed; nps as (NPS + 100) / 2;
-- csat as is; ces as (7 - mean) / 6 x 100; rhythm = status updates and meeting reports on time;
-- response_time = first responses within target.  A part's score (and the service score) is the
-- weighted mean of its factors that have data: factors without data are left out and the
-- weights of the others renormalised; NULL when no factor with a positive weight has data.

-- The weights (one column per factor) and the scores (per part, the weighted sum of the factors
-- with data and the sum of their weights) are generated from cs_service_internal.scorecard_factors.
DO $do$
DECLARE
    weights text;
    parts text;
BEGIN
    SELECT string_agg(format('coalesce(pg_catalog.max(w.weight) FILTER (WHERE w.factor = %L), 0) AS %I',
                             f.factor, f.factor), E',\n                    ' ORDER BY f.ord)
      INTO weights FROM cs_service_internal.scorecard_factors AS f;
    SELECT string_agg(format('%s AS %I, %s AS %I', p.num, 'num_' || p.part, p.den, 'den_' || p.part),
                      E',\n               ' ORDER BY p.ord)
      INTO parts
      FROM (SELECT f.part, min(f.ord) AS ord,
                   string_agg(format('coalesce(%s, 0)', format(f.weighted, 'w.' || quote_ident(f.factor))),
                              ' + ' ORDER BY f.ord) AS num,
                   string_agg(format('CASE WHEN (%s) IS NULL THEN 0 ELSE %s END',
                                     format(f.weighted, '1'), 'w.' || quote_ident(f.factor)),
                              ' + ' ORDER BY f.ord) AS den
              FROM cs_service_internal.scorecard_factors AS f GROUP BY f.part) AS p;
    EXECUTE format($v$
CREATE VIEW cs_service_internal.scorecard_values WITH (security_invoker = true) AS
SELECT s.level, s.month, s.client_id, s.name, s.manager, s.team, s.clients, v.nps,
       v.client_wait_minutes, v.client_wait_share_pct, v.csat, v.ces,
       v.survey_answers, v.sla_pct, v.sla_decided, v.response_pct,
       v.first_response_median_minutes, v.first_response_p90_minutes, v.deliverable_quality_pct,
       s.projects_delivered, v.on_time_pct, v.within_budget_pct, s.escalations, s.complaints,
       s.activities, s.qa_reviewed, v.qa_pass_pct, v.rhythm_pct,
       t.num_contract / NULLIF(t.den_contract, 0) AS contract_score,
       t.num_competence / NULLIF(t.den_competence, 0) AS competence_score,
       t.num_communication / NULLIF(t.den_communication, 0) AS communication_score,
       (t.num_contract + t.num_competence + t.num_communication)
           / NULLIF(t.den_contract + t.den_competence + t.den_communication, 0) AS service_score
  FROM cs_service_internal.scorecard_summaries AS s
 CROSS JOIN (SELECT %1$s
               FROM @extschema@.quality_weights AS w) AS w
 -- the metrics of the row, each computed once (OFFSET 0 keeps the planner from copying the
 -- function calls into every expression that uses them: each score uses its factors twice, the
 -- service score all of them again); the sums below are plain arithmetic on them
 CROSS JOIN LATERAL (
        SELECT @extschema@.nps(s.nps) AS nps,
               s.waited_client_us / 60e6::pg_catalog.float8 AS client_wait_minutes,
               100.0::pg_catalog.float8 * s.waited_client_us
                   / NULLIF(s.waited_client_us + s.waited_third_party_us + s.waited_internal_us, 0)
                   AS client_wait_share_pct,
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
 CROSS JOIN LATERAL (SELECT %2$s) AS t
$v$, weights, parts);
END
$do$;

COMMENT ON VIEW cs_service_internal.scorecard_values IS
'Every scorecard metric and score per level (client, manager, team) and month; client_scorecard and team_scorecard show it';

CREATE VIEW @extschema@.client_scorecard WITH (security_invoker = true) AS
SELECT v.month, v.client_id, v.name AS client_name, v.manager, v.team,
       v.nps, v.client_wait_minutes, v.client_wait_share_pct, v.csat, v.ces, v.survey_answers,
       v.sla_pct, v.sla_decided,
       v.first_response_median_minutes, v.first_response_p90_minutes,
       v.deliverable_quality_pct, v.projects_delivered, v.on_time_pct, v.within_budget_pct,
       v.escalations, v.complaints, v.activities, v.qa_reviewed, v.qa_pass_pct, v.rhythm_pct,
       v.response_pct, v.service_score, v.contract_score, v.competence_score,
       v.communication_score
  FROM cs_service_internal.scorecard_values AS v
 WHERE v.level = 'client';

COMMENT ON VIEW @extschema@.client_scorecard IS
'Per month and client: NPS, the business minutes the month''s requests waited on the client and the client''s share of all their waiting (%), CSAT, CES, SLA %, first-response median and p90 (business minutes), deliverable quality, on-time and within-budget %, escalations, complaints, QA pass and rhythm %, and the weighted service score 0..100 with its contract, competence and communication parts';

CREATE VIEW @extschema@.team_scorecard WITH (security_invoker = true) AS
SELECT v.level, v.month, v.team, v.manager, v.clients,
       v.nps, v.client_wait_minutes, v.client_wait_share_pct, v.csat, v.ces, v.survey_answers,
       v.sla_pct, v.sla_decided,
       v.first_response_median_minutes, v.first_response_p90_minutes,
       v.deliverable_quality_pct, v.projects_delivered, v.on_time_pct, v.within_budget_pct,
       v.escalations, v.complaints, v.activities, v.qa_reviewed, v.qa_pass_pct, v.rhythm_pct,
       v.response_pct, v.service_score, v.contract_score, v.competence_score,
       v.communication_score
  FROM cs_service_internal.scorecard_values AS v
 WHERE v.level IN ('team', 'manager');

COMMENT ON VIEW @extschema@.team_scorecard IS
'client_scorecard per month and team (level = ''team'', manager NULL) and per month and manager (level = ''manager''), over the clients they are assigned now';

-- ---- Retention ------------------------------------------------------------------------------------

CREATE VIEW @extschema@.retention WITH (security_invoker = true) AS
WITH z AS MATERIALIZED (SELECT @extschema@.report_zone() AS zone),
-- the first signing on its own: a sub-select over the clients correlated with z would be
-- computed per shard on Citus (one series per shard)
first_signed AS MATERIALIZED (
    SELECT pg_catalog.min(c.signed_at) AS at FROM cs_service_internal.source_clients() AS c),
months AS MATERIALIZED (
    SELECT g::pg_catalog.date AS month,
           pg_catalog.timezone(z.zone, g::pg_catalog.timestamp) AS m_start,
           pg_catalog.timezone(z.zone, (g + interval '1 month')::pg_catalog.timestamp) AS m_end
      FROM z CROSS JOIN first_signed AS f
     CROSS JOIN LATERAL pg_catalog.generate_series(
               pg_catalog.date_trunc('month', pg_catalog.timezone(z.zone, f.at)),
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
      FROM months AS mo CROSS JOIN cs_service_internal.source_clients() AS c
     GROUP BY mo.month),
ordering AS (
    SELECT mo.month,
           pg_catalog.count(*) FILTER (WHERE o.n >= 1) AS clients_ordered,
           pg_catalog.count(*) FILTER (WHERE o.n >= 2) AS clients_reordered,
           pg_catalog.sum(o.revenue) AS revenue_to_date
      FROM months AS mo
     CROSS JOIN LATERAL (
            SELECT pg_catalog.count(*) AS n, pg_catalog.sum(od.amount) AS revenue
              FROM cs_service_internal.source_orders() AS od
             WHERE od.ordered_at < mo.m_end
             GROUP BY od.client_id) AS o
     GROUP BY mo.month),
-- each client's revenue to date, then the cohorts' average and median over those rows (on
-- Citus: the revenue per client on the shards, the median of a few rows per cohort on the
-- coordinator; a median cannot be merged from the shards' parts)
client_revenue AS MATERIALIZED (
    SELECT c.signed_at, coalesce(r.revenue, 0) AS revenue
      FROM cs_service_internal.source_clients() AS c
      LEFT JOIN LATERAL (SELECT pg_catalog.sum(od.amount) AS revenue
                           FROM cs_service_internal.source_orders() AS od
                          WHERE od.client_id = c.client_id AND od.ordered_at <= pg_catalog.now()) AS r ON true),
cohorts AS (
    SELECT pg_catalog.date_trunc('month', pg_catalog.timezone(z.zone, c.signed_at))::pg_catalog.date AS month,
           pg_catalog.round(pg_catalog.avg(c.revenue), 2) AS ltv_avg,
           pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY c.revenue::pg_catalog.float8) AS ltv_median
      FROM client_revenue AS c
     CROSS JOIN z
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
  FROM cs_service_internal.source_projects() AS p
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
  FROM cs_service_internal.source_deliverables() AS d
  JOIN cs_service_internal.source_projects() AS p ON p.project_id = d.project_id
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
-- Not STRICT, and no CTE: PostgreSQL inlines it, so a filter on a client (or the join in
-- at_risk_clients_at) reaches the tables; a NULL asof matches no client, as STRICT did.
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
SELECT c.client_id, c.name, c.manager, c.team, cs.policy, st.last_at, nx.due, nx.due < asof,
       EXISTS (SELECT FROM cs_service_internal.source_activities() AS a
                WHERE a.client_id = c.client_id AND a.kind = 'review'
                  AND a.at >= z.m_start AND a.at <= asof),
       mt.meetings, mt.late, mt.pending
  FROM cs_service_internal.source_clients() AS c
  JOIN cs_service_internal.client_settings AS cs ON cs.client_id = c.client_id
 CROSS JOIN (SELECT pg_catalog.timezone(rz.zone, pg_catalog.date_trunc('month', pg_catalog.timezone(rz.zone, asof))) AS m_start
               FROM (SELECT @extschema@.report_zone() AS zone) AS rz
             OFFSET 0) AS z   -- (a relation: on Citus the zone function cannot run in the shards' queries)
 CROSS JOIN LATERAL (SELECT pg_catalog.max(a.at) AS last_at
                       FROM cs_service_internal.source_activities() AS a
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
          FROM cs_service_internal.source_activities() AS a
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
        SELECT c.client_id FROM cs_service_internal.source_clients() AS c
         WHERE c.signed_at < "to" AND (c.ended_at IS NULL OR c.ended_at >= "from")),
    n AS (SELECT count(*) AS n FROM active)
    SELECT k.category, count(DISTINCT k.client_id), n.n,
           count(DISTINCT k.client_id)::float8 / n.n,
           CASE WHEN count(DISTINCT k.client_id)::float8 / n.n >= threshold
                THEN 'systemic' ELSE 'local' END
      FROM cs_service_internal.source_complaints() AS k
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
          FROM cs_service_internal.source_complaints() AS k
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
              FROM cs_service_internal.source_activities() AS a
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
  FROM cs_service_internal.source_activities() AS a
  LEFT JOIN cs_service_internal.source_qa_reviews() AS q ON q.activity_id = a.activity_id
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
               team pg_catalog.text, risk_score pg_catalog.int4, reasons pg_catalog.text)
-- Not STRICT: PostgreSQL inlines it, so a filter on a client, manager or team reaches the
-- tables; a NULL asof matches no client, as STRICT did.
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
SELECT x.client_id, x.name, x.manager, x.team, x.score, x.reasons
  FROM (SELECT c.client_id, c.name, c.manager, c.team,
               (CASE WHEN det.n > 0 THEN 30 ELSE 0 END
                + CASE WHEN miss.n > 0 AND 100.0 * miss.n / miss.total > 20 THEN 30
                       WHEN miss.n > 0 AND 100.0 * miss.n / miss.total > 10 THEN 20 ELSE 0 END
                + CASE WHEN esc.n > 0 THEN 25 ELSE 0 END
                + CASE WHEN slip.n > 0 THEN 20 ELSE 0 END
                + CASE WHEN rh.status_overdue THEN 15 ELSE 0 END)::pg_catalog.int4 AS score,
               pg_catalog.array_to_string(ARRAY[
                   CASE WHEN det.n > 0 THEN pg_catalog.format('detractor: NPS %s on %s', det.worst, det.last_day)
                        || CASE WHEN det.n > 1 THEN pg_catalog.format(' (%s detractors in 30 days)', det.n) ELSE '' END END,
                   CASE WHEN miss.n > 0 AND 100.0 * miss.n / miss.total > 10
                        THEN pg_catalog.format('SLA %s %% in 30 days (%s of %s missed)',
                                               pg_catalog.round(100 - 100.0 * miss.n / miss.total, 1), miss.n, miss.total) END,
                   CASE WHEN esc.n > 0 THEN pg_catalog.format('open escalation since %s',
                        pg_catalog.to_char(pg_catalog.timezone(z.zone, esc.since), 'YYYY-MM-DD HH24:MI')) END,
                   CASE WHEN slip.n > 0 THEN pg_catalog.format('unannounced slip: %s project(s) past due', slip.n) END,
                   CASE WHEN rh.status_overdue THEN pg_catalog.format('status update overdue since %s',
                        pg_catalog.to_char(pg_catalog.timezone(z.zone, rh.next_status_due), 'YYYY-MM-DD HH24:MI')) END
               ], '; ') AS reasons
          FROM cs_service_internal.source_clients() AS c
          -- the zone once, as a relation: on Citus the zone function cannot run inside the
          -- shards' queries (it reads a reference table)
         CROSS JOIN (SELECT @extschema@.report_zone() AS zone OFFSET 0) AS z
          LEFT JOIN @extschema@.communication_rhythm_at(asof) AS rh ON rh.client_id = c.client_id
          LEFT JOIN LATERAL (
                SELECT pg_catalog.count(*) OVER () AS n, s.score AS worst,
                       pg_catalog.timezone(z.zone, s.answered_at)::pg_catalog.date AS last_day
                  FROM cs_service_internal.source_surveys() AS s
                 WHERE s.client_id = c.client_id AND s.kind = 'nps' AND s.score <= 6
                   AND s.answered_at > asof - interval '30 days' AND s.answered_at <= asof
                 ORDER BY s.score, s.answered_at DESC
                 LIMIT 1) AS det ON true
          LEFT JOIN (
                SELECT d.client_id,
                       pg_catalog.sum(@extschema@.sla_total(d.sla) - @extschema@.sla_met(d.sla)) AS n,
                       pg_catalog.sum(@extschema@.sla_total(d.sla)) AS total
                  FROM cs_service_internal.scorecard_daily AS d,
                       (SELECT @extschema@.report_zone() AS zone OFFSET 0) AS dz
                 WHERE d.day > pg_catalog.timezone(dz.zone, asof - interval '30 days')::pg_catalog.date
                   AND d.day <= pg_catalog.timezone(dz.zone, asof)::pg_catalog.date
                 GROUP BY d.client_id) AS miss ON miss.client_id = c.client_id
         CROSS JOIN LATERAL (
                SELECT pg_catalog.count(*) AS n, pg_catalog.min(e.opened_at) AS since
                  FROM cs_service_internal.source_escalations() AS e
                 WHERE e.client_id = c.client_id AND e.opened_at <= asof
                   AND (e.resolved_at IS NULL OR e.resolved_at > asof)) AS esc
         CROSS JOIN LATERAL (
                SELECT pg_catalog.count(*) AS n
                  FROM cs_service_internal.source_projects() AS p
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

