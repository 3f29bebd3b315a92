#!/usr/bin/env bash
# Builds the benchmarks and the collector in release, runs both benchmarks, and records the
# machine and whether other work (builds, tests) ran at the same time.
#
#   Benchmarks/run.sh [extra arguments for both benchmarks, e.g. --runs 15]
#
# Prints Markdown to standard output; BENCHMARKS.md quotes it. Nothing here asserts a time.
set -euo pipefail
cd "$(dirname "$0")"

swift build -c release >&2
(cd .. && swift build -c release --product choreo-collector) >&2

echo "## Environment"
echo
echo "- \`nproc\`: $(nproc); $(lscpu | grep 'Model name' | sed 's/  */ /g')"
echo "- memory: $(free -h | awk '/^Mem:/ {print $2}')"
echo "- $(swift --version 2>/dev/null | head -1)"
echo "- $(grep PRETTY_NAME /etc/os-release | cut -d= -f2 | tr -d '"'), kernel $(uname -r)"
echo "- commit: $(git -C .. rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C .. diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
echo

# Every second, count other compilers and test runners (processes that are not ours).
samples=$(mktemp)
(
    while true; do
        ps -eo comm= | grep -cxE 'swift-frontend|swiftc|swift-build|swift-test|swift-driver|clang(-[0-9]+)?|ld(\.gold|\.lld)?|xctest|ChoreoscopePack.*|.*PackageTes.*' >>"$samples" || true
        sleep 1
    done
) &
sampler=$!
trap 'kill $sampler 2>/dev/null || true; rm -f "$samples"' EXIT

for benchmark in instrumentation-overhead collector-ingest; do
    echo "## $benchmark"
    echo
    echo "- \`uptime\` before: $(uptime)"
    first=$(($(wc -l <"$samples") + 1))
    extra=()
    # The OpenTelemetry Go SDK anchor (shared/, beside the project), measured in the same run.
    anchor="$(cd .. && pwd)/../shared/anchors/otel-go/run"
    if [ "$benchmark" = instrumentation-overhead ] && [ -x "$anchor" ]; then extra=(--go-anchor "$anchor"); fi
    ".build/release/$benchmark" "${extra[@]}" "$@" | sed '/^# /d'
    echo "- \`uptime\` after: $(uptime)"
    sed -n "$first,\$p" "$samples" | awk '{ n++; if ($1 > 0) busy++; if ($1 > most) most = $1 }
        END { printf "- other compilers or test runners running: in %d of %d one-second samples (at most %d at once)\n", busy, n, most }'
    echo
done
