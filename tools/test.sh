#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test (unit,
# integration against private redis-servers on free loopback ports, end to end), then the
# same again in an ASan+UBSan build, then the tests labelled `concurrency` (work queue, event
# consumer and delivery workers, alert hub and subscribe streams, feed poller; ~40 s to run) in a
# ThreadSanitizer build of just those targets (preset `tsan`, -O1 -g, tests/sanitizers/tsan.supp;
# tests that use gRPC are left out, tests/CMakeLists.txt says why), then a short bounded fuzzing
# slice (every libFuzzer target 15 s on its seeds, after replaying its regression inputs;
# tools/fuzz.sh, docs/FUZZING.md). First of all, every C++ file must be as clang-format-14 writes
# it (.clang-format); `tools/format.sh` rewrites them.
# Options: --no-asan, --only-asan, --no-tsan, --no-fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."

run_default=1
run_asan=1
run_tsan=1
run_fuzz=1
for arg in "$@"; do
  case "$arg" in
    --no-asan) run_asan=0 ;;
    --only-asan) run_default=0 ;;
    --no-tsan) run_tsan=0 ;;
    --no-fuzz) run_fuzz=0 ;;
    *) echo "usage: tools/test.sh [--no-asan|--only-asan] [--no-tsan] [--no-fuzz]" >&2; exit 2 ;;
  esac
done

tools/install-deps.sh
jobs=$(nproc)

echo "== format (clang-format-14) =="
tools/format.sh --check

if [ "$run_default" = 1 ]; then
  echo "== build (RelWithDebInfo) =="
  cmake --preset default >/dev/null
  cmake --build --preset default -j "$jobs"
  echo "== test (RelWithDebInfo) =="
  ctest --preset default -j "$jobs"
fi

if [ "$run_asan" = 1 ]; then
  echo "== build (ASan+UBSan) =="
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
  echo "== test (ASan+UBSan) =="
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
  export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  ctest --preset asan -j "$jobs"
fi

if [ "$run_tsan" = 1 ]; then
  # Only the test targets that carry the `concurrency` label (target `concurrency_tests`,
  # tests/CMakeLists.txt): a whole-tree TSan build would not fit CI's time budget.
  echo "== build (ThreadSanitizer, concurrency tests) =="
  cmake --preset tsan >/dev/null
  cmake --build --preset tsan -j "$jobs" --target concurrency_tests
  echo "== test (ThreadSanitizer, ctest -L concurrency) =="
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/sanitizers/tsan.supp"
  ctest --preset tsan -j "$jobs"
fi

if [ "$run_fuzz" = 1 ]; then
  # Bounded: 10 targets x 15 s, two at a time (about 2 minutes after the clang build).
  echo "== fuzz (clang-14 libFuzzer, ASan+UBSan, 15 s per target) =="
  tools/fuzz.sh 15
fi
