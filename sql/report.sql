-- report: client_report() and team_report() on a small agency (Europe/Moscow).  The documented
-- examples, every error, the escaping of a hostile client name, an empty month, the min-answers
-- marking and the ru number format.  The pages carry a "Generated" time, so the tests print
-- what the pages contain (the tagged numbers, the presence of markers), not the pages.
SET timezone = 'UTC';
SET extra_float_digits = 0;
SET datestyle = 'ISO, YMD';
\set SHOW_CONTEXT never

UPDATE cs_service.report_settings SET zone = 'Europe/Moscow';
INSERT INTO cs_service.calendars (name, calendar) VALUES ('rp-office', 'Europe/Moscow; mon-fri 09:00-18:00');
INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES ('rp-std', 'rp-office');
INSERT INTO cs_service.sla_targets (policy, metric, channel, target) VALUES
    ('rp-std', 'first_response', NULL, '4 hours'),
    ('rp-std', 'first_response', 'email', '2 hours'),
    ('rp-std', 'resolution', NULL, '8 hours');
INSERT INTO cs_service.clients (client_id, name, manager, team, signed_at, policy) VALUES
    ('alfa', 'Alfa LLC', 'ivan', 'north', '2026-01-15 10:00+03', 'rp-std'),
    ('evil', '<script>alert(1)</script> & "Co"', 'ivan', 'north', '2026-02-01 10:00+03', 'rp-std'),
    ('idle', 'Idle Ltd', 'olga', 'north', '2026-02-01 10:00+03', 'rp-std');
INSERT INTO cs_service.clients (client_id, name, manager, team, signed_at, ended_at, policy) VALUES
    ('gone', 'Gone GmbH', 'olga', 'south', '2026-01-10 10:00+03', '2026-02-20 10:00+03', 'rp-std');

-- March 2026 for alfa: two e-mail requests (one first response missed), one chat request;
-- three NPS answers (too few for the default minimum of 10); a project delivered early and one
-- late without notice; three deliverables, one reworked; a meeting with its report on time.
INSERT INTO cs_service.requests (id, opened_at, channel, client, policy) VALUES
    (9201, '2026-03-02 10:00+03', 'email', 'alfa', 'rp-std'),
    (9202, '2026-03-03 10:00+03', 'email', 'alfa', 'rp-std'),
    (9203, '2026-03-04 10:00+03', 'chat', 'alfa', 'rp-std'),
    (9204, '2026-03-05 10:00+03', 'chat', 'evil', 'rp-std');
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES
    (9201, '2026-03-02 11:00+03', 'agent_reply'), (9201, '2026-03-02 15:00+03', 'resolved'),
    (9202, '2026-03-03 13:30+03', 'waiting_on_client'), (9202, '2026-03-03 15:30+03', 'customer_message'),
    (9202, '2026-03-03 16:00+03', 'agent_reply'), (9202, '2026-03-04 10:00+03', 'resolved'),
    (9203, '2026-03-04 11:00+03', 'agent_reply'),
    (9204, '2026-03-05 10:30+03', 'agent_reply'), (9204, '2026-03-05 12:00+03', 'resolved');
INSERT INTO cs_service.surveys (client_id, answered_at, kind, score) VALUES
    ('alfa', '2026-03-05 12:00+03', 'nps', 10), ('alfa', '2026-03-12 12:00+03', 'nps', 9),
    ('alfa', '2026-03-19 12:00+03', 'nps', 6), ('alfa', '2026-03-19 12:00+03', 'csat', 5);
INSERT INTO cs_service.projects (project_id, client_id, name, budget, spent, due_at, delivered_at) VALUES
    (9201, 'alfa', 'Site', 100, 90, '2026-03-20 18:00+03', '2026-03-18 12:00+03'),
    (9202, 'alfa', 'SEO', 100, 120, '2026-03-10 18:00+03', '2026-03-12 12:00+03');
INSERT INTO cs_service.deliverables (project_id, name, delivered_at, passed_verification, rework_rounds) VALUES
    (9201, 'design', '2026-03-10 12:00+03', true, 0), (9201, 'code', '2026-03-18 12:00+03', true, 1),
    (9202, 'audit', '2026-03-12 12:00+03', false, 0);
INSERT INTO cs_service.activities (manager, client_id, kind, at, report_sent_at) VALUES
    ('ivan', 'alfa', 'meeting', '2026-03-10 11:00+03', '2026-03-10 14:00+03'),
    ('ivan', 'alfa', 'review', '2026-03-25 11:00+03', NULL),
    ('ivan', 'alfa', 'status', '2026-03-06 11:00+03', NULL);
SELECT cs_service.refresh_rollups() > 0 AS refreshed;

-- the tagged numbers of a page: data-metric, data-key, data-value
CREATE FUNCTION pg_temp.numbers(page text)
RETURNS TABLE (metric text, key text, value text)
LANGUAGE sql AS $$
    SELECT m[1], m[2], m[3]
      FROM regexp_matches(page, 'data-metric="([^"]*)" data-key="([^"]*)" data-value="([^"]*)"', 'g') AS m
$$;

-- ---- client_report -------------------------------------------------------------------------------
-- the README example: one self-contained page
SELECT left(r, 15) AS starts, right(r, 8) AS ends, r ~ '<svg' AS has_svg, r ~* '<script' AS has_script,
       r ~* '(src|href)\s*=' AS has_link, r ~ '@page \{ size: A4' AS prints_a4
  FROM cs_service.client_report('alfa', '2026-03-01') AS r;
-- every number it prints, with the view and row it comes from (the trend: 2026-01 .. 2026-03)
SELECT n.* FROM pg_temp.numbers(cs_service.client_report('alfa', '2026-03-15')) AS n;
-- three NPS answers: marked, the NPS itself not shown; with a minimum of 3 it is
SELECT r ~ 'too few answers \(n=3\)' AS marked,
       (SELECT count(*) FROM pg_temp.numbers(r) AS n WHERE n.metric = 'client_scorecard.nps') AS nps_shown
  FROM cs_service.client_report('alfa', '2026-03-01') AS r;
SET cs_service.report_min_answers = 3;
SELECT n.* FROM pg_temp.numbers(cs_service.client_report('alfa', '2026-03-01')) AS n
 WHERE n.metric LIKE 'client_scorecard.nps' OR n.metric LIKE 'survey.nps%';
RESET cs_service.report_min_answers;
-- Russian: labels, month names, a decimal comma and a no-break space before %
SELECT r ~ 'Ежемесячный отчёт о сервисе' AS ru_title, r ~ 'Март 2026' AS ru_month,
       r ~ E'>66,7\u00a0%<' AS ru_number, r ~ 'lang="ru"' AS ru_lang, r ~ '60 мин' AS ru_minutes
  FROM cs_service.client_report('alfa', '2026-03-01', 'ru') AS r;
SELECT cs_service_internal.report_number(1234567.891, 1, 'en') AS en,
       cs_service_internal.report_number(-1234567.891, 2, 'ru') = E'-1\u00a0234\u00a0567,89' AS ru,
       cs_service_internal.report_number(999.96, 1, 'en') AS rounds_up, cs_service_internal.report_number(NULL, 1, 'en') AS null;
-- the hostile name is text: escaped in the title and the body, never markup
SELECT r ~ '<script' AS has_script,
       r ~ '&lt;script&gt;alert\(1\)&lt;/script&gt; &amp; &quot;Co&quot;' AS escaped
  FROM cs_service.client_report('evil', '2026-03-01') AS r;
-- an empty month of a client with no activity at all
SELECT r ~ 'No requests decided this month' AS no_requests, r ~ 'No project delivered' AS no_projects,
       r ~ 'no answers' AS no_answers
  FROM cs_service.client_report('idle', '2026-03-01') AS r;
SELECT n.* FROM pg_temp.numbers(cs_service.client_report('idle', '2026-03-01')) AS n
 WHERE n.key = 'month=2026-03-01' AND n.metric NOT LIKE 'client_scorecard.%';

-- ---- team_report ------------------------------------------------------------------------------------
SELECT left(r, 15) AS starts, r ~ '<svg' AS has_svg, r ~* '<script' AS has_script,
       r ~ '&lt;script&gt;' AS escaped_client
  FROM cs_service.team_report('north', '2026-03-01') AS r;
SELECT n.* FROM pg_temp.numbers(cs_service.team_report('north', '2026-03-01')) AS n
 WHERE n.key NOT LIKE 'month=2026-0_-01' OR n.key = 'month=2026-03-01';
SELECT r ~ 'Ежемесячный обзор команды' AS ru_title FROM cs_service.team_report('north', '2026-03-01', 'ru') AS r;

-- ---- errors ------------------------------------------------------------------------------------------
\set VERBOSITY default
SELECT cs_service.client_report('alfa', '2026-03-01', 'de');
SELECT cs_service.client_report('nobody', '2026-03-01');
SELECT cs_service.client_report('gone', '2025-12-01');
SELECT cs_service.client_report('gone', '2026-03-01');
SELECT cs_service.client_report(NULL, '2026-03-01');
SELECT cs_service.client_report('alfa', NULL);
SELECT cs_service.client_report('alfa', '2026-03-01', NULL);
SELECT cs_service.client_report('alfa', 'infinity');
SELECT cs_service.team_report('nowhere', '2026-03-01');
\set VERBOSITY terse
SELECT cs_service.team_report('north', '2025-01-01');   -- (the hint names the current month)
\set VERBOSITY default
SELECT cs_service.team_report(NULL, '2026-03-01');
SELECT cs_service.team_report('north', '2026-03-01', 'fr');
SET cs_service.report_min_answers = 'ten';
SELECT cs_service.client_report('alfa', '2026-03-01');
RESET cs_service.report_min_answers;
-- a client of another zone's month: the month is a day of it, truncated
SELECT length(cs_service.client_report('alfa', '2026-03-31')) = length(cs_service.client_report('alfa', '2026-03-01')) AS same_month;

-- ---- Clean up (the tests after this one start from an empty agency) ------------------------------
DELETE FROM cs_service.activities WHERE client_id IN ('alfa', 'evil', 'idle', 'gone');
DELETE FROM cs_service.deliverables WHERE project_id IN (9201, 9202);
DELETE FROM cs_service.projects WHERE client_id IN ('alfa', 'evil', 'idle', 'gone');
DELETE FROM cs_service.surveys WHERE client_id IN ('alfa', 'evil', 'idle', 'gone');
DELETE FROM cs_service.clients WHERE client_id IN ('alfa', 'evil', 'idle', 'gone');
SET cs_service.allow_history_rewrite = on;
DELETE FROM cs_service.requests WHERE id BETWEEN 9201 AND 9299;
DELETE FROM cs_service.sla_targets WHERE policy = 'rp-std';
DELETE FROM cs_service.sla_policies WHERE name = 'rp-std';
DELETE FROM cs_service.calendars WHERE name = 'rp-office';
RESET cs_service.allow_history_rewrite;
UPDATE cs_service.report_settings SET zone = 'UTC';
SELECT cs_service.refresh_rollups(true) >= 0 AS rebuilt;
SELECT (SELECT count(*) FROM cs_service_internal.rollup_daily) AS rollup_daily,
       (SELECT count(*) FROM cs_service.clients) AS clients, (SELECT count(*) FROM cs_service.requests) AS requests;
