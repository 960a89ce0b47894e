"""Checks connect-probability.nn: recovers each projection's synapses from
the steps at which the targets' input counts rise (source k is the only
one spiking in its step) and compares them with the probability rules,
computed here from the formulas."""
import csv
import math
import os
import sys
from collections import defaultdict

from nnc_output import read_spikes, read_summary

DT_MS = 0.1
SIGMA_UM = 50.0
N = 60


def synapses(out):
    """population -> set of (source, target)."""
    spikes = read_spikes(out, DT_MS)["src"]
    source_at = {step: index for index, step in spikes}
    assert len(source_at) == N, "every source spikes once, alone in its step"
    counts = defaultdict(dict)  # (pop, index) -> step -> value
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            step = int(round(float(row["time_ms"]) / DT_MS))
            counts[(row["population"], int(row["index"]))][step] = float(
                row["value"])
    found = defaultdict(set)
    for (pop, j), series in counts.items():
        previous = 0.0
        for step in sorted(series):
            rise = series[step] - previous
            previous = series[step]
            if rise == 0:
                continue
            assert rise == 1, f"{pop}[{j}] got {rise} inputs at step {step}"
            # Monitors sample at the start of a step (docs/semantics.md):
            # an input delivered in step k shows from step k + 1 on.
            assert step - 1 in source_at, \
                f"{pop}[{j}] rose at step {step}, after no source spiked"
            found[pop].add((source_at[step - 1], j))
    return found


def gauss_p(i, j):
    dx = abs(10.0 * i - (10.0 * j + 5.0))
    p = 0.8 * math.exp(-dx * dx / (2 * SIGMA_UM ** 2))
    return p * min(max(101.0 - dx, 0.0), 1.0)


def check(out):
    found = synapses(out)
    ordered = {(i, j) for i in range(N) for j in range(N) if j > i}
    assert found["ordered"] == ordered, "ordered: synapses differ from j > i"
    gauss = found["gauss"]
    for i, j in gauss:
        assert gauss_p(i, j) > 0, f"gauss: synapse {i} -> {j} where p = 0"
    # Overall and per distance (in steps of 10 um) against the sum of p.
    bins = defaultdict(lambda: [0, 0.0, 0.0])
    for i in range(N):
        for j in range(N):
            p = gauss_p(i, j)
            b = bins[abs(10 * i - (10 * j + 5)) // 10]
            b[0] += (i, j) in gauss
            b[1] += p
            b[2] += p * (1 - p)
    total = sum(b[0] for b in bins.values())
    mean = sum(b[1] for b in bins.values())
    sd = math.sqrt(sum(b[2] for b in bins.values()))
    assert abs(total - mean) <= 5 * sd, \
        f"gauss: {total} synapses, expected {mean:.1f} +- {sd:.1f}"
    for distance, (count, m, v) in sorted(bins.items()):
        assert abs(count - m) <= 5 * math.sqrt(v) + 1e-9, \
            f"gauss: {count} synapses at {distance * 10} um, expected {m:.1f}"
    assert read_summary(out)["synapses"] == len(ordered) + total
    return gauss, total, mean, sd


a, total, mean, sd = check(sys.argv[1])
b = check(sys.argv[2])[0]
c = check(sys.argv[3])[0]
assert a == b, "the same seed must give the same synapses"
assert a != c, "another seed must give other synapses"
print(f"gauss: {total} synapses, expected {mean:.1f} +- {sd:.1f}; "
      f"ordered: {N * (N - 1) // 2} exact")
