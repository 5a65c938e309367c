-- test/demo/agency.sql: a deterministic agency for the scorecard demo and benchmarks.
--
--     psql -X -v ON_ERROR_STOP=1 -v scale=1 -f test/demo/agency.sql
--
-- Run it in a database where CREATE EXTENSION cs_service was just run (every table empty).
-- It fills the agency model: the 'ru-office' calendar, SLA policies 'standard' and 'premium',
-- 7 x scale teams of 6 managers, 120 x scale clients with orders, projects, deliverables,
-- surveys, escalations, complaints, manager activities and their QA reviews, and about
-- 100,000 x scale requests with 1,000,000 x scale events, over the 12 local months
-- 2025-11-01 .. 2026-10-31 in Europe/Moscow.  Nothing happens at or after 2026-11-01 00:00+03,
-- the instant the report is "as of"; every request is resolved before it.
--
-- Deterministic: no random(); every choice is a hash of row numbers (pg_temp.u below), every id
-- is given explicitly, every timestamp is computed, so the same scale gives the same rows on
-- every run and machine (except report_settings.updated_at, which its trigger sets to now()).
--
-- Wall time (2 vCPU, PostgreSQL 15, throwaway cluster, ANALYZE included):
--     scale 1:  15-20 s (runs: 14.6, 15.3, 17.2, 19.9 s); the events INSERT is ~11 s of it
--     scale 10: 172-185 s (events INSERT 122 s, activities 16-22 s, requests 15-17 s); 2.3 GB
-- Optional: -v timing=1 prints the time of each statement.

\set QUIET on
\set ON_ERROR_STOP 1
\if :{?scale}
\else
\set scale 1
\endif
\if :{?timing}
\timing on
\endif

SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;   -- one plan shape, whatever the machine
SET jit = off;
SET work_mem = '256MB';
SET TimeZone = 'Europe/Moscow';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';

-- scale must be a positive integer (an error, so psql stops with ON_ERROR_STOP)
SELECT :'scale' ~ '^[1-9][0-9]{0,2}$' AS scale_ok \gset
\if :scale_ok
\else
DO $$ BEGIN RAISE EXCEPTION 'agency.sql: scale must be an integer from 1 to 999'; END $$;
\endif

\set asof '2026-11-01 00:00:00+03'
\set setup_at '2025-10-15 12:00:00+03'

BEGIN;

-- ---------------------------------------------------------------------------------------------
-- Helpers (temporary: they go with the session)
-- ---------------------------------------------------------------------------------------------

-- A uniform number in [0, 1) from (row number, purpose): 48 bits of PostgreSQL's 64-bit
-- integer hash.  Only +, *, / and sqrt (exactly rounded in IEEE 754) are applied to these
-- numbers below, never exp/ln/pow, so no libm difference can change a row.
CREATE FUNCTION pg_temp.u(i bigint, salt integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (hashint8extended(i, salt) & 281474976710655)::double precision / 281474976710656;

-- Whole seconds as an interval.
CREATE FUNCTION pg_temp.secs(x double precision) RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN make_interval(secs => floor(x));

-- The instant of a Moscow local date and a number of seconds after its midnight.
CREATE FUNCTION pg_temp.at_local(d date, s double precision) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (d + make_interval(secs => floor(s))) AT TIME ZONE 'Europe/Moscow';

-- The Moscow local date of an instant.
CREATE FUNCTION pg_temp.local_day(t timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (t AT TIME ZONE 'Europe/Moscow')::date;

-- ---------------------------------------------------------------------------------------------
-- The calendar, the reporting zone, the SLA policies
-- ---------------------------------------------------------------------------------------------
-- 'ru-office': Moscow, Monday to Friday 09:00-18:00, with the Russian production calendars:
--   2025 (Government decree of 4 October 2024 on moving days off): Saturday Nov 1 is a worked short day
--     (09:00-17:00, before the Nov 4 holiday), Nov 3 (moved from Nov 1) and Nov 4 off,
--     Dec 31 off (moved from Sunday Jan 5);
--   2026 as in test/demo/sample.sql (decree No. 1466 of 24 September 2025).
\set office 'Europe/Moscow; mon-fri 09:00-18:00; 2025-11-01 09:00-17:00; 2025-11-03..2025-11-04 off; 2025-12-31 off; 2026-01-01..2026-01-09 off; 2026-02-23 off; 2026-03-09 off; 2026-04-30 09:00-17:00; 2026-05-01 off; 2026-05-08 09:00-17:00; 2026-05-11 off; 2026-06-11 09:00-17:00; 2026-06-12 off; 2026-11-03 09:00-17:00; 2026-11-04 off; 2026-12-31 off'
INSERT INTO cs_service.calendars AS c (name, calendar, description, updated_at)
VALUES ('ru-office', :'office',
	'Moscow office, Mon-Fri 09:00-18:00, Russian production calendar Nov 2025 - Dec 2026',
	:'setup_at')
ON CONFLICT (name) DO UPDATE
	SET calendar = excluded.calendar, description = excluded.description,
	    updated_at = excluded.updated_at;

-- ts + s seconds of business time in 'ru-office'.  The calendar is a constant in the query
-- (this function is inlined): business_add is then many times faster than with the calendar
-- from a column or a CROSS JOIN (SELECT cs_service.calendar(...)).
CREATE FUNCTION pg_temp.badd(ts timestamptz, s double precision) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN cs_service.business_add(ts, make_interval(secs => floor(s)), :'office'::cs_service.business_calendar);

UPDATE cs_service.report_settings SET zone = 'Europe/Moscow';

INSERT INTO cs_service.sla_policies
	(name, calendar_name, warning_pct, description, status_every_days, meeting_report_within, created_at)
VALUES
	('standard', 'ru-office', 75, 'Office hours; chat 15 min, e-mail 2 h, phone 4 h, resolution 24 h',
	 5, '4 hours', :'setup_at'),
	('premium', 'ru-office', 60, 'Key accounts: chat 10 min, e-mail 1 h, phone 2 h, resolution 16 h, status twice a week',
	 3, '2 hours', :'setup_at');

INSERT INTO cs_service.sla_targets (policy, metric, channel, target, created_at) VALUES
	('standard', 'first_response', 'chat',  '15 minutes', :'setup_at'),
	('standard', 'first_response', 'email', '2 hours',    :'setup_at'),
	('standard', 'first_response', 'phone', '4 hours',    :'setup_at'),
	('standard', 'resolution',     NULL,    '24 hours',   :'setup_at'),
	('premium',  'first_response', 'chat',  '10 minutes', :'setup_at'),
	('premium',  'first_response', 'email', '1 hour',     :'setup_at'),
	('premium',  'first_response', 'phone', '2 hours',    :'setup_at'),
	('premium',  'resolution',     NULL,    '16 hours',   :'setup_at');

INSERT INTO cs_service.sla_policy_rules (policy, created_at) VALUES ('standard', :'setup_at');

-- Targets in seconds, for the generator.
CREATE TEMP TABLE g_targets AS
SELECT * FROM (VALUES
	('standard', 'chat',   900.0, 86400.0), ('standard', 'email', 7200.0, 86400.0),
	('standard', 'phone', 14400.0, 86400.0),
	('premium',  'chat',   600.0, 57600.0), ('premium',  'email', 3600.0, 57600.0),
	('premium',  'phone',  7200.0, 57600.0)) AS t(policy, channel, fr_s, res_s);

-- ---------------------------------------------------------------------------------------------
-- Days of the period: working days from the calendar, numbered
-- ---------------------------------------------------------------------------------------------
CREATE TEMP TABLE g_days AS
SELECT d.day, date_trunc('month', d.day)::date AS month, (d.day - date '2025-11-01') AS dno,
       cs_service.business_duration(d.day::timestamp AT TIME ZONE 'Europe/Moscow',
                                    (d.day + 1)::timestamp AT TIME ZONE 'Europe/Moscow',
                                    :'office'::cs_service.business_calendar) > interval '0' AS workday
  FROM (SELECT generate_series(date '2025-11-01', date '2026-10-31', interval '1 day')::date AS day) AS d;

CREATE TEMP TABLE g_wd AS            -- working days, n = 1, 2, ...
SELECT row_number() OVER (ORDER BY day)::integer AS n, day, month FROM g_days WHERE workday;
CREATE UNIQUE INDEX ON g_wd (n);

ALTER TABLE g_days ADD COLUMN next_wd integer;  -- the first working day on or after the day
UPDATE g_days AS d SET next_wd = (SELECT min(w.n) FROM g_wd AS w WHERE w.day >= d.day);

CREATE TEMP TABLE g_month AS         -- mi = 0 .. 11
SELECT (row_number() OVER (ORDER BY month) - 1)::integer AS mi, month,
       min(n) AS wd_first, count(*)::integer AS wd_count
  FROM g_wd GROUP BY month;

CREATE INDEX ON g_days (day);
ANALYZE g_days, g_wd, g_month;
SELECT max(n) AS wd_last FROM g_wd \gset

-- ---------------------------------------------------------------------------------------------
-- Teams, managers, clients
-- ---------------------------------------------------------------------------------------------
-- Seven team profiles, repeated at higher scales; profile 5 is the weak team (slow replies,
-- unhappy clients, late reports and projects, more escalations).
--   miss_fr / miss_res: share of first responses / resolutions over target
--   mood: shift of NPS scores (CSAT and CES follow it at a smaller scale)
--   late_report: share of meeting reports sent late; never_report: never sent
--   pass_deliv: share of deliverables passing verification; over: share of projects over budget
--   esc: chance per client and slot of an escalation; skip: chance a status or review is skipped
CREATE TEMP TABLE g_teams AS
SELECT t, 'team-' || t AS team, p.*
  FROM generate_series(1, 7 * :scale) AS t
  JOIN (VALUES
	(1, 0.05, 0.05,  0.6, 0.07, 0.02, 0.94, 0.12, 0.05, 0.05),
	(2, 0.07, 0.06,  0.3, 0.09, 0.03, 0.92, 0.15, 0.07, 0.06),
	(3, 0.09, 0.08,  0.0, 0.11, 0.03, 0.91, 0.16, 0.08, 0.07),
	(4, 0.11, 0.10, -0.3, 0.13, 0.04, 0.89, 0.18, 0.09, 0.08),
	(5, 0.19, 0.18, -1.8, 0.30, 0.08, 0.79, 0.35, 0.25, 0.17),
	(6, 0.06, 0.07,  0.4, 0.08, 0.02, 0.93, 0.13, 0.06, 0.05),
	(7, 0.10, 0.11, -0.1, 0.12, 0.04, 0.90, 0.17, 0.08, 0.08))
	AS p(profile, miss_fr, miss_res, mood, late_report, never_report, pass_deliv, over, esc, skip)
    ON p.profile = (t - 1) % 7 + 1;

-- g = 0 .. 42 x scale - 1.  QA: about 93 % pass; mgr-3-4 (and its copies at higher scales)
-- clearly worse.
CREATE TEMP TABLE g_managers AS
SELECT (t.t - 1) * 6 + m - 1 AS g, t.t, t.team, m, 'mgr-' || t.t || '-' || m AS manager,
       t.profile,
       CASE WHEN t.profile = 3 AND m = 4 THEN 0.72
            WHEN t.profile = 5 THEN 0.91
            ELSE 0.925 + 0.04 * pg_temp.u((t.t - 1) * 6 + m, 11) END AS qa_pass
  FROM g_teams AS t CROSS JOIN generate_series(1, 6) AS m;

-- Clients i = 1 .. 120 x scale; k = 1 .. 120 is the position in a block of 120 (the pattern
-- repeats per block).  Manager: round robin over all managers, so each has 2-3 clients.
--   k 1..100: clients before the period (signed 25 days to 2.8 years before 2025-11-01);
--             k % 11 = 7 (9 of them) end during the year;
--   k 101..120: signed during the year, one every ~16 days from 2025-11-05;
--             early churn: k 101, 102, 103 end exactly 59, 60 and 61 days after signing,
--             k 104, 105, 106 after 20, 45 and 33 days; k 110 after 150 days.
--   premium (SLA policy 'premium'): k % 8 = 3.
CREATE TEMP TABLE g_clients AS
SELECT x.*, m.manager, m.team, m.t, m.profile,
       CASE WHEN x.premium THEN 'premium' END AS policy,
       CASE WHEN x.k BETWEEN 101 AND 106 OR x.k = 110 THEN
                x.signed_at + make_interval(days => CASE x.k WHEN 101 THEN 59 WHEN 102 THEN 60
                    WHEN 103 THEN 61 WHEN 104 THEN 20 WHEN 105 THEN 45 WHEN 106 THEN 33
                    ELSE 150 END)
            WHEN x.k <= 100 AND x.k % 11 = 7 THEN
                pg_temp.at_local(date '2025-11-01' + 25 + (x.k * 53 + x.b * 17) % 330, 18 * 3600)
       END AS ended_at
  FROM (SELECT i, k, b, g, premium, weight, status_dow, status_s,
               'c' || lpad(i::text, greatest(3, length((120 * :scale)::text)), '0') AS cid,
               (ARRAY['Romashka', 'Vektor', 'Avrora', 'Kedr', 'Neva', 'Sibir', 'Mayak', 'Ural',
                      'Volga', 'Baikal', 'Altai', 'Sever', 'Yug', 'Zvezda', 'Raduga', 'Sokol',
                      'Berezka', 'Granit', 'Kristall', 'Orion', 'Pegas', 'Rubin', 'Signal',
                      'Tayga', 'Feniks', 'Elbrus', 'Amur', 'Lotos', 'Kama', 'Iskra'])[(k - 1) % 30 + 1]
               || ' ' ||
               (ARRAY['LLC', 'Group', 'Studio', 'Trade', 'Clinic', 'Logistics', 'Bank', 'Hotels'])
                   [((k - 1) / 30 + b) % 8 + 1]
               || CASE WHEN b > 0 THEN ' ' || (b + 1) ELSE '' END AS name,
               CASE WHEN k <= 100 THEN
                        pg_temp.at_local(d0 - CASE extract(isodow FROM d0) WHEN 6 THEN 1 WHEN 7 THEN 2 ELSE 0 END,
                                         10 * 3600 + 7 * 3600 * pg_temp.u(i, 22))
                    ELSE
                        pg_temp.at_local((SELECT w.day FROM g_wd AS w
                                           WHERE w.n = (SELECT d.next_wd FROM g_days AS d WHERE d.day = d0)),
                                         11 * 3600 + 5 * 3600 * pg_temp.u(i, 22))
               END AS signed_at
          FROM (SELECT i, (i - 1) % 120 + 1 AS k, (i - 1) / 120 AS b, (i - 1) % (42 * :scale) AS g,
                       (i - 1) % 120 % 8 = 2 AS premium,
                       0.35 + 1.3 * pg_temp.u(i, 23) AS weight,
                       CASE WHEN (i - 1) % 120 % 8 = 2 THEN 1 + floor(2 * pg_temp.u(i, 24))::integer
                            ELSE 1 + floor(5 * pg_temp.u(i, 24))::integer END AS status_dow,
                       10 * 3600 + 900 * floor(24 * pg_temp.u(i, 25)) AS status_s,
                       CASE WHEN (i - 1) % 120 + 1 <= 100
                            THEN date '2025-11-01' - (25 + floor(1000 * pg_temp.u(i, 21)))::integer
                            ELSE date '2025-11-05' + ((i - 1) % 120 - 100) * 16
                                 + floor(8 * pg_temp.u(i, 21))::integer END AS d0
                  FROM generate_series(1, 120 * :scale) AS i) AS y) AS x
  JOIN g_managers AS m ON m.g = x.g;
CREATE INDEX ON g_clients (g);
ANALYZE g_teams, g_managers, g_clients;

INSERT INTO cs_service.clients (client_id, name, manager, team, signed_at, ended_at, policy, created_at)
SELECT cid, name, manager, team, signed_at, ended_at, policy, signed_at
  FROM g_clients ORDER BY cid;

-- premium clients also get a rule, so the rules and clients.policy agree
INSERT INTO cs_service.sla_policy_rules (policy, client, created_at)
SELECT 'premium', cid, :'setup_at' FROM g_clients WHERE premium ORDER BY cid;

-- ---------------------------------------------------------------------------------------------
-- Orders: the first at signing, then repeat orders; 28 % of clients order once
-- ---------------------------------------------------------------------------------------------
INSERT INTO cs_service.orders (order_id, client_id, ordered_at, amount)
SELECT row_number() OVER (ORDER BY o.ordered_at, o.client_id), o.client_id, o.ordered_at, o.amount
  FROM (SELECT c.cid AS client_id, c.ended_at,
               CASE WHEN j = 1 THEN c.signed_at + pg_temp.secs(3600 + 3 * 86400 * pg_temp.u(c.i * 8 + j, 31))
                    ELSE pg_temp.at_local(pg_temp.local_day(c.signed_at + interval '20 days'
                             + (least(c.ended_at, :'asof') - interval '1 day'
                                - c.signed_at - interval '20 days') * pg_temp.u(c.i * 8 + j, 31)),
                             10 * 3600 + 8 * 3600 * pg_temp.u(c.i * 8 + j, 32)) END AS ordered_at,
               round((50000 + 1950000 * a * a * a)::numeric, -3) AS amount
          FROM g_clients AS c
         CROSS JOIN LATERAL generate_series(1,
               CASE WHEN c.ended_at < c.signed_at + interval '62 days' THEN 1
                    WHEN pg_temp.u(c.i, 33) < 0.28 THEN 1
                    ELSE 2 + floor(5 * pg_temp.u(c.i, 34))::integer END) AS j
         CROSS JOIN LATERAL (SELECT pg_temp.u(c.i * 8 + j, 35) AS a) AS r
         WHERE j = 1 OR least(c.ended_at, :'asof') - interval '1 day' > c.signed_at + interval '20 days') AS o
 WHERE o.ordered_at < :'asof' AND (o.ended_at IS NULL OR o.ordered_at < o.ended_at);

-- ---------------------------------------------------------------------------------------------
-- Projects and deliverables
-- ---------------------------------------------------------------------------------------------
-- Each client: about 3 projects a year of activity, due on a working day at 18:00 within its
-- active time.  Outcome (the weak team is late more often):
--   early (a day or more), on time (some exactly at due_at), late with the slip announced
--   before due_at, late unannounced, late and announced only after due_at.
-- A late project whose delivery would fall after the as-of instant is still undelivered
-- (past due).  Spent: most within budget, some 5-40 % over.
CREATE TEMP TABLE g_proj AS
WITH win AS MATERIALIZED (                 -- (once per client)
	SELECT c.*,
	       (SELECT d.next_wd FROM g_days AS d
	         WHERE d.day = greatest(pg_temp.local_day(c.signed_at) + 21, date '2025-11-05')) AS n_lo,
	       (SELECT max(w.n) FROM g_wd AS w
	         WHERE w.day <= least(pg_temp.local_day(c.ended_at) - 7, date '2026-10-30')) AS n_hi
	  FROM g_clients AS c
), proj AS (
	SELECT w.i, w.cid, w.signed_at, w.ended_at, w.t, w.profile, w.mood, w.over, j,
	       w.i * 8 + j AS pk,
	       w.n_lo + floor((w.n_hi - w.n_lo + 1) * pg_temp.u(w.i * 8 + j, 41))::integer AS n_due
	  FROM (SELECT win.*, t.mood, t.over FROM win JOIN g_teams AS t ON t.t = win.t) AS w
	 CROSS JOIN LATERAL generate_series(1, greatest(1, round((w.n_hi - w.n_lo) / 247.0
	                                        * (1 + 4 * pg_temp.u(w.i, 42)))::integer)) AS j
	 WHERE w.n_hi >= w.n_lo
), outcome AS (
	SELECT p.*, dd.day AS due_day,
	       pg_temp.at_local(dd.day, 18 * 3600) AS due_at,
	       greatest(dd.day - 21 - floor(100 * pg_temp.u(p.pk, 43))::integer,
	                pg_temp.local_day(p.signed_at)) AS start_day,
	       CASE WHEN p.profile = 5 THEN (uo + sqrt(uo)) / 2 ELSE uo END AS o,
	       pg_temp.u(p.pk, 45) AS a, pg_temp.u(p.pk, 46) AS b2
	  FROM proj AS p
	  JOIN g_wd AS dd ON dd.n = p.n_due
	 CROSS JOIN LATERAL (SELECT pg_temp.u(p.pk, 44) AS uo) AS r
), dated AS (
	SELECT o.*,
	       CASE WHEN o.o < 0.22 THEN 'early' WHEN o.o < 0.62 OR o.o >= 0.90 THEN 'on time'
	            WHEN o.o < 0.76 THEN 'late, announced' WHEN o.o < 0.86 THEN 'late, unannounced'
	            ELSE 'late, announced after due' END AS class,
	       CASE WHEN o.o < 0.22 THEN greatest(1, o.n_due - 1 - floor(4 * o.a)::integer)
	            WHEN o.o < 0.62 OR o.o >= 0.90 THEN o.n_due
	            WHEN o.o < 0.76 THEN o.n_due + 1 + floor(10 * o.a)::integer
	            WHEN o.o < 0.86 THEN o.n_due + 1 + floor(7 * o.a)::integer
	            ELSE o.n_due + 2 + floor(6 * o.a)::integer END AS n_delivered,
	       CASE WHEN o.o >= 0.62 AND o.o < 0.76 THEN greatest(1, o.n_due - 2 - floor(6 * o.b2)::integer) END AS n_slip
	  FROM outcome AS o
)
SELECT d.pk, d.i, d.cid, d.t, d.profile, d.mood, d.class, d.due_at, d.start_day,
       round((300000 + 2700000 * pg_temp.u(d.pk, 47) * pg_temp.u(d.pk, 47))::numeric, -4) AS budget,
       pg_temp.u(d.pk, 48) < d.over AS over_budget,
       CASE WHEN dw.day IS NULL THEN NULL
            WHEN d.ended_at IS NOT NULL AND dt.t >= d.ended_at THEN d.ended_at - interval '2 hours'
            WHEN dt.t >= :'asof' THEN NULL
            ELSE dt.t END AS delivered_at,
       CASE WHEN d.class = 'late, announced' THEN pg_temp.at_local(sw.day, 10 * 3600 + 8 * 3600 * pg_temp.u(d.pk, 49))
            WHEN d.class = 'late, announced after due' THEN d.due_at + pg_temp.secs(7200 + 100000 * pg_temp.u(d.pk, 49))
       END AS slip_announced_at
  FROM dated AS d
  LEFT JOIN g_wd AS dw ON dw.n = d.n_delivered
  LEFT JOIN g_wd AS sw ON sw.n = d.n_slip
 CROSS JOIN LATERAL (SELECT CASE
	    WHEN d.class = 'on time' AND pg_temp.u(d.pk, 50) < 0.08 THEN d.due_at
	    WHEN d.class = 'on time' THEN pg_temp.at_local(dw.day, 10 * 3600 + 8 * 3600 * pg_temp.u(d.pk, 51))
	    ELSE pg_temp.at_local(dw.day, 10 * 3600 + 7 * 3600 * pg_temp.u(d.pk, 51)) END AS t) AS dt;

ALTER TABLE g_proj ADD COLUMN project_id bigint;
UPDATE g_proj AS p SET project_id = s.rn
  FROM (SELECT pk, row_number() OVER (ORDER BY due_at, cid, pk) AS rn FROM g_proj) AS s
 WHERE s.pk = p.pk;

INSERT INTO cs_service.projects (project_id, client_id, name, budget, spent, due_at, delivered_at, slip_announced_at)
SELECT p.project_id, p.cid,
       (ARRAY['Website redesign', 'SEO promotion', 'Context advertising', 'Landing page',
              'Mobile app', 'CRM integration', 'Content plan', 'Analytics setup', 'Brand book',
              'SMM campaign', 'Online store', 'Email marketing'])[1 + floor(12 * pg_temp.u(p.pk, 52))::integer]
       || ', ' || to_char(p.due_at, 'Mon YYYY'),
       p.budget,
       round(p.budget * CASE WHEN p.delivered_at IS NULL THEN 0.6 + 0.45 * pg_temp.u(p.pk, 53)
                             WHEN p.over_budget THEN 1.05 + 0.35 * pg_temp.u(p.pk, 53)
                             ELSE 0.72 + 0.28 * pg_temp.u(p.pk, 53) END::numeric, -2),
       p.due_at, p.delivered_at,
       CASE WHEN p.slip_announced_at < :'asof' THEN p.slip_announced_at END
  FROM g_proj AS p ORDER BY p.project_id;

-- 2-6 deliverables per delivered project, spread from its start (not before the period) to its
-- delivery (the last one at the delivery); ~90 % pass verification, ~70 % need no rework.
CREATE TEMP TABLE g_deliv AS
SELECT p.project_id, p.pk, p.cid, p.mood, j, n, p.pk * 8 + j AS dk,
       CASE WHEN j = n THEN p.delivered_at
            ELSE least(p.delivered_at - interval '1 hour',
                       pg_temp.at_local(pg_temp.local_day(st + (p.delivered_at - st)
                                            * ((j - 0.7 + 0.4 * pg_temp.u(p.pk * 8 + j, 61)) / n)),
                                        10 * 3600 + 8 * 3600 * pg_temp.u(p.pk * 8 + j, 62))) END AS delivered_at,
       pg_temp.u(p.pk * 8 + j, 63) < t.pass_deliv AS passed
  FROM g_proj AS p
  JOIN g_teams AS t ON t.t = p.t
 CROSS JOIN LATERAL (SELECT 2 + floor(5 * pg_temp.u(p.pk, 60))::integer AS n,
                            pg_temp.at_local(greatest(p.start_day, date '2025-11-01'), 10 * 3600) AS st) AS s
 CROSS JOIN LATERAL generate_series(1, s.n) AS j
 WHERE p.delivered_at IS NOT NULL;

ALTER TABLE g_deliv ADD COLUMN rework integer;
UPDATE g_deliv SET rework = CASE
	WHEN NOT passed THEN 1 + floor(3 * pg_temp.u(dk, 64))::integer
	WHEN pg_temp.u(dk, 65) < 0.78 THEN 0
	ELSE 1 + floor(2 * pg_temp.u(dk, 64))::integer END;

INSERT INTO cs_service.deliverables (deliverable_id, project_id, name, delivered_at, passed_verification, rework_rounds)
SELECT row_number() OVER (ORDER BY d.delivered_at, d.project_id, d.j), d.project_id,
       (ARRAY['Mock-ups', 'Copy', 'Technical specification', 'Prototype', 'Release', 'Monthly report',
              'Ad creatives', 'Analytics dashboard', 'Content plan', 'Audit'])[1 + floor(10 * pg_temp.u(d.dk, 66))::integer],
       d.delivered_at, d.passed, d.rework
  FROM g_deliv AS d;

-- ---------------------------------------------------------------------------------------------
-- Requests and their events (the SLA model)
-- ---------------------------------------------------------------------------------------------
-- Volume: per client and day, weight x 3.95 on working days and weight x 0.5 on other days
-- (dithered), only while the client is active; opened mostly in office hours.
-- Timeline of a request, in SLA seconds (business time of 'ru-office' minus paused time):
--   first reply at D1 (over the first-response target for miss_fr of the team's requests),
--   k client message / reply rounds (chat up to 9, e-mail 7, phone 5) spread up to the
--   resolution at R (over the 24 h / 16 h target for miss_res); 30 % pause once for the
--   client or (30 %) for a third party (waiting_on_client or
--   waiting_on_third_party, resumed 1-28 business hours later; both stop the clock under the
--   default pause parties, so the SLA time is the same); 3 % (weak team 6 %) are
--   reopened after the resolution, answered and resolved again.
-- SLA offsets become instants with business_add, so the SLA time the engine measures is the
-- one chosen here.  A request whose last event would reach the as-of instant has its timeline
-- compressed (wall-clock, towards its opening) to end 10 minutes before it.
CREATE TEMP TABLE g_req AS
SELECT row_number() OVER w AS id, sum(r.n_ev) OVER w - r.n_ev AS ev_base, r.*
  FROM (SELECT q.*, o.opened_at, x.channel, tg.fr_s, tg.res_s, x.k, x.paused, x.reopened,
               2 * x.k + 2 + CASE WHEN x.paused THEN 2 ELSE 0 END
               + CASE WHEN x.reopened THEN 3 ELSE 0 END AS n_ev        -- events of the request
          FROM (SELECT c.i, c.cid, c.team, c.manager, c.premium, c.signed_at, c.ended_at,
                       CASE WHEN c.premium THEN 'premium' ELSE 'standard' END AS policy,
                       t.profile, t.mood, t.miss_fr, t.miss_res,
                       d.day, d.workday, (c.i::bigint * 512 + d.dno) * 64 + j AS rk
                  FROM g_clients AS c
                  JOIN g_teams AS t ON t.t = c.t
                  JOIN g_days AS d ON d.day >= pg_temp.local_day(c.signed_at)
                                  AND (c.ended_at IS NULL OR d.day <= pg_temp.local_day(c.ended_at))
                 CROSS JOIN LATERAL generate_series(1, floor(c.weight * CASE WHEN d.workday THEN 3.95 ELSE 0.5 END
                                                              + pg_temp.u(c.i::bigint * 512 + d.dno, 70))::integer) AS j) AS q
         CROSS JOIN LATERAL (
                SELECT y.channel, floor((y.kmax + 1) * pg_temp.u(q.rk, 79))::integer AS k,
                       pg_temp.u(q.rk, 80) < 0.30 AS paused,
                       pg_temp.u(q.rk, 82) < CASE WHEN q.profile = 5 THEN 0.06 ELSE 0.03 END AS reopened
                  FROM (SELECT CASE WHEN z < 0.45 THEN 'chat' WHEN z < 0.85 THEN 'email' ELSE 'phone' END AS channel,
                               CASE WHEN z < 0.45 THEN 9 WHEN z < 0.85 THEN 7 ELSE 5 END AS kmax
                          FROM (SELECT pg_temp.u(q.rk, 73) AS z) AS z) AS y) AS x
          JOIN g_targets AS tg ON tg.policy = q.policy AND tg.channel = x.channel
         CROSS JOIN LATERAL (SELECT pg_temp.at_local(q.day,
                   CASE WHEN NOT q.workday THEN 9 * 3600 + 13 * 3600 * pg_temp.u(q.rk, 71)
                        WHEN pg_temp.u(q.rk, 72) < 0.82 THEN 9 * 3600 + 9 * 3600 * pg_temp.u(q.rk, 71)
                        ELSE 7 * 3600 + 16 * 3600 * pg_temp.u(q.rk, 71) END) AS opened_at) AS o) AS r
 WHERE r.opened_at >= r.signed_at AND (r.ended_at IS NULL OR r.opened_at < r.ended_at)
   AND r.opened_at < :'asof'
WINDOW w AS (ORDER BY r.opened_at, r.cid, r.rk ROWS UNBOUNDED PRECEDING);

-- The instants.  (OFFSET 0 keeps each business_add in its own subquery, computed once per
-- request, instead of again wherever a later expression uses it.)
CREATE TEMP TABLE g_tl AS
SELECT r.id, r.ev_base, r.n_ev, r.rk, r.cid, r.team, r.manager, r.opened_at, r.channel,
       CASE WHEN pg_temp.u(r.rk, 74) < 0.1 THEN 'high' ELSE 'normal' END AS priority,
       r.policy, r.mood, r.fr_s, o.d1, o.r, r.k, o.slen, r.paused, o.jp, o.s_p, r.reopened,
       w1.w_p, w2.w_resume, w3.w_resolved, w4.w_reopen, w5.w_reply2, w6.w_resolved2,
       coalesce(w6.w_resolved2, w3.w_resolved) AS w_final,
       CASE WHEN coalesce(w6.w_resolved2, w3.w_resolved) > timestamptz :'asof' - interval '10 minutes'
            THEN extract(epoch FROM timestamptz :'asof' - interval '10 minutes' - r.opened_at)::double precision
                 / extract(epoch FROM coalesce(w6.w_resolved2, w3.w_resolved) - r.opened_at)::double precision
       END AS squeeze
  FROM g_req AS r
 CROSS JOIN LATERAL (
        SELECT b.d1, b.r, b.slen, b.jp, CASE WHEN r.paused THEN floor(b.d1 + b.slen * (b.jp - 0.05)) END AS s_p
          FROM (SELECT a.d1, a.r, (a.r - a.d1) / (r.k + 1) AS slen,
                       1 + floor((r.k + 1) * pg_temp.u(r.rk, 81))::integer AS jp
                  FROM (SELECT f.d1, greatest(f.r0, f.d1 + 120 * (r.k + 1)) AS r
                          FROM (SELECT floor(20 + CASE WHEN pg_temp.u(r.rk, 75) < r.miss_fr
                                                       THEN r.fr_s * (1.05 + 2.0 * pg_temp.u(r.rk, 76))
                                                       ELSE (r.fr_s - 20) * (0.04 + 0.92 * pg_temp.u(r.rk, 76) * pg_temp.u(r.rk, 76)) END) AS d1,
                                       floor(CASE WHEN pg_temp.u(r.rk, 77) < r.miss_res
                                                  THEN r.res_s * (1.03 + 1.5 * pg_temp.u(r.rk, 78))
                                                  ELSE r.res_s * (0.03 + 0.92 * pg_temp.u(r.rk, 78) * pg_temp.u(r.rk, 78))
                                                       * CASE r.channel WHEN 'chat' THEN 0.6 ELSE 1 END END) AS r0
                                OFFSET 0) AS f
                        OFFSET 0) AS a
                OFFSET 0) AS b
        OFFSET 0) AS o
 CROSS JOIN LATERAL (SELECT CASE WHEN r.paused THEN pg_temp.badd(r.opened_at, o.s_p) END AS w_p OFFSET 0) AS w1
 CROSS JOIN LATERAL (SELECT CASE WHEN r.paused
                                 THEN pg_temp.badd(w1.w_p, 3600 + 100000 * pg_temp.u(r.rk, 83) * pg_temp.u(r.rk, 83))
                            END AS w_resume OFFSET 0) AS w2
 CROSS JOIN LATERAL (SELECT CASE WHEN r.paused THEN pg_temp.badd(w2.w_resume, o.r - o.s_p)
                                 ELSE pg_temp.badd(r.opened_at, o.r) END AS w_resolved OFFSET 0) AS w3
 CROSS JOIN LATERAL (SELECT CASE WHEN r.reopened THEN pg_temp.badd(w3.w_resolved, 1800 + 50000 * pg_temp.u(r.rk, 84))
                            END AS w_reopen OFFSET 0) AS w4
 CROSS JOIN LATERAL (SELECT CASE WHEN r.reopened THEN pg_temp.badd(w4.w_reopen, 300 + 7200 * pg_temp.u(r.rk, 85))
                            END AS w_reply2 OFFSET 0) AS w5
 CROSS JOIN LATERAL (SELECT CASE WHEN r.reopened THEN pg_temp.badd(w5.w_reply2, 600 + 30000 * pg_temp.u(r.rk, 86))
                            END AS w_resolved2 OFFSET 0) AS w6;

INSERT INTO cs_service.requests (id, opened_at, channel, priority, client, team, manager, policy, subject)
SELECT t.id, t.opened_at, t.channel, t.priority, t.cid, t.team, t.manager, t.policy,
       (ARRAY['Access to the ad account', 'Question about the monthly report', 'Fix on the website',
              'Invoice and closing documents', 'Change request', 'Texts for approval',
              'Campaign budget', 'Analytics discrepancy', 'Bug in the form', 'New landing page',
              'Meeting follow-up', 'Urgent: site is down'])[1 + floor(12 * pg_temp.u(t.rk, 87))::integer]
  FROM g_tl AS t ORDER BY t.id;

-- All events of all requests in one statement (the triggers run per statement).  Event e of a
-- request: 0 the first reply; 1 .. 2k the rounds (odd: client message, even: reply); 2k + 1 the
-- resolution; then waiting_on_client and resumed if paused; then reopened, reply, resolved if
-- reopened.  pos is its place in time order, so ids follow time within each request.
INSERT INTO cs_service.request_events (id, request_id, at, kind, author)
SELECT t.ev_base + 1 + x.pos, t.id,
       CASE WHEN t.squeeze IS NULL THEN x.w
            ELSE t.opened_at + (x.w - t.opened_at) * t.squeeze END,
       x.kind,
       CASE WHEN x.kind = 'customer_message' THEN t.cid
            WHEN x.kind IN ('agent_reply', 'resolved', 'waiting_on_client', 'waiting_on_third_party') THEN t.manager END
  FROM g_tl AS t
 CROSS JOIN LATERAL generate_series(0, t.n_ev - 1) AS e
 CROSS JOIN LATERAL (SELECT (e + 1) / 2 AS j, e - 2 * t.k - 2 - CASE WHEN t.paused THEN 2 ELSE 0 END AS ro) AS q
 CROSS JOIN LATERAL (SELECT CASE
            WHEN e = 0 THEN t.d1
            WHEN e <= 2 * t.k THEN floor(t.d1 + t.slen * (q.j - 0.85 + 0.45 * pg_temp.u(t.rk * 16 + q.j, 90)
                                         + CASE WHEN e % 2 = 0 THEN 0.05 + 0.30 * pg_temp.u(t.rk * 16 + q.j, 91)
                                                ELSE 0 END)) END AS s) AS o
 CROSS JOIN LATERAL (SELECT
        CASE WHEN e = 0 THEN 'agent_reply'
             WHEN e <= 2 * t.k THEN CASE WHEN e % 2 = 1 THEN 'customer_message' ELSE 'agent_reply' END
             WHEN e = 2 * t.k + 1 THEN 'resolved'
             WHEN q.ro = -2 THEN CASE WHEN pg_temp.u(t.rk, 88) < 0.3 THEN 'waiting_on_third_party'
                                      ELSE 'waiting_on_client' END
             WHEN q.ro = -1 THEN 'resumed'
             ELSE (ARRAY['reopened', 'agent_reply', 'resolved'])[q.ro + 1] END AS kind,
        CASE WHEN e <= 2 * t.k THEN
                  CASE WHEN t.paused AND o.s > t.s_p THEN pg_temp.badd(t.w_resume, o.s - t.s_p)
                       ELSE pg_temp.badd(t.opened_at, o.s) END
             WHEN e = 2 * t.k + 1 THEN t.w_resolved
             WHEN q.ro = -2 THEN t.w_p
             WHEN q.ro = -1 THEN t.w_resume
             ELSE (ARRAY[t.w_reopen, t.w_reply2, t.w_resolved2])[q.ro + 1] END AS w,
        CASE WHEN e = 0 OR q.ro >= 0 THEN e
             WHEN e <= 2 * t.k THEN e + CASE WHEN t.paused AND q.j > t.jp THEN 2 ELSE 0 END
             WHEN e = 2 * t.k + 1 THEN e + CASE WHEN t.paused THEN 2 ELSE 0 END
             ELSE 2 * least(t.jp, t.k) + 3 + q.ro END AS pos) AS x;

-- ---------------------------------------------------------------------------------------------
-- Surveys: NPS after each delivered project (92 % answer), CSAT after deliverables (85 %),
-- CES after 5 % of requests.  Scores follow the team's mood and what happened.
-- ---------------------------------------------------------------------------------------------
INSERT INTO cs_service.surveys (survey_id, client_id, answered_at, kind, score, milestone)
SELECT row_number() OVER (ORDER BY s.answered_at, s.client_id, s.kind, s.score),
       s.client_id, s.answered_at, s.kind, s.score, s.milestone
  FROM (SELECT p.cid AS client_id,
               p.delivered_at + pg_temp.secs(3 * 3600 + 5 * 86400 * pg_temp.u(p.pk, 100)) AS answered_at,
               'nps' AS kind,
               least(10, greatest(0, round(8.9 + p.mood
                   + CASE p.class WHEN 'early' THEN 0.4 WHEN 'late, announced' THEN -1.0
                                  WHEN 'late, unannounced' THEN -2.5 WHEN 'late, announced after due' THEN -2.0
                                  ELSE 0 END
                   - CASE WHEN p.over_budget THEN 1.0 ELSE 0 END
                   + 3.0 * (pg_temp.u(p.pk, 101) + pg_temp.u(p.pk, 102) + pg_temp.u(p.pk, 103) - 1.5))))::integer AS score,
               'project delivered' AS milestone
          FROM g_proj AS p
         WHERE p.delivered_at IS NOT NULL AND pg_temp.u(p.pk, 104) < 0.92
        UNION ALL
        SELECT d.cid, d.delivered_at + pg_temp.secs(3600 + 3 * 86400 * pg_temp.u(d.dk, 110)), 'csat',
               least(5, greatest(1, round(4.35 + 0.3 * d.mood - CASE WHEN d.passed THEN 0 ELSE 1.6 END
                   - 0.35 * d.rework + 1.6 * (pg_temp.u(d.dk, 111) + pg_temp.u(d.dk, 112) - 1))))::integer,
               'deliverable'
          FROM g_deliv AS d
         WHERE pg_temp.u(d.dk, 113) < 0.85
        UNION ALL
        SELECT t.cid, t.w_final + pg_temp.secs(600 + 2 * 86400 * pg_temp.u(t.rk, 120)), 'ces',
               least(7, greatest(1, round(2.3 - 0.5 * t.mood + 0.12 * t.k
                   + CASE WHEN t.reopened THEN 1.2 ELSE 0 END + CASE WHEN t.paused THEN 0.6 ELSE 0 END
                   + CASE WHEN t.d1 > t.fr_s THEN 0.8 ELSE 0 END
                   + 2.0 * (pg_temp.u(t.rk, 121) + pg_temp.u(t.rk, 122) - 1))))::integer,
               'request'
          FROM g_tl AS t
         WHERE pg_temp.u(t.rk, 123) < 0.05) AS s
  JOIN g_clients AS c ON c.cid = s.client_id
 WHERE s.answered_at < :'asof' AND (c.ended_at IS NULL OR s.answered_at < c.ended_at);

-- ---------------------------------------------------------------------------------------------
-- Escalations: up to 3 chances per client (more for the weak team), opened before October
-- and resolved within 12 days; plus 3 per block still open at the as-of instant.
-- ---------------------------------------------------------------------------------------------
INSERT INTO cs_service.escalations (escalation_id, client_id, opened_at, resolved_at, reason)
SELECT row_number() OVER (ORDER BY e.opened_at, e.client_id), e.*
  FROM (SELECT c.cid AS client_id, x.opened_at,
               x.opened_at + pg_temp.secs(4 * 3600 + 12 * 86400 * pg_temp.u(c.i * 4 + j, 131)
                                          * pg_temp.u(c.i * 4 + j, 131)) AS resolved_at,
               (ARRAY['Missed deadline', 'Report quality', 'Slow response', 'Budget overrun',
                      'Texts rewritten', 'Manager changed without notice'])[1 + floor(6 * pg_temp.u(c.i * 4 + j, 132))::integer] AS reason
          FROM g_clients AS c
          JOIN g_teams AS t ON t.t = c.t
         CROSS JOIN generate_series(1, 3) AS j
         CROSS JOIN LATERAL (SELECT pg_temp.at_local(w.day, 10 * 3600 + 8 * 3600 * pg_temp.u(c.i * 4 + j, 133)) AS opened_at
                               FROM g_wd AS w
                              WHERE w.n = 1 + floor((:wd_last - 22) * pg_temp.u(c.i * 4 + j, 134))::integer) AS x
         WHERE pg_temp.u(c.i * 4 + j, 130) < t.esc
           AND x.opened_at >= c.signed_at AND (c.ended_at IS NULL OR x.opened_at < c.ended_at)
        UNION ALL
        SELECT c.cid, pg_temp.at_local(v.day, v.s), NULL, v.reason
          FROM g_clients AS c
          JOIN (VALUES (26, date '2026-10-19', 11 * 3600 + 20 * 60, 'Missed deadline'),
                       (69, date '2026-10-27', 15 * 3600 + 5 * 60, 'Slow response'),
                       (12, date '2026-10-29', 10 * 3600 + 40 * 60, 'Report quality')) AS v(k, day, s, reason)
            ON v.k = c.k) AS e;

-- ---------------------------------------------------------------------------------------------
-- Complaints
--   'reports' (systemic): a rising share of the clients active through the month complain:
--      3 % a month until July 2026, 8 % in August, 20 % in September, 37 % in October (the
--      same clients keep complaining as the share grows: one ranking for Aug-Oct);
--   'texts' (local): client k = 17 every month from June, k = 58 once in March;
--   'invoices', 'tone': a little noise (about 12 and 8 a year).
-- ---------------------------------------------------------------------------------------------
INSERT INTO cs_service.complaints (complaint_id, client_id, raised_at, category, note)
SELECT row_number() OVER (ORDER BY x.raised_at, x.client_id, x.category), x.*
  FROM (SELECT r.cid AS client_id,
               pg_temp.at_local(w.day, 10 * 3600 + 8 * 3600 * pg_temp.u(r.i * 16 + r.mi, 141)) AS raised_at,
               'reports' AS category,
               (ARRAY['Monthly report came late', 'Report numbers do not match the ad account',
                      'Report is unreadable, no conclusions', 'Report without the agreed KPIs'])
                   [1 + floor(4 * pg_temp.u(r.i * 16 + r.mi, 142))::integer] AS note
          FROM (SELECT c.i, c.cid, m.mi, m.wd_first, m.wd_count,
                       row_number() OVER (PARTITION BY m.mi ORDER BY
                           CASE WHEN m.mi >= 9 THEN pg_temp.u(c.i, 140) ELSE pg_temp.u(c.i * 16 + m.mi, 140) END, c.i) AS rn,
                       count(*) OVER (PARTITION BY m.mi) AS n,
                       CASE m.mi WHEN 9 THEN 0.08 WHEN 10 THEN 0.20 WHEN 11 THEN 0.37 ELSE 0.03 END AS share
                  FROM g_clients AS c
                  JOIN g_month AS m ON c.signed_at < m.month::timestamp AT TIME ZONE 'Europe/Moscow'
                                   AND (c.ended_at IS NULL
                                        OR c.ended_at >= (m.month + interval '1 month') AT TIME ZONE 'Europe/Moscow')) AS r
          JOIN g_wd AS w ON w.n = r.wd_first + floor(r.wd_count * pg_temp.u(r.i * 16 + r.mi, 143))::integer
         WHERE r.rn <= round(r.share * r.n)
        UNION ALL
        SELECT c.cid, pg_temp.at_local(w.day, 11 * 3600 + 6 * 3600 * pg_temp.u(c.i * 16 + m.mi, 151)), 'texts',
               (ARRAY['Texts need a full rewrite', 'Wrong tone of voice in the texts',
                      'Facts wrong in the product texts'])[1 + floor(3 * pg_temp.u(c.i * 16 + m.mi, 152))::integer]
          FROM g_clients AS c
          JOIN g_month AS m ON (c.k = 17 AND m.mi >= 7) OR (c.k = 58 AND m.mi = 4)
          JOIN g_wd AS w ON w.n = m.wd_first + floor(m.wd_count * pg_temp.u(c.i * 16 + m.mi, 153))::integer
         WHERE w.day >= pg_temp.local_day(c.signed_at)
           AND (c.ended_at IS NULL OR w.day < pg_temp.local_day(c.ended_at))
        UNION ALL
        SELECT c.cid, pg_temp.at_local(w.day, 10 * 3600 + 8 * 3600 * pg_temp.u(c.i * 4 + j, 161)), n.category,
               n.note
          FROM g_clients AS c
          JOIN g_teams AS t ON t.t = c.t
         CROSS JOIN (VALUES (1, 'invoices', 'Invoice does not match the contract'),
                            (2, 'tone', 'Manager was rude on the call')) AS n(j, category, note)
          JOIN g_wd AS w ON w.n = 1 + floor((:wd_last - 1) * pg_temp.u(c.i * 4 + n.j, 162))::integer
         WHERE pg_temp.u(c.i * 4 + n.j, 160) < CASE n.category WHEN 'invoices' THEN 0.10
                                                        ELSE CASE WHEN t.profile = 5 THEN 0.30 ELSE 0.04 END END
           AND pg_temp.at_local(w.day, 10 * 3600) >= c.signed_at
           AND (c.ended_at IS NULL OR pg_temp.at_local(w.day, 18 * 3600) < c.ended_at)) AS x;

-- ---------------------------------------------------------------------------------------------
-- Activities
--   per manager and month: ~20 meetings, ~100 calls, ~100 e-mails (+-15 %), on working days,
--   each with one of the manager's clients active at that instant (chosen by hash); 12 % of
--   meetings in the evening (18:00-19:30).  Meeting reports: most within the policy's window,
--   some late (the team's late_report share), a few never sent;
--   status: per client weekly on its own weekday and time (premium: twice a week, 3 days
--   apart), a minute earlier each week so that a regular one is never late by seconds (the
--   rhythm is due the same clock time N business days later); 10 % a day or two late, some
--   skipped (the team's skip share);
--   review: per client monthly in the second half of the month, sometimes skipped.
-- ---------------------------------------------------------------------------------------------
CREATE TEMP TABLE g_act AS
WITH slots AS (
	SELECT m.g, m.manager, m.t, mo.mi, kd.kind, j,
	       ((m.g::bigint * 12 + mo.mi) * 4 + kd.ki) * 512 + j AS key, mo.wd_first, mo.wd_count
	  FROM g_managers AS m
	 CROSS JOIN g_month AS mo
	 CROSS JOIN (VALUES (1, 'meeting', 20), (2, 'call', 100), (3, 'email', 100)) AS kd(ki, kind, base)
	 CROSS JOIN LATERAL generate_series(1, round(kd.base * (0.85 + 0.3 * pg_temp.u((m.g::bigint * 12 + mo.mi) * 4 + kd.ki, 170)))::integer) AS j
), timed AS MATERIALIZED (    -- (the instant computed once)
	SELECT s.*, pg_temp.at_local(w.day, CASE
	           WHEN s.kind = 'meeting' AND pg_temp.u(s.key, 172) < 0.88
	                THEN 10 * 3600 + 1800 * floor(14 * pg_temp.u(s.key, 173))
	           WHEN s.kind = 'meeting' THEN 18 * 3600 + 1800 * floor(4 * pg_temp.u(s.key, 173))
	           WHEN s.kind = 'call' AND pg_temp.u(s.key, 172) < 0.95 THEN 9 * 3600 + 9 * 3600 * pg_temp.u(s.key, 173)
	           WHEN s.kind = 'call' THEN 18 * 3600 + 5400 * pg_temp.u(s.key, 173)
	           WHEN pg_temp.u(s.key, 172) < 0.85 THEN 9 * 3600 + 9 * 3600 * pg_temp.u(s.key, 173)
	           WHEN pg_temp.u(s.key, 172) < 0.90 THEN 8 * 3600 + 3600 * pg_temp.u(s.key, 173)
	           ELSE 18 * 3600 + 3 * 3600 * pg_temp.u(s.key, 173) END) AS at
	  FROM slots AS s
	  JOIN g_wd AS w ON w.n = s.wd_first + floor(s.wd_count * pg_temp.u(s.key, 171))::integer
)
SELECT * FROM (
	SELECT DISTINCT ON (t.key) t.kind, t.manager, c.cid, t.at, t.key, t.t, c.premium
	  FROM timed AS t
	  JOIN g_clients AS c ON c.g = t.g AND c.signed_at <= t.at AND (c.ended_at IS NULL OR t.at < c.ended_at)
	 WHERE t.at < :'asof'
	 ORDER BY t.key, pg_temp.u(t.key, 174 + c.i), c.i) AS picked
UNION ALL
SELECT 'status', c.manager, c.cid,
       pg_temp.at_local(w.day, CASE WHEN dl.delay = 0 THEN c.status_s - 60 * wk
                                    ELSE 10 * 3600 + 8 * 3600 * pg_temp.u(sk.key, 181) END),
       sk.key, c.t, c.premium
  FROM g_clients AS c
  JOIN g_teams AS t ON t.t = c.t
 CROSS JOIN generate_series(0, 52) AS wk
 CROSS JOIN (VALUES (0), (3)) AS h(h)
 CROSS JOIN LATERAL (SELECT (c.i::bigint * 64 + wk) * 4 + h.h AS key) AS sk
 CROSS JOIN LATERAL (SELECT CASE WHEN pg_temp.u(sk.key, 182) < 0.90 THEN 0
                                 WHEN pg_temp.u(sk.key, 182) < 0.98 OR c.premium THEN 1 ELSE 2 END AS delay) AS dl
  JOIN g_days AS d ON d.day = date '2025-10-27' + 7 * wk + (c.status_dow - 1) + h.h + dl.delay
  JOIN g_wd AS w ON w.n = d.next_wd
 WHERE (h.h = 0 OR c.premium)
   AND pg_temp.u(sk.key, 183) >= t.skip
UNION ALL
SELECT 'review', c.manager, c.cid, pg_temp.at_local(w.day, 11 * 3600 + 1800 * floor(10 * pg_temp.u(c.i::bigint * 16 + m.mi, 191))),
       c.i::bigint * 16 + m.mi, c.t, c.premium
  FROM g_clients AS c
  JOIN g_teams AS t ON t.t = c.t
 CROSS JOIN g_month AS m
  JOIN g_wd AS w ON w.n = m.wd_first + floor(m.wd_count * (0.5 + 0.5 * pg_temp.u(c.i::bigint * 16 + m.mi, 192)))::integer
 WHERE pg_temp.u(c.i::bigint * 16 + m.mi, 193) >= 1.5 * t.skip;

DELETE FROM g_act AS a USING g_clients AS c
 WHERE c.cid = a.cid AND a.kind IN ('status', 'review')
   AND NOT (a.at >= c.signed_at AND (c.ended_at IS NULL OR a.at < c.ended_at) AND a.at < :'asof');
ANALYZE g_act;

INSERT INTO cs_service.activities (activity_id, manager, client_id, kind, at, report_sent_at)
SELECT row_number() OVER (ORDER BY a.at, a.manager, a.cid, a.kind, a.report_sent_at), a.manager, a.cid, a.kind,
       a.at, a.report_sent_at
  FROM (SELECT a.manager, a.cid, a.kind, a.at,
               CASE WHEN a.kind <> 'meeting' THEN NULL
                    -- (sent once: NULL, or at / after the as-of instant, gives NULL)
                    ELSE nullif(least(r.sent, :'asof'), :'asof') END AS report_sent_at
          FROM g_act AS a
          JOIN g_teams AS t ON t.t = a.t
         CROSS JOIN LATERAL (SELECT CASE
                WHEN a.kind <> 'meeting' THEN NULL
                WHEN pg_temp.u(a.key, 200) < t.never_report THEN NULL
                WHEN pg_temp.u(a.key, 200) < t.never_report + t.late_report
                     THEN pg_temp.badd(a.at, 5 * 3600 + 20 * 3600 * pg_temp.u(a.key, 201))
                WHEN a.premium
                     THEN pg_temp.badd(a.at, 1800 + 4800 * pg_temp.u(a.key, 201))
                ELSE pg_temp.badd(a.at, 2400 + 11400 * pg_temp.u(a.key, 201))
                END AS sent) AS r) AS a;

-- ---------------------------------------------------------------------------------------------
-- QA reviews: each month, a sample of the month's activities (cs_service.qa_sample when the
-- extension has it, else 15 % by hash), reviewed 2-40 business hours later; ~93 % pass,
-- mgr-3-4 (profile 3, manager 4) clearly worse.
-- ---------------------------------------------------------------------------------------------
SELECT to_regprocedure('cs_service.qa_sample(date,double precision,integer)') IS NOT NULL AS have_qa \gset
\if :have_qa
CREATE TEMP TABLE g_qa AS
SELECT DISTINCT s.activity_id
  FROM g_month AS m CROSS JOIN LATERAL cs_service.qa_sample(m.month) AS s;
\else
CREATE TEMP TABLE g_qa AS
SELECT a.activity_id FROM cs_service.activities AS a
 WHERE pg_temp.u(a.activity_id, 210) < 0.15;
\endif

INSERT INTO cs_service.qa_reviews (activity_id, reviewed_at, passed, reviewer)
SELECT a.activity_id,
       CASE WHEN r.t < :'asof' THEN r.t ELSE date_trunc('minute', a.at + (timestamptz :'asof' - a.at) / 2) END,
       pg_temp.u(a.activity_id, 212) < m.qa_pass,
       'qa-' || (1 + floor(3 * pg_temp.u(a.activity_id, 213))::integer)
  FROM g_qa AS q
  JOIN cs_service.activities AS a ON a.activity_id = q.activity_id
  JOIN g_managers AS m ON m.manager = a.manager
 CROSS JOIN LATERAL (SELECT pg_temp.badd(a.at, 7200 + 36 * 3600 * pg_temp.u(a.activity_id, 211)) AS t) AS r
 ORDER BY a.activity_id;

-- ---------------------------------------------------------------------------------------------
-- Identity sequences continue after the generated ids
-- ---------------------------------------------------------------------------------------------
SELECT sum(setval(pg_get_serial_sequence('cs_service.' || t, c), coalesce(m, 0) + 1, false)) AS seq_sum
  FROM (VALUES ('orders', 'order_id', (SELECT max(order_id) FROM cs_service.orders)),
               ('projects', 'project_id', (SELECT max(project_id) FROM cs_service.projects)),
               ('deliverables', 'deliverable_id', (SELECT max(deliverable_id) FROM cs_service.deliverables)),
               ('surveys', 'survey_id', (SELECT max(survey_id) FROM cs_service.surveys)),
               ('escalations', 'escalation_id', (SELECT max(escalation_id) FROM cs_service.escalations)),
               ('complaints', 'complaint_id', (SELECT max(complaint_id) FROM cs_service.complaints)),
               ('activities', 'activity_id', (SELECT max(activity_id) FROM cs_service.activities)),
               ('requests', 'id', (SELECT max(id) FROM cs_service.requests)),
               ('request_events', 'id', (SELECT max(id) FROM cs_service.request_events))) AS s(t, c, m) \gset

COMMIT;

ANALYZE cs_service.clients, cs_service.orders, cs_service.projects, cs_service.deliverables,
	cs_service.surveys, cs_service.escalations, cs_service.complaints, cs_service.activities,
	cs_service.qa_reviews, cs_service.requests, cs_service.request_events;

\echo agency.sql: scale :scale
SELECT (SELECT count(*) FROM cs_service.clients) AS clients,
       (SELECT count(*) FROM cs_service.orders) AS orders,
       (SELECT count(*) FROM cs_service.projects) AS projects,
       (SELECT count(*) FROM cs_service.deliverables) AS deliverables,
       (SELECT count(*) FROM cs_service.surveys) AS surveys,
       (SELECT count(*) FROM cs_service.escalations) AS escalations,
       (SELECT count(*) FROM cs_service.complaints) AS complaints,
       (SELECT count(*) FROM cs_service.activities) AS activities,
       (SELECT count(*) FROM cs_service.qa_reviews) AS qa_reviews,
       (SELECT count(*) FROM cs_service.requests) AS requests,
       (SELECT count(*) FROM cs_service.request_events) AS request_events;
