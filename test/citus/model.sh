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
# cs_service_internal.citus_distribute(SHARDS), then reads every view of schema cs_service in
# both, with citus.coordinator_aggregation_strategy = 'disabled', each row as text in a total
# order, and prints one line per view: ok (identical, row for row), or not ok with the first
# lines of the difference or the error; then check_sla() and refresh_rollups(), and
# bench/citus_month.sql (a month of SLA outcomes from the tables, with its EXPLAIN). Stops
# what it started.
#
# Status (issue 12): the model does not run on Citus yet, so some views fail; this script
# measures how far it has come and is not part of test/all.sh until they all pass.
# bench/RESULTS-citus.md records its last output. Without Citus it says so and exits 0.
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
		echo "demo agency (scale $SCALE) loaded into $db in $((SECONDS - t)) s"
	done
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
for v in $views 'check_sla()' 'refresh_rollups()'; do
	compare "$v" -c "SELECT x::text FROM cs_service.$v AS x ORDER BY 1"
done
# The design the views are moving to (doc/citus.md): a month of SLA outcomes read from the
# model's tables directly, identical to one node, with the clocks and the partial sla_agg in
# the shard tasks.
compare citus_month -f bench/citus_month.sql
explain=$(citus_psql "$CITUS_PORT" dist -c "SET citus.coordinator_aggregation_strategy = 'disabled'" \
	-c "EXPLAIN (VERBOSE, COSTS OFF) $(sed '/^--/d; s/;$//' bench/citus_month.sql)" 2>&1)
if grep -q "Task Count: $SHARDS" <<<"$explain" && grep -q 'worker_partial_agg(.*cs_service.sla_agg' <<<"$explain" &&
	grep -q 'cs_service.sla_clock_at' <<<"$explain" && grep -q coord_combine_agg <<<"$explain"; then
	echo "ok - bench/citus_month.sql: EXPLAIN shows the clocks and the partial sla_agg in the $SHARDS shard tasks"
	pass=$((pass + 1))
else
	echo "not ok - bench/citus_month.sql: EXPLAIN does not show the per-request work in the shard tasks"
	fail=$((fail + 1))
fi
echo "test/citus/model.sh: scale $SCALE, $SHARDS shards, $((SECONDS - t0)) s: $pass ok, $fail not ok"
[ $fail -eq 0 ]
