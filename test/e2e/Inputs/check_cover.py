"""Checks the covers of test/e2e/cover-domain.nn: astrocyte a's `total` and
`average` are the sum and the mean of y over the synapses onto targets 2a
and 2a + 1 (none for an astrocyte beyond them: 0), and every astrocyte's
`all_z` is the sum of z over all synapses; each synapse's g_a is twice its
astrocyte's total (0 if no astrocyte covers it) and t_all the sum of
every astrocyte's total.

Synapse k of the all-to-all projection S connects source k // targets to
target k % targets (storage order: by source, then target). A cover runs
at the start of a step, after the monitors sampled it, so the astrocyte
sample at step s (s >= 1) must equal the reduction of the synapse samples
at step s - 1, to 1e-12 relative; the sample at step 0 is the initial 0.
Covers run in declaration order, so g_a and t_all, sampled at step s,
were computed from the totals sampled at step s.
Exits 1 on any failure.
"""
import argparse
import csv
import os
import sys
from collections import defaultdict


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out")
    p.add_argument("--sources", type=int, required=True)
    p.add_argument("--targets", type=int, required=True)
    p.add_argument("--astrocytes", type=int, required=True)
    a = p.parse_args()

    s = defaultdict(dict)  # (population, variable, index) -> {step: value}
    with open(os.path.join(a.out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            step = int(round(float(row["time_ms"])))
            s[(row["population"], row["variable"], int(row["index"]))][step] = \
                float(row["value"])
    synapses = a.sources * a.targets
    steps = sorted(s[("astro", "total", 0)])
    failures = []

    def close(got, want):
        return abs(got - want) <= 1e-12 * max(abs(want), 1.0)

    def check(var, reduce):
        for astro in range(a.astrocytes):
            for step in steps:
                got = s[("astro", var, astro)][step]
                want = 0.0 if step == 0 else reduce(astro, step - 1)
                if not close(got, want):
                    failures.append(f"{var} of astrocyte {astro} at step {step}: "
                                    f"{got!r}, expected {want!r}")

    def covered(astro):
        return [k for k in range(synapses) if (k % a.targets) // 2 == astro]

    def total(astro, step):
        return sum(s[("S", "y", k)][step] for k in covered(astro))

    def average(astro, step):
        ks = covered(astro)
        return total(astro, step) / len(ks) if ks else 0.0

    n = len(failures)
    check("total", total)
    print(f"total: {a.astrocytes} astrocytes x {len(steps)} samples, sums of "
          f"{len(covered(0))} synapses each [{'ok' if len(failures) == n else 'FAIL'}]")
    n = len(failures)
    check("average", average)
    print(f"average: {a.astrocytes} astrocytes x {len(steps)} samples "
          f"[{'ok' if len(failures) == n else 'FAIL'}]")
    n = len(failures)
    check("all_z", lambda astro, step: sum(s[("S", "z", k)][step] for k in range(synapses)))
    print(f"all_z: {a.astrocytes} astrocytes x {len(steps)} samples, sums of "
          f"{synapses} synapses [{'ok' if len(failures) == n else 'FAIL'}]")
    n = len(failures)
    uncovered = 0
    for k in range(synapses):
        astro = (k % a.targets) // 2
        uncovered += astro >= a.astrocytes
        for step in steps:
            want = 0.0 if astro >= a.astrocytes else 2 * s[("astro", "total", astro)][step]
            got = s[("S", "g_a", k)][step]
            if not close(got, want):
                failures.append(f"g_a of synapse {k} at step {step}: {got!r}, expected {want!r}")
    print(f"g_a: {synapses} synapses x {len(steps)} samples, {uncovered} uncovered "
          f"[{'ok' if len(failures) == n else 'FAIL'}]")
    n = len(failures)
    for k in range(synapses):
        for step in steps:
            want = sum(s[("astro", "total", astro)][step] for astro in range(a.astrocytes))
            got = s[("S", "t_all", k)][step]
            if not close(got, want):
                failures.append(f"t_all of synapse {k} at step {step}: {got!r}, expected {want!r}")
    print(f"t_all: {synapses} synapses x {len(steps)} samples "
          f"[{'ok' if len(failures) == n else 'FAIL'}]")
    for f_ in failures[:10]:
        print("FAIL:", f_, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
