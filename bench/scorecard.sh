#!/bin/bash
# Benchmark of the agency scorecard's dashboards at 10x the demo's scale (SCALE=10, see
# test/demo/agency.sql: about 1.2M activities, 1M requests, 10M events a year), in one run.
# Each dashboard query is timed from the rollups and against the same query with the rollups
# switched off (watermark NULL: every number recomputed from the raw rows), and the two results
# are compared row for row:
#   1. a year of client_scorecard;
#   2. a year of team_scorecard (teams and managers);
#   3. at_risk_clients (the view, as of now) and at_risk_clients_at() on the data's last day;
#   4. sla_compliance, grain month: one month, and the year;
#   5. refresh_rollups() after one more day of new data, with nothing new, and a rebuild.
# Prints times (from the rollups: best of 3 after a warm-up, ms) and ratios;
# bench/RESULTS-scorecard.md has a run.  A raw time is one run (CREATE TEMP TABLE ... AS the
# query: the table the row-for-row comparison reads).
#
#   bash bench/scorecard.sh              # a throwaway cluster (pg_virtualenv), extension installed
#   SCALE=1 bash bench/scorecard.sh      # the demo's scale
#   KEEP_DB=1 bash bench/scorecard.sh    # in a cluster of your own (PGHOST set): reuse the
#                                        # database cs_bench_scorecard if it is rolled up, keep it
#
# The agency is generated with session_replication_role = replica (no triggers), and the stored
# SLA clocks are then folded once (cs_service_internal.sla_state_rebuild()): with the
# statement-level clock triggers the 10M-event INSERT did not finish in 25 minutes (it took
# 2 minutes before them).  The rollups are rebuilt from scratch (refresh_rollups(true)), so the
# rollup queue the triggers would have filled is not needed.
#
# Serial plans (max_parallel_workers_per_gather = 0), jit off, work_mem 256MB for every query.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${PGHOST:-}" ] && [ -z "${CS_BENCH_INNER:-}" ]; then
	exec env CS_BENCH_INNER=1 pg_virtualenv bash "$0" "$@"
fi

SCALE=${SCALE:-10}
DB=cs_bench_scorecard
export PGOPTIONS="-c max_parallel_workers_per_gather=0 -c jit=off -c work_mem=256MB"
psql_q() { psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

# best of 3 after a warm-up: ms of the statement (run inside psql with \timing)
best_ms() {	# best_ms "SQL" [setup SQL]
	local sql=$1 setup=${2:-} out
	out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$DB" <<SQL
$setup
\\o /dev/null
$sql;
\\timing on
$sql;
$sql;
$sql;
SQL
	)
	echo "$out" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -g | head -1
}
once_ms() {	# once_ms "SQL": ms of one run
	psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -c '\o /dev/null' -c '\timing on' -c "$1" |
		sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b }'; }

if [ -n "${KEEP_DB:-}" ] &&
	psql -X -d "$DB" -Atc 'SELECT 1 FROM cs_service_internal.rollup_state WHERE watermark IS NOT NULL' 2>/dev/null | grep -q 1; then
	echo "# reusing $DB (KEEP_DB)"
	gen_s="(reused)"
	t_rebuild="(reused)"
else
	dropdb --if-exists "$DB" >/dev/null 2>&1 || true
	createdb "$DB"
	psql_q -c 'CREATE EXTENSION cs_service'

	echo "# generating the agency at scale $SCALE (test/demo/agency.sql)"
	start=$SECONDS
	PGOPTIONS="$PGOPTIONS -c session_replication_role=replica" \
		psql_q -v scale="$SCALE" -f test/demo/agency.sql >/dev/null
	psql_q -c 'SELECT cs_service_internal.sla_state_rebuild()' >/dev/null
	gen_s=$((SECONDS - start))
	psql_q -c 'VACUUM ANALYZE'
	echo "generated in ${gen_s} s"

	echo "# refresh_rollups(true): every finished day from scratch"
	t_rebuild=$(once_ms "SELECT cs_service.refresh_rollups(true)")
fi
psql -X -d "$DB" -At -F ' ' -c "SELECT 'rows:', (SELECT count(*) FROM cs_service.clients) AS clients, (SELECT count(*) FROM cs_service.activities) AS activities, (SELECT count(*) FROM cs_service.requests) AS requests, (SELECT count(*) FROM cs_service.request_events) AS events, pg_size_pretty(pg_database_size(current_database()))"
# steady state, as autovacuum leaves the rollups after a while: visibility map and statistics
psql_q -c 'VACUUM ANALYZE cs_service_internal.rollup_daily, cs_service_internal.rollup_monthly, cs_service_internal.rollup_sla_daily, cs_service_internal.rollup_sla_monthly'
psql -X -d "$DB" -At -F ' ' -c "SELECT 'rollups:', (SELECT count(*) FROM cs_service_internal.rollup_daily) AS daily, (SELECT count(*) FROM cs_service_internal.rollup_monthly) AS monthly, (SELECT count(*) FROM cs_service_internal.rollup_sla_daily) AS sla_daily, (SELECT count(*) FROM cs_service_internal.rollup_sla_monthly) AS sla_monthly"

# measure NAME "SQL": the query from the rollups (t_NAME, best of 3) and from the raw rows
# (r_NAME, one run into a temporary table), its rows (n_NAME) and the rows that differ between
# the two (d_NAME: EXCEPT ALL both ways)
measure() {
	local name=$1 sql=$2 out
	echo "# $name: $sql"
	printf -v "t_$name" '%s' "$(best_ms "$sql")"
	out=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" <<SQL
CREATE TEMP TABLE a AS $sql;
BEGIN;
UPDATE cs_service_internal.rollup_state SET watermark = NULL;
\\timing on
CREATE TEMP TABLE b AS $sql;
\\timing off
SELECT 'rows', count(*) FROM a;
SELECT 'differ', count(*) FROM ((TABLE a EXCEPT ALL TABLE b) UNION ALL (TABLE b EXCEPT ALL TABLE a)) AS d;
ROLLBACK;
SQL
	)
	printf -v "r_$name" '%s' "$(echo "$out" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')"
	printf -v "n_$name" '%s' "$(echo "$out" | sed -n 's/^rows|//p')"
	printf -v "d_$name" '%s' "$(echo "$out" | sed -n 's/^differ|//p')"
}

measure year "SELECT * FROM cs_service.client_scorecard WHERE month BETWEEN '2025-11-01' AND '2026-10-01'"
measure team "SELECT * FROM cs_service.team_scorecard WHERE month BETWEEN '2025-11-01' AND '2026-10-01'"
measure risk "SELECT * FROM cs_service.at_risk_clients"
measure riskend "SELECT * FROM cs_service.at_risk_clients_at('2026-10-31 18:00+03')"
measure cmpmonth "SELECT * FROM cs_service.sla_compliance WHERE grain = 'month' AND month = '2026-10-01'"
measure cmpyear "SELECT * FROM cs_service.sla_compliance WHERE grain = 'month' AND month BETWEEN '2025-11-01' AND '2026-10-01'"

echo "# refresh_rollups() after one more day of data, then with nothing new"
# one more day: 2026-10-06's requests, events, activities, surveys copied to 2026-11-02 (a Monday)
psql_q <<'SQL'
BEGIN;
CREATE TEMP TABLE day_requests AS
SELECT r.*, nextval(pg_get_serial_sequence('cs_service.requests', 'id')) AS new_id
  FROM cs_service.requests AS r
 WHERE r.opened_at >= '2026-10-05 00:00+03' AND r.opened_at < '2026-10-06 00:00+03';
INSERT INTO cs_service.requests (id, opened_at, channel, priority, client, team, manager, policy)
SELECT new_id, opened_at + interval '28 days', channel, priority, client, team, manager, policy FROM day_requests;
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT d.new_id, e.at + interval '28 days', e.kind
  FROM cs_service.request_events AS e JOIN day_requests AS d ON d.id = e.request_id;
INSERT INTO cs_service.activities (manager, client_id, kind, at, report_sent_at)
SELECT manager, client_id, kind, at + interval '28 days', report_sent_at + interval '28 days'
  FROM cs_service.activities WHERE at >= '2026-10-05 00:00+03' AND at < '2026-10-06 00:00+03';
INSERT INTO cs_service.surveys (client_id, answered_at, kind, score, milestone)
SELECT client_id, answered_at + interval '28 days', kind, score, milestone
  FROM cs_service.surveys WHERE answered_at >= '2026-10-05 00:00+03' AND answered_at < '2026-10-06 00:00+03';
COMMIT;
SQL
new_rows=$(psql -X -At -d "$DB" -c "SELECT (SELECT count(*) FROM cs_service.requests WHERE opened_at >= '2026-11-02 00:00+03' AND opened_at < '2026-11-03 00:00+03') || ' requests, ' || (SELECT count(*) FROM cs_service.activities WHERE at >= '2026-11-02 00:00+03' AND at < '2026-11-03 00:00+03') || ' activities'")
t_day=$(once_ms "SELECT cs_service.refresh_rollups()")
t_noop=$(best_ms "SELECT cs_service.refresh_rollups()")

row() {	# row NAME "what"
	local t r n d
	eval "t=\$t_$1 r=\$r_$1 n=\$n_$1 d=\$d_$1"
	echo "| $2 | $n | $t | $r | $(ratio "$r" "$t")x | $d |"
}
cat <<EOF

| what (scale $SCALE) | rows | from the rollups, ms | from the raw rows, ms | raw / rollups | rows that differ |
|---|---:|---:|---:|---:|---:|
$(row year 'a year of `client_scorecard`')
$(row team 'a year of `team_scorecard`')
$(row risk '`at_risk_clients` (as of now)')
$(row riskend '`at_risk_clients_at('"'"'2026-10-31 18:00+03'"'"')`')
$(row cmpmonth '`sla_compliance`, grain month, one month')
$(row cmpyear '`sla_compliance`, grain month, a year')

| what (scale $SCALE) | ms |
|---|---:|
| \`refresh_rollups()\` after one more day of data ($new_rows) | $t_day |
| \`refresh_rollups()\` with nothing new | $t_noop |
| \`refresh_rollups(true)\`: every finished day from scratch | $t_rebuild |

generated in $gen_s s
EOF
if [ -z "${KEEP_DB:-}" ]; then
	dropdb "$DB"
fi
