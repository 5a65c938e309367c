#!/bin/bash
# test/demo.sh: THE main job. Run as root from the project root on Debian 12:
#     bash test/demo.sh
# Installs what is missing, builds and installs the extension, then in a throwaway cluster
# (pg_virtualenv) loads test/demo/sample.sql (a Moscow office calendar with the 2026 Russian
# holidays, 300 client requests over chat, e-mail and phone) and prints test/demo/report.sql:
# first-response times in business minutes and the share within each channel's target.
# The numbers are the same on every run.

source "$(dirname "$0")/lib/common.sh"
cd "$CS_ROOT" || exit 1

if [ "${1:-}" = --in-cluster ]; then
	psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION cs_service' -f test/demo/sample.sql &&
		psql -X -q -v ON_ERROR_STOP=1 -f test/demo/report.sql
	exit $?
fi

cs_init
fail() { echo; cs_summary "cs_service demo FAILED" >&2; exit 1; }

cs_setup_packages || fail
cs_stage build "Build (make)" quiet cs_build || fail
cs_stage lock "Install lock" quiet cs_lock || fail
cs_stage install "Install (make install)" quiet cs_make install || fail

printf '\n==> Report (throwaway cluster; test/demo/sample.sql, test/demo/report.sql)\n'
start=$SECONDS
timeout -k 30 300 pg_virtualenv -t bash test/demo.sh --in-cluster </dev/null
rc=$?
cs_unlock
[ $rc -eq 0 ] || { cs_record "Report" FAIL $((SECONDS - start)) "exit $rc"; fail; }
printf '\ndemo finished in %d s\n' $((SECONDS - CS_T0))
