"""Compares nnc's synaptically activated astrocyte (test/e2e/astrocyte.nn)
with Brian2's Stimberg et al. (2018) Fig. 2 model
(test/reference/astrocyte_brian2.json).

1. spikes.csv: the source neuron spikes at exactly the reference's steps;
2. traces.csv: every sample (every 50 ms) of the astrocyte's Gamma_A, I,
   C, h and Y_S (population --astro) and of the synapse's Y_S (projection
   --synapse, synapse 0) equals Brian2's:
   |nnc - ref| <= rtol max|ref| + atol (rtol 1e-6, atol 1e-15);
3. the shape, from nnc's samples alone: the calcium rises above 0.5 uM
   (5e-4 mol/m^3) at least once (a Ca2+ response to the synaptic input).

Prints one line per check and exits 1 on any failure.
"""
import argparse
import json
import sys

from nnc_output import compare_trace, read_samples, read_spikes


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", help="nnc's output directory")
    p.add_argument("--reference", required=True)
    p.add_argument("--astro", default="astro")
    p.add_argument("--synapse", default="S")
    p.add_argument("--source", default="source")
    p.add_argument("--rtol", type=float, default=1e-6)
    p.add_argument("--atol", type=float, default=1e-15)
    a = p.parse_args()

    with open(a.reference) as f:
        ref = json.load(f)
    dt_ms = ref["dt_ms"]
    step_of = lambda t_ms: int(round(float(t_ms) / dt_ms))
    failures = []

    steps = [k for _, k in read_spikes(a.out, dt_ms)[a.source]]
    want = [step_of(t) for t in ref["source_spike_times_ms"]]
    ok = sorted(steps) == want
    print(f"spikes: {len(steps)} of {a.source} [{'ok' if ok else 'FAIL'}]")
    if not ok:
        failures.append(f"spike steps {sorted(steps)}, expected {want}")

    samples = read_samples(a.out, dt_ms)
    ref_steps = [step_of(t) for t in ref["t_ms"]]
    series = {name: samples[(a.astro, name)] for name in ("Gamma_A", "I", "C", "h")}
    series["Y_S_astro"] = samples[(a.astro, "Y_S")]
    series["Y_S_synapse"] = samples[(a.synapse, "Y_S")]
    for var, got in series.items():
        failure = compare_trace(var, got, ref_steps, ref[var], a.rtol, a.atol)
        if failure:
            failures.append(failure)

    calcium = [series["C"][s] for s in sorted(series["C"])]
    rises = sum(1 for x, y in zip(calcium, calcium[1:]) if x <= 5e-4 < y)
    ok = rises >= 1
    print(f"calcium: {rises} rises above 0.5 uM [{'ok' if ok else 'FAIL'}]")
    if not ok:
        failures.append("the calcium never rises above 0.5 uM")

    for f_ in failures:
        print("FAIL:", f_, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
