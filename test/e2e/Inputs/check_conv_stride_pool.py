"""Checks test/e2e/conv-stride-pool.test's run against scipy.

A C x H x W layer is numbered channel by channel, row by row. A strided,
padded convolution (torch.nn.Conv2d) is scipy's valid cross-correlation of
the zero-padded input, summed over input channels, taken every s-th row and
column; average pooling (torch.nn.AvgPool2d, count_include_pad) is the same
with a kernel of ones over each channel, divided by the window's area."""
import csv
import os
import sys
from collections import defaultdict

import numpy as np
from scipy.signal import correlate2d

out, kernel_path, image_path = sys.argv[1:4]
kernel = np.load(kernel_path)                       # (K, C, kh, kw)
C, H, W = 2, 6, 6
image = np.zeros((C, H, W))
with open(image_path) as f:
    for row in csv.DictReader(f):
        c, rest = divmod(int(row["index"]), H * W)
        image[c, rest // W, rest % W] = 1
v = defaultdict(dict)
syn = defaultdict(lambda: defaultdict(dict))
with open(os.path.join(out, "traces.csv")) as f:
    for row in csv.DictReader(f):
        pop, i = row["population"], int(row["index"])
        if pop in ("C", "P", "Q"):
            syn[pop][i][row["variable"]] = float(row["value"])
        else:
            v[pop][i] = float(row["value"]) * 1e3


def pad(x, p):
    return np.pad(x, ((0, 0), (p, p), (p, p)))


def conv(x, k, stride, padding):
    xp = pad(x, padding)
    return np.stack([
        sum(correlate2d(xp[c], k[o, c], mode="valid") for c in range(len(x)))
        [::stride, ::stride] for o in range(len(k))])


def got(pop, n):
    return np.array([v[pop][j] for j in range(n)])


ok = True
want = conv(image, kernel, 2, 1).ravel()
good = np.allclose(got("conv", want.size), want, rtol=0, atol=1e-12)
ok &= good
print(f"conv (stride 2, padding 1): {want.size} outputs equal scipy's "
      "correlate2d of the padded image, every 2nd row and column: "
      f"{'ok' if good else 'FAILED'}")
# Each synapse: source pixel (c, iy, ix), output (k, y, x), weight
# K[k, c, iy - 2 y + 1, ix - 2 x + 1].
good = len(syn["C"]) > 0
for s in syn["C"].values():
    i, j, w = int(s["source"]), int(s["target"]), s["w"] * 1e3
    c, rest = divmod(i, H * W)
    iy, ix = divmod(rest, W)
    k, rest = divmod(j, 9)
    y, x = divmod(rest, 3)
    dy, dx = iy - 2 * y + 1, ix - 2 * x + 1
    good &= 0 <= dy < 3 and 0 <= dx < 3 and w == kernel[k, c, dy, dx] != 0
print(f"conv: every synapse's w is its kernel entry: {'ok' if good else 'FAILED'}")
ok &= good
for pop, proj, size, stride, padding, label in (
        ("pooled", "P", 2, 2, 0, "pool 2 x 2"),
        ("smooth", "Q", 3, 1, 1, "pool 3 x 3 (stride 1, padding 1)")):
    ones = np.ones((C, C, size, size)) * np.eye(C)[:, :, None, None]
    want = (conv(image, ones, stride, padding) / size ** 2).ravel()
    good = np.allclose(got(pop, want.size), want, rtol=0, atol=1e-12)
    ok &= good
    what = ("the window means" if padding == 0
            else f"the window sums / {size * size}")
    print(f"{label}: {len(syn[proj])} synapses, {want.size} outputs equal "
          f"{what}: {'ok' if good else 'FAILED'}")
sys.exit(0 if ok else 1)
