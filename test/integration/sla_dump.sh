#!/bin/bash
# The SLA configuration, the default model's data, the alerts and a CRM binding survive
# pg_dump and pg_restore: the same views give the same answers afterwards.
# Runs against the cluster in the PG* environment (test/all.sh runs it inside pg_virtualenv).
set -euo pipefail

src=cs_sla_dump_src_$$
dst=cs_sla_dump_dst_$$
dump=$(mktemp)
trap 'rm -f "$dump"; dropdb --if-exists "$src" >/dev/null 2>&1 || true; dropdb --if-exists "$dst" >/dev/null 2>&1 || true' EXIT

createdb "$src"
createdb "$dst"
psql -X -q -v ON_ERROR_STOP=1 -d "$src" >/dev/null <<'SQL'
SET timezone = 'UTC';
CREATE EXTENSION cs_service;
INSERT INTO cs_service.calendars (name, calendar) VALUES ('office', 'Europe/Moscow; mon-fri 09:00-18:00; 2026-01-07 off');
INSERT INTO cs_service.sla_policies (name, calendar_name, warning_pct) VALUES ('standard', 'office', 80);
INSERT INTO cs_service.sla_policies (name) VALUES ('chat-24x7');
INSERT INTO cs_service.sla_targets (policy, metric, channel, target) VALUES
    ('standard', 'first_response', NULL, '24 hours'), ('standard', 'first_response', 'email', '2 hours'),
    ('standard', 'resolution', NULL, '16 hours'), ('chat-24x7', 'first_response', NULL, '15 minutes');
INSERT INTO cs_service.sla_targets (policy, metric, channel, target, valid_from)
VALUES ('standard', 'first_response', 'email', '1 hour', '2026-06-01');
INSERT INTO cs_service.sla_policy_rules (policy, channel) VALUES ('standard', NULL), ('chat-24x7', 'chat');
INSERT INTO cs_service.requests (opened_at, channel, client)
SELECT '2026-01-05 08:00+03'::timestamptz + g * interval '7 hours', CASE WHEN g % 3 = 0 THEN 'chat' ELSE 'email' END, 'c' || (g % 4)
  FROM generate_series(1, 50) AS g;
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT id, opened_at + (id % 5) * interval '1 hour', 'agent_reply' FROM cs_service.requests;
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT id, opened_at + (id % 7) * interval '5 hours', 'resolved' FROM cs_service.requests WHERE id % 2 = 0;
SELECT cs_service.check_sla();
-- a CRM with its own tables, bound to the SLA views
CREATE SCHEMA crm;
CREATE TABLE crm.tickets (no int PRIMARY KEY, created timestamptz, via text);
CREATE TABLE crm.ticket_log (no int, at timestamptz, what text);
INSERT INTO crm.tickets VALUES (7, '2026-02-02 10:00+03', 'mail'), (8, '2026-02-02 11:00+03', 'chat');
INSERT INTO crm.ticket_log VALUES (7, '2026-02-02 13:30+03', 'answer'), (8, '2026-02-02 11:05+03', 'answer');
SELECT cs_service.sla_bind('requests', $q$
    SELECT no AS request_id, created AS opened_at, CASE via WHEN 'mail' THEN 'email' ELSE via END AS channel,
           'normal' AS priority, NULL AS client, NULL AS team, NULL AS manager, NULL AS policy, NULL AS is_open
      FROM crm.tickets $q$);
SELECT cs_service.sla_bind('events', $q$
    SELECT no AS request_id, created AS at, 'opened' AS kind, 0 AS seq FROM crm.tickets
    UNION ALL SELECT no, at, 'agent_reply', 1 FROM crm.ticket_log $q$);
SQL

fingerprint() {
	psql -X -q -At -d "$1" <<'SQL'
SET timezone = 'UTC';
SELECT 'policies ' || string_agg(format('%s/%s/%s/%s', name, calendar_name, calendar, warning_pct), ' ' ORDER BY name) FROM cs_service.sla_policies;
SELECT 'targets ' || string_agg(format('%s/%s/%s/%s/%s', policy, metric, channel, target, valid_from), ' ' ORDER BY policy, metric, channel, valid_from) FROM cs_service.sla_targets;
SELECT 'rules ' || string_agg(format('%s/%s/%s', policy, channel, valid_from), ' ' ORDER BY policy) FROM cs_service.sla_policy_rules;
SELECT 'requests ' || count(*) || ' ' || md5(string_agg(format('%s/%s/%s/%s/%s', id, opened_at, channel, policy, is_open), ' ' ORDER BY id)) FROM cs_service.requests;
SELECT 'events ' || count(*) || ' ' || md5(string_agg(format('%s/%s/%s/%s', id, request_id, at, kind), ' ' ORDER BY id)) FROM cs_service.request_events;
SELECT 'alerts ' || count(*) || ' ' || md5(string_agg(format('%s/%s/%s/%s', request_id, metric, kind, instance_started_at), ' ' ORDER BY id)) FROM cs_service.sla_alerts;
SELECT 'bound ' || string_agg(format('%s/%s/%s/%s/%s', request_id, policy, metric, target,
                                     CASE WHEN stopped_at IS NOT NULL THEN elapsed END), ' ' ORDER BY request_id, metric)
  FROM cs_service_internal.sla_request_metrics;
SQL
}

before=$(fingerprint "$src")
pg_dump -d "$src" -Fc -f "$dump"
pg_restore -d "$dst" "$dump"
after=$(fingerprint "$dst")

if [ "$before" != "$after" ]; then
	echo "not ok - the SLA data differ after pg_dump and restore"
	diff <(echo "$before") <(echo "$after") || true
	exit 1
fi
echo "$after" | sed 's/^/# /' | cut -c1-150
echo "ok - policies, targets, rules, requests, events, alerts and the CRM binding survive pg_dump and restore"

# the binding is live after the restore: the CRM's rows, not the model's
if ! psql -X -At -d "$dst" -c "SELECT pg_get_viewdef('cs_service_internal.sla_bound_events')" | grep -q 'crm.ticket_log' ||
	! psql -X -At -d "$dst" -c "SELECT prosrc FROM pg_proc WHERE oid = 'cs_service_internal.sla_source_events()'::regprocedure" | grep -q 'sla_bound_events'; then
	echo "not ok - the restored sla_source_events() does not read the CRM"
	exit 1
fi
echo "ok - the restored source views read the CRM's tables"

# sequences go on where they stopped
next=$(psql -X -q -At -d "$dst" -c "INSERT INTO cs_service.requests (opened_at, channel) VALUES ('2026-03-02 10:00+03', 'email') RETURNING id")
if [ "$next" != 51 ]; then
	echo "not ok - the first request after the restore got id $next, not 51"
	exit 1
fi
echo "ok - identity sequences continue after the restore (next request id $next)"

# unbinding in the restored database goes back to the default model
n=$(psql -X -q -At -d "$dst" -c "SELECT cs_service.sla_unbind('requests'), cs_service.sla_unbind('events'); SELECT count(*) FROM cs_service_internal.sla_source_requests()")
if [ "$(echo "$n" | tail -1)" != 51 ]; then
	echo "not ok - after unbinding the source has $(echo "$n" | tail -1) requests, not 51"
	exit 1
fi
echo "ok - unbinding after the restore returns to the default model"
