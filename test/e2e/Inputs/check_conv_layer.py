"""Checks test/e2e/conv-layer.test's run against scipy: the number of
synapses, each synapse's weight as the kernel entry linking its source
pixel to its output position, and every output's accumulated input as the
valid cross-correlation of the firing pixels with the kernel."""
import csv
import os
import sys
from collections import defaultdict

import numpy as np
from scipy.signal import correlate2d

out, kernel_path, image_path = sys.argv[1:4]
kernel = np.load(kernel_path)                       # (K, 1, kh, kw)
H = W = 4
image = np.zeros((H, W))
with open(image_path) as f:
    for row in csv.DictReader(f):
        i = int(row["index"])
        image[i // W, i % W] = 1
syn, v = defaultdict(dict), {}
with open(os.path.join(out, "traces.csv")) as f:
    for row in csv.DictReader(f):
        if row["population"] == "L":
            syn[int(row["index"])][row["variable"]] = float(row["value"])
        else:
            v[int(row["index"])] = float(row["value"]) * 1e3
K, _, kh, kw = kernel.shape
oh, ow = H - kh + 1, W - kw + 1
nonzero = int(np.count_nonzero(kernel))
ok = len(syn) == nonzero * oh * ow
for s in syn.values():
    i, j, w = int(s["source"]), int(s["target"]), s["w"] * 1e3
    k, rest = divmod(j, oh * ow)
    y, x = divmod(rest, ow)
    dy, dx = i // W - y, i % W - x
    ok &= 0 <= dy < kh and 0 <= dx < kw and abs(w - kernel[k, 0, dy, dx]) < 1e-12
print(f"{len(syn)} synapses = {nonzero} nonzero kernel entries x {oh * ow} "
      f"positions: {'ok' if ok else 'FAILED'}")
want = np.concatenate([correlate2d(image, kernel[k, 0], mode="valid").ravel()
                       for k in range(K)])
got = np.array([v[j] for j in range(K * oh * ow)])
good = np.allclose(got, want, rtol=0, atol=1e-12)
print("outputs equal scipy.signal.correlate2d(image, kernel, 'valid') per "
      f"channel: {'ok' if good else 'FAILED'}")
sys.exit(0 if ok and good else 1)
