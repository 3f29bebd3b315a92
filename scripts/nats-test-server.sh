#!/usr/bin/env bash
# A throwaway NATS server with JetStream on 127.0.0.1 for the tests of the NATS bus.
#
#   eval "$(scripts/nats-test-server.sh start)"   # prints: export CHOREO_TEST_NATS_URL=nats://127.0.0.1:PORT
#   scripts/nats-test-server.sh stop              # stops the server and deletes its directory
#   scripts/nats-test-server.sh restart           # stops and starts it on the same port and store (restart tests)
#   scripts/nats-test-server.sh restart-empty     # the same with an empty store (the server lost its state)
#   scripts/nats-test-server.sh kill              # SIGKILLs the server (a crash); `restart` starts it again
#   scripts/nats-test-server.sh url               # prints the URL of the running server
#
# The server keeps its JetStream store (file storage) in $CHOREO_NATS_DIR (default
# /tmp/choreo-nats-test-server), listens on 127.0.0.1 on a free port only, and logs to
# server.log there. Diagnostics go to stderr, so `eval "$(... start)"` only evaluates the
# export line.
set -euo pipefail

DIR="${CHOREO_NATS_DIR:-/tmp/choreo-nats-test-server}"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $(( 20000 + RANDOM % 20000 ))
}

url() { echo "nats://127.0.0.1:$(cat "$DIR/port")"; }

running() { [ -f "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; }

# Starts nats-server on $DIR/port and waits until it accepts connections (30 s at most).
launch() {
  command -v nats-server >/dev/null || { echo "nats-test-server: nats-server is not installed (apt-get install nats-server)" >&2; exit 1; }
  local port; port="$(cat "$DIR/port")"
  # The server gets no descriptor of ours beyond 0-2: a caller that waits for this script to
  # end by watching a pipe or socket it passed us would otherwise wait for the server too.
  (
    for fd in /proc/"$BASHPID"/fd/*; do
      fd="${fd##*/}"
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec nats-server -js -a 127.0.0.1 -p "$port" -sd "$DIR/store"
  ) </dev/null >>"$DIR/server.log" 2>&1 &
  echo $! >"$DIR/pid"
  for _ in $(seq 1 300); do
    if ! running; then echo "nats-test-server: nats-server exited:" >&2; tail -20 "$DIR/server.log" >&2; exit 1; fi
    if grep -qs "Server is ready" "$DIR/server.log" && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nats-test-server: not ready within 30 s:" >&2; tail -20 "$DIR/server.log" >&2; exit 1
}

start() {
  if running; then
    echo "export CHOREO_TEST_NATS_URL='$(url)'"
    return
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR/store"
  free_port >"$DIR/port"
  launch
  echo "export CHOREO_TEST_NATS_URL='$(url)'"
}

# Stops the server (SIGTERM, then SIGKILL after 10 s); keeps the directory.
halt() {
  running || return 0
  local pid; pid="$(cat "$DIR/pid")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

# SIGKILLs the server, as a crash or the OOM killer does; keeps port and store.
kill_server() {
  [ -f "$DIR/port" ] || { echo "nats-test-server: no server in $DIR to kill" >&2; exit 1; }
  running || return 0
  local pid; pid="$(cat "$DIR/pid")"
  kill -9 "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}

restart() {
  [ -f "$DIR/port" ] || { echo "nats-test-server: no server in $DIR to restart" >&2; exit 1; }
  halt
  if [ "${1:-}" = empty ]; then rm -rf "$DIR/store"; mkdir -p "$DIR/store"; fi
  : >"$DIR/server.log"
  launch
  echo "export CHOREO_TEST_NATS_URL='$(url)'"
}

stop() {
  [ -d "$DIR" ] || return 0
  halt
  rm -rf "$DIR"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  restart) restart ;;
  restart-empty) restart empty ;;
  kill) kill_server ;;
  url) [ -f "$DIR/port" ] && url ;;
  *) echo "usage: $0 start|stop|restart|restart-empty|kill|url" >&2; exit 2 ;;
esac
