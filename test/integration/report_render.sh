#!/bin/bash
# The reports render in a browser: demo-agency pages (test/demo/agency.sql, scale 1) of
# client_report() (en, ru, a hostile client name with no activity) and team_report() are opened
# in headless Chromium (Debian's chromium) and saved as PNG and PDF.  Fails on a console error,
# a <script> element in the parsed page, a chart that draws nothing, a blank screenshot, a PDF
# that is not one, or a printed number that differs from its view's value for that client and
# month.  Runs against the cluster in the PG* environment (test/all.sh runs it inside
# pg_virtualenv).  Without chromium it skips, except under CI=true, where test/all.sh has
# installed it and a missing browser is a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null || ! command -v python3 >/dev/null; then
	if [ "${CI:-}" = true ]; then
		echo "not ok - chromium or python3 is missing (CI=true: test/all.sh installs them)"
		exit 1
	fi
	echo "ok - skipped: chromium or python3 is not installed (apt-get install chromium python3)"
	exit 0
fi

db=cs_report_render_$$
out=$(mktemp -d -t cs_report_render.XXXXXX)
trap 'rm -rf "$out"; dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT
createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION cs_service' >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -v scale=1 -d "$db" -f test/demo/agency.sql >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL' >/dev/null
INSERT INTO cs_service.clients (client_id, name, manager, team, signed_at)
VALUES ('evil', '<script>alert(1)</script> & "Co"', 'mgr-1-1', 'team-1', '2026-09-01 10:00+03');
SELECT cs_service.refresh_rollups();
SQL
echo "# demo agency generated"

pages=("client c001 2026-10-01 en" "client c001 2026-10-01 ru" "client evil 2026-10-01 en" "team team-1 2026-10-01 en" "team team-1 2026-10-01 ru")
fail=0
for p in "${pages[@]}"; do
	read -r kind key month lang <<<"$p"
	name="$kind-$key-$lang"
	echo "SELECT cs_service.${kind}_report(:'key', :'month', :'lang')" |
		psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -v key="$key" -v month="$month" -v lang="$lang" >"$out/$name.html"
	chrome=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$out/profile"
		--enable-logging=stderr --v=0 --window-size=900,2600)
	"${chrome[@]}" --screenshot="$out/$name.png" "file://$out/$name.html" 2>"$out/$name.log" >/dev/null
	"${chrome[@]}" --print-to-pdf="$out/$name.pdf" --no-pdf-header-footer "file://$out/$name.html" 2>>"$out/$name.log" >/dev/null
	"${chrome[@]}" --dump-dom "file://$out/$name.html" 2>>"$out/$name.log" >"$out/$name.dom.html"
	# Chromium's own IPC chatter (mojo/..., e.g. a FrameWidgetHost message rejected while the
	# headless window closes) and D-Bus noise are the browser's, not the page's: left out.
	if grep -E 'CONSOLE|Uncaught|ERROR:.*(render|blink|css|svg)' "$out/$name.log" |
		grep -v -E 'dbus|bus.cc|object_proxy|:ERROR:mojo/' >"$out/$name.err"; then
		echo "not ok - $name: console errors:"
		sed 's/^/    /' "$out/$name.err"
		fail=1
	fi
	if [ "$(head -c 4 "$out/$name.pdf" 2>/dev/null)" != "%PDF" ]; then
		echo "not ok - $name.pdf is not a PDF"
		fail=1
	else
		pagesn=$(grep -a -c '/Type /Page$\|/Type /Page[^s]' "$out/$name.pdf" || true)
		echo "ok - $name.pdf: $(stat -c %s "$out/$name.pdf") bytes, $pagesn A4 pages"
	fi
	python3 test/lib/report_check.py "$out/$name.dom.html" "$out/$name.png" "$out/$name.tsv" || fail=1
	if [ "$key" = evil ] && ! grep -q '&lt;script&gt;alert(1)&lt;/script&gt; &amp; "Co"' "$out/$name.dom.html"; then
		echo "not ok - $name: the hostile name is not shown as text"
		fail=1
	fi
done

# the numbers the browser shows, against the views (client_scorecard, sla_compliance,
# delivery_adherence, team_scorecard, at_risk_clients_at) for that client or team and month
for p in "${pages[@]}"; do
	read -r kind key month lang <<<"$p"
	name="$kind-$key-$lang"
	result=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -v kind="$kind" -v key="$key" -v month="$month" <<SQL
CREATE TEMP TABLE shown (metric text, key text, value float8);
\copy shown FROM '$out/$name.tsv'
CREATE TEMP TABLE truth AS
SELECT 'client_scorecard.' || j.key AS metric,
       CASE WHEN :'kind' = 'team' THEN format('client=%s;month=%s', s.client_id, s.month) ELSE 'month=' || s.month END AS key,
       j.value::float8 AS value
  FROM cs_service.client_scorecard AS s CROSS JOIN LATERAL jsonb_each_text(to_jsonb(s) - 'month' - 'client_id' - 'client_name' - 'manager' - 'team') AS j
 WHERE (s.client_id = :'key' OR s.team = :'key') AND s.month <= :'month' AND j.value IS NOT NULL
UNION ALL
SELECT 'team_scorecard.' || j.key,
       CASE WHEN s.level = 'team' THEN 'month=' || s.month ELSE format('manager=%s;month=%s', s.manager, s.month) END, j.value::float8
  FROM cs_service.team_scorecard AS s CROSS JOIN LATERAL jsonb_each_text(to_jsonb(s) - 'level' - 'month' - 'team' - 'manager') AS j
 WHERE s.team = :'key' AND s.month <= :'month' AND j.value IS NOT NULL
UNION ALL
SELECT 'sla_compliance.' || v.k, format('channel=%s;metric=%s', coalesce(x.channel, ''), x.metric), v.v
  FROM (SELECT c.channel, c.metric, sum(c.requests) AS requests, sum(c.met) AS met, sum(c.pending) AS pending
          FROM cs_service.sla_compliance AS c WHERE c.grain = 'month' AND c.month = :'month' AND c.client = :'key' GROUP BY 1, 2) AS x
 CROSS JOIN LATERAL (VALUES ('requests', x.requests::float8), ('met', x.met::float8), ('pending', x.pending::float8),
                            ('sla_pct', 100.0 * x.met / nullif(x.requests, 0))) AS v (k, v)
UNION ALL
SELECT 'delivery_adherence.' || j.key, 'month=' || d.month, j.value::float8
  FROM cs_service.delivery_adherence AS d CROSS JOIN LATERAL jsonb_each_text(to_jsonb(d) - 'month' - 'client_id') AS j
 WHERE d.client_id = :'key' AND d.month = :'month' AND j.value IS NOT NULL
UNION ALL
SELECT 'at_risk_clients_at.risk_score', 'client=' || r.client_id, r.risk_score
  FROM cs_service.at_risk_clients_at(least(((:'month'::date + interval '1 month')::timestamp AT TIME ZONE cs_service.report_zone()) - interval '1 microsecond', now())) AS r
 WHERE r.team = :'key';
SELECT count(*) FILTER (WHERE t.value IS NOT NULL) || ' ' ||
       count(*) FILTER (WHERE t.value IS NOT NULL AND abs(s.value - t.value) > 1e-9 * greatest(1, abs(t.value))) || ' ' ||
       coalesce(string_agg(s.metric || ' ' || s.key || ' ' || s.value || ' <> ' || t.value, '; ')
                FILTER (WHERE abs(s.value - t.value) > 1e-9 * greatest(1, abs(t.value))), '')
  FROM shown AS s
  LEFT JOIN LATERAL (SELECT t.value FROM truth AS t WHERE t.metric = s.metric AND t.key = s.key LIMIT 1) AS t ON true
 WHERE s.metric ~ '^(client_scorecard|team_scorecard|sla_compliance|delivery_adherence|at_risk_clients_at)\.';
SQL
)
	read -r checked differ rest <<<"$result"
	if [ "$differ" != 0 ] || { [ "$key" != evil ] && [ "$checked" -lt 5 ]; }; then
		echo "not ok - $name: $checked numbers checked, $differ differ from the views: $rest"
		fail=1
	else
		echo "ok - $name: the $checked numbers shown from client_scorecard, team_scorecard, sla_compliance, delivery_adherence, at_risk_clients_at equal the views"
	fi
done
exit $fail
