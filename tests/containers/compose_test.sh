#!/usr/bin/env bash
# The container deployment, for real: builds deploy/Dockerfile and deploy/redis.Dockerfile with
# podman, brings deploy/compose.yaml up with podman-compose, and from the host over loopback
#  1. checks the image (non-root user, read-only root, the gRPC healthchecks on the health-only
#     port 8081 pass),
#  2. checks that the stack is TLS-only and token-protected by default (the `certs` one-shot made
#     the CA, the certificate and the admin token): a plaintext client gets no connection, a
#     client without a token nothing but the health check; tokens are made with
#     `alertctl token create` inside a service container,
#  3. ingests the sample story and receives its one explained alert (TLS, tokens),
#  4. streams 40 events to a live subscriber while one notifier container is SIGKILLed and
#     the other (the one the subscriber is attached to) is stopped and restarted: every event
#     arrives exactly once, and no event is left pending in the consumer group,
# then brings the stack down. No registry is reachable here, so the debian:bookworm(-slim)
# base images are made with debootstrap and imported under the names the Dockerfiles use
# (cached in $SA_CONTAINER_WORK). Exits 77 (skipped) with the reason when this machine
# cannot run containers at all (not root, podman missing, no runtime); any other failure fails.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ALERTCTL=${SA_ALERTCTL_BIN:-$ROOT/build/cli/alertctl}
WORK=${SA_CONTAINER_WORK:-/var/tmp/summit-alerts-containers}
PROJECT=sa-ctest-$$
SKIP=77
PY=/usr/bin/python3

say() { echo "compose_test: $*" >&2; }
skip() { say "SKIP: $*"; exit $SKIP; }
fail() { say "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "podman runs rootful here and this is not root"
for tool in podman podman-compose debootstrap runc; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (apt-get install podman podman-compose runc debootstrap golang-github-containernetworking-plugin-dnsname)"
done
# Service names (redis, collector) resolve inside the compose network only through the CNI
# dnsname plugin; without it every service fails to find Redis.
[ -x /usr/lib/cni/dnsname ] || skip "the CNI dnsname plugin is missing (apt-get install golang-github-containernetworking-plugin-dnsname)"
mkdir -p "$WORK"
# This machine's kernel has hybrid cgroups (crun refuses them: use runc) and forbids setting
# rlimits (drop the default ulimits); no systemd, so cgroupfs and file events.
cat >"$WORK/containers.conf" <<'CONF'
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
CONF
export CONTAINERS_CONF=$WORK/containers.conf

# ---- base images from Debian's archive ----
if ! podman image exists docker.io/library/debian:bookworm-slim; then
  if [ ! -x "$WORK/rootfs/bin/sh" ]; then
    say "debootstrap bookworm (minbase) into $WORK/rootfs"
    rm -rf "$WORK/rootfs"
    debootstrap --variant=minbase bookworm "$WORK/rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 \
      || { tail -5 "$WORK/debootstrap.log" >&2; skip "debootstrap failed (no Debian archive reachable?)"; }
  fi
  tar -C "$WORK/rootfs" -c . | podman import - docker.io/library/debian:bookworm >/dev/null
  # slim: the same system without documentation, as Debian's slim images are made.
  tar -C "$WORK/rootfs" --exclude=./usr/share/doc --exclude=./usr/share/man --exclude=./usr/share/info \
    --exclude=./usr/share/locale -c . | podman import - docker.io/library/debian:bookworm-slim >/dev/null
fi
probe=$(podman run --rm --network host docker.io/library/debian:bookworm-slim true 2>&1) \
  || skip "podman cannot run a container on this machine: $probe"

# ---- the stack ----
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export REDIS_PASSWORD="pw-$RANDOM$RANDOM" COLLECTOR_PORT=$(free_port) NOTIFIER_1_PORT=$(free_port) NOTIFIER_2_PORT=$(free_port)
compose() { (cd "$ROOT/deploy" && podman-compose -p "$PROJECT" "$@"); }
tail_pid=
cleanup() {
  set +e
  [ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null
  compose down -v >"$WORK/$PROJECT-down.log" 2>&1
  podman network rm -f "${PROJECT}_default" >/dev/null 2>&1
}
trap cleanup EXIT

say "building the images (deploy/Dockerfile, deploy/redis.Dockerfile)"
compose --podman-build-args="--network host" build >"$WORK/$PROJECT-build.log" 2>&1 \
  || { tail -30 "$WORK/$PROJECT-build.log" >&2; fail "image build failed"; }
image=localhost/summit-alerts:latest
uid=$(podman run --rm "$image" id -u)
[ "$uid" = 10001 ] || fail "the image runs as uid $uid, not the unprivileged 10001"
size=$(podman image inspect --format '{{.Size}}' "$image")
say "image $image: $((size / 1000000)) MB, runs as uid $uid"

# The one-shot `certs` service writes ./certs and ./secrets (kept across runs, git-ignored).
mkdir -p "$ROOT/deploy/certs" "$ROOT/deploy/secrets"
compose up -d >"$WORK/$PROJECT-up.log" 2>&1 || { tail -30 "$WORK/$PROJECT-up.log" >&2; fail "compose up failed"; }
ctr() { echo "${PROJECT}_$1_1"; }
for svc in collector notifier-1 notifier-2; do
  [ "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$(ctr "$svc")")" = true ] \
    || fail "$svc does not run on a read-only root filesystem"
done
# No systemd here to run the healthchecks on their timers: run each one as the engine would.
healthy() {
  for _ in $(seq 60); do podman healthcheck run "$(ctr "$1")" >/dev/null 2>&1 && return 0; sleep 1; done
  podman logs --tail 20 "$(ctr "$1")" >&2; fail "$1 never became healthy"
}
for svc in redis collector notifier-1 notifier-2; do healthy "$svc"; done
say "all four containers are healthy"

# ---- TLS-only and token-protected by default ----
CA=$ROOT/deploy/certs/ca.crt
[ -s "$CA" ] || fail "the certs one-shot made no $CA"
[ -s "$ROOT/deploy/secrets/admin-token" ] || fail "the certs one-shot made no admin token"
[ "$(stat -c %a "$ROOT/deploy/secrets/admin-token")" = 400 ] || fail "the admin token file is not 0400"
for port in "$COLLECTOR_PORT" "$NOTIFIER_1_PORT"; do
  # Plaintext: no connection (exit 3); over TLS the health check needs no token.
  rc=0; "$ALERTCTL" --rpc_timeout=5s health "127.0.0.1:$port" >/dev/null 2>&1 || rc=$?
  [ "$rc" = 3 ] || fail "a plaintext health check of 127.0.0.1:$port answered (exit $rc)"
  "$ALERTCTL" --tls_ca="$CA" health "127.0.0.1:$port" >/dev/null \
    || fail "the health check over TLS without a token failed on 127.0.0.1:$port"
done
rc=0; out=$("$ALERTCTL" --tls_ca="$CA" --notifier="127.0.0.1:$NOTIFIER_1_PORT" subs 2>&1) || rc=$?
[ "$rc" = 1 ] && [[ "$out" == *"bearer token"* ]] || fail "listing without a token was not refused ($rc): $out"
rc=0; out=$("$ALERTCTL" --tls_ca="$CA" --collector="127.0.0.1:$COLLECTOR_PORT" ingest \
  "$ROOT/data/sample/anchorage-summit.txt" 2>&1) || rc=$?
[ "$rc" = 1 ] && [[ "$out" == *"bearer token"* ]] || fail "ingesting without a token was not refused ($rc): $out"
# The admin token from the file works; a client's own token is made where Redis is reachable
# (inside a service container: REDIS_URL is in its environment), printed once.
SA_TOKEN=$(cat "$ROOT/deploy/secrets/admin-token") "$ALERTCTL" --tls_ca="$CA" \
  --notifier="127.0.0.1:$NOTIFIER_1_PORT" subs >/dev/null || fail "the admin token was refused"
token=$(podman exec "$(ctr notifier-1)" alertctl token create --owner=ctest --scope=subscribe,ingest \
  --label=compose_test 2>/dev/null) || fail "alertctl token create in notifier-1 failed"
[[ "$token" == sat_* ]] || fail "alertctl token create printed no token"
export TLS_CA=$CA SA_TOKEN=$token   # alertctl's --tls_ca and --token from here on
say "TLS only, no token no service but health; a token made with alertctl token create"

A=("$ALERTCTL" --collector="127.0.0.1:$COLLECTOR_PORT" --output=json)
json_field() { $PY -c "import json,sys; print(json.loads(sys.stdin.readline())$1)"; }

# ---- the sample story: one explained alert ----
summit=$("${A[@]}" --notifier="127.0.0.1:$NOTIFIER_1_PORT" subscribe '"arms control" Putin' | json_field "['id']")
story=$("${A[@]}" ingest "$ROOT/data/sample/anchorage-summit.txt" | json_field "['event_id']")
alert=$(timeout 60 "${A[@]}" --notifier="127.0.0.1:$NOTIFIER_2_PORT" --after=0 --max_alerts=1 tail "$summit")
echo "$alert" | $PY -c "
import json,sys
a=json.loads(sys.stdin.readline())
assert a['event']['id']=='$story', a
why=json.dumps(a.get('why', a))
assert 'arms control' in why and 'Putin' in why, why
" || fail "the sample story's alert is missing or unexplained: $alert"
say "the sample story reached its subscriber through the containers, explained"

# ---- a live stream across a SIGKILLed and a restarted notifier ----
events=40
sub=$("${A[@]}" --notifier="127.0.0.1:$NOTIFIER_1_PORT" subscribe Lavrov | json_field "['id']")
timeout 180 "${A[@]}" --notifier="127.0.0.1:$NOTIFIER_2_PORT" --after=0 --max_alerts=$events tail "$sub" \
  >"$WORK/$PROJECT-stream.jsonl" 2>"$WORK/$PROJECT-stream.err" &
tail_pid=$!
: >"$WORK/$PROJECT-ingested"
# Forty different statements (near-identical texts would rightly be one story to the collector).
article() { $PY -c "import random,sys; r=random.Random(int(sys.argv[1])); w='talks sanctions ceasefire grain energy Arctic border treaty envoy ministers Geneva Ankara Vienna prisoners nuclear fleet oil gas visas trade missiles drones satellites pipeline wheat fertiliser ports shipping banks currency reserves embassy consulate diplomats journalists elections parliament court judges police army navy airspace ferry bridge railway harvest winter summer spring autumn'.split(); print('Sergei Lavrov said ' + ' '.join(r.sample(w, 12)) + '.')" "$1"; }
for i in $(seq 1 $events); do
  article "$i" >"$WORK/$PROJECT-article.txt"
  "${A[@]}" --title="Lavrov statement $i" ingest "$WORK/$PROJECT-article.txt" | json_field "['event_id']" >>"$WORK/$PROJECT-ingested"
  case $i in
    10) say "SIGKILL notifier-1 mid-stream"; podman kill --signal KILL "$(ctr notifier-1)" >/dev/null ;;
    20) say "restart notifier-1"; podman start "$(ctr notifier-1)" >/dev/null ;;
    25) say "stop notifier-2 (the subscriber's) and start it again"
        podman stop -t 15 "$(ctr notifier-2)" >/dev/null; podman start "$(ctr notifier-2)" >/dev/null ;;
  esac
  sleep 0.1
done
wait "$tail_pid" || { cat "$WORK/$PROJECT-stream.err" >&2; fail "the subscriber did not get all $events alerts"; }
tail_pid=
$PY - "$WORK/$PROJECT-ingested" "$WORK/$PROJECT-stream.jsonl" <<'PY' || fail "the stream lost or repeated events"
import json, sys
ingested = open(sys.argv[1]).read().split()
got = [json.loads(line)["event"]["id"] for line in open(sys.argv[2]) if line.strip()]
assert len(set(ingested)) == len(ingested), "ingested ids are not distinct"
assert sorted(got) == sorted(ingested), (len(got), sorted(set(ingested) - set(got)), len(got) - len(set(got)))
PY
grep -q reconnecting "$WORK/$PROJECT-stream.err" || fail "the subscriber never saw its notifier go away"
pending() { podman exec "$(ctr redis)" redis-cli XPENDING events notifier | head -1; }
for _ in $(seq 60); do [ "$(pending)" = 0 ] && break; sleep 1; done
[ "$(pending)" = 0 ] || fail "$(pending) events still pending in the consumer group"
say "all $events events arrived exactly once across the kill and the restart; nothing pending"
say "PASS"
