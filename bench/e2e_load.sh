#!/usr/bin/env bash
# shellcheck disable=SC2317  # stop() and cleanup() run from the EXIT trap
# End-to-end load run (docs/BENCHMARKS.md "End to end"): starts a private redis-server, the
# collector and the notifier from the build directory on free loopback ports (auth off, as
# the services allow on loopback), runs bench/e2e_load against them with the given flags, and
# stops everything on exit. Bounded: the generator's --seconds (default 300) plus 60 s for
# start-up and shutdown.
#   bench/e2e_load.sh --subscriptions=100000 --articles=700 [--json=FILE] [generator flags]
# Environment: SA_BUILD_DIR (default build/), E2E_LOAD_REDIS_ARGS (extra redis-server
# arguments; default: append-only file, fsync every second, as tools/demo.sh),
# E2E_LOAD_KEEP=1 keeps the logs and data in the work directory it prints, E2E_LOAD_AUTH=1 runs
# the services with bearer tokens on (--admin_token_file) and the generator with that token.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=$(realpath "${SA_BUILD_DIR:-build}")
for binary in collector/collector notifier/notifier bench/e2e_load; do
  if [ ! -x "$BUILD/$binary" ]; then
    echo "e2e_load.sh: $BUILD/$binary is missing; build it first:" >&2
    echo "  cmake --build --preset default --target collector notifier e2e_load" >&2
    exit 2
  fi
done
seconds=300
for arg in "$@"; do
  case "$arg" in --seconds=*) seconds=${arg#--seconds=} ;; esac
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/e2e_load.XXXXXX")
mkdir -p "$WORK/redis"
pids=()
status=0
# TERM, then KILL after 15 s (the services drain for up to their --shutdown_grace, 10 s).
stop() {
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}
cleanup() {
  trap - EXIT INT TERM
  # the services first, Redis (the first pid) last, so they shut down cleanly
  [ "${#pids[@]}" -gt 1 ] && stop "${pids[@]:1}"
  [ "${#pids[@]}" -gt 0 ] && stop "${pids[0]}"
  wait 2>/dev/null || true
  if [ "${E2E_LOAD_KEEP:-0}" = 1 ] || [ "$status" != 0 ]; then
    echo "e2e_load.sh: logs in $WORK" >&2
    rm -rf "$WORK/redis"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'status=130; exit 130' INT TERM

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_file() {
  for _ in $(seq 1200); do [ -s "$1" ] && { cat "$1"; return 0; }; sleep 0.1; done
  echo "e2e_load.sh: $1 did not appear; see the logs in $WORK" >&2
  return 1
}

redis_port=$(free_port)
# shellcheck disable=SC2086
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$WORK/redis" --save "" \
  ${E2E_LOAD_REDIS_ARGS:---appendonly yes --appendfsync everysec} >"$WORK/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
REDIS_URL="redis://127.0.0.1:$redis_port/0"
auth=()
token=()
if [ "${E2E_LOAD_AUTH:-0}" = 1 ]; then
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$WORK/admin.token"
  auth=(--admin_token_file="$WORK/admin.token")
  token=(--token="$(cat "$WORK/admin.token")")
fi
"$BUILD/collector/collector" --grpc_addr=127.0.0.1:0 --grpc_port_file="$WORK/collector.port" \
  --redis_url="$REDIS_URL" --poll_feeds=false "${auth[@]}" 2>"$WORK/collector.log" &
collector_pid=$!
pids+=("$collector_pid")
"$BUILD/notifier/notifier" --grpc_addr=127.0.0.1:0 --grpc_port_file="$WORK/notifier.port" \
  --redis_url="$REDIS_URL" --consumer_name=e2e-load-1 --webhook_allow_private_networks \
  "${auth[@]}" 2>"$WORK/notifier.log" &
notifier_pid=$!
pids+=("$notifier_pid")
COLLECTOR=$(wait_file "$WORK/collector.port") || { status=1; exit 1; }
NOTIFIER=$(wait_file "$WORK/notifier.port") || { status=1; exit 1; }
echo "e2e_load.sh: redis $REDIS_URL, collector $COLLECTOR, notifier $NOTIFIER" >&2

timeout -k 5 $((seconds + 30)) "$BUILD/bench/e2e_load" --collector="$COLLECTOR" \
  --notifier="$NOTIFIER" --redis_url="$REDIS_URL" --collector_pid="$collector_pid" \
  --notifier_pid="$notifier_pid" "${token[@]}" "$@" || status=$?
exit "$status"
