#!/bin/bash
# pg_cron runs cs_service.check_sla() every minute; the scheduled job records a breach and its
# NOTIFY reaches a listener.  pg_cron also runs cs_service.refresh_rollups() (the README's line)
# and the scorecard's rollups pick up a past day.  Needs a cluster with pg_cron preloaded
# (shared_preload_libraries=pg_cron, cron.database_name=postgres) in the PG* environment;
# test/all.sh runs it inside pg_virtualenv.
#
# pg_cron's scheduler connects to localhost over TCP as the job's owner; a throwaway cluster
# made by pg_virtualenv asks for a password there, so for the length of the test the cluster
# trusts local TCP connections (its pg_hba.conf is restored on exit).
set -euo pipefail

db=cs_sla_cron_$$
listen_out=$(mktemp)
hba=$(psql -X -At -d postgres -c "SHOW hba_file")
hba_backup=$(mktemp)
created_cron=no
listener=

cleanup() {
	set +e
	[ -n "$listener" ] && kill "$listener" 2>/dev/null
	psql -X -q -d postgres -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE database = '$db'" >/dev/null 2>&1
	if [ -s "$hba_backup" ]; then
		cat "$hba_backup" >"$hba"
		psql -X -q -d postgres -c "SELECT pg_reload_conf()" >/dev/null
	fi
	sleep 1
	dropdb --if-exists --force "$db" >/dev/null 2>&1
	[ "$created_cron" = yes ] && psql -X -q -d postgres -c "DROP EXTENSION pg_cron" >/dev/null 2>&1
	rm -f "$listen_out" "$hba_backup"
}
trap cleanup EXIT

if [ "$(psql -X -At -d postgres -c "SHOW shared_preload_libraries")" != "pg_cron" ] &&
	! psql -X -At -d postgres -c "SHOW shared_preload_libraries" | grep -q pg_cron; then
	echo "not ok - pg_cron is not preloaded (shared_preload_libraries=pg_cron)"
	exit 1
fi

cp "$hba" "$hba_backup"
{ printf 'host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n'; cat "$hba_backup"; } >"$hba"
psql -X -q -d postgres -c "SELECT pg_reload_conf()" >/dev/null

if [ "$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'")" = 0 ]; then
	psql -X -q -d postgres -c "CREATE EXTENSION pg_cron"
	created_cron=yes
fi

createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
CREATE EXTENSION cs_service;
INSERT INTO cs_service.sla_policies (name) VALUES ('chat-24x7');
INSERT INTO cs_service.sla_targets (policy, metric, target)
VALUES ('chat-24x7', 'first_response', '1 minute');
INSERT INTO cs_service.sla_policy_rules (policy) VALUES ('chat-24x7');
-- opened two minutes ago, no reply: its first response is breached
INSERT INTO cs_service.requests (id, opened_at, channel) VALUES (1, now() - interval '2 minutes', 'chat');
-- answered in time: nothing to record
INSERT INTO cs_service.requests (id, opened_at, channel) VALUES (2, now() - interval '2 minutes', 'chat');
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (2, now() - interval '90 seconds', 'agent_reply');
-- a client with an NPS answer three days ago, for the rollups
INSERT INTO cs_service.clients (client_id, name, signed_at) VALUES ('c1', 'Client', now() - interval '30 days');
INSERT INTO cs_service.surveys (client_id, answered_at, kind, score) VALUES ('c1', now() - interval '3 days', 'nps', 10);
SQL

# a listener on the documented channel, printing what it received after every second
( for i in $(seq 1 200); do echo "SELECT pg_sleep(1);"; done | psql -X -q -d "$db" -c "LISTEN cs_service_sla" -f - >"$listen_out" 2>&1 ) &
listener=$!

# The README's pg_cron line, with the job run in the test database.
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c \
	"SELECT cron.schedule_in_database('$db', '* * * * *', 'SELECT cs_service.check_sla()', '$db')" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c \
	"SELECT cron.schedule_in_database('$db-rollups', '* * * * *', 'SELECT cs_service.refresh_rollups()', '$db')" >/dev/null
echo "# scheduled check_sla and refresh_rollups every minute; waiting for the scheduler"

found=0
for i in $(seq 1 75); do
	sleep 2
	n=$(psql -X -At -d "$db" -c "SELECT count(*) FROM cs_service.sla_alerts WHERE kind = 'breach'")
	if [ "$n" -ge 1 ]; then
		found=1
		break
	fi
done
if [ $found -ne 1 ]; then
	echo "not ok - no breach recorded by the scheduled job within 150 s"
	psql -X -d postgres -c "SELECT status, return_message, start_time FROM cron.job_run_details ORDER BY runid DESC LIMIT 5"
	exit 1
fi
echo "ok - the scheduled job recorded a breach"

row=$(psql -X -At -d "$db" -c "SELECT request_id || ' ' || metric || ' ' || kind FROM cs_service.sla_alerts ORDER BY id")
if [ "$row" != "1 first_response breach" ]; then
	echo "not ok - expected exactly request 1's first-response breach, got: $row"
	exit 1
fi
echo "ok - exactly one alert: $row"

status=$(psql -X -At -d postgres -c "SELECT status || ': ' || return_message FROM cron.job_run_details JOIN cron.job USING (jobid) WHERE jobname = '$db' AND status <> 'running' ORDER BY runid LIMIT 1")
case "$status" in
	succeeded*) echo "ok - pg_cron reports the run as $status" ;;
	*) echo "not ok - pg_cron run status: $status"; exit 1 ;;
esac

again=$(psql -X -At -d "$db" -c "SELECT cs_service.check_sla()")
if [ "$again" != 0 ]; then
	echo "not ok - a second check recorded $again more alerts"
	exit 1
fi
echo "ok - a second check records nothing new"

for i in $(seq 1 10); do
	grep -q 'cs_service_sla' "$listen_out" && break
	sleep 1
done
if ! grep -q 'Asynchronous notification "cs_service_sla" with payload "{.*"request_id" : 1.*"kind" : "breach"' "$listen_out"; then
	echo "not ok - no NOTIFY on channel cs_service_sla reached the listener"
	cat "$listen_out"
	exit 1
fi
echo "ok - the listener received: $(grep -o 'payload "[^"]*\("[^"]*"[^"]*\)*"' "$listen_out" | head -1 | cut -c1-160)"

for i in $(seq 1 30); do
	[ "$(psql -X -At -d "$db" -c "SELECT watermark IS NOT NULL FROM cs_service_internal.rollup_state")" = t ] && break
	sleep 1
done
rolled=$(psql -X -At -d "$db" -c "SELECT count(*) || ' ' || coalesce(max(cs_service.nps(nps))::text, '-') FROM cs_service_internal.rollup_daily WHERE client_id = 'c1'")
if [ "$rolled" != "1 100" ]; then
	echo "not ok - the scheduled refresh_rollups did not roll up the past day (got '$rolled')"
	psql -X -d postgres -c "SELECT command, status, return_message FROM cron.job_run_details ORDER BY runid DESC LIMIT 5"
	exit 1
fi
echo "ok - the scheduled refresh_rollups rolled up the past day (NPS 100 in rollup_daily)"
