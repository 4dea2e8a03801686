#!/usr/bin/env bash
# The long mixed soak (issue 19): valid and hostile articles through every input path for
# SECONDS (default 600) against the binaries in build/ (or SA_BUILD_DIR), then checks that the
# services still serve, memory stayed bounded, and every valid event was alerted exactly once.
# The test suite runs a 40-second slice of the same script (ctest -R soak_mixed_slice).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
build="$(realpath "${SA_BUILD_DIR:-build}")"
[ -x "$build/collector/collector" ] || { echo "soak: build first (cmake --build --preset default)" >&2; exit 2; }
cd tests/soak
SOAK_SECONDS="$seconds" SA_COLLECTOR_BIN="$build/collector/collector" \
  SA_NOTIFIER_BIN="$build/notifier/notifier" SA_ALERTCTL_BIN="$build/cli/alertctl" \
  SA_PYTHON_GEN="$build/python_gen" SA_SHARED_DIR="$(realpath ../../../shared)" \
  exec /usr/bin/python3 -m unittest -v soak
