"""Checks examples/ca3_memory.nn: after Hebbian storage of 10 patterns,
half of each pattern recalls the other half and nothing else.

Reads the patterns and cues from examples/data/ca3 (--data), the spikes of
`ca3` in each 200 ms recall window (from 10000 + 200 p ms) and the final
weights of S with their sources and targets. Checks (exit 1 on failure):
1. completion: in every recall window all 20 uncued cells of the pattern
   fire (at least 19 of 20) and at most 1 cell outside the pattern does;
2. the cued cells themselves fire (they are driven);
3. the weights are Willshaw-like: every pair of cells that share a pattern
   is at w_max (within 1e-12 mV) and every other pair below 0.1 w_max.
"""
import argparse
import csv
import os
import sys
from collections import defaultdict

from nnc_output import read_spikes

W_MAX_MV = 0.8


def read_sets(path):
    sets = defaultdict(set)
    with open(path) as f:
        for row in csv.DictReader(f):
            sets[int(row["pattern"])].add(int(row["cell"]))
    return [sets[p] for p in sorted(sets)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--data", required=True)
    args = p.parse_args()
    patterns = read_sets(os.path.join(args.data, "patterns.csv"))
    cues = read_sets(os.path.join(args.data, "cue.csv"))
    spikes = read_spikes(args.out, 0.1)["ca3"]
    failures = []

    def check(ok, what):
        print(f"{what}: {'ok' if ok else 'FAILED'}")
        if not ok:
            failures.append(what)

    print("pattern  cued fired  completed  false recalls")
    for k, (pattern, cue) in enumerate(zip(patterns, cues)):
        lo, hi = 100000 + 2000 * k, 100000 + 2000 * (k + 1)
        fired = {i for i, s in spikes if lo <= s < hi}
        rest = pattern - cue
        completed = len(fired & rest)
        false = len(fired - pattern)
        cued = len(fired & cue)
        print(f"{k:7d}  {cued:4d}/{len(cue)}  {completed:4d}/{len(rest)}  {false:8d}")
        check(cued == len(cue) and completed >= len(rest) - 1 and false <= 1,
              f"pattern {k} recalled from half of it")

    weights, sources, targets = [], [], []
    with open(os.path.join(args.out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            if row["population"] != "S":
                continue
            col = {"w": weights, "source": sources, "target": targets}[row["variable"]]
            col.append(float(row["value"]))
    shared = set()
    for pattern in patterns:
        shared |= {(a, b) for a in pattern for b in pattern if a != b}
    inside = [w * 1e3 for w, s, t in zip(weights, sources, targets)
              if (int(s), int(t)) in shared]
    outside = [w * 1e3 for w, s, t in zip(weights, sources, targets)
               if (int(s), int(t)) not in shared]
    print(f"{len(inside)} pairs share a pattern: w from {min(inside):.4f} to "
          f"{max(inside):.4f} mV; {len(outside)} others: up to "
          f"{max(outside):.4f} mV")
    check(len(weights) == 400 * 399 and
          all(abs(w - W_MAX_MV) < 1e-12 for w in inside) and
          max(outside) < 0.1 * W_MAX_MV,
          "weights: w_max within patterns, < 0.1 w_max outside")
    print("FAIL" if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
