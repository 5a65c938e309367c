#!/bin/bash
# Benchmark of the agency scorecard at 10x the demo's scale (SCALE=10, see
# test/demo/agency.sql: about 1.2M activities, 1M requests, 10M events a year), in one run:
#   1. a year of client_scorecard read from the rollups, against the same query with the
#      rollups switched off (watermark NULL: every number recomputed from the raw rows), and a
#      check that both give the same rows;
#   2. refresh_rollups() after one more day of new data, and a rebuild from scratch;
#   3. sla_compliance for a month from the rollups against the same from raw rows.
# Prints times (best of 3 after a warm-up, ms) and ratios; bench/RESULTS-scorecard.md has a run.
#
#   bash bench/scorecard.sh              # a throwaway cluster (pg_virtualenv), extension installed
#   SCALE=1 bash bench/scorecard.sh      # the demo's scale
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
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

dropdb --if-exists "$DB" >/dev/null 2>&1 || true
createdb "$DB"
psql_q -c 'CREATE EXTENSION cs_service'

echo "# generating the agency at scale $SCALE (test/demo/agency.sql)"
start=$SECONDS
psql_q -v scale="$SCALE" -f test/demo/agency.sql >/dev/null
gen_s=$((SECONDS - start))
psql_q -c 'VACUUM ANALYZE'
psql -X -d "$DB" -At -F ' ' -c "SELECT 'rows:', (SELECT count(*) FROM cs_service.clients) AS clients, (SELECT count(*) FROM cs_service.activities) AS activities, (SELECT count(*) FROM cs_service.requests) AS requests, (SELECT count(*) FROM cs_service.request_events) AS events, pg_size_pretty(pg_database_size(current_database()))"
echo "generated in ${gen_s} s"

echo "# refresh_rollups(true): every finished day from scratch"
once_ms() {	# once_ms "SQL": ms of one run
	psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -c '\o /dev/null' -c '\timing on' -c "$1" |
		sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}
t_rebuild=$(once_ms "SELECT cs_service.refresh_rollups(true)")
# steady state, as autovacuum leaves the rollups after a while: visibility map and statistics
psql_q -c 'VACUUM ANALYZE cs_service_internal.rollup_daily, cs_service_internal.rollup_monthly, cs_service_internal.rollup_sla_daily'
psql -X -d "$DB" -At -F ' ' -c "SELECT 'rollups:', (SELECT count(*) FROM cs_service_internal.rollup_daily) AS daily, (SELECT count(*) FROM cs_service_internal.rollup_monthly) AS monthly, (SELECT count(*) FROM cs_service_internal.rollup_sla_daily) AS sla_daily"

YEAR="SELECT * FROM cs_service.client_scorecard WHERE month BETWEEN '2025-11-01' AND '2026-10-01'"
NOROLLUPS="BEGIN; UPDATE cs_service_internal.rollup_state SET watermark = NULL;"

echo "# 1. a year of client_scorecard"
t_rollup=$(best_ms "$YEAR")
t_raw=$(best_ms "$YEAR" "$NOROLLUPS")
diff=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" <<SQL
CREATE TEMP TABLE a AS $YEAR;
BEGIN;
UPDATE cs_service_internal.rollup_state SET watermark = NULL;
CREATE TEMP TABLE b AS $YEAR;
SELECT count(*) FROM ((TABLE a EXCEPT ALL TABLE b) UNION ALL (TABLE b EXCEPT ALL TABLE a)) AS d;
ROLLBACK;
SQL
)
rows=$(psql -X -At -d "$DB" -c "SELECT count(*) FROM ($YEAR) AS y")

echo "# 2. refresh_rollups() after one more day of data"
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

echo "# 3. sla_compliance for a month"
MONTH="SELECT * FROM cs_service.sla_compliance WHERE grain = 'month' AND month = '2026-10-01'"
t_cmp_rollup=$(best_ms "$MONTH")
t_cmp_raw=$(best_ms "$MONTH" "$NOROLLUPS")

cat <<EOF

| what (scale $SCALE) | ms | ratio |
|---|---:|---:|
| a year of \`client_scorecard\` ($rows rows), from the rollups | $t_rollup | 1.0 |
| the same, every number from the raw rows (rollups off) | $t_raw | $(ratio "$t_raw" "$t_rollup")x slower |
| rows that differ between the two | $diff | |
| \`refresh_rollups()\` after one more day of data ($new_rows) | $t_day | |
| \`refresh_rollups()\` with nothing new | $t_noop | |
| \`refresh_rollups(true)\`: every finished day from scratch | $t_rebuild | |
| \`sla_compliance\`, grain month, one month, from the rollups | $t_cmp_rollup | 1.0 |
| the same from the raw rows | $t_cmp_raw | $(ratio "$t_cmp_raw" "$t_cmp_rollup")x slower |
EOF
dropdb "$DB"
