#!/usr/bin/env bash
# bench/metrics.sh: time the service-quality aggregates against what they replace.
#
#   nps(score)                      vs  the hand-written FILTER formula  vs  sum(score)
#   score_agg(score)                vs  sum(score)
#   percentile(duration_agg(x),0.9) vs  percentile_cont(0.9) WITHIN GROUP (ORDER BY x)
#
# each serial (max_parallel_workers_per_gather = 0) and parallel (forced parallel plans), best
# of $RUNS interleaved rounds after a warm-up round, timed by psql's \timing.  Prints the
# times and the ratios the issue sets targets for.  Rerunnable: the table bench_metrics is built once ($ROWS rows) and
# reused while it has the right size.  It reads the usual PG* variables, so either point them
# at a server that has cs_service installed, or run it in a throwaway cluster:
#
#   pg_virtualenv bench/metrics.sh            # as root or a user who can run PostgreSQL
#   ROWS=10000000 RUNS=5 WORKERS=4 bench/metrics.sh
#
# Settings: JIT off by default (JIT=on to keep it), so the numbers measure the aggregates and
# not compilation.  No assertions: this prints numbers; bench/RESULTS-metrics.md records one run.
set -euo pipefail

ROWS=${ROWS:-5000000}
RUNS=${RUNS:-5}
WORKERS=${WORKERS:-2}
JIT=${JIT:-off}
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

"${PSQL[@]}" -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS cs_service" >/dev/null

have=$("${PSQL[@]}" -At -c "SELECT count(*) FROM bench_metrics" 2>/dev/null || echo missing)
if [ "$have" != "$ROWS" ]; then
    echo "building bench_metrics with $ROWS rows ..."
    "${PSQL[@]}" -o /dev/null <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_metrics;
SELECT setseed(0.25);
-- scores 0..10, an SLA flag, and response times: log-normal around 30 minutes, 1 s .. ~weeks
CREATE TABLE bench_metrics AS
SELECT floor(random() * 11)::int AS score,
       random() < 0.9 AS met,
       make_interval(secs => greatest(1, 1800 * exp(1.5 * sqrt(-2 * ln(1 - random()))
                                                    * cos(2 * pi() * random())))) AS x
FROM generate_series(1, $ROWS);
VACUUM ANALYZE bench_metrics;
SQL
fi

serial="SET jit = $JIT; SET max_parallel_workers_per_gather = 0;"
parallel="SET jit = $JIT; SET max_parallel_workers_per_gather = $WORKERS;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;"

declare -A Q=(
    [sum]="SELECT sum(score) FROM bench_metrics"
    [nps]="SELECT cs_service.nps(score) FROM bench_metrics"
    [filter]="SELECT 100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(*) FROM bench_metrics"
    [score_agg]="SELECT cs_service.score_agg(score) FROM bench_metrics"
    [sla_pct]="SELECT cs_service.sla_pct(met) FROM bench_metrics"
    [sla_filter]="SELECT 100.0 * count(*) FILTER (WHERE met) / count(met) FROM bench_metrics"
    [sketch_p90]="SELECT cs_service.percentile(cs_service.duration_agg(x), 0.9) FROM bench_metrics"
    [cont_p90]="SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY x) FROM bench_metrics"
)
ORDER=(sum nps filter score_agg sla_pct sla_filter sketch_p90 cont_p90)

# best of $RUNS per query, in ms.  The queries are interleaved (round r runs each query once)
# after a warm-up round, so load from elsewhere on the machine hits all of them alike.
# Prints "name best_ms" lines.
best_all() {
    local settings=$1
    {
        echo "$settings"
        for name in "${ORDER[@]}"; do echo "${Q[$name]};"; done
        echo '\timing on'
        for _ in $(seq "$RUNS"); do
            for name in "${ORDER[@]}"; do echo "${Q[$name]};"; done
        done
    } | "${PSQL[@]}" -At | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' |
        awk -v names="${ORDER[*]}" '
            BEGIN { n = split(names, name, " ") }
            { i = (NR - 1) % n + 1; if (!(i in best) || $1 < best[i]) best[i] = $1 }
            END { for (i = 1; i <= n; i++) print name[i], best[i] }'
}

# does the plan run in parallel?
plan_kind() {
    local settings=$1 query=$2
    if { echo "$settings"; echo "EXPLAIN (COSTS OFF) $query;"; } | "${PSQL[@]}" -At | grep -q 'Partial'; then
        echo parallel
    else
        echo serial
    fi
}

# bytes of temporary files the query writes (needs superuser for log_temp_files)
temp_bytes() {
    local settings=$1 query=$2
    { echo "$settings"; echo "SET client_min_messages = log; SET log_temp_files = 0;"; echo "$query;"; } |
        "${PSQL[@]}" -At 2>&1 | sed -n 's/.*temporary file: .*, size \([0-9][0-9]*\).*/\1/p' |
        awk '{ s += $1 } END { print s + 0 }'
}

declare -A T
echo
echo "rows: $("${PSQL[@]}" -At -c "SELECT count(*) FROM bench_metrics")   runs: best of $RUNS interleaved rounds   workers: $WORKERS   jit: $JIT"
echo "server: $("${PSQL[@]}" -At -c "SELECT version()")"
printf '\n%-12s %12s %10s %12s %10s\n' query serial_ms plan parallel_ms plan
while read -r name ms; do T[$name,s]=$ms; done < <(best_all "$serial")
while read -r name ms; do T[$name,p]=$ms; done < <(best_all "$parallel")
for name in "${ORDER[@]}"; do
    printf '%-12s %12s %10s %12s %10s\n' "$name" "${T[$name,s]}" "$(plan_kind "$serial" "${Q[$name]}")" \
        "${T[$name,p]}" "$(plan_kind "$parallel" "${Q[$name]}")"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
printf '%-44s %8s %8s   %s\n' ratio serial parallel target
printf '%-44s %8s %8s   %s\n' "nps(score) / FILTER formula" \
    "$(ratio "${T[nps,s]}" "${T[filter,s]}")" "$(ratio "${T[nps,p]}" "${T[filter,p]}")" "<= 1.0"
printf '%-44s %8s %8s   %s\n' "nps(score) / sum(score)" \
    "$(ratio "${T[nps,s]}" "${T[sum,s]}")" "$(ratio "${T[nps,p]}" "${T[sum,p]}")" "<= 1.2"
printf '%-44s %8s %8s   %s\n' "score_agg(score) / sum(score)" \
    "$(ratio "${T[score_agg,s]}" "${T[sum,s]}")" "$(ratio "${T[score_agg,p]}" "${T[sum,p]}")" "<= 1.3"
printf '%-44s %8s %8s   %s\n' "sla_pct(met) / FILTER formula" \
    "$(ratio "${T[sla_pct,s]}" "${T[sla_filter,s]}")" "$(ratio "${T[sla_pct,p]}" "${T[sla_filter,p]}")" "(none)"
printf '%-44s %8s %8s   %s\n' "percentile_cont(0.9) / percentile(sketch,0.9)" \
    "$(ratio "${T[cont_p90,s]}" "${T[sketch_p90,s]}")" "$(ratio "${T[cont_p90,p]}" "${T[sketch_p90,p]}")" ">= 3"

echo
echo "temporary files written (serial, work_mem $("${PSQL[@]}" -At -c 'SHOW work_mem')):" \
     "sketch $(temp_bytes "$serial" "${Q[sketch_p90]}") bytes," \
     "percentile_cont $(temp_bytes "$serial" "${Q[cont_p90]}") bytes"
echo "the sketch state is fixed: 14,512 bytes per group while aggregating, whatever the row count;"
echo "percentile_cont keeps and sorts every value of the group"
