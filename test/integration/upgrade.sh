#!/bin/bash
# The upgrade paths.  Each path gives the same extension as a fresh CREATE EXTENSION of the default
# version: the same member objects with the same definitions and privileges, and the same
# configuration rows.  Data written under the old version is measured the same after the update.
#   0.1.0 -> 0.2.0 -> 0.3.0: a 0.1.0 request, then agency data under 0.2.0, then the update
#   0.2.0 -> 0.3.0: the same agency data under 0.2.0 with rollups and a CRM binding, the views
#                   read before and after the update
#   0.3.0 refuses to start on a request opened in year 20261 (23514) and changes nothing
# Runs against the cluster in the PG* environment (test/all.sh runs it inside pg_virtualenv).
set -euo pipefail

dbs=(cs_upgrade_fresh_$$ cs_upgrade_010_$$ cs_upgrade_020_$$ cs_upgrade_bad_$$)
tmp=$(mktemp -d)
trap 'for d in "${dbs[@]}"; do dropdb --if-exists "$d" >/dev/null 2>&1 || true; done; rm -rf "$tmp"' EXIT
for d in "${dbs[@]}"; do createdb "$d"; done
fresh=${dbs[0]} from010=${dbs[1]} from020=${dbs[2]} bad=${dbs[3]}
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$@"; }

# agency data (0.2.0's model), a CRM table bound as the survey source, and a refresh
agency_data() {
	cat <<'SQL'
UPDATE cs_service.report_settings SET zone = 'Europe/Moscow';
INSERT INTO cs_service.clients (client_id, name, manager, team, signed_at) VALUES
    ('a', 'Alfa', 'ivan', 'north', '2026-01-12 10:00+03'), ('b', 'Beta', 'olga', 'south', '2026-02-02 10:00+03');
INSERT INTO cs_service.projects (client_id, budget, spent, due_at, delivered_at) VALUES
    ('a', 100, 90, '2026-03-10 18:00+03', '2026-03-09 12:00+03'), ('b', 100, 120, '2026-03-10 18:00+03', '2026-03-12 12:00+03');
INSERT INTO cs_service.activities (manager, client_id, kind, at, report_sent_at) VALUES
    ('ivan', 'a', 'meeting', '2026-03-02 11:00+03', '2026-03-02 13:00+03'),
    ('ivan', 'a', 'status', '2026-03-06 11:00+03', NULL), ('olga', 'b', 'status', '2026-03-20 11:00+03', NULL);
INSERT INTO cs_service.requests (id, opened_at, channel, client) VALUES (2, '2026-03-03 10:00+03', 'email', 'b');
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES
    (2, '2026-03-03 11:00+03', 'waiting_on_client'), (2, '2026-03-03 13:30+03', 'customer_message'),
    (2, '2026-03-03 15:00+03', 'agent_reply'), (2, '2026-03-04 10:00+03', 'resolved');
CREATE SCHEMA crm;
CREATE TABLE crm.answers (id int PRIMARY KEY, client text, at timestamptz, kind text, score int);
INSERT INTO crm.answers VALUES (1, 'a', '2026-03-05 12:00+03', 'nps', 10), (2, 'b', '2026-03-06 12:00+03', 'nps', 3),
    (3, 'a', '2026-03-07 12:00+03', 'csat', 5);
SELECT cs_service.sla_bind('surveys', 'SELECT id AS survey_id, client AS client_id, at AS answered_at, kind, score, NULL::text AS milestone FROM crm.answers');
SELECT cs_service.refresh_rollups() >= 0;
SQL
}
measure() {	# the numbers of the views, in a form that does not depend on column types
	psql -X -At -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
SELECT 'sc ' || month || ' ' || client_id || ' ' || coalesce(nps::text, '-') || ' ' || coalesce(sla_pct::text, '-') || ' ' ||
       coalesce(on_time_pct::text, '-') || ' ' || coalesce(rhythm_pct::text, '-') || ' ' || coalesce(round(service_score::numeric, 6)::text, '-')
  FROM cs_service.client_scorecard ORDER BY month, client_id;
SELECT 'tc ' || level || ' ' || month || ' ' || team || ' ' || coalesce(manager, '-') || ' ' || coalesce(round(service_score::numeric, 6)::text, '-')
  FROM cs_service.team_scorecard ORDER BY level, month, team, manager;
SELECT 'sl ' || grain || ' ' || period || ' ' || metric || ' ' || coalesce(client, '-') || ' ' || requests || ' ' || met || ' ' || pending
  FROM cs_service.sla_compliance ORDER BY grain, period, metric, client;
SQL
}
measure_waits() {	# 0.3.0's waits per party, in the scorecard and wait_attribution
	psql -X -At -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
SELECT 'cw ' || month || ' ' || client_id || ' ' || client_wait_minutes || ' ' || coalesce(client_wait_share_pct::text, '-')
  FROM cs_service.client_scorecard ORDER BY month, client_id;
SELECT 'wa ' || month || ' ' || client || ' ' || party || ' ' || waited_minutes || ' ' || paused_minutes
  FROM cs_service.wait_attribution ORDER BY month, client, party;
SQL
}

q "$from010" <<'SQL'
CREATE EXTENSION cs_service VERSION '0.1.0';
INSERT INTO cs_service.calendars (name, calendar) VALUES ('office', 'Europe/Moscow; mon-fri 09:00-18:00');
INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES ('standard', 'office');
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES ('standard', 'first_response', '2 hours');
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES ('standard', 'resolution', '8 hours');
INSERT INTO cs_service.sla_policy_rules (policy) VALUES ('standard');
INSERT INTO cs_service.requests (id, opened_at, channel, client) VALUES (1, '2026-03-02 10:00+03', 'email', 'a');
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (1, '2026-03-02 11:00+03', 'agent_reply');
ALTER EXTENSION cs_service UPDATE TO '0.2.0';
SQL
agency_data | q "$from010" >/dev/null
q "$from010" -c 'ALTER EXTENSION cs_service UPDATE'

# 0.2.0 as its users have it (CREATE EXTENSION ... VERSION '0.2.0'), the same rows
q "$from020" <<'SQL'
CREATE EXTENSION cs_service VERSION '0.2.0';
INSERT INTO cs_service.calendars (name, calendar) VALUES ('office', 'Europe/Moscow; mon-fri 09:00-18:00');
INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES ('standard', 'office');
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES ('standard', 'first_response', '2 hours');
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES ('standard', 'resolution', '8 hours');
INSERT INTO cs_service.sla_policy_rules (policy) VALUES ('standard');
INSERT INTO cs_service.requests (id, opened_at, channel, client) VALUES (1, '2026-03-02 10:00+03', 'email', 'a');
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (1, '2026-03-02 11:00+03', 'agent_reply');
SQL
agency_data | q "$from020" >/dev/null
# two alerts as 0.2.0 recorded them: one of request 1 (client a), one whose request is gone
q "$from020" <<'SQL'
INSERT INTO cs_service.sla_alerts (request_id, metric, kind, instance_started_at, cycle, policy, target_minutes, elapsed_minutes)
VALUES (1, 'resolution', 'warning', '2026-03-02 10:00+03', 1, 'standard', 480, 400),
       (99, 'resolution', 'breach', '2026-03-02 10:00+03', 1, 'standard', 480, 500);
SQL
measure "$from020" >"$tmp/before"
q "$from020" -c 'ALTER EXTENSION cs_service UPDATE'
measure "$from020" >"$tmp/after"
measure_waits "$from020" >"$tmp/after-waits"
# a fresh install with the same rows and binding (bound views and zone are user state)
q "$fresh" <<'SQL'
CREATE EXTENSION cs_service;
INSERT INTO cs_service.calendars (name, calendar) VALUES ('office', 'Europe/Moscow; mon-fri 09:00-18:00');
INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES ('standard', 'office');
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES ('standard', 'first_response', '2 hours');
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES ('standard', 'resolution', '8 hours');
INSERT INTO cs_service.sla_policy_rules (policy) VALUES ('standard');
INSERT INTO cs_service.requests (id, opened_at, channel, client) VALUES (1, '2026-03-02 10:00+03', 'email', 'a');
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (1, '2026-03-02 11:00+03', 'agent_reply');
SQL
agency_data | q "$fresh" >/dev/null
measure "$fresh" >"$tmp/fresh-measure"
measure_waits "$fresh" >"$tmp/fresh-waits"

# Every member object of the extension with its definition.
catalog() {
	psql -X -At -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
WITH members AS (
    SELECT d.classid, d.objid
      FROM pg_depend AS d
     WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
       AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'cs_service'))
SELECT pg_describe_object(m.classid, m.objid, 0) || ' :: ' ||
       coalesce(CASE m.classid
           WHEN 'pg_proc'::regclass THEN (SELECT CASE WHEN p.prokind = 'a' THEN p.prosrc ELSE pg_get_functiondef(p.oid) END FROM pg_proc AS p WHERE p.oid = m.objid)
           WHEN 'pg_class'::regclass THEN
               (SELECT c.relkind::text || ' ' || coalesce(pg_get_viewdef(c.oid), '') || ' ' ||
                       coalesce((SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                                                   || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                                                   || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), ''),
                                                   ', ' ORDER BY a.attnum)
                                   FROM pg_attribute AS a
                                   LEFT JOIN pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '') || ' ' ||
                       coalesce((SELECT string_agg(pg_get_constraintdef(k.oid), ', ' ORDER BY k.conname)
                                   FROM pg_constraint AS k WHERE k.conrelid = c.oid), '') || ' ' ||
                       coalesce((SELECT string_agg(pg_get_indexdef(i.indexrelid), ', ' ORDER BY pg_get_indexdef(i.indexrelid))
                                   FROM pg_index AS i WHERE i.indrelid = c.oid), '') || ' ' ||
                       coalesce((SELECT string_agg(pg_get_triggerdef(t.oid), ', ' ORDER BY t.tgname)
                                   FROM pg_trigger AS t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal), '') || ' ' ||
                       coalesce(c.relacl::text, '')
                  FROM pg_class AS c WHERE c.oid = m.objid)
           ELSE '' END, '')
  FROM members AS m
 ORDER BY 1;
SELECT 'weights ' || string_agg(factor || '=' || weight, ',' ORDER BY factor) FROM cs_service.quality_weights;
SELECT 'zone ' || zone FROM cs_service.report_settings;
SQL
}

for d in "$fresh" "$from010" "$from020"; do catalog "$d" >"$tmp/$d"; done
n=$(grep -c . "$tmp/$fresh")
version=$(psql -X -At -d "$fresh" -c "SELECT extversion FROM pg_extension WHERE extname = 'cs_service'")
for path in "$from010:0.1.0 -> 0.2.0 -> $version" "$from020:0.2.0 -> $version"; do
	d=${path%%:*} name=${path#*:}
	if ! diff -u "$tmp/$fresh" "$tmp/$d" >/dev/null; then
		echo "not ok - $name differs from a fresh install of $version:"
		diff -u "$tmp/$fresh" "$tmp/$d" | head -60
		exit 1
	fi
	echo "ok - $name equals a fresh install ($n lines of member definitions, privileges and settings compared)"
done

if ! diff -u "$tmp/before" "$tmp/after" >/dev/null; then
	echo "not ok - the views measure the 0.2.0 data differently after the update:"
	diff -u "$tmp/before" "$tmp/after" | head -40
	exit 1
fi
if ! diff -u "$tmp/fresh-measure" "$tmp/after" >/dev/null; then
	echo "not ok - the updated database measures the same rows differently from a fresh 0.3.0 install:"
	diff -u "$tmp/fresh-measure" "$tmp/after" | head -40
	exit 1
fi
echo "ok - 0.2.0 data (rollups, a bound CRM source) measured the same after the update, and as by a fresh install ($(grep -c . "$tmp/after") rows of client_scorecard, team_scorecard, sla_compliance)"
if ! grep -q '^cw 2026-03-01 b 150 100$' "$tmp/after-waits" || ! diff -u "$tmp/fresh-waits" "$tmp/after-waits" >/dev/null; then
	echo "not ok - the waits of 0.2.0's requests (150 business minutes on client b in March) after the update, then a fresh install:"
	cat "$tmp/after-waits"; diff -u "$tmp/fresh-waits" "$tmp/after-waits" | head -20
	exit 1
fi
echo "ok - the waits of 0.2.0's requests are in the updated rollups and wait_attribution, as in a fresh install ($(grep -c . "$tmp/after-waits") rows)"

got=$(psql -X -At -v ON_ERROR_STOP=1 -d "$from010" -c "SELECT count(*) || ' ' || sum(met) FROM cs_service.sla_compliance WHERE grain = 'month' AND client = 'a' AND metric = 'first_response'")
if [ "$got" != "1 1" ]; then
	echo "not ok - the request written under 0.1.0 is not measured after the updates (got '$got')"
	exit 1
fi
echo "ok - the request written under 0.1.0 is measured by 0.3.0's sla_compliance"
got=$(psql -X -At -v ON_ERROR_STOP=1 -d "$from020" -c "SELECT (SELECT count(*) FROM pg_class WHERE relname = 'bound_surveys' AND relnamespace = 'cs_service_internal'::regnamespace) || ' ' || (SELECT count(*) FROM pg_class WHERE relname = 'bound_surveys' AND relnamespace = 'cs_service'::regnamespace) || ' ' || (SELECT count(*) FROM cs_service_internal.source_surveys())")
if [ "$got" != "1 0 3" ]; then
	echo "not ok - the CRM binding did not move to cs_service_internal with the update (got '$got')"
	exit 1
fi
echo "ok - the CRM binding made under 0.2.0 reads the CRM's 3 rows through cs_service_internal.bound_surveys"
got=$(psql -X -At -v ON_ERROR_STOP=1 -d "$from020" -c "SELECT string_agg(request_id || ':' || coalesce(client, 'NULL'), ' ' ORDER BY request_id) FROM cs_service.sla_alerts")
if [ "$got" != "1:a 99:NULL" ]; then
	echo "not ok - the alerts recorded under 0.2.0 did not get their requests' clients (got '$got')"
	exit 1
fi
echo "ok - the alerts recorded under 0.2.0 carry their requests' clients after the update (none where the request is gone)"

q "$bad" <<'SQL' >/dev/null
CREATE EXTENSION cs_service VERSION '0.2.0';
INSERT INTO cs_service.sla_policies (name) VALUES ('p');
INSERT INTO cs_service.sla_policy_rules (policy) VALUES ('p');
INSERT INTO cs_service.requests (id, opened_at, channel) VALUES (7, '20261-03-02 10:00+03', 'email');
SQL
if out=$(psql -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d "$bad" -c 'ALTER EXTENSION cs_service UPDATE' 2>&1); then
	echo "not ok - the update accepted a request opened in year 20261"
	exit 1
fi
if ! grep -q '23514' <<<"$out" || ! grep -q 'request 7 was opened at' <<<"$out" ||
	[ "$(psql -X -At -d "$bad" -c "SELECT extversion FROM pg_extension WHERE extname = 'cs_service'")" != 0.2.0 ]; then
	echo "not ok - the refused update did not explain itself or left a change: $out"
	exit 1
fi
echo "ok - the update stops on a request opened in year 20261 (23514, the request named) and stays at 0.2.0"
