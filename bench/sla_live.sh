#!/bin/bash
# Benchmark of the live SLA state (doc/sla.md, "Stored clocks") at help-desk scale, in one run,
# for SMALL (10,000) and then OPEN (1,000,000) open requests:
#   1. check_sla() when 100 requests have just come due, through the next-due index (stored
#      clocks), against the same check over a refold of every open request's log (the path of
#      0.2.0, and of a bound CRM: the model's own tables bound with sla_bind);
#   2. sla_status for one client, stored clocks against the refold, equal row for row;
#   3. the write cost: 1,000 events inserted one statement each, in time order, with the
#      triggers that keep the state against the same inserts with those triggers disabled;
#   4. sla_state_rebuild(): every clock refolded (what the update to 0.3.0 and a restore with
#      triggers disabled cost).
# Prints the times (best of 3 after a warm-up, milliseconds) and their ratios, as a table.
#
#   bash bench/sla_live.sh                       # a throwaway cluster (pg_virtualenv), or the
#                                                # running one from PG* variables
#   OPEN=100000 bash bench/sla_live.sh           # smaller
#
# Serial plans only (max_parallel_workers_per_gather = 0), jit off, work_mem 256MB for both sides.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${PGHOST:-}" ] && [ -z "${CS_BENCH_INNER:-}" ]; then
	exec env CS_BENCH_INNER=1 pg_virtualenv bash "$0" "$@"
fi

SMALL=${SMALL:-10000}
OPEN=${OPEN:-1000000}
CLIENTS=${CLIENTS:-2000}
DUE=100
CAL="Europe/Berlin; mon-fri 09:00-18:00"

SETTINGS=(-c "SET max_parallel_workers_per_gather = 0" -c "SET jit = off" -c "SET work_mem = '256MB'")
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# best of 3 wall-clock milliseconds of $2 after a warm-up, in one session; $1 runs untimed
# before each run (it makes the work the next run times: here, the newly due requests)
best_ms() {
	local before=$1 q=$2 args=()
	for _ in 1 2 3 4; do
		[ -n "$before" ] && args+=(-c "$before")
		args+=(-c '\timing on' -c "$q" -c '\timing off')
	done
	psql -X -q -v ON_ERROR_STOP=1 "${SETTINGS[@]}" "${args[@]}" |
		sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n 3 | sort -n | head -1
}

psql_q <<SQL
CREATE EXTENSION IF NOT EXISTS cs_service;
SET cs_service.allow_history_rewrite = on;
SELECT cs_service.sla_unbind('requests') FROM cs_service.sla_bindings WHERE source = 'requests';
SELECT cs_service.sla_unbind('events') FROM cs_service.sla_bindings WHERE source = 'events';
TRUNCATE cs_service.requests CASCADE;
DELETE FROM cs_service.sla_alerts;
DELETE FROM cs_service.sla_policy_rules;
DELETE FROM cs_service.sla_targets;
DELETE FROM cs_service.sla_policies;
DELETE FROM cs_service.calendars WHERE name = 'live-office';
INSERT INTO cs_service.calendars (name, calendar) VALUES ('live-office', '$CAL');
INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES ('standard', 'live-office');
INSERT INTO cs_service.sla_policies (name) VALUES ('chat-24x7');
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES
    ('standard', 'first_response', '8 hours'),
    ('standard', 'next_response', '16 hours'),
    ('standard', 'resolution', '400 hours'),
    ('standard', 'periodic_update', '80 hours'),
    ('chat-24x7', 'first_response', '15 minutes'),
    ('chat-24x7', 'next_response', '30 minutes'),
    ('chat-24x7', 'resolution', '1440 hours');
INSERT INTO cs_service.sla_policy_rules (policy, channel) VALUES ('standard', NULL), ('chat-24x7', 'chat');
SQL

# The model's own tables bound as if they were a CRM's: the views then fold each request's log
# on every read and check_sla() evaluates every open request (the refold baseline).
BIND="SELECT cs_service.sla_bind('requests', 'SELECT id AS request_id, opened_at, channel, priority, client, team, manager, policy, is_open FROM cs_service.requests'); SELECT cs_service.sla_bind('events', 'SELECT id AS request_id, opened_at AS at, ''opened'' AS kind, 0 AS seq FROM cs_service.requests UNION ALL SELECT request_id, at, kind, id FROM cs_service.request_events')"
UNBIND="SELECT cs_service.sla_unbind('requests'); SELECT cs_service.sla_unbind('events')"
# DUE requests that came due a moment ago: chat requests opened 20 minutes ago, unanswered
# (first response 15 minutes)
MAKE_DUE="INSERT INTO cs_service.requests (opened_at, channel, client) SELECT now() - interval '20 minutes', 'chat', 'client-due' FROM generate_series(1, $DUE)"
CHECK="SELECT cs_service.check_sla()"
STATUS="SELECT count(*), sum(elapsed_minutes) FROM cs_service.sla_status WHERE client = 'client-7'"
STATUS_ROWS="SELECT request_id, metric, cycle, started_at, state, due_at, target_minutes FROM cs_service.sla_status WHERE client = 'client-7'"

declare -A T
run() {
	local n=$1 start
	echo "# $n open requests: loading"
	start=$SECONDS
	psql_q <<SQL
SET cs_service.allow_history_rewrite = on;
TRUNCATE cs_service.requests CASCADE;
DELETE FROM cs_service.sla_alerts;
-- bulk load without the model's triggers (replica mode); the state is rebuilt below, timed
SET session_replication_role = replica;
SELECT setseed(0.7);
-- open requests of the last 30 days, answered, the client's last message answered: running
-- are resolution and periodic update, due days or weeks ahead
INSERT INTO cs_service.requests (id, opened_at, channel, priority, client, team, manager, policy, is_open)
SELECT g, now() - interval '2 days' * random(), ch, 'normal',
       'client-' || floor(random() * $CLIENTS)::int, 'team-' || (g % 7), 'manager-' || (g % 42),
       CASE ch WHEN 'chat' THEN 'chat-24x7' ELSE 'standard' END, true
  FROM (SELECT g, (ARRAY['chat', 'email', 'email', 'phone'])[1 + floor(random() * 4)::int] AS ch
          FROM generate_series(1, $n) AS g) AS s;
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT r.id, r.opened_at + (now() - r.opened_at) * k.f, k.kind
  FROM cs_service.requests AS r
 CROSS JOIN LATERAL (VALUES (0.1 + r.id * 0, 'agent_reply'), (0.5, 'customer_message'),
                            (0.9, 'agent_reply')) AS k (f, kind);
RESET session_replication_role;
SELECT setval(pg_get_serial_sequence('cs_service.requests', 'id'), $n + 1);
VACUUM ANALYZE cs_service.requests;
VACUUM ANALYZE cs_service.request_events;
SQL
	echo "# loaded in $((SECONDS - start)) s"
	T[rebuild_$n]=$(psql -X -q -v ON_ERROR_STOP=1 "${SETTINGS[@]}" -c '\timing on' \
		-c "SELECT cs_service_internal.sla_state_rebuild()" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
	psql_q -c "VACUUM ANALYZE cs_service_internal.sla_clocks" -c "VACUUM ANALYZE cs_service_internal.sla_clock_due"
	psql_q -c "$CHECK" >/dev/null # whatever the load made due

	# 1. check_sla with DUE newly due requests: stored, then refold
	T[check_$n]=$(best_ms "$MAKE_DUE" "$CHECK")
	recorded=$(psql -X -At -c "$MAKE_DUE" -c "$CHECK" | tail -1)
	T[status_$n]=$(best_ms "" "$STATUS")
	psql -X -At -c "$STATUS_ROWS" | sort >/tmp/cs_live_stored.txt
	psql_q -c "$BIND" >/dev/null
	psql_q -c "$CHECK" >/dev/null
	T[check_refold_$n]=$(best_ms "$MAKE_DUE" "$CHECK")
	recorded_refold=$(psql -X -At -c "$MAKE_DUE" -c "$CHECK" | tail -1)
	T[status_refold_$n]=$(best_ms "" "$STATUS")
	psql -X -At -c "$STATUS_ROWS" | sort >/tmp/cs_live_refold.txt
	psql_q -c "$UNBIND" >/dev/null
	T[recorded_$n]="$recorded / $recorded_refold"
	T[status_rows_$n]=$(wc -l </tmp/cs_live_stored.txt)
	T[status_diff_$n]=$(diff /tmp/cs_live_stored.txt /tmp/cs_live_refold.txt | grep -c '^[<>]' || true)

	# 3. 1,000 live events, one statement each, with and without the state triggers
	local ins="DO \$\$ DECLARE i int; BEGIN FOR i IN 1..1000 LOOP INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (1 + (i * 7919) % $n, now() + i * interval '1 microsecond', CASE i % 2 WHEN 0 THEN 'customer_message' ELSE 'agent_reply' END); END LOOP; END \$\$"
	T[insert_$n]=$(best_ms "" "$ins")
	psql_q -c "ALTER TABLE cs_service.request_events DISABLE TRIGGER sla_state_insert"
	T[insert_plain_$n]=$(best_ms "" "$ins")
	psql_q -c "ALTER TABLE cs_service.request_events ENABLE TRIGGER sla_state_insert"
	psql_q -c "SELECT cs_service_internal.sla_state_rebuild()" >/dev/null
}

run "$SMALL"
run "$OPEN"

s=$SMALL
l=$OPEN
echo
echo "| what (serial, best of 3, ms) | $s open | $l open | $l / $s |"
echo "|---|---:|---:|---:|"
echo "| \`check_sla()\`, $DUE newly due, next-due index (stored clocks) | ${T[check_$s]} | ${T[check_$l]} | $(ratio "${T[check_$l]}" "${T[check_$s]}") |"
echo "| the same check over a refold of every open request (0.2.0, a bound CRM) | ${T[check_refold_$s]} | ${T[check_refold_$l]} | $(ratio "${T[check_refold_$l]}" "${T[check_refold_$s]}") |"
echo "| refold / stored | $(ratio "${T[check_refold_$s]}" "${T[check_$s]}") | $(ratio "${T[check_refold_$l]}" "${T[check_$l]}") | |"
echo "| alerts recorded by one check, stored / refold | ${T[recorded_$s]} | ${T[recorded_$l]} | |"
echo "| \`sla_status\` for one client, stored clocks | ${T[status_$s]} | ${T[status_$l]} | $(ratio "${T[status_$l]}" "${T[status_$s]}") |"
echo "| the same from a refold of its requests' logs | ${T[status_refold_$s]} | ${T[status_refold_$l]} | $(ratio "${T[status_refold_$l]}" "${T[status_refold_$s]}") |"
echo "| refold / stored | $(ratio "${T[status_refold_$s]}" "${T[status_$s]}") | $(ratio "${T[status_refold_$l]}" "${T[status_$l]}") | |"
echo "| rows of that client's status / rows that differ | ${T[status_rows_$s]} / ${T[status_diff_$s]} | ${T[status_rows_$l]} / ${T[status_diff_$l]} | |"
echo "| 1,000 events, one INSERT each, with the state triggers | ${T[insert_$s]} | ${T[insert_$l]} | $(ratio "${T[insert_$l]}" "${T[insert_$s]}") |"
echo "| the same, state triggers disabled | ${T[insert_plain_$s]} | ${T[insert_plain_$l]} | $(ratio "${T[insert_plain_$l]}" "${T[insert_plain_$s]}") |"
echo "| with / without | $(ratio "${T[insert_$s]}" "${T[insert_plain_$s]}") | $(ratio "${T[insert_$l]}" "${T[insert_plain_$l]}") | |"
echo "| \`sla_state_rebuild()\`: every clock and due row | ${T[rebuild_$s]} | ${T[rebuild_$l]} | $(ratio "${T[rebuild_$l]}" "${T[rebuild_$s]}") |"
