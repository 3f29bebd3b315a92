#!/usr/bin/env bash
# The project's test command (README.md; CI runs it through .ci/run).
#
# Unit and component tests run in parallel; then the end-to-end suites (Tests/EndToEndTests),
# which each start real collector, agent, order-fulfilment, PostgreSQL-bus and Chromium
# processes, run one at a time so they do not compete for the machine's cores (on 2 cores, a
# 60-second outage test next to a chaos test and a browser test measures the scheduler, not us).

set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build --skip EndToEndTests
swift test --skip-build --filter EndToEndTests --no-parallel
