-- SLA engine: policies and their selection rule, the request model and its checks, live status,
-- check_sla, the CRM binding, roles, and search_path safety.  Every error message is shown.
SET timezone = 'UTC';
SET extra_float_digits = 0;
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';

-- ---- Policies, targets, rules --------------------------------------------------------------------
INSERT INTO cs_service.calendars (name, calendar)
VALUES ('sla-office', 'UTC; mon-fri 09:00-18:00; 2026-01-07 off');

INSERT INTO cs_service.sla_policies (name, calendar_name, description)
VALUES ('standard', 'sla-office', 'Business hours');
INSERT INTO cs_service.sla_policies (name, warning_pct, description)
VALUES ('round-the-clock', 75, '24/7: no calendar');
INSERT INTO cs_service.sla_policies (name, calendar)
VALUES ('vip', 'UTC; mon-sat 08:00-20:00');

INSERT INTO cs_service.sla_targets (policy, metric, channel, priority, target) VALUES
    ('standard', 'first_response', NULL, NULL, '24 hours'),
    ('standard', 'first_response', 'email', NULL, '2 hours'),
    ('standard', 'first_response', 'chat', NULL, '15 minutes'),
    ('standard', 'first_response', NULL, 'critical', '1 hour'),
    ('standard', 'first_response', 'chat', 'critical', '5 minutes'),
    ('standard', 'resolution', NULL, NULL, '24 hours'),
    ('standard', 'resolution', NULL, 'critical', '4 hours'),
    ('round-the-clock', 'first_response', 'chat', NULL, '15 minutes'),
    ('round-the-clock', 'first_response', 'email', NULL, '2 hours'),
    ('round-the-clock', 'next_response', NULL, NULL, '1 hour'),
    ('round-the-clock', 'resolution', NULL, NULL, '8 hours'),
    ('round-the-clock', 'periodic_update', NULL, NULL, '4 hours');

-- Rules: a catch-all, a channel rule, and a client rule; the most specific wins.
INSERT INTO cs_service.sla_policy_rules (policy, client, channel, priority) VALUES
    ('standard', NULL, NULL, NULL),
    ('round-the-clock', NULL, 'chat', NULL),
    ('vip', 'acme', NULL, NULL),
    ('round-the-clock', 'acme', NULL, 'critical');
-- From 2027 on chat goes to the standard policy (a new version of the chat rule).
INSERT INTO cs_service.sla_policy_rules (policy, channel, valid_from)
VALUES ('standard', 'chat', '2027-01-01');

SELECT c.client, c.channel, c.priority, c.at,
       cs_service.sla_policy_for(c.client, c.channel, c.priority, c.at) AS policy
  FROM (VALUES ('zeta', 'email', 'normal', timestamptz '2026-03-01'),
               ('zeta', 'chat', 'normal', '2026-03-01'),
               ('zeta', 'chat', 'normal', '2027-03-01'),
               ('acme', 'chat', 'normal', '2026-03-01'),
               ('acme', 'email', 'critical', '2026-03-01'),
               (NULL, 'phone', 'normal', '2026-03-01')) AS c(client, channel, priority, at)
 ORDER BY 1, 2, 3, 4;

-- ---- Bad policy input ----------------------------------------------------------------------------
INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES ('broken', 'no-such-calendar');
INSERT INTO cs_service.sla_policies (name, calendar_name, calendar)
VALUES ('both', 'sla-office', 'UTC; mon-fri 09:00-18:00');
INSERT INTO cs_service.sla_policies (name, warning_pct) VALUES ('warn', 100);
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES ('standard', 'next_response', '0 minutes');
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES ('standard', 'next_response', '-2 hours');
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES ('standard', 'next_response', '1 day');
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES ('standard', 'time_to_coffee', '1 hour');
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES ('no-such-policy', 'resolution', '1 hour');
INSERT INTO cs_service.sla_policy_rules (policy, channel) VALUES ('no-such-policy', 'fax');
-- the history rule: targets, rules and calendars in effect are not changed in place
UPDATE cs_service.sla_targets SET target = '3 hours'
 WHERE policy = 'standard' AND metric = 'first_response' AND channel = 'email';
DELETE FROM cs_service.sla_targets WHERE policy = 'standard' AND metric = 'resolution' AND priority IS NULL;
UPDATE cs_service.sla_policy_rules SET policy = 'vip' WHERE channel = 'chat' AND valid_from = '-infinity';
UPDATE cs_service.sla_policies SET calendar_name = NULL WHERE name = 'standard';
-- ... but a version from a date on is fine, and a future version may still be corrected
INSERT INTO cs_service.sla_targets (policy, metric, channel, target, valid_from)
VALUES ('standard', 'first_response', 'email', '1 hour', '2999-01-01');
UPDATE cs_service.sla_targets SET target = '90 minutes' WHERE valid_from = '2999-01-01';
DELETE FROM cs_service.sla_targets WHERE valid_from = '2999-01-01';
-- ... and the warning threshold is not history
UPDATE cs_service.sla_policies SET warning_pct = 80 WHERE name = 'standard';
UPDATE cs_service.sla_policies SET warning_pct = 75 WHERE name = 'standard';

-- ---- The request model -------------------------------------------------------------------------
-- The policy is fixed when the request is inserted, by the rules.
INSERT INTO cs_service.requests (id, opened_at, channel, priority, client)
VALUES (101, '2026-01-05 09:00', 'email', 'normal', 'zeta'),
       (102, '2026-01-05 09:00', 'chat', 'critical', 'acme'),
       (103, '2026-01-05 09:00', 'phone', 'normal', NULL);
INSERT INTO cs_service.requests (id, opened_at, channel, policy)
VALUES (104, '2026-01-05 09:00', 'email', 'vip');
SELECT id, channel, priority, client, policy, is_open FROM cs_service.requests WHERE id BETWEEN 101 AND 104 ORDER BY id;

-- Events: any insertion order; the log is read in time order.
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES
    (101, '2026-01-05 12:00', 'resolved'),
    (101, '2026-01-05 10:00', 'agent_reply');
SELECT id, is_open FROM cs_service.requests WHERE id = 101;
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (101, '2026-01-06 10:00', 'customer_message');
SELECT id, is_open FROM cs_service.requests WHERE id = 101;
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (101, '2026-01-06 11:00', 'resolved');
SELECT id, is_open FROM cs_service.requests WHERE id = 101;
DELETE FROM cs_service.request_events WHERE request_id = 101 AND at = '2026-01-06 11:00';
SELECT id, is_open FROM cs_service.requests WHERE id = 101;
UPDATE cs_service.request_events SET at = '2026-01-06 11:30', kind = 'resolved'
 WHERE request_id = 101 AND at = '2026-01-06 10:00';
SELECT id, is_open FROM cs_service.requests WHERE id = 101;

-- Bad model input
INSERT INTO cs_service.requests (opened_at, channel, policy) VALUES ('2026-01-05 09:00', 'email', 'gold');
SET cs_service.allow_history_rewrite = on;
UPDATE cs_service.sla_policy_rules SET valid_from = '2030-01-01' WHERE policy = 'standard' AND client IS NULL AND channel IS NULL;
RESET cs_service.allow_history_rewrite;
INSERT INTO cs_service.requests (opened_at, channel, client) VALUES ('2026-01-05 09:00', 'email', 'zeta');
SET cs_service.allow_history_rewrite = on;
UPDATE cs_service.sla_policy_rules SET valid_from = '-infinity' WHERE policy = 'standard' AND client IS NULL AND channel IS NULL;
RESET cs_service.allow_history_rewrite;
INSERT INTO cs_service.requests (opened_at, channel) VALUES ('infinity', 'email');
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (102, '2026-01-05 10:00', 'opened');
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (102, '2026-01-05 10:00', 'pending');
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (102, '2026-01-05 08:59', 'agent_reply');
INSERT INTO cs_service.request_events (id, request_id, at, kind) VALUES (99989, 102, 'infinity', 'agent_reply');
-- 0.3.0: instants of the SLA model lie in [1900-01-01, 9000-01-01) UTC, like the agency tables'
-- (a typed year 20261 would otherwise break every SLA view)
INSERT INTO cs_service.requests (id, opened_at, channel) VALUES (9990, '20261-03-02 10:00+03', 'email');
UPDATE cs_service.requests SET opened_at = '1899-12-31 23:00+00' WHERE id = 102;
INSERT INTO cs_service.request_events (id, request_id, at, kind) VALUES (99990, 102, '20261-01-05 10:00+03', 'agent_reply');
INSERT INTO cs_service.requests (id, opened_at, channel) VALUES (9991, '8999-12-31 23:59:59+00', 'email') RETURNING opened_at AS last_instant_accepted;
DELETE FROM cs_service.requests WHERE opened_at >= '8999-01-01';
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (999, '2026-01-05 10:00', 'resolved');
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (102, '2026-01-05 09:01', 'agent_reply'),
                                                                    (102, '2026-01-05 09:01', 'agent_reply');
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (102, '2026-01-05 09:03', 'agent_reply');
UPDATE cs_service.requests SET opened_at = '2026-01-05 09:05' WHERE id = 102;
-- moving the opening earlier is a retroactive start, and allowed
UPDATE cs_service.requests SET opened_at = '2026-01-05 08:55' WHERE id = 102;

-- ---- Outcomes of the hand-checked requests ------------------------------------------------------
-- 101 (standard, email): first response 1 h of 2 h (met); resolved Mon 12:00 after 3 h of 24;
--     the message turned into a second "resolved" on Tue is ignored (already resolved).
-- 102 (round-the-clock via the acme + critical rule, weight 5 over acme's 4; chat): opened
--     08:55 (moved), reply 09:03 after 8 min of 15 (met); still open, so its running metrics
--     are shown without their (growing) times.
SELECT m.request_id, m.policy, m.metric, m.target, m.started_at, m.stopped_at,
       CASE WHEN m.stopped_at IS NOT NULL THEN m.elapsed END AS elapsed,
       CASE WHEN m.stopped_at IS NOT NULL THEN m.worst END AS worst,
       cs_service.ignored_events(m.clock) AS ignored
  FROM cs_service_internal.sla_request_metrics AS m
 WHERE m.request_id IN (101, 102)
 ORDER BY m.request_id, m.metric;

-- ---- Live status -------------------------------------------------------------------------------
-- now() is fixed inside a transaction, so times relative to it are exact.  round-the-clock
-- policy: chat first reply 15 min, email 2 h, next reply 1 h, resolution 8 h, update 4 h;
-- warning at 75 %.
BEGIN;
INSERT INTO cs_service.requests (id, opened_at, channel, policy) VALUES
    (201, now() - interval '10 minutes', 'chat', 'round-the-clock'),   -- 67 %: ok
    (202, now() - interval '12 minutes', 'chat', 'round-the-clock'),   -- 80 %: warning
    (203, now() - interval '3 hours', 'email', 'round-the-clock'),     -- next reply breached
    (204, now() - interval '5 hours', 'email', 'round-the-clock'),     -- paused after 1 h
    (205, now() - interval '2 hours', 'email', 'round-the-clock'),     -- resolved: not shown
    (206, now() - interval '10 hours', 'email', 'round-the-clock'),    -- reopened 30 min ago
    (207, now() + interval '1 hour', 'email', 'round-the-clock');      -- opens in the future
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES
    (203, now() - interval '170 minutes', 'agent_reply'),
    (203, now() - interval '2 hours', 'customer_message'),
    (204, now() - interval '4 hours', 'waiting_on_client'),
    (205, now() - interval '1 hour', 'resolved'),
    (206, now() - interval '9 hours', 'agent_reply'),
    (206, now() - interval '8 hours', 'resolved'),
    (206, now() - interval '30 minutes', 'reopened');
SELECT request_id, metric, cycle, state, paused, target_minutes, elapsed_minutes,
       remaining_minutes, round(used_pct::numeric, 2) AS used_pct,
       due_at - now() AS due_in, started_at - now() AS started, stopped_at - now() AS stopped,
       as_of = now() AS as_of_now
  FROM cs_service.sla_status
 WHERE request_id BETWEEN 201 AND 299
 ORDER BY request_id, metric;

-- check_sla records each warning and breach once, however often it runs.
SELECT cs_service.check_sla() AS recorded;
SELECT cs_service.check_sla() AS recorded_again;
SELECT request_id, metric, kind, cycle, policy, due_at - now() AS due_in, target_minutes,
       elapsed_minutes, recorded_at = now() AS recorded_now
  FROM cs_service.sla_alerts WHERE request_id BETWEEN 201 AND 299 ORDER BY request_id, metric, kind;
ROLLBACK;

-- ---- Binding a CRM's own tables ----------------------------------------------------------------
CREATE SCHEMA crm;
CREATE TABLE crm.tickets (ticket_no int PRIMARY KEY, created timestamptz, via text, prio int,
                          customer text, closed boolean);
CREATE TABLE crm.ticket_log (ticket_no int, happened timestamptz, what text);
INSERT INTO crm.tickets VALUES (1, '2026-01-05 09:00', 'mail', 1, 'zeta', false),
                               (2, '2026-01-05 09:00', 'chat', 2, 'zeta', true);
INSERT INTO crm.ticket_log VALUES (1, '2026-01-05 12:00', 'answer'),
                                  (2, '2026-01-05 09:05', 'answer'), (2, '2026-01-05 09:30', 'close');
SELECT cs_service.sla_bind('requests', $q$
    SELECT t.ticket_no AS request_id, t.created AS opened_at,
           CASE t.via WHEN 'mail' THEN 'email' ELSE t.via END AS channel,
           CASE t.prio WHEN 1 THEN 'critical' ELSE 'normal' END AS priority,
           t.customer AS client, NULL AS team, NULL AS manager, NULL AS policy,
           NOT t.closed AS is_open
      FROM crm.tickets AS t $q$);
SELECT cs_service.sla_bind('events', $q$
    SELECT t.ticket_no AS request_id, t.created AS at, 'opened' AS kind, 0 AS seq FROM crm.tickets AS t
    UNION ALL
    SELECT l.ticket_no, l.happened,
           CASE l.what WHEN 'answer' THEN 'agent_reply' WHEN 'close' THEN 'resolved' END,
           row_number() OVER (ORDER BY l.happened)
      FROM crm.ticket_log AS l $q$);
SELECT source FROM cs_service.sla_bindings ORDER BY source;
-- ticket 1: standard policy (catch-all), critical: first response 1 h, replied after 3 h: missed
-- ticket 2: round-the-clock (chat rule), replied after 5 min of 15: met
SELECT request_id, policy, metric, target, stopped_at,
       CASE WHEN stopped_at IS NOT NULL THEN elapsed END AS elapsed
  FROM cs_service_internal.sla_request_metrics ORDER BY request_id, metric;
-- a binding that does not give the columns is rejected, and the old one stays
SELECT cs_service.sla_bind('events', 'SELECT 1 AS request_id');
SELECT cs_service.sla_bind('history', 'SELECT 1');
SELECT count(*) AS events_still_bound FROM cs_service_internal.sla_source_events();
-- the extension never depends on the CRM: dropping its tables with CASCADE drops the binding's
-- view only, the SLA views then say what is missing, and unbinding goes back to the model
DROP TABLE crm.ticket_log CASCADE;
SELECT count(*) FROM cs_service.sla_status;
SELECT cs_service.sla_unbind('events');
SELECT count(*) AS default_events FROM cs_service_internal.sla_source_events() WHERE request_id BETWEEN 101 AND 104;
SELECT cs_service.sla_unbind('requests');
SELECT count(*) AS default_requests FROM cs_service_internal.sla_source_requests() WHERE request_id BETWEEN 101 AND 104;
SELECT count(*) AS bound_views_left FROM pg_class WHERE relname LIKE 'sla_bound_%';
DROP SCHEMA crm CASCADE;
-- filters reach the source's tables: the functions are inlined
EXPLAIN (COSTS OFF) SELECT * FROM cs_service_internal.sla_source_events() WHERE request_id = 101;

-- ---- Roles ---------------------------------------------------------------------------------------
SET ROLE cs_service_bi;
SELECT count(*) >= 0 AS bi_reads_status FROM cs_service.sla_status;
SELECT count(*) >= 0 AS bi_reads_alerts FROM cs_service.sla_alerts;
INSERT INTO cs_service.requests (opened_at, channel) VALUES (now(), 'email');
UPDATE cs_service.sla_targets SET target = '1 hour';
SELECT cs_service.check_sla();
SELECT cs_service.sla_bind('events', 'SELECT 1');
RESET ROLE;
SET ROLE cs_service_writer;
INSERT INTO cs_service.requests (id, opened_at, channel) VALUES (301, '2026-01-05 09:00', 'email');
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (301, '2026-01-05 09:30', 'agent_reply');
SELECT cs_service.check_sla() >= 0 AS writer_runs_check;
SELECT cs_service.sla_bind('events', 'SELECT 1');
RESET ROLE;

-- ---- search_path safety ----------------------------------------------------------------------
-- Objects in a schema ahead of pg_catalog do not reach the extension's functions or views.
CREATE SCHEMA evil;
CREATE FUNCTION evil.date_part(text, interval) RETURNS double precision
    LANGUAGE sql AS 'SELECT 0::double precision';
CREATE FUNCTION evil.texteq_always(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.texteq_always);
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE sql AS $$SELECT '2000-01-01'::timestamptz$$;
SET search_path = evil, pg_catalog, public;
SELECT cs_service.sla_policy_for('zeta', 'email', 'normal', '2026-03-01') AS policy;
SELECT request_id, metric, state, elapsed_minutes > 1000 AS long_open,
       as_of > '2026-01-01' AS view_uses_real_now, now() = '2000-01-01' AS caller_sees_evil_now
  FROM cs_service.sla_status WHERE request_id = 103 ORDER BY metric;
SELECT cs_service.check_sla() >= 0 AS check_runs;
RESET search_path;
DROP SCHEMA evil CASCADE;

-- ---- Clean up ------------------------------------------------------------------------------------
SET cs_service.allow_history_rewrite = on;
DELETE FROM cs_service.sla_alerts;
DELETE FROM cs_service.requests;
DELETE FROM cs_service.sla_policy_rules;
DELETE FROM cs_service.sla_targets;
DELETE FROM cs_service.sla_policies;
DELETE FROM cs_service.calendars WHERE name = 'sla-office';
RESET cs_service.allow_history_rewrite;
