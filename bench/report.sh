#!/bin/bash
# Benchmark of the monthly reports at 10x the demo's scale (SCALE=10, see test/demo/agency.sql:
# 1,200 clients, about 1.2M activities, 1M requests, 10M events a year), after
# refresh_rollups(true), in one run and side by side with a baseline:
#   baseline  SELECT * FROM client_scorecard WHERE client_id = ... AND month = ...  (one row)
#   client    cs_service.client_report(client, '2026-10-01')
#   team      cs_service.team_report(team, '2026-10-01')
# each warm (best of 5, repeated in one session: PL/pgSQL plans cached) and cold (the first
# call in a new session: catalog caches and plans empty; the median of 5 sessions, each on
# another client or team).  Prints ms; bench/RESULTS-report.md has a run.
#
#   bash bench/report.sh              # a throwaway cluster (pg_virtualenv), extension installed
#   SCALE=1 bash bench/report.sh      # the demo's scale
#   BENCH_DB=name bash bench/report.sh   # reuse a database already generated (PG* environment)
#
# Serial plans (max_parallel_workers_per_gather = 0), jit off, work_mem 256MB for every query.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${PGHOST:-}" ] && [ -z "${CS_BENCH_INNER:-}" ]; then
	exec env CS_BENCH_INNER=1 pg_virtualenv bash "$0" "$@"
fi

SCALE=${SCALE:-10}
DB=${BENCH_DB:-cs_bench_report}
export PGOPTIONS="-c max_parallel_workers_per_gather=0 -c jit=off -c work_mem=256MB"
psql_q() { psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

if [ -z "${BENCH_DB:-}" ]; then
	dropdb --if-exists "$DB" >/dev/null 2>&1 || true
	createdb "$DB"
	psql_q -c 'CREATE EXTENSION cs_service'
	echo "# generating the agency at scale $SCALE (test/demo/agency.sql)"
	start=$SECONDS
	psql_q -v scale="$SCALE" -f test/demo/agency.sql >/dev/null
	echo "generated in $((SECONDS - start)) s"
	psql_q -c 'SELECT cs_service.refresh_rollups(true)' >/dev/null
	psql_q -c 'VACUUM ANALYZE'
fi
psql -X -d "$DB" -At -F ' ' -c "SELECT 'rows:', (SELECT count(*) FROM cs_service.clients) AS clients, (SELECT count(*) FROM cs_service.requests) AS requests, (SELECT count(*) FROM cs_service.request_events) AS events, (SELECT count(*) FROM cs_service_internal.rollup_daily) AS rollup_daily, (SELECT count(*) FROM cs_service_internal.rollup_sla_daily) AS rollup_sla_daily, 'watermark', (SELECT watermark FROM cs_service_internal.rollup_state)"

# the clients and teams of the runs: the first ones of the generated agency
mapfile -t clients < <(psql -X -At -d "$DB" -c "SELECT client_id FROM cs_service.clients WHERE signed_at < '2026-10-01' AND ended_at IS NULL ORDER BY client_id LIMIT 6")
mapfile -t teams < <(psql -X -At -d "$DB" -c "SELECT DISTINCT team FROM cs_service.clients ORDER BY team LIMIT 6")

ms_of() { sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
best() { sort -g | head -1; }

warm() {	# warm SQL: best of 5 after a warm-up, one session
	{ echo '\o /dev/null'; echo "$1;"; echo '\timing on'; for i in 1 2 3 4 5; do echo "$1;"; done; } |
		psql -X -q -v ON_ERROR_STOP=1 -d "$DB" | ms_of | best
}
cold() {	# cold TEMPLATE ARGS...: the first statement of a new session, median over the args
	local template=$1 a
	shift
	for a in "$@"; do
		{ echo '\o /dev/null'; echo '\timing on'; echo "${template//@/$a};"; } |
			psql -X -q -v ON_ERROR_STOP=1 -d "$DB" | ms_of
	done | median
}

M=2026-10-01
c=${clients[0]}
t=${teams[0]}
BASE="SELECT * FROM cs_service.client_scorecard WHERE client_id = '@' AND month = '$M'"
CLIENT="SELECT cs_service.client_report('@', '$M')"
TEAM="SELECT cs_service.team_report('@', '$M')"

b_warm=$(warm "${BASE//@/$c}")
c_warm=$(warm "${CLIENT//@/$c}")
t_warm=$(warm "${TEAM//@/$t}")
b_cold=$(cold "$BASE" "${clients[@]:1:5}")
c_cold=$(cold "$CLIENT" "${clients[@]:1:5}")
t_cold=$(cold "$TEAM" "${teams[@]:1:5}")
ru_warm=$(warm "SELECT cs_service.client_report('$c', '$M', 'ru')")
size=$(psql -X -At -d "$DB" -c "SELECT length(cs_service.client_report('$c', '$M'))")
tsize=$(psql -X -At -d "$DB" -c "SELECT length(cs_service.team_report('$t', '$M'))")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

cat <<EOF2

| what (scale $SCALE, month $M, from the rollups) | warm ms | cold ms |
|---|---:|---:|
| baseline: \`client_scorecard\`, one client's month (one row) | $b_warm | $b_cold |
| \`client_report(client, month)\` ($size characters of HTML) | $c_warm | $c_cold |
| \`client_report(client, month, 'ru')\` | $ru_warm | |
| \`team_report(team, month)\` ($tsize characters) | $t_warm | $t_cold |
| client_report / baseline | $(ratio "$c_warm" "$b_warm")x | $(ratio "$c_cold" "$b_cold")x |
EOF2
[ -n "${BENCH_DB:-}" ] || dropdb "$DB"
