#!/bin/bash
# Named calendars survive pg_dump and restore (cs_service.calendars is an extension
# configuration table), and calendars stored in user tables come back equal.
# Runs against the cluster in the PG* environment (test/all.sh runs it inside pg_virtualenv).
set -euo pipefail

src=cs_dump_src_$$
dst=cs_dump_dst_$$
dump=$(mktemp)
trap 'rm -f "$dump"; dropdb --if-exists "$src" >/dev/null 2>&1 || true; dropdb --if-exists "$dst" >/dev/null 2>&1 || true' EXIT

createdb "$src"
createdb "$dst"
psql -X -q -v ON_ERROR_STOP=1 -d "$src" <<'SQL'
CREATE EXTENSION cs_service;
INSERT INTO cs_service.calendars (name, calendar, description) VALUES
  ('ru-office', 'Europe/Moscow; mon-fri 09:00-18:00; 2026-01-01..2026-01-08 off; 2026-12-31 09:00-17:00', 'Moscow'),
  ('night', 'America/New_York; mon-sun 22:00-06:00', NULL);
CREATE TABLE tickets (id int PRIMARY KEY, cal cs_service.business_calendar);
INSERT INTO tickets VALUES (1, cs_service.calendar('ru-office')), (2, 'Asia/Kolkata; mon-fri 09:30-18:30');
SQL
pg_dump -d "$src" -Fc -f "$dump"
pg_restore -d "$dst" "$dump"

expect=$(psql -X -At -d "$src" -c "SELECT string_agg(name || '=' || calendar::text, ' | ' ORDER BY name) FROM cs_service.calendars")
got=$(psql -X -At -d "$dst" -c "SELECT string_agg(name || '=' || calendar::text, ' | ' ORDER BY name) FROM cs_service.calendars")
if [ "$expect" != "$got" ] || [ -z "$got" ]; then
	echo "not ok - named calendars after restore: expected '$expect', got '$got'"
	exit 1
fi
echo "ok - named calendars survive pg_dump and restore ($got)"

same=$(psql -X -At -d "$dst" -c "SELECT bool_and(t.cal OPERATOR(cs_service.=) c.calendar) FROM tickets t JOIN cs_service.calendars c ON c.name = 'ru-office' WHERE t.id = 1")
if [ "$same" != "t" ]; then
	echo "not ok - a stored calendar differs after restore"
	exit 1
fi
echo "ok - stored calendars are equal after restore"
