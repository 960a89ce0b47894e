"""Checker of test/e2e/astro-junctions.nn: J[k] of every cell from I[k - 1] of its
neighbours (the cover of step k - 1 ran after the sample of step k - 1)."""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nnc_output import read_all_samples  # noqa: E402

out = sys.argv[1]
traces = read_all_samples(out, 1.0)
junctions = sum(1 for (pop, _, _) in traces if pop == "G")
series = {(var, i): v for (pop, var, i), v in traces.items() if pop == "astro"}
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
