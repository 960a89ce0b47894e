"""Checks test/e2e/dense-layer.test's run: the synapses of L are the nonzero
entries of W (source, target, w in mV) and every output holds its column's
sum. Prints what it compared; exits 1 on a mismatch."""
import csv
import os
import sys
from collections import defaultdict

import numpy as np

out, matrix = sys.argv[1], np.load(sys.argv[2])
syn = defaultdict(dict)
v = {}
with open(os.path.join(out, "traces.csv")) as f:
    for row in csv.DictReader(f):
        value = float(row["value"])
        if row["population"] == "L":
            syn[int(row["index"])][row["variable"]] = value
        else:
            v[int(row["index"])] = value * 1e3
got = sorted((int(s["source"]), int(s["target"]), round(s["w"] * 1e3, 12))
             for s in syn.values())
want = [(i, j, float(matrix[i, j])) for i in range(matrix.shape[0])
        for j in range(matrix.shape[1]) if matrix[i, j] != 0]
ok_syn = got == want
print("synapses: " + ", ".join(str(t) for t in got) + (": ok" if ok_syn else ": FAILED"))
sums = [round(v[j], 12) for j in range(matrix.shape[1])]
ok_v = sums == [float(x) for x in matrix.sum(axis=0)]
print(f"v = {sums} mV" + (": ok" if ok_v else ": FAILED"))
sys.exit(0 if ok_syn and ok_v else 1)
