"""Checks test/e2e/modulated-neurons.nn step by step (dt = 0.1 ms):

- ramp: v' = I / s with I = 2 drive and drive set to 1 before step 100, so
  the sample at step k is 0 up to k = 100 and 2 (k - 100) dt / s after;
- level: y' = -y / 50 ms by Euler, plus 1 per spike of `kick` in the step
  of the spike (after that step's update): y_{k+1} = y_k (1 - dt/50 ms) +
  spikes_k;
- leaky: exponential Euler towards the start-of-step level,
  v_{k+1} = y_k + (v_k - y_k) exp(-dt / 10 ms).

All to 1e-12 relative (plus 1e-15). Exits 1 on any failure.
"""
import csv
import math
import os
import sys
from collections import Counter, defaultdict


def main():
    out = sys.argv[1]
    dt = 1e-4
    s = defaultdict(dict)
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            s[(row["population"], row["variable"])][int(round(float(row["time_ms"]) / 0.1))] = \
                float(row["value"])
    spikes = Counter()
    with open(os.path.join(out, "spikes.csv")) as f:
        for row in csv.DictReader(f):
            spikes[int(round(float(row["time_ms"]) / 0.1))] += 1
    close = lambda got, want: abs(got - want) <= 1e-12 * abs(want) + 1e-15
    failures = []

    ramp = s[("ramp", "v")]
    bad = [k for k in ramp if not close(ramp[k], 0.0 if k <= 100 else 2 * (k - 100) * dt)]
    print(f"ramp: {len(ramp)} samples [{'ok' if not bad else 'FAIL'}]")
    failures += [f"ramp at step {k}: {ramp[k]!r}" for k in bad[:5]]

    y, v = s[("level", "y")], s[("leaky", "v")]
    want_y, want_v = 0.0, 0.0
    bad = []
    for k in sorted(v):
        if not close(y[k], want_y) or not close(v[k], want_v):
            bad.append(k)
        want_v = y[k] + (v[k] - y[k]) * math.exp(-dt / 10e-3)
        want_y = y[k] * (1 - dt / 50e-3) + spikes[k]
    print(f"leaky: {len(v)} samples [{'ok' if not bad else 'FAIL'}]")
    failures += [f"level/leaky at step {k}: y {y[k]!r}, v {v[k]!r}" for k in bad[:5]]
    for f_ in failures:
        print("FAIL:", f_, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
