"""Compares nnc's Tsodyks-Markram short-term plasticity traces
(test/e2e/stp.nn) with Brian2's (test/reference/stp_brian2.json).

For every synapse of the reference (a projection of that name, synapse 0,
onto the population named by its `target`, neuron 0):
1. spikes.csv: the spike source `--pre` spikes exactly at the reference's
   steps;
2. traces.csv: every sample of the target's g and the synapse's u and x
   (sampled at the start of a step, event-driven states as stored) equals
   the reference's piecewise-constant trace: the initial value (g = 0,
   u = U, x = 1) up to and including the first spike's step, then the
   values after each spike from the step after it; per spike, the increment
   of g (sample after minus sample at the spike's step) equals Brian2's.
   Tolerance: |nnc - ref| <= rtol |ref| + atol (rtol 1e-6, atol 1e-15);
3. the shape, from nnc's increments alone: the depressing synapse's
   increments fall strictly along the 20 Hz train and the recovery spike's
   lies between the last and the first; the facilitating synapse's grow
   strictly along the train; the first increment of each is w U.

Prints a table per synapse (spike, nnc increment, Brian2 increment, u, x,
relative error) and exits 1 on any failure.
"""
import argparse
import csv
import json
import os
import sys
from collections import defaultdict


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", help="nnc's output directory")
    p.add_argument("--reference", required=True)
    p.add_argument("--pre", default="pre", help="spike source population (default pre)")
    p.add_argument("--rtol", type=float)
    p.add_argument("--atol", type=float, default=1e-15)
    a = p.parse_args()

    with open(a.reference) as f:
        ref = json.load(f)
    rtol = a.rtol if a.rtol is not None else ref["rtol"]
    atol = a.atol
    dt_ms = ref["dt_ms"]
    step_of = lambda t_ms: int(round(float(t_ms) / dt_ms))
    failures = []

    samples = defaultdict(dict)  # (population, variable) -> {step: value}
    with open(os.path.join(a.out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            if int(row["index"]) == 0:
                samples[(row["population"], row["variable"])][step_of(row["time_ms"])] = \
                    float(row["value"])
    pre_steps = []
    with open(os.path.join(a.out, "spikes.csv")) as f:
        for row in csv.DictReader(f):
            if row["population"] == a.pre:
                pre_steps.append(step_of(row["time_ms"]))
    want_steps = sorted({e["step"] for syn in ref["synapses"].values() for e in syn["spikes"]})
    ok = sorted(pre_steps) == want_steps
    print(f"spikes of {a.pre}: steps {sorted(pre_steps)} (expected {want_steps}) "
          f"[{'ok' if ok else 'FAIL'}]")
    if not ok:
        failures.append(f"spikes of {a.pre} differ from the reference's train")

    def close(got, want):
        return abs(got - want) <= rtol * abs(want) + atol

    worst = 0.0
    increments = {}
    for name, syn in ref["synapses"].items():
        par = syn["parameters"]
        series = {"g": samples.get((par["target"], "g"), {}),
                  "u": samples.get((name, "u"), {}),
                  "x": samples.get((name, "x"), {})}
        for var, s in series.items():
            if not s:
                failures.append(f"{name}: no samples of {var} in traces.csv")
        if any(not s for s in series.values()):
            continue
        spikes = syn["spikes"]
        # Every sample against the piecewise-constant reference.
        checked = 0
        for var, s in series.items():
            first_bad = None
            for k in sorted(s):
                done = [e for e in spikes if e["step"] < k]
                want = done[-1][var + "_after"] if done else syn["initial"][var]
                got = s[k]
                if want:
                    worst = max(worst, abs(got - want) / abs(want))
                checked += 1
                if not close(got, want) and first_bad is None:
                    first_bad = (k, got, want)
            if first_bad:
                k, got, want = first_bad
                failures.append(f"{name}: {var} at step {k} ({k * dt_ms:g} ms) is {got!r}, "
                                f"Brian2 {want!r}")
        last_step = max(max(s) for s in series.values())
        if last_step <= spikes[-1]["step"]:
            failures.append(f"{name}: no sample after the last spike (step {spikes[-1]['step']})")
        # Per-spike increments of g.
        print(f"\n{name}: U = {par['U']:g}, tau_d = {par['tau_d_ms']:g} ms, "
              f"tau_f = {par['tau_f_ms']:g} ms, w = {par['w']:g}; {checked} samples checked")
        print(f"{'t ms':>6} {'nnc increment':>20} {'Brian2 increment':>20} {'rel. err':>9} "
              f"{'nnc u after':>18} {'nnc x after':>18}")
        incs = []
        for e in spikes:
            s = e["step"]
            g = series["g"]
            if s not in g or s + 1 not in g:
                failures.append(f"{name}: g not sampled at steps {s} and {s + 1}")
                incs.append(float("nan"))
                continue
            inc = g[s + 1] - g[s]
            incs.append(inc)
            rel = abs(inc - e["increment"]) / abs(e["increment"])
            worst = max(worst, rel)
            good = close(inc, e["increment"])
            print(f"{e['time_ms']:6g} {inc:20.15g} {e['increment']:20.15g} {rel:9.1e} "
                  f"{series['u'].get(s + 1, float('nan')):18.12g} "
                  f"{series['x'].get(s + 1, float('nan')):18.12g}{'' if good else '  FAIL'}")
            if not good:
                failures.append(f"{name}: increment at {e['time_ms']:g} ms is {inc!r}, "
                                f"Brian2 {e['increment']!r}")
        increments[name] = (incs, par)

    # Shape, from nnc's increments.
    shape = []
    if "depressing" in increments:
        incs, par = increments["depressing"]
        train, recovery = incs[:-1], incs[-1]
        shape.append(("depressing: first increment is w U",
                      abs(incs[0] - par["w"] * par["U"]) <= 1e-12))
        shape.append(("depressing: increments fall along the train",
                      all(x > y for x, y in zip(train, train[1:]))))
        shape.append(("depressing: recovery spike between the last and the first",
                      train[-1] < recovery < train[0]))
    if "facilitating" in increments:
        incs, par = increments["facilitating"]
        train = incs[:-1]
        shape.append(("facilitating: first increment is w U",
                      abs(incs[0] - par["w"] * par["U"]) <= 1e-12))
        shape.append(("facilitating: increments grow along the train",
                      all(x < y for x, y in zip(train, train[1:]))))
    print()
    for what, good in shape:
        print(f"shape: {what} [{'ok' if good else 'FAIL'}]")
        if not good:
            failures.append(f"shape: {what}")

    print(f"\nworst relative error: {worst:.2e} (rtol {rtol:g}, atol {atol:g})")
    if failures:
        print("FAIL:")
        for msg in failures:
            print("  " + msg)
        sys.exit(1)
    print("PASS: short-term plasticity agrees with Brian2")


if __name__ == "__main__":
    main()
