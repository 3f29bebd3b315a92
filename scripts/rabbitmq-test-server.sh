#!/usr/bin/env bash
# A throwaway RabbitMQ node on 127.0.0.1 for the tests of the RabbitMQ bus.
#
#   eval "$(scripts/rabbitmq-test-server.sh start)"   # prints: export CHOREO_TEST_AMQP_URL=amqp://...
#   scripts/rabbitmq-test-server.sh stop              # stops the node and deletes its directory
#   scripts/rabbitmq-test-server.sh url               # prints the URL of the running node
#   scripts/rabbitmq-test-server.sh restart           # stops and starts the node, same port and data
#   scripts/rabbitmq-test-server.sh kill              # SIGKILLs the node (a crash); `restart` starts it again
#
# The node lives in $CHOREO_RABBITMQ_DIR (default /tmp/choreo-rabbitmq-test-server): its own
# database (RABBITMQ_MNESIA_BASE), logs, node name, AMQP port and Erlang distribution port
# (free ports, chosen at start), no plugins, no configuration from /etc/rabbitmq, HOME in the
# directory (the Erlang cookie lives there). AMQP listens on 127.0.0.1 only; the user is the
# default guest/guest, which RabbitMQ accepts from loopback only. It runs as the current user.
# Binaries come from $RABBITMQ_BIN, else /usr/lib/rabbitmq/bin, else the PATH. Ready means
# `rabbitmqctl await_startup` succeeded. Diagnostics go to stderr, so `eval "$(... start)"`
# only evaluates the export line. The Erlang port mapper (epmd) that the node starts, if none
# runs yet, stays running after stop, as it does for every Erlang node.
set -euo pipefail

DIR="${CHOREO_RABBITMQ_DIR:-/tmp/choreo-rabbitmq-test-server}"

rabbit_bin() {
  if [ -n "${RABBITMQ_BIN:-}" ]; then echo "$RABBITMQ_BIN"; return; fi
  if [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then echo /usr/lib/rabbitmq/bin; return; fi
  local found; found="$(command -v rabbitmq-server || true)"
  [ -n "$found" ] || { echo "rabbitmq-test-server: no rabbitmq-server found; install rabbitmq-server or set RABBITMQ_BIN" >&2; exit 1; }
  dirname "$found"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $(( 20000 + RANDOM % 20000 ))
}

# The environment of the node and of the CLI tools that talk to it.
node_env() {
  local port dist; port="$(cat "$DIR/port")"; dist="$(cat "$DIR/dist-port")"
  export HOME="$DIR/home"
  export RABBITMQ_NODENAME="choreo-test-$port@localhost"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$port"
  export RABBITMQ_DIST_PORT="$dist"
  export RABBITMQ_MNESIA_BASE="$DIR/mnesia"
  export RABBITMQ_LOG_BASE="$DIR/log"
  export RABBITMQ_PID_FILE="$DIR/rabbitmq.pid"
  export RABBITMQ_CONF_ENV_FILE="$DIR/rabbitmq-env.conf"
  export RABBITMQ_CONFIG_FILE="$DIR/rabbitmq.conf"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$DIR/advanced.config"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$DIR/enabled_plugins"
  # Erlang distribution and the port mapper on loopback too; two cores shared with the tests:
  # schedulers sleep instead of spinning when idle.
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} +sbwt none +sbwtdcpu none +sbwtdio none"
}

url() { echo "amqp://guest:guest@127.0.0.1:$(cat "$DIR/port")/"; }

running() {
  [ -f "$DIR/rabbitmq.pid" ] && kill -0 "$(cat "$DIR/rabbitmq.pid")" 2>/dev/null
}

launch() {
  local bin; bin="$(rabbit_bin)"
  node_env
  rm -f "$DIR/rabbitmq.pid"
  "$bin/rabbitmq-server" >>"$DIR/server.log" 2>&1 &
  echo $! >"$DIR/launcher.pid"
  # await_startup needs a reachable node: until the node registered, it fails at once.
  local deadline=$((SECONDS + 90))
  until "$bin/rabbitmqctl" await_startup --timeout 30 >>"$DIR/ctl.log" 2>&1; do
    if ! kill -0 "$(cat "$DIR/launcher.pid")" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      echo "rabbitmq-test-server: the node did not start within 90 s:" >&2
      tail -20 "$DIR/server.log" "$DIR"/log/*.log >&2 || true
      exit 1
    fi
    sleep 0.5
  done
}

start() {
  if [ -f "$DIR/port" ] && running; then
    echo "export CHOREO_TEST_AMQP_URL='$(url)'"
    return
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR/home" "$DIR/mnesia" "$DIR/log"
  free_port >"$DIR/port"
  local dist; dist="$(free_port)"
  while [ "$dist" = "$(cat "$DIR/port")" ]; do dist="$(free_port)"; done
  echo "$dist" >"$DIR/dist-port"
  : >"$DIR/rabbitmq-env.conf"
  : >"$DIR/rabbitmq.conf"
  echo "[]." >"$DIR/advanced.config"
  echo "[]." >"$DIR/enabled_plugins"
  launch
  echo "export CHOREO_TEST_AMQP_URL='$(url)'"
}

# Waits (10 s at most) until the launcher script, which ends with the node, is gone.
await_launcher() {
  if [ -f "$DIR/launcher.pid" ]; then
    local launcher; launcher="$(cat "$DIR/launcher.pid")"
    for _ in $(seq 1 100); do kill -0 "$launcher" 2>/dev/null || break; sleep 0.1; done
    kill "$launcher" 2>/dev/null || true
  fi
}

# SIGKILLs the node's Erlang VM, as a crash or the OOM killer does: no clean shutdown, the
# clients' connections drop at once. Keeps the directory, so `restart` recovers the same data.
kill_node() {
  [ -f "$DIR/port" ] || { echo "rabbitmq-test-server: no node in $DIR" >&2; exit 1; }
  if running; then
    local pid; pid="$(cat "$DIR/rabbitmq.pid")"
    kill -9 "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  await_launcher
}

stop_node() {
  [ -f "$DIR/port" ] || return 0
  # A node that is not running (killed) has nothing to shut down.
  running || { await_launcher; return 0; }
  local bin; bin="$(rabbit_bin)"
  node_env
  "$bin/rabbitmqctl" shutdown --timeout 30 >>"$DIR/ctl.log" 2>&1 || true
  # If the node did not stop, end it by its pid (never by name: other nodes may run here).
  if running; then kill -9 "$(cat "$DIR/rabbitmq.pid")" 2>/dev/null || true; fi
  await_launcher
}

case "${1:-start}" in
  start) start ;;
  stop) stop_node; rm -rf "$DIR" ;;
  restart)
    [ -f "$DIR/port" ] || { echo "rabbitmq-test-server: no node in $DIR" >&2; exit 1; }
    stop_node
    launch
    echo "export CHOREO_TEST_AMQP_URL='$(url)'"
    ;;
  kill) kill_node ;;
  url) [ -f "$DIR/port" ] && url ;;
  *) echo "usage: $0 start|stop|restart|kill|url" >&2; exit 2 ;;
esac
