#!/bin/bash
# check_sla() under concurrency: pgbench runs it from 8 clients at once for 10 seconds while
# requests keep crossing their warning and breach thresholds.  No alert may be recorded twice,
# no run may fail (a deadlock or a unique violation would), every alert is counted by exactly
# one run, and every alert sends exactly one NOTIFY.
# Runs against the cluster in the PG* environment (test/all.sh runs it inside pg_virtualenv).
set -euo pipefail

db=cs_sla_conc_$$
work=$(mktemp -d)
listener=
cleanup() {
	set +e
	[ -n "$listener" ] && kill "$listener" 2>/dev/null
	wait 2>/dev/null
	dropdb --if-exists --force "$db" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
CREATE EXTENSION cs_service;
INSERT INTO cs_service.sla_policies (name, warning_pct) VALUES ('fast', 50);
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES
    ('fast', 'first_response', '20 seconds'),
    ('fast', 'periodic_update', '30 seconds'),
    ('fast', 'resolution', '40 seconds');
INSERT INTO cs_service.sla_policy_rules (policy) VALUES ('fast');
-- 600 requests opened over the last minute: during the run, warnings and breaches keep coming
INSERT INTO cs_service.requests (id, opened_at, channel)
SELECT i, now() - (i % 60) * interval '1 second' + interval '5 seconds', 'chat'
  FROM generate_series(1, 600) AS i;
CREATE TABLE run_log (n int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());
SQL

cat >"$work/check.sql" <<'SQL'
SELECT cs_service.check_sla() AS n \gset
INSERT INTO run_log (n) VALUES (:n);
SQL

# count the notifications on the documented channel
( for i in $(seq 1 60); do echo "SELECT pg_sleep(0.5);"; done | psql -X -q -d "$db" -c "LISTEN cs_service_sla" -f - >"$work/listen.out" 2>&1 ) &
listener=$!
sleep 1

pgbench -n -c 8 -j 8 -T 10 -f "$work/check.sql" "$db" >"$work/pgbench.out" 2>&1 || {
	echo "not ok - pgbench failed"
	cat "$work/pgbench.out"
	exit 1
}
grep -E '^(number of (transactions actually processed|failed transactions)|latency average)' "$work/pgbench.out" | sed 's/^/# /'
failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/pgbench.out")
if [ "${failed:-0}" != 0 ]; then
	echo "not ok - $failed check_sla runs failed"
	cat "$work/pgbench.out"
	exit 1
fi
echo "ok - $(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/pgbench.out") concurrent check_sla runs from 8 clients, none failed"

wait "$listener" || true
listener=

read -r alerts distinct runs returned overlapping <<<"$(psql -X -At -F ' ' -d "$db" -c "
    SELECT (SELECT count(*) FROM cs_service.sla_alerts),
           (SELECT count(DISTINCT (request_id, metric, instance_started_at, kind)) FROM cs_service.sla_alerts),
           (SELECT count(*) FROM run_log),
           (SELECT coalesce(sum(n), 0) FROM run_log),
           (SELECT count(*) FROM run_log WHERE n > 0)")"
echo "# $alerts alerts recorded by $runs runs ($overlapping of them recorded something)"
if [ "$alerts" -lt 100 ]; then
	echo "not ok - expected many alerts, got $alerts"
	exit 1
fi
if [ "$alerts" != "$distinct" ]; then
	echo "not ok - $alerts alerts but $distinct distinct: duplicates"
	exit 1
fi
echo "ok - no duplicate alert ($alerts alerts, $distinct distinct)"
if [ "$alerts" != "$returned" ]; then
	echo "not ok - the runs reported $returned alerts in all, the table has $alerts"
	exit 1
fi
echo "ok - every alert was counted by exactly one run (sum of check_sla() = $returned)"

notified=$(grep -c 'Asynchronous notification "cs_service_sla"' "$work/listen.out" || true)
if [ "$notified" != "$alerts" ]; then
	echo "not ok - $notified notifications for $alerts alerts"
	exit 1
fi
echo "ok - one NOTIFY per alert ($notified)"

kinds=$(psql -X -At -d "$db" -c "SELECT string_agg(kind || '=' || n, ' ' ORDER BY kind) FROM (SELECT kind, count(*) AS n FROM cs_service.sla_alerts GROUP BY kind) AS k")
echo "# alerts by kind: $kinds"
