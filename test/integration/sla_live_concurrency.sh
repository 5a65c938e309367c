#!/bin/bash
# The live SLA state under concurrency: for 15 seconds, pgbench writers insert events (in time
# order, back-dated, for new requests), delete and move events, while one client runs
# check_sla() every second and another refresh_rollups() every two seconds.  No run may fail
# (a deadlock, a unique violation), no alert may stand twice, every NOTIFY matches an alert or
# a retraction, and at the end the stored clocks equal a refold of the logs, the next-due index
# equals a recomputation, check_sla() has missed nothing, every standing alert still holds, and
# after a last refresh the rollups equal the raw rows.
# Runs against the cluster in the PG* environment (test/all.sh runs it inside pg_virtualenv).
set -euo pipefail

db=cs_live_conc_$$
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
fail() {
	echo "not ok - $*"
	exit 1
}

createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
CREATE EXTENSION cs_service;
UPDATE cs_service.report_settings SET zone = 'Europe/Berlin';
INSERT INTO cs_service.sla_policies (name, warning_pct) VALUES ('fast', 50);
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES
    ('fast', 'first_response', '20 seconds'),
    ('fast', 'next_response', '15 seconds'),
    ('fast', 'periodic_update', '30 seconds'),
    ('fast', 'resolution', '40 seconds');
INSERT INTO cs_service.sla_policy_rules (policy) VALUES ('fast');
INSERT INTO cs_service.clients (client_id, name, manager, team, signed_at)
SELECT 'c' || i, 'Client ' || i, 'm' || (i % 3), 't' || (i % 2), now() - interval '90 days'
  FROM generate_series(1, 20) AS i;
-- 400 requests opened over the last minute and on past days: during the run warnings and
-- breaches keep coming (and the new requests'), and the writers change days the rollups hold
INSERT INTO cs_service.requests (id, opened_at, channel, client)
SELECT i, CASE WHEN i % 4 = 0 THEN now() - (i % 10 + 1) * interval '1 day'
               ELSE now() - (i % 60) * interval '1 second' END,
       'chat', 'c' || (i % 20 + 1)
  FROM generate_series(1, 400) AS i;
SELECT setval(pg_get_serial_sequence('cs_service.requests', 'id'), 1000);
SELECT cs_service.refresh_rollups() AS first_refresh \gset
SQL

# writers: an event now for a random request (the live case), a back-dated one (a pause or a
# reply logged late), a new request, an event deleted or moved
cat >"$work/live.sql" <<'SQL'
\set r random(1, 400)
\set k random(1, 4)
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT :r, clock_timestamp(), (ARRAY['agent_reply', 'customer_message', 'waiting_on_client', 'resumed'])[:k];
SQL
cat >"$work/backdated.sql" <<'SQL'
\set r random(1, 400)
\set k random(1, 3)
\set s random(1, 30)
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT r.id, greatest(r.opened_at, now() - :s * interval '1 second'),
       (ARRAY['waiting_on_client', 'agent_reply', 'resolved'])[:k]
  FROM cs_service.requests AS r WHERE r.id = :r
ON CONFLICT DO NOTHING;
SQL
cat >"$work/new.sql" <<'SQL'
\set c random(1, 20)
WITH r AS (INSERT INTO cs_service.requests (opened_at, channel, client)
           VALUES (now() - interval '3 seconds', 'chat', 'c' || :c) RETURNING id)
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT r.id, now() - interval '1 second', 'customer_message' FROM r;
SQL
cat >"$work/correct.sql" <<'SQL'
\set r random(1, 400)
\set k random(1, 2)
BEGIN;
DELETE FROM cs_service.request_events
 WHERE id = (SELECT max(id) FROM cs_service.request_events WHERE request_id = :r) AND :k = 1;
UPDATE cs_service.request_events AS e
   SET at = greatest(r.opened_at, e.at - interval '5 seconds' - random() * interval '1 second')
  FROM cs_service.requests AS r
 WHERE r.id = e.request_id
   AND e.id = (SELECT min(id) FROM cs_service.request_events WHERE request_id = :r) AND :k = 2
   AND NOT EXISTS (SELECT FROM cs_service.request_events AS o
                    WHERE o.request_id = e.request_id AND o.kind = e.kind AND o.at = r.opened_at);
COMMIT;
SQL
echo 'SELECT cs_service.check_sla();' >"$work/check.sql"
echo 'SELECT cs_service.refresh_rollups();' >"$work/refresh.sql"

# count the notifications on the documented channel
( for i in $(seq 1 44); do echo "SELECT pg_sleep(0.5);"; done | psql -X -q -d "$db" -c "LISTEN cs_service_sla" -f - >"$work/listen.out" 2>&1 ) &
listener=$!
sleep 1

pgbench -n -T 15 -c 4 -j 2 -f "$work/live.sql@5" -f "$work/backdated.sql@2" -f "$work/new.sql@1" \
	-f "$work/correct.sql@1" "$db" >"$work/writers.out" 2>&1 &
writers=$!
pgbench -n -T 15 -c 1 -R 1 -f "$work/check.sql" "$db" >"$work/check.out" 2>&1 &
checker=$!
pgbench -n -T 15 -c 1 -R 0.5 -f "$work/refresh.sql" "$db" >"$work/refresh.out" 2>&1 &
refresher=$!
rc=0
wait $writers || rc=1
wait $checker || rc=1
wait $refresher || rc=1
for who in writers check refresh; do
	tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/$who.out")
	failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/$who.out")
	if [ $rc != 0 ] || [ "${failed:-0}" != 0 ] || [ -z "$tx" ] || [ "$tx" -lt 2 ]; then
		cat "$work/$who.out"
		fail "pgbench $who: $tx transactions, ${failed:-?} failed"
	fi
	echo "# $who: $tx transactions, none failed"
done
echo "ok - writers, check_sla() every second and refresh_rollups() ran together, no error, no deadlock"

wait "$listener" || true
listener=

psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'SELECT cs_service.refresh_rollups()' >/dev/null
# a last check and the verification in one transaction: one now() for both
read -r alerts standing distinct retracted mismatches missed unheld events <<<"$(psql -X -q -At -F ' ' -v ON_ERROR_STOP=1 -d "$db" \
	-c "BEGIN" -c "SELECT FROM cs_service.check_sla()" -c "
    SELECT (SELECT count(*) FROM cs_service.sla_alerts),
           (SELECT count(*) FROM cs_service.sla_alerts WHERE retracted_at IS NULL),
           (SELECT count(DISTINCT (request_id, metric, instance_started_at, kind))
              FROM cs_service.sla_alerts WHERE retracted_at IS NULL),
           (SELECT count(*) FROM cs_service.sla_alerts WHERE retracted_at IS NOT NULL),
           (SELECT count(*)
              FROM cs_service.requests AS r
              FULL JOIN cs_service_internal.sla_clocks AS s ON s.request_id = r.id
              LEFT JOIN LATERAL (
                     SELECT cs_service.sla_clock_agg(e.at, e.kind, c.calendar ORDER BY e.at, e.seq) AS clock
                       FROM cs_service_internal.sla_model_events AS e,
                            cs_service_internal.sla_policy_calendars AS c
                      WHERE e.request_id = r.id AND c.policy = r.policy) AS f ON true
             WHERE r.id IS NULL OR s.request_id IS NULL OR s.clock::text IS DISTINCT FROM f.clock::text),
           (SELECT count(*) FROM cs_service.sla_status AS s
             WHERE s.state IN ('warning', 'breached')
               AND NOT EXISTS (SELECT FROM cs_service.sla_alerts AS a
                                WHERE a.request_id = s.request_id AND a.metric = s.metric
                                  AND a.instance_started_at = s.started_at AND a.retracted_at IS NULL
                                  AND (a.kind = 'breach' OR s.state = 'warning'))),
           (SELECT count(*) FROM cs_service.sla_alerts AS a
             WHERE a.retracted_at IS NULL AND NOT cs_service_internal.sla_alert_holds(a)),
           (SELECT count(*) FROM cs_service.request_events)" -c "COMMIT")"
echo "# $events events, $alerts alerts ($retracted retracted)"
[ "$alerts" -ge 100 ] || fail "expected many alerts, got $alerts"
[ "$standing" = "$distinct" ] || fail "$standing standing alerts but $distinct distinct: duplicates"
echo "ok - no alert stands twice ($standing standing)"
[ "$retracted" -ge 1 ] || fail "the back-dated events retracted nothing"
[ "$mismatches" = 0 ] || fail "$mismatches stored clocks differ from a refold of their logs"
echo "ok - every stored clock equals a refold of its log"
[ "$missed" = 0 ] || fail "$missed warnings or breaches in sla_status without an alert after a last check"
echo "ok - a last check_sla() leaves no warning or breach without its alert"
[ "$unheld" = 0 ] || fail "$unheld standing alerts do not hold on the corrected logs"
echo "ok - every standing alert holds on the log as corrected; $retracted retracted"

# the recomputation runs at a later now(): a row whose next instant passed in between may
# differ (its instant became -infinity); any other difference is an error
due=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
CREATE TEMP TABLE d AS SELECT * FROM cs_service_internal.sla_clock_due;
SELECT FROM cs_service_internal.sla_state_dues(NULL);
SELECT count(*)
  FROM d FULL JOIN cs_service_internal.sla_clock_due AS n USING (request_id, metric)
 WHERE (d.started_at, d.target, d.warning_at, d.breach_at, d.check_at)
       IS DISTINCT FROM (n.started_at, n.target, n.warning_at, n.breach_at, n.check_at)
   AND NOT coalesce(d.check_at <= now(), false);
SQL
)
[ "$due" = 0 ] || fail "$due next-due rows differ from a recomputation"
echo "ok - the next-due index equals a recomputation"

notified=$(grep -c 'Asynchronous notification "cs_service_sla"' "$work/listen.out" || true)
retractions=$(grep -c '"kind" : "retraction"' "$work/listen.out" || true)
echo "# $notified notifications during the run, $retractions of them retractions"
[ "$retractions" -ge 1 ] || fail "no retraction was notified"
[ "$retractions" -le "$retracted" ] || fail "$retractions retractions notified, $retracted recorded"
echo "ok - retractions are notified"

# the refresh and both sides in one transaction: metrics of seconds are decided as time passes,
# so both must be read at one now()
diff=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
BEGIN;
SELECT FROM cs_service.refresh_rollups();
CREATE TEMP TABLE a AS
SELECT month, client_id, cs_service.sla_total(sla) AS sla_total, cs_service.sla_met(sla) AS sla_met
  FROM cs_service_internal.scorecard_monthly;
CREATE TEMP TABLE b AS
SELECT month, client_id, cs_service.sla_total(sla) AS sla_total, cs_service.sla_met(sla) AS sla_met
  FROM cs_service_internal.scorecard_monthly_raw;
SELECT (SELECT count(*) FROM a) || ' ' ||
       (SELECT count(*) FROM ((TABLE a EXCEPT ALL TABLE b) UNION ALL (TABLE b EXCEPT ALL TABLE a)) AS d);
COMMIT;
SQL
)
rows=${diff% *}
bad=${diff#* }
[ "$bad" = 0 ] && [ "$rows" -ge 1 ] || fail "after the last refresh, $bad of the $rows client-months differ from the raw rows"
echo "ok - after the last refresh the rollups equal the raw rows ($rows client-months)"
