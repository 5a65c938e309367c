#!/bin/bash
# test/quick.sh: the fast development loop (doc/contributing.md). Run as root from the project
# root once `bash test/all.sh` has installed the packages:
#     bash test/quick.sh
# Builds with warnings as errors, runs the C unit tests, installs the extension, then in one
# throwaway cluster (pg_virtualenv) runs pg_regress and the pgTAP suites. No apt-get, no fuzzing,
# no integration scripts (test/all.sh runs those). Ends with the same summary as test/all.sh.

source "$(dirname "$0")/lib/common.sh"
cd "$CS_ROOT" || exit 1
cs_init

finish() { cs_summary "cs_service quick tests"; exit $?; }

missing=$(cs_missing_packages | tr '\n' ' ')
if [ -n "$missing" ]; then
	echo "missing packages: $missing" >&2
	echo "run 'bash test/all.sh' once: it installs them (test/quick.sh installs nothing)" >&2
	exit 1
fi

cs_stage build "Build (make WERROR=1)" show cs_build WERROR=1 || finish
cs_detail_unit() { grep -E '^unit tests:' "$1" | tail -n 1; }
cs_stage unit "C unit tests (make unittest)" show timeout 300 make --no-print-directory unittest

cs_stage lock "Install lock" quiet cs_lock || finish
if cs_stage install "Install (make install)" quiet cs_make install; then
	start=$SECONDS
	printf '\n==> Throwaway cluster (pg_virtualenv %s)\n' "${CS_VIRTUALENV_OPTS[*]}"
	CS_SKIP_INTEGRATION=1 timeout -k 30 600 pg_virtualenv "${CS_VIRTUALENV_OPTS[@]}" \
		bash test/lib/cluster-tests.sh </dev/null
	rc=$?
	[ $rc -eq 0 ] && st=PASS || st=FAIL
	cs_record "Cluster total (create, tests, drop)" $st $((SECONDS - start)) \
		"$([ $rc -eq 124 ] && echo 'timed out' || echo "exit $rc")"
fi
cs_unlock

finish
