#!/usr/bin/env bash
# Formatting with swift-format (ships with the Swift toolchain), configured by .swift-format.
#
#   scripts/format.sh          # rewrite every Swift file of the project in place
#   scripts/format.sh --lint   # check only; exits non-zero on any difference (CI runs this)
#
# Generated code (Sources/ChoreoOTLP/Generated) is left as protoc wrote it.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.swift' | grep -v '/Generated/' | grep -v '^Benchmarks/')
if [ "${1:-}" = "--lint" ]; then
  swift format lint --strict --configuration .swift-format "${files[@]}"
else
  swift format format --in-place --configuration .swift-format "${files[@]}"
fi
