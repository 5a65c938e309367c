-- scorecard_errors: every bad input of the agency model and the scorecard functions gets a clear
-- ERROR; each failing statement is followed by its SQLSTATE.  Then the valid edge cases, which
-- must succeed.
SET timezone = 'UTC';
SET extra_float_digits = 0;
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';
\set SHOW_CONTEXT never

INSERT INTO cs_service.clients (client_id, name, manager, team, signed_at, created_at)
VALUES ('err-client', 'Errors Ltd', 'ivan', 'north', '2026-03-02 10:00+03', '2026-03-02 10:00+03');
INSERT INTO cs_service.projects (project_id, client_id, budget, due_at)
VALUES (9901, 'err-client', 1000, '2026-03-20 18:00+03');
INSERT INTO cs_service.activities (activity_id, manager, client_id, kind, at)
VALUES (9901, 'ivan', 'err-client', 'call', '2026-03-03 12:00+03'),
       (9902, 'ivan', 'err-client', 'meeting', '2026-03-04 12:00+03');

-- ---- Quality weights ----------------------------------------------------------------------------
SELECT factor, weight, part FROM cs_service.quality_weights ORDER BY part, factor;
-- a negative weight (UPDATE, and an INSERT that updates the factor), an infinite one: 23514
UPDATE cs_service.quality_weights SET weight = -1 WHERE factor = 'sla';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.quality_weights (factor, weight) VALUES ('nps', -0.5);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE cs_service.quality_weights SET weight = 'infinity' WHERE factor = 'sla';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- all weights zero, by UPDATE or by DELETE: 23514
UPDATE cs_service.quality_weights SET weight = 0;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
DELETE FROM cs_service.quality_weights;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- deleting the only positive weights one by one: the last one is refused
BEGIN;
UPDATE cs_service.quality_weights SET weight = 0 WHERE factor <> 'sla';
DELETE FROM cs_service.quality_weights WHERE factor = 'sla';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
ROLLBACK;
-- an unknown factor, by INSERT or by renaming one: 23514
INSERT INTO cs_service.quality_weights (factor, weight) VALUES ('vibes', 5);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE cs_service.quality_weights SET factor = 'vibes' WHERE factor = 'ces';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- Regression check, once a bug (src/sql/50_agency.sql, quality_weights_weight_not_negative): NaN passes the CHECK, because
-- in PostgreSQL NaN is greater than every number, so NaN >= 0 holds; the weight sum becomes NaN,
-- the all-zero trigger lets it through and every service score becomes NaN.  Expected: 23514.
-- (The bug probes echo :SQLSTATE, the status of the statement itself: 00000 while it succeeds.)
UPDATE cs_service.quality_weights SET weight = 'NaN' WHERE factor = 'sla';
\echo SQLSTATE :SQLSTATE
SELECT factor, weight FROM cs_service.quality_weights WHERE factor = 'sla';
UPDATE cs_service.quality_weights SET weight = 15 WHERE factor = 'sla';
-- Regression check, once a bug (quality_weights_weight_in_range): a finite but huge weight was
-- stored, and every scorecard read then failed with an overflow (22003).  Weights are at most
-- 1,000,000: 23514.
UPDATE cs_service.quality_weights SET weight = 1e308 WHERE factor = 'on_time';
\echo SQLSTATE :SQLSTATE
UPDATE cs_service.quality_weights SET weight = 1000000.5 WHERE factor = 'on_time';
\echo SQLSTATE :SQLSTATE
-- Regression check, once a bug (src/sql/50_agency.sql, quality_weights): TRUNCATE empties the weights; the all-zero check
-- is a row trigger on UPDATE and DELETE only.  Expected: an ERROR like DELETE's (the wording
-- below is a proposal).
BEGIN;
TRUNCATE cs_service.quality_weights;
\echo SQLSTATE :SQLSTATE
ROLLBACK;
SELECT count(*) AS weights, sum(weight) AS total FROM cs_service.quality_weights;

-- ---- complaint_patterns: threshold in (0, 1], a non-empty period: 22023; NULLs: 22004 -------------
SELECT * FROM cs_service.complaint_patterns('2026-03-01 00:00+03', '2026-04-01 00:00+03', 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM cs_service.complaint_patterns('2026-03-01 00:00+03', '2026-04-01 00:00+03', -0.1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM cs_service.complaint_patterns('2026-03-01 00:00+03', '2026-04-01 00:00+03', 1.5);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM cs_service.complaint_patterns('2026-03-01 00:00+03', '2026-04-01 00:00+03', 'NaN');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM cs_service.complaint_patterns('2026-03-01 00:00+03', '2026-04-01 00:00+03', 'infinity');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM cs_service.complaint_patterns('2026-03-01 00:00+03', '2026-04-01 00:00+03', NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM cs_service.complaint_patterns('2026-04-01 00:00+03', '2026-04-01 00:00+03');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM cs_service.complaint_patterns('2026-04-01 00:00+03', '2026-03-01 00:00+03');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM cs_service.complaint_patterns(NULL, '2026-04-01 00:00+03');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- ---- qa_sample: fraction in (0, 1], a finite month: 22023; NULLs: 22004 ----------------------------
SELECT * FROM cs_service.qa_sample('2026-03-01', 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM cs_service.qa_sample('2026-03-01', 1.5);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM cs_service.qa_sample('2026-03-01', -1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM cs_service.qa_sample('2026-03-01', 'NaN');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM cs_service.qa_sample('infinity', 0.15);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM cs_service.qa_sample('2026-03-01', 0.15, NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- ---- Surveys: a known kind, a score on its scale: 23514 ------------------------------------------------
INSERT INTO cs_service.surveys (survey_id, client_id, answered_at, kind, score) VALUES (9901, 'err-client', '2026-03-05 12:00+03', 'mood', 5);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.surveys (survey_id, client_id, answered_at, kind, score) VALUES (9902, 'err-client', '2026-03-05 12:00+03', 'NPS', 5);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.surveys (survey_id, client_id, answered_at, kind, score) VALUES (9903, 'err-client', '2026-03-05 12:00+03', 'nps', 11);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.surveys (survey_id, client_id, answered_at, kind, score) VALUES (9904, 'err-client', '2026-03-05 12:00+03', 'nps', -1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.surveys (survey_id, client_id, answered_at, kind, score) VALUES (9905, 'err-client', '2026-03-05 12:00+03', 'csat', 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.surveys (survey_id, client_id, answered_at, kind, score) VALUES (9906, 'err-client', '2026-03-05 12:00+03', 'csat', 6);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.surveys (survey_id, client_id, answered_at, kind, score) VALUES (9907, 'err-client', '2026-03-05 12:00+03', 'ces', 8);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.surveys (survey_id, client_id, answered_at, kind, score) VALUES (9908, 'err-client', '2026-03-05 12:00+03', 'ces', 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- an answer of an unknown client: 23503; an infinite time: 23514
INSERT INTO cs_service.surveys (survey_id, client_id, answered_at, kind, score) VALUES (9909, 'nobody', '2026-03-05 12:00+03', 'nps', 9);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.surveys (survey_id, client_id, answered_at, kind, score) VALUES (9910, 'err-client', 'infinity', 'nps', 9);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- Regression check, once a bug (the *_in_range checks, cs_service_internal.is_record_time): only infinity
-- was refused, so a typo such as year 20261 was stored, and every scorecard read and
-- refresh_rollups() then failed in the business-time arithmetic (22008).  Every instant of the
-- model is in [1900-01-01, 9000-01-01) UTC: 23514, for the optional columns too.
INSERT INTO cs_service.activities (activity_id, manager, client_id, kind, at) VALUES (9914, 'ivan', 'err-client', 'meeting', '20261-03-05 12:00+03');
\echo SQLSTATE :SQLSTATE
INSERT INTO cs_service.surveys (survey_id, client_id, answered_at, kind, score) VALUES (9911, 'err-client', '1899-12-31 23:59:59+00', 'nps', 9);
\echo SQLSTATE :SQLSTATE
UPDATE cs_service.activities SET report_sent_at = 'infinity' WHERE activity_id = 9902;
\echo SQLSTATE :SQLSTATE
UPDATE cs_service.clients SET ended_at = 'infinity' WHERE client_id = 'err-client';
\echo SQLSTATE :SQLSTATE
UPDATE cs_service.projects SET slip_announced_at = '9000-01-01 00:00+00' WHERE project_id = 9901;
\echo SQLSTATE :SQLSTATE
INSERT INTO cs_service.escalations (escalation_id, client_id, opened_at, resolved_at) VALUES (9912, 'err-client', '2026-03-10 12:00+03', 'infinity');
\echo SQLSTATE :SQLSTATE
INSERT INTO cs_service.qa_reviews (activity_id, reviewed_at, passed) VALUES (9901, 'infinity', true);
\echo SQLSTATE :SQLSTATE
-- the ends of the range are accepted (1900-01-01 itself; 8999-12-31 23:59:59.999999 UTC)
SELECT cs_service_internal.is_record_time('1900-01-01 00:00+00') AS first_instant,
       cs_service_internal.is_record_time('8999-12-31 23:59:59.999999+00') AS last_instant,
       cs_service_internal.is_record_time('9000-01-01 00:00+00') AS year_9000,
       cs_service_internal.is_record_time(NULL) AS null_passes_a_check;

-- ---- Clients: ended before signed, an empty key, an unknown policy ---------------------------------------
INSERT INTO cs_service.clients (client_id, name, signed_at, ended_at, created_at)
VALUES ('err-ended', 'Ended Ltd', '2026-03-02 10:00+03', '2026-03-02 09:59:59+03', '2026-03-02 10:00+03');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE cs_service.clients SET ended_at = '2026-03-01 10:00+03' WHERE client_id = 'err-client';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.clients (client_id, name, signed_at, created_at) VALUES ('', 'No Key', '2026-03-02 10:00+03', '2026-03-02 10:00+03');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.clients (client_id, name, signed_at, created_at) VALUES ('err-inf', 'Inf', '-infinity', '2026-03-02 10:00+03');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.clients (client_id, name, signed_at, policy) VALUES ('err-pol', 'Pol', '2026-03-02 10:00+03', 'no-such-policy');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- ---- Projects and deliverables ------------------------------------------------------------------------------
INSERT INTO cs_service.projects (project_id, client_id, budget, due_at) VALUES (9911, 'err-client', -1, '2026-03-20 18:00+03');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.projects (project_id, client_id, budget, spent, due_at) VALUES (9912, 'err-client', 100, -0.01, '2026-03-20 18:00+03');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE cs_service.projects SET spent = -5 WHERE project_id = 9901;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.projects (project_id, client_id, budget, due_at) VALUES (9913, 'err-client', 100, 'infinity');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.deliverables (deliverable_id, project_id, delivered_at, passed_verification, rework_rounds)
VALUES (9911, 9901, '2026-03-10 12:00+03', true, -1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.deliverables (deliverable_id, project_id, delivered_at, passed_verification)
VALUES (9912, 987654, '2026-03-10 12:00+03', true);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- Regression check, once a bug (src/sql/50_agency.sql, projects_budget_not_negative / projects_spent_not_negative, and
-- orders_amount_not_negative): numeric NaN passes ">= 0" (NaN sorts above every number), so a
-- budget, a spent amount or an order of NaN is stored; within-budget, the overrun average and
-- the cohort LTV then come out as NaN.  Expected: 23514 for each.
INSERT INTO cs_service.projects (project_id, client_id, budget, due_at) VALUES (9914, 'err-client', 'NaN', '2026-03-20 18:00+03');
\echo SQLSTATE :SQLSTATE
INSERT INTO cs_service.projects (project_id, client_id, budget, spent, due_at) VALUES (9915, 'err-client', 100, 'NaN', '2026-03-20 18:00+03');
\echo SQLSTATE :SQLSTATE
INSERT INTO cs_service.orders (order_id, client_id, ordered_at, amount) VALUES (9911, 'err-client', '2026-03-10 12:00+03', 'NaN');
\echo SQLSTATE :SQLSTATE
-- Regression check, once a bug (the same checks): numeric 'Infinity' was stored as a budget,
-- spent or order amount; the overrun average and the cohort LTV came out infinite.  23514.
INSERT INTO cs_service.projects (project_id, client_id, budget, due_at) VALUES (9916, 'err-client', 'Infinity', '2026-03-20 18:00+03');
\echo SQLSTATE :SQLSTATE
UPDATE cs_service.projects SET spent = 'Infinity' WHERE project_id = 9901;
\echo SQLSTATE :SQLSTATE
INSERT INTO cs_service.orders (order_id, client_id, ordered_at, amount) VALUES (9913, 'err-client', '2026-03-10 12:00+03', 'Infinity');
\echo SQLSTATE :SQLSTATE
SELECT count(*) AS nan_rows_stored
  FROM (SELECT budget AS x FROM cs_service.projects WHERE client_id = 'err-client'
        UNION ALL SELECT spent FROM cs_service.projects WHERE client_id = 'err-client'
        UNION ALL SELECT amount FROM cs_service.orders WHERE client_id = 'err-client') AS v
 WHERE x = 'NaN' OR x = 'Infinity';
DELETE FROM cs_service.projects WHERE client_id = 'err-client' AND project_id <> 9901;
DELETE FROM cs_service.orders WHERE client_id = 'err-client';
INSERT INTO cs_service.orders (order_id, client_id, ordered_at, amount) VALUES (9912, 'err-client', '2026-03-10 12:00+03', -1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- ---- Activities: a known kind; a report only for a meeting, never before it ---------------------------------
INSERT INTO cs_service.activities (activity_id, manager, client_id, kind, at) VALUES (9911, 'ivan', 'err-client', 'lunch', '2026-03-05 12:00+03');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.activities (activity_id, manager, client_id, kind, at, report_sent_at)
VALUES (9912, 'ivan', 'err-client', 'call', '2026-03-05 12:00+03', '2026-03-05 13:00+03');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE cs_service.activities SET report_sent_at = '2026-03-03 13:00+03' WHERE activity_id = 9901;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.activities (activity_id, manager, client_id, kind, at, report_sent_at)
VALUES (9913, 'ivan', 'err-client', 'meeting', '2026-03-05 12:00+03', '2026-03-05 11:59:59+03');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE cs_service.activities SET report_sent_at = '2026-03-04 11:00+03' WHERE activity_id = 9902;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- a QA review of an unknown activity: 23503
INSERT INTO cs_service.qa_reviews (activity_id, passed) VALUES (987654, true);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- ---- Escalations and complaints ------------------------------------------------------------------------------------
INSERT INTO cs_service.escalations (escalation_id, client_id, opened_at, resolved_at)
VALUES (9911, 'err-client', '2026-03-10 12:00+03', '2026-03-10 11:00+03');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.complaints (complaint_id, client_id, raised_at, category) VALUES (9911, 'err-client', '2026-03-10 12:00+03', '');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- ---- The reporting zone -----------------------------------------------------------------------------------------
UPDATE cs_service.report_settings SET zone = 'Mars/Olympus_Mons';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE cs_service.report_settings SET zone = '';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE cs_service.report_settings SET zone = NULL;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.report_settings (zone) VALUES ('Atlantis/Capital');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
DELETE FROM cs_service.report_settings;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
TRUNCATE cs_service.report_settings;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) AS settings_rows, cs_service.report_zone() FROM cs_service.report_settings;

-- ---- The rhythm on SLA policies ---------------------------------------------------------------------------------
INSERT INTO cs_service.sla_policies (name, status_every_days, created_at) VALUES ('err-rhythm', 0, '2026-03-02 10:00+03');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.sla_policies (name, status_every_days, created_at) VALUES ('err-rhythm', 367, '2026-03-02 10:00+03');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.sla_policies (name, meeting_report_within, created_at) VALUES ('err-rhythm', '0', '2026-03-02 10:00+03');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.sla_policies (name, meeting_report_within, created_at) VALUES ('err-rhythm', '1 day', '2026-03-02 10:00+03');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.sla_policies (name, meeting_report_within, created_at) VALUES ('err-rhythm', '-2 hours', '2026-03-02 10:00+03');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- ==== Valid edge cases: these succeed =============================================================================
-- weight 0 on some factors (the others stay positive)
UPDATE cs_service.quality_weights SET weight = 0 WHERE factor IN ('ces', 'csat', 'response_time');
SELECT count(*) FILTER (WHERE weight = 0) AS zero_weights, sum(weight) AS total FROM cs_service.quality_weights;
-- INSERT of an existing factor sets its weight (an upsert), also to 0
INSERT INTO cs_service.quality_weights (factor, weight) VALUES ('ces', 5), ('nps', 0);
SELECT factor, weight FROM cs_service.quality_weights WHERE factor IN ('ces', 'nps') ORDER BY factor;
-- every weight but one zero
UPDATE cs_service.quality_weights SET weight = 0 WHERE factor <> 'rhythm';
SELECT count(*) FILTER (WHERE weight > 0) AS positive_weights FROM cs_service.quality_weights;
-- back to the defaults
UPDATE cs_service.quality_weights AS w SET weight = d.weight
  FROM (VALUES ('sla', 15), ('on_time', 15), ('within_budget', 10), ('deliverable_quality', 15),
               ('qa_pass', 10), ('nps', 10), ('csat', 5), ('ces', 5), ('rhythm', 10),
               ('response_time', 5)) AS d (factor, weight)
 WHERE w.factor = d.factor;
SELECT sum(weight) AS total FROM cs_service.quality_weights;
-- threshold exactly 1 and a tiny one (err-client, the only client, complains: a share of 1);
-- fraction exactly 1 and a tiny one
INSERT INTO cs_service.complaints (complaint_id, client_id, raised_at, category)
VALUES (9912, 'err-client', '2026-03-10 12:00+03', 'reports');
SELECT * FROM cs_service.complaint_patterns('2026-03-01 00:00+03', '2026-04-01 00:00+03', 1);
SELECT * FROM cs_service.complaint_patterns('2026-03-01 00:00+03', '2026-04-01 00:00+03', 1e-9);
SELECT activity_id, stratum_size, stratum_sample FROM cs_service.qa_sample('2026-03-01', 1) ORDER BY activity_id;
SELECT activity_id, stratum_size, stratum_sample FROM cs_service.qa_sample('2026-03-01', 1e-9) ORDER BY activity_id;
-- survey scores at the ends of their scales
INSERT INTO cs_service.surveys (client_id, answered_at, kind, score) VALUES
    ('err-client', '2026-03-05 12:00+03', 'nps', 0), ('err-client', '2026-03-05 12:00+03', 'nps', 10),
    ('err-client', '2026-03-05 12:00+03', 'csat', 1), ('err-client', '2026-03-05 12:00+03', 'csat', 5),
    ('err-client', '2026-03-05 12:00+03', 'ces', 1), ('err-client', '2026-03-05 12:00+03', 'ces', 7);
SELECT kind, min(score), max(score) FROM cs_service.surveys WHERE client_id = 'err-client' GROUP BY 1 ORDER BY 1;
-- a client ended the instant it signed; a zero budget; spent = budget; 0 rework rounds; a report
-- sent at the meeting's own instant; a zero order
INSERT INTO cs_service.clients (client_id, name, signed_at, ended_at)
VALUES ('err-instant', 'Instant', '2026-03-02 10:00+03', '2026-03-02 10:00+03');
INSERT INTO cs_service.projects (client_id, budget, spent, due_at) VALUES ('err-client', 0, 0, '2026-03-20 18:00+03');
UPDATE cs_service.projects SET spent = budget WHERE project_id = 9901;
INSERT INTO cs_service.deliverables (project_id, delivered_at, passed_verification, rework_rounds)
VALUES (9901, '2026-03-10 12:00+03', false, 0);
UPDATE cs_service.activities SET report_sent_at = at WHERE activity_id = 9902;
INSERT INTO cs_service.orders (client_id, ordered_at, amount) VALUES ('err-client', '2026-03-10 12:00+03', 0);
SELECT (SELECT count(*) FROM cs_service.clients WHERE client_id LIKE 'err-%') AS clients,
       (SELECT count(*) FROM cs_service.projects WHERE client_id = 'err-client') AS projects,
       (SELECT count(*) FROM cs_service.deliverables WHERE project_id = 9901) AS deliverables,
       (SELECT report_sent_at = at FROM cs_service.activities WHERE activity_id = 9902) AS report_at_meeting,
       (SELECT count(*) FROM cs_service.orders WHERE client_id = 'err-client') AS orders;
-- a rhythm at the ends of its ranges
INSERT INTO cs_service.sla_policies (name, status_every_days, meeting_report_within) VALUES
    ('err-rhythm-1', 1, '1 second'), ('err-rhythm-366', 366, '23:59:59'), ('err-rhythm-h', 5, '48 hours');
SELECT name, status_every_days, meeting_report_within FROM cs_service.sla_policies
 WHERE name LIKE 'err-rhythm%' ORDER BY name;
-- the reporting zone by INSERT (sets the one row), then back
INSERT INTO cs_service.report_settings (zone) VALUES ('Europe/Moscow');
SELECT count(*) AS settings_rows, cs_service.report_zone() FROM cs_service.report_settings;
UPDATE cs_service.report_settings SET zone = 'UTC';

-- ---- Clean up --------------------------------------------------------------------------------------------------------
DELETE FROM cs_service.clients WHERE client_id LIKE 'err-%';
DELETE FROM cs_service.sla_policies WHERE name LIKE 'err-rhythm%';
UPDATE cs_service.report_settings SET zone = 'UTC';
SELECT (SELECT count(*) FROM cs_service.clients) AS clients, (SELECT count(*) FROM cs_service.activities) AS activities;
