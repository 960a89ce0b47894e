"""Compares test/e2e/rate-plasticity.nn with Brian2's reference.

The target must fire exactly one step after each driver spike (the times
Brian2's target fires at), and w of every synapse of H, O and S, sampled
every 10 ms, must match Brian2's within 1e-6 relative (absolute 1e-12).
"""
import csv
import json
import sys

out, reference = sys.argv[1], json.load(open(sys.argv[2]))
failures = 0

spikes = {"driver": [], "target": []}
with open(f"{out}/spikes.csv", newline="") as f:
    for row in csv.DictReader(f):
        spikes[row["population"]].append(round(float(row["time_ms"]), 1))
expected = [round(t + reference["dt_ms"], 1) for t in spikes["driver"]]
ok = (spikes["target"] == expected ==
      [round(t, 1) for t in reference["post_spike_times_ms"]])
print(f"target spikes: {len(spikes['target'])} at driver + dt "
      f"[{'ok' if ok else 'FAIL'}]")
failures += not ok

w = {}
with open(f"{out}/traces.csv", newline="") as f:
    for row in csv.DictReader(f):
        w.setdefault(row["population"], {}).setdefault(
            int(row["index"]), []).append(float(row["value"]))
for name in ("H", "O", "S"):
    ref = reference["w"][name]
    worst, count = 0.0, 0
    for k, ref_row in enumerate(ref):
        got = w[name][k]
        if len(got) != len(ref_row):
            worst = float("inf")
            break
        for a, b in zip(got, ref_row):
            err = abs(a - b) / (1e-6 * abs(b) + 1e-12)
            worst = max(worst, err)
            count += 1
    ok = worst <= 1.0
    print(f"{name}: {count} samples, worst error / tolerance {worst:.3g} "
          f"[{'ok' if ok else 'FAIL'}]")
    failures += not ok
sys.exit(1 if failures else 0)
