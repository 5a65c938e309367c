-- pgTAP: policy selection and versions, the history rule, live status states, check_sla,
-- roles and privileges, the binding, and the BI shape of the views.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cs_service;
SELECT plan(41);
SET LOCAL timezone = 'UTC';

INSERT INTO cs_service.sla_policies (name) VALUES ('p-base'), ('p-chat'), ('p-acme'), ('p-acme-crit'), ('p-2027');
INSERT INTO cs_service.sla_policy_rules (policy, client, channel, priority, valid_from) VALUES
    ('p-base', NULL, NULL, NULL, '-infinity'),
    ('p-chat', NULL, 'chat', NULL, '-infinity'),
    ('p-acme', 'acme', NULL, NULL, '-infinity'),
    ('p-acme-crit', 'acme', NULL, 'critical', '-infinity'),
    ('p-2027', NULL, 'chat', NULL, '2027-01-01'),
    (NULL, 'acme', NULL, NULL, '2028-01-01');       -- acme's own policy ends in 2028

-- ---- the selection rule ----------------------------------------------------------------------
SELECT is(cs_service.sla_policy_for('zeta', 'email', 'normal', '2026-05-01'), 'p-base', 'rule: catch-all');
SELECT is(cs_service.sla_policy_for('zeta', 'chat', 'normal', '2026-05-01'), 'p-chat', 'rule: channel beats catch-all');
SELECT is(cs_service.sla_policy_for('acme', 'chat', 'normal', '2026-05-01'), 'p-acme', 'rule: client (4) beats channel (2)');
SELECT is(cs_service.sla_policy_for('acme', 'chat', 'critical', '2026-05-01'), 'p-acme-crit', 'rule: client + priority (5) beats client (4)');
SELECT is(cs_service.sla_policy_for('zeta', 'chat', 'normal', '2027-05-01'), 'p-2027', 'rule: a later version of a key wins from its valid_from');
SELECT is(cs_service.sla_policy_for('zeta', 'chat', 'normal', '2026-12-31 23:59:59'), 'p-chat', 'rule: ... and not before');
SELECT is(cs_service.sla_policy_for('acme', 'email', 'normal', '2028-05-01'), 'p-base', 'rule: a NULL-policy version removes its key');

-- every client's policy at once (client_settings reads it) = sla_policy_for per client, channel
-- and priority unspecified: 400 random rules (versions, NULL-policy versions, channel and
-- priority rules that must not match), 21 clients (one without rules) at 70 instants
SAVEPOINT random_rules;
-- (the default policy ends in 2028, after the random rules: a client without rules of its own
-- has none from then on)
INSERT INTO cs_service.sla_policy_rules (policy, client, channel, priority, valid_from)
VALUES (NULL, NULL, NULL, NULL, '2028-01-05 12:00');
INSERT INTO cs_service.sla_policy_rules (policy, client, channel, priority, valid_from)
SELECT (ARRAY['p-base', 'p-chat', 'p-acme', 'p-acme-crit', 'p-2027', NULL])[1 + (g * 7 + g / 5) % 6],
       CASE WHEN g % 9 = 0 THEN NULL ELSE 'c' || (g * 13 % 20) END,
       CASE WHEN g % 4 = 0 THEN 'chat' END, CASE WHEN g % 5 = 0 THEN 'critical' END,
       timestamptz '2025-01-01' + (g * 7919 % 1096) * interval '1 day'
  FROM generate_series(1, 400) AS g
ON CONFLICT DO NOTHING;
CREATE TEMP TABLE policy_check AS
SELECT c.client, t.at, cs_service.sla_policy_for(c.client, NULL, NULL, t.at) AS one,
       coalesce((SELECT r.policy FROM cs_service_internal.client_rule_policies(t.at) AS r WHERE r.client = c.client),
                (SELECT r.policy FROM cs_service_internal.client_rule_policies(t.at) AS r WHERE r.client IS NULL)) AS every
  FROM (SELECT 'c' || i AS client FROM generate_series(0, 20) AS i) AS c
 CROSS JOIN (SELECT timestamptz '2024-12-01' + i * interval '19 days' AS at FROM generate_series(0, 69) AS i) AS t;
SELECT is((SELECT count(*) FROM policy_check WHERE one IS DISTINCT FROM every), 0::bigint,
          'rule: client_rule_policies gives every client the policy sla_policy_for gives it (1,470 cases)');
SELECT ok((SELECT count(DISTINCT coalesce(one, '-')) FROM policy_check) >= 5
          AND EXISTS (SELECT FROM policy_check WHERE one IS NULL),
          '... over cases with several policies and with none');
ROLLBACK TO SAVEPOINT random_rules;

-- ---- targets: specificity and versions ------------------------------------------------------
INSERT INTO cs_service.sla_targets (policy, metric, channel, priority, target, valid_from) VALUES
    ('p-base', 'first_response', NULL, NULL, '24 hours', '-infinity'),
    ('p-base', 'first_response', 'email', NULL, '2 hours', '-infinity'),
    ('p-base', 'first_response', NULL, 'critical', '1 hour', '-infinity'),
    ('p-base', 'first_response', 'email', 'critical', '30 minutes', '-infinity'),
    ('p-base', 'first_response', 'email', NULL, '90 minutes', '2026-03-01'),
    ('p-base', 'resolution', NULL, NULL, '8 hours', '-infinity'),
    ('p-base', 'resolution', NULL, NULL, NULL, '2026-06-01');   -- resolution not promised from June
INSERT INTO cs_service.requests (id, opened_at, channel, priority, client) VALUES
    (8001, '2026-02-02 09:00', 'email', 'normal', 'zeta'),
    (8002, '2026-04-01 09:00', 'email', 'normal', 'zeta'),
    (8003, '2026-04-01 09:00', 'email', 'critical', 'zeta'),
    (8004, '2026-04-01 09:00', 'phone', 'critical', 'zeta'),
    (8005, '2026-04-01 09:00', 'phone', 'normal', 'zeta'),
    (8006, '2026-07-01 09:00', 'phone', 'normal', 'zeta');
CREATE TEMP TABLE tg ON COMMIT DROP AS
SELECT request_id, metric, target, policy FROM cs_service_internal.sla_request_metrics WHERE request_id BETWEEN 8001 AND 8006;
SELECT is((SELECT policy FROM tg WHERE request_id = 8001 AND metric = 'first_response'), 'p-base', 'the rule fixed the policy on insert');
SELECT is((SELECT target FROM tg WHERE request_id = 8001 AND metric = 'first_response'), interval '2 hours', 'target: channel, version in effect at opening (February)');
SELECT is((SELECT target FROM tg WHERE request_id = 8002 AND metric = 'first_response'), interval '90 minutes', 'target: the March version for a request opened in April');
SELECT is((SELECT target FROM tg WHERE request_id = 8003 AND metric = 'first_response'), interval '30 minutes', 'target: channel + priority beats both');
SELECT is((SELECT target FROM tg WHERE request_id = 8004 AND metric = 'first_response'), interval '1 hour', 'target: priority beats the catch-all');
SELECT is((SELECT target FROM tg WHERE request_id = 8005 AND metric = 'first_response'), interval '24 hours', 'target: the catch-all');
SELECT is((SELECT count(*) FROM tg WHERE request_id = 8006 AND metric = 'resolution'), 0::bigint, 'target: a NULL version switches the metric off');
SELECT is((SELECT count(*) FROM tg WHERE request_id = 8005 AND metric = 'resolution'), 1::bigint, '... only from its valid_from');

-- ---- the history rule ---------------------------------------------------------------------------
SELECT throws_ok($$UPDATE cs_service.sla_targets SET target = '3 hours' WHERE policy = 'p-base' AND metric = 'resolution' AND target IS NOT NULL$$,
                 '55006', 'cannot update an SLA target already in effect', 'history: a target in effect is not updated');
SELECT throws_ok($$DELETE FROM cs_service.sla_policy_rules WHERE policy = 'p-chat'$$,
                 '55006', 'cannot delete an SLA policy rule already in effect', 'history: a rule in effect is not deleted');
SELECT throws_ok($$UPDATE cs_service.sla_policies SET calendar = 'UTC; mon-fri 09:00-18:00' WHERE name = 'p-base'$$,
                 '55006', 'cannot change the calendar of SLA policy "p-base"', 'history: a policy keeps its calendar');
SELECT lives_ok($$UPDATE cs_service.sla_policy_rules SET policy = 'p-base' WHERE policy = 'p-2027'$$,
                'history: a rule not yet in effect may be corrected');
SET LOCAL cs_service.allow_history_rewrite = on;
SELECT lives_ok($$UPDATE cs_service.sla_targets SET target = '9 hours' WHERE policy = 'p-base' AND metric = 'resolution' AND target IS NOT NULL$$,
                'history: a deliberate correction with cs_service.allow_history_rewrite');
SET LOCAL cs_service.allow_history_rewrite = off;
SELECT is((SELECT policy FROM cs_service.requests WHERE id = 8001), 'p-base', 'history: a request keeps the policy it was opened under');

-- ---- live status ---------------------------------------------------------------------------------
INSERT INTO cs_service.sla_policies (name, warning_pct) VALUES ('p-live', 50);
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES
    ('p-live', 'first_response', '1 hour'), ('p-live', 'resolution', '4 hours');
INSERT INTO cs_service.requests (id, opened_at, channel, policy) VALUES
    (8101, now() - interval '20 minutes', 'chat', 'p-live'),
    (8102, now() - interval '40 minutes', 'chat', 'p-live'),
    (8103, now() - interval '2 hours', 'chat', 'p-live'),
    (8104, now() - interval '2 hours', 'chat', 'p-live'),
    (8105, now() - interval '2 hours', 'chat', 'p-live'),
    (8106, now() + interval '2 hours', 'chat', 'p-live');
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES
    (8104, now() - interval '1 hour', 'agent_reply'),
    (8104, now() - interval '1 hour', 'waiting_on_client'),
    (8105, now() - interval '90 minutes', 'agent_reply'),
    (8105, now() - interval '1 hour', 'resolved');
CREATE TEMP TABLE st ON COMMIT DROP AS SELECT * FROM cs_service.sla_status WHERE request_id BETWEEN 8101 AND 8199;
SELECT is((SELECT state FROM st WHERE request_id = 8101 AND metric = 'first_response'), 'ok', 'status: 20 of 60 min is ok');
SELECT is((SELECT state FROM st WHERE request_id = 8102 AND metric = 'first_response'), 'warning', 'status: 40 of 60 min is a warning at 50 %');
SELECT is((SELECT state FROM st WHERE request_id = 8103 AND metric = 'first_response'), 'breached', 'status: 2 h of 1 h is breached');
SELECT is((SELECT due_at FROM st WHERE request_id = 8103 AND metric = 'first_response'), now() - interval '1 hour', 'status: breached an hour ago');
SELECT is((SELECT state || '/' || paused FROM st WHERE request_id = 8104 AND metric = 'first_response'), 'met/false', 'status: answered in time is met');
SELECT is((SELECT paused::text || '/' || coalesce(due_at::text, 'no due') || '/' || elapsed_minutes FROM st WHERE request_id = 8104 AND metric = 'resolution'),
          'true/no due/60', 'status: waiting on the client, the deadline is suspended at 60 min');
SELECT is((SELECT count(*) FROM st WHERE request_id IN (8105, 8106)), 0::bigint, 'status: resolved and future requests are not listed');

-- ---- check_sla ---------------------------------------------------------------------------------
SELECT is(cs_service.check_sla() >= 3, true, 'check_sla: records the warning and the breaches');
SELECT is(cs_service.check_sla(), 0, 'check_sla: a second run records nothing');
SELECT is((SELECT string_agg(request_id || ':' || metric || ':' || kind, ' ' ORDER BY request_id, metric, kind)
             FROM cs_service.sla_alerts WHERE request_id BETWEEN 8101 AND 8199),
          '8102:first_response:warning 8103:first_response:breach 8103:resolution:warning',
          'check_sla: one alert per reached state, breach rather than warning when already breached');

-- ---- roles and the BI shape ----------------------------------------------------------------------
SELECT ok(has_table_privilege('cs_service_bi', 'cs_service.sla_status', 'SELECT')
          AND has_table_privilege('cs_service_bi', 'cs_service.sla_alerts', 'SELECT')
          AND has_table_privilege('cs_service_bi', 'cs_service.sla_compliance', 'SELECT'),
          'roles: BI reads the status, the compliance and the alerts');
SELECT ok(NOT has_table_privilege('cs_service_bi', 'cs_service.requests', 'INSERT,UPDATE,DELETE')
          AND NOT has_table_privilege('cs_service_bi', 'cs_service.sla_alerts', 'INSERT,UPDATE,DELETE')
          AND NOT has_table_privilege('cs_service_bi', 'cs_service.sla_targets', 'INSERT,UPDATE,DELETE')
          AND NOT has_function_privilege('cs_service_bi', 'cs_service.check_sla()', 'EXECUTE'),
          'roles: BI writes nothing and runs no check');
SELECT ok(has_table_privilege('cs_service_writer', 'cs_service.request_events', 'INSERT')
          AND has_function_privilege('cs_service_writer', 'cs_service.check_sla()', 'EXECUTE')
          AND NOT has_function_privilege('cs_service_writer', 'cs_service.sla_bind(text, text)', 'EXECUTE')
          AND NOT has_table_privilege('cs_service_writer', 'cs_service.sla_bindings', 'INSERT'),
          'roles: the writer writes the model and runs the check, but cannot bind');
SELECT is((SELECT string_agg(DISTINCT data_type, ', ' ORDER BY data_type) FROM information_schema.columns
            WHERE table_schema = 'cs_service' AND table_name = 'sla_status'),
          'bigint, boolean, double precision, integer, text, timestamp with time zone',
          'BI shape: sla_status has only plain typed columns');
SELECT is((SELECT count(*) FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
            WHERE p.pronamespace = 'cs_service'::regnamespace AND l.lanname IN ('sql', 'plpgsql')
              AND p.proname NOT IN ('sla_source_requests', 'sla_source_events')   -- inlined on purpose
              AND p.proname NOT LIKE 'source\_%'                                 -- the same, for the scorecard
              AND p.proname <> 'report_zone'               -- a string body Citus can read (doc/citus.md)
              AND p.prosqlbody IS NULL        -- BEGIN ATOMIC bodies are bound when created, not at run time
              AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)),
          0::bigint, 'safety: every SQL and PL/pgSQL function pins search_path');

-- ---- the binding ----------------------------------------------------------------------------------
CREATE SCHEMA tap_crm;
CREATE TABLE tap_crm.tickets AS SELECT 1 AS no, timestamptz '2026-02-02 09:00' AS created, 'chat' AS via;
SELECT lives_ok($$SELECT cs_service.sla_bind('requests', 'SELECT no AS request_id, created AS opened_at, via AS channel, ''normal'' AS priority, NULL AS client, NULL AS team, NULL AS manager, ''p-live'' AS policy, true AS is_open FROM tap_crm.tickets')$$,
                'binding: requests bound to a CRM table');
SELECT is((SELECT string_agg(request_id::text, ',') FROM cs_service_internal.sla_source_requests()), '1', 'binding: the source view reads the CRM');
SELECT lives_ok($$SELECT cs_service.sla_unbind('requests')$$, 'binding: unbound');

SELECT * FROM finish();
ROLLBACK;
