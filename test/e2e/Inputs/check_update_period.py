"""Replays test/e2e/update-period.nn: a charging neuron (V = 100 mV, tau =
10 ms, threshold 50 mV, reset 0) updated every m steps of 0.1 ms (m = 1:
fast, m = 10: slow). An update at step k integrates exactly over m steps,
then checks the threshold; a spike is recorded at step k. A sample at step
k shows the state before that step's update."""
import csv
import math
import os
import sys

DT, TAU, V_INF, THRESHOLD, STEPS = 1e-4, 1e-2, 0.1, 0.05, 500


def replay(m):
    v, spikes, samples = 0.0, [], {}
    for k in range(STEPS):
        samples[k] = v
        if k % m:
            continue
        v = V_INF + (v - V_INF) * math.exp(-m * DT / TAU)
        if v > THRESHOLD:
            spikes.append(k)
            v = 0.0
    return spikes, samples


def main():
    out = sys.argv[1]
    got_spikes = {"fast": [], "slow": []}
    with open(os.path.join(out, "spikes.csv")) as f:
        for row in csv.DictReader(f):
            got_spikes[row["population"]].append(round(float(row["time_ms"]) / 0.1))
    got_v = {"fast": {}, "slow": {}}
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            got_v[row["population"]][round(float(row["time_ms"]) / 0.1)] = float(row["value"])
    ok = True
    worst, count = 0.0, 0
    first = {}
    for name, m in (("fast", 1), ("slow", 10)):
        spikes, samples = replay(m)
        same = got_spikes[name] == spikes
        ok &= same
        print(f"{name}: {len(got_spikes[name])} spikes "
              + ("at the replay's steps" if same else f"FAIL (replay {spikes})"))
        first[name] = got_spikes[name][0] * 0.1 if got_spikes[name] else None
        for k, v in got_v[name].items():
            if k < STEPS:
                worst = max(worst, abs(v - samples[k]) / V_INF)
                count += 1
    print(f"first spikes (ms): fast {first['fast']:.1f}, slow {first['slow']:.1f}")
    print(f"v: {count} samples " + ("within 1e-9 of the replay" if worst < 1e-9
                                    else f"FAIL (largest error {worst:.2e})"))
    ok &= worst < 1e-9
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
