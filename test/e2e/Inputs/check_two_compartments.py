"""Checks test/e2e/compartments/two-compartments.nn against the closed form."""
import csv
import os
import sys

import numpy as np

E, C, GL, GC, I = -65e-3, 37.7e-12, 3.77e-9, 12.3e-9, 0.05e-9


def main():
    out = sys.argv[1]
    v = {"c0.v": {}, "c1.v": {}, "c1.g": {}}
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            v[row["variable"]][float(row["time_ms"])] = float(row["value"])
    # x = v - E; x' = A x + b with b = (I / C, 0) after t = 5 ms.
    A = np.array([[-(GL + GC) / C, GC / C], [GC / C, -(GL + GC) / C]])
    b = np.array([I / C, 0.0])
    x_inf = -np.linalg.solve(A, b)
    lam, vecs = np.linalg.eigh(A)  # symmetric
    worst = 0.0
    for t_ms in sorted(v["c0.v"]):
        if t_ms <= 5.0:
            want = np.zeros(2)
        else:
            s = (t_ms - 5.0) * 1e-3
            # x(s) = x_inf + V exp(L s) V^T (0 - x_inf)
            want = x_inf + vecs @ (np.exp(lam * s) * (vecs.T @ -x_inf))
        got = np.array([v["c0.v"][t_ms], v["c1.v"][t_ms]]) - E
        scale = max(abs(x_inf).max(), 1e-12)
        err = abs(got - want).max() / scale
        worst = max(worst, err)
        if err > 1e-9:
            print(f"t = {t_ms} ms: v - E = {got}, expected {want} "
                  f"(relative error {err:.2e})")
            sys.exit(1)
    x0 = I * (GL + GC) / (GL * (GL + 2 * GC))
    x1 = GC / (GL + GC) * x0
    print(f"{len(v['c0.v'])} samples, worst error {worst:.2e} of the step "
          f"response; steady state {x_inf * 1e3} mV vs closed form "
          f"{x0 * 1e3:.6f}, {x1 * 1e3:.6f} mV")
    if abs(x_inf[0] - x0) > 1e-12 or abs(x_inf[1] - x1) > 1e-12:
        sys.exit(1)
    # The synaptic input reaches c1.g only, at step 1 (spike at step 0).
    g = v["c1.g"]
    if g[0.0] != 0 or g[0.1] != 2.5 or g[99.9] != 2.5:
        print(f"c1.g: {g[0.0]}, {g[0.1]}, {g[99.9]}; expected 0, 2.5, 2.5")
        sys.exit(1)


if __name__ == "__main__":
    main()
