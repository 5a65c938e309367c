#!/bin/bash
# refresh_rollups() under concurrency: for 10 seconds pgbench runs writers that insert, update
# and delete survey answers, activities, requests and their events on past days, while other
# clients run refresh_rollups() at the same time.  No run may fail (a deadlock, a unique
# violation), and after a last refresh the rollups must equal a computation from the raw rows:
# no change may hide behind a refresh that ran while it was being written.
# Runs against the cluster in the PG* environment (test/all.sh runs it inside pg_virtualenv).
set -euo pipefail

db=cs_rollups_conc_$$
work=$(mktemp -d)
cleanup() {
	set +e
	dropdb --if-exists --force "$db" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
CREATE EXTENSION cs_service;
UPDATE cs_service.report_settings SET zone = 'Europe/Moscow';
INSERT INTO cs_service.sla_policies (name) VALUES ('std');
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES ('std', 'first_response', '1 hour');
INSERT INTO cs_service.sla_policy_rules (policy) VALUES ('std');
INSERT INTO cs_service.clients (client_id, name, manager, team, signed_at)
SELECT 'c' || i, 'Client ' || i, 'm' || (i % 3), 't' || (i % 2), now() - interval '90 days'
  FROM generate_series(1, 20) AS i;
SELECT cs_service.refresh_rollups() AS first_refresh \gset
SQL

# writers: a random past day (1..30 days ago) of a random client
cat >"$work/write.sql" <<'SQL'
\set c random(1, 20)
\set d random(1, 30)
\set s random(0, 10)
\set k random(1, 4)
BEGIN;
INSERT INTO cs_service.surveys (client_id, answered_at, kind, score)
VALUES ('c' || :c, date_trunc('day', now()) - :d * interval '1 day' + interval '11 hours', 'nps', :s);
INSERT INTO cs_service.activities (manager, client_id, kind, at, report_sent_at)
VALUES ('m1', 'c' || :c, 'meeting', date_trunc('day', now()) - :d * interval '1 day' + interval '10 hours',
        date_trunc('day', now()) - :d * interval '1 day' + interval '10 hours' + :k * interval '1 hour');
WITH r AS (INSERT INTO cs_service.requests (opened_at, channel, client)
           VALUES (date_trunc('day', now()) - :d * interval '1 day' + interval '9 hours', 'email', 'c' || :c)
           RETURNING id)
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT r.id, date_trunc('day', now()) - :d * interval '1 day' + interval '9 hours' + :k * interval '25 minutes', 'agent_reply' FROM r;
UPDATE cs_service.surveys SET score = (score + 3) % 11
 WHERE survey_id = (SELECT max(survey_id) FROM cs_service.surveys WHERE client_id = 'c' || ((:c % 20) + 1));
DELETE FROM cs_service.activities
 WHERE activity_id = (SELECT min(activity_id) FROM cs_service.activities WHERE client_id = 'c' || :c AND :k = 1);
COMMIT;
SQL
echo 'SELECT cs_service.refresh_rollups();' >"$work/refresh.sql"

pgbench -n -T 10 -c 6 -j 2 -f "$work/write.sql@3" -f "$work/refresh.sql@1" "$db" >"$work/pgbench.out" 2>&1 || {
	echo "not ok - pgbench failed"
	cat "$work/pgbench.out"
	exit 1
}
tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/pgbench.out")
failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/pgbench.out")
if [ "${failed:-0}" != 0 ] || [ -z "$tx" ] || [ "$tx" -lt 20 ]; then
	echo "not ok - $tx transactions, $failed failed"
	cat "$work/pgbench.out"
	exit 1
fi
echo "ok - $tx concurrent writes and refreshes from 6 clients, none failed"

psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'SELECT cs_service.refresh_rollups()' >/dev/null
diff=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
CREATE TEMP TABLE a AS
SELECT month, client_id, cs_service.nps(nps) AS nps, cs_service.responses(nps) AS answers,
       cs_service.sla_total(sla) AS sla_total, cs_service.sla_met(sla) AS sla_met, activities,
       rhythm_due, rhythm_on_time, rhythm_pending
  FROM cs_service_internal.scorecard_monthly;
CREATE TEMP TABLE b AS
SELECT month, client_id, cs_service.nps(nps) AS nps, cs_service.responses(nps) AS answers,
       cs_service.sla_total(sla) AS sla_total, cs_service.sla_met(sla) AS sla_met, activities,
       rhythm_due, rhythm_on_time, rhythm_pending
  FROM cs_service_internal.scorecard_monthly_raw;
SELECT (SELECT count(*) FROM a) || ' ' ||
       (SELECT count(*) FROM ((TABLE a EXCEPT ALL TABLE b) UNION ALL (TABLE b EXCEPT ALL TABLE a)) AS d);
SQL
)
rows=${diff% *}
bad=${diff#* }
if [ "$bad" != 0 ] || [ "$rows" -lt 1 ]; then
	echo "not ok - after the last refresh, $bad of the $rows client-months differ from the raw computation"
	exit 1
fi
echo "ok - after the last refresh the rollups equal the raw rows ($rows client-months)"
left=$(psql -X -At -d "$db" -c "SELECT count(*) FROM cs_service_internal.rollup_queue WHERE day < timezone('Europe/Moscow', now())::date")
if [ "$left" != 0 ]; then
	echo "not ok - $left past days left in the queue"
	exit 1
fi
echo "ok - no past day left in the queue"
