#!/bin/bash
# Tail sampling (issue 16): one seeded order-fulfilment run with every fault goes, through an
# OTLP tee (scripts/otlp-tee.py), to an unsampled collector and to one with --keep-healthy RATIO
# at once; once every flow is decided, compares what both stores answer (process map with
# per-transition p50/p95, variants, flows by status), checks every non-completed flow of the
# sampled store against the truth, and prints spans stored, SQLite pages and bytes on disk.
#
# usage: Benchmarks/tail-sampling.sh BIN_DIR [ORDERS] [RATIO] [SEED] [MIX]
#   BIN_DIR holds release builds of choreo-collector and order-fulfilment; MIX is
#   order-fulfilment's --mix (default: its standard mix, where 37 % of the spans belong to
#   failed, compensated or stuck flows, which every ratio keeps).
set -euo pipefail
bin=$1; orders=${2:-5000}; ratio=${3:-0.1}; seed=${4:-17}; mix=${5:-}
mix_args=(); [ -n "$mix" ] && mix_args=(--mix "$mix")
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (echo >/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }

full=$(free_port); "$bin/choreo-collector" --listen 127.0.0.1:$full --db "$work/full.sqlite" >"$work/full.log" 2>&1 & pids+=($!)
sampled=$(free_port); "$bin/choreo-collector" --listen 127.0.0.1:$sampled --db "$work/sampled.sqlite" --keep-healthy "$ratio" >"$work/sampled.log" 2>&1 & pids+=($!)
wait_port $full; wait_port $sampled
tee_port=$(free_port); python3 "$repo/scripts/otlp-tee.py" $tee_port http://127.0.0.1:$full http://127.0.0.1:$sampled >/dev/null 2>&1 & pids+=($!)
wait_port $tee_port
start=$(date +%s)
OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$tee_port CHOREO_TRACER_SHUTDOWN_TIMEOUT=120000 \
  "$bin/order-fulfilment" --faults all ${mix_args[@]+"${mix_args[@]}"} --orders "$orders" --seed "$seed" --day 50ms --truth "$work/truth.json" >"$work/run.log" 2>&1
echo "run: $orders orders, seed $seed, every fault, mix ${mix:-standard}, $(( $(date +%s) - start )) s; work dir $work"
python3 - "$full" "$sampled" "$work" "$orders" <<'PY'
import json, sys, time, urllib.request, urllib.error, sqlite3, os
full, sampled, work, orders = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
def get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as r: return r.status, r.read().decode()
    except urllib.error.HTTPError as e: return e.code, e.read().decode()
def decided():
    _, text = get(sampled, "/metrics")
    return sum(float(l.split()[-1]) for l in text.splitlines() if l.startswith("choreo_collector_sampling_flows_total{") and "in_flight" not in l)
truth = json.load(open(f"{work}/truth.json"))
t0 = time.time()
while decided() < len(truth) and time.time() - t0 < 600: time.sleep(2)
time.sleep(5)
print(f"decided: {decided():.0f} decisions for {len(truth)} flows, {time.time()-t0:.0f} s after the run")
bad = []
for cid, t in truth.items():
    if t["status"] == "completed": continue
    status, body = get(sampled, f"/api/v1/flows/{cid}")
    f = json.loads(body) if status == 200 else {}
    if f.get("status") != t["status"] or sorted(s["type"] for s in f.get("steps", [])) != sorted(t["types"]):
        bad.append(f"{cid}: {status} {f.get('status')} vs {t['status']}")
by = {}
for t in truth.values(): by[t["status"]] = by.get(t["status"], 0) + 1
print(f"truth: {by}; non-completed flows differing from the truth in the sampled store: {len(bad)} {bad[:3]}")
for path in ["/api/v1/map", "/api/v1/variants", "/api/v1/flows/stats"]:
    a, b = json.loads(get(full, path)[1]), json.loads(get(sampled, path)[1])
    print(f"{path}: {'equal' if a == b else 'DIFFERENT'}")
    if path == "/api/v1/map":
        # Counts must be equal; the transition times agree to within the clock-skew estimate's
        # drift (each store corrects a trail with the offsets of the time it last indexed it).
        ea, eb = ({(e["from"], e["to"]): e for e in m["edges"]} for m in (a, b))
        counts = a["nodes"] == b["nodes"] and {k: e["count"] for k, e in ea.items()} == {k: e["count"] for k, e in eb.items()}
        drift = max((abs(ea[k][q] - eb[k][q]) for k in ea if k in eb for q in ("p50_ms", "p95_ms")), default=0)
        print(f"  map nodes and transition counts: {'equal' if counts else 'DIFFERENT'}; largest p50/p95 difference {drift*1000:.1f} us")
        edges = sorted(a["edges"], key=lambda e: -e["count"])[:4]
        print("  top transitions (unsampled = sampled): " + "; ".join(f"{e['from']}->{e['to']} n={e['count']} p50 {e['p50_ms']} ms p95 {e['p95_ms']} ms" for e in edges))
    if path == "/api/v1/variants":
        print("  top variants: " + "; ".join(f"{v['count']} ({v['share']:.3f})" for v in a["variants"][:4]))
_, metrics = get(sampled, "/metrics")
print("sampled collector: " + "; ".join(l for l in metrics.splitlines() if l.startswith("choreo_collector_sampling_") and not l.endswith(" 0")))
rows = {}
for mode in ["full", "sampled"]:
    db = f"{work}/{mode}.sqlite"
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    n = c.execute("select count(*) from spans").fetchone()[0]
    pages, free, size = (c.execute(f"pragma {p}").fetchone()[0] for p in ["page_count", "freelist_count", "page_size"])
    vac = c.execute("pragma auto_vacuum").fetchone()[0]
    c.close()
    rows[mode] = (n, pages, free, size, os.path.getsize(db), os.path.getsize(db + "-wal") if os.path.exists(db + "-wal") else 0, vac)
for mode, (n, pages, free, size, disk, wal, vac) in rows.items():
    print(f"{mode}: spans {n}; pages {pages} (free {free}, {size} B, auto_vacuum {vac}); file {disk} B + WAL {wal} B")
nf, ns = rows["full"][0], rows["sampled"][0]
print(f"spans kept: {ns}/{nf} = {100*ns/nf:.1f} %; bytes on disk (file+WAL): {100*(rows['sampled'][4]+rows['sampled'][5])/(rows['full'][4]+rows['full'][5]):.1f} %")
PY
