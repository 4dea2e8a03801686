#!/usr/bin/env bash
# Builds (if needed) and runs the libFuzzer targets under fuzz/ (docs/FUZZING.md).
#   tools/fuzz.sh [SECONDS] [TARGET...]   fuzz each target SECONDS (default 60), two at a time
#   tools/fuzz.sh --replay [TARGET...]    only replay fuzz/regressions/<target>/ (no fuzzing)
# Every run is under ASan+UBSan with -rss_limit_mb=2048 -timeout=5, so a slow input or memory
# blow-up is a finding like a crash. Before fuzzing, each target replays its regression inputs
# (fuzz/regressions/<target>/). Generated corpora go to fuzz/corpus/<target>/ and findings
# (crash-*, timeout-*, oom-*, leak-*) to fuzz/artifacts/<target>/, both git-ignored; logs to
# fuzz/artifacts/<target>.log. Prints one line per target: seconds, execs/s, coverage and
# corpus (cov, ft and corp: units/bytes from libFuzzer's final status line) and findings. Exits non-zero on any finding.
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_JOBS (default 2), FUZZ_NO_BUILD=1 (use
# the binaries as built), CXX for the configure (default clang++-14).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
replay_only=0
targets=()
for arg in "$@"; do
  case "$arg" in
    --replay) replay_only=1 ;;
    [0-9]*) seconds="$arg" ;;
    fuzz_*) targets+=("$arg") ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "usage: tools/fuzz.sh [--replay] [SECONDS] [fuzz_TARGET...]" >&2; exit 2 ;;
  esac
done

ALL=(fuzz_feed_parser fuzz_html_text fuzz_feed_dates fuzz_event_time fuzz_extractor
     fuzz_rule_parser fuzz_message_template fuzz_chatops fuzz_article_files fuzz_redis_url)
[ ${#targets[@]} -eq 0 ] && targets=("${ALL[@]}")

build="${FUZZ_BUILD_DIR:-build-fuzz}"
jobs="${FUZZ_JOBS:-2}"
corpora=../shared/corpora

if [ ! -f "$build/build.ninja" ]; then
  CMAKE_CXX_COMPILER_LAUNCHER="${CMAKE_CXX_COMPILER_LAUNCHER:-$(command -v ccache || true)}" \
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER="${CXX:-clang++-14}" -DSA_BUILD_FUZZERS=ON -DSA_BUILD_TESTS=OFF \
    -DSA_BUILD_BENCH=OFF >/dev/null
fi
[ "${FUZZ_NO_BUILD:-0}" = 1 ] || cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"

# Seeds (read-only corpus dirs after the generated one), dictionary and max input length.
config() {
  local t=$1
  seeds=("fuzz/seeds/${t#fuzz_}")
  dict=""
  max_len=4096
  case "$t" in
    fuzz_feed_parser)
      seeds=("$corpora/feeds/feedparser" "$corpora/feeds/real-world"); dict=xml.dict
      max_len=65536 ;;
    fuzz_html_text) seeds+=("$corpora/feeds/feedparser/entities"); dict=html.dict ;;
    fuzz_feed_dates) dict=dates.dict; max_len=256 ;;
    fuzz_event_time) seeds+=("$corpora/news"); dict=dates.dict ;;
    fuzz_extractor) seeds+=("$corpora/news"); dict=dates.dict; max_len=16384 ;;
    fuzz_rule_parser) dict=rules.dict; max_len=1100 ;;
    fuzz_message_template) dict=template.dict; max_len=4200 ;;
    fuzz_chatops) dict=json.dict ;;
    fuzz_article_files) seeds+=("$corpora/news"); dict=json.dict ;;
    fuzz_redis_url) dict=redis_url.dict; max_len=1024 ;;
  esac
  for s in "${seeds[@]}"; do
    [ -e "$s" ] || { echo "fuzz: seed dir $s is missing" >&2; exit 1; }
  done
}

# Replays fuzz/regressions/<target>/*; non-zero if any input still fails.
replay() {
  local t=$1 bin="$build/fuzz/$1" dir="fuzz/regressions/${1#fuzz_}"
  [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ] || return 0
  "$bin" -rss_limit_mb=2048 -timeout=5 "$dir"/* >"fuzz/artifacts/$t.replay.log" 2>&1
}

run_one() {
  local t=$1 bin="$build/fuzz/$1"
  local out="fuzz/artifacts/${t#fuzz_}" corpus="fuzz/corpus/${t#fuzz_}"
  local log="fuzz/artifacts/$t.log" summary="fuzz/artifacts/$t.summary"
  mkdir -p "$out" "$corpus"
  config "$t"
  local findings=""
  if ! replay "$t"; then findings="regression input fails (fuzz/artifacts/$t.replay.log)"; fi
  if [ "$replay_only" = 1 ]; then
    printf '%-22s replay %s\n' "$t" "${findings:-ok}" >"$summary"
    [ -z "$findings" ]
    return
  fi
  local args=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=5 -max_len="$max_len"
              -print_final_stats=1 -artifact_prefix="$out/" -close_fd_mask=1)
  [ -n "$dict" ] && args+=(-dict="fuzz/dicts/$dict")
  local start=$SECONDS rc=0
  # The outer timeout only guards against a hang in libFuzzer itself.
  timeout --kill-after=30 $((seconds + 300)) "$bin" "${args[@]}" "$corpus" "${seeds[@]}" \
    >"$log" 2>&1 || rc=$?
  local took=$((SECONDS - start))
  local last execs cov ft corp
  last=$(grep -a -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
  execs=$(grep -a -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last"); ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
  local artifacts
  artifacts=$(find "$out" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \
    -o -name 'leak-*' \) -newer "$summary.start" 2>/dev/null || true)
  if [ "$rc" != 0 ]; then
    findings="${findings:+$findings; }exit $rc: $(grep -a -m1 -o -E 'ERROR: libFuzzer: [a-z-]+|ERROR: AddressSanitizer: [a-z-]+|runtime error: .{0,60}|deadly signal' "$log" || echo see log) ${artifacts//$'\n'/ }"
  fi
  printf '%-22s %4ss  execs/s %-7s cov %-6s ft %-7s corpus %-14s %s\n' \
    "$t" "$took" "$execs" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${findings:-no findings}" >"$summary"
  [ -z "$findings" ]
}

mkdir -p fuzz/artifacts fuzz/corpus
failed=0
running=0
for t in "${targets[@]}"; do
  touch "fuzz/artifacts/$t.summary.start"
  rm -f "fuzz/artifacts/$t.summary"
  ( run_one "$t" ) &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done

echo "== fuzz results ($([ "$replay_only" = 1 ] && echo "replay only" || echo "${seconds}s per target")) =="
for t in "${targets[@]}"; do
  cat "fuzz/artifacts/$t.summary" 2>/dev/null || echo "$t: no result (see fuzz/artifacts/$t.log)"
  rm -f "fuzz/artifacts/$t.summary.start"
done
exit "$failed"
