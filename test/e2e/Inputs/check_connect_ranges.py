"""Checker of test/e2e/connect-ranges.nn (synapse sources and targets)."""
import csv
import math
import os
import sys
from collections import defaultdict

out = sys.argv[1]
syn = defaultdict(dict)
with open(os.path.join(out, "traces.csv")) as f:
    for row in csv.DictReader(f):
        syn[(row["population"], int(row["index"]))][row["variable"]] = int(float(row["value"]))
pairs = defaultdict(list)
for (proj, _), v in syn.items():
    pairs[proj].append((v["source"], v["target"]))
ok = True


def report(good, text):
    global ok
    ok &= good
    print(text + (" [ok]" if good else " [FAIL]"))


a = pairs["A"]
report(sorted(a) == [(i, j) for i in range(50) for j in range(80)],
       f"A: {len(a)} synapses, every pair of p[0:50] x q once")
b = pairs["B"]
report(sorted(b) == [(50 + k, 20 + k) for k in range(20)],
       f"B: {len(b)} synapses, p[50 + k] -> q[20 + k]")
c = pairs["C"]
n, p = 100 * 20, 0.5
inside = all(0 <= i < 100 and 60 <= j < 80 for i, j in c) and len(set(c)) == len(c)
report(inside and abs(len(c) - n * p) <= 5 * math.sqrt(n * p * (1 - p)),
       f"C: {len(c)} synapses in p x q[60:80], expected {n * p:.0f} +- "
       f"{math.sqrt(n * p * (1 - p)):.0f}")
d = pairs["D"]
expected = sum(max(0.0, min(1.0, 0.9 - 0.1 * abs(i - 10 - j)))
               for i in range(10, 20) for j in range(10))
report(all(10 <= i < 20 and 0 <= j < 10 for i, j in d)
       and abs(len(d) - expected) <= 5 * math.sqrt(expected),
       f"D: {len(d)} synapses in p[10:20] x q[0:10]")
from collections import Counter


def degrees(pairs, side):
    return Counter(p[side] for p in pairs)


e = pairs["E"]
indeg = degrees(e, 1)
report(all(10 <= i < 40 and 20 <= j < 60 for i, j in e)
       and len(set(e)) == len(e) and sorted(indeg) == list(range(20, 60))
       and set(indeg.values()) == {5},
       f"E: {len(e)} synapses, each of q[20:60] from 5 distinct sources in "
       "p[10:40]")
f = pairs["F"]
outdeg = degrees(f, 0)
report(all(50 <= i < 60 and 0 <= j < 80 for i, j in f)
       and len(set(f)) == len(f) and sorted(outdeg) == list(range(50, 60))
       and set(outdeg.values()) == {7},
       f"F: {len(f)} synapses, each of p[50:60] to 7 distinct targets in q")
g = pairs["G"]
report(sorted(g) == [(i, j) for i in range(90, 100) for j in range(70, 80)],
       f"G: {len(g)} synapses, in-degree 10 in a range of 10: every pair")
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
