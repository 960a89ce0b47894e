"""Compares the f64 and f32 projections of Inputs/precision.nn.

Every stored value of projection B (f32) must be a float32, and the same
as A's (f64) value within 1e-5 relative; A must hold values that are not
float32 (else the check of B proves nothing). The targets' spikes must be
the same. Then memory_bytes of the f32 run must be smaller than that of an
all-f64 run (OTHER_DIR, the same file without `precision f32;`) by exactly
4 bytes per value of B's state: (w, a_pre, a_post, last event step, delay)
= 5 rows x 400 synapses, both in total and in the synapses' share
(synapse_memory_bytes); bytes_per_synapse is that share over the 800
synapses of A and B.
"""
import csv
import json
import sys

import numpy as np

run, other = sys.argv[1], sys.argv[2]
values = {}
with open(f"{run}/traces.csv", newline="") as f:
    for row in csv.DictReader(f):
        values.setdefault((row["population"], row["variable"]), {})[
            int(row["index"])] = float(row["value"])

failures = 0
for var in ("w", "delay"):
    a = np.array([values[("A", var)][k] for k in sorted(values[("A", var)])])
    b = np.array([values[("B", var)][k] for k in sorted(values[("B", var)])])
    assert len(a) == len(b) == 400, (len(a), len(b))
    b_is_f32 = np.all(b.astype(np.float32).astype(np.float64) == b)
    a_is_f32 = np.mean(a.astype(np.float32).astype(np.float64) == a)
    scale = np.maximum(np.abs(a), 1e-12)
    rel = np.max(np.abs(a - b) / scale)
    ok = b_is_f32 and a_is_f32 < 0.5 and rel < 1e-5
    print(f"{var}: B all float32: {b_is_f32}; A float32 fraction "
          f"{a_is_f32:.3f}; max relative difference {rel:.2e}: "
          f"{'ok' if ok else 'FAIL'}")
    failures += not ok

with open(f"{run}/spikes.csv", newline="") as f:
    spikes = {"a": [], "b": []}
    for row in csv.DictReader(f):
        spikes[row["population"]].append((row["index"], row["time_ms"]))
ok = spikes["a"] == spikes["b"] and len(spikes["a"]) > 20
print(f"spikes: a {len(spikes['a'])}, b {len(spikes['b'])}, identical: "
      f"{spikes['a'] == spikes['b']}: {'ok' if ok else 'FAIL'}")
failures += not ok

s32 = json.load(open(f"{run}/summary.json"))
s64 = json.load(open(f"{other}/summary.json"))
expected = 5 * 400 * 4
for key in ("memory_bytes", "synapse_memory_bytes"):
    saved = s64[key] - s32[key]
    ok = saved == expected
    print(f"{key}: f64 {s64[key]}, f32 {s32[key]}, saved {saved} bytes "
          f"(expected {expected}): {'ok' if ok else 'FAIL'}")
    failures += not ok
per = s32["synapse_memory_bytes"] / s32["synapses"]
ok = s32["synapses"] == 800 and abs(s32["bytes_per_synapse"] - per) < 1e-9 * per
print(f"bytes_per_synapse {s32['bytes_per_synapse']} "
      f"(synapse_memory_bytes / synapses = {per}): {'ok' if ok else 'FAIL'}")
failures += not ok
sys.exit(1 if failures else 0)
