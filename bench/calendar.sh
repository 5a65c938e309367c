#!/bin/bash
# Benchmark of business_duration against plain timestamp arithmetic and the day-by-day SQL
# formulation, in one run, on the same rows.  Prints times (best of 3) and ratios.
#
#   bash bench/calendar.sh            # uses the running cluster from PG* variables, or makes a
#                                     # throwaway one with pg_virtualenv (extension installed)
#   ROWS=200000 bash bench/calendar.sh
#
# Serial plans only (max_parallel_workers_per_gather = 0): we compare per-row cost.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${PGHOST:-}" ] && [ -z "${CS_BENCH_INNER:-}" ]; then
	exec env CS_BENCH_INNER=1 pg_virtualenv bash "$0" "$@"
fi

ROWS=${ROWS:-1000000}
SQLROWS=${SQLROWS:-100000}
CAL="Europe/Moscow; mon-fri 09:00-18:00; 2025-01-01..2025-01-08 off; 2025-02-24 off; 2025-03-10 off; 2025-05-01..2025-05-04 off; 2025-05-08..2025-05-11 off; 2025-06-12..2025-06-15 off; 2025-11-02..2025-11-04 off; 2025-12-31..2026-01-11 off; 2026-02-23 off; 2026-03-09 off; 2026-05-01 off; 2026-05-11 off; 2026-06-12 off; 2026-11-04 off; 2026-12-31 off"

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

psql_q <<SQL
CREATE EXTENSION IF NOT EXISTS cs_service;
DROP TABLE IF EXISTS bench_spans;
SELECT setseed(0.42);
CREATE TABLE bench_spans AS
SELECT g AS id,
       t1,
       t1 + random() * interval '72 hours' AS t2,
       t1 + interval '5 years' + random() * interval '72 hours' AS t5,
       t1 + random() * interval '14 days' AS t14
  FROM (SELECT g, timestamptz '2025-01-01 00:00+03' + random() * interval '700 days' AS t1
          FROM generate_series(1, $ROWS) g) s;
ANALYZE bench_spans;
DROP TABLE IF EXISTS bench_spans_small;
CREATE TABLE bench_spans_small AS SELECT * FROM bench_spans WHERE id <= $SQLROWS;
ANALYZE bench_spans_small;
DROP TABLE IF EXISTS bench_holidays;
CREATE TABLE bench_holidays (d date PRIMARY KEY);
INSERT INTO bench_holidays
SELECT generate_series(a::date, b::date, interval '1 day')::date
  FROM (VALUES ('2025-01-01','2025-01-08'),('2025-02-24','2025-02-24'),('2025-03-10','2025-03-10'),
               ('2025-05-01','2025-05-04'),('2025-05-08','2025-05-11'),('2025-06-12','2025-06-15'),
               ('2025-11-02','2025-11-04'),('2025-12-31','2026-01-11'),('2026-02-23','2026-02-23'),
               ('2026-03-09','2026-03-09'),('2026-05-01','2026-05-01'),('2026-05-11','2026-05-11'),
               ('2026-06-12','2026-06-12'),('2026-11-04','2026-11-04'),('2026-12-31','2026-12-31')) v(a, b);
SQL

# best of 3 wall-clock milliseconds of a query, in one session after a warm-up run (so loading
# the library and the time zone is not counted, for either side)
best_ms() {
	psql -X -q -v ON_ERROR_STOP=1 -c "SET max_parallel_workers_per_gather = 0" -c "SET jit = off" \
		-c "$1" -c '\timing on' -c "$1" -c "$1" -c "$1" |
		sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -n | head -1
}

DAYSQL="(SELECT coalesce(sum(greatest(interval '0',
            least(t2, (d::date + time '18:00') AT TIME ZONE 'Europe/Moscow')
          - greatest(t1, (d::date + time '09:00') AT TIME ZONE 'Europe/Moscow'))), interval '0')
       FROM generate_series((t1 AT TIME ZONE 'Europe/Moscow')::date::timestamp,
                            (t2 AT TIME ZONE 'Europe/Moscow')::date::timestamp, interval '1 day') AS g(d)
      WHERE extract(isodow FROM d) < 6
        AND NOT EXISTS (SELECT 1 FROM bench_holidays h WHERE h.d = g.d::date))"

# the two formulations must agree before they are timed
DAYSQL14=${DAYSQL//t2/t14}
check=$(psql -X -At -c "SELECT count(*) FROM bench_spans_small
	WHERE cs_service.business_duration(t1, t2, '$CAL') <> $DAYSQL
	   OR cs_service.business_duration(t1, t14, '$CAL') <> $DAYSQL14")
if [ "$check" != "0" ]; then
	echo "business_duration and the day-by-day SQL disagree on $check rows" >&2
	exit 1
fi

plain=$(best_ms "SELECT max(t2 - t1) FROM bench_spans")
fast=$(best_ms "SELECT max(cs_service.business_duration(t1, t2, '$CAL')) FROM bench_spans")
long=$(best_ms "SELECT max(cs_service.business_duration(t1, t5, '$CAL')) FROM bench_spans")
sqlsub=$(best_ms "SELECT max($DAYSQL) FROM bench_spans_small")
fastsub=$(best_ms "SELECT max(cs_service.business_duration(t1, t2, '$CAL')) FROM bench_spans_small")
sqlsub14=$(best_ms "SELECT max($DAYSQL14) FROM bench_spans_small")
fastsub14=$(best_ms "SELECT max(cs_service.business_duration(t1, t14, '$CAL')) FROM bench_spans_small")
addq=$(best_ms "SELECT max(cs_service.business_add(t1, interval '2 hours', '$CAL')) FROM bench_spans")

cat <<EOF
business_duration benchmark: $ROWS rows (day-by-day SQL: first $SQLROWS rows), serial, best of 3
calendar: Moscow office hours with 2025-2026 holidays; spans up to 72 h, long spans 5 years
  max(t2 - t1)                              $plain ms
  max(business_duration(t1, t2, cal))       $fast ms   ratio to t2 - t1: $(awk "BEGIN{printf \"%.2f\", $fast/$plain}")
  max(business_duration(t1, t1 + 5y, cal))  $long ms   ratio to normal span: $(awk "BEGIN{printf \"%.2f\", $long/$fast}")
  max(business_add(t1, 2 hours, cal))      $addq ms   ratio to t2 - t1: $(awk "BEGIN{printf \"%.2f\", $addq/$plain}")
  day-by-day SQL, $SQLROWS rows, spans <= 72 h     $sqlsub ms
  business_duration, same rows                  $fastsub ms   speed-up: $(awk "BEGIN{printf \"%.0f\", $sqlsub/$fastsub}")x
  day-by-day SQL, $SQLROWS rows, spans <= 14 days  $sqlsub14 ms
  business_duration, same rows                  $fastsub14 ms   speed-up: $(awk "BEGIN{printf \"%.0f\", $sqlsub14/$fastsub14}")x
EOF
