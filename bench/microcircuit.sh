#!/usr/bin/env bash
# Full-scale Potjans & Diesmann (2014) microcircuit (issue 5): 77,169
# neurons, ~0.3 billion synapses, 1 s of biological time. Reports network
# build time, simulate time (real-time factor), peak memory, and checks the
# per-population rates against NEST's published reference (+-30 %).
#
#   bench/microcircuit.sh [--threads 2] [--duration 1] [--seed 1]
#
# nnc is taken from ${NNC_BUILD:-build}/bin/nnc. Needs about 7 GB of memory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
threads=2 duration=1 seed=1
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) echo "usage: bench/microcircuit.sh [--threads N] [--duration S] [--seed N]" >&2; exit 2 ;;
  esac
done
nnc=${NNC_BUILD:-build}/bin/nnc
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
/usr/bin/time -f '%M %e' -o "$out/time" "$nnc" run examples/microcircuit.nn \
  --threads="$threads" --duration="${duration}s" --seed="$seed" --out="$out/run" \
  > "$out/log"
cat "$out/log"
read -r rss wall < "$out/time"
/usr/bin/python3 - "$out/run/summary.json" "$rss" "$wall" "$threads" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
t = s["timings_s"]
print(f"\nmicrocircuit: {sum(p['size'] for p in s['populations'])} neurons, "
      f"{s['synapses']} synapses, {s['duration_s']:g} s, {sys.argv[4]} thread(s)")
print(f"| compile (s) | network build (s) | simulate (s) | real-time factor | "
      f"peak memory (GiB) | wall (s) |")
print("|---|---|---|---|---|---|")
print(f"| {t['compile']:.2f} | {t['build']:.1f} | {t['simulate']:.1f} | "
      f"{t['simulate'] / s['duration_s']:.1f} | {int(sys.argv[2]) / 2**20:.2f} | "
      f"{float(sys.argv[3]):.0f} |")
PY
/usr/bin/python3 test/reference/check_microcircuit.py "$out/run"
