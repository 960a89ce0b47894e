#!/usr/bin/python3
"""Writes inputs.csv, the presentations of examples/active_dendrites.nn.

1024 inputs; every 1 ms one presentation of 32 simultaneously active
inputs:

  * t = 1 .. 400 ms: 400 random patterns (32 distinct inputs, uniformly
    drawn), to measure false positives;
  * t = 401 .. 900 ms: for q = 0 .. 499, a noisy copy of stored pattern q:
    KEEP = 6 of its 32 inputs (random ones) plus 26 random other inputs
    (which may include more of its own), to measure detections.

Stored pattern q (the synapses of a dendritic segment of pattern q, made by
the example's connection rule) is the block of inputs i with
(i + 37 q) mod 1024 < 32. The seed is fixed, so the file is reproducible:

    /usr/bin/python3 examples/data/dendrites/make_inputs.py
"""
import csv
import os
import random

N, ACTIVE, SEGMENT, SHIFT, KEEP = 1024, 32, 32, 37, 6
RANDOM, STORED = 400, 500


def stored(q):
    return [i for i in range(N) if (i + SHIFT * q) % N < SEGMENT]


def main():
    rng = random.Random(2016)  # Hawkins & Ahmad (2016)
    rows = []
    for k in range(RANDOM):
        for i in sorted(rng.sample(range(N), ACTIVE)):
            rows.append((i, k + 1))
    for q in range(STORED):
        own = stored(q)
        kept = rng.sample(own, KEEP)
        others = rng.sample([i for i in range(N) if i not in kept], ACTIVE - KEEP)
        for i in sorted(kept + others):
            rows.append((i, RANDOM + q + 1))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "inputs.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["index", "time_ms"])
        w.writerows(rows)


if __name__ == "__main__":
    main()
