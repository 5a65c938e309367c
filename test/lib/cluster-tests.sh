#!/bin/bash
# test/lib/cluster-tests.sh: the tests that need a server. test/all.sh runs it inside
# pg_virtualenv, which exports PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE for the
# throwaway cluster. Records its stages in $CS_RESULTS; exits non-zero if any failed.

source "$(dirname "$0")/common.sh"
cd "$CS_ROOT" || exit 1
cs_init
failed=0

# ---- pg_regress: sql/*.sql against expected/*.out ------------------------------------------
cs_regress() {
	rm -f regression.diffs regression.out
	if ! make --no-print-directory installcheck; then
		if [ -f regression.diffs ]; then
			echo "---- regression.diffs ----"
			cat regression.diffs
		fi
		return 1
	fi
}
cs_detail_regress() {
	grep -E 'tests? (passed|failed)|failed \(ignored\)' "$1" | tr -s ' ' | sed 's/^ //; s/ $//' | tail -n 1
}
cs_stage regress "pg_regress (make installcheck)" show cs_regress || failed=1

# ---- pgTAP suites -------------------------------------------------------------------------
shopt -s nullglob
suites=(test/pgtap/*.sql)
cs_detail_pgtap() {
	local files tests
	files=$(sed -n 's/^Files=\([0-9]*\), Tests=\([0-9]*\).*/\1 suites, \2 tests/p' "$1" | tail -n 1)
	echo "${files:-see log}, $(grep -E '^Result:' "$1" | tail -n 1)"
}
if [ ${#suites[@]} -eq 0 ]; then
	cs_skip "pgTAP suites (pg_prove)" "no test/pgtap/*.sql"
else
	cs_stage pgtap "pgTAP suites (pg_prove, ${#suites[@]} files)" show \
		pg_prove --nocolor --failures --comments --timer "${suites[@]}" || failed=1
fi

# ---- integration scripts: any executable test/integration/*.sh ------------------------------
cs_detail_integration() {	# TAP-style "ok"/"not ok" lines, if the script prints them
	local ok notok
	ok=$(grep -c '^ok' "$1") notok=$(grep -c '^not ok' "$1")
	[ $((ok + notok)) -gt 0 ] && echo "$ok ok, $notok not ok"
}
ran=0
if [ -n "${CS_SKIP_INTEGRATION:-}" ]; then
	cs_skip "Integration scripts" "CS_SKIP_INTEGRATION is set (test/quick.sh)"
	exit $failed
fi
for script in test/integration/*.sh; do
	[ -x "$script" ] || { echo "note: $script is not executable, not run"; continue; }
	ran=1
	name=$(basename "$script" .sh)
	cs_stage "integration-$name" "Integration: $name" show timeout 300 "$script" || failed=1
done
[ $ran -eq 1 ] || cs_skip "Integration scripts" "no executable test/integration/*.sh"

exit $failed
