#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for the tests of the PostgreSQL bus.
#
#   eval "$(scripts/pg-test-cluster.sh start)"   # prints: export CHOREO_TEST_POSTGRES_URL=postgres://...
#   scripts/pg-test-cluster.sh stop              # stops the cluster and deletes its directory
#   scripts/pg-test-cluster.sh url               # prints the URL of the running cluster
#
# The cluster lives in $CHOREO_PG_DIR (default /tmp/choreo-pg-test-cluster): initdb into it,
# listen on 127.0.0.1 on a free port only (no Unix socket outside the directory), trust
# authentication for loopback, database `choreo`. As root, initdb and pg_ctl run as the
# `postgres` user (PostgreSQL refuses to run as root). PostgreSQL binaries come from
# $PG_BIN, else /usr/lib/postgresql/15/bin, else the PATH. Diagnostics go to stderr, so
# `eval "$(... start)"` only evaluates the export line.
set -euo pipefail

DIR="${CHOREO_PG_DIR:-/tmp/choreo-pg-test-cluster}"
DB=choreo

pg_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  if [ -x /usr/lib/postgresql/15/bin/initdb ]; then echo /usr/lib/postgresql/15/bin; return; fi
  local found; found="$(command -v initdb || true)"
  [ -n "$found" ] || { echo "pg-test-cluster: no initdb found; install postgresql-15 or set PG_BIN" >&2; exit 1; }
  dirname "$found"
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    if command -v runuser >/dev/null; then runuser -u postgres -- "$@"; else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $(( 20000 + RANDOM % 20000 ))
}

url() { echo "postgres://postgres@127.0.0.1:$(cat "$DIR/port")/$DB?sslmode=disable"; }

start() {
  local bin; bin="$(pg_bin)"
  if [ -f "$DIR/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
    echo "export CHOREO_TEST_POSTGRES_URL='$(url)'"
    return
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres "$DIR"
  as_owner "$bin/initdb" -D "$DIR/data" -U postgres --auth=trust --encoding=UTF8 --no-sync >"$DIR/initdb.log" 2>&1 \
    || { echo "pg-test-cluster: initdb failed:" >&2; tail -5 "$DIR/initdb.log" >&2; exit 1; }
  local port; port="$(free_port)"
  echo "$port" >"$DIR/port"
  # Loopback only, sockets in the cluster directory, fast and unsafe on purpose (a test cluster).
  as_owner "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=1000" \
    start >&2 || { echo "pg-test-cluster: pg_ctl start failed:" >&2; tail -20 "$DIR/server.log" >&2; exit 1; }
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DB" >&2
  echo "export CHOREO_TEST_POSTGRES_URL='$(url)'"
}

stop() {
  [ -d "$DIR/data" ] || return 0
  local bin; bin="$(pg_bin)"
  as_owner "$bin/pg_ctl" -D "$DIR/data" -m immediate -w stop >&2 2>&1 || true
  rm -rf "$DIR"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  url) [ -f "$DIR/port" ] && url ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
