"""Checks test/e2e/tables.nn: the passive neurons driven through tables
against the closed form of tau v' = -v + R I(t) with piecewise-constant I
(row k of a table holds from k * period on, the last row forever after),
and the spike counts of the table-driven Poisson sources.

Usage: check_tables.py <out-dir>
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from nnc_output import read_spikes  # noqa: E402

import csv

TAU, R = 10e-3, 10e-3 / 200e-12
DT_MS = 0.1


def closed_form(values, period, scale, t):
    """v(t) from v(0) = 0 with I(s) = scale * values[min(floor(s/period), end)]."""
    v, start = 0.0, 0.0
    k = 0
    while True:
        end = (k + 1) * period if k + 1 < len(values) else math.inf
        vinf = R * scale * values[min(k, len(values) - 1)]
        stop = min(t, end)
        v = vinf + (v - vinf) * math.exp(-(stop - start) / TAU)
        if t <= end:
            return v
        start, k = end, k + 1


def main():
    out = sys.argv[1]
    traces = {}
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            traces.setdefault((row["population"], int(row["index"])), []).append(
                (float(row["time_ms"]) * 1e-3, float(row["value"])))
    failed = False

    def compare(key, values, period, scale):
        nonlocal failed
        worst = 0.0
        samples = traces[key]
        peak = max(abs(closed_form(values, period, scale, t)) for t, _ in samples)
        for t, v in samples:
            want = closed_form(values, period, scale, t)
            err = abs(v - want) / peak
            worst = max(worst, err)
            if err > 1e-9:
                print(f"FAIL: {key} at {t * 1e3:.4f} ms: {v!r}, closed form {want!r}")
                failed = True
        return worst, len(samples)

    worst, n = compare(("p", 0), [0, 1, 0.5, 2], 5e-3, 0.2e-9)
    print(f"p: {n} samples, max relative error {worst:.2e} <= 1e-09")
    cols = [[4 * r + c for c in range(4)] for r in range(5)]
    worst_q = 0.0
    for c in range(4):
        w, n = compare(("q", c), [row[c] for row in cols], 2e-3, 0.1e-9)
        worst_q = max(worst_q, w)
    print(f"q: 4 neurons x {n} samples, max relative error {worst_q:.2e} <= 1e-09")

    spikes = read_spikes(out, DT_MS)["src"]
    counts = [0, 0, 0]
    for _, step in spikes:
        counts[min(step // 1000, 2)] += 1
    expected = [0, 2000 * 100 * 0.1, 2000 * 50 * 0.1]
    ok = all(abs(c - e) <= 5 * math.sqrt(e) for c, e in zip(counts, expected))
    ok = ok and counts[0] == 0
    print("src: spikes per 100 ms window " + " ".join(map(str, counts)) +
          (" within 5 sigma of " if ok else " NOT within 5 sigma of ") +
          " ".join(str(int(e)) for e in expected))
    failed |= not ok
    print("FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
