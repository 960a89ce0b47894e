"""Checks test/e2e/poisson-input.nn against exact distributions."""
import csv
import math
import os
import sys
from collections import defaultdict


def moments(xs):
    n = len(xs)
    mean = sum(xs) / n
    var = sum((x - mean) ** 2 for x in xs) / (n - 1)
    return n, mean, var


def main():
    out = sys.argv[1]
    counts = defaultdict(dict)  # neuron -> {time: count}
    draws = defaultdict(list)
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            if row["population"] == "counter":
                counts[int(row["index"])][float(row["time_ms"])] = \
                    float(row["value"])
            else:
                draws[row["variable"]].append(float(row["value"]))
    failures = []

    def close(what, got, want, se):
        ok = abs(got - want) <= 5 * se
        print(f"{what}: {got:.5g} (exact {want:.5g}, 5 se = {5 * se:.2g})"
              f"{'' if ok else '  FAIL'}")
        if not ok:
            failures.append(what)

    # Per-step counts: skip the first sample (t = 0, before any input).
    samples = [c for per in counts.values()
               for t, c in sorted(per.items()) if t > 0]
    lam = 2000 * 8 * 1e-4
    n, mean, var = moments(samples)
    close("input: mean count per step", mean, lam, math.sqrt(lam / n))
    close("input: variance", var, lam, lam * math.sqrt(2 / n + 1 / (lam * n)))
    for k in range(7):
        p = math.exp(-lam) * lam ** k / math.factorial(k)
        got = sum(1 for c in samples if c == k) / n
        close(f"input: P(k = {k})", got, p, math.sqrt(p * (1 - p) / n))
    if any(c != int(c) or c < 0 for c in samples):
        failures.append("counts are not whole numbers >= 0")
    pairs = [(a, b) for per in counts.values()
             for (_, a), (_, b) in zip(sorted(per.items())[1:],
                                       sorted(per.items())[2:])]
    cov = sum((a - mean) * (b - mean) for a, b in pairs) / len(pairs)
    close("input: lag-1 correlation", cov / var, 0.0, 1 / math.sqrt(len(pairs)))

    k = draws["k"]
    n, mean, var = moments(k)
    close("poisson(3.5): mean", mean, 3.5, math.sqrt(3.5 / n))
    close("poisson(3.5): variance", var, 3.5,
          3.5 * math.sqrt(2 / n + 1 / (3.5 * n)))
    e = [x * 1e3 for x in draws["e"]]  # ms
    n, mean, var = moments(e)
    close("exponential(2 ms): mean [ms]", mean, 2.0, 2.0 / math.sqrt(n))
    close("exponential(2 ms): variance [ms^2]", var, 4.0,
          4.0 * math.sqrt(8 / n))
    mu, s = 0.5, 0.25
    m_exact = math.exp(mu + s * s / 2)
    v_exact = (math.exp(s * s) - 1) * math.exp(2 * mu + s * s)
    n, mean, var = moments(draws["l"])
    close("lognormal(0.5, 0.25): mean", mean, m_exact, math.sqrt(v_exact / n))
    close("lognormal(0.5, 0.25): variance", var, v_exact,
          v_exact * math.sqrt(2 / n) * 2)
    if failures:
        print("FAILED: " + ", ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
