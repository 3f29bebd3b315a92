#!/usr/bin/env bash
# The project's test command (README.md; CI runs it through .ci/run).
#
# Starts the throwaway servers the tests need when they are installed and not already given:
# a PostgreSQL cluster on loopback (scripts/pg-test-cluster.sh, exported as
# CHOREO_TEST_POSTGRES_URL), stopped and deleted on exit. Without PostgreSQL installed, the
# tests that need it say they were skipped and why. The same for RabbitMQ
# (scripts/rabbitmq-test-server.sh, CHOREO_TEST_AMQP_URL) and NATS
# (scripts/nats-test-server.sh, CHOREO_TEST_NATS_URL).
#
# Unit and component tests run in parallel; then the end-to-end suites (Tests/EndToEndTests),
# which each start real collector, agent, order-fulfilment, PostgreSQL-bus and Chromium
# processes, run one at a time so they do not compete for the machine's cores (on 2 cores, a
# 60-second outage test next to a chaos test and a browser test measures the scheduler, not us).
#
# CHOREO_FUZZ_CASES=N raises the case count of the fuzz tests (CI's long run).

set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${CHOREO_TEST_POSTGRES_URL:-}" ]; then
  if [ -x /usr/lib/postgresql/15/bin/initdb ] || command -v initdb >/dev/null 2>&1 || [ -n "${PG_BIN:-}" ]; then
    export CHOREO_PG_DIR="${CHOREO_PG_DIR:-$(mktemp -d /tmp/choreo-pg-XXXXXX)}"
    eval "$(scripts/pg-test-cluster.sh start)"
    trap 'scripts/pg-test-cluster.sh stop >/dev/null 2>&1 || true' EXIT
    echo "test.sh: throwaway PostgreSQL at $CHOREO_TEST_POSTGRES_URL"
  else
    echo "test.sh: PostgreSQL is not installed (postgresql-15); its tests will say they were skipped"
  fi
fi

# RabbitMQ for the RabbitMQ bus's tests (scripts/rabbitmq-test-server.sh, exported as
# CHOREO_TEST_AMQP_URL), stopped and deleted on exit, next to what the EXIT trap already does.
if [ -z "${CHOREO_TEST_AMQP_URL:-}" ]; then
  if [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || command -v rabbitmq-server >/dev/null 2>&1 || [ -n "${RABBITMQ_BIN:-}" ]; then
    export CHOREO_RABBITMQ_DIR="${CHOREO_RABBITMQ_DIR:-$(mktemp -d /tmp/choreo-rabbitmq-XXXXXX)}"
    eval "$(scripts/rabbitmq-test-server.sh start)"
    previous_exit_trap="$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//" -e "s/'\\\\''/'/g")"
    trap "${previous_exit_trap:+$previous_exit_trap; }scripts/rabbitmq-test-server.sh stop >/dev/null 2>&1 || true" EXIT
    echo "test.sh: throwaway RabbitMQ at $CHOREO_TEST_AMQP_URL"
  else
    echo "test.sh: RabbitMQ is not installed (rabbitmq-server); its tests will say they were skipped"
  fi
fi

# NATS with JetStream for the NATS bus's tests (scripts/nats-test-server.sh, exported as
# CHOREO_TEST_NATS_URL), stopped and deleted on exit, next to what the EXIT trap already does.
if [ -z "${CHOREO_TEST_NATS_URL:-}" ]; then
  if command -v nats-server >/dev/null 2>&1; then
    export CHOREO_NATS_DIR="${CHOREO_NATS_DIR:-$(mktemp -d /tmp/choreo-nats-XXXXXX)}"
    eval "$(scripts/nats-test-server.sh start)"
    previous_exit_trap="$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//" -e "s/'\\\\''/'/g")"
    trap "${previous_exit_trap:+$previous_exit_trap; }scripts/nats-test-server.sh stop >/dev/null 2>&1 || true" EXIT
    echo "test.sh: throwaway NATS (JetStream) at $CHOREO_TEST_NATS_URL"
  else
    echo "test.sh: NATS is not installed (nats-server); its tests will say they were skipped"
  fi
fi

# The alerting rules' unit tests (Dashboards/prometheus/choreoscope-rules.test.yml) with
# promtool from Debian's prometheus package; the live alerting test (AlertingEndToEndTests)
# starts its own Prometheus (scripts/prometheus-test-server.sh). Both say they were skipped
# when it is not installed.
if command -v promtool >/dev/null 2>&1; then
  (cd Dashboards/prometheus && promtool test rules choreoscope-rules.test.yml)
else
  echo "test.sh: promtool is not installed (prometheus); the alerting rules' unit tests are skipped"
fi

# The NATS bus's warnings (a settlement or an attempt read that failed) on standard error, so
# a failing NATS test shows what the bus saw; silent otherwise.
export CHOREO_NATS_BUS_LOG="${CHOREO_NATS_BUS_LOG:-warning}"

swift build --build-tests
swift test --skip-build --skip EndToEndTests
swift test --skip-build --filter EndToEndTests --no-parallel
