#!/usr/bin/python3
"""Writes the input spike trains of examples/resistive_lsm.nn.

One frozen Poisson template: 40 channels, 20 Hz, 100 ms. Class A presents
the template, class B the same template reversed in time, so that every
channel fires the same number of spikes in both classes and only the
order tells them apart. 200 presentations (100 of each class, shuffled),
one every 200 ms starting at t = 0: each spike jittered by N(0, 1 ms)
(kept inside the 100 ms; two spikes of a channel in one 0.1 ms step
merge) and dropped with probability 0.1.

input.csv   index,time_ms for the spike source `input`
labels.csv  trial,label (0 = A, 1 = B)

Run: /usr/bin/python3 examples/data/resistive_lsm/make_inputs.py
"""
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
CHANNELS, RATE_HZ, LENGTH_MS = 40, 20.0, 100.0
TRIALS, PERIOD_MS = 200, 200.0
rng = random.Random(7)

template = []
for c in range(CHANNELS):
    t = rng.expovariate(RATE_HZ / 1000.0)
    while t < LENGTH_MS:
        template.append((c, t))
        t += rng.expovariate(RATE_HZ / 1000.0)
labels = [0] * (TRIALS // 2) + [1] * (TRIALS // 2)
rng.shuffle(labels)

spikes = []
for trial, label in enumerate(labels):
    for c, t in template:
        if rng.random() < 0.1:
            continue
        s = (LENGTH_MS - t) if label else t
        s = min(max(s + rng.gauss(0.0, 1.0), 0.0), LENGTH_MS)
        spikes.append((c, round(trial * PERIOD_MS + s, 1)))
# Two spikes of a channel in one 0.1 ms step are one.
spikes = sorted(set(spikes), key=lambda x: (x[1], x[0]))
with open(os.path.join(HERE, "input.csv"), "w") as f:
    f.write("index,time_ms\n")
    f.writelines(f"{c},{t}\n" for c, t in spikes)
with open(os.path.join(HERE, "labels.csv"), "w") as f:
    f.write("trial,label\n")
    f.writelines(f"{k},{l}\n" for k, l in enumerate(labels))
print(f"template: {len(template)} spikes; {len(spikes)} input spikes")
