"""Checks Ornstein-Uhlenbeck traces (test/e2e/noise-ou.nn) against the exact
statistics of their Euler-Maruyama chain

  v_{k+1} = a v_k + s N(0, 1),  a = 1 - dt/tau,  s = sigma sqrt(2 dt/tau),

stationary variance s^2 / (1 - a^2), autocorrelation a^lag_steps. Samples
from 100 ms on (10 tau: the start at v = 0 is forgotten to e^-10). Standard
errors count independent samples as neurons x duration / (2 tau) (the
integrated autocorrelation time). Exits 1 on a failure.
"""
import argparse
import csv
import math
import os
import sys
from collections import defaultdict


def read(out):
    traces = defaultdict(dict)
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            traces[int(row["index"])][round(float(row["time_ms"]))] = \
                float(row["value"]) * 1e3
    return traces


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--same-as")
    p.add_argument("--tau-ms", type=float, required=True)
    p.add_argument("--sigma-mv", type=float, required=True)
    p.add_argument("--dt-ms", type=float, required=True)
    args = p.parse_args()
    traces = read(args.out)
    a = 1 - args.dt_ms / args.tau_ms
    s2 = args.sigma_mv ** 2 * 2 * args.dt_ms / args.tau_ms
    want_var = s2 / (1 - a * a)
    times = sorted(t for t in traces[0] if t >= 100)
    n = len(traces)
    values = [traces[i][t] for i in traces for t in times]
    independent = n * (times[-1] - times[0]) / (2 * args.tau_ms)
    failures = []

    def check(ok, what):
        print(f"{what}: {'ok' if ok else 'FAILED'}")
        if not ok:
            failures.append(what)

    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / len(values)
    se_mean = math.sqrt(want_var / independent)
    check(abs(mean) <= 4 * se_mean,
          f"mean {mean:.4f} mV (0 +- {4 * se_mean:.4f})")
    se_var = want_var * math.sqrt(2 / independent)
    check(abs(var - want_var) <= 4 * se_var,
          f"variance {var:.4f} mV^2 (Euler-Maruyama {want_var:.4f}, continuous "
          f"{args.sigma_mv ** 2:.4f}, +- {4 * se_var:.4f})")
    for lag in (5, 10, 20):
        num = sum(traces[i][t] * traces[i][t + lag]
                  for i in traces for t in times if t + lag in traces[i])
        den = sum(traces[i][t] ** 2
                  for i in traces for t in times if t + lag in traces[i])
        got = num / den
        want = a ** round(lag / args.dt_ms)
        se = math.sqrt((1 + want * want) / independent)
        check(abs(got - want) <= 4 * se,
              f"autocorrelation at {lag} ms {got:.4f} (Euler-Maruyama "
              f"{want:.4f}, continuous {math.exp(-lag / args.tau_ms):.4f}, "
              f"+- {4 * se:.4f})")
    # Neighbouring neurons: correlation of their traces.
    num = sum(traces[i][t] * traces[i + 1][t] for i in range(n - 1) for t in times)
    den = math.sqrt(sum(traces[i][t] ** 2 for i in range(n - 1) for t in times) *
                    sum(traces[i + 1][t] ** 2 for i in range(n - 1) for t in times))
    r = num / den
    se_r = 1 / math.sqrt(independent)
    check(abs(r) <= 4 * se_r,
          f"neurons independent (correlation of neighbours {r:.4f}, "
          f"+- {4 * se_r:.4f})")
    if args.same_as:
        other = read(args.same_as)
        check(other == traces, "identical with 2 threads")
    print("FAIL" if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
