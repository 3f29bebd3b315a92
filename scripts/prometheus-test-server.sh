#!/usr/bin/env bash
# A throwaway Prometheus on 127.0.0.1 for the alerting tests: it scrapes the given targets and
# evaluates the given rules files, both every INTERVAL, with a configuration written at start.
#
#   eval "$(scripts/prometheus-test-server.sh start --target 127.0.0.1:4320 --rules Dashboards/prometheus/choreoscope-rules.yml)"
#       # prints: export CHOREO_TEST_PROMETHEUS_URL=http://127.0.0.1:PORT
#   scripts/prometheus-test-server.sh stop    # stops the server and deletes its directory
#   scripts/prometheus-test-server.sh url     # prints the URL of the running server
#
# Options of start: --target HOST:PORT (repeatable; scraped at /metrics), --rules FILE
# (repeatable; copied into the directory), --interval DURATION (scrape and evaluation interval,
# default 1s), --bearer-token-file FILE (sent to every target). The server keeps its
# configuration, data and server.log in $CHOREO_PROMETHEUS_DIR (default
# /tmp/choreo-prometheus-test-server) and listens on 127.0.0.1 on a free port only.
# Diagnostics go to stderr, so `eval "$(... start ...)"` only evaluates the export line.
set -euo pipefail

DIR="${CHOREO_PROMETHEUS_DIR:-/tmp/choreo-prometheus-test-server}"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $(( 20000 + RANDOM % 20000 ))
}

url() { echo "http://127.0.0.1:$(cat "$DIR/port")"; }

running() { [ -f "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; }

# Writes $DIR/prometheus.yml: one job scraping every target, every rules file copied in.
write_config() {
  local interval="$1" token="$2"; shift 2
  local targets=() rules=() mode=""
  for arg in "$@"; do
    case "$mode" in
      target) targets+=("$arg"); mode="" ;;
      rules) rules+=("$arg"); mode="" ;;
      *) case "$arg" in --target) mode=target ;; --rules) mode=rules ;; esac ;;
    esac
  done
  [ ${#targets[@]} -gt 0 ] || { echo "prometheus-test-server: give at least one --target HOST:PORT" >&2; exit 2; }
  {
    echo "global:"
    echo "  scrape_interval: $interval"
    echo "  evaluation_interval: $interval"
    echo "rule_files:"
    local i=0
    for file in "${rules[@]}"; do
      [ -f "$file" ] || { echo "prometheus-test-server: no rules file $file" >&2; exit 2; }
      cp "$file" "$DIR/rules-$i.yml"
      echo "  - rules-$i.yml"
      i=$((i + 1))
    done
    [ ${#rules[@]} -gt 0 ] || echo "  []"
    echo "scrape_configs:"
    echo "  - job_name: choreoscope"
    echo "    scrape_timeout: $interval"
    if [ -n "$token" ]; then
      cp "$token" "$DIR/token"
      echo "    authorization:"
      echo "      credentials_file: token"
    fi
    echo "    static_configs:"
    echo "      - targets:"
    for target in "${targets[@]}"; do echo "          - '$target'"; done
  } >"$DIR/prometheus.yml"
}

# Starts prometheus on $DIR/port and waits until it is ready (60 s at most).
launch() {
  command -v prometheus >/dev/null || { echo "prometheus-test-server: prometheus is not installed (apt-get install prometheus)" >&2; exit 1; }
  local port; port="$(cat "$DIR/port")"
  # The server gets no descriptor of ours beyond 0-2: a caller that waits for this script to
  # end by watching a pipe or socket it passed us would otherwise wait for the server too.
  (
    for fd in /proc/"$BASHPID"/fd/*; do
      fd="${fd##*/}"
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    cd "$DIR"
    exec prometheus --config.file="$DIR/prometheus.yml" --storage.tsdb.path="$DIR/data" \
      --web.listen-address="127.0.0.1:$port" --web.enable-lifecycle
  ) </dev/null >>"$DIR/server.log" 2>&1 &
  echo $! >"$DIR/pid"
  for _ in $(seq 1 600); do
    if ! running; then echo "prometheus-test-server: prometheus exited:" >&2; tail -20 "$DIR/server.log" >&2; exit 1; fi
    if python3 - "$port" <<'PY' 2>/dev/null
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/-/ready", timeout=1).read()
PY
    then return 0; fi
    sleep 0.1
  done
  echo "prometheus-test-server: not ready within 60 s:" >&2; tail -20 "$DIR/server.log" >&2; exit 1
}

start() {
  local interval=1s token=""
  local args=("$@") i
  for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[$i]}" in
      --interval) interval="${args[$((i + 1))]}" ;;
      --bearer-token-file) token="${args[$((i + 1))]}" ;;
      --target | --rules) ;;
    esac
  done
  if running; then
    echo "prometheus-test-server: already running in $DIR; stop it first" >&2
    exit 1
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR/data"
  free_port >"$DIR/port"
  write_config "$interval" "$token" "$@"
  launch
  echo "export CHOREO_TEST_PROMETHEUS_URL='$(url)'"
}

# Stops the server (SIGTERM, then SIGKILL after 10 s); keeps the directory.
halt() {
  running || return 0
  local pid; pid="$(cat "$DIR/pid")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

stop() {
  [ -d "$DIR" ] || return 0
  halt
  rm -rf "$DIR"
}

command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  start) start "$@" ;;
  stop) stop ;;
  url) [ -f "$DIR/port" ] && url ;;
  *) echo "usage: $0 start --target HOST:PORT [--rules FILE]... [--interval 1s] [--bearer-token-file FILE] | stop | url" >&2; exit 2 ;;
esac
