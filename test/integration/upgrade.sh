#!/bin/bash
# The upgrade path: CREATE EXTENSION cs_service VERSION '0.1.0' then ALTER EXTENSION UPDATE gives
# the same extension as a fresh CREATE EXTENSION of the default version: the same member
# objects with the same definitions, and the same configuration rows.  Data written under
# 0.1.0 (a calendar, a policy, a request) survives the update and is visible to the new views.
# Runs against the cluster in the PG* environment (test/all.sh runs it inside pg_virtualenv).
set -euo pipefail

old=cs_upgrade_old_$$
new=cs_upgrade_new_$$
trap 'dropdb --if-exists "$old" >/dev/null 2>&1 || true; dropdb --if-exists "$new" >/dev/null 2>&1 || true' EXIT
createdb "$old"
createdb "$new"

psql -X -q -v ON_ERROR_STOP=1 -d "$old" <<'SQL'
CREATE EXTENSION cs_service VERSION '0.1.0';
INSERT INTO cs_service.calendars (name, calendar) VALUES ('office', 'Europe/Moscow; mon-fri 09:00-18:00');
INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES ('standard', 'office');
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES ('standard', 'first_response', '2 hours');
INSERT INTO cs_service.sla_policy_rules (policy) VALUES ('standard');
INSERT INTO cs_service.requests (id, opened_at, channel, client) VALUES (1, '2026-03-02 10:00+03', 'email', 'a');
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (1, '2026-03-02 11:00+03', 'agent_reply');
ALTER EXTENSION cs_service UPDATE;
SQL
psql -X -q -v ON_ERROR_STOP=1 -d "$new" -c 'CREATE EXTENSION cs_service'

# Every member object of the extension with its definition.
catalog() {
	psql -X -At -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
WITH members AS (
    SELECT d.classid, d.objid
      FROM pg_depend AS d
     WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
       AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'cs_service'))
SELECT pg_describe_object(m.classid, m.objid, 0) || ' :: ' ||
       coalesce(CASE m.classid
           WHEN 'pg_proc'::regclass THEN (SELECT CASE WHEN p.prokind = 'a' THEN p.prosrc ELSE pg_get_functiondef(p.oid) END FROM pg_proc AS p WHERE p.oid = m.objid)
           WHEN 'pg_class'::regclass THEN
               (SELECT c.relkind::text || ' ' || coalesce(pg_get_viewdef(c.oid), '') || ' ' ||
                       coalesce((SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                                                   || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                                                   || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), ''),
                                                   ', ' ORDER BY a.attnum)
                                   FROM pg_attribute AS a
                                   LEFT JOIN pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '') || ' ' ||
                       coalesce((SELECT string_agg(pg_get_constraintdef(k.oid), ', ' ORDER BY k.conname)
                                   FROM pg_constraint AS k WHERE k.conrelid = c.oid), '') || ' ' ||
                       coalesce((SELECT string_agg(pg_get_indexdef(i.indexrelid), ', ' ORDER BY pg_get_indexdef(i.indexrelid))
                                   FROM pg_index AS i WHERE i.indrelid = c.oid), '') || ' ' ||
                       coalesce((SELECT string_agg(pg_get_triggerdef(t.oid), ', ' ORDER BY t.tgname)
                                   FROM pg_trigger AS t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal), '') || ' ' ||
                       coalesce(c.relacl::text, '')
                  FROM pg_class AS c WHERE c.oid = m.objid)
           ELSE '' END, '')
  FROM members AS m
 ORDER BY 1;
SELECT 'weights ' || string_agg(factor || '=' || weight, ',' ORDER BY factor) FROM cs_service.quality_weights;
SELECT 'zone ' || zone FROM cs_service.report_settings;
SQL
}

a=$(mktemp)
b=$(mktemp)
trap 'rm -f "$a" "$b"; dropdb --if-exists "$old" >/dev/null 2>&1 || true; dropdb --if-exists "$new" >/dev/null 2>&1 || true' EXIT
catalog "$old" >"$a"
catalog "$new" >"$b"
n=$(grep -c . "$b")
if ! diff -u "$b" "$a" >/dev/null; then
	echo "not ok - 0.1.0 updated to the default version differs from a fresh install:"
	diff -u "$b" "$a" | head -60
	exit 1
fi
echo "ok - 0.1.0 -> $(psql -X -At -d "$old" -c "SELECT extversion FROM pg_extension WHERE extname = 'cs_service'") equals a fresh install ($n lines of member definitions and settings compared)"

got=$(psql -X -At -v ON_ERROR_STOP=1 -d "$old" -c "SELECT client_id || ' ' || sla_pct || ' ' || sla_total FROM (SELECT r.client_id, cs_service.sla_pct(r.sla), cs_service.sla_total(r.sla) FROM cs_service_internal.scorecard_daily_raw('-infinity', 'infinity') AS r) AS x (client_id, sla_pct, sla_total)")
if [ "$got" != "a 100 1" ]; then
	echo "not ok - a request written under 0.1.0 is not measured after the update (got '$got')"
	exit 1
fi
echo "ok - data written under 0.1.0 is measured by the 0.2.0 scorecard"
