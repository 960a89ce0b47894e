#!/usr/bin/env bash
# Runs the front end's fuzz target (bin/nnc-fuzz, built with
# -DNNC_ENABLE_FUZZER=ON) for a while on a fresh copy of the seed corpus and
# fails on any crash, sanitizer report, leak, timeout or out-of-memory. What
# `make fuzz` runs (docs/fuzzing.md).
#
#   utils/fuzz/run-fuzz.sh BUILD_DIR SECONDS [LIBFUZZER_ARGS...]
#
# Work files go to BUILD_DIR/fuzz/: corpus/ (the seeds plus what the run
# found), artifacts/ (crash-*, leak-*, timeout-*, oom-* inputs) and
# fuzz.log (libFuzzer's full output).
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS [LIBFUZZER_ARGS...]" >&2
  exit 2
fi
build="$1"
seconds="$2"
shift 2
src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fuzzer="$build/bin/nnc-fuzz"
work="$build/fuzz"
[ -x "$fuzzer" ] || { echo "run-fuzz: error: no $fuzzer" >&2; exit 2; }

rm -rf "$work/corpus" "$work/artifacts"
mkdir -p "$work/corpus" "$work/artifacts"
cp "$src"/corpus/*.nn "$work/corpus/"

# Stack traces with file names and lines; UBSan reports are fatal.
symbolizer="$(command -v llvm-symbolizer-22 || command -v llvm-symbolizer || true)"
[ -n "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH="$symbolizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

echo "run-fuzz: $fuzzer for $seconds s on $(ls "$work/corpus" | wc -l) seeds;" \
  "full log in $work/fuzz.log"
set +e
"$fuzzer" "$work/corpus" \
  -max_total_time="$seconds" -dict="$src/nn.dict" -timeout=10 \
  -rss_limit_mb=4096 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$@" 2>&1 |
  tee "$work/fuzz.log" |
  grep --line-buffered -v -E '^#[0-9]+[[:space:]]+(NEW|REDUCE) |NEW_FUNC'
status=${PIPESTATUS[0]}
set -e

last="$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|INITED|NEW|REDUCE)' "$work/fuzz.log" | tail -1 || true)"
execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")"
rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/fuzz.log")"
cov="$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' <<<"$last")"
ft="$(sed -n 's/.* ft: \([0-9]*\) .*/\1/p' <<<"$last")"
echo "run-fuzz: ${execs:-?} executions, ${rate:-?} exec/s, cov: ${cov:-?}" \
  "(edges), ft: ${ft:-?} (features), corpus now $(ls "$work/corpus" | wc -l) inputs"
if [ "$status" -ne 0 ]; then
  echo "run-fuzz: FAILED (libFuzzer exit code $status); the input is in" \
    "$work/artifacts/:" >&2
  ls -l "$work/artifacts/" >&2
  exit 1
fi
echo "run-fuzz: no crash, sanitizer report, leak, timeout or OOM"
