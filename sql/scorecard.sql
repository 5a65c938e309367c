-- scorecard: every scorecard view on a small hand-checked agency (4 clients, 2 managers, 2 teams),
-- reported in Europe/Moscow (UTC+3, no DST).  The session runs in UTC on purpose, so that a view
-- cutting days or months in the session's zone instead of the report zone shows up; timestamps
-- below are written with explicit offsets, and printed in UTC (MSK = UTC + 3 h).
-- Every expected number is worked out in the comment before its query.
SET timezone = 'UTC';
SET extra_float_digits = 0;
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';
\set SHOW_CONTEXT never

UPDATE cs_service.report_settings SET zone = 'Europe/Moscow';
SELECT cs_service.report_zone();

-- Office hours Monday-Friday 09:00-18:00 Moscow time (2026-03-02 is a Monday), one policy with
-- the default rhythm: a status update every 5 business days, meeting reports within 4 business
-- hours.  Targets: first response 2 h, resolution 8 h (business time).
INSERT INTO cs_service.calendars (name, calendar) VALUES ('sc-office', 'Europe/Moscow; mon-fri 09:00-18:00');
INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES ('sc-std', 'sc-office');
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES
    ('sc-std', 'first_response', '2 hours'),
    ('sc-std', 'resolution', '8 hours');
SELECT name, status_every_days, meeting_report_within FROM cs_service.sla_policies WHERE name = 'sc-std';

-- Clients.  Teams: north = alfa, beta (ivan) and delta (olga); south = gamma (olga).
-- gamma ends 2026-04-20, 46 days after signing (an early churn).
INSERT INTO cs_service.clients (client_id, name, manager, team, signed_at, ended_at, policy) VALUES
    ('alfa',  'Alfa LLC',  'ivan', 'north', '2026-01-15 10:00+03', NULL,                  'sc-std'),
    ('beta',  'Beta LLC',  'ivan', 'north', '2026-02-10 10:00+03', NULL,                  'sc-std'),
    ('gamma', 'Gamma LLC', 'olga', 'south', '2026-03-05 10:00+03', '2026-04-20 10:00+03', 'sc-std'),
    ('delta', 'Delta LLC', 'olga', 'north', '2026-03-20 10:00+03', NULL,                  'sc-std');
SELECT client_id, policy, calendar, status_every_days, meeting_report_within
  FROM cs_service_internal.client_settings ORDER BY client_id;

-- ---- Requests (SLA) ---------------------------------------------------------------------------
-- business time, first response (target 2 h) / resolution (target 8 h):
--   9101 alfa  Mon 03-02 10:00, reply 11:00 = 1 h met, resolved 15:00 = 5 h met
--   9102 alfa  Tue 03-03 10:00, reply 13:30 = 3.5 h MISSED, resolved 17:00 = 7 h met
--   9103 alfa  Fri 03-06 17:00, reply Mon 03-09 10:00 = 1 h + 1 h = 2 h met (at the target),
--              resolved Mon 12:00 = 1 h + 3 h = 4 h met
--   9104 beta  Wed 03-11 09:30, reply 10:00 = 30 min met, resolved 11:00 = 1.5 h met
--   9105 gamma Mon 03-16 10:00, reply 10:30 = 30 min met, resolved Wed 03-18 10:00 = 8 + 9 + 1 = 18 h MISSED
--   9106 gamma Tue 03-31 10:00, reply 15:00 = 5 h MISSED, resolved 16:00 = 6 h met
INSERT INTO cs_service.requests (id, opened_at, channel, client, policy) VALUES
    (9101, '2026-03-02 10:00+03', 'email', 'alfa', 'sc-std'),
    (9102, '2026-03-03 10:00+03', 'email', 'alfa', 'sc-std'),
    (9103, '2026-03-06 17:00+03', 'email', 'alfa', 'sc-std'),
    (9104, '2026-03-11 09:30+03', 'email', 'beta', 'sc-std'),
    (9105, '2026-03-16 10:00+03', 'email', 'gamma', 'sc-std'),
    (9106, '2026-03-31 10:00+03', 'email', 'gamma', 'sc-std');
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES
    (9101, '2026-03-02 11:00+03', 'agent_reply'), (9101, '2026-03-02 15:00+03', 'resolved'),
    (9102, '2026-03-03 13:30+03', 'agent_reply'), (9102, '2026-03-03 17:00+03', 'resolved'),
    (9103, '2026-03-09 10:00+03', 'agent_reply'), (9103, '2026-03-09 12:00+03', 'resolved'),
    (9104, '2026-03-11 10:00+03', 'agent_reply'), (9104, '2026-03-11 11:00+03', 'resolved'),
    (9105, '2026-03-16 10:30+03', 'agent_reply'), (9105, '2026-03-18 10:00+03', 'resolved'),
    (9106, '2026-03-31 15:00+03', 'agent_reply'), (9106, '2026-03-31 16:00+03', 'resolved');
SELECT request_id, client, metric, worst, met
  FROM cs_service_internal.sla_outcomes WHERE request_id BETWEEN 9101 AND 9199 ORDER BY request_id, metric;

-- ---- Surveys -------------------------------------------------------------------------------------
-- alfa's NPS 3 is answered 2026-02-28 21:30 UTC = 03-01 00:30 MSK: March in Moscow (February in
-- UTC); alfa's NPS 7 at 03-31 21:30 UTC = 04-01 00:30 MSK: April.  gamma has two detractors.
INSERT INTO cs_service.surveys (client_id, answered_at, kind, score) VALUES
    ('alfa',  '2026-02-28 21:30+00', 'nps', 3),
    ('alfa',  '2026-03-05 12:00+03', 'nps', 10),
    ('alfa',  '2026-03-20 12:00+03', 'nps', 9),
    ('alfa',  '2026-03-31 21:30+00', 'nps', 7),
    ('alfa',  '2026-03-05 12:00+03', 'csat', 5),
    ('alfa',  '2026-03-12 12:00+03', 'csat', 4),
    ('alfa',  '2026-03-19 12:00+03', 'csat', 2),
    ('alfa',  '2026-03-26 12:00+03', 'csat', 3),
    ('beta',  '2026-03-10 12:00+03', 'nps', 6),
    ('beta',  '2026-03-25 12:00+03', 'nps', 8),
    ('beta',  '2026-03-10 12:00+03', 'ces', 2),
    ('beta',  '2026-03-25 12:00+03', 'ces', 3),
    ('gamma', '2026-03-18 12:00+03', 'nps', 0),
    ('gamma', '2026-03-25 12:00+03', 'nps', 5),
    ('gamma', '2026-03-18 12:00+03', 'csat', 1),
    ('gamma', '2026-03-18 12:00+03', 'ces', 7),
    ('gamma', '2026-04-02 12:00+03', 'nps', 10);

-- ---- Projects and deliverables ---------------------------------------------------------------------
-- 201 alfa early: due 03-19 01:00 MSK, delivered 03-18 23:00 MSK (an earlier local day in Moscow;
--     the same day, 03-18, in UTC), spent 900 of 1000
-- 202 alfa on time: due 03-25 18:00, delivered 03-25 17:00, spent 1000 of 1000 (within budget)
-- 203 alfa late, announced 03-09 (before due 03-10 18:00), delivered 03-13, spent 600 of 500 (+20 %)
-- 204 alfa late, unannounced, due 03-16, delivered 03-27, spent 2500 of 2000 (+25 %)
-- 205 beta  open, due 03-31 18:00
-- 206 beta  due 03-12 18:00, slip announced 03-13 (after due: unannounced), delivered 04-02, on budget
-- 207 gamma due 04-10 18:00, delivered exactly then (on time), budget 0, spent 50 (over budget,
--     no overrun % since the budget is 0)
INSERT INTO cs_service.projects (project_id, client_id, name, budget, spent, due_at, delivered_at, slip_announced_at) VALUES
    (201, 'alfa',  'early',            1000,  900, '2026-03-19 01:00+03', '2026-03-18 23:00+03', NULL),
    (202, 'alfa',  'on time',          1000, 1000, '2026-03-25 18:00+03', '2026-03-25 17:00+03', NULL),
    (203, 'alfa',  'late announced',    500,  600, '2026-03-10 18:00+03', '2026-03-13 12:00+03', '2026-03-09 12:00+03'),
    (204, 'alfa',  'late unannounced', 2000, 2500, '2026-03-16 18:00+03', '2026-03-27 12:00+03', NULL),
    (205, 'beta',  'open',              800,  100, '2026-03-31 18:00+03', NULL,                  NULL),
    (206, 'beta',  'announced too late', 1000, 1000, '2026-03-12 18:00+03', '2026-04-02 12:00+03', '2026-03-13 10:00+03'),
    (207, 'gamma', 'zero budget',         0,   50, '2026-04-10 18:00+03', '2026-04-10 18:00+03', NULL);
-- 307 is delivered 03-31 21:30 UTC = 04-01 00:30 MSK: April.
INSERT INTO cs_service.deliverables (deliverable_id, project_id, name, delivered_at, passed_verification, rework_rounds) VALUES
    (301, 201, 'd1', '2026-03-05 12:00+03', true,  0),
    (302, 201, 'd2', '2026-03-12 12:00+03', true,  1),
    (303, 202, 'd3', '2026-03-20 12:00+03', false, 2),
    (304, 202, 'd4', '2026-03-24 12:00+03', true,  0),
    (305, 207, 'd5', '2026-04-08 12:00+03', false, 1),
    (306, 207, 'd6', '2026-04-09 12:00+03', true,  0),
    (307, 204, 'd7', '2026-03-31 21:30+00', true,  0);

-- ---- Escalations, complaints, orders ------------------------------------------------------------------
-- delta's complaint is raised 03-31 21:30 UTC = 04-01 00:30 MSK: April.
INSERT INTO cs_service.escalations (client_id, opened_at, resolved_at, reason) VALUES
    ('alfa',  '2026-03-12 10:00+03', '2026-03-13 10:00+03', 'late report'),
    ('gamma', '2026-03-20 10:00+03', '2026-04-05 10:00+03', 'texts');
INSERT INTO cs_service.complaints (client_id, raised_at, category) VALUES
    ('alfa',  '2026-03-10 12:00+03', 'reports'),
    ('gamma', '2026-03-15 12:00+03', 'reports'),
    ('gamma', '2026-03-16 12:00+03', 'reports'),
    ('gamma', '2026-03-16 13:00+03', 'texts'),
    ('delta', '2026-03-31 21:30+00', 'texts'),
    ('beta',  '2026-04-15 12:00+03', 'texts');
INSERT INTO cs_service.orders (client_id, ordered_at, amount) VALUES
    ('alfa',  '2026-01-20 12:00+03', 1000),
    ('alfa',  '2026-03-10 12:00+03', 500),
    ('beta',  '2026-02-15 12:00+03', 800),
    ('gamma', '2026-03-06 12:00+03', 300);

-- ---- Manager activities and QA reviews ------------------------------------------------------------------
-- Status updates (due 5 business days after the previous one, same clock time; the first one 5
-- business days after the signing, as communication_rhythm_at reckons it):
--   alfa  101 Mon 02-23 10:00 first, due Thu 01-22 10:00 (signed Thu 01-15 10:00): LATE (February)
--         102 Mon 03-02 10:00, due 02-23 + 5 = Mon 03-02 10:00: on time (at the deadline)
--         103 Mon 03-09 10:00, due Mon 03-09 10:00: on time
--         104 Tue 03-17 10:00, due Mon 03-16 10:00: LATE
--         105 Mon 03-23 11:00, due Tue 03-24 10:00: on time
--   beta  121 Tue 03-03 10:00 first, due Tue 02-17 10:00 (signed 02-10): LATE;
--         122 Fri 03-27 16:00, due Tue 03-10 10:00: LATE
--   gamma 131 Fri 03-06 12:00 first, due Thu 03-12 10:00 (signed 03-05): on time
--   delta 141 Thu 03-26 10:00 first, due Fri 03-27 10:00 (signed 03-20): on time
-- Meetings (report due 4 business hours later):
--   alfa  106 Wed 03-04 11:00, due 15:00, report 14:00: on time
--         107 Thu 03-12 16:00, due Fri 11:00 (2 h + 2 h), report Fri 12:00: LATE
--         108 Thu 03-26 15:00, due Fri 10:00, no report: LATE
--         109 Fri 03-27 17:00, due Mon 03-30 12:00 (1 h + 3 h), report 11:59: on time
--         110 Tue 03-31 10:00, due 14:00, report 13:30: on time (still pending at 03-31 12:00)
--   gamma 132 Tue 03-10 10:00, due 14:00, report 13:00: on time
-- delta's 144 is 03-31 23:30 MSK (March); 145 is 04-01 00:30 MSK = 03-31 21:30 UTC (April).
INSERT INTO cs_service.activities (activity_id, manager, client_id, kind, at, report_sent_at) VALUES
    (101, 'ivan', 'alfa',  'status',  '2026-02-23 10:00+03', NULL),
    (102, 'ivan', 'alfa',  'status',  '2026-03-02 10:00+03', NULL),
    (103, 'ivan', 'alfa',  'status',  '2026-03-09 10:00+03', NULL),
    (104, 'ivan', 'alfa',  'status',  '2026-03-17 10:00+03', NULL),
    (105, 'ivan', 'alfa',  'status',  '2026-03-23 11:00+03', NULL),
    (106, 'ivan', 'alfa',  'meeting', '2026-03-04 11:00+03', '2026-03-04 14:00+03'),
    (107, 'ivan', 'alfa',  'meeting', '2026-03-12 16:00+03', '2026-03-13 12:00+03'),
    (108, 'ivan', 'alfa',  'meeting', '2026-03-26 15:00+03', NULL),
    (109, 'ivan', 'alfa',  'meeting', '2026-03-27 17:00+03', '2026-03-30 11:59+03'),
    (110, 'ivan', 'alfa',  'meeting', '2026-03-31 10:00+03', '2026-03-31 13:30+03'),
    (111, 'ivan', 'alfa',  'review',  '2026-03-27 10:00+03', NULL),
    (112, 'ivan', 'alfa',  'call',    '2026-03-05 12:00+03', NULL),
    (113, 'ivan', 'alfa',  'call',    '2026-03-10 12:00+03', NULL),
    (114, 'ivan', 'alfa',  'email',   '2026-03-11 12:00+03', NULL),
    (115, 'ivan', 'alfa',  'email',   '2026-03-18 12:00+03', NULL),
    (121, 'ivan', 'beta',  'status',  '2026-03-03 10:00+03', NULL),
    (122, 'ivan', 'beta',  'status',  '2026-03-27 16:00+03', NULL),
    (123, 'ivan', 'beta',  'call',    '2026-03-20 12:00+03', NULL),
    (124, 'ivan', 'beta',  'email',   '2026-03-24 12:00+03', NULL),
    (131, 'olga', 'gamma', 'status',  '2026-03-06 12:00+03', NULL),
    (132, 'olga', 'gamma', 'meeting', '2026-03-10 10:00+03', '2026-03-10 13:00+03'),
    (133, 'olga', 'gamma', 'call',    '2026-03-11 12:00+03', NULL),
    (134, 'olga', 'gamma', 'call',    '2026-03-12 12:00+03', NULL),
    (135, 'olga', 'gamma', 'call',    '2026-03-13 12:00+03', NULL),
    (136, 'olga', 'gamma', 'email',   '2026-03-16 12:00+03', NULL),
    (141, 'olga', 'delta', 'status',  '2026-03-26 10:00+03', NULL),
    (142, 'olga', 'delta', 'call',    '2026-03-23 12:00+03', NULL),
    (143, 'olga', 'delta', 'call',    '2026-03-24 12:00+03', NULL),
    (144, 'olga', 'delta', 'email',   '2026-03-31 23:30+03', NULL),
    (145, 'olga', 'delta', 'call',    '2026-04-01 00:30+03', NULL);
-- QA: alfa 102, 106, 112 passed, 107 failed (3/4); gamma 131 passed, 133, 136 failed (1/3);
-- delta 142 passed (March), 145 passed (April).
INSERT INTO cs_service.qa_reviews (activity_id, reviewed_at, passed, reviewer) VALUES
    (102, '2026-04-01 12:00+03', true,  'qa'),
    (106, '2026-04-01 12:00+03', true,  'qa'),
    (107, '2026-04-01 12:00+03', false, 'qa'),
    (112, '2026-04-01 12:00+03', true,  'qa'),
    (131, '2026-04-01 12:00+03', true,  'qa'),
    (133, '2026-04-01 12:00+03', false, 'qa'),
    (136, '2026-04-01 12:00+03', false, 'qa'),
    (142, '2026-04-01 12:00+03', true,  'qa'),
    (145, '2026-05-01 12:00+03', true,  'qa');

-- ==== client_scorecard ===================================================================================
-- Months listed: from the signing month to the end month (or now): alfa from January, beta from
-- February, gamma March-April, delta from March.  Shown up to April.

-- Surveys.
--   alfa  Jan, Feb: none.
--   alfa  Mar: NPS 3, 10, 9 -> promoters 2/3, detractors 1/3 -> NPS 33.3; CSAT 5, 4, 2, 3 -> 2/4
--              answers 4-5 = 50; no CES; 7 answers
--   alfa  Apr: NPS 7 (passive) -> 0; 1 answer
--   beta  Mar: NPS 6, 8 -> 0 promoters, 1 detractor of 2 -> -50; CES 2, 3 -> mean 2.5; 4 answers
--   gamma Mar: NPS 0, 5 -> -100; CSAT 1 -> 0; CES 7; 4 answers
--   gamma Apr: NPS 10 -> 100; 1 answer
--   delta: none
-- survey_answers (like sla_decided below) is a count: 0 in a month without answers.
-- Regression check, once a bug (src/sql/70_scorecard.sql, scorecard_values): for a client-month with no data at all
-- (alfa January, beta February: no scorecard_monthly row) survey_answers and sla_decided are
-- NULL, while a month with some other data (alfa February) shows 0.  Expected here: 0.
SELECT month, client_id, client_name, manager, team, round(nps::numeric, 1) AS nps,
       round(csat::numeric, 1) AS csat, round(ces::numeric, 2) AS ces, survey_answers
  FROM cs_service.client_scorecard WHERE month <= '2026-04-01' ORDER BY month, client_id;

-- SLA: % of every decided metric, response % of first responses, first-response median and p90
-- in business minutes (percentile_cont over the first responses; the sketch is within 1 %).
--   alfa  Mar: met 9101 fr+res, 9102 res, 9103 fr+res = 5 of 6 -> 83.3; first responses 2/3 -> 66.7;
--              times 60, 210, 120 -> median 120, p90 = 120 + 0.8 x 90 = 192
--   beta  Mar: 2 of 2 -> 100, 1/1 -> 100; 30 -> median 30, p90 30
--   gamma Mar: 9105 fr met, res missed, 9106 fr missed, res met: 2 of 4 -> 50, 1/2 -> 50;
--              times 30, 300 -> median 165, p90 = 30 + 0.9 x 270 = 273
SELECT month, client_id, round(sla_pct::numeric, 1) AS sla_pct, sla_decided,
       round(response_pct::numeric, 1) AS response_pct,
       round(first_response_median_minutes::numeric) AS fr_median,
       round(first_response_p90_minutes::numeric) AS fr_p90,
       abs(first_response_median_minutes - CASE client_id WHEN 'alfa' THEN 120 WHEN 'beta' THEN 30 ELSE 165 END)
           <= 0.01 * CASE client_id WHEN 'alfa' THEN 120 WHEN 'beta' THEN 30 ELSE 165 END AS median_within_1pct,
       abs(first_response_p90_minutes - CASE client_id WHEN 'alfa' THEN 192 WHEN 'beta' THEN 30 ELSE 273 END)
           <= 0.01 * CASE client_id WHEN 'alfa' THEN 192 WHEN 'beta' THEN 30 ELSE 273 END AS p90_within_1pct
  FROM cs_service.client_scorecard WHERE month <= '2026-04-01' ORDER BY month, client_id;

-- Delivery, quality, counts.
--   alfa  Feb: activities 1 (101), rhythm 0/1 = 0
--   alfa  Mar: deliverables 301, 302, 304 passed of 4 -> 75; projects 4: on time 201, 202 -> 50,
--              within budget 201, 202 -> 50; escalations 1; complaints 1; activities 102-115 = 14;
--              QA 4 reviewed, 3 passed -> 75; rhythm: status 3 of 4 + meetings 3 of 5 = 6/9 -> 66.7
--   alfa  Apr: deliverable 307 -> 100
--   beta  Mar: activities 4; rhythm 0/2 -> 0
--   beta  Apr: project 206 late -> on time 0, within budget 100; complaints 1
--   gamma Mar: escalations 1; complaints 3; activities 6; QA 1/3 -> 33.3; rhythm 2/2 -> 100
--              (the status update due 03-13 that never came counts nowhere: see below)
--   gamma Apr: deliverables 305 failed, 306 passed -> 50; project 207: on time 100, within budget 0
--   delta Mar: activities 141-144 = 4; QA 1/1 -> 100; rhythm 1/1 -> 100
--   delta Apr: complaints 1; activities 1 (145); QA 1/1 -> 100
SELECT month, client_id, round(deliverable_quality_pct::numeric, 1) AS dq_pct, projects_delivered,
       round(on_time_pct::numeric, 1) AS on_time_pct, round(within_budget_pct::numeric, 1) AS within_budget_pct,
       escalations, complaints, activities, qa_reviewed, round(qa_pass_pct::numeric, 1) AS qa_pass_pct,
       round(rhythm_pct::numeric, 1) AS rhythm_pct
  FROM cs_service.client_scorecard WHERE month <= '2026-04-01' ORDER BY month, client_id;

-- The weighted scores.  Default weights: contract sla 15, on_time 15, within_budget 10;
-- competence deliverable_quality 15, qa_pass 10; communication nps 10, csat 5, ces 5, rhythm 10,
-- response_time 5.  Factors: nps -> (NPS + 100) / 2, ces -> (7 - CES) / 6 x 100, the rest as %.
-- A factor without data is left out and the others' weights renormalised.
--   alfa  Jan: no data -> all NULL
--   alfa  Feb: rhythm 0 only -> communication 0, service 0
--   alfa  Mar: sla 83.33, on_time 50, within 50 -> contract (1250 + 750 + 500) / 40 = 62.5
--              dq 75, qa 75 -> competence (1125 + 750) / 25 = 75
--              nps (33.33 + 100) / 2 = 66.67, csat 50, ces missing, rhythm 66.67, response 66.67
--              -> communication (666.67 + 250 + 666.67 + 333.33) / 30 = 1916.67 / 30 = 63.9
--              service (2500 + 1875 + 1916.67) / 95 = 6291.67 / 95 = 66.2  (95: without ces' 5)
--   alfa  Apr: dq 100 -> competence 100; nps 0 -> 50 -> communication 50;
--              service (1500 + 500) / 25 = 80
--   beta  Feb: no data -> NULL
--   beta  Mar: sla 100 -> contract 100; competence NULL; nps -50 -> 25, ces 2.5 -> 75, rhythm 0,
--              response 100 -> communication (250 + 375 + 0 + 500) / 30 = 37.5;
--              service (1500 + 1125) / 45 = 58.3
--   beta  Apr: on_time 0, within 100 -> contract (0 + 1000) / 25 = 40; service 40
--   gamma Mar: sla 50 -> contract 50; qa 33.33 -> competence 33.3; nps -100 -> 0, csat 0,
--              ces 7 -> 0, rhythm 100, response 50 -> communication (1000 + 250) / 35 = 35.7;
--              service (750 + 333.33 + 1250) / 60 = 38.9
--   gamma Apr: on_time 100, within 0 -> contract 1500 / 25 = 60; dq 50 -> competence 50;
--              nps 100 -> 100 -> communication 100; service (1500 + 750 + 1000) / 50 = 65
--   delta Mar: qa 100 -> competence 100; rhythm 100 -> communication 100; service 100
--   delta Apr: qa 100 -> competence 100, service 100
SELECT month, client_id, round(contract_score::numeric, 1) AS contract,
       round(competence_score::numeric, 1) AS competence,
       round(communication_score::numeric, 1) AS communication,
       round(service_score::numeric, 1) AS service
  FROM cs_service.client_scorecard WHERE month <= '2026-04-01' ORDER BY month, client_id;

-- With qa_pass weighted 0 it is left out: alfa March competence = dq 75 alone, service
-- (2500 + 1125 + 1916.67) / 85 = 65.2; delta March competence NULL, service = rhythm 100.
UPDATE cs_service.quality_weights SET weight = 0 WHERE factor = 'qa_pass';
SELECT month, client_id, round(competence_score::numeric, 1) AS competence, round(service_score::numeric, 1) AS service
  FROM cs_service.client_scorecard WHERE month = '2026-03-01' ORDER BY client_id;
UPDATE cs_service.quality_weights SET weight = 10 WHERE factor = 'qa_pass';

-- ==== team_scorecard =====================================================================================
-- Levels: team (manager NULL) and manager; a manager's row is per (manager, team): olga has a
-- client in each team, so she has two rows a month.
--   March team north = alfa + beta + delta (3 clients):
--     NPS 3, 10, 9, 6, 8 -> 2 promoters, 2 detractors -> 0; CSAT 50 (alfa's); CES 2.5 (beta's); 11 answers
--     SLA 5/6 + 2/2 = 7/8 -> 87.5; response 2/3 + 1/1 = 3/4 -> 75; first responses 60, 210, 120, 30
--     -> median 90, p90 = 120 + 0.7 x 90 = 183
--     dq 75; 4 projects, on time 50, within 50; escalations 1, complaints 1, activities 14 + 4 + 4 = 22;
--     QA 5 reviewed, 4 passed -> 80; rhythm 6/9 + 0/2 + 1/1 = 7/12 -> 58.3
--     contract (1312.5 + 750 + 500) / 40 = 64.1; competence (1125 + 800) / 25 = 77;
--     communication (500 + 250 + 375 + 583.33 + 375) / 35 = 59.5; service 6570.83 / 100 = 65.7
--   March manager ivan / north = alfa + beta: as above without delta: activities 18, QA 3/4 -> 75,
--     rhythm 6/11 -> 54.5; contract 64.1; competence 75; communication
--     (500 + 250 + 375 + 545.45 + 375) / 35 = 58.4; service (2562.5 + 1875 + 2045.45) / 100 = 64.8
--   March manager olga / north = delta; olga / south = gamma; team south = gamma (as client_scorecard)
--   April team north = alfa + beta + delta: NPS 7 -> 0 (1 answer); dq 100; 1 project: on time 0,
--     within 100; complaints 2; activities 1; QA 1/1 -> 100; contract 40; competence
--     (1500 + 1000) / 25 = 100; communication 50; service (1000 + 2500 + 500) / 60 = 66.7
--   April ivan / north = alfa + beta: contract 40, competence 100 (dq), communication 50,
--     service (1000 + 1500 + 500) / 50 = 60
--   April olga / north = delta (service 100), olga / south = team south = gamma (65)
SELECT level, month, team, manager, clients, round(nps::numeric, 1) AS nps, round(csat::numeric, 1) AS csat,
       round(ces::numeric, 2) AS ces, survey_answers, round(sla_pct::numeric, 1) AS sla_pct,
       sla_decided, round(response_pct::numeric, 1) AS response_pct,
       round(first_response_median_minutes::numeric) AS fr_median,
       round(first_response_p90_minutes::numeric) AS fr_p90
  FROM cs_service.team_scorecard WHERE month BETWEEN '2026-03-01' AND '2026-04-01'
 ORDER BY month, level DESC, team, manager;
SELECT level, month, team, manager, round(deliverable_quality_pct::numeric, 1) AS dq_pct,
       projects_delivered, round(on_time_pct::numeric, 1) AS on_time_pct,
       round(within_budget_pct::numeric, 1) AS within_budget_pct, escalations, complaints,
       activities, qa_reviewed, round(qa_pass_pct::numeric, 1) AS qa_pass_pct,
       round(rhythm_pct::numeric, 1) AS rhythm_pct
  FROM cs_service.team_scorecard WHERE month BETWEEN '2026-03-01' AND '2026-04-01'
 ORDER BY month, level DESC, team, manager;
SELECT level, month, team, manager, round(contract_score::numeric, 1) AS contract,
       round(competence_score::numeric, 1) AS competence,
       round(communication_score::numeric, 1) AS communication,
       round(service_score::numeric, 1) AS service
  FROM cs_service.team_scorecard WHERE month <= '2026-04-01'
 ORDER BY month, level DESC, team, manager;

-- ==== retention ==============================================================================================
-- Clients: alfa signed Jan, beta Feb, gamma and delta Mar, gamma ended Apr 20.
--   Jan: start 0, new 1, ended 0, end 1; retention NULL (no clients at start); early churn 0/1 = 0
--   Feb: start 1, new 1, end 2; retention (2 - 1) / 1 = 100; early churn 0/1 = 0
--   Mar: start 2, new 2, end 4; retention (4 - 2) / 2 = 100; gamma ended 46 days after signing:
--        early churn 1/2 = 50
--   Apr: start 4, new 0, ended 1, end 3; retention 3/4 = 75
--   May: start 3, end 3; retention 100
-- Orders by the month's end: Jan alfa 1 order -> ordered 1, reordered 0 -> 0 %; Feb alfa, beta
-- 1 each -> 2, 0 -> 0 %; from Mar alfa 2, beta 1, gamma 1 -> 3, 1 -> 33.3 %.
-- Cohort LTV (revenue to date per client signed that month): Jan alfa 1500; Feb beta 800;
-- Mar gamma 300, delta 0 -> average 150, median 150.
SELECT month, clients_start, clients_new, clients_ended, clients_end,
       round(retention_pct::numeric, 1) AS retention_pct, early_churned,
       round(early_churn_pct::numeric, 1) AS early_churn_pct, clients_ordered, clients_reordered,
       round(repeat_order_pct::numeric, 1) AS repeat_order_pct, cohort_ltv_avg, cohort_ltv_median
  FROM cs_service.retention WHERE month <= '2026-05-01' ORDER BY month;

-- ==== delivery_adherence and deliverable_quality ================================================================
--   Mar alfa: 4 delivered: early 1 (201: 03-18 < 03-19 in Moscow), on time 1 (202), late announced
--             1 (203), late unannounced 1 (204); on time 2/4 = 50; within budget 2/4 = 50;
--             overrun (20 + 25) / 2 = 22.5
--   Apr beta: 206 late, announced after due -> unannounced; on time 0; within budget 100; no overrun
--   Apr gamma: 207 delivered at due -> on time; over a zero budget: within budget 0, over budget
--             1, overrun NULL (no percentage of a zero budget)
--   over budget: Mar alfa 2 (203, 204), Apr beta 0, Apr gamma 1
SELECT month, client_id, delivered, early, on_time, late_announced, late_unannounced,
       round(on_time_pct::numeric, 1) AS on_time_pct, round(within_budget_pct::numeric, 1) AS within_budget_pct,
       over_budget, round(overrun_pct_avg::numeric, 1) AS overrun_pct_avg
  FROM cs_service.delivery_adherence ORDER BY month, client_id;
--   Mar alfa 201: 2 deliverables, both passed -> 100, first pass 1/2 -> 50, rework (0 + 1) / 2 = 0.5
--   Mar alfa 202: 2, passed 1/2 -> 50, first pass 1/2 -> 50, rework (2 + 0) / 2 = 1
--   Apr alfa 204: 1 (307, April in Moscow), 100, 100, 0
--   Apr gamma 207: 2, 50, 50, 0.5
SELECT month, client_id, project_id, deliverables, round(passed_verification_pct::numeric, 1) AS passed_pct,
       round(first_pass_pct::numeric, 1) AS first_pass_pct, round(rework_rounds_avg::numeric, 2) AS rework_avg
  FROM cs_service.deliverable_quality ORDER BY month, client_id, project_id;

-- ==== communication_rhythm_at ===================================================================================
-- At Tue 2026-03-31 12:00 MSK (09:00 UTC); all four clients are active:
--   alfa:  last status 105 Mon 03-23 11:00 MSK, next due Mon 03-30 11:00 MSK (08:00 UTC): overdue;
--          review 111 held; meetings 106-110 = 5: late 107 (report after due) and 108 (no report,
--          due 03-27 10:00) = 2; pending 110 (due 14:00, report at 13:30 not yet sent) = 1
--   beta:  last 122 Fri 03-27 16:00, next Fri 04-03 16:00 MSK: not overdue; no review, no meetings
--   gamma: last 131 Fri 03-06 12:00, next Fri 03-13 12:00: overdue; meeting 132, report on time
--   delta: last 141 Thu 03-26 10:00, next Thu 04-02 10:00: not overdue
SELECT client_id, client_name, manager, team, policy, last_status_at, next_status_due, status_overdue,
       review_held_this_month, meetings_this_month, reports_late_this_month, reports_pending
  FROM cs_service.communication_rhythm_at('2026-03-31 12:00+03') ORDER BY client_id;
-- At 2026-04-21 12:00 MSK gamma has ended (04-20); April has no reviews or meetings; alfa, beta and
-- delta are overdue (due 03-30, 04-03, 04-02).
SELECT client_id, last_status_at, next_status_due, status_overdue, review_held_this_month,
       meetings_this_month, reports_late_this_month, reports_pending
  FROM cs_service.communication_rhythm_at('2026-04-21 12:00+03') ORDER BY client_id;
-- Both rhythm definitions count the first status update from signing: at Fri 02-20 12:00 MSK alfa
-- (signed Thu 01-15 10:00) was due Thu 01-22 10:00 and beta (signed Tue 02-10 10:00) Tue 02-17
-- 10:00 (07:00 UTC), both overdue, and their first updates count as late in the scorecard.
-- gamma's update due 03-13 never came (overdue above) while gamma's March rhythm is 100 %: the
-- scorecard grades the updates that were sent (documented in doc/scorecard.md).
SELECT client_id, last_status_at, next_status_due, status_overdue
  FROM cs_service.communication_rhythm_at('2026-02-20 12:00+03') ORDER BY client_id;

-- ==== complaint_patterns ==========================================================================================
-- The view, per Moscow month, threshold 30 %:
--   March: active alfa, beta, gamma, delta = 4; reports: alfa, gamma = 2/4 = 0.5 -> systemic;
--          texts: gamma = 1/4 = 0.25 -> local
--   April: active 4 (gamma ended 04-20, inside April); texts: delta (04-01 00:30 MSK), beta = 2/4
--          = 0.5 -> systemic
SELECT month, category, clients_complaining, active_clients, share, verdict
  FROM cs_service.complaint_patterns ORDER BY month, share DESC, category;
-- The function: March in Moscow at threshold 0.6: both local.
SELECT * FROM cs_service.complaint_patterns('2026-03-01 00:00+03', '2026-04-01 00:00+03', 0.6);
-- March in UTC ends 3 hours later and takes delta's complaint: texts 2/4 -> systemic at 0.5.
SELECT * FROM cs_service.complaint_patterns('2026-03-01 00:00+00', '2026-04-01 00:00+00', 0.5);
-- May: gamma (ended 04-20) is not active, no complaints: no rows.
SELECT * FROM cs_service.complaint_patterns('2026-05-01 00:00+03', '2026-06-01 00:00+03');

-- ==== qa_sample and qa_results ======================================================================================
-- March strata (Moscow month: 144 in, 145 out), ceil(fraction x n) each:
--   ivan: status 102-105, 121, 122 = 6; meeting 106-110 = 5; review 111 = 1; call 112, 113, 123 = 3;
--         email 114, 115, 124 = 3
--   olga: status 131, 141 = 2; meeting 132 = 1; call 133-135, 142, 143 = 5; email 136, 144 = 2
--   fraction 0.5: 3, 3, 1, 2, 2 | 1, 1, 3, 1 = 17 rows
--   fraction 0.15 (default): 1 each = 9 rows; fraction 1: every activity = 28 rows
SELECT manager, kind, stratum_size, stratum_sample, count(*) AS rows
  FROM cs_service.qa_sample('2026-03-01', 0.5, 0) GROUP BY 1, 2, 3, 4 ORDER BY 1, 2;
SELECT count(*) AS rows_default, max(stratum_sample) AS largest_stratum_sample
  FROM cs_service.qa_sample('2026-03-01');
SELECT count(*) AS rows_all FROM cs_service.qa_sample('2026-03-01', 1);
-- The rows themselves (which ones depends on the seeded hash; the same call gives the same rows).
SELECT activity_id, manager, client_id, kind, at, stratum_size, stratum_sample
  FROM cs_service.qa_sample('2026-03-01', 0.5, 0);
SELECT (SELECT array_agg(activity_id ORDER BY activity_id) FROM cs_service.qa_sample('2026-03-01', 0.5, 0))
     = (SELECT array_agg(activity_id ORDER BY activity_id) FROM cs_service.qa_sample('2026-03-01', 0.5, 0)) AS repeatable;
-- April: only 145.
SELECT activity_id, manager, kind, stratum_size, stratum_sample FROM cs_service.qa_sample('2026-04-01', 0.15, 7);
-- Regression check, once a bug (qa_sample): the month's bounds were cut in the session's time
-- zone, so where the session's clocks skip local midnight of the 1st (Asuncion, 2023-10-01
-- 00:00 -> 01:00) the month began an hour late in the report zone, and an activity at
-- 00:30 Moscow on October 1 fell into no month.  Expected: October's sample holds it, whatever
-- the session's zone.
INSERT INTO cs_service.activities (activity_id, manager, client_id, kind, at)
VALUES (199, 'ivan', 'alfa', 'call', '2023-10-01 00:30+03');
SET timezone = 'America/Asuncion';
SELECT (SELECT count(*) FROM cs_service.qa_sample('2023-10-01', 1)) AS october_asuncion,
       (SELECT count(*) FROM cs_service.qa_sample('2023-09-01', 1)) AS september_asuncion;
SET timezone = 'UTC';
DELETE FROM cs_service.activities WHERE activity_id = 199;

-- qa_results per Moscow month and manager; error rate = failed / reviewed with its Wilson interval:
--   Feb ivan: 1 activity (101), none reviewed -> NULL
--   Mar ivan: 18 activities, 4 reviewed, 3 passed -> error 1/4 = 25 %, Wilson 95 % [4.56, 69.94]
--   Mar olga: 10 activities (131-136, 141-144), 4 reviewed, 2 passed -> 50 %, [15.00, 85.00]
--   Apr olga: 1 activity (145), reviewed, passed -> 0 %, [0.00, 79.35]
-- (Wilson: centre (p + z^2/2n) / (1 + z^2/n), half-width z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n),
--  z = 1.959964; for 1/4: (0.25 + 0.48018) / 1.96036 = 0.37247 +- 0.32689.)
SELECT month, manager, activities, reviewed, passed, round(error_rate_pct::numeric, 2) AS error_rate_pct,
       round(error_rate_low::numeric, 2) AS low, round(error_rate_high::numeric, 2) AS high
  FROM cs_service.qa_results ORDER BY month, manager;

-- ==== at_risk_clients_at ==============================================================================================
-- At Tue 2026-03-31 12:00 MSK:
--   gamma: detractors NPS 0 (03-18) and 5 (03-25) -> 30, the worst (0) answered 03-18;
--          SLA outcomes of requests opened on Moscow days 03-02..03-31, as known now (documented:
--          for a past asof a later miss counts): 9105 and 9106 each miss one of their 2 metrics
--          (9106's first response is missed at 15:00, after asof) -> 2 of 4 missed = 50 % > 20 %
--          -> 30; escalation open since 03-20 -> 25; status overdue (due 03-13 12:00) -> 15:
--          total 100
--   beta:  detractor NPS 6 on 03-10 -> 30; project 206 past due 03-12, undelivered, its slip
--          announced after due -> 20: total 50 (project 205 is due at 18:00, not yet past)
--   alfa:  the NPS 3 (03-01 00:30 MSK) is before asof - 30 days (03-01 12:00): no detractor;
--          9102's missed first response: 1 of 6 outcomes missed = 16.7 % > 10 % -> 20;
--          status overdue (due 03-30 11:00) -> 15: total 35
--   delta: nothing -> not listed
SELECT client_id, client_name, manager, team, risk_score, reasons
  FROM cs_service.at_risk_clients_at('2026-03-31 12:00+03');

-- ==== rollups: the scorecard is the same read from the rollups ========================================================
CREATE TEMP TABLE scorecard_before AS
SELECT * FROM cs_service.client_scorecard WHERE month <= '2026-04-01';
SELECT cs_service.refresh_rollups() > 0 AS refreshed;
SELECT watermark = timezone('Europe/Moscow', now())::date AS watermark_is_today_in_moscow
  FROM cs_service_internal.rollup_state;
-- alfa's daily rows: the local days with any of its rows: 02-23; 03-01 (the NPS at 00:30), 02, 03,
-- 04, 05, 06, 09, 10, 11, 12, 13, 17, 18, 19, 20, 23, 24, 25, 26, 27, 31 (21 days); 04-01 = 23.
SELECT count(*) AS alfa_days FROM cs_service_internal.rollup_daily WHERE client_id = 'alfa';
SELECT count(*) AS past_days_queued FROM cs_service_internal.rollup_queue
 WHERE day < timezone('Europe/Moscow', now())::date;
CREATE TEMP TABLE scorecard_after AS
SELECT * FROM cs_service.client_scorecard WHERE month <= '2026-04-01';
SELECT (SELECT count(*) FROM scorecard_before) AS rows_before,
       (SELECT count(*) FROM scorecard_after) AS rows_after,
       (SELECT count(*) FROM (SELECT * FROM scorecard_before EXCEPT SELECT * FROM scorecard_after) AS x) AS only_before,
       (SELECT count(*) FROM (SELECT * FROM scorecard_after EXCEPT SELECT * FROM scorecard_before) AS x) AS only_after;
-- A late change to a past day goes through the queue: gamma's March CSAT answer becomes a 5
-- (CSAT 0 -> 100); its day is queued twice (for the old and the new row), the view shows the
-- rollup (0) until the next refresh recomputes that one (day, client) and shows 100.
UPDATE cs_service.surveys SET score = 5 WHERE client_id = 'gamma' AND kind = 'csat';
SELECT count(*) AS queued FROM cs_service_internal.rollup_queue WHERE client_id = 'gamma' AND day = '2026-03-18';
SELECT round(csat::numeric, 1) AS csat_before_refresh FROM cs_service.client_scorecard
 WHERE client_id = 'gamma' AND month = '2026-03-01';
SELECT cs_service.refresh_rollups() AS days_recomputed;
SELECT round(csat::numeric, 1) AS csat_after_refresh FROM cs_service.client_scorecard
 WHERE client_id = 'gamma' AND month = '2026-03-01';
UPDATE cs_service.surveys SET score = 1 WHERE client_id = 'gamma' AND kind = 'csat';
SELECT cs_service.refresh_rollups() AS days_recomputed;

-- The views are plain types a BI tool can chart, and BI reads them.
SELECT table_name, count(*) AS columns,
       count(*) FILTER (WHERE data_type = 'USER-DEFINED') AS user_defined_columns
  FROM information_schema.columns
 WHERE table_schema = 'cs_service'
   AND table_name IN ('client_scorecard', 'team_scorecard', 'retention', 'delivery_adherence',
                      'deliverable_quality', 'communication_rhythm', 'complaint_patterns',
                      'qa_results', 'at_risk_clients')
 GROUP BY 1 ORDER BY 1;
SET ROLE cs_service_bi;
SELECT count(*) AS bi_reads_client_scorecard FROM cs_service.client_scorecard WHERE month = '2026-03-01';
RESET ROLE;

-- ---- Clean up -------------------------------------------------------------------------------------------
DELETE FROM cs_service.clients WHERE client_id IN ('alfa', 'beta', 'gamma', 'delta');
SET cs_service.allow_history_rewrite = on;
DELETE FROM cs_service.requests WHERE id BETWEEN 9101 AND 9199;
DELETE FROM cs_service.sla_targets WHERE policy = 'sc-std';
DELETE FROM cs_service.sla_policies WHERE name = 'sc-std';
DELETE FROM cs_service.calendars WHERE name = 'sc-office';
RESET cs_service.allow_history_rewrite;
UPDATE cs_service.report_settings SET zone = 'UTC';
SELECT (SELECT count(*) FROM cs_service_internal.rollup_daily) AS rollup_daily,
       (SELECT count(*) FROM cs_service_internal.rollup_monthly) AS rollup_monthly,
       (SELECT watermark FROM cs_service_internal.rollup_state) AS watermark;
