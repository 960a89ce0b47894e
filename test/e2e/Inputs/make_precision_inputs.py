"""Writes precision-conn.csv (every pair of 40 sources and 10 targets, a
random weight in [0.02, 0.12] and delay in [0.5, 5] ms, 0.1 ms = dt
onto target 0) and
precision-spikes.csv (each source at ~20 Hz for 2 s) into DIR, from a fixed
seed."""
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(7)
with open(f"{out}/precision-conn.csv", "w") as f:
    f.write("pre,post,w,delay:ms\n")
    for i in range(40):
        for j in range(10):
            # Target 0's delays are exactly dt, which a float stores as
            # slightly less (still accepted as one step).
            delay = 0.1 if j == 0 else rng.uniform(0.5, 5.0)
            f.write(f"{i},{j},{rng.uniform(0.02, 0.12)!r},{delay!r}\n")
with open(f"{out}/precision-spikes.csv", "w") as f:
    f.write("index,time_ms\n")
    for i in range(40):
        t = 0.0
        while True:
            t += 0.2 + rng.exponential(50.0)  # at most one spike per step
            if t >= 2000.0:
                break
            f.write(f"{i},{t:.1f}\n")
