#!/bin/bash
# bench/citus.sh: the aggregates on a Citus cluster against one node, in the same run.
#
#     bash bench/citus.sh                 # as root, Citus and cs_service installed; ROWS=1000000
#     ROWS=2000000 SHARDS=32 RUNS=5 bash bench/citus.sh
#
# Starts a coordinator and two workers on loopback (test/citus/cluster.sh), loads the rows of
# test/citus/aggregates_data.sql into a table distributed over SHARDS shards and into a plain
# table of a single-node database on the coordinator, and times each query in both, best of
# RUNS after a warm-up, with citus.coordinator_aggregation_strategy = 'disabled' (the one-node
# database serial: max_parallel_workers_per_gather = 0). Prints the times, cluster / one node,
# and each aggregate over count(*) with the same grouping in the same database. All servers share this machine's cores, so the
# cluster/one-node ratio measures Citus's overhead, not a speed-up; bench/RESULTS-citus.md
# records one run and estimates the split across N workers. No assertions.

set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
source test/citus/cluster.sh
citus_available || { echo "bench/citus.sh: Citus is not installed (doc/citus.md)" >&2; exit 1; }

ROWS=${ROWS:-1000000}
SHARDS=${SHARDS:-32}
RUNS=${RUNS:-5}
trap citus_stop EXIT
citus_start || exit 1
for db in dist single; do
	citus_psql "$CITUS_PORT" "$db" -c 'CREATE EXTENSION cs_service' \
		-v rows="$ROWS" -f test/citus/aggregates_data.sql || exit 1
	# best of RUNS wall-clock milliseconds of one statement, after one warm-up run
	citus_psql "$CITUS_PORT" "$db" <<'SQL' || exit 1
CREATE FUNCTION bench_ms(q text, runs int) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    best numeric;
    ms numeric;
BEGIN
    EXECUTE q;
    FOR i IN 1 .. runs LOOP
        t0 := clock_timestamp();
        EXECUTE q;
        ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
        best := least(best, ms);
    END LOOP;
    RETURN round(best, 1);
END
$$;
SQL
done
citus_psql "$CITUS_PORT" dist -c "SET client_min_messages = warning" \
	-c "SELECT create_distributed_table('citus_facts', 'client', shard_count => $SHARDS)" \
	-c "SELECT create_distributed_table('citus_daily', 'client', colocate_with => 'citus_facts')" \
	-c "ANALYZE citus_facts" >/dev/null || exit 1

# name|baseline|query: each aggregate is also shown over its baseline (count(*) with the same
# grouping) in the same database, the aggregate's own per-row cost there
queries=(
	"count(*)||SELECT count(*) FROM citus_facts"
	"sum(score)|count(*)|SELECT sum(score) FROM citus_facts"
	"nps(score)|count(*)|SELECT cs_service.nps(score) FROM citus_facts"
	"sla_pct(in_time)|count(*)|SELECT cs_service.sla_pct(in_time) FROM citus_facts"
	"percentile(duration_agg(took), 0.9)|count(*)|SELECT cs_service.percentile(cs_service.duration_agg(took), 0.9) FROM citus_facts"
	"count(*) GROUP BY channel||SELECT channel, count(*) FROM citus_facts GROUP BY channel"
	"nps, sla_pct, p90 GROUP BY channel|count(*) GROUP BY channel|SELECT channel, cs_service.nps(score), cs_service.sla_pct(in_time), cs_service.percentile(cs_service.duration_agg(took), 0.9) FROM citus_facts GROUP BY channel"
	"count(*) GROUP BY client||SELECT client, count(*) FROM citus_facts GROUP BY client"
	"nps, sla_pct, p90 GROUP BY client|count(*) GROUP BY client|SELECT client, cs_service.nps(score), cs_service.sla_pct(in_time), cs_service.percentile(cs_service.duration_agg(took), 0.9) FROM citus_facts GROUP BY client"
	"count(*) over daily summaries, per month||SELECT date_trunc('month', day), count(*) FROM citus_daily GROUP BY 1"
	"rollup(scores), rollup(took) over daily summaries, per month|count(*) over daily summaries, per month|SELECT date_trunc('month', day), cs_service.nps(cs_service.rollup(scores)), cs_service.percentile(cs_service.rollup(took), 0.9) FROM citus_daily GROUP BY 1"
)

declare -A ms_single ms_dist
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '\n%s rows, %s shards on %s workers, best of %s (ms)\n\n' "$ROWS" "$SHARDS" "$CITUS_WORKERS" "$RUNS"
printf '| query | one node | cluster | cluster / one node | one node / baseline | cluster / baseline |\n'
printf '|---|---:|---:|---:|---:|---:|\n'
for entry in "${queries[@]}"; do
	IFS='|' read -r name base q <<<"$entry"
	lit=$(printf '%s' "$q" | sed "s/'/''/g")
	ms_single[$name]=$(citus_psql "$CITUS_PORT" single -At -c "SET max_parallel_workers_per_gather = 0" \
		-c "SELECT bench_ms('$lit', $RUNS)")
	ms_dist[$name]=$(citus_psql "$CITUS_PORT" dist -At -c "SET citus.coordinator_aggregation_strategy = 'disabled'" \
		-c "SELECT bench_ms('$lit', $RUNS)")
	if [ -n "$base" ]; then
		b1=$(ratio "${ms_single[$name]}" "${ms_single[$base]}")
		b2=$(ratio "${ms_dist[$name]}" "${ms_dist[$base]}")
	else
		b1="(baseline)" b2="(baseline)"
	fi
	printf '| `%s` | %s | %s | %s | %s | %s |\n' "$name" "${ms_single[$name]}" "${ms_dist[$name]}" \
		"$(ratio "${ms_dist[$name]}" "${ms_single[$name]}")" "$b1" "$b2"
done
echo
echo "server: $(citus_psql "$CITUS_PORT" dist -At -c "SELECT version()" | cut -c1-60);" \
	"citus $(citus_psql "$CITUS_PORT" dist -At -c "SELECT extversion FROM pg_extension WHERE extname = 'citus'")"
