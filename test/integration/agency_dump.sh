#!/bin/bash
# The agency model survives pg_dump and restore: its rows, the reporting zone and changed quality
# weights come back (the installed defaults are overwritten, not duplicated), the scorecard
# gives the same numbers, and a refresh after the restore rolls the restored days up.
# Runs against the cluster in the PG* environment (test/all.sh runs it inside pg_virtualenv).
set -euo pipefail

src=cs_agency_src_$$
dst=cs_agency_dst_$$
dump=$(mktemp)
trap 'rm -f "$dump"; dropdb --if-exists "$src" >/dev/null 2>&1 || true; dropdb --if-exists "$dst" >/dev/null 2>&1 || true' EXIT
createdb "$src"
createdb "$dst"

psql -X -q -v ON_ERROR_STOP=1 -d "$src" <<'SQL'
CREATE EXTENSION cs_service;
UPDATE cs_service.report_settings SET zone = 'Asia/Yekaterinburg';
UPDATE cs_service.quality_weights SET weight = 40 WHERE factor = 'nps';
INSERT INTO cs_service.clients (client_id, name, manager, team, signed_at) VALUES
    ('a', 'Alpha', 'ann', 'web', '2026-01-10 10:00+05'), ('b', 'Beta', 'bob', 'seo', '2026-02-01 10:00+05');
INSERT INTO cs_service.surveys (client_id, answered_at, kind, score) VALUES
    ('a', '2026-03-02 10:00+05', 'nps', 10), ('a', '2026-03-03 10:00+05', 'nps', 4), ('b', '2026-03-05 10:00+05', 'csat', 5);
INSERT INTO cs_service.projects (client_id, budget, spent, due_at, delivered_at) VALUES
    ('a', 100, 90, '2026-03-10 18:00+05', '2026-03-10 12:00+05');
INSERT INTO cs_service.activities (manager, client_id, kind, at) VALUES ('ann', 'a', 'call', '2026-03-04 11:00+05');
SELECT cs_service.refresh_rollups() AS refreshed \gset
SQL
pg_dump -d "$src" -Fc -f "$dump"
pg_restore -d "$dst" "$dump"

q="SELECT (SELECT zone FROM cs_service.report_settings) || ' | ' ||
          (SELECT string_agg(factor || '=' || weight, ',' ORDER BY factor) FROM cs_service.quality_weights) || ' | ' ||
          (SELECT string_agg(month || ' ' || client_id || ' ' || coalesce(round(service_score::numeric, 3)::text, '-'), ',' ORDER BY month, client_id)
             FROM cs_service.client_scorecard WHERE month < '2026-04-01')"
a=$(psql -X -At -v ON_ERROR_STOP=1 -d "$src" -c "$q")
b=$(psql -X -At -v ON_ERROR_STOP=1 -d "$dst" -c "$q")
if [ "$a" != "$b" ]; then
	echo "not ok - the restored agency differs:"
	echo "  source:   $a"
	echo "  restored: $b"
	exit 1
fi
echo "ok - zone, weights and scorecard are the same after pg_dump and restore"
n=$(psql -X -At -d "$dst" -c "SELECT count(*) FROM cs_service.quality_weights")
if [ "$n" != 10 ]; then
	echo "not ok - $n quality weights after the restore (the defaults must be overwritten, not added)"
	exit 1
fi
echo "ok - 10 quality weights after the restore"
psql -X -q -v ON_ERROR_STOP=1 -d "$dst" -c "SELECT cs_service.refresh_rollups()" >/dev/null
c=$(psql -X -At -v ON_ERROR_STOP=1 -d "$dst" -c "$q")
d=$(psql -X -At -d "$dst" -c "SELECT count(*) FROM cs_service_internal.rollup_daily")
if [ "$c" != "$a" ] || [ "$d" -lt 3 ]; then
	echo "not ok - after a refresh on the restored database: $d daily rows, scorecard '$c'"
	exit 1
fi
echo "ok - a refresh on the restored database rolls up its $d days and changes nothing"
