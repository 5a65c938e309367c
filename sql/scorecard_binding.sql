-- scorecard_binding: the agency tables bound to a CRM's own tables with sla_bind().  The views
-- read the CRM's rows without a copy; a query lacking a contract column is refused (42703); a
-- CRM row that breaks the data contract makes the read fail with 23514 and names the rule and
-- the row, rather than count wrongly; unbinding returns to the model tables.
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET extra_float_digits = 0;
\set SHOW_CONTEXT never

CREATE SCHEMA crm;
CREATE TABLE crm.accounts (id text, title text, owner text, dept text, since timestamptz, till timestamptz);
CREATE TABLE crm.jobs (id bigint, account text, money numeric, cost numeric, deadline timestamptz,
                       done timestamptz, told timestamptz);
CREATE TABLE crm.feedback (id bigint, account text, at timestamptz, kind text, value int);
-- June 2026, UTC: two clients; k2 ended after 40 days (an early churn)
INSERT INTO crm.accounts VALUES
    ('k1', 'Kappa', 'ivan', 'north', '2026-06-01 09:00+00', NULL),
    ('k2', 'Lambda', 'ivan', 'north', '2026-06-10 09:00+00', '2026-07-20 09:00+00');
INSERT INTO crm.jobs VALUES
    (1, 'k1', 1000, 1200, '2026-06-20 18:00+00', '2026-06-19 12:00+00', NULL),   -- early, 20 % over
    (2, 'k2', 500, 400, '2026-06-25 18:00+00', '2026-06-26 12:00+00', NULL);     -- late, unannounced
INSERT INTO crm.feedback VALUES
    (1, 'k1', '2026-06-15 10:00+00', 'nps', 10), (2, 'k1', '2026-06-16 10:00+00', 'nps', 3),
    (3, 'k2', '2026-06-17 10:00+00', 'nps', 9), (4, 'k2', '2026-06-18 10:00+00', 'csat', 4);

-- ---- A query lacking a contract column: 42703, nothing bound -------------------------------------------------
SELECT cs_service.sla_bind('clients', 'SELECT id AS client_id, title AS name FROM crm.accounts');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) AS bindings FROM cs_service.sla_bindings;

-- ---- Bound: the views read the CRM --------------------------------------------------------------------------
SELECT cs_service.sla_bind('clients',
    'SELECT id AS client_id, title AS name, owner AS manager, dept AS team, since AS signed_at, till AS ended_at FROM crm.accounts');
SELECT cs_service.sla_bind('projects',
    'SELECT id AS project_id, account AS client_id, money AS budget, cost AS spent, deadline AS due_at, done AS delivered_at, told AS slip_announced_at FROM crm.jobs');
SELECT cs_service.sla_bind('surveys',
    'SELECT id AS survey_id, account AS client_id, at AS answered_at, kind, value AS score, NULL AS milestone FROM crm.feedback');
-- June: start 0, new 2, ended 0, end 2; k2 (40 days) is an early churn of June's cohort: 1 of 2
SELECT month, clients_start, clients_new, clients_ended, clients_end, early_churned, early_churn_pct
  FROM cs_service.retention WHERE month IN ('2026-06-01', '2026-07-01') ORDER BY month;
-- June: 2 delivered, 1 early (06-19 < 06-20), 1 late unannounced; on time 50 %; within budget
-- 1 of 2 (k2); over budget 1, overrun 20 %
SELECT month, sum(delivered) AS delivered, sum(early) AS early, sum(late_unannounced) AS late_unannounced,
       sum(over_budget) AS over_budget, max(overrun_pct_avg) AS overrun_pct_avg
  FROM cs_service.delivery_adherence GROUP BY month ORDER BY month;
-- June per client: k1 NPS (1 promoter - 1 detractor) / 2 answers = 0; k2 one NPS answer, 9 (a
-- promoter) = 100, one CSAT answer, 4 (satisfied) = 100
SELECT month, client_id, nps, csat, survey_answers
  FROM cs_service.client_scorecard WHERE month = '2026-06-01' ORDER BY client_id;

-- ---- A CRM row breaking the data contract: the read fails with 23514 ----------------------------------------
-- ended before signed
UPDATE crm.accounts SET till = '2026-06-05 09:00+00' WHERE id = 'k2';
SELECT * FROM cs_service.retention;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE crm.accounts SET till = '2026-07-20 09:00+00' WHERE id = 'k2';
-- a typo'd year
UPDATE crm.accounts SET since = '20261-06-01 09:00+00' WHERE id = 'k1';
SELECT count(*) FROM cs_service.client_scorecard;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE crm.accounts SET since = '2026-06-01 09:00+00' WHERE id = 'k1';
-- a name missing (NOT NULL of the contract)
UPDATE crm.accounts SET title = NULL WHERE id = 'k1';
SELECT count(*) FROM cs_service.client_scorecard;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE crm.accounts SET title = 'Kappa' WHERE id = 'k1';
-- a negative budget
UPDATE crm.jobs SET money = -100 WHERE id = 2;
SELECT * FROM cs_service.delivery_adherence;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE crm.jobs SET money = 500 WHERE id = 2;
-- an unknown survey kind (a capital letter) and a score off its scale
UPDATE crm.feedback SET kind = 'NPS' WHERE id = 1;
SELECT count(*) FROM cs_service.client_scorecard;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE crm.feedback SET kind = 'nps', value = 11 WHERE id = 1;
SELECT count(*) FROM cs_service.client_scorecard;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE crm.feedback SET value = 10 WHERE id = 1;
-- fixed: the same numbers as before
SELECT month, client_id, nps, csat, survey_answers
  FROM cs_service.client_scorecard WHERE month = '2026-06-01' ORDER BY client_id;

-- ---- Unbound: the model tables again (empty) --------------------------------------------------------------------
SELECT cs_service.sla_unbind('surveys'), cs_service.sla_unbind('projects'), cs_service.sla_unbind('clients');
SELECT (SELECT count(*) FROM cs_service.client_scorecard) AS scorecard_rows,
       (SELECT count(*) FROM cs_service.sla_bindings) AS bindings,
       (SELECT count(*) FROM pg_class WHERE relname LIKE 'bound_%'
           AND relnamespace = 'cs_service'::regnamespace) AS bound_views;
DROP SCHEMA crm CASCADE;
