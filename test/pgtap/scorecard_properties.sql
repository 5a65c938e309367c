-- pgTAP: properties of the scorecard on generated data (deterministic: every "random" value is a
-- hash of the row number), reported in Europe/Moscow: the retention identity, early churn and the
-- complaint threshold at their boundaries, the QA sample's sizes and stability, the weighted score
-- recomputed independently, and the rollups equal to the raw rows after every kind of change.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cs_service;
SELECT plan(107);
SET LOCAL timezone = 'UTC';
UPDATE cs_service.report_settings SET zone = 'Europe/Moscow';
DELETE FROM cs_service.clients;   -- (rolled back at the end) the counts below are over this file's clients

-- u(k, salt): a deterministic number in [0, 1) from a row number and a salt.
CREATE FUNCTION pg_temp.u(k bigint, salt int) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$ SELECT (hashint8(k * 1000 + salt)::int8 + 2147483648) / 4294967296.0 $$;

-- ==== Retention: start + new - ended = end ======================================================
-- 300 clients signed over 600 days from 2025-01-01, half of them ended up to 400 days later
-- (never after 2026-10-31), and clients on the Moscow month boundaries.
INSERT INTO cs_service.clients (client_id, name, signed_at, ended_at)
SELECT 'r' || g, 'R ' || g, s,
       CASE WHEN pg_temp.u(g, 2) < 0.5 THEN NULL
            ELSE least(s + pg_temp.u(g, 3) * interval '400 days', timestamptz '2026-10-31 12:00+03') END
  FROM (SELECT g, timestamptz '2025-01-01 00:00+03' + pg_temp.u(g, 1) * interval '600 days' AS s
          FROM generate_series(1, 300) AS g) AS x;
INSERT INTO cs_service.clients (client_id, name, signed_at, ended_at) VALUES
    ('rb1', 'signed at a Moscow month start, ended at the next', '2026-03-01 00:00+03', '2026-04-01 00:00+03'),
    ('rb2', 'ended the instant it signed', '2026-03-15 12:00+03', '2026-03-15 12:00+03'),
    ('rb3', 'signed a microsecond before a month', '2026-02-28 23:59:59.999999+03', NULL),
    ('rb4', 'signed at the UTC month start (03:00 MSK)', '2026-03-01 00:00+00', '2026-03-31 23:59:59.999999+03'),
    ('rb5', 'ended a microsecond before a month', '2025-11-20 10:00+03', '2026-02-28 23:59:59.999999+03'),
    ('rb6', 'signed on the last Moscow evening of a month, 1st in UTC', '2026-03-31 23:30+03', NULL);

SELECT is((SELECT count(*) FROM cs_service.retention
            WHERE clients_start + clients_new - clients_ended <> clients_end),
          0::bigint, 'retention: clients_start + clients_new - clients_ended = clients_end in every month');
SELECT is((SELECT count(*) FROM cs_service.retention AS r
             JOIN cs_service.retention AS n ON n.month = (r.month + interval '1 month')::date
            WHERE n.clients_start <> r.clients_end),
          0::bigint, 'retention: a month starts with the clients the previous one ended with');
SELECT is((SELECT sum(clients_new) FROM cs_service.retention), 306::numeric,
          'retention: every client is new in exactly one month');
SELECT is((SELECT sum(clients_ended) FROM cs_service.retention),
          (SELECT count(*) FROM cs_service.clients WHERE ended_at IS NOT NULL)::numeric,
          'retention: every ended client ends in exactly one month');
-- March 2026 counted independently with literal Moscow bounds
SELECT results_eq(
    $$SELECT clients_start, clients_new, clients_ended, clients_end FROM cs_service.retention WHERE month = '2026-03-01'$$,
    $$SELECT count(*) FILTER (WHERE signed_at < '2026-03-01 00:00+03' AND (ended_at IS NULL OR ended_at >= '2026-03-01 00:00+03')),
             count(*) FILTER (WHERE signed_at >= '2026-03-01 00:00+03' AND signed_at < '2026-04-01 00:00+03'),
             count(*) FILTER (WHERE ended_at >= '2026-03-01 00:00+03' AND ended_at < '2026-04-01 00:00+03'),
             count(*) FILTER (WHERE signed_at < '2026-04-01 00:00+03' AND (ended_at IS NULL OR ended_at >= '2026-04-01 00:00+03'))
        FROM cs_service.clients$$,
    'retention: March 2026 (Moscow) agrees with counts over literal bounds, boundary clients included');
DELETE FROM cs_service.clients;

-- ==== Early churn: within 60 days (1,440 hours) of signing ===================================================
INSERT INTO cs_service.clients (client_id, name, signed_at, ended_at) VALUES
    ('e59',  '59 days',              '2026-02-02 10:00+03', timestamptz '2026-02-02 10:00+03' + interval '59 days'),
    ('e60',  '60 days = 1,440 hours', '2026-02-02 10:00+03', timestamptz '2026-02-02 10:00+03' + interval '1440 hours'),
    ('e60s', '60 days + 1 second',   '2026-02-02 10:00+03', timestamptz '2026-02-02 10:00+03' + interval '1440 hours 1 second'),
    ('e61',  '61 days',              '2026-02-02 10:00+03', timestamptz '2026-02-02 10:00+03' + interval '61 days'),
    ('e-on', 'still a client',       '2026-02-02 10:00+03', NULL),
    ('e-jan', 'January cohort, ends in February', '2026-01-20 10:00+03', '2026-02-05 10:00+03');
SELECT results_eq(
    $$SELECT clients_new, early_churned, round(early_churn_pct::numeric, 6) FROM cs_service.retention WHERE month = '2026-02-01'$$,
    $$VALUES (5::bigint, 2::bigint, 40.000000::numeric)$$,
    'early churn: 59 days and exactly 60 days count, 60 days + 1 s and 61 days do not (2 of 5)');
DELETE FROM cs_service.clients WHERE client_id = 'e60';
SELECT is((SELECT early_churned FROM cs_service.retention WHERE month = '2026-02-01'), 1::bigint,
          'early churn: without the 60-day client, only the 59-day one');
DELETE FROM cs_service.clients WHERE client_id = 'e59';
SELECT is((SELECT early_churned FROM cs_service.retention WHERE month = '2026-02-01'), 0::bigint,
          'early churn: 60 days + 1 second and 61 days are not early');
SELECT is((SELECT early_churned FROM cs_service.retention WHERE month = '2026-01-01'), 1::bigint,
          'early churn: counted in the signing month (January), not the end month');
DELETE FROM cs_service.clients;

-- ==== Complaint patterns: systemic at exactly the threshold; the active clients ==========================
-- Period May 2026 in Moscow.  Active (signed before `to`, not ended before `from`): k1-k7, k8
-- (signed a second before `to`), k9 (ended inside May), k10 (ended exactly at `from`) = 10.
-- Not active: x1 (ended a second before `from`), x2 (signed exactly at `to`), x3 (signed in June).
INSERT INTO cs_service.clients (client_id, name, signed_at, ended_at)
SELECT 'k' || g, 'K ' || g, '2026-01-10 10:00+03', NULL FROM generate_series(1, 7) AS g;
INSERT INTO cs_service.clients (client_id, name, signed_at, ended_at) VALUES
    ('k8', 'K 8', '2026-05-31 23:59:59+03', NULL),
    ('k9', 'K 9', '2026-01-10 10:00+03', '2026-05-15 12:00+03'),
    ('k10', 'K 10', '2026-01-10 10:00+03', '2026-05-01 00:00+03'),
    ('x1', 'X 1', '2026-01-10 10:00+03', '2026-04-30 23:59:59+03'),
    ('x2', 'X 2', '2026-06-01 00:00+03', NULL),
    ('x3', 'X 3', '2026-06-10 10:00+03', NULL);
-- reports: k1 (at `from`, and again later), k9, k8 = 3 of 10; x1's does not count; texts: k2,
-- k10 = 2 of 10; k3 at `to` and k4 a second before `from` fall outside.
INSERT INTO cs_service.complaints (client_id, raised_at, category) VALUES
    ('k1', '2026-05-01 00:00+03', 'reports'),
    ('k1', '2026-05-20 12:00+03', 'reports'),
    ('k9', '2026-05-10 12:00+03', 'reports'),
    ('k8', '2026-05-31 23:59:59.5+03', 'reports'),
    ('x1', '2026-05-05 12:00+03', 'reports'),
    ('k2', '2026-05-03 12:00+03', 'texts'),
    ('k10', '2026-05-04 12:00+03', 'texts'),
    ('k3', '2026-06-01 00:00+03', 'texts'),
    ('k4', '2026-04-30 23:59:59+03', 'texts');
SELECT results_eq(
    $$SELECT category, clients_complaining, active_clients, share, verdict
        FROM cs_service.complaint_patterns('2026-05-01 00:00+03', '2026-06-01 00:00+03', 0.30)$$,
    $$VALUES ('reports', 3::bigint, 10::bigint, 0.3::float8, 'systemic'), ('texts', 2::bigint, 10::bigint, 0.2::float8, 'local')$$,
    'complaints: 3 of 10 active clients is systemic at threshold 0.30, 2 of 10 local; only active clients, only [from, to)');
SELECT is((SELECT verdict FROM cs_service.complaint_patterns('2026-05-01 00:00+03', '2026-06-01 00:00+03', 0.31) WHERE category = 'reports'),
          'local', 'complaints: 3 of 10 is local at threshold 0.31');
SELECT is((SELECT verdict FROM cs_service.complaint_patterns('2026-05-01 00:00+03', '2026-06-01 00:00+03', 0.2) WHERE category = 'texts'),
          'systemic', 'complaints: 2 of 10 is systemic at threshold 0.2 (share = threshold)');
SELECT is((SELECT verdict FROM cs_service.complaint_patterns('2026-05-01 00:00+03', '2026-06-01 00:00+03', 1) WHERE category = 'reports'),
          'local', 'complaints: threshold 1 needs every active client');
SELECT results_eq(
    $$SELECT category, clients_complaining, active_clients, share, verdict FROM cs_service.complaint_patterns WHERE month = '2026-05-01'$$,
    $$SELECT category, clients_complaining, active_clients, share, verdict
        FROM cs_service.complaint_patterns('2026-05-01 00:00+03', '2026-06-01 00:00+03')$$,
    'complaints: the view''s May (Moscow) is the function over the Moscow month, threshold 0.30');
-- the active-client rule alone: with k10 gone 9 are active (it counted: it ended exactly at
-- `from`); with k9 gone as well, 8 (it counted: it ended inside the period)
DELETE FROM cs_service.clients WHERE client_id = 'k10';
SELECT is((SELECT max(active_clients) FROM cs_service.complaint_patterns('2026-05-01 00:00+03', '2026-06-01 00:00+03')),
          9::bigint, 'complaints: a client ended exactly at `from` was active');
DELETE FROM cs_service.clients WHERE client_id = 'k9';
SELECT is((SELECT max(active_clients) FROM cs_service.complaint_patterns('2026-05-01 00:00+03', '2026-06-01 00:00+03')),
          8::bigint, 'complaints: a client ended inside the period was active');
DELETE FROM cs_service.clients WHERE client_id = 'x1';
SELECT is((SELECT max(active_clients) FROM cs_service.complaint_patterns('2026-05-01 00:00+03', '2026-06-01 00:00+03')),
          8::bigint, 'complaints: a client ended before `from` was not');
DELETE FROM cs_service.clients;

-- ==== qa_sample: ceil(fraction x n) per stratum, stable =====================================================
-- June 2026 in Moscow.  Strata (manager, kind) of sizes 30, 7, 13, 1, 20 (qa1) and 50, 3, 2, 25, 11
-- (qa2); one activity on each side of the month's Moscow bounds.
INSERT INTO cs_service.clients (client_id, name, signed_at) VALUES ('q1', 'Q 1', '2026-01-10 10:00+03');
INSERT INTO cs_service.activities (manager, client_id, kind, at)
SELECT s.manager, 'q1', s.kind,
       timestamptz '2026-06-01 00:00+03' + pg_temp.u(i + 100 * s.n, 21) * interval '29 days'
  FROM (VALUES ('qa1', 'call', 30), ('qa1', 'email', 7), ('qa1', 'meeting', 13), ('qa1', 'status', 1),
               ('qa1', 'review', 20), ('qa2', 'call', 50), ('qa2', 'email', 3), ('qa2', 'meeting', 2),
               ('qa2', 'status', 25), ('qa2', 'review', 11)) AS s (manager, kind, n)
 CROSS JOIN LATERAL generate_series(1, s.n - CASE WHEN s.manager = 'qa1' AND s.kind = 'call' THEN 1 ELSE 0 END) AS i;
INSERT INTO cs_service.activities (manager, client_id, kind, at) VALUES
    ('qa1', 'q1', 'call', '2026-06-01 00:00+03'),          -- in (the 30th call)
    ('qa1', 'q1', 'call', '2026-05-31 23:59:59+03'),       -- May
    ('qa1', 'q1', 'call', '2026-07-01 00:00+03');          -- July
CREATE TEMP TABLE qa_strata AS
SELECT manager, kind, count(*) AS n FROM cs_service.activities
 WHERE at >= '2026-06-01 00:00+03' AND at < '2026-07-01 00:00+03' GROUP BY 1, 2;
CREATE TEMP TABLE qa_fractions (f numeric);
INSERT INTO qa_fractions VALUES (0.1), (0.14), (0.15), (0.2), (0.28), (1.0);
-- every (fraction, stratum): rows taken = stratum_sample = ceil(f x n) in exact decimal arithmetic,
-- stratum_size = n
SELECT is((SELECT count(*) FROM qa_fractions AS q CROSS JOIN qa_strata AS s
            WHERE (SELECT count(*) FROM cs_service.qa_sample('2026-06-01', q.f::float8, 0) AS x
                    WHERE x.manager = s.manager AND x.kind = s.kind) <> ceil(q.f * s.n)
               OR (SELECT count(*) FROM cs_service.qa_sample('2026-06-01', q.f::float8, 0) AS x
                    WHERE x.manager = s.manager AND x.kind = s.kind
                      AND (x.stratum_size <> s.n OR x.stratum_sample <> ceil(q.f * s.n))) > 0),
          0::bigint, 'qa_sample: every stratum gives exactly ceil(fraction x n) rows for 0.1, 0.14, 0.15, 0.2, 0.28, 1.0');
SELECT is((SELECT count(*) FROM cs_service.qa_sample('2026-06-01', 0.1, 0) WHERE manager = 'qa1' AND kind = 'call'),
          3::bigint, 'qa_sample: 0.1 of 30 is 3');
SELECT is((SELECT count(*) FROM cs_service.qa_sample('2026-06-01', 0.14, 0) WHERE manager = 'qa2' AND kind = 'call'),
          7::bigint, 'qa_sample: 0.14 of 50 is 7 (float8 0.14 x 50 = 7.000000000000001 would give 8)');
SELECT is((SELECT count(*) FROM cs_service.qa_sample('2026-06-01', 0.28, 0) WHERE manager = 'qa2' AND kind = 'status'),
          7::bigint, 'qa_sample: 0.28 of 25 is 7 (float8 would give 8)');
SELECT is((SELECT count(*) FROM cs_service.qa_sample('2026-06-01', 1, 0)), 162::bigint,
          'qa_sample: fraction 1 takes the whole month (162), not the activities a second outside it');
SELECT results_eq($$SELECT * FROM cs_service.qa_sample('2026-06-01', 0.15, 42)$$,
                  $$SELECT * FROM cs_service.qa_sample('2026-06-01', 0.15, 42)$$,
                  'qa_sample: the same arguments give the same rows');
SELECT results_eq($$SELECT * FROM cs_service.qa_sample('2026-06-15', 0.15, 42)$$,
                  $$SELECT * FROM cs_service.qa_sample('2026-06-01', 0.15, 42)$$,
                  'qa_sample: any day of the month means the month');
SELECT isnt((SELECT array_agg(activity_id ORDER BY activity_id) FROM cs_service.qa_sample('2026-06-01', 0.15, 42)),
            (SELECT array_agg(activity_id ORDER BY activity_id) FROM cs_service.qa_sample('2026-06-01', 0.15, 43)),
            'qa_sample: another seed gives another sample');
CREATE TEMP TABLE qa_before AS SELECT * FROM cs_service.qa_sample('2026-06-01', 0.15, 42);
-- 60 more activities of the same managers and kinds in May and July, and a new manager in June
INSERT INTO cs_service.activities (manager, client_id, kind, at)
SELECT CASE WHEN g % 2 = 0 THEN 'qa1' ELSE 'qa2' END, 'q1',
       (ARRAY['call', 'email', 'meeting', 'status', 'review'])[1 + g % 5],
       CASE WHEN g % 3 = 0 THEN timestamptz '2026-05-02 12:00+03' ELSE timestamptz '2026-07-02 12:00+03' END
           + pg_temp.u(g, 22) * interval '25 days'
  FROM generate_series(1, 60) AS g;
SELECT set_eq($$SELECT * FROM cs_service.qa_sample('2026-06-01', 0.15, 42)$$,
              $$SELECT * FROM qa_before$$,
              'qa_sample: activities added in other months change nothing');
INSERT INTO cs_service.activities (manager, client_id, kind, at)
SELECT 'qa3', 'q1', 'call', timestamptz '2026-06-02 12:00+03' + g * interval '1 hour' FROM generate_series(1, 9) AS g;
SELECT set_eq($$SELECT * FROM cs_service.qa_sample('2026-06-01', 0.15, 42) WHERE manager <> 'qa3'$$,
              $$SELECT * FROM qa_before$$,
              'qa_sample: a new stratum in the month changes no other stratum''s rows');
DELETE FROM cs_service.clients;

-- ==== A generated agency ===================================================================================
-- 24 clients (3 managers, 2 teams) from 2025-12-01, a Moscow office calendar, and a few hundred rows
-- of every source table in January-October 2026 (before today, so the rollups cover them).
INSERT INTO cs_service.calendars (name, calendar) VALUES ('pt-office', 'Europe/Moscow; mon-fri 09:00-18:00');
INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES ('pt-std', 'pt-office');
INSERT INTO cs_service.sla_policies (name, calendar_name, status_every_days, meeting_report_within)
VALUES ('pt-fast', 'pt-office', 2, '1 hour');
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES
    ('pt-std', 'first_response', '2 hours'), ('pt-std', 'resolution', '8 hours'),
    ('pt-fast', 'first_response', '1 hour'), ('pt-fast', 'resolution', '4 hours');
INSERT INTO cs_service.clients (client_id, name, manager, team, signed_at, policy)
SELECT 'p' || lpad(g::text, 2, '0'), 'P ' || g, 'm' || (1 + g % 3), 't' || (1 + g % 2),
       '2025-12-01 10:00+03', 'pt-std'
  FROM generate_series(1, 24) AS g;
CREATE FUNCTION pg_temp.cl(k bigint, salt int) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT 'p' || lpad((1 + floor(pg_temp.u(k, salt) * 24))::int::text, 2, '0') $$;
CREATE FUNCTION pg_temp.other(client text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT 'p' || lpad((1 + substr(client, 2)::int % 24)::text, 2, '0') $$;

INSERT INTO cs_service.surveys (client_id, answered_at, kind, score)
SELECT pg_temp.cl(g, 31), timestamptz '2026-01-01 00:00+03' + pg_temp.u(g, 32) * interval '290 days', k.kind,
       CASE k.kind WHEN 'nps' THEN floor(pg_temp.u(g, 34) * 11) WHEN 'csat' THEN 1 + floor(pg_temp.u(g, 34) * 5)
                   ELSE 1 + floor(pg_temp.u(g, 34) * 7) END
  FROM generate_series(1, 450) AS g
 CROSS JOIN LATERAL (SELECT CASE WHEN pg_temp.u(g, 33) < 0.4 THEN 'nps' WHEN pg_temp.u(g, 33) < 0.7 THEN 'csat'
                                 ELSE 'ces' END AS kind) AS k;
INSERT INTO cs_service.requests (opened_at, channel, client, policy)
SELECT timestamptz '2026-01-05 00:00+03' + pg_temp.u(g, 41) * interval '260 days', 'email', pg_temp.cl(g, 42), 'pt-std'
  FROM generate_series(1, 200) AS g;
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT r.id, r.opened_at + pg_temp.u(r.id, 43) * interval '12 hours', 'agent_reply'
  FROM cs_service.requests AS r WHERE r.policy = 'pt-std' AND pg_temp.u(r.id, 44) < 0.85;
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT r.id, r.opened_at + interval '12 hours' + pg_temp.u(r.id, 45) * interval '30 hours', 'resolved'
  FROM cs_service.requests AS r WHERE r.policy = 'pt-std' AND pg_temp.u(r.id, 46) < 0.9;
INSERT INTO cs_service.projects (client_id, name, budget, spent, due_at, delivered_at, slip_announced_at)
SELECT pg_temp.cl(g, 51), 'project ' || g, b, round((b * (0.7 + pg_temp.u(g, 53) * 0.6))::numeric, 2), due,
       CASE WHEN pg_temp.u(g, 54) < 0.1 THEN NULL ELSE due + (pg_temp.u(g, 55) * 10 - 6) * interval '1 day' END,
       CASE WHEN pg_temp.u(g, 56) < 0.3 THEN due - interval '2 days'
            WHEN pg_temp.u(g, 56) < 0.45 THEN due + interval '1 day' END
  FROM generate_series(1, 90) AS g
 CROSS JOIN LATERAL (SELECT CASE WHEN pg_temp.u(g, 52) < 0.05 THEN 0 ELSE 1000 END AS b,
                            timestamptz '2026-01-10 18:00+03' + pg_temp.u(g, 57) * interval '270 days' AS due) AS x;
INSERT INTO cs_service.deliverables (project_id, name, delivered_at, passed_verification, rework_rounds)
SELECT p.project_id, 'deliverable ' || g,
       timestamptz '2026-01-05 00:00+03' + pg_temp.u(g, 62) * interval '280 days',
       pg_temp.u(g, 63) < 0.7, floor(pg_temp.u(g, 64) * 4)
  FROM generate_series(1, 200) AS g
  JOIN (SELECT project_id, row_number() OVER (ORDER BY project_id) AS rn FROM cs_service.projects) AS p
    ON p.rn = 1 + floor(pg_temp.u(g, 61) * 90);
INSERT INTO cs_service.escalations (client_id, opened_at, resolved_at)
SELECT pg_temp.cl(g, 71), o, CASE WHEN pg_temp.u(g, 73) < 0.8 THEN o + pg_temp.u(g, 74) * interval '5 days' END
  FROM generate_series(1, 50) AS g
 CROSS JOIN LATERAL (SELECT timestamptz '2026-01-05 00:00+03' + pg_temp.u(g, 72) * interval '280 days' AS o) AS x;
INSERT INTO cs_service.complaints (client_id, raised_at, category)
SELECT pg_temp.cl(g, 81), timestamptz '2026-01-05 00:00+03' + pg_temp.u(g, 82) * interval '280 days',
       (ARRAY['reports', 'texts', 'deadlines'])[1 + floor(pg_temp.u(g, 83) * 3)::int]
  FROM generate_series(1, 70) AS g;
INSERT INTO cs_service.activities (manager, client_id, kind, at, report_sent_at)
SELECT c.manager, c.client_id, k.kind, a.at,
       CASE WHEN k.kind = 'meeting' AND pg_temp.u(g, 95) >= 0.2 THEN a.at + pg_temp.u(g, 96) * interval '8 hours' END
  FROM generate_series(1, 600) AS g
  JOIN cs_service.clients AS c ON c.client_id = pg_temp.cl(g, 91)
 CROSS JOIN LATERAL (SELECT CASE WHEN pg_temp.u(g, 92) < 0.3 THEN 'status' WHEN pg_temp.u(g, 92) < 0.55 THEN 'meeting'
                                 WHEN pg_temp.u(g, 92) < 0.75 THEN 'call' WHEN pg_temp.u(g, 92) < 0.9 THEN 'email'
                                 ELSE 'review' END AS kind) AS k
 CROSS JOIN LATERAL (SELECT timestamptz '2026-01-05 00:00+03' + pg_temp.u(g, 93) * interval '290 days' AS at) AS a;
INSERT INTO cs_service.qa_reviews (activity_id, reviewed_at, passed, reviewer)
SELECT a.activity_id, '2026-10-31 12:00+03', pg_temp.u(a.activity_id, 98) < 0.75, 'qa'
  FROM cs_service.activities AS a WHERE pg_temp.u(a.activity_id, 97) < 0.3;

SELECT ok((SELECT count(*) FROM cs_service_internal.sla_outcomes WHERE policy = 'pt-std' AND met IS NOT NULL) > 300,
          'generated: the requests have decided SLA outcomes');

-- ---- The weighted score, recomputed from the metric columns and quality_weights -----------------------
-- Each factor as documented (nps -> (NPS + 100) / 2, ces -> (7 - CES) / 6 x 100, the rest as %);
-- a score is sum(w x) / sum(w) over the factors with data and a positive weight.
CREATE TEMP VIEW score_check AS
WITH v AS (SELECT * FROM cs_service_internal.scorecard_values),
f AS (SELECT v.level, v.month, v.client_id, v.manager, v.team, w.part, w.weight AS w,
             CASE w.factor WHEN 'sla' THEN v.sla_pct WHEN 'on_time' THEN v.on_time_pct
                           WHEN 'within_budget' THEN v.within_budget_pct
                           WHEN 'deliverable_quality' THEN v.deliverable_quality_pct
                           WHEN 'qa_pass' THEN v.qa_pass_pct WHEN 'nps' THEN (v.nps + 100) / 2
                           WHEN 'csat' THEN v.csat WHEN 'ces' THEN (7 - v.ces) / 6 * 100
                           WHEN 'rhythm' THEN v.rhythm_pct WHEN 'response_time' THEN v.response_pct END AS x
        FROM v CROSS JOIN cs_service.quality_weights AS w WHERE w.weight > 0),
e AS (SELECT level, month, client_id, manager, team,
             sum(w * x) / NULLIF(sum(w) FILTER (WHERE x IS NOT NULL), 0) AS service,
             sum(w * x) FILTER (WHERE part = 'contract') / NULLIF(sum(w) FILTER (WHERE x IS NOT NULL AND part = 'contract'), 0) AS contract,
             sum(w * x) FILTER (WHERE part = 'competence') / NULLIF(sum(w) FILTER (WHERE x IS NOT NULL AND part = 'competence'), 0) AS competence,
             sum(w * x) FILTER (WHERE part = 'communication') / NULLIF(sum(w) FILTER (WHERE x IS NOT NULL AND part = 'communication'), 0) AS communication,
             count(x) AS factors
        FROM f GROUP BY 1, 2, 3, 4, 5)
SELECT v.level, v.month, v.client_id, v.manager, v.team, e.factors,
       v.service_score, e.service, v.contract_score, e.contract, v.competence_score, e.competence,
       v.communication_score, e.communication
  FROM v JOIN e ON e.level = v.level AND e.month = v.month AND e.client_id IS NOT DISTINCT FROM v.client_id
               AND e.manager IS NOT DISTINCT FROM v.manager AND e.team IS NOT DISTINCT FROM v.team;
CREATE FUNCTION pg_temp.same(a float8, b float8) RETURNS bool
LANGUAGE sql IMMUTABLE AS $$ SELECT (a IS NULL AND b IS NULL) OR abs(a - b) <= 1e-9 * greatest(1, abs(b)) $$;

SELECT ok((SELECT count(*) FROM score_check WHERE level = 'client' AND factors BETWEEN 1 AND 9) > 100,
          'weights: many client-months have only some of the ten factors');
SELECT is((SELECT count(*) FROM score_check
            WHERE NOT (pg_temp.same(service_score, service) AND pg_temp.same(contract_score, contract)
                       AND pg_temp.same(competence_score, competence) AND pg_temp.same(communication_score, communication))),
          0::bigint, 'weights: every score (client, manager, team) = sum(w x) / sum(w over the factors present)');
SELECT is((SELECT count(*) FROM score_check WHERE factors = 0 AND service_score IS NOT NULL), 0::bigint,
          'weights: no factor with data, no score');
CREATE TEMP TABLE scores_default AS
SELECT level, month, client_id, manager, team, service_score, contract_score, competence_score,
       communication_score, ces FROM cs_service_internal.scorecard_values;
UPDATE cs_service.quality_weights SET weight = 40 WHERE factor = 'ces';
SELECT is((SELECT count(*) FROM scores_default AS d JOIN cs_service_internal.scorecard_values AS v
             ON v.level = d.level AND v.month = d.month AND v.client_id IS NOT DISTINCT FROM d.client_id
            AND v.manager IS NOT DISTINCT FROM d.manager AND v.team IS NOT DISTINCT FROM d.team
            WHERE d.ces IS NULL AND NOT (pg_temp.same(v.service_score, d.service_score)
                                         AND pg_temp.same(v.communication_score, d.communication_score))),
          0::bigint, 'weights: a new weight for CES changes no score where there is no CES');
SELECT ok((SELECT count(*) FROM scores_default AS d JOIN cs_service_internal.scorecard_values AS v
             ON v.level = d.level AND v.month = d.month AND v.client_id IS NOT DISTINCT FROM d.client_id
            AND v.manager IS NOT DISTINCT FROM d.manager AND v.team IS NOT DISTINCT FROM d.team
            WHERE d.ces IS NOT NULL AND NOT pg_temp.same(v.service_score, d.service_score)) > 20,
          '... and changes the scores where there is');
SELECT is((SELECT count(*) FROM score_check
            WHERE NOT (pg_temp.same(service_score, service) AND pg_temp.same(communication_score, communication))),
          0::bigint, 'weights: the independent recomputation agrees under the new weight too');
UPDATE cs_service.quality_weights SET weight = 5 WHERE factor = 'ces';
UPDATE cs_service.quality_weights SET weight = weight * 2;
SELECT is((SELECT count(*) FROM scores_default AS d JOIN cs_service_internal.scorecard_values AS v
             ON v.level = d.level AND v.month = d.month AND v.client_id IS NOT DISTINCT FROM d.client_id
            AND v.manager IS NOT DISTINCT FROM d.manager AND v.team IS NOT DISTINCT FROM d.team
            WHERE NOT (pg_temp.same(v.service_score, d.service_score) AND pg_temp.same(v.contract_score, d.contract_score)
                       AND pg_temp.same(v.competence_score, d.competence_score)
                       AND pg_temp.same(v.communication_score, d.communication_score))),
          0::bigint, 'weights: doubling every weight changes no score');
UPDATE cs_service.quality_weights SET weight = weight / 2;
UPDATE cs_service.quality_weights SET weight = 0 WHERE factor = 'sla';
SELECT is((SELECT count(*) FROM score_check WHERE NOT pg_temp.same(service_score, service)), 0::bigint,
          'weights: a factor weighted 0 is left out');
UPDATE cs_service.quality_weights SET weight = 15 WHERE factor = 'sla';

-- ---- Rollups equal the raw rows ---------------------------------------------------------------------------
-- Every metric of scorecard_monthly (rollups before the watermark) and of scorecard_monthly_raw,
-- through the accessors; the difference both ways must be empty.
CREATE FUNCTION pg_temp.monthly_diff() RETURNS bigint
LANGUAGE sql AS $$
WITH a AS (
    SELECT month, client_id, cs_service.nps(nps) AS nps, cs_service.csat(csat) AS csat, cs_service.ces(ces) AS ces,
           cs_service.responses(nps) AS nps_n, cs_service.responses(csat) AS csat_n, cs_service.responses(ces) AS ces_n,
           cs_service.sla_pct(sla) AS sla_pct, cs_service.sla_total(sla) AS sla_total, sla_pending,
           cs_service.sla_pct(response) AS response_pct, cs_service.sla_total(response) AS response_total,
           cs_service.percentile(first_response, 0.5) AS fr_median, cs_service.duration_count(first_response) AS fr_n,
           projects_delivered, projects_on_time, projects_within_budget, deliverables, deliverables_passed,
           escalations, complaints, activities, qa_reviewed, qa_passed, rhythm_due, rhythm_on_time, rhythm_pending,
           waited_client_us, waited_third_party_us, waited_internal_us, waits_running
      FROM cs_service_internal.scorecard_monthly),
b AS (
    SELECT month, client_id, cs_service.nps(nps), cs_service.csat(csat), cs_service.ces(ces),
           cs_service.responses(nps), cs_service.responses(csat), cs_service.responses(ces),
           cs_service.sla_pct(sla), cs_service.sla_total(sla), sla_pending,
           cs_service.sla_pct(response), cs_service.sla_total(response),
           cs_service.percentile(first_response, 0.5), cs_service.duration_count(first_response),
           projects_delivered, projects_on_time, projects_within_budget, deliverables, deliverables_passed,
           escalations, complaints, activities, qa_reviewed, qa_passed, rhythm_due, rhythm_on_time, rhythm_pending,
           waited_client_us, waited_third_party_us, waited_internal_us, waits_running
      FROM cs_service_internal.scorecard_monthly_raw)
SELECT (SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b) AS x)
     + (SELECT count(*) FROM (SELECT * FROM b EXCEPT ALL SELECT * FROM a) AS y)
$$;
CREATE FUNCTION pg_temp.past_queue() RETURNS bigint
LANGUAGE sql AS $$
SELECT count(*) FROM cs_service_internal.rollup_queue WHERE day < timezone(cs_service.report_zone(), now())::date
$$;

-- The manager and team rows (stored for the closed months, merged live for the others, or for
-- every month while the clients' assignment differs from the stored one) against the client rows
-- merged here per month, manager and team and per month and team: rows that differ, through the
-- accessors.  (monthly_diff proves the client rows equal the raw rows.)
CREATE FUNCTION pg_temp.team_diff() RETURNS bigint
LANGUAGE sql AS $$
WITH c AS (SELECT * FROM cs_service_internal.scorecard_summaries WHERE level = 'client'),
merged AS (
    SELECT m.*
      FROM (SELECT 'manager' AS level, month, manager, team, count(*) AS clients,
                   cs_service.rollup(nps) AS nps, cs_service.rollup(csat) AS csat, cs_service.rollup(sla) AS sla,
                   cs_service.rollup(first_response) AS fr, sum(activities) AS activities,
                   sum(escalations) AS escalations, sum(rhythm_on_time) AS rhythm_on_time,
                   sum(waited_client_us) AS waited_client_us, sum(waited_third_party_us) AS waited_third_party_us
              FROM c GROUP BY month, manager, team
            UNION ALL
            SELECT 'team', month, NULL, team, count(*), cs_service.rollup(nps), cs_service.rollup(csat),
                   cs_service.rollup(sla), cs_service.rollup(first_response), sum(activities), sum(escalations),
                   sum(rhythm_on_time), sum(waited_client_us), sum(waited_third_party_us)
              FROM c GROUP BY month, team) AS m),
a AS (SELECT level, month, manager, team, clients, cs_service.nps(nps) AS nps, cs_service.responses(nps) AS nps_n,
             cs_service.csat(csat) AS csat, cs_service.sla_total(sla) AS sla_total, cs_service.sla_met(sla) AS sla_met,
             cs_service.duration_count(fr) AS fr_n, cs_service.percentile(fr, 0.9) AS fr_p90,
             activities::bigint AS activities, escalations::bigint AS escalations,
             rhythm_on_time::bigint AS rhythm_on_time, waited_client_us::bigint AS waited_client_us,
             waited_third_party_us::bigint AS waited_third_party_us
        FROM merged),
b AS (SELECT level, month, manager, team, clients, cs_service.nps(nps), cs_service.responses(nps),
             cs_service.csat(csat), cs_service.sla_total(sla), cs_service.sla_met(sla),
             cs_service.duration_count(first_response), cs_service.percentile(first_response, 0.9),
             activities, escalations, rhythm_on_time, waited_client_us, waited_third_party_us
        FROM cs_service_internal.scorecard_summaries WHERE level IN ('manager', 'team'))
SELECT (SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b) AS x)
     + (SELECT count(*) FROM (SELECT * FROM b EXCEPT ALL SELECT * FROM a) AS y)
$$;

SELECT ok(cs_service.refresh_rollups() > 500, 'rollups: the first refresh builds the daily rows');
SELECT is((SELECT closed_before FROM cs_service_internal.rollup_team_bound),
          date_trunc('month', timezone('Europe/Moscow', now()))::date,
          'rollups: the manager and team rows are read as stored before this month');
SELECT ok((SELECT count(*) FROM cs_service_internal.rollup_team_monthly WHERE level = 'team') >= 2 * 10,
          '... stored for every closed month and team');
SELECT is(pg_temp.team_diff(), 0::bigint, 'rollups: the stored manager and team rows = the client rows merged');
-- a client moved to another manager and team: the stored rows no longer hold until a refresh
-- merges the months again; the views merge every month live meanwhile
CREATE TEMP TABLE team_rows_before AS SELECT t::text AS t FROM cs_service_internal.rollup_team_monthly AS t;
UPDATE cs_service.clients SET manager = 'm-moved', team = 't-moved' WHERE client_id = (SELECT min(client_id) FROM cs_service.clients);
SELECT is((SELECT closed_before FROM cs_service_internal.rollup_team_bound), NULL,
          'rollups: a client''s new manager and team: the stored manager and team rows are not read');
SELECT is(pg_temp.team_diff(), 0::bigint, '... and the rows merged live = the client rows merged (the new manager and team have rows)');
SELECT ok(cs_service.refresh_rollups() >= 0, 'rollups: refresh');
SELECT is((SELECT closed_before FROM cs_service_internal.rollup_team_bound),
          date_trunc('month', timezone('Europe/Moscow', now()))::date,
          '... merges the closed months again under the new assignment, and they are read as stored');
SELECT ok(EXISTS (SELECT FROM cs_service_internal.rollup_team_monthly WHERE team = 't-moved')
          AND EXISTS (SELECT t::text FROM cs_service_internal.rollup_team_monthly AS t EXCEPT SELECT t FROM team_rows_before),
          '... with rows for the new manager and team');
SELECT is(pg_temp.team_diff(), 0::bigint, '... equal to the client rows merged');
UPDATE cs_service.clients SET ended_at = timestamptz '2026-03-15 12:00+03' WHERE client_id = (SELECT max(client_id) FROM cs_service.clients);
SELECT is((SELECT closed_before FROM cs_service_internal.rollup_team_bound), NULL,
          'rollups: a client that ended: the stored rows are not read');
SELECT is(pg_temp.team_diff(), 0::bigint, '... and the live rows count the client up to March only');
SELECT ok(cs_service.refresh_rollups() >= 0, 'rollups: refresh');
SELECT is(pg_temp.team_diff(), 0::bigint, '... and the stored rows again equal the client rows merged');
SELECT is((SELECT watermark FROM cs_service_internal.rollup_state), timezone('Europe/Moscow', now())::date,
          'rollups: the watermark is today in Moscow');
SELECT is(pg_temp.monthly_diff(), 0::bigint, 'rollups: scorecard_monthly = scorecard_monthly_raw after a full build');
SELECT is((SELECT count(*) FROM cs_service_internal.rollup_monthly WHERE period >= '2026-11-01'), 0::bigint,
          'rollups: the generated data ends in October');

-- Changes to past days in every source table, one table at a time: insert, update (values,
-- times, keys) and delete; after each, the raw rows differ from the rollups, and after an
-- incremental refresh they are equal again and no past day is left in the queue.
CREATE FUNCTION pg_temp.refresh_and_diff() RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM cs_service.refresh_rollups();
    RETURN pg_temp.monthly_diff() + pg_temp.past_queue() + pg_temp.team_diff();
END
$$;

-- surveys
INSERT INTO cs_service.surveys (client_id, answered_at, kind, score)
SELECT pg_temp.cl(g, 131), timestamptz '2026-02-01 00:00+03' + pg_temp.u(g, 132) * interval '200 days', 'nps', g % 11
  FROM generate_series(1, 20) AS g;
UPDATE cs_service.surveys SET score = CASE kind WHEN 'nps' THEN 10 - score WHEN 'csat' THEN 6 - score ELSE 8 - score END
 WHERE survey_id % 7 = 0;
UPDATE cs_service.surveys SET answered_at = answered_at + interval '3 days' WHERE survey_id % 11 = 0;
UPDATE cs_service.surveys SET client_id = pg_temp.other(client_id) WHERE survey_id % 13 = 0;
DELETE FROM cs_service.surveys WHERE survey_id % 17 = 0;
SELECT ok(pg_temp.monthly_diff() > 0, 'surveys: the changes show in the raw rows at once, not yet in the rollups');
SELECT is(pg_temp.refresh_and_diff(), 0::bigint,
          'surveys: after a refresh scorecard_monthly = scorecard_monthly_raw (new answers, scores, times, clients, deletions), no past day queued');

-- requests and their events
INSERT INTO cs_service.requests (opened_at, channel, client, policy)
SELECT timestamptz '2026-03-02 10:00+03' + g * interval '7 days', 'email', pg_temp.cl(g, 141), 'pt-std'
  FROM generate_series(1, 10) AS g;
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT r.id, r.opened_at + interval '3 hours', 'agent_reply' FROM cs_service.requests AS r
 WHERE r.opened_at IN (SELECT timestamptz '2026-03-02 10:00+03' + g * interval '7 days' FROM generate_series(1, 10) AS g)
   AND NOT EXISTS (SELECT FROM cs_service.request_events AS e WHERE e.request_id = r.id);
UPDATE cs_service.requests SET client = pg_temp.other(client) WHERE id % 9 = 0 AND policy = 'pt-std';
UPDATE cs_service.requests SET opened_at = opened_at - interval '2 days' WHERE id % 10 = 0 AND policy = 'pt-std';
DELETE FROM cs_service.requests WHERE id % 14 = 0 AND policy = 'pt-std';
SELECT ok(pg_temp.monthly_diff() > 0, 'requests: the changes show in the raw rows at once, not yet in the rollups');
SELECT is(pg_temp.refresh_and_diff(), 0::bigint,
          'requests: after a refresh scorecard_monthly = scorecard_monthly_raw (new requests with replies, clients, opening times, deletions), no past day queued');

-- request events
DELETE FROM cs_service.request_events WHERE kind = 'resolved' AND request_id % 8 = 0;
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT e.request_id, e.at + x.d, x.kind FROM cs_service.request_events AS e
 CROSS JOIN (VALUES (interval '1 day', 'reopened'), (interval '1 day 2 hours', 'resolved')) AS x (d, kind)
 WHERE e.kind = 'resolved' AND e.request_id % 6 = 0;
UPDATE cs_service.request_events SET at = at + interval '1 hour' WHERE kind = 'agent_reply' AND request_id % 5 = 0;
-- waits on each party, back-dated into past requests, and one moved to another party
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT r.id, r.opened_at + x.d, x.kind FROM cs_service.requests AS r
 CROSS JOIN (VALUES (interval '20 minutes', 'waiting_on_internal'), (interval '50 minutes', 'waiting_on_third_party'),
                    (interval '80 minutes', 'resumed'), (interval '100 minutes', 'waiting_on_client'),
                    (interval '130 minutes', 'customer_message')) AS x (d, kind)
 WHERE r.id % 4 = 1 AND r.opened_at < '2026-10-01'
ON CONFLICT DO NOTHING;
UPDATE cs_service.request_events SET kind = 'waiting_on_internal' WHERE kind = 'waiting_on_client' AND request_id % 3 = 0;
SELECT ok(pg_temp.monthly_diff() > 0, 'request_events: the changes show in the raw rows at once, not yet in the rollups');
SELECT is(pg_temp.refresh_and_diff(), 0::bigint,
          'request_events: after a refresh scorecard_monthly = scorecard_monthly_raw (resolutions removed, reopened and resolved again, replies moved, waits on each party added and moved), no past day queued');
SELECT ok((SELECT sum(waited_third_party_us) > 0 AND sum(waited_internal_us) > 0 AND sum(waited_client_us) > 0
             FROM cs_service_internal.scorecard_monthly),
          'request_events: the rollups hold business time waited on each party');
SELECT is((SELECT count(*) FROM cs_service.client_scorecard AS s
            CROSS JOIN LATERAL (
                   SELECT coalesce(sum(x.waited_minutes) FILTER (WHERE x.party = 'client'), 0) AS client_minutes,
                          100 * sum(x.waited_minutes) FILTER (WHERE x.party = 'client') / NULLIF(sum(x.waited_minutes), 0) AS share
                     FROM cs_service.wait_attribution AS x WHERE x.month = s.month AND x.client = s.client_id) AS w
            WHERE abs(s.client_wait_minutes - w.client_minutes) >= 1.0 / 60
               OR (s.client_wait_share_pct IS NULL) <> (w.share IS NULL)
               OR abs(s.client_wait_share_pct - w.share) >= 0.01),
          0::bigint, 'client_scorecard: the minutes waited on the client and the client''s share equal wait_attribution, to the second, every client and month');

-- projects
INSERT INTO cs_service.projects (client_id, name, budget, spent, due_at, delivered_at)
SELECT pg_temp.cl(g, 151), 'late addition ' || g, 500, 400 + 50 * g, timestamptz '2026-04-01 18:00+03' + g * interval '9 days',
       timestamptz '2026-04-01 12:00+03' + g * interval '10 days'
  FROM generate_series(1, 5) AS g;
UPDATE cs_service.projects SET delivered_at = delivered_at + interval '2 days' WHERE project_id % 5 = 0 AND delivered_at IS NOT NULL;
UPDATE cs_service.projects SET spent = spent * 1.5 WHERE project_id % 6 = 0;
UPDATE cs_service.projects SET due_at = due_at - interval '3 days' WHERE project_id % 4 = 0;
UPDATE cs_service.projects SET client_id = pg_temp.other(client_id) WHERE project_id % 7 = 0;
UPDATE cs_service.projects SET delivered_at = NULL WHERE project_id % 11 = 0;
DELETE FROM cs_service.projects WHERE project_id % 13 = 0;
SELECT ok(pg_temp.monthly_diff() > 0, 'projects: the changes show in the raw rows at once, not yet in the rollups');
SELECT is(pg_temp.refresh_and_diff(), 0::bigint,
          'projects: after a refresh scorecard_monthly = scorecard_monthly_raw (delivered, spent, due, moved to another client with their deliverables, undelivered, deleted), no past day queued');

-- deliverables
INSERT INTO cs_service.deliverables (project_id, name, delivered_at, passed_verification, rework_rounds)
SELECT (SELECT min(project_id) FROM cs_service.projects) + g, 'late ' || g,
       timestamptz '2026-05-05 12:00+03' + g * interval '5 days', g % 2 = 0, g % 3
  FROM generate_series(1, 10) AS g
 WHERE EXISTS (SELECT FROM cs_service.projects AS p WHERE p.project_id = (SELECT min(project_id) FROM cs_service.projects) + g);
UPDATE cs_service.deliverables SET passed_verification = NOT passed_verification WHERE deliverable_id % 5 = 0;
UPDATE cs_service.deliverables SET delivered_at = delivered_at + interval '1 day' WHERE deliverable_id % 7 = 0;
UPDATE cs_service.deliverables AS d SET project_id = p.project_id
  FROM (SELECT max(project_id) AS project_id FROM cs_service.projects) AS p
 WHERE d.deliverable_id % 9 = 0;
DELETE FROM cs_service.deliverables WHERE deliverable_id % 11 = 0;
SELECT ok(pg_temp.monthly_diff() > 0, 'deliverables: the changes show in the raw rows at once, not yet in the rollups');
SELECT is(pg_temp.refresh_and_diff(), 0::bigint,
          'deliverables: after a refresh scorecard_monthly = scorecard_monthly_raw (new, verification, times, moved to another project, deleted), no past day queued');

-- escalations
INSERT INTO cs_service.escalations (client_id, opened_at)
SELECT pg_temp.cl(g, 161), timestamptz '2026-06-01 12:00+03' + g * interval '3 days' FROM generate_series(1, 5) AS g;
UPDATE cs_service.escalations SET opened_at = opened_at - interval '1 day' WHERE escalation_id % 3 = 0;
UPDATE cs_service.escalations SET client_id = pg_temp.other(client_id) WHERE escalation_id % 5 = 0;
DELETE FROM cs_service.escalations WHERE escalation_id % 7 = 0;
SELECT ok(pg_temp.monthly_diff() > 0, 'escalations: the changes show in the raw rows at once, not yet in the rollups');
SELECT is(pg_temp.refresh_and_diff(), 0::bigint,
          'escalations: after a refresh scorecard_monthly = scorecard_monthly_raw (new, times, clients, deleted), no past day queued');

-- complaints
INSERT INTO cs_service.complaints (client_id, raised_at, category)
SELECT pg_temp.cl(g, 171), timestamptz '2026-07-01 12:00+03' + g * interval '2 days', 'texts' FROM generate_series(1, 5) AS g;
UPDATE cs_service.complaints SET raised_at = raised_at + interval '2 days' WHERE complaint_id % 4 = 0;
UPDATE cs_service.complaints SET client_id = pg_temp.other(client_id) WHERE complaint_id % 5 = 0;
DELETE FROM cs_service.complaints WHERE complaint_id % 6 = 0;
SELECT ok(pg_temp.monthly_diff() > 0, 'complaints: the changes show in the raw rows at once, not yet in the rollups');
SELECT is(pg_temp.refresh_and_diff(), 0::bigint,
          'complaints: after a refresh scorecard_monthly = scorecard_monthly_raw (new, times, clients, deleted), no past day queued');

-- activities: new status updates between existing ones, moved, re-kinded, reports sent, moved to
-- another client, deleted (each changes the lateness of the client's next status update)
INSERT INTO cs_service.activities (manager, client_id, kind, at)
SELECT c.manager, c.client_id, 'status', timestamptz '2026-02-03 11:00+03' + pg_temp.u(g, 182) * interval '240 days'
  FROM generate_series(1, 20) AS g JOIN cs_service.clients AS c ON c.client_id = pg_temp.cl(g, 181);
UPDATE cs_service.activities SET at = at + interval '2 days', report_sent_at = report_sent_at + interval '2 days'
 WHERE activity_id % 9 = 0;
UPDATE cs_service.activities SET kind = 'status' WHERE kind = 'call' AND activity_id % 5 = 0;
UPDATE cs_service.activities SET kind = 'call' WHERE kind = 'status' AND activity_id % 7 = 0;
UPDATE cs_service.activities SET report_sent_at = at + interval '6 hours' WHERE kind = 'meeting' AND activity_id % 4 = 0;
UPDATE cs_service.activities SET client_id = pg_temp.other(client_id) WHERE activity_id % 11 = 0;
DELETE FROM cs_service.activities WHERE kind = 'status' AND activity_id % 13 = 0;
SELECT ok(pg_temp.monthly_diff() > 0, 'activities: the changes show in the raw rows at once, not yet in the rollups');
SELECT is(pg_temp.refresh_and_diff(), 0::bigint,
          'activities: after a refresh scorecard_monthly = scorecard_monthly_raw (status updates added, moved, re-kinded, reports, clients, deleted), no past day queued');

-- qa_reviews
INSERT INTO cs_service.qa_reviews (activity_id, reviewed_at, passed)
SELECT a.activity_id, '2026-10-31 12:00+03', a.activity_id % 2 = 0 FROM cs_service.activities AS a
 WHERE a.activity_id % 10 = 3 AND NOT EXISTS (SELECT FROM cs_service.qa_reviews AS q WHERE q.activity_id = a.activity_id);
UPDATE cs_service.qa_reviews SET passed = NOT passed WHERE activity_id % 3 = 0;
UPDATE cs_service.qa_reviews AS q SET activity_id = n.activity_id
  FROM (SELECT min(a.activity_id) AS activity_id FROM cs_service.activities AS a
         WHERE NOT EXISTS (SELECT FROM cs_service.qa_reviews AS r WHERE r.activity_id = a.activity_id)) AS n
 WHERE q.activity_id = (SELECT max(activity_id) FROM cs_service.qa_reviews);
DELETE FROM cs_service.qa_reviews WHERE activity_id % 5 = 0;
SELECT ok(pg_temp.monthly_diff() > 0, 'qa_reviews: the changes show in the raw rows at once, not yet in the rollups');
SELECT is(pg_temp.refresh_and_diff(), 0::bigint,
          'qa_reviews: after a refresh scorecard_monthly = scorecard_monthly_raw (new, verdicts, moved to another activity, deleted), no past day queued');

-- clients: one renamed (ON UPDATE CASCADE moves its rows) and one deleted (ON DELETE CASCADE)
UPDATE cs_service.clients SET client_id = 'p23-renamed' WHERE client_id = 'p23';
DELETE FROM cs_service.clients WHERE client_id = 'p24';
SELECT ok(pg_temp.monthly_diff() > 0, 'clients: the changes show in the raw rows at once, not yet in the rollups');
SELECT is(pg_temp.refresh_and_diff(), 0::bigint,
          'clients: after a refresh scorecard_monthly = scorecard_monthly_raw (a client renamed and one deleted, through the cascades), no past day queued');

-- clients: signed later, a day before their first status update, which was late (graded from the
-- signing in December) and is now on time.  Once a bug: no trigger queued that day, and the
-- rollups kept the old grade.
UPDATE cs_service.clients AS c SET signed_at = f.at - interval '1 day'
  FROM (SELECT a.client_id, min(a.at) AS at FROM cs_service.activities AS a
         WHERE a.kind = 'status' GROUP BY 1) AS f
 WHERE f.client_id = c.client_id AND c.client_id LIKE 'p1%';
SELECT ok(pg_temp.monthly_diff() > 0, 'clients: a new signing shows in the raw rows at once, not yet in the rollups');
SELECT is(pg_temp.refresh_and_diff(), 0::bigint,
          'clients: after a refresh scorecard_monthly = scorecard_monthly_raw (signings moved), no past day queued');
SELECT is((SELECT count(*) FROM (SELECT day, client_id, r::text FROM cs_service_internal.scorecard_daily AS r
                                  EXCEPT ALL
                                  SELECT period, client_id, r::text FROM cs_service_internal.scorecard_daily_raw('-infinity', 'infinity') AS r) AS x)
        + (SELECT count(*) FROM (SELECT period, client_id, r::text FROM cs_service_internal.scorecard_daily_raw('-infinity', 'infinity') AS r
                                  EXCEPT ALL
                                  SELECT day, client_id, r::text FROM cs_service_internal.scorecard_daily AS r) AS y),
          0::bigint, 'rollups: scorecard_daily = the raw daily rows, day by day');
CREATE TEMP TABLE incremental_daily AS SELECT r::text AS r FROM cs_service_internal.rollup_daily AS r;
CREATE TEMP TABLE incremental_monthly AS SELECT r::text AS r FROM cs_service_internal.rollup_monthly AS r;
SELECT ok(cs_service.refresh_rollups(true) > 0, 'rollups: a rebuild');
SELECT set_eq('SELECT r::text FROM cs_service_internal.rollup_daily AS r', 'SELECT r FROM incremental_daily',
              'rollups: rebuild gives the same rollup_daily as the incremental refreshes');
SELECT set_eq('SELECT r::text FROM cs_service_internal.rollup_monthly AS r', 'SELECT r FROM incremental_monthly',
              'rollups: rebuild gives the same rollup_monthly as the incremental refreshes');
SELECT is(pg_temp.monthly_diff(), 0::bigint, 'rollups: scorecard_monthly = scorecard_monthly_raw after the rebuild');
-- A second incremental refresh with nothing queued recomputes only the days with something
-- still running (here: a few waits of open requests, which grow) and changes nothing.
SELECT ok((SELECT count(*) FROM cs_service_internal.rollup_daily WHERE waits_running > 0) > 0,
          'rollups: some days hold a wait still running');
SELECT is(cs_service.refresh_rollups(),
          (SELECT count(*) FROM (SELECT period, client_id FROM cs_service_internal.rollup_daily
                                  WHERE sla_pending > 0 OR rhythm_pending > 0 OR waits_running > 0
                                 UNION SELECT day, NULL FROM cs_service_internal.rollup_sla_daily WHERE pending > 0) AS x),
          'rollups: a refresh with nothing queued recomputes only the days with something still running');
SELECT set_eq('SELECT r::text FROM cs_service_internal.rollup_monthly AS r', 'SELECT r FROM incremental_monthly',
              'rollups: ... and leaves rollup_monthly as it was');

-- ---- Rollups after changes to what the rhythm and SLA verdicts depend on ---------------------------------
-- Regression check, once a bug (src/sql/60_rollups.sql, rollup_enqueue and its triggers): the daily rows also depend on
-- the client's policy (clients.policy, the policy's status_every_days and meeting_report_within),
-- on the named calendar's hours (cs_service.calendars), on the SLA source binding (sla_bind), and
-- on TRUNCATE of a source table, none of which queues a day: after such a change refresh_rollups() leaves the rollups stale while
-- the raw rows change.  Each case below is followed by a rebuild, so that it fails on its own.
UPDATE cs_service.sla_policies SET status_every_days = 2, meeting_report_within = '1 hour' WHERE name = 'pt-std';
SELECT ok(cs_service.refresh_rollups() >= 0, 'rollups: refresh after the policy''s rhythm changed');
SELECT is(pg_temp.monthly_diff(), 0::bigint,
          'rollups: scorecard_monthly = scorecard_monthly_raw after a policy''s status_every_days and meeting_report_within change');
UPDATE cs_service.sla_policies SET status_every_days = 5, meeting_report_within = '4 hours' WHERE name = 'pt-std';
SELECT ok(cs_service.refresh_rollups(true) > 0, 'rollups: rebuild');
UPDATE cs_service.clients SET policy = 'pt-fast' WHERE client_id IN ('p01', 'p02', 'p03', 'p04');
SELECT ok(cs_service.refresh_rollups() >= 0, 'rollups: refresh after clients moved to another policy');
SELECT is(pg_temp.monthly_diff(), 0::bigint,
          'rollups: scorecard_monthly = scorecard_monthly_raw after clients.policy changes');
SELECT ok(cs_service.refresh_rollups(true) > 0, 'rollups: rebuild');
TRUNCATE cs_service.complaints;
SELECT ok(cs_service.refresh_rollups() >= 0, 'rollups: refresh after TRUNCATE complaints');
SELECT is(pg_temp.monthly_diff(), 0::bigint, 'rollups: scorecard_monthly = scorecard_monthly_raw after TRUNCATE of a source table');
SELECT ok(cs_service.refresh_rollups(true) >= 0, 'rollups: rebuild');
-- the named calendar's hours change (nothing guards a calendars row): SLA and rhythm verdicts move
UPDATE cs_service.calendars SET calendar = 'Europe/Moscow; mon-fri 10:00-16:00' WHERE name = 'pt-office';
SELECT ok(cs_service.refresh_rollups() >= 0, 'rollups: refresh after the named calendar changed');
SELECT is(pg_temp.monthly_diff(), 0::bigint, 'rollups: scorecard_monthly = scorecard_monthly_raw after a calendars row changes');
SELECT ok(cs_service.refresh_rollups(true) >= 0, 'rollups: rebuild');
-- the SLA source is bound to another query (here: the model's requests without p01's): every SLA
-- number of the past changes at once, and sla_bind resets nothing (the zone change does)
SELECT lives_ok($b$SELECT cs_service.sla_bind('requests', $q$SELECT id AS request_id, opened_at, channel, priority, client,
                   team, manager, policy, is_open FROM cs_service.requests WHERE client <> 'p01'$q$)$b$,
                'rollups: the requests source bound to a query');
SELECT ok(cs_service.refresh_rollups() >= 0, 'rollups: refresh after sla_bind');
SELECT is(pg_temp.monthly_diff(), 0::bigint, 'rollups: scorecard_monthly = scorecard_monthly_raw after the SLA source is rebound');

-- ---- Days from the watermark on stay queued -------------------------------------------------------------
-- An incremental refresh recomputes only queued days (and days with undecided items), so every
-- (day, client) with rows from the watermark on must still be queued when a refresh ends: the
-- refresh after midnight rolls those days up from the queue.  The only rows of this file at
-- now() are these (the rest is in the past).
CREATE FUNCTION pg_temp.unqueued_from_watermark() RETURNS bigint
LANGUAGE sql AS $$
SELECT count(*) FROM cs_service_internal.scorecard_daily_raw(
           (SELECT timezone(cs_service.report_zone(), s.watermark::timestamp) FROM cs_service_internal.rollup_state AS s),
           'infinity') AS d
 WHERE NOT EXISTS (SELECT FROM cs_service_internal.rollup_queue AS q WHERE q.day = d.period AND q.client_id = d.client_id)
$$;
SELECT ok(cs_service.refresh_rollups(true) >= 0, 'rollups: rebuild');
INSERT INTO cs_service.surveys (client_id, answered_at, kind, score) VALUES ('p05', now(), 'nps', 9);
INSERT INTO cs_service.complaints (client_id, raised_at, category) VALUES ('p06', now(), 'texts');
SELECT ok(cs_service.refresh_rollups() >= 0, 'rollups: refresh with rows of today');
SELECT is(pg_temp.unqueued_from_watermark(), 0::bigint, 'rollups: today''s rows stay queued after a refresh');
SELECT ok(cs_service.refresh_rollups(true) >= 0, 'rollups: rebuild with rows of today');
SELECT is(pg_temp.unqueued_from_watermark(), 0::bigint, 'rollups: today''s rows stay queued after a rebuild');
-- Regression check, once a bug (src/sql/60_rollups.sql, rollup_reset): a new reporting zone empties the whole queue, today's
-- and later days included, and the rebuild that follows rolls up only the days before today: the
-- rows of today are then never rolled up by the refreshes after midnight (only by a rebuild), and
-- scorecard_monthly loses them once their day is before the watermark.  (The same holds for rows
-- that existed before the 0.1.0 -> 0.2.0 upgrade: requests opened on the upgrade day.)
UPDATE cs_service.report_settings SET zone = 'Asia/Yekaterinburg';
SELECT ok(cs_service.refresh_rollups() > 0, 'rollups: rebuilt after the reporting zone changed');
SELECT is(pg_temp.unqueued_from_watermark(), 0::bigint, 'rollups: today''s rows stay queued after a change of the reporting zone');

SELECT * FROM finish();
ROLLBACK;
