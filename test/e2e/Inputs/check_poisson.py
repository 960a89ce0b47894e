"""Checks spikes.csv of test/e2e/poisson.nn against Poisson statistics.

Population `a`: 20000 sources at 20 Hz for 1 s. The total count must be
within 4 standard deviations of 400000 (sd = sqrt(400000) ~ 632), and the
inter-spike intervals must be exponential: coefficient of variation 1 (to
within 0.02; dt = 0.1 ms discretises the intervals by 0.2 %), and the
fraction of intervals longer than the mean about exp(-1).
Population `b`: neuron i fires at 5 Hz + i * 0.01 Hz; the least-squares
slope of count against i must be 0.01 per second within 10 %.
"""
import csv
import math
import sys

times = {"a": {}, "b": {}}
with open(sys.argv[1], newline="") as f:
    for row in csv.DictReader(f):
        times[row["population"]].setdefault(int(row["index"]), []).append(
            float(row["time_ms"]) * 1e-3)

count_a = sum(len(t) for t in times["a"].values())
sd = math.sqrt(400000)
ok = abs(count_a - 400000) < 4 * sd
print(f"a: {count_a} spikes (expected 400000 +- {4 * sd:.0f}): "
      f"{'ok' if ok else 'FAIL'}")

isis = []
for t in times["a"].values():
    isis += [y - x for x, y in zip(t, t[1:])]
mean = sum(isis) / len(isis)
var = sum((x - mean) ** 2 for x in isis) / len(isis)
cv = math.sqrt(var) / mean
longer = sum(1 for x in isis if x > mean) / len(isis)
ok_cv = abs(cv - 1) < 0.02 and abs(longer - math.exp(-1)) < 0.01
print(f"a: ISI mean {mean * 1e3:.2f} ms, CV {cv:.4f}, P(ISI > mean) "
      f"{longer:.4f} (exp(-1) = {math.exp(-1):.4f}): "
      f"{'ok' if ok_cv else 'FAIL'}")

n = 1000
xs = list(range(n))
ys = [len(times["b"].get(i, [])) for i in xs]
mx, my = sum(xs) / n, sum(ys) / n
slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / \
    sum((x - mx) ** 2 for x in xs)
ok_slope = abs(slope - 0.01) < 0.001 and abs(my - 10.0) < 0.3
print(f"b: mean rate {my:.3f} Hz (expected 9.995), slope {slope:.5f} Hz per "
      f"neuron (expected 0.01): {'ok' if ok_slope else 'FAIL'}")
sys.exit(0 if ok and ok_cv and ok_slope else 1)
