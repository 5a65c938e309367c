#!/bin/bash
# test/citus/cluster.sh: a throwaway Citus cluster on loopback for test/citus/run.sh and
# bench/citus.sh. Sourced, never run. Needs a PostgreSQL 15 with Citus installed
# (citus.so in its lib directory) and cs_service installed (make install).
#
#   citus_start          initdb and start a coordinator (port CITUS_PORT) and two workers
#                        (CITUS_PORT+1, +2) as user postgres, databases "dist" (the cluster)
#                        and "single" (a plain one-node database on the coordinator, for the
#                        comparisons); citus_add_node for both workers
#   citus_stop           stop the three servers and remove their directories
#   citus_available      true when Citus is installed next to this PostgreSQL
#   citus_require NAME   in a test script: exit 0 with a skip message without Citus, exit 1
#                        without cs_service installed
#
# Every server listens on 127.0.0.1 only, trusts local connections and is stopped by citus_stop,
# which the caller traps on EXIT.

CITUS_BIN=${CITUS_BIN:-/usr/lib/postgresql/15/bin}
CITUS_PORT=${CITUS_PORT:-5701}
CITUS_WORKERS=${CITUS_WORKERS:-2}
CITUS_DIR=

citus_available() {
	[ -f "$("$CITUS_BIN/pg_config" --pkglibdir)/citus.so" ]
}

citus_require() {	# citus_require SCRIPT: exit 0 (a skip) without Citus, 1 without cs_service
	if ! citus_available; then
		echo "$1: skipped: Citus is not installed in $("$CITUS_BIN/pg_config" --pkglibdir)" \
			"(it is not in Debian's registry; doc/citus.md says how to build it)"
		exit 0
	fi
	if [ ! -f "$("$CITUS_BIN/pg_config" --sharedir)/extension/cs_service.control" ]; then
		echo "$1: cs_service is not installed; run make install first" >&2
		exit 1
	fi
}

citus_as_postgres() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

citus_psql() {	# citus_psql PORT DB ARGS...
	local port=$1 db=$2
	shift 2
	psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"
}

citus_start() {
	local i port
	CITUS_DIR=$(mktemp -d -t cs_service-citus.XXXXXX)
	chmod 755 "$CITUS_DIR"
	chown postgres: "$CITUS_DIR" 2>/dev/null || true
	for ((i = 0; i <= CITUS_WORKERS; i++)); do
		port=$((CITUS_PORT + i))
		citus_as_postgres "$CITUS_BIN/initdb" -D "$CITUS_DIR/node$i" -U postgres -A trust \
			--locale=C.UTF-8 -E UTF8 >"$CITUS_DIR/initdb$i.log" 2>&1 || {
			cat "$CITUS_DIR/initdb$i.log" >&2
			return 1
		}
		cat >>"$CITUS_DIR/node$i/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$CITUS_DIR'
shared_preload_libraries = 'citus,cs_service'   # cs_service after citus: doc/citus.md
timezone = 'UTC'
max_connections = 200
shared_buffers = '256MB'
max_worker_processes = 16
citus.log_remote_commands = off
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
		citus_as_postgres "$CITUS_BIN/pg_ctl" -D "$CITUS_DIR/node$i" -l "$CITUS_DIR/node$i.log" \
			-w -t 60 start >/dev/null || {
			tail -n 20 "$CITUS_DIR/node$i.log" >&2
			return 1
		}
		citus_psql "$port" postgres -c 'CREATE DATABASE dist' || return 1
		citus_psql "$port" dist -c 'CREATE EXTENSION citus' || return 1
	done
	citus_psql "$CITUS_PORT" postgres -c 'CREATE DATABASE single' || return 1
	citus_psql "$CITUS_PORT" dist -c \
		"SELECT pg_catalog.citus_set_coordinator_host('127.0.0.1', $CITUS_PORT)" >/dev/null || return 1
	for ((i = 1; i <= CITUS_WORKERS; i++)); do
		citus_psql "$CITUS_PORT" dist -c \
			"SELECT pg_catalog.citus_add_node('127.0.0.1', $((CITUS_PORT + i)))" >/dev/null || return 1
	done
}

citus_stop() {
	local i
	[ -n "$CITUS_DIR" ] && [ -d "$CITUS_DIR" ] || return 0
	for ((i = 0; i <= CITUS_WORKERS; i++)); do
		[ -f "$CITUS_DIR/node$i/postmaster.pid" ] &&
			citus_as_postgres "$CITUS_BIN/pg_ctl" -D "$CITUS_DIR/node$i" -m fast -w stop >/dev/null 2>&1
	done
	rm -rf "$CITUS_DIR"
	CITUS_DIR=
}
