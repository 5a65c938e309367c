-- pgTAP: properties of client_report() and team_report() on generated data (deterministic:
-- every "random" value is a hash of the row number), reported in Europe/Moscow: every number a
-- page prints (data-metric, data-key, data-value) equals the view's value for that client and
-- month, hostile text is escaped, row-level security of the caller applies, the ru number
-- format, and the min-answers marking.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cs_service;
SELECT plan(15);
SET LOCAL timezone = 'UTC';
UPDATE cs_service.report_settings SET zone = 'Europe/Moscow';
DELETE FROM cs_service.clients;   -- (rolled back at the end)

CREATE FUNCTION pg_temp.u(k bigint, salt int) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$ SELECT (hashint8(k * 1000 + salt)::int8 + 2147483648) / 4294967296.0 $$;

-- ---- an agency: 8 clients of 2 teams over 2026-01 .. 2026-04 ------------------------------------------
INSERT INTO cs_service.calendars (name, calendar) VALUES ('tr-office', 'Europe/Moscow; mon-fri 09:00-18:00');
INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES ('tr-std', 'tr-office');
INSERT INTO cs_service.sla_targets (policy, metric, channel, target) VALUES
    ('tr-std', 'first_response', NULL, '4 hours'), ('tr-std', 'first_response', 'chat', '30 minutes'),
    ('tr-std', 'resolution', NULL, '16 hours');
INSERT INTO cs_service.clients (client_id, name, manager, team, signed_at, policy)
SELECT 't' || g, CASE WHEN g = 3 THEN '<script>alert(1)</script> & "Co"' ELSE 'Client ' || g END,
       'm' || (g % 4), CASE WHEN g % 4 < 2 THEN 'red' ELSE 'blue' END,
       timestamptz '2026-01-05 10:00+03' + (g % 3) * interval '20 days', 'tr-std'
  FROM generate_series(1, 8) AS g;
INSERT INTO cs_service.requests (id, opened_at, channel, priority, client, policy)
SELECT 9000 + g, timestamptz '2026-02-02 09:00+03' + pg_temp.u(g, 1) * interval '85 days',
       (ARRAY['chat', 'email', 'phone'])[1 + (g % 3)], CASE WHEN g % 5 = 0 THEN 'high' ELSE 'normal' END,
       't' || (1 + g % 8), 'tr-std'
  FROM generate_series(1, 400) AS g;
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT r.id, r.opened_at + pg_temp.u(r.id, 2) * interval '6 hours', 'agent_reply' FROM cs_service.requests AS r WHERE r.id BETWEEN 9001 AND 9400
UNION ALL
SELECT r.id, r.opened_at + interval '6 hours' + pg_temp.u(r.id, 3) * interval '20 hours', 'waiting_on_client'
  FROM cs_service.requests AS r WHERE r.id BETWEEN 9001 AND 9400 AND r.id % 4 = 0
UNION ALL
SELECT r.id, r.opened_at + interval '3 days' + pg_temp.u(r.id, 4) * interval '3 days', 'resolved'
  FROM cs_service.requests AS r WHERE r.id BETWEEN 9001 AND 9400 AND r.id % 9 <> 0;
INSERT INTO cs_service.surveys (client_id, answered_at, kind, score)
SELECT 't' || (1 + g % 8), timestamptz '2026-02-01 12:00+03' + pg_temp.u(g, 5) * interval '88 days', k.kind,
       CASE k.kind WHEN 'nps' THEN floor(pg_temp.u(g, 6) * 11) WHEN 'csat' THEN 1 + floor(pg_temp.u(g, 6) * 5)
                   ELSE 1 + floor(pg_temp.u(g, 6) * 7) END
  FROM generate_series(1, 240) AS g CROSS JOIN (VALUES ('nps'), ('csat'), ('ces')) AS k (kind)
 WHERE pg_temp.u(g, 7) < CASE k.kind WHEN 'nps' THEN 0.9 ELSE 0.4 END;
INSERT INTO cs_service.projects (project_id, client_id, name, budget, spent, due_at, delivered_at, slip_announced_at)
SELECT 9000 + g, 't' || (1 + g % 8), 'P' || g, 100, 60 + 80 * pg_temp.u(g, 8),
       timestamptz '2026-02-05 18:00+03' + pg_temp.u(g, 9) * interval '80 days',
       timestamptz '2026-02-05 18:00+03' + pg_temp.u(g, 9) * interval '80 days' + (pg_temp.u(g, 10) - 0.6) * interval '6 days',
       CASE WHEN g % 3 = 0 THEN timestamptz '2026-02-01 10:00+03' END
  FROM generate_series(1, 40) AS g;
INSERT INTO cs_service.deliverables (project_id, name, delivered_at, passed_verification, rework_rounds)
SELECT p.project_id, 'D' || k, p.delivered_at - k * interval '1 day', pg_temp.u(p.project_id * 10 + k, 11) < 0.8,
       floor(pg_temp.u(p.project_id * 10 + k, 12) * 3)::int
  FROM cs_service.projects AS p CROSS JOIN generate_series(0, 2) AS k WHERE p.project_id BETWEEN 9001 AND 9040;
INSERT INTO cs_service.activities (manager, client_id, kind, at, report_sent_at)
SELECT 'm' || (g % 4), 't' || (1 + g % 8), (ARRAY['meeting', 'call', 'status', 'review', 'email'])[1 + (g % 5)],
       timestamptz '2026-02-02 10:00+03' + pg_temp.u(g, 13) * interval '85 days',
       CASE WHEN g % 5 = 0 AND g % 7 <> 0
            THEN timestamptz '2026-02-02 10:00+03' + pg_temp.u(g, 13) * interval '85 days' + pg_temp.u(g, 14) * interval '30 hours' END
  FROM generate_series(1, 300) AS g;
SELECT cs_service.refresh_rollups();

-- the tagged numbers of a page
CREATE FUNCTION pg_temp.numbers(page text)
RETURNS TABLE (metric text, key text, value float8)
LANGUAGE sql AS $$
    SELECT m[1], m[2], m[3]::float8
      FROM regexp_matches(page, 'data-metric="([^"]*)" data-key="([^"]*)" data-value="([^"]*)"', 'g') AS m
$$;

-- what the views say for a client and month, keyed as the page keys its numbers
CREATE FUNCTION pg_temp.truth(cid text, m date)
RETURNS TABLE (metric text, key text, value float8)
LANGUAGE sql AS $$
    SELECT 'client_scorecard.' || j.key, 'month=' || s.month, j.value::float8
      FROM cs_service.client_scorecard AS s
     CROSS JOIN LATERAL jsonb_each_text(to_jsonb(s) - 'month' - 'client_id' - 'client_name' - 'manager' - 'team') AS j
     WHERE s.client_id = cid AND s.month BETWEEN (m - interval '11 months')::date AND m AND j.value IS NOT NULL
    UNION ALL
    SELECT 'sla_compliance.' || v.k, format('channel=%s;metric=%s', coalesce(x.channel, ''), x.metric), v.v
      FROM (SELECT c.channel, c.metric, sum(c.requests) AS requests, sum(c.met) AS met, sum(c.pending) AS pending
              FROM cs_service.sla_compliance AS c
             WHERE c.grain = 'month' AND c.month = m AND c.client = cid GROUP BY 1, 2) AS x
     CROSS JOIN LATERAL (VALUES ('requests', x.requests::float8), ('met', x.met::float8), ('pending', x.pending::float8),
                                ('sla_pct', 100.0 * x.met / nullif(x.requests, 0))) AS v (k, v)
    UNION ALL
    SELECT 'delivery_adherence.' || j.key, 'month=' || m, coalesce(j.value::float8, 0)
      FROM (SELECT to_jsonb(d) - 'month' - 'client_id' AS r FROM cs_service.delivery_adherence AS d
             WHERE d.client_id = cid AND d.month = m
            UNION ALL
            SELECT '{"delivered": 0, "early": 0, "on_time": 0, "late_announced": 0, "late_unannounced": 0, "over_budget": 0}'
             WHERE NOT EXISTS (SELECT FROM cs_service.delivery_adherence AS d WHERE d.client_id = cid AND d.month = m)) AS d
     CROSS JOIN LATERAL jsonb_each_text(d.r) AS j WHERE j.value IS NOT NULL
    UNION ALL
    SELECT 'deliverable_quality.' || v.k, 'month=' || m, v.v
      FROM (SELECT coalesce(sum(q.deliverables), 0)::float8 AS n, sum(q.deliverables * q.first_pass_pct) / sum(q.deliverables) AS fp
              FROM cs_service.deliverable_quality AS q WHERE q.client_id = cid AND q.month = m) AS x
     CROSS JOIN LATERAL (VALUES ('deliverables', x.n), ('first_pass_pct', x.fp)) AS v (k, v)
    UNION ALL
    -- survey answers and intervals straight from the answers
    SELECT 'survey.' || s.kind || v.k, 'month=' || m, v.v
      FROM (SELECT k.kind, count(a.*)::float8 AS n, cs_service.score_agg(a.score) AS summary
              FROM (VALUES ('nps'), ('csat'), ('ces')) AS k (kind)
              LEFT JOIN cs_service.surveys AS a ON a.kind = k.kind AND a.client_id = cid
                   AND date_trunc('month', a.answered_at AT TIME ZONE 'Europe/Moscow') = m
             GROUP BY k.kind) AS s
     CROSS JOIN LATERAL (VALUES ('_answers', s.n),
            ('_low', CASE s.kind WHEN 'nps' THEN (cs_service.nps_interval(s.summary)).lower
                                 WHEN 'csat' THEN (cs_service.csat_interval(s.summary)).lower END),
            ('_high', CASE s.kind WHEN 'nps' THEN (cs_service.nps_interval(s.summary)).upper
                                  WHEN 'csat' THEN (cs_service.csat_interval(s.summary)).upper END)) AS v (k, v)
     WHERE v.v IS NOT NULL
    UNION ALL
    SELECT 'communication_rhythm_at.' || v.k, 'month=' || m, v.v
      FROM cs_service.communication_rhythm_at(
               least(((m + interval '1 month')::timestamp AT TIME ZONE 'Europe/Moscow') - interval '1 microsecond', now())) AS r
     CROSS JOIN LATERAL (VALUES ('meetings_this_month', r.meetings_this_month::float8),
                                ('reports_late_this_month', r.reports_late_this_month::float8)) AS v (k, v)
     WHERE r.client_id = cid
$$;

-- every page of every client and month: its numbers against the views
CREATE TEMP TABLE pages AS
SELECT c.client_id, g::date AS month, cs_service.client_report(c.client_id, g::date) AS page
  FROM cs_service.clients AS c
 CROSS JOIN generate_series(date '2026-01-01', date '2026-04-01', interval '1 month') AS g
 WHERE g >= date_trunc('month', c.signed_at AT TIME ZONE 'Europe/Moscow');
CREATE TEMP TABLE compared AS
SELECT p.client_id, p.month, n.metric, n.key, n.value AS printed, t.value AS viewed
  FROM pages AS p
 CROSS JOIN LATERAL pg_temp.numbers(p.page) AS n
  LEFT JOIN LATERAL (SELECT t.value FROM pg_temp.truth(p.client_id, p.month) AS t
                      WHERE t.metric = n.metric AND t.key = n.key) AS t ON true;

SELECT cmp_ok((SELECT count(*) FROM pages), '>=', 25::bigint, 'client_report: a page for each of the 8 clients and their months');
SELECT is((SELECT count(*) FROM compared
            WHERE viewed IS NOT NULL AND abs(printed - viewed) > 1e-9 * greatest(1, abs(viewed))),
          0::bigint, 'client_report: every number checked equals the view''s value for that client and month');
SELECT cmp_ok((SELECT count(*) FROM compared WHERE viewed IS NOT NULL), '>=', 1000::bigint,
              'client_report: over a thousand numbers checked');
SELECT is((SELECT string_agg(DISTINCT metric, ', ') FROM compared
            WHERE viewed IS NULL AND metric NOT IN ('open.requests', 'open.escalations', 'open.projects_past_due',
                                                    'waiting_on_client_hours', 'sla_targets.target_hours')),
          NULL, 'client_report: every number but the open items and the waiting time comes from a view');
SELECT is((SELECT count(*) FROM compared AS c
            WHERE c.metric = 'client_scorecard.nps'
              AND (SELECT t.value FROM pg_temp.truth(c.client_id, c.month) AS t
                    WHERE t.metric = 'survey.nps_answers' AND t.key = c.key) < 10),
          0::bigint, 'min answers: no NPS from fewer than 10 answers is printed');
SELECT is((SELECT count(*) FROM pages AS p
             JOIN LATERAL pg_temp.truth(p.client_id, p.month) AS t ON t.metric = 'survey.nps_answers'
            WHERE t.value BETWEEN 1 AND 9 AND position(format('too few answers (n=%s)', t.value) IN p.page) = 0),
          0::bigint, 'min answers: every NPS from 1-9 answers is marked "too few answers (n=...)"');
SET LOCAL cs_service.report_min_answers = 0;
SELECT is((SELECT count(*) FROM pages AS p
             JOIN LATERAL pg_temp.truth(p.client_id, p.month) AS t ON t.metric = 'survey.nps_answers' AND t.value > 0
            WHERE NOT EXISTS (SELECT FROM pg_temp.numbers(cs_service.client_report(p.client_id, p.month)) AS n
                               WHERE n.metric = 'client_scorecard.nps')),
          0::bigint, 'min answers: with cs_service.report_min_answers = 0 every NPS with answers is printed');
RESET cs_service.report_min_answers;

-- ---- team_report -------------------------------------------------------------------------------------
SELECT is((SELECT count(*)
             FROM (SELECT t.team, g::date AS month, cs_service.team_report(t.team, g::date) AS page
                     FROM (VALUES ('red'), ('blue')) AS t (team)
                    CROSS JOIN generate_series(date '2026-01-01', date '2026-04-01', interval '1 month') AS g) AS p
            CROSS JOIN LATERAL pg_temp.numbers(p.page) AS n
            WHERE n.metric LIKE 'team_scorecard.%'
              AND NOT EXISTS (SELECT FROM cs_service.team_scorecard AS s
                               CROSS JOIN LATERAL jsonb_each_text(to_jsonb(s)) AS j
                               WHERE s.team = p.team AND 'team_scorecard.' || j.key = n.metric
                                 AND n.key = CASE WHEN s.level = 'team' THEN 'month=' || s.month
                                                  ELSE format('manager=%s;month=%s', s.manager, s.month) END
                                 AND abs(j.value::float8 - n.value) <= 1e-9 * greatest(1, abs(n.value)))),
          0::bigint, 'team_report: every team and manager number equals team_scorecard');
SELECT is((SELECT count(*) FROM pg_temp.numbers(cs_service.team_report('red', '2026-04-01')) AS n
            WHERE n.metric = 'at_risk_clients_at.risk_score'
              AND NOT EXISTS (SELECT FROM cs_service.at_risk_clients_at('2026-04-30 23:59:59.999999+03') AS r
                               WHERE 'client=' || r.client_id = n.key AND r.risk_score = n.value)),
          0::bigint, 'team_report: the at-risk scores are at_risk_clients_at''s at the month''s end');

-- ---- escaping ------------------------------------------------------------------------------------------
SELECT is((SELECT count(*) FROM pages WHERE page ~* '<script|<img'), 0::bigint,
          'escaping: no page holds markup from the data');
UPDATE cs_service.clients SET name = '"><img src=x onerror=alert(1)>''' WHERE client_id = 't5';
UPDATE cs_service.clients SET manager = '<b>m</b>' WHERE client_id = 't1';
SELECT ok(position('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&#39;' IN cs_service.client_report('t5', '2026-03-01')) > 0
          AND cs_service.client_report('t5', '2026-03-01') !~* '<img'
          AND cs_service.team_report('red', '2026-03-01') !~* '<img'
          AND position('<b>m</b>' IN cs_service.team_report('red', '2026-03-01')) = 0
          AND position('&lt;b&gt;m&lt;/b&gt;' IN cs_service.team_report('red', '2026-03-01')) > 0,
          'escaping: names and managers are character references in client and team pages');

-- ---- the ru number format --------------------------------------------------------------------------------
SELECT is((SELECT count(*) FROM generate_series(1, 500) AS g
             CROSS JOIN LATERAL (SELECT (pg_temp.u(g, 20) - 0.3) * 10 ^ (pg_temp.u(g, 21) * 9) AS x, (g % 4) AS d) AS v
            WHERE cs_service_internal.report_number(v.x, v.d, 'ru')
                  <> translate(cs_service_internal.report_number(v.x, v.d, 'en'), ',.', E'\u00a0,')
               OR replace(cs_service_internal.report_number(v.x, v.d, 'en'), ',', '')::numeric <> round(v.x::numeric, v.d)),
          0::bigint, 'ru format: the en number with a no-break space for thousands and a decimal comma; en rounds exactly');
SELECT ok(cs_service.client_report('t1', '2026-03-01', 'ru') ~ E'[0-9],[0-9]\u00a0%'
          AND cs_service.client_report('t1', '2026-03-01', 'ru') !~ '[0-9]\.[0-9]\s*%',
          'ru format: percentages with a decimal comma in a ru page');

-- ---- row-level security: the caller's rights -------------------------------------------------------------
CREATE ROLE tap_report_reader NOLOGIN IN ROLE cs_service_bi;
ALTER TABLE cs_service.clients ENABLE ROW LEVEL SECURITY;
CREATE POLICY tap_m1_only ON cs_service.clients FOR SELECT TO tap_report_reader USING (manager = 'm1');
SET LOCAL ROLE tap_report_reader;
SELECT throws_ok($$SELECT cs_service.client_report('t2', '2026-03-01')$$, '22023', 'unknown client "t2"',
                 'RLS: a client the policy hides is unknown to the reader');
SELECT ok(position('Client 5' IN cs_service.client_report('t5', '2026-03-01')) = 0
          AND (SELECT count(*) FROM pg_temp.numbers(cs_service.team_report('red', '2026-03-01')) AS n
                WHERE n.metric = 'client_scorecard.service_score' AND n.key !~ '^client=t(5)(;|$)') = 0,
          'RLS: the reader sees its manager''s client and only it in the team report');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
