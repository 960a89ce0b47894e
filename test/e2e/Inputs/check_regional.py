"""Checks test/e2e/regional-modulators.nn.

Region k of `da` decays with tau and jumps by 1 for every release spike of
source k: a spike at step s is delivered in step s, so the sample at step
m > s holds exp(-(m - 1 - s) dt / tau) of it (the exact solver). A
follower's x' = m / 1 s with m its region's level, constant within a step
at its start-of-step value, so x at sample m is the sum of that region's
samples 0 .. m-1 times dt / 1 s. A synapse handler in step m runs after
the modulators' update and the earlier projections' deliveries: it reads
sample m + 1. Exits 1 on a failure.
"""
import argparse
import csv
import math
import os
import sys
from collections import defaultdict


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--release", required=True)
    p.add_argument("--tau-ms", type=float, required=True)
    p.add_argument("--dt-ms", type=float, required=True)
    args = p.parse_args()
    dt = args.dt_ms
    traces = defaultdict(dict)
    with open(os.path.join(args.out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            step = round(float(row["time_ms"]) / dt)
            traces[(row["population"], int(row["index"]), row["variable"])][
                step] = float(row["value"])
    releases = defaultdict(list)
    with open(args.release) as f:
        for row in csv.DictReader(f):
            releases[int(row["index"])].append(
                round(float(row["time_ms"]) / dt))
    ok = True

    def level(k, m):
        return traces[("da", k, "level")][m]

    worst = 0.0
    phase1 = [m for m in traces[("da", 0, "level")] if m < 100]
    for k in range(4):
        for m in phase1:
            want = sum(math.exp(-(m - 1 - s) * dt / args.tau_ms)
                       for s in releases[k] if s < m)
            worst = max(worst, abs(level(k, m) - want))
    tag = "ok" if worst < 1e-12 else "FAIL"
    ok &= tag == "ok"
    print(f"levels: 4 regions x {len(phase1)} samples, largest error "
          f"{worst:.1e} [{tag}]")

    for pop, n, region in (("p", 8, lambda i: i // 2),
                           ("q", 6, lambda i: min(max(i - 1, 0), 3))):
        worst = 0.0
        for i in range(n):
            integral = 0.0
            for m in phase1:
                worst = max(worst, abs(traces[(pop, i, "x")][m] - integral))
                integral += level(region(i), m) * dt * 1e-3
        tag = "ok" if worst < 1e-12 else "FAIL"
        ok &= tag == "ok"
        regions = " ".join(str(region(i)) for i in range(n))
        print(f"{pop}: {n} neurons follow regions {regions}, largest error "
              f"{worst:.1e} [{tag}]")

    # Every release spike (4 sources, all_to_all onto r) adds region 2's
    # level to y. Handlers run after the modulators' update and after the
    # deliveries of projections declared before them (the release into da):
    # they read the level at the end of the step, the next sample.
    worst, deliveries = 0.0, 0
    y = 0.0
    spikes = sorted(s for k in range(4) for s in releases[k])
    for m in phase1:
        worst = max(worst, abs(traces[("r", 0, "y")][m] - y))
        for s in spikes:
            if s == m:
                y += level(2, m + 1)
                deliveries += 1 if m < 100 else 0
    tag = "ok" if worst < 1e-12 and deliveries == len(spikes) else "FAIL"
    ok &= tag == "ok"
    print(f"S: {deliveries} deliveries read region 2, largest error "
          f"{worst:.1e} [{tag}]")

    zero = all(level(k, m) == 0 for k in range(4)
               for m in traces[("da", k, "level")] if m >= 101)
    ok &= zero
    print(f"after 'da.level = 0': all regions 0 [{'ok' if zero else 'FAIL'}]")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
