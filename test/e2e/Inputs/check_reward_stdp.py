"""Compares nnc's dopamine-modulated STDP run (test/e2e/reward-stdp.nn)
with Brian2's Izhikevich (2007) example (test/reference/reward_stdp_brian2.json).

1. spikes.csv: the neurons spike at exactly the reference's steps and the
   reward source at the dopamine times;
2. traces.csv: every sample (every 10 ms) of the synapse's s and c and of
   the dopamine modulator's level equals Brian2's s, c and d:
   |nnc - ref| <= rtol max|ref| + atol (rtol 1e-6, atol 1e-15), the scale
   of each trace being its largest magnitude (c crosses zero);
3. the shape, from nnc's samples alone: in the classical phase (t < 3 s)
   s changes only in the 10 ms windows of the 6 pairing spikes, and in the
   modulated phase it changes in windows without spikes, while dopamine is
   nonzero. (The first pre spike meets no post trace: 5 of the 6 pairing
   spikes change s.)

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
    p.add_argument("--synapse", default="S")
    p.add_argument("--modulator", default="dopamine")
    p.add_argument("--rtol", type=float, default=1e-6)
    p.add_argument("--atol", type=float, default=1e-15)
    a = p.parse_args()

    with open(a.reference) as f:
        ref = json.load(f)
    dt_ms = ref["dt_ms"]
    step_of = lambda t_ms: int(round(float(t_ms) / dt_ms))
    failures = []

    spikes = read_spikes(a.out, dt_ms)
    want_neurons = sorted((i, step_of(t)) for i, t in ref["neuron_spikes"])
    want_reward = sorted((0, step_of(t)) for t in ref["dopamine_spike_times_ms"])
    ok = sorted(spikes["neurons"]) == want_neurons and sorted(spikes["reward"]) == want_reward
    print(f"spikes: {len(spikes['neurons'])} of neurons, {len(spikes['reward'])} of reward "
          f"[{'ok' if ok else 'FAIL'}]")
    if not ok:
        failures.append(f"spikes differ: neurons {sorted(spikes['neurons'])} "
                        f"(expected {want_neurons}), reward {sorted(spikes['reward'])}")

    samples = read_samples(a.out, dt_ms)
    ref_steps = [step_of(t) for t in ref["t_ms"]]
    series = {"s": samples[(a.synapse, "s")], "c": samples[(a.synapse, "c")],
              "d": samples[(a.modulator, "level")]}
    for var, got in series.items():
        failure = compare_trace(var, got, ref_steps, ref[var], a.rtol, a.atol)
        if failure:
            failures.append(failure)

    # Shape: windows [t, t + 10 ms) in which s changed.
    s = series["s"]
    steps = sorted(s)
    half = step_of(ref["duration_s"] * 1000 / 2)
    window = step_of(ref["sample_every_ms"])
    pairing = {k // window for _, k in want_neurons}
    changed = {steps[j] // window for j in range(len(steps) - 1)
               if s[steps[j + 1]] != s[steps[j]]}
    classical = {w for w in changed if (w + 1) * window <= half}
    ok = classical <= pairing and len(classical) >= 4
    print(f"classical phase: s changed in {len(classical)} windows, all with spikes "
          f"[{'ok' if ok else 'FAIL'}]")
    if not ok:
        failures.append(f"classical phase: s changed in windows {sorted(classical)}")
    modulated = {w for w in changed if w * window >= half} - pairing
    ok = len(modulated) > 100
    print(f"modulated phase: s changed with dopamine [{'ok' if ok else 'FAIL'}] "
          f"({len(modulated)} windows without spikes)")
    if not ok:
        failures.append("modulated phase: s did not follow c * dopamine")

    for f_ in failures:
        print("FAIL:", f_, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
