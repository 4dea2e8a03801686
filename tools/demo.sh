#!/usr/bin/env bash
# The README's main command: runs summit-alerts end to end on this machine. Installs what is
# missing, builds, starts a private redis-server (fresh data under .demo/ each run), the collector and the
# notifier on free loopback ports, subscribes to QUERY (default: "arms control" Putin),
# ingests the bundled sample news and prints the alerts the subscriber receives.
# Ctrl-C stops everything it started.
#   --once       exit after the first alert (used by the tests)
#   --no-build   use binaries already built in $SA_BUILD_DIR (default build/)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
QUERY=${QUERY:-'"arms control" Putin'}
BUILD=${SA_BUILD_DIR:-$ROOT/build}
once=0
build=1
for arg in "$@"; do
  case "$arg" in
    --once) once=1 ;;
    --no-build) build=0 ;;
    *) echo "usage: tools/demo.sh [--once] [--no-build]" >&2; exit 2 ;;
  esac
done

if [ "$build" = 1 ]; then
  tools/install-deps.sh
  cmake --preset default >/dev/null
  cmake --build --preset default --target collector notifier alertctl
fi

DEMO=${SA_DEMO_DIR:-$ROOT/.demo}
# Each run starts from an empty private Redis: the sample story would otherwise be a
# duplicate of the last run's and alert nobody.
rm -rf "$DEMO/redis" "$DEMO"/*.port
mkdir -p "$DEMO/redis"
pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "demo: stopped (logs in $DEMO)" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_file() {
  # up to 2 minutes: each service loads the gazetteer first (~1 s; ~20 s in a sanitizer build)
  for _ in $(seq 1200); do [ -s "$1" ] && { cat "$1"; return 0; }; sleep 0.1; done
  echo "demo: $1 did not appear; see the logs in $DEMO" >&2; return 1
}

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$DEMO/redis" --appendonly yes \
  --save "" >"$DEMO/redis.log" 2>&1 &
pids+=($!)
REDIS_URL="redis://127.0.0.1:$redis_port/0"
"$BUILD/collector/collector" --grpc_addr=127.0.0.1:0 --grpc_port_file="$DEMO/collector.port" \
  --redis_url="$REDIS_URL" 2>"$DEMO/collector.log" &
pids+=($!)
"$BUILD/notifier/notifier" --grpc_addr=127.0.0.1:0 --grpc_port_file="$DEMO/notifier.port" \
  --redis_url="$REDIS_URL" --consumer_name=demo-1 2>"$DEMO/notifier.log" &
pids+=($!)
COLLECTOR=$(wait_file "$DEMO/collector.port")
NOTIFIER=$(wait_file "$DEMO/notifier.port")
ALERTCTL=("$BUILD/cli/alertctl" --collector="$COLLECTOR" --notifier="$NOTIFIER")
echo "demo: redis $REDIS_URL, collector $COLLECTOR, notifier $NOTIFIER" >&2

SUB=$("${ALERTCTL[@]}" --output=json subscribe "$QUERY" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
echo "demo: subscription $SUB for $QUERY" >&2
"${ALERTCTL[@]}" ingest data/sample/anchorage-summit.txt >&2

tail_args=(tail "$SUB" --after=0)
if [ "$once" = 1 ]; then
  tail_args+=(--max_alerts=1 --idle_timeout=30s)
else
  echo "demo: waiting for alerts; ingest more with: ${ALERTCTL[*]} ingest FILE; Ctrl-C stops" >&2
fi
"${ALERTCTL[@]}" "${tail_args[@]}"
