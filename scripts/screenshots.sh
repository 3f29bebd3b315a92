#!/usr/bin/env bash
# Reproduces Dashboards/{flows,flow-compensated,process-map}.png and Dashboards/screenshots/trace.png: starts a fresh
# choreo-collector and choreo-agent on spare loopback ports, fills them with order-fulfilment,
# and photographs the dashboard with headless Chromium at 1400x900.
#
#   scripts/screenshots.sh            # uses `chromium` from PATH (Debian: apt-get install chromium)
#   CHROMIUM=/path/to/chrome scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM="${CHROMIUM:-chromium}"
COLLECTOR_PORT="${COLLECTOR_PORT:-4620}"
AGENT_PORT="${AGENT_PORT:-4618}"
OUT="Dashboards"
command -v "$CHROMIUM" >/dev/null || { echo "error: $CHROMIUM not found (apt-get install chromium, or set CHROMIUM)" >&2; exit 1; }

swift build --product choreo-collector >/dev/null
swift build --product choreo-agent >/dev/null
swift build --product order-fulfilment >/dev/null
BIN="$(swift build --show-bin-path)"

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN/choreo-collector" --listen "127.0.0.1:$COLLECTOR_PORT" --db "$WORK/choreo.sqlite" >"$WORK/collector.log" 2>&1 &
PIDS+=($!)
"$BIN/choreo-agent" --listen "127.0.0.1:$AGENT_PORT" --collector "http://127.0.0.1:$COLLECTOR_PORT" --batch-delay-ms 50 >"$WORK/agent.log" 2>&1 &
PIDS+=($!)
BASE="http://127.0.0.1:$COLLECTOR_PORT"
for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done

export OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$AGENT_PORT"
"$BIN/order-fulfilment" --orders 20 --seed 3 --faults all --run-id demo --day 100ms >/dev/null
"$BIN/order-fulfilment" --orders 2 --scenario unavailable --run-id demo-refund --day 100ms >/dev/null

# Wait until all 22 flows are indexed and none is in flight.
for _ in $(seq 1 150); do
  flows="$(curl -sf "$BASE/api/v1/flows?limit=1000" || true)"
  total="$( (grep -o '"correlation_id"' <<<"$flows" || true) | wc -l)"
  pending="$( (grep -o '"status":"in_flight"' <<<"$flows" || true) | wc -l)"
  [ "$total" -ge 22 ] && [ "$pending" -eq 0 ] && break
  sleep 0.2
done

COMPENSATED="$(curl -sf "$BASE/api/v1/flows?status=compensated&limit=1000" | grep -o '"correlation_id":"order-demo-refund-[^"]*"' | sed -n 1p | cut -d'"' -f4 || true)"
[ -n "$COMPENSATED" ] || { echo "error: no compensated flow found" >&2; exit 1; }

shot() {
  "$CHROMIUM" --headless --disable-gpu --no-sandbox --no-first-run --hide-scrollbars --user-data-dir="$WORK/profile" \
    --virtual-time-budget=5000 --window-size=1400,900 --screenshot="$PWD/$OUT/$1" "$BASE/$2" 2>/dev/null
  echo "wrote $OUT/$1"
}
mkdir -p "$OUT/screenshots"
shot flows.png "#/flows"
shot flow-compensated.png "#/flow/$COMPENSATED"
shot process-map.png "#/map?flow=$COMPENSATED"
TRACE="$(curl -sf "$BASE/api/v1/flows/$COMPENSATED" | grep -o '"trace_id":"[0-9a-f]\{32\}"' | sed -n 1p | cut -d'"' -f4 || true)"
[ -n "$TRACE" ] && shot screenshots/trace.png "#/trace/$TRACE"
