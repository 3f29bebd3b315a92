#!/usr/bin/env bash
# orders/s of the system under test (order-fulfilment, release) on every bus, one run after the
# other in one session: in-memory, then each durable bus whose URL is set, with the services
# in-process and with `--processes` (a process per service). Spans go over OTLP/HTTP to a local
# sink that answers 200 to every request (python3), so the tracer exports as in production.
#
#   CHOREO_TEST_POSTGRES_URL=postgres://... CHOREO_TEST_AMQP_URL=amqp://... CHOREO_TEST_NATS_URL=nats://... \
#   ORDER_FULFILMENT=/path/to/release/order-fulfilment Benchmarks/bus-orders.sh [--orders 2000] [--day 20ms] [--faults]
#
# The URLs are the ones scripts/pg-test-cluster.sh, scripts/rabbitmq-test-server.sh and
# scripts/nats-test-server.sh print; a bus without one is reported as skipped. --faults adds,
# per bus, one in-process run with `--faults all`. ORDER_FULFILMENT defaults to
# ../.build/release/order-fulfilment. Same --seed 1 in every run, so every run holds the same
# orders. Prints Markdown; nothing here asserts a rate.
set -euo pipefail
cd "$(dirname "$0")"

orders=2000
day=20ms
concurrency=200
with_faults=0
while [ $# -gt 0 ]; do
    case "$1" in
        --orders) orders="$2"; shift 2 ;;
        --day) day="$2"; shift 2 ;;
        --concurrency) concurrency="$2"; shift 2 ;;
        --faults) with_faults=1; shift ;;
        *) echo "bus-orders.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
binary="${ORDER_FULFILMENT:-../.build/release/order-fulfilment}"
[ -x "$binary" ] || { echo "bus-orders.sh: no executable at $binary (build it with swift build -c release --product order-fulfilment, or set ORDER_FULFILMENT)" >&2; exit 1; }

# The sink: answers 200 with an empty body to every POST, counts nothing, decodes nothing.
sink_port_file=$(mktemp)
python3 - "$sink_port_file" <<'PY' &
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
with open(sys.argv[1], "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
PY
sink=$!
trap 'kill $sink 2>/dev/null || true; rm -f "$sink_port_file"' EXIT
for _ in $(seq 50); do [ -s "$sink_port_file" ] && break; sleep 0.1; done
export OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$(cat "$sink_port_file")"

echo "- date (UTC): $(date -u +%Y-%m-%dT%H:%M:%SZ); \`uptime\` before: $(uptime)"
echo "- every run: \`order-fulfilment --orders $orders --concurrency $concurrency --seed 1 --day $day\` plus the flags below; spans to a local sink answering 200"
echo
echo "| bus | services | extra flags | orders/s | wall | CPU user+sys (order-fulfilment and its service processes) |"
echo "| --- | --- | --- | ---: | ---: | ---: |"

# One run: prints a table row; the run's own output goes to stderr.
run() {
    local name="$1" mode="$2" flags="$3"; shift 3
    local out times
    out=$(mktemp); times=$(mktemp)
    if ! /usr/bin/time -f '%U %S' -o "$times" "$binary" --orders "$orders" --concurrency "$concurrency" --seed 1 --day "$day" "$@" >"$out"; then
        echo "| $name | $mode | $flags | failed | | |"
        cat "$out" >&2
        rm -f "$out" "$times"
        return
    fi
    cat "$out" >&2
    local line rate wall cpu
    line=$(grep -E '^orders: [0-9]+ in ' "$out" | tail -1)
    rate=$(echo "$line" | sed -E 's/.*\(([0-9]+) orders\/s\).*/\1/')
    wall=$(echo "$line" | sed -E 's/.* in ([0-9.]+) s .*/\1/')
    cpu=$(awk '{ printf "%.1f", $1 + $2 }' "$times")
    echo "| $name | $mode | $flags | $rate | $wall s | $cpu s |"
    rm -f "$out" "$times"
}

run in-memory "one process" ""
if [ "$with_faults" = 1 ]; then run in-memory "one process" "--faults all" --faults all; fi

if [ -n "${CHOREO_TEST_POSTGRES_URL:-}" ]; then
    run PostgreSQL "one process" "" --bus "$CHOREO_TEST_POSTGRES_URL" --schema bench_orders
    run PostgreSQL "a process per service" "--processes" --bus "$CHOREO_TEST_POSTGRES_URL" --schema bench_orders --processes
    if [ "$with_faults" = 1 ]; then run PostgreSQL "one process" "--faults all" --bus "$CHOREO_TEST_POSTGRES_URL" --schema bench_orders --faults all; fi
else
    echo "| PostgreSQL | | | skipped: CHOREO_TEST_POSTGRES_URL not set | | |"
fi
for broker in "RabbitMQ CHOREO_TEST_AMQP_URL" "NATS-JetStream CHOREO_TEST_NATS_URL"; do
    set -- $broker
    name="${1/-/ }" variable="$2"
    url="${!variable:-}"
    if [ -z "$url" ]; then
        echo "| $name | | | skipped: $variable not set | | |"
        continue
    fi
    run "$name" "one process" "" --bus "$url"
    run "$name" "a process per service" "--processes" --bus "$url" --processes
    if [ "$with_faults" = 1 ]; then run "$name" "one process" "--faults all" --bus "$url" --faults all; fi
done
echo
echo "- \`uptime\` after: $(uptime)"
