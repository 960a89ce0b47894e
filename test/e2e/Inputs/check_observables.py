"""Checks test/e2e/program-observables.nn's recorded results."""
import csv
import math
import os
import sys

out = sys.argv[1]
v = {}
with open(os.path.join(out, "traces.csv")) as f:
    for row in csv.DictReader(f):
        v[row["variable"]] = float(row["value"])
ok = True


def report(text, good):
    global ok
    ok &= good
    print(f"{text} [{'ok' if good else 'FAIL'}]")


report(f"before any step: argmax {v['a0']:g}", v["a0"] == -1)
report(f"after phase 1: argmax {v['a1']:g}", v["a1"] == 0)
want = 2 * math.exp(-0.5)
report(f"after phase 1: mean x = {v['m'] * 1e3:.7f} mV, expected 2 mV "
       f"exp(-0.5) = {want:.7f} mV", abs(v["m"] * 1e3 - want) < 1e-12)
report(f"phase 2 ended at t = {v['t2'] * 1e3:g} ms",
       abs(v["t2"] * 1e3 - 6.6) < 1e-9)
report(f"after phase 2: argmax {v['a2']:g}", v["a2"] == 1)
report(f"mean of modulator da (4 regions set to 0.1) = {v['d']:g}",
       abs(v["d"] - 0.1) < 1e-15)
sys.exit(0 if ok else 1)
