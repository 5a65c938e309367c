-- test/demo/scorecard.sql: the main job's report, the agency scorecard over the data of
-- test/demo/agency.sql (12 months, November 2025 - October 2026, report zone Europe/Moscow).
-- The report is as of 2026-11-01 00:00 Moscow time: the *_at(asof) functions take that instant,
-- and every request of the data set is resolved by then, so every run prints the same numbers.
\set ON_ERROR_STOP 1
\pset footer off
\pset null '-'
SET TimeZone = 'Europe/Moscow';
\set asof '''2026-11-01 00:00+03'''

\echo
\echo '== Rollups: refresh_rollups() computes one row per day and client for every finished day'
-- Two statements: a subquery beside the call would read the snapshot taken before it ran.
SELECT cs_service.refresh_rollups() AS day_client_rows_computed \gset
SELECT :day_client_rows_computed AS day_client_rows_computed,
       (SELECT count(*) FROM cs_service_internal.rollup_monthly) AS client_months,
       (SELECT count(*) FROM cs_service_internal.rollup_sla_daily) AS sla_rollup_rows,
       (SELECT watermark = timezone('Europe/Moscow', now())::date FROM cs_service_internal.rollup_state)
           AS finished_days_rolled_up;

\echo
\echo '== The agency in October 2026, per team (scores 0-100; the three K''s: contract, competence, communication)'
SELECT team, clients,
       round(nps::numeric, 0) AS nps, round(csat::numeric, 0) AS csat, round(ces::numeric, 2) AS ces,
       round(sla_pct::numeric, 1) AS sla_pct,
       round(first_response_median_minutes::numeric, 0) AS fr_med_min,
       round(first_response_p90_minutes::numeric, 0) AS fr_p90_min,
       round(deliverable_quality_pct::numeric, 0) AS quality_pct,
       round(on_time_pct::numeric, 0) AS on_time_pct,
       round(within_budget_pct::numeric, 0) AS budget_pct,
       escalations AS esc, complaints AS compl,
       round(qa_pass_pct::numeric, 0) AS qa_pct, round(rhythm_pct::numeric, 0) AS rhythm_pct,
       round(service_score::numeric, 1) AS service,
       round(contract_score::numeric, 1) AS contract,
       round(competence_score::numeric, 1) AS competence,
       round(communication_score::numeric, 1) AS communication
  FROM cs_service.team_scorecard
 WHERE level = 'team' AND month = '2026-10-01'
 ORDER BY service_score DESC;

\echo
\echo '== Service score per team and month (team_scorecard)'
SELECT team,
       round(avg(service_score) FILTER (WHERE month = '2025-11-01')::numeric, 0) AS "Nov",
       round(avg(service_score) FILTER (WHERE month = '2025-12-01')::numeric, 0) AS "Dec",
       round(avg(service_score) FILTER (WHERE month = '2026-01-01')::numeric, 0) AS "Jan",
       round(avg(service_score) FILTER (WHERE month = '2026-02-01')::numeric, 0) AS "Feb",
       round(avg(service_score) FILTER (WHERE month = '2026-03-01')::numeric, 0) AS "Mar",
       round(avg(service_score) FILTER (WHERE month = '2026-04-01')::numeric, 0) AS "Apr",
       round(avg(service_score) FILTER (WHERE month = '2026-05-01')::numeric, 0) AS "May",
       round(avg(service_score) FILTER (WHERE month = '2026-06-01')::numeric, 0) AS "Jun",
       round(avg(service_score) FILTER (WHERE month = '2026-07-01')::numeric, 0) AS "Jul",
       round(avg(service_score) FILTER (WHERE month = '2026-08-01')::numeric, 0) AS "Aug",
       round(avg(service_score) FILTER (WHERE month = '2026-09-01')::numeric, 0) AS "Sep",
       round(avg(service_score) FILTER (WHERE month = '2026-10-01')::numeric, 0) AS "Oct"
  FROM cs_service.team_scorecard
 WHERE level = 'team' AND month BETWEEN '2025-11-01' AND '2026-10-01'
 GROUP BY team
 ORDER BY team;

\echo
\echo '== The five managers with the lowest service score in October 2026'
SELECT manager, team, clients, round(sla_pct::numeric, 1) AS sla_pct,
       round(nps::numeric, 0) AS nps, round(qa_pass_pct::numeric, 0) AS qa_pct,
       round(rhythm_pct::numeric, 0) AS rhythm_pct, round(service_score::numeric, 1) AS service
  FROM cs_service.team_scorecard
 WHERE level = 'manager' AND month = '2026-10-01'
 ORDER BY service_score, manager
 LIMIT 5;

\echo
\echo '== The ten clients with the lowest service score in October 2026 (client_scorecard)'
SELECT client_id, client_name, manager, round(sla_pct::numeric, 1) AS sla_pct, round(nps::numeric, 0) AS nps,
       round(on_time_pct::numeric, 0) AS on_time_pct, escalations AS esc, complaints AS compl,
       round(service_score::numeric, 1) AS service, round(contract_score::numeric, 1) AS contract,
       round(competence_score::numeric, 1) AS competence,
       round(communication_score::numeric, 1) AS communication
  FROM cs_service.client_scorecard
 WHERE month = '2026-10-01' AND service_score IS NOT NULL
 ORDER BY service_score, client_id
 LIMIT 10;

\echo
\echo '== Whom the requests waited on in October 2026 (wait_attribution; business hours, the clock stopped)'
SELECT party, sum(requests_waiting) AS requests_waiting, round(sum(waited_minutes)::numeric / 60, 0) AS waited_hours,
       round(sum(paused_minutes)::numeric / 60, 0) AS paused_hours
  FROM cs_service.wait_attribution
 WHERE month = '2026-10-01'
 GROUP BY party
 ORDER BY party;

\echo
\echo '== The five clients the agency waited on longest in October 2026, next to their NPS (client_scorecard)'
SELECT client_id, client_name, round(client_wait_minutes::numeric / 60, 1) AS waited_on_client_hours,
       round(client_wait_share_pct::numeric, 0) AS share_of_waits_pct, round(nps::numeric, 0) AS nps,
       round(sla_pct::numeric, 1) AS sla_pct
  FROM cs_service.client_scorecard
 WHERE month = '2026-10-01'
 ORDER BY client_wait_minutes DESC, client_id
 LIMIT 5;

\echo
\echo '== Retention, early churn (ended within 60 days of signing), repeat orders, realised LTV per signing cohort'
SELECT month, clients_start AS start, clients_new AS new, clients_ended AS ended, clients_end AS "end",
       round(retention_pct::numeric, 1) AS retention_pct,
       early_churned, round(early_churn_pct::numeric, 0) AS early_churn_pct,
       round(repeat_order_pct::numeric, 1) AS repeat_order_pct,
       round(cohort_ltv_avg, 0) AS cohort_ltv_avg, round(cohort_ltv_median, 0) AS cohort_ltv_median
  FROM cs_service.retention
 WHERE month BETWEEN '2025-11-01' AND '2026-10-01'
 ORDER BY month;

\echo
\echo '== Delivery: budget and deadline adherence per month (delivery_adherence, all clients)'
SELECT month, sum(delivered) AS delivered, sum(early) AS early, sum(on_time) AS on_time,
       sum(late_announced) AS late_announced, sum(late_unannounced) AS late_unannounced,
       round(100.0 * sum(early + on_time) / sum(delivered), 1) AS on_time_pct,
       round(sum(within_budget_pct * delivered)::numeric / sum(delivered), 1) AS within_budget_pct,
       round(avg(overrun_pct_avg)::numeric, 1) AS overrun_pct_avg
  FROM cs_service.delivery_adherence
 WHERE month BETWEEN '2025-11-01' AND '2026-10-01'
 GROUP BY month
 ORDER BY month;

\echo
\echo '== Deliverable quality per month (deliverable_quality, all projects)'
SELECT month, sum(deliverables) AS deliverables,
       round(sum(passed_verification_pct * deliverables)::numeric / sum(deliverables), 1) AS passed_pct,
       round(sum(first_pass_pct * deliverables)::numeric / sum(deliverables), 1) AS first_pass_pct,
       round((sum(rework_rounds_avg * deliverables) / sum(deliverables))::numeric, 2) AS rework_rounds_avg
  FROM cs_service.deliverable_quality
 WHERE month BETWEEN '2025-11-01' AND '2026-10-01'
 GROUP BY month
 ORDER BY month;

\echo
\echo '== Communication rhythm as of 2026-11-01 (weekly status = 5 business days; report within 4 business hours)'
SELECT count(*) AS active_clients,
       count(*) FILTER (WHERE status_overdue) AS status_overdue,
       count(*) FILTER (WHERE NOT review_held_this_month) AS no_review_in_october,
       sum(meetings_this_month) AS meetings_in_october,
       sum(reports_late_this_month) AS reports_late
  FROM cs_service.communication_rhythm_at(:asof::timestamptz - interval '1 microsecond');

\echo
\echo '== Complaints, October 2026: systemic (>= 30 % of active clients) or local?'
SELECT category, clients_complaining, active_clients, round(share::numeric * 100, 1) AS share_pct, verdict
  FROM cs_service.complaint_patterns('2026-10-01 00:00+03', :asof);

\echo
\echo '== QA: October''s reproducible 15 % sample, stratified by manager and kind (qa_sample), and the results'
SELECT s.kind, count(*) AS sampled, count(DISTINCT s.manager) AS managers,
       (SELECT count(*) FROM cs_service.activities AS a
         WHERE a.kind = s.kind AND a.at >= '2026-10-01 00:00+03' AND a.at < :asof) AS activities
  FROM cs_service.qa_sample('2026-10-01') AS s
 GROUP BY s.kind
 ORDER BY s.kind;
SELECT manager, activities, reviewed, passed, round(error_rate_pct::numeric, 1) AS error_pct,
       round(error_rate_low::numeric, 1) AS low, round(error_rate_high::numeric, 1) AS high
  FROM cs_service.qa_results
 WHERE month = '2026-10-01'
 ORDER BY error_rate_pct DESC, manager
 LIMIT 5;

\echo
\echo '== Clients at risk as of 2026-11-01, worst first (at_risk_clients_at)'
SELECT client_id, client_name, manager, risk_score, reasons
  FROM cs_service.at_risk_clients_at(:asof)
 LIMIT 10;
