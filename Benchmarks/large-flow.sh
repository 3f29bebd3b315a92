#!/bin/bash
# Large flows (issue 17): one flow of N messages (2N spans, each step its own trace) sent by the
# OpenTelemetry Python SDK through a real choreo-agent into a real choreo-collector (SQLite),
# then timed through the real CLI: `flows show` text (first page: --limit 50), text in full
# (folded), --json, Mermaid/DOT/XES exports, the API (whole, one page of steps, the outline the
# text view reads first) and, when Chromium is installed, the dashboard's flow page (time to
# first paint, Benchmarks/large-flow-paint.py). Prints each time, the CLI's and the
# collector's peak RSS, and the machine's load.
#
#   BIN=/path/to/release/bin Benchmarks/large-flow.sh [--messages 100000] [--shape chain|fanout]
#
# BIN holds choreo, choreo-collector and choreo-agent built with -c release. Needs python3 with
# opentelemetry-sdk and opentelemetry-exporter-otlp-proto-http.
set -euo pipefail
N=100000
SHAPE=chain
while [ $# -gt 0 ]; do
  case "$1" in
    --messages) N=$2; shift 2 ;;
    --shape) SHAPE=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
: "${BIN:?set BIN to the directory of the release executables}"
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.2; done; return 1; }

CP=$(port); AP=$(port)
"$BIN/choreo-collector" --listen 127.0.0.1:$CP --db "$WORK/choreo.sqlite" >"$WORK/collector.log" 2>&1 &
PIDS+=($!)
wait_port $CP
"$BIN/choreo-agent" --listen 127.0.0.1:$AP --collector http://127.0.0.1:$CP >"$WORK/agent.log" 2>&1 &
PIDS+=($!)
wait_port $AP
URL=http://127.0.0.1:$CP

sent=$(date +%s.%N)
CID=$(python3 - "$N" "http://127.0.0.1:$AP" "$SHAPE" <<'PY'
import sys, uuid
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.trace import SpanKind, Link
n, agent, shape = int(sys.argv[1]), sys.argv[2], sys.argv[3]
p = TracerProvider(resource=Resource.create({"service.name": "bulk"}))
p.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{agent}/v1/traces"), max_queue_size=2 * n + 100, max_export_batch_size=2000))
tr = p.get_tracer("large")
cid = f"LARGE-{uuid.uuid4().hex[:8]}"; prev = None
for i in range(n):
    mid = f"{cid}-{i}"
    a = {"messaging.system": "x", "messaging.destination.name": "items", "messaging.message.id": mid,
         "messaging.message.conversation_id": cid, "choreo.event_type": "ItemReserved" if i else "BatchStarted"}
    if prev: a["choreo.causation_id"] = prev
    with tr.start_as_current_span("send items", kind=SpanKind.PRODUCER, attributes={**a, "messaging.operation.type": "send"}) as s:
        ctx = s.get_span_context()
    with tr.start_as_current_span("process items", kind=SpanKind.CONSUMER, links=[Link(ctx)],
            context=trace.set_span_in_context(trace.NonRecordingSpan(ctx)),
            attributes={**a, "messaging.operation.type": "process", "messaging.consumer.group.name": "worker",
                        "choreo.delivery.attempt": 1, "choreo.delivery.outcome": "handled"}):
        pass
    if shape == "chain" or i == 0: prev = mid
p.shutdown()
print(cid)
PY
)
# Wait until every span is stored and indexed: the flow's step count in the index (a cheap
# read; asking for the flow itself would build it on every poll) stops short of N until then.
for _ in $(seq 600); do
  got=$(curl -sf "$URL/api/v1/flows?limit=5" | python3 -c 'import json,sys; print(max([f["step_count"] for f in json.load(sys.stdin) if f["correlation_id"]==sys.argv[1]] or [0]))' "$CID" 2>/dev/null || echo 0)
  [ "$got" = "$N" ] && break
  sleep 1
done
stored=$(date +%s.%N)

timed() { # label, command...: wall seconds and the command's peak RSS (MiB)
  local label=$1; shift
  local t0 t1; t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$WORK/rss" "$@" >"$WORK/out" 2>"$WORK/err" || { echo "| $label | FAILED: $(head -c 200 "$WORK/err") | |"; return; }
  t1=$(date +%s.%N)
  printf '| %s | %.2f s | %d MiB | %s bytes |\n' "$label" "$(echo "$t1 - $t0" | bc)" $(( $(cat "$WORK/rss") / 1024 )) "$(wc -c <"$WORK/out")"
}
echo "large flow: $N messages ($((2 * N)) spans), shape $SHAPE, stored $(printf %.1f "$(echo "$stored - $sent" | bc)") s after the first send; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| command | wall | peak RSS | output |"
echo "| --- | --- | --- | --- |"
timed "flows show (text, first page: --limit 50)" "$BIN/choreo" flows show "$CID" --limit 50 --collector "$URL"
timed "flows show (text, folded)" "$BIN/choreo" flows show "$CID" --collector "$URL"
timed "flows show --json" "$BIN/choreo" flows show "$CID" --json --collector "$URL"
python3 -c "import json,sys; f=json.load(open('$WORK/out')); assert len(f['steps'])==$N, len(f['steps'])" || echo "JSON does not have $N steps"
timed "flows show --expand (text, every step)" "$BIN/choreo" flows show "$CID" --expand --collector "$URL"
timed "flows export --format mermaid" "$BIN/choreo" flows export "$CID" --format mermaid --collector "$URL"
timed "flows export --format dot" "$BIN/choreo" flows export "$CID" --format dot --collector "$URL"
timed "flows export --format xes" "$BIN/choreo" flows export "$CID" --format xes --collector "$URL"
timed "API GET /api/v1/flows/ID (curl)" curl -sf "$URL/api/v1/flows/$CID"
timed "API GET /api/v1/flows/ID?steps_limit=100 (curl)" curl -sf "$URL/api/v1/flows/$CID?steps_limit=100"
timed "API GET /api/v1/flows/ID?outline=true&steps_limit=0&traces_limit=5 (curl)" curl -sf "$URL/api/v1/flows/$CID?outline=true&steps_limit=0&traces_limit=5"
if command -v chromium >/dev/null; then
  for run in 1 2; do
    echo "dashboard flow page (headless Chromium, run $run): $(python3 "$(dirname "$0")/large-flow-paint.py" "$URL/#/flow/$CID" 2>&1)"
  done
fi
echo "collector peak RSS: $(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/${PIDS[0]}/status") MiB (ingest, indexing and the queries above); load $(cut -d' ' -f1-3 /proc/loadavg)"
