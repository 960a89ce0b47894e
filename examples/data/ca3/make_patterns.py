#!/usr/bin/python3
"""Writes the patterns and the input spike trains of examples/ca3_memory.nn.

patterns.csv  pattern,cell: 10 random patterns of 40 of the 400 CA3 cells
              (10 % coding), drawn with a fixed seed.
input.csv     index,time_ms for the spike source `input` (one neuron per CA3
              cell, connected one to one):
              storage, 0-10 s: 5 rounds of the 10 patterns, pattern p of
                round r in the 200 ms window starting at (10 r + p) x 200 ms:
                each of its cells fires 5 spikes 10 ms apart from a random
                phase in the first 10 ms (then 150 ms of silence, so that
                consecutive patterns do not become associated);
              recall, 10-12 s: pattern p cued in the 200 ms window starting
                at 10000 + 200 p ms by half of its cells (cue.csv), which
                fire one synchronous volley 5 ms into the window.
cue.csv       pattern,cell: the cue cells of each pattern.

Run from anywhere: /usr/bin/python3 examples/data/ca3/make_patterns.py
"""
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
N, P, K = 400, 10, 40
ROUNDS = 5
rng = random.Random(2024)
patterns = [sorted(rng.sample(range(N), K)) for _ in range(P)]
cues = [sorted(rng.sample(p, K // 2)) for p in patterns]


def burst(cells, start_ms, out):
    for c in cells:
        phase = rng.uniform(0.0, 10.0)
        for s in range(5):
            out.append((c, round(start_ms + phase + 10.0 * s, 1)))


spikes = []
for r in range(ROUNDS):
    for p, cells in enumerate(patterns):
        burst(cells, (10 * r + p) * 200.0, spikes)
for p, cells in enumerate(cues):
    spikes.extend((c, 10005.0 + 200.0 * p) for c in cells)
spikes.sort(key=lambda x: (x[1], x[0]))

with open(os.path.join(HERE, "patterns.csv"), "w") as f:
    f.write("pattern,cell\n")
    for p, cells in enumerate(patterns):
        f.writelines(f"{p},{c}\n" for c in cells)
with open(os.path.join(HERE, "cue.csv"), "w") as f:
    f.write("pattern,cell\n")
    for p, cells in enumerate(cues):
        f.writelines(f"{p},{c}\n" for c in cells)
with open(os.path.join(HERE, "input.csv"), "w") as f:
    f.write("index,time_ms\n")
    f.writelines(f"{c},{t}\n" for c, t in spikes)
print(f"{len(spikes)} input spikes; patterns overlap in "
      f"{sum(len(set(a) & set(b)) for i, a in enumerate(patterns) for b in patterns[i + 1:])} cells")
