#!/usr/bin/env bash
# Formats every tracked C++ file with clang-format-14 (.clang-format: Google style, 100 columns).
#   tools/format.sh           rewrite the files in place
#   tools/format.sh --check   change nothing; list the files that differ and exit 1 if any
set -euo pipefail
cd "$(dirname "$0")/.."
format=$(command -v clang-format-14 || true)
[ -n "$format" ] || { echo "format: clang-format-14 is missing (tools/install-deps.sh)" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.cc' '*.h')
if [ "${1:-}" = "--check" ]; then
  # One clang-format process for all files; each difference is reported as "FILE:LINE:COL: error".
  mapfile -t bad < <("$format" --dry-run -Werror "${files[@]}" 2>&1 |
    sed -nE 's/^([^:]+\.(cc|h)):[0-9]+:[0-9]+: error:.*/\1/p' | sort -u)
  if [ ${#bad[@]} -gt 0 ]; then
    echo "format: ${#bad[@]} file(s) differ from clang-format-14; run tools/format.sh:" >&2
    printf '  %s\n' "${bad[@]}" >&2
    exit 1
  fi
  echo "format: ${#files[@]} files as clang-format-14 writes them"
else
  "$format" -i "${files[@]}"
fi
