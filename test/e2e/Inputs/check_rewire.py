"""Replays test/e2e/rewire.nn's structural plasticity synapse by synapse.

Rewiring happens at the start of every step k = 100 m (10 ms), after the
monitors sample, so the sample at k shows the synapse before it: a synapse
with w < 0.3 there restarts (w = 1, n_post = 0) and moves to another
target; its target from k on is the one sampled at the next boundary (or
at the end). In each step, a spike of its source multiplies w by 0.7 and a
spike of its current target adds 1 to n_post.
"""
import csv
import json
import os
import sys
from collections import defaultdict

PERIOD, THRESHOLD, DT_MS = 100, 0.3, 0.1


def main():
    out = sys.argv[1]
    spikes = defaultdict(set)  # (population, neuron) -> steps
    last_step = 0
    with open(os.path.join(out, "spikes.csv")) as f:
        for row in csv.DictReader(f):
            step = round(float(row["time_ms"]) / DT_MS)
            spikes[(row["population"], int(row["index"]))].add(step)
    samples = defaultdict(dict)  # (variable, synapse) -> {step: value}
    final = defaultdict(dict)    # variable -> {synapse: value}
    with open(os.path.join(out, "traces.csv")) as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    end_step = round(summary["duration_s"] * 1e3 / DT_MS)
    for row in rows:
        step = round(float(row["time_ms"]) / DT_MS)
        if step == end_step:
            final[row["variable"]][int(row["index"])] = float(row["value"])
        else:
            samples[(row["variable"], int(row["index"]))][step] = float(row["value"])
    synapses = sorted({s for (v, s) in samples if v == "w"})
    boundaries = sorted(samples[("w", synapses[0])])
    ok = all(len({s for (v, s) in samples if v == var}) == 100
             for var in ("w", "target"))
    print(f"synapses: {len(synapses)} at every boundary" if ok else "synapse count FAIL")

    def target_at(s, k):
        """The synapse's target during step k."""
        later = [b for b in boundaries if b > k]
        return int(samples[("target", s)][later[0]] if later else final["target"][s])

    matched = moved = 0
    kept_ok = True
    for s in synapses:
        source = int(samples[("source", s)][0])
        w, n_post = 1.0, 0
        for k in range(end_step):
            if k > 0 and k % PERIOD == 0:
                if abs(samples[("w", s)][k] - w) > 1e-12 or samples[("n_post", s)][k] != n_post:
                    print(f"synapse {s} at step {k}: w {samples[('w', s)][k]} "
                          f"n_post {samples[('n_post', s)][k]}, replay {w} {n_post}")
                    ok = False
                matched += 1
                before = int(samples[("target", s)][k])
                after = target_at(s, k)
                if w < THRESHOLD:
                    w, n_post = 1.0, 0
                    moved += 1
                    kept_ok &= after != before
                else:
                    kept_ok &= after == before
            if k in spikes[("a", source)]:
                w *= 0.7
            if k in spikes[("b", target_at(s, k))]:
                n_post += 1
        if abs(final["w"][s] - w) > 1e-12 or final["n_post"][s] != n_post:
            print(f"synapse {s} at the end: w {final['w'][s]} n_post "
                  f"{final['n_post'][s]}, replay {w} {n_post}")
            ok = False
    print(f"w: {matched} samples match the replay" if ok else "w: FAIL")
    print(f"moved: {moved} synapses, as replayed; unmoved targets kept"
          if kept_ok else "moved: FAIL")
    ok &= kept_ok
    distinct = True
    for b in boundaries + [end_step]:
        by_source = defaultdict(list)
        for s in synapses:
            src = int(samples[("source", s)][0])
            tgt = int(final["target"][s]) if b == end_step else int(samples[("target", s)][b])
            by_source[src].append(tgt)
        distinct &= all(len(set(t)) == len(t) for t in by_source.values())
    print("targets distinct per source: " + ("ok" if distinct else "FAIL"))
    ok &= distinct
    print("final w and n_post: " + ("ok" if ok else "FAIL"))
    same = summary["rewired_synapses"] == moved
    print("summary rewired_synapses: " + ("ok" if same else
                                          f"{summary['rewired_synapses']} FAIL"))
    ok &= same
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
