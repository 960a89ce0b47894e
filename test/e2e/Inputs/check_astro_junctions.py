"""Checker of test/e2e/astro-junctions.nn: J[k] of every cell from I[k - 1] of its
neighbours (the cover of step k - 1 ran after the sample of step k - 1)."""
import csv
import math
import os
import sys
from collections import defaultdict

out = sys.argv[1]
series = defaultdict(dict)  # (variable, index) -> {step: value}
junctions = 0
with open(os.path.join(out, "traces.csv")) as f:
    for row in csv.DictReader(f):
        if row["population"] == "G":
            junctions += 1
            continue
        step = round(float(row["time_ms"]))
        series[(row["variable"], int(row["index"]))][step] = float(row["value"])
print(f"junctions: {junctions}")
F, theta, omega = 0.09e-3, 0.3e-3, 0.05e-3      # mM/s, mM (SI: mol/m^3)
worst, samples, nonzero = 0.0, 0, 0
for i in range(10):
    for k in sorted(series[("J", i)]):
        if k == 0:
            continue
        want = 0.0
        for n in (i - 1, i + 1):
            if 0 <= n < 10:
                d = series[("I", i)][k - 1] - series[("I", n)][k - 1]
                want += -(1 + math.tanh((abs(d) - theta) / omega)) * math.copysign(1, d) * F / 2 if d else 0.0
        got = series[("J", i)][k]
        worst = max(worst, abs(got - want) / max(abs(want), 1e-12))
        samples += 1
        nonzero += abs(want) > 1e-9
print(f"J: {samples} samples, largest error {worst:.1e} " + ("[ok]" if worst < 1e-9 else "[FAIL]"))
print(f"J nonzero: {nonzero} samples")
