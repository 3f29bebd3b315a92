#!/usr/bin/env bash
# Quick Start demo: build, start a collector (SQLite) and an agent on loopback, run the
# order-fulfilment system through them, and show the flows it produced.
#
#   scripts/demo.sh [--orders N] [--seed S]      (any order-fulfilment flags pass through)
#
# The collector and agent keep running afterwards so you can query them; stop them with
# `kill $(cat .demo/pids)`. Data lives in .demo/choreo.sqlite.
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO_DIR=.demo
COLLECTOR_PORT=${COLLECTOR_PORT:-4320}
AGENT_PORT=${AGENT_PORT:-4318}
mkdir -p "$DEMO_DIR"
if [ -f "$DEMO_DIR/pids" ]; then kill $(cat "$DEMO_DIR/pids") 2>/dev/null || true; sleep 1; fi

echo "==> building (release; the first build takes several minutes)"
for product in choreo-collector choreo-agent choreo order-fulfilment; do
  if ! swift build -c release --product "$product" >"$DEMO_DIR/build.log" 2>&1; then
    grep -E "error:" "$DEMO_DIR/build.log" | head -20 >&2
    echo "build of $product failed; full log in $DEMO_DIR/build.log" >&2
    exit 1
  fi
done
BIN=$(swift build -c release --show-bin-path)

wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "nothing listens on $1" >&2; return 1; }

echo "==> starting choreo-collector on 127.0.0.1:$COLLECTOR_PORT (db $DEMO_DIR/choreo.sqlite)"
"$BIN/choreo-collector" --listen "127.0.0.1:$COLLECTOR_PORT" --db "$DEMO_DIR/choreo.sqlite" >"$DEMO_DIR/collector.log" 2>&1 &
echo $! > "$DEMO_DIR/pids"
wait_port "$COLLECTOR_PORT"
echo "==> starting choreo-agent on 127.0.0.1:$AGENT_PORT"
"$BIN/choreo-agent" --listen "127.0.0.1:$AGENT_PORT" --collector "http://127.0.0.1:$COLLECTOR_PORT" >"$DEMO_DIR/agent.log" 2>&1 &
echo $! >> "$DEMO_DIR/pids"
wait_port "$AGENT_PORT"

echo "==> running order-fulfilment $*"
OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$AGENT_PORT" "$BIN/order-fulfilment" --orders 50 --seed 7 --truth "$DEMO_DIR/truth.json" "$@"
export CHOREO_COLLECTOR="http://127.0.0.1:$COLLECTOR_PORT"
# The agent's last batch reaches the collector and the flow index catches up (every 250 ms).
for _ in $(seq 1 40); do
  indexed=$("$BIN/choreo" flows list --limit 10000 --json 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' 2>/dev/null || echo 0)
  [ "$indexed" -ge "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$DEMO_DIR/truth.json")" ] && break
  sleep 0.25
done
echo
echo "==> choreo flows list --limit 10"
"$BIN/choreo" flows list --limit 10
first_compensated=$("$BIN/choreo" flows list --status compensated --limit 1 --json | python3 -c 'import json,sys; f=json.load(sys.stdin); print(f[0]["correlation_id"] if f else "")')
if [ -n "$first_compensated" ]; then
  echo
  echo "==> choreo flows show $first_compensated"
  "$BIN/choreo" flows show "$first_compensated"
fi
cat <<MSG

The collector (:$COLLECTOR_PORT) and agent (:$AGENT_PORT) are still running.
Open the dashboard: http://127.0.0.1:$COLLECTOR_PORT/
Or try:
  export CHOREO_COLLECTOR=$CHOREO_COLLECTOR
  $BIN/choreo flows list --status compensated
  $BIN/choreo flows show <correlation id> --json
  $BIN/choreo flows map
  $BIN/choreo flows variants
  $BIN/choreo flows export --format xes > flows.xes
  $BIN/choreo traces search --errors
  $BIN/choreo traces get <trace id>
Stop them with: kill \$(cat $DEMO_DIR/pids)
MSG
