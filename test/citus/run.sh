#!/bin/bash
# test/citus/run.sh: cs_service's aggregates on a real Citus cluster. Run as root from the
# project root, on a machine where Citus is installed into PostgreSQL 15 (Citus is not in
# Debian's registry: see doc/citus.md for building it) and cs_service is installed (make install):
#     bash test/citus/run.sh            # ROWS=200000 SHARDS=32 by default
#
# Starts a coordinator and two workers on loopback (test/citus/cluster.sh), loads the same rows
# into a distributed table (SHARDS shards) and into a plain table of a single-node database, runs
# test/citus/aggregates.sql in both with citus.coordinator_aggregation_strategy = 'disabled' and
# fails unless the two outputs are identical; checks that EXPLAIN shows the partial aggregates
# inside the shard tasks; stops what it started. Without Citus it says so and exits 0 (skip), so
# test/all.sh can call it everywhere; CI=true does not change that, since CI cannot install Citus.

set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
source test/citus/cluster.sh

citus_require test/citus/run.sh

ROWS=${ROWS:-200000}
SHARDS=${SHARDS:-32}
OUT=$(mktemp -d -t cs_service-citus-out.XXXXXX)
trap 'citus_stop; [ -n "${KEEP:-}" ] && echo "outputs kept in $OUT" || rm -rf "$OUT"' EXIT

fail=0
check() {	# check NAME COMMAND...: prints ok/not ok, keeps count
	local name=$1
	shift
	if "$@"; then echo "ok - $name"; else echo "not ok - $name"; fail=$((fail + 1)); fi
}

t0=$SECONDS
citus_start || { echo "could not start the Citus cluster" >&2; exit 1; }
echo "cluster: coordinator 127.0.0.1:$CITUS_PORT, $CITUS_WORKERS workers ($((SECONDS - t0)) s)"

for db in dist single; do
	citus_psql "$CITUS_PORT" "$db" -c 'CREATE EXTENSION cs_service' || exit 1
done
# CREATE EXTENSION on the coordinator is propagated to the workers
for ((i = 1; i <= CITUS_WORKERS; i++)); do
	v=$(citus_psql $((CITUS_PORT + i)) dist -At -c \
		"SELECT extversion FROM pg_extension WHERE extname = 'cs_service'")
	check "cs_service $v installed on worker $i" test -n "$v"
done

for db in dist single; do
	citus_psql "$CITUS_PORT" "$db" -v rows="$ROWS" -f test/citus/aggregates_data.sql || exit 1
done
citus_psql "$CITUS_PORT" dist -At -c "SET client_min_messages = warning" \
	-c "SELECT create_distributed_table('citus_facts', 'client', shard_count => $SHARDS)" \
	-c "SELECT create_distributed_table('citus_daily', 'client', colocate_with => 'citus_facts')" >/dev/null || exit 1
check "citus_facts has $SHARDS shards on $CITUS_WORKERS workers" test "$(citus_psql "$CITUS_PORT" dist -At -c \
	"SELECT count(*) || '/' || count(DISTINCT nodeport) FROM citus_shards WHERE table_name = 'citus_facts'::regclass")" \
	= "$SHARDS/$CITUS_WORKERS"

settings="SET citus.coordinator_aggregation_strategy = 'disabled'"
for db in dist single; do
	PGOPTIONS="-c citus.coordinator_aggregation_strategy=disabled" \
		citus_psql "$CITUS_PORT" "$db" -f test/citus/aggregates.sql >"$OUT/$db.out" 2>&1
	echo "exit $?" >>"$OUT/$db.out"
done
check "aggregates.sql ran without error on the single node" grep -qx 'exit 0' "$OUT/single.out"
check "aggregates.sql: the cluster's output equals the single node's ($(grep -c '^==' "$OUT/single.out") queries)" \
	diff -u "$OUT/single.out" "$OUT/dist.out"

# The shard tasks compute the partial aggregates: EXPLAIN VERBOSE shows the workers' query with
# worker_partial_agg over the extension's aggregates, and the coordinator combining them.
explain=$(citus_psql "$CITUS_PORT" dist -c "$settings" -c "EXPLAIN (VERBOSE, COSTS OFF)
	SELECT channel, cs_service.nps(score), cs_service.sla_pct(in_time),
	       cs_service.percentile(cs_service.duration_agg(took), 0.9)
	  FROM citus_facts GROUP BY channel")
echo "$explain" >"$OUT/explain-grouped.txt"
check "EXPLAIN: the partial aggregates run in the shard tasks" \
	grep -q 'worker_partial_agg(.*cs_service.nps' <<<"$explain"
check "EXPLAIN: the coordinator combines the partial states" \
	grep -q 'coord_combine_agg' <<<"$explain"
check "EXPLAIN: one task per shard" grep -q "Task Count: $SHARDS" <<<"$explain"

# ... while the ordered clock, grouped by the distribution column, runs whole on each shard
explain=$(citus_psql "$CITUS_PORT" dist -c "$settings" -c "EXPLAIN (VERBOSE, COSTS OFF)
	SELECT client, cs_service.sla_clock_agg(at, kind ORDER BY at, id) FROM citus_facts GROUP BY client")
echo "$explain" >"$OUT/explain-clock.txt"
check "EXPLAIN: sla_clock_agg grouped by the distribution column runs whole in the shard tasks" \
	grep -q 'Query: SELECT client, cs_service.sla_clock_agg(at, kind ORDER BY at, id)' <<<"$explain"
err=$(citus_psql "$CITUS_PORT" dist -c "$settings" -c \
	"SELECT channel, cs_service.sla_clock_agg(at, kind ORDER BY at, id) FROM citus_facts GROUP BY channel" 2>&1 >/dev/null)
check "sla_clock_agg across shards is refused, not computed on pulled rows (documented)" \
	grep -q "ERROR" <<<"$err" && echo "    $err" | head -n 2

echo "test/citus/run.sh: $ROWS rows, $SHARDS shards, $((SECONDS - t0)) s, $fail failed"
[ $fail -eq 0 ]
