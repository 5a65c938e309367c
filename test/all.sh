#!/bin/bash
# test/all.sh: THE test command. Run as root from the project root on Debian 12:
#     bash test/all.sh
# Installs what is missing (apt-get), builds with warnings as errors, runs the C unit tests,
# fuzzes each libFuzzer target for FUZZ_SECONDS (default 60), installs the extension, then runs
# in one throwaway cluster (pg_virtualenv): pg_regress, the pgTAP suites and the integration
# scripts; then, where Citus is installed, test/citus/run.sh (the aggregates on a three-server
# Citus cluster) and test/citus/model.sh (the demo agency distributed, every view against one
# node); both skipped elsewhere, CI included. Ends with a summary; exits non-zero if anything failed.
#
# Environment: FUZZ_SECONDS (default 60; 0 skips fuzzing), CS_INSTALL_LOCK (lock file taken
# around install + cluster tests; empty disables it).

source "$(dirname "$0")/lib/common.sh"
cd "$CS_ROOT" || exit 1
cs_init

finish() { cs_summary "cs_service tests"; exit $?; }

cs_setup_packages || finish

cs_stage build "Build (make WERROR=1)" show cs_build WERROR=1 || finish
cs_stage format "C format (make format-check)" quiet make --no-print-directory format-check || true

cs_detail_unit() { grep -E '^unit tests:' "$1" | tail -n 1; }
cs_stage unit "C unit tests (make unittest)" show timeout 300 make --no-print-directory unittest

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
cs_detail_fuzz() {
	local summary
	summary=$(grep -m1 -E '^SUMMARY: ' "$1" | sed 's/^SUMMARY: //; s/UndefinedBehaviorSanitizer: undefined-behavior/UBSan/; s/AddressSanitizer/ASan/; s/ in *$//' | cut -c1-70)
	if [ -n "$summary" ]; then
		echo "$summary; input: $(grep -m1 -o 'Test unit written to .*' "$1" | sed 's/.* to //')"
	else
		sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s, no crash/p' "$1" | tail -n 1
	fi
}
# one stage per libFuzzer target (test/fuzz/fuzz_<name>.c), FUZZ_SECONDS each
for src in test/fuzz/fuzz_*.c; do
	[ -f "$src" ] || continue
	name=$(basename "$src" .c)
	name=${name#fuzz_}
	if [ "$FUZZ_SECONDS" -le 0 ]; then
		cs_skip "Fuzz $name (libFuzzer)" "FUZZ_SECONDS=$FUZZ_SECONDS"
	else
		cs_stage "fuzz-$name" "Fuzz $name (${FUZZ_SECONDS} s)" quiet \
			timeout $((FUZZ_SECONDS + 240)) make --no-print-directory "fuzz-$name" FUZZ_SECONDS="$FUZZ_SECONDS"
	fi
done

# From here on the system PostgreSQL is ours until the cluster is gone.
cs_stage lock "Install lock" quiet cs_lock || finish
if cs_stage install "Install (make install)" quiet cs_make install; then
	# pg_regress, pgTAP and integration scripts record their own stages from inside the cluster
	start=$SECONDS
	printf '\n==> Throwaway cluster (pg_virtualenv %s)\n' "${CS_VIRTUALENV_OPTS[*]}"
	timeout -k 30 720 pg_virtualenv "${CS_VIRTUALENV_OPTS[@]}" bash test/lib/cluster-tests.sh </dev/null
	rc=$?
	[ $rc -eq 0 ] && st=PASS || st=FAIL
	cs_record "Cluster total (create, tests, drop)" $st $((SECONDS - start)) \
		"$([ $rc -eq 124 ] && echo 'timed out' || echo "exit $rc")"
	# the aggregates on a Citus cluster of three local servers; skipped where Citus is missing
	# (always in CI: Citus is not in Debian's registry)
	source test/citus/cluster.sh
	if citus_available; then
		cs_detail_citus() { tail -n 1 "$1" | sed 's/^test\/citus\/run.sh: //'; }
		cs_stage citus "Citus cluster (test/citus/run.sh)" quiet timeout -k 30 600 bash test/citus/run.sh
		cs_detail_citus_model() { tail -n 1 "$1" | sed 's/^test\/citus\/model.sh: //'; }
		cs_stage citus_model "Citus model (test/citus/model.sh)" quiet timeout -k 30 1200 bash test/citus/model.sh
	else
		cs_skip "Citus cluster (test/citus/run.sh)" "Citus is not installed; it is not in Debian's registry (doc/citus.md)"
		cs_skip "Citus model (test/citus/model.sh)" "Citus is not installed; it is not in Debian's registry (doc/citus.md)"
	fi
fi
cs_unlock

finish
