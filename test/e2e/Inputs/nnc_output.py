"""Reading nnc's output directory (summary.json, spikes.csv, traces.csv,
rates.csv) and comparing sampled traces with a reference, for the checkers
of this directory.

Times become steps, round(time_ms / dt_ms).
"""
import csv
import json
import os
from collections import defaultdict


def read_spikes(out, dt_ms):
    """population -> [(index, step)] in file order."""
    spikes = defaultdict(list)
    with open(os.path.join(out, "spikes.csv")) as f:
        for row in csv.DictReader(f):
            spikes[row["population"]].append(
                (int(row["index"]), int(round(float(row["time_ms"]) / dt_ms))))
    return spikes


def read_summary(out):
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f)


def read_spike_rows(out):
    """spikes.csv's rows as (population, index, time_ms) strings, in file
    order."""
    with open(os.path.join(out, "spikes.csv")) as f:
        return [(r["population"], r["index"], r["time_ms"])
                for r in csv.DictReader(f)]


def read_rates(out):
    """rates.csv's rows as (population, t_start_ms, t_end_ms, spikes,
    rate_hz), in file order."""
    with open(os.path.join(out, "rates.csv")) as f:
        return [(r["population"], float(r["t_start_ms"]), float(r["t_end_ms"]),
                 int(r["spikes"]), float(r["rate_hz"]))
                for r in csv.DictReader(f)]


def read_samples(out, dt_ms, index=0):
    """(population, variable) -> {step: value} of neuron (or synapse)
    `index`."""
    samples = defaultdict(dict)
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            if int(row["index"]) == index:
                step = int(round(float(row["time_ms"]) / dt_ms))
                samples[(row["population"], row["variable"])][step] = float(row["value"])
    return samples


def read_all_samples(out, dt_ms):
    """(population, variable, index) -> {step: value} of every neuron (or
    synapse) in traces.csv."""
    samples = defaultdict(dict)
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            step = int(round(float(row["time_ms"]) / dt_ms))
            samples[(row["population"], row["variable"], int(row["index"]))][step] = \
                float(row["value"])
    return samples


def compare_trace(name, got, steps, want, rtol, atol):
    """Compares samples `got` ({step: value}) with reference values `want`
    at `steps`: |nnc - ref| <= rtol max|ref| + atol (the scale of the
    trace, since traces cross zero). Prints one line; returns a failure
    message or None."""
    scale = max(abs(v) for v in want)
    missing = [s for s in steps if s not in got]
    worst = max((abs(got[s] - w) for s, w in zip(steps, want) if s in got),
                default=float("inf"))
    ok = not missing and worst <= rtol * scale + atol
    print(f"{name}: {len(got)} samples, max |nnc - Brian2| = {worst:.3g} "
          f"(scale {scale:.3g}) [{'ok' if ok else 'FAIL'}]")
    if ok:
        return None
    return f"{name}: {len(missing)} samples missing, worst difference {worst:.3g}"
