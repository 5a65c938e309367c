# test/lib/common.sh: shared by test/all.sh, test/demo.sh and test/lib/cluster-tests.sh.
# Sourced, never run. Provides: package setup, timed stages with a results file, the install
# lock, and the final summary.

set -uo pipefail   # no -e: every stage reports its own status

# Reproducible runs: one locale for the throwaway cluster and the tools, whatever the caller has.
export LC_ALL=C.UTF-8 LANG=C.UTF-8
export DEBIAN_FRONTEND=noninteractive

CS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CS_PG_VERSION=15
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/$CS_PG_VERSION/bin/pg_config}

# Debian 12 packages the harness needs. postgresql-server-dev-15 brings clang-14 and llvm-14-dev
# (for the server's bitcode); libclang-rt-14-dev carries libFuzzer and the sanitizer runtimes;
# clang-format (version 14 on Debian 12) checks the C formatting (make format-check); chromium
# and python3 render and check the HTML reports (test/integration/report_render.sh, test/demo.sh).
CS_PACKAGES=(
	postgresql-$CS_PG_VERSION postgresql-server-dev-$CS_PG_VERSION postgresql-common
	postgresql-$CS_PG_VERSION-pgtap postgresql-$CS_PG_VERSION-cron
	libtap-parser-sourcehandler-pgtap-perl
	make gcc libc6-dev clang libclang-rt-14-dev clang-format
	chromium python3
)

# make install writes into the system PostgreSQL; runs on one machine take turns through this lock.
CS_INSTALL_LOCK=${CS_INSTALL_LOCK-/tmp/cs_service-install.lock}

# Options for the one throwaway cluster: pg_cron preloaded (for pg_cron integration tests),
# UTC as the server's default time zone, -t so a root run keeps the cluster in a temp directory
# and never collides with another cluster named "regress".
CS_VIRTUALENV_OPTS=(-t -o shared_preload_libraries=pg_cron -o cron.database_name=postgres
	-o timezone=UTC)

# ---- stages -------------------------------------------------------------------------------
# Every stage appends one line "title<TAB>PASS|FAIL|SKIP<TAB>seconds<TAB>detail" to $CS_RESULTS
# and keeps its full output in $CS_LOGDIR/<key>.log. The files are shared with the child process
# that runs inside the cluster.

cs_init() {
	if [ -z "${CS_RESULTS:-}" ]; then
		CS_LOGDIR=$(mktemp -d -t cs_service-test.XXXXXX)
		CS_RESULTS=$CS_LOGDIR/results.tsv
		: >"$CS_RESULTS"
		export CS_LOGDIR CS_RESULTS
		CS_T0=$SECONDS
	fi
}

cs_record() {	# cs_record TITLE STATUS SECONDS DETAIL
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$CS_RESULTS"
}

cs_skip() {	# cs_skip TITLE REASON
	printf '\n==> %s: skipped (%s)\n' "$1" "$2"
	cs_record "$1" SKIP 0 "$2"
}

# cs_stage KEY TITLE MODE COMMAND...
#   MODE show:  output goes to the terminal and the log
#        quiet: output goes to the log only; its last lines are printed if the stage fails
# The detail column comes from cs_detail_KEY LOGFILE (KEY up to its first '-') if it exists.
cs_stage() {
	local key=$1 title=$2 mode=$3 log rc start status detail=""
	shift 3
	log=$CS_LOGDIR/$key.log
	start=$SECONDS
	if [ "$mode" = show ]; then
		printf '\n==> %s\n' "$title"
		"$@" </dev/null 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
	else
		printf '\n==> %s ... ' "$title"
		"$@" </dev/null >"$log" 2>&1
		rc=$?
		if [ $rc -eq 0 ]; then
			echo "ok ($((SECONDS - start)) s)"
		else
			echo "FAILED (exit $rc); last lines of $log:"
			tail -n 60 "$log" | sed 's/^/    /'
		fi
	fi
	if declare -F "cs_detail_${key%%-*}" >/dev/null; then	# integration-x uses cs_detail_integration
		detail=$("cs_detail_${key%%-*}" "$log" 2>/dev/null | head -n 1)
	fi
	[ $rc -eq 0 ] && status=PASS || status=FAIL
	cs_record "$title" "$status" $((SECONDS - start)) "$detail"
	return $rc
}

cs_summary() {	# cs_summary HEADLINE; returns 1 if any stage failed
	local title status secs detail failed=0
	printf '\n==================== %s ====================\n' "$1"
	printf '%-44s %-6s %6s  %s\n' STAGE RESULT SECONDS DETAIL
	while IFS=$'\t' read -r title status secs detail; do
		printf '%-44s %-6s %6s  %s\n' "$title" "$status" "$secs" "$detail"
		[ "$status" = FAIL ] && failed=1
	done <"$CS_RESULTS"
	if [ $failed -eq 0 ]; then
		printf 'ALL PASSED in %d s (logs: %s)\n' $((SECONDS - CS_T0)) "$CS_LOGDIR"
	else
		printf 'FAILED after %d s (logs: %s)\n' $((SECONDS - CS_T0)) "$CS_LOGDIR"
	fi
	return $failed
}

# ---- packages -----------------------------------------------------------------------------

cs_missing_packages() {
	local p
	for p in "${CS_PACKAGES[@]}"; do
		[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || echo "$p"
	done
}

cs_install_packages() {
	local missing
	missing=$(cs_missing_packages | tr '\n' ' ')
	if [ -z "$missing" ]; then
		echo "all ${#CS_PACKAGES[@]} packages already installed"
		return 0
	fi
	echo "missing: $missing"
	if [ "$(id -u)" != 0 ]; then
		echo "not root: install them first (apt-get install $missing), or run as root" >&2
		return 1
	fi
	apt-get update -q &&
		apt-get install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 $missing &&
		echo "installed $(wc -w <<<"$missing") packages: $missing"
}

cs_detail_packages() {
	grep -Eo '^(all [0-9]+ packages already installed|installed [0-9]+ packages)' "$1" ||
		grep -E '^missing: ' "$1" | cut -c1-70
}

cs_setup_packages() {	# the first stage of both commands
	cs_stage packages "Packages (apt-get)" quiet cs_install_packages
}

# ---- the install lock ---------------------------------------------------------------------
# Held from make install until the throwaway cluster is gone. If the caller already holds it
# (flock LOCK -c 'bash test/all.sh'), the descriptor is inherited: take it as held.

cs_lock_held_by_caller() {
	local fd
	for fd in /proc/$$/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "$CS_INSTALL_LOCK" ] && return 0
	done
	return 1
}

cs_lock() {
	[ -n "$CS_INSTALL_LOCK" ] || return 0
	command -v flock >/dev/null || return 0
	if cs_lock_held_by_caller; then
		echo "$CS_INSTALL_LOCK: held by the caller"
		return 0
	fi
	exec {CS_LOCK_FD}>>"$CS_INSTALL_LOCK"
	if ! flock -n "$CS_LOCK_FD"; then
		echo "waiting for $CS_INSTALL_LOCK (another run is installing/testing cs_service) ..."
		flock -w "${CS_LOCK_WAIT:-900}" "$CS_LOCK_FD" || { echo "gave up waiting for the lock" >&2; return 1; }
	fi
	echo "$CS_INSTALL_LOCK: acquired"
}
cs_detail_lock() { tail -n 1 "$1"; }

cs_unlock() {
	if [ -n "${CS_LOCK_FD:-}" ]; then
		flock -u "$CS_LOCK_FD"
		exec {CS_LOCK_FD}>&-
		CS_LOCK_FD=
	fi
}

# ---- build --------------------------------------------------------------------------------

cs_make() { make -C "$CS_ROOT" --no-print-directory PG_CONFIG="$PG_CONFIG" "$@"; }

# sql/ holds the built install script; a checkout without regression tests has no sql/ yet.
cs_detail_build() { echo "$(grep -c 'warning:' "$1") warnings"; }
cs_build() { mkdir -p "$CS_ROOT/sql" && cs_make clean >/dev/null && cs_make -j"$(nproc)" "$@"; }
