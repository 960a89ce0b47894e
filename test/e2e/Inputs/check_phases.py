"""Checks summary.json's phases (test/e2e/program-phases.nn): each phase's
spikes are the spike file's spikes whose step lies in [start, end)."""
import csv
import json
import sys

summary, spikes_path, dt_ms = sys.argv[1], sys.argv[2], float(sys.argv[3])
phases = json.load(open(summary))["phases"]
steps = [round(float(r["time_ms"]) / dt_ms)
         for r in csv.DictReader(open(spikes_path))]
print(f"{len(phases)} phases: " + " ".join(p["name"] for p in phases))
ok = [p["depth"] for p in phases] == [0, 0, 1, 0, 1]
for p in phases:
    lo, hi = round(p["start_ms"] / dt_ms), round(p["end_ms"] / dt_ms)
    want = sum(1 for s in steps if lo <= s < hi)
    ok &= p["spikes"]["src"] == want
    ok &= abs(p["rates_hz"]["src"] - want / (2 * (hi - lo) * dt_ms * 1e-3)) < 1e-9
print("spikes per phase equal the spike file's within each span "
      f"[{'ok' if ok else 'FAIL'}]")
sys.exit(0 if ok else 1)
