#!/bin/bash
# test/citus/model.sh: cs_service's own model (the demo agency) distributed on a real Citus
# cluster, compared view by view with a single-node database holding the same rows. Run as root
# from the project root, where Citus is installed into PostgreSQL 15 (doc/citus.md) and
# cs_service is installed (make install):
#     bash test/citus/model.sh            # SCALE=1 SHARDS=32 by default
#
# Starts a coordinator and two workers on loopback (test/citus/cluster.sh), generates the demo
# agency (test/demo/agency.sql, seeded: the same rows every time) into the cluster's database
# and into a single-node database on the coordinator, distributes the cluster's copy with
# cs_service_internal.citus_distribute(SHARDS) (after checking that a request without a client
# is refused with nothing changed, and then that the layout is by client), then reads every view of schema cs_service in
# both, with citus.coordinator_aggregation_strategy = 'disabled', each row as text in a total
# order, and prints one line per view: ok (identical, row for row), or not ok with the first
# lines of the difference or the error; a month of sla_compliance; then check_sla() and
# refresh_rollups(), and the rollup-backed reads again (client_scorecard, team_scorecard,
# sla_compliance now read the rollups); bench/citus_month.sql (the same month's outcomes
# written by hand from the tables: the floor the views are measured against). It checks in
# EXPLAIN that the per-request work of the views (the clocks, the outcomes, the partial
# sla_agg) runs inside the shard tasks. Then a CRM's own distributed tables bound with sla_bind
# (test/citus/crm.sql): the SLA views compared again and the fold of each ticket's events in the
# shard tasks; unbound, the model again; and writes to the model after the distribution, which
# are refused (doc/citus.md). Stops what it started. Exit 1 if anything differs.
#
# test/all.sh runs it where Citus is installed (it takes about 7 minutes at scale 1 on a 2-core
# machine). bench/RESULTS-citus.md records its last output. Without Citus it says so and exits 0.
# KEEP_CLUSTER=1 leaves the cluster running (it prints where); REUSE_PORT=p then compares the
# databases dist and single of that cluster again instead of starting one.

set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
source test/citus/cluster.sh

citus_require test/citus/model.sh

SCALE=${SCALE:-1}
SHARDS=${SHARDS:-32}
OUT=$(mktemp -d -t cs_service-citus-model.XXXXXX)
t0=$SECONDS
if [ -n "${REUSE_PORT:-}" ]; then
	CITUS_PORT=$REUSE_PORT
	trap 'rm -rf "$OUT"' EXIT
else
	if [ -n "${KEEP_CLUSTER:-}" ]; then
		trap 'echo "cluster kept: port $CITUS_PORT, directory $CITUS_DIR; outputs in $OUT"' EXIT
	else
		trap 'citus_stop; rm -rf "$OUT"' EXIT
	fi
	citus_start || { echo "could not start the Citus cluster" >&2; exit 1; }
	echo "cluster: coordinator 127.0.0.1:$CITUS_PORT, $CITUS_WORKERS workers ($((SECONDS - t0)) s)"
	for db in single dist; do
		t=$SECONDS
		citus_psql "$CITUS_PORT" "$db" -c 'CREATE EXTENSION cs_service' || exit 1
		# (Citus warns that the generator's pg_temp helpers stay local: kept in the log)
		citus_psql "$CITUS_PORT" "$db" -v scale="$SCALE" -f test/demo/agency.sql \
			>/dev/null 2>"$OUT/load-$db.log" || { cat "$OUT/load-$db.log" >&2; exit 1; }
		citus_psql "$CITUS_PORT" "$db" -q -f test/citus/open_requests.sql || exit 1
		echo "demo agency (scale $SCALE) loaded into $db in $((SECONDS - t)) s"
	done
	# a request without a client cannot be distributed by client: refused before anything changes
	# (in a transaction rolled back: the workers, which run_command_on_workers would change, must
	# not have changed)
	citus_psql "$CITUS_PORT" dist -At >"$OUT/null-client.txt" 2>&1 <<-'SQL'
		BEGIN;
		UPDATE cs_service.requests SET client = NULL WHERE id = (SELECT min(id) FROM cs_service.requests);
		SELECT * FROM cs_service_internal.citus_distribute(4);
	SQL
	citus_psql "$CITUS_PORT" dist -At >>"$OUT/null-client.txt" 2>&1 <<-'SQL'
		SELECT 'distributed tables: ' || count(*) FROM pg_dist_partition;
		SELECT 'events client column: ' || count(*) FROM pg_attribute
		 WHERE attrelid = 'cs_service.request_events'::regclass AND attname = 'client';
		SELECT 'workers events client column: ' || string_agg(result, ',')
		  FROM run_command_on_workers($$SELECT count(*) FROM pg_attribute
		        WHERE attrelid = 'cs_service.request_events'::regclass AND attname = 'client'$$);
	SQL
	t=$SECONDS
	citus_psql "$CITUS_PORT" dist -At -c "SELECT * FROM cs_service_internal.citus_distribute($SHARDS)" \
		>"$OUT/distribute.txt" || exit 1
	echo "distributed: $(grep -c ': reference' "$OUT/distribute.txt") reference tables," \
		"$(grep -c ': distributed' "$OUT/distribute.txt") distributed tables in $((SECONDS - t)) s"
fi

# every view of the public schema, then the two writers a DBA schedules (they change the
# stored state, so they come last; their results are compared like a view's rows)
views=$(citus_psql "$CITUS_PORT" single -At -c "SELECT c.relname FROM pg_catalog.pg_class AS c
	WHERE c.relnamespace = 'cs_service'::regnamespace AND c.relkind = 'v' ORDER BY 1")
pass=0
fail=0
# compare NAME PSQL-ARGS...: the same read in both databases, timed; ok when both succeed with the
# same rows
compare() {
	local name=$1 db s
	shift
	for db in single dist; do
		s=$(date +%s%N)
		PGOPTIONS="-c citus.coordinator_aggregation_strategy=disabled" \
			citus_psql "$CITUS_PORT" "$db" -At "$@" >"$OUT/$name.$db" 2>"$OUT/$name.$db.err"
		printf -v "rc_$db" %s $?
		printf -v "ms_$db" %s $((($(date +%s%N) - s) / 1000000))
	done
	if [ "$rc_single" != 0 ]; then
		echo "not ok - $name: fails on the single node: $(head -n 1 "$OUT/$name.single.err")"
		fail=$((fail + 1))
	elif [ "$rc_dist" != 0 ]; then
		echo "not ok - $name: fails on the cluster: $(grep -m 1 ERROR "$OUT/$name.dist.err")"
		fail=$((fail + 1))
	elif cmp -s "$OUT/$name.single" "$OUT/$name.dist"; then
		echo "ok - $name: $(wc -l <"$OUT/$name.single") rows identical (one node $ms_single ms, cluster $ms_dist ms)"
		pass=$((pass + 1))
	else
		echo "not ok - $name: $(wc -l <"$OUT/$name.single") rows on one node, $(wc -l <"$OUT/$name.dist") on the cluster, they differ:"
		diff "$OUT/$name.single" "$OUT/$name.dist" | head -n 6 | sed 's/^/    /'
		fail=$((fail + 1))
	fi
}
if [ -f "$OUT/null-client.txt" ]; then
	if grep -q 'ERROR:  cannot distribute the model by client: 1 request(s) have no client' "$OUT/null-client.txt" &&
		grep -qx 'distributed tables: 0' "$OUT/null-client.txt" && grep -qx 'events client column: 0' "$OUT/null-client.txt" &&
		grep -qx 'workers events client column: 0,0' "$OUT/null-client.txt"; then
		echo "ok - a request without a client: citus_distribute() refused, nothing changed on any node"
		pass=$((pass + 1))
	else
		echo "not ok - a request without a client was not refused cleanly:"
		sed 's/^/    /' "$OUT/null-client.txt" | head -n 8
		fail=$((fail + 1))
	fi
fi
# the layout: every distributed table of the model by client, in the clients' co-location group
layout=$(citus_psql "$CITUS_PORT" dist -At -c "SELECT string_agg(p.logicalrelid::text || ':' || column_to_column_name(p.logicalrelid, p.partkey), ' ' ORDER BY p.logicalrelid::text)
	FROM pg_dist_partition AS p
	WHERE p.partmethod = 'h' AND p.colocationid = (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = 'cs_service.clients'::regclass)")
want="cs_service.activities:client_id cs_service.clients:client_id cs_service.complaints:client_id cs_service.escalations:client_id cs_service.orders:client_id cs_service.projects:client_id cs_service.request_events:client cs_service.requests:client cs_service.sla_alerts:client cs_service.surveys:client_id cs_service_internal.rollup_daily:client_id cs_service_internal.rollup_monthly:client_id cs_service_internal.sla_clock_due:client cs_service_internal.sla_clocks:client"
if [ "$layout" = "$want" ]; then
	echo "ok - layout: the model's 14 distributed tables by client, co-located with clients"
	pass=$((pass + 1))
else
	echo "not ok - layout: got $layout"
	fail=$((fail + 1))
fi
month="grain = 'month' AND month = '2026-10-01'"
for v in $views; do
	# (sla_status says when it was read: as_of, which is not compared)
	compare "$v" -c "SELECT (to_jsonb(x) - 'as_of')::text FROM cs_service.$v AS x ORDER BY 1"
done
compare sla_compliance-2026-10 -c "SELECT x::text FROM cs_service.sla_compliance AS x WHERE $month ORDER BY 1"
for v in 'check_sla()' 'refresh_rollups()'; do
	compare "$v" -c "SELECT x::text FROM cs_service.$v AS x ORDER BY 1"
done
compare "sla_alerts after check_sla()" -c "SELECT (request_id, metric, kind, instance_started_at, cycle, policy, due_at,
	target_minutes, elapsed_minutes, retracted_at, client)::text FROM cs_service.sla_alerts ORDER BY 1"
compare "check_sla() again" -c "SELECT cs_service.check_sla()"
for v in client_scorecard team_scorecard sla_compliance; do
	compare "$v-from-rollups" -c "SELECT x::text FROM cs_service.$v AS x ORDER BY 1"
done
compare sla_compliance-2026-10-from-rollups -c "SELECT x::text FROM cs_service.sla_compliance AS x WHERE $month ORDER BY 1"
# a month of SLA outcomes read from the model's tables by hand: the floor for the views
compare citus_month -f bench/citus_month.sql

# explain NAME QUERY PATTERN...: the EXPLAIN VERBOSE of QUERY on the cluster has one task per
# shard, and every PATTERN in the part that shows the shard tasks
explain() {
	local name=$1 query=$2 plan p
	shift 2
	plan=$(citus_psql "$CITUS_PORT" dist -c "SET citus.coordinator_aggregation_strategy = 'disabled'" \
		-c "EXPLAIN (VERBOSE, COSTS OFF) $query" 2>&1 | sed -n '/Task Count/,$p')
	if ! grep -q "Task Count: $SHARDS" <<<"$plan"; then
		echo "not ok - $name: EXPLAIN shows no $SHARDS shard tasks"
		fail=$((fail + 1))
		return
	fi
	for p in "$@"; do
		if ! grep -q -- "$p" <<<"$plan"; then
			echo "not ok - $name: EXPLAIN does not show $p in the shard tasks"
			fail=$((fail + 1))
			return
		fi
	done
	echo "ok - $name: EXPLAIN shows ${*//cs_service./} in the $SHARDS shard tasks"
	pass=$((pass + 1))
}
# what sla_compliance computes per day (cs_service_internal.sla_daily_raw) for October, and
# sla_status: the clocks advanced and the outcomes decided on the shards, partial aggregates sent
explain "sla_compliance's outcomes" "SELECT o.client, o.metric, cs_service.sla_agg(o.met)
	FROM cs_service_internal.sla_outcomes AS o
	WHERE o.opened_at >= '2026-10-01 00:00+00' AND o.opened_at < '2026-11-01 00:00+00' GROUP BY 1, 2" \
	'cs_service.sla_clock_at' 'cs_service.sla_agg' 'cs_service.sla_metric_worst'
explain sla_status "SELECT * FROM cs_service.sla_status" 'cs_service.sla_clock_at' 'cs_service.sla_metric_due'
explain "bench/citus_month.sql" "$(sed '/^--/d; s/;$//' bench/citus_month.sql)" \
	'cs_service.sla_clock_at' 'cs_service.sla_agg'

# a CRM's own tables, distributed by the ticket id, bound with sla_bind (test/citus/crm.sql): the
# SLA views fold each ticket's clock from its events inside the shard tasks
ok_bound=1
for db in single dist; do
	citus_psql "$CITUS_PORT" "$db" -v distribute="$([ $db = dist ] && echo 1 || echo 0)" \
		-f test/citus/crm.sql >"$OUT/crm-$db.log" 2>&1 || {
		echo "not ok - bound CRM: sla_bind fails on $db: $(grep -m 1 ERROR "$OUT/crm-$db.log")"
		fail=$((fail + 1))
		ok_bound=
	}
done
if [ -n "$ok_bound" ]; then
	for v in sla_status wait_attribution; do
		compare "bound-$v" -c "SELECT (to_jsonb(x) - 'as_of')::text FROM cs_service.$v AS x ORDER BY 1"
	done
	compare bound-sla_compliance-2026-10 -c "SELECT x::text FROM cs_service.sla_compliance AS x WHERE $month ORDER BY 1"
	explain "bound CRM's outcomes" "SELECT o.client, o.metric, cs_service.sla_agg(o.met)
		FROM cs_service_internal.sla_outcomes AS o
		WHERE o.opened_at >= '2026-10-01 00:00+00' AND o.opened_at < '2026-11-01 00:00+00' GROUP BY 1, 2" \
		'crm.ticket_events_' 'cs_service.sla_clock_agg' 'worker_partial_agg(.*cs_service.sla_agg'
fi
for db in single dist; do
	citus_psql "$CITUS_PORT" "$db" -c "SELECT cs_service.sla_unbind('requests'), cs_service.sla_unbind('events')" \
		-c 'DROP SCHEMA IF EXISTS crm CASCADE' >/dev/null 2>>"$OUT/crm-$db.log"
done
# unbound again: the model's own tables
compare unbound-sla_compliance-2026-10 -c "SELECT x::text FROM cs_service.sla_compliance AS x WHERE $month ORDER BY 1"

# writes to the model after the distribution: refused with an error, never queued where no one
# reads them (a worker's copy of the rollup queue)
refused() {	# refused NAME SQL
	if citus_psql "$CITUS_PORT" dist -c "$2" >/dev/null 2>"$OUT/refused.err"; then
		echo "not ok - $1: accepted on the cluster"
		fail=$((fail + 1))
	elif ! grep -q 'are not supported on Citus yet' "$OUT/refused.err"; then
		echo "not ok - $1: $(grep -m 1 ERROR "$OUT/refused.err")"
		fail=$((fail + 1))
	else
		echo "ok - $1: refused ($(grep -m 1 -o 'writes to [^ ]* are not supported on Citus yet' "$OUT/refused.err"))"
		pass=$((pass + 1))
	fi
}
refused "a new survey" "INSERT INTO cs_service.surveys (survey_id, client_id, answered_at, kind, score)
	SELECT 900000001, c.client_id, '2026-10-30 10:00+03', 'nps', 3 FROM cs_service.clients AS c ORDER BY 1 LIMIT 1"
refused "a new request" "INSERT INTO cs_service.requests (id, opened_at, channel, client)
	VALUES (900000001, '2026-10-30 10:00+03', 'email', 'x')"
refused "an event" "INSERT INTO cs_service.request_events (request_id, at, kind, client)
	SELECT r.id, r.opened_at + interval '1 minute', 'agent_reply', r.client FROM cs_service.requests AS r ORDER BY 1 LIMIT 1"
refused "a policy change" "UPDATE cs_service.sla_policies SET warning_pct = 70 WHERE name = 'standard'"
q=$(citus_psql "$CITUS_PORT" dist -At -c "SELECT string_agg(result, ',') FROM run_command_on_workers(
	'SELECT count(*) FROM cs_service_internal.rollup_queue')")
if [ "$q" = "0,0" ]; then
	echo "ok - no queue rows on the workers"
	pass=$((pass + 1))
else
	echo "not ok - queue rows on the workers: $q"
	fail=$((fail + 1))
fi
echo "test/citus/model.sh: scale $SCALE, $SHARDS shards, $((SECONDS - t0)) s: $pass ok, $fail not ok"
[ $fail -eq 0 ]
