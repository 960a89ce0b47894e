#!/usr/bin/env bash
# Runs every nnc test (lit regression tests and the GoogleTest unit tests) in
# one lit invocation, then prints a plain "N passed, N failed" line.
set -uo pipefail

build=${1:-build}
lit=${LIT:-/usr/lib/llvm-22/bin/lit}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

"$lit" -sv "$build/test" "$build/test/unittests" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

count() { # sums lit's "  Passed: N" style summary lines for the given labels
  local total=0 n
  for label in "$@"; do
    n=$(grep -E "^ *${label}: *[0-9]+" "$log" | grep -oE '[0-9]+' | head -n 1)
    total=$((total + ${n:-0}))
  done
  echo "$total"
}
passed=$(count "Passed" "Expectedly Failed")
failed=$(count "Failed" "Unexpectedly Passed" "Unresolved" "Timed Out")
echo "$passed passed, $failed failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
