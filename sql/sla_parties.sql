-- Whom a wait is on (doc/sla.md, "Whom a wait is on"): waits on the client, a third party or
-- the agency itself, the pause parties of a policy, the waited time per party, the view
-- wait_attribution, a CRM mapping its statuses, and every error message.
SET timezone = 'UTC';
SET extra_float_digits = 0;
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';
UPDATE cs_service.report_settings SET zone = 'UTC';
SELECT count(*) AS bindings FROM cs_service.sla_bindings WHERE source IN ('requests', 'events');

INSERT INTO cs_service.calendars (name, calendar) VALUES ('party-office', 'UTC; mon-fri 09:00-18:00');
-- the default: waits on the client and on third parties stop the clock, internal ones do not
INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES ('party-default', 'party-office');
INSERT INTO cs_service.sla_policies (name, calendar_name, pause_parties)
VALUES ('party-all', 'party-office', '{client,third_party,internal}');
SELECT name, pause_parties FROM cs_service.sla_policies WHERE name LIKE 'party-%' ORDER BY name;
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES
    ('party-default', 'first_response', '8 hours'), ('party-default', 'resolution', '16 hours'),
    ('party-all', 'first_response', '8 hours'), ('party-all', 'resolution', '16 hours');

-- Monday 2026-01-05: the same log under both policies.  Internal 10-11 (a colleague must
-- review), third party 11-13 (the hosting provider; the client's message at 12 does not end
-- it), client 14-15 (texts to approve; the client's answer ends it).
INSERT INTO cs_service.requests (id, opened_at, channel, client, policy) VALUES
    (801, '2026-01-05 09:00', 'email', 'party-acme', 'party-default'),
    (802, '2026-01-05 09:00', 'email', 'party-acme', 'party-all'),
    (803, '2026-01-06 09:00', 'email', 'party-acme', 'party-default');
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT r.id, e.at, e.kind
  FROM (VALUES (801), (802)) AS r (id),
       (VALUES (timestamptz '2026-01-05 10:00', 'waiting_on_internal'),
               ('2026-01-05 11:00', 'waiting_on_third_party'),
               ('2026-01-05 12:00', 'customer_message'),
               ('2026-01-05 13:00', 'resumed'),
               ('2026-01-05 14:00', 'waiting_on_client'),
               ('2026-01-05 15:00', 'customer_message'),
               ('2026-01-05 16:00', 'agent_reply'),
               ('2026-01-05 17:00', 'resolved')) AS e (at, kind);
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES
    (803, '2026-01-06 09:30', 'waiting_on_client'),
    (803, '2026-01-06 10:30', 'resolved');

-- the clocks: waited per party whatever stops the clock; SLA time and paused time by policy
SELECT m.request_id, m.policy,
       cs_service.waited_time(m.clock, 'client') AS client,
       cs_service.waited_time(m.clock, 'third_party') AS third_party,
       cs_service.waited_time(m.clock, 'internal') AS internal,
       cs_service.paused_time(m.clock) AS paused, cs_service.elapsed(m.clock) AS elapsed,
       m.worst AS first_response, cs_service.pause_parties(m.clock) AS pause_parties
  FROM cs_service_internal.sla_request_metrics AS m
 WHERE m.request_id BETWEEN 801 AND 803 AND m.metric = 'first_response'
 ORDER BY 1;

-- while a wait runs: whom it is on, and whether it stops the clock
SELECT w.kind, cs_service.waiting_on(k.clock) AS waiting_on, cs_service.is_paused(k.clock) AS paused,
       cs_service.paused_since(k.clock) AS paused_since
  FROM (VALUES ('waiting_on_internal'), ('waiting_on_third_party'), ('waiting_on_client'), ('resumed')) AS w (kind)
 CROSS JOIN LATERAL (
        SELECT cs_service.sla_clock_agg(e.at, e.kind, cs_service.calendar('party-office') ORDER BY e.at) AS clock
          FROM (VALUES (timestamptz '2026-01-05 09:00', 'opened'), ('2026-01-05 10:00', w.kind)) AS e (at, kind)) AS k;

-- "we waited 40 working hours on you this month" is one SELECT
SELECT month, client, party, requests, requests_waiting, waited_minutes / 60 AS waited_hours,
       paused_minutes / 60 AS paused_hours
  FROM cs_service.wait_attribution
 WHERE client = 'party-acme' ORDER BY month, party;

-- the stored clocks equal a refold of the log under the policy's pause parties
SELECT s.request_id, s.clock::text = k.clock::text AS stored_is_refold
  FROM cs_service_internal.sla_clocks AS s
  JOIN cs_service_internal.sla_model_request_calendars AS r USING (request_id)
 CROSS JOIN LATERAL (SELECT cs_service.sla_clock_agg(e.at, e.kind, r.calendar, r.pause_parties ORDER BY e.at, e.seq) AS clock
                       FROM cs_service_internal.sla_model_events AS e WHERE e.request_id = s.request_id) AS k
 WHERE s.request_id BETWEEN 801 AND 803 ORDER BY 1;

-- ---- A CRM maps its statuses onto the kinds --------------------------------------------------------
CREATE SCHEMA party_crm;
CREATE TABLE party_crm.ticket_log (id int PRIMARY KEY, ticket int, at timestamptz, status text);
INSERT INTO cs_service.requests (id, opened_at, channel, client, policy)
VALUES (804, '2026-02-02 09:00', 'email', 'party-crm', 'party-default');
INSERT INTO party_crm.ticket_log VALUES
    (1, 804, '2026-02-02 10:00', 'pending_customer'), (2, 804, '2026-02-02 12:00', 'pending_vendor'),
    (3, 804, '2026-02-02 15:00', 'pending_dev'), (4, 804, '2026-02-03 10:00', 'open'),
    (5, 804, '2026-02-03 11:00', 'solved');
SELECT cs_service.sla_bind('events', $$
    SELECT r.id AS request_id, r.opened_at AS at, 'opened' AS kind, 0 AS seq FROM cs_service.requests r
    UNION ALL
    SELECT l.ticket, l.at,
           CASE l.status WHEN 'pending_customer' THEN 'waiting_on_client'
                         WHEN 'pending_vendor' THEN 'waiting_on_third_party'
                         WHEN 'pending_dev' THEN 'waiting_on_internal'
                         WHEN 'open' THEN 'resumed' WHEN 'solved' THEN 'resolved' END,
           l.id
      FROM party_crm.ticket_log l $$);
SELECT month, client, party, requests_waiting, waited_minutes, paused_minutes
  FROM cs_service.wait_attribution WHERE client = 'party-crm' ORDER BY party;
SELECT cs_service.sla_unbind('events');
DROP SCHEMA party_crm CASCADE;

-- ---- Errors ---------------------------------------------------------------------------------------
\set VERBOSITY default
-- a party that is not one of the three
INSERT INTO cs_service.sla_policies (name, pause_parties) VALUES ('party-bad', '{client,vendor}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.sla_policies (name, pause_parties) VALUES ('party-bad', '{client,NULL}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.sla_clock_agg(at, kind, cs_service.calendar('party-office'), '{client,vendor}')
  FROM (VALUES (timestamptz '2026-01-05 09:00', 'opened')) AS e (at, kind);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.waited_time(cs_service.sla_clock_agg(at, kind), 'vendor')
  FROM (VALUES (timestamptz '2026-01-05 09:00', 'opened')) AS e (at, kind);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (801, '2026-01-05 16:30', 'waiting_on_vendor');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- the pause parties of the fold: not null, no null party, the same on every row
SELECT cs_service.sla_clock_agg(at, kind, cs_service.calendar('party-office'), NULL)
  FROM (VALUES (timestamptz '2026-01-05 09:00', 'opened')) AS e (at, kind);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.sla_clock_agg(at, kind, cs_service.calendar('party-office'), '{client,NULL}')
  FROM (VALUES (timestamptz '2026-01-05 09:00', 'opened')) AS e (at, kind);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service.sla_clock_agg(at, kind, cs_service.calendar('party-office'), p ORDER BY at)
  FROM (VALUES (timestamptz '2026-01-05 09:00', 'opened', '{client}'::text[]),
               ('2026-01-05 10:00', 'waiting_on_internal', '{client,internal}')) AS e (at, kind, p);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- the history rule: the pause parties of a policy in use are not changed in place
UPDATE cs_service.sla_policies SET pause_parties = '{client}' WHERE name = 'party-default';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- the same parties in another order or twice are no change
UPDATE cs_service.sla_policies SET pause_parties = '{third_party,client,client}' WHERE name = 'party-default';
-- a deliberate correction re-grades every request of the policy: the stored clocks are refolded
SET cs_service.allow_history_rewrite = on;
UPDATE cs_service.sla_policies SET pause_parties = '{client,third_party,internal}' WHERE name = 'party-default';
RESET cs_service.allow_history_rewrite;
SELECT s.request_id, cs_service.paused_time(s.clock) AS paused, cs_service.elapsed(s.clock) AS elapsed,
       s.clock::text = k.clock::text AS stored_is_refold
  FROM cs_service_internal.sla_clocks AS s
  JOIN cs_service_internal.sla_model_request_calendars AS r USING (request_id)
 CROSS JOIN LATERAL (SELECT cs_service.sla_clock_agg(e.at, e.kind, r.calendar, r.pause_parties ORDER BY e.at, e.seq) AS clock
                       FROM cs_service_internal.sla_model_events AS e WHERE e.request_id = s.request_id) AS k
 WHERE s.request_id IN (801, 802) ORDER BY 1;

-- ---- Clean up ------------------------------------------------------------------------------------
SET cs_service.allow_history_rewrite = on;
DELETE FROM cs_service.sla_alerts WHERE request_id BETWEEN 800 AND 899;
DELETE FROM cs_service.requests WHERE id BETWEEN 800 AND 899;
DELETE FROM cs_service.sla_targets WHERE policy LIKE 'party-%';
DELETE FROM cs_service.sla_policies WHERE name LIKE 'party-%';
DELETE FROM cs_service.calendars WHERE name = 'party-office';
RESET cs_service.allow_history_rewrite;
