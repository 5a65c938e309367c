#!/bin/bash
# test/demo.sh: THE main job. Run as root from the project root on Debian 12:
#     bash test/demo.sh
# Installs what is missing, builds and installs the extension, then in a throwaway cluster
# (pg_virtualenv) generates a realistic agency with test/demo/agency.sql (7 teams x 6 managers,
# 120 clients over the 12 months to October 2026, about 9,240 manager activities a month,
# 100,000 requests with 1,000,000 events, surveys, projects, deliverables, complaints) and prints
# the agency scorecard with test/demo/scorecard.sql: per team and manager, the clients at the
# bottom, retention and early churn, delivery, quality, rhythm, complaint patterns, the QA
# sample and the clients at risk. Seeded: the numbers are the same on every run. Then it writes
# one client's and one team's monthly report (client_report, team_report; en and ru) as HTML
# files to /tmp/cs_service-demo/ (CS_DEMO_OUT) and prints their paths.

source "$(dirname "$0")/lib/common.sh"
cd "$CS_ROOT" || exit 1

if [ "${1:-}" = --in-cluster ]; then
	printf 'generating the agency (test/demo/agency.sql, scale 1) ... '
	start=$SECONDS
	psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION cs_service' >/dev/null &&
		psql -X -q -v ON_ERROR_STOP=1 -v scale=1 -f test/demo/agency.sql >/dev/null || exit 1
	echo "done in $((SECONDS - start)) s"
	psql -X -q -v ON_ERROR_STOP=1 -f test/demo/scorecard.sql || exit 1
	# the client-ready pages: one client's and one team's October, in English and Russian
	out=${CS_DEMO_OUT:-/tmp/cs_service-demo}
	mkdir -p "$out" || exit 1
	echo
	echo "The monthly reports (cs_service.client_report, cs_service.team_report; open them in a browser, print to A4):"
	for lang in en ru; do
		echo "SELECT cs_service.client_report('c043', '2026-10-01', :'lang')" |
			psql -X -q -At -v ON_ERROR_STOP=1 -v lang=$lang >"$out/client-report-$lang.html" || exit 1
		echo "SELECT cs_service.team_report('team-1', '2026-10-01', :'lang')" |
			psql -X -q -At -v ON_ERROR_STOP=1 -v lang=$lang >"$out/team-report-$lang.html" || exit 1
		echo "    $out/client-report-$lang.html"
		echo "    $out/team-report-$lang.html"
	done
	exit 0
fi

cs_init
fail() { echo; cs_summary "cs_service demo FAILED" >&2; exit 1; }

cs_setup_packages || fail
cs_stage build "Build (make)" quiet cs_build || fail
cs_stage lock "Install lock" quiet cs_lock || fail
cs_stage install "Install (make install)" quiet cs_make install || fail

printf '\n==> The agency scorecard (throwaway cluster; test/demo/agency.sql, test/demo/scorecard.sql)\n'
start=$SECONDS
timeout -k 30 300 pg_virtualenv -t bash test/demo.sh --in-cluster </dev/null
rc=$?
cs_unlock
[ $rc -eq 0 ] || { cs_record "Report" FAIL $((SECONDS - start)) "exit $rc"; fail; }
printf '\ndemo finished in %d s\n' $((SECONDS - CS_T0))
