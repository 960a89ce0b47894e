"""Checks traces.csv of test/e2e/poisson-rate-of-time.nn.

For each population and 100 ms period [T, T + 100 ms) (1000 steps of
0.1 ms), the events every neuron received are the increase of its counter
n. Their sum over the 1000 neurons must be within 5 standard deviations of
1000 * mu (mu = 10 sources * sum over the period's steps k of rate(k dt) dt;
the standard deviation of a Poisson sum is sqrt(1000 mu)), and their
variance across neurons must equal mu within 5 standard errors
(sqrt(2 / 999) mu for a near-normal sample).
"""
import csv
import math
import sys

DT, STEPS, SOURCES, N = 1e-4, 1000, 10, 1000
TABLE = [0.0, 1e3, 5e3, 200e3, 0.0]


def rate(pop, t):
    if pop == "tab":
        return TABLE[int(t / 0.1 + 1e-9)]
    return 20e3 * t


counts = {}
with open(sys.argv[1], newline="") as f:
    for row in csv.DictReader(f):
        counts.setdefault(row["population"], {}).setdefault(
            int(row["index"]), []).append(float(row["value"]))

failures = 0
for pop in ("tab", "ramp"):
    samples = counts[pop]
    assert len(samples) == N, (pop, len(samples))
    periods = len(samples[0]) - 1
    assert periods == 4, periods
    for p in range(periods):
        mu = SOURCES * sum(rate(pop, (p * STEPS + k) * DT) * DT
                           for k in range(STEPS))
        events = [samples[i][p + 1] - samples[i][p] for i in range(N)]
        total = sum(events)
        mean = total / N
        var = sum((e - mean) ** 2 for e in events) / (N - 1)
        if mu == 0:
            ok = total == 0
            print(f"{pop} period {p}: {total:.0f} events (expected 0): "
                  f"{'ok' if ok else 'FAIL'}")
        else:
            sd = math.sqrt(N * mu)
            ok_mean = abs(total - N * mu) < 5 * sd
            ok_var = abs(var - mu) < 5 * math.sqrt(2 / (N - 1)) * mu
            ok = ok_mean and ok_var
            print(f"{pop} period {p}: {total:.0f} events, expected "
                  f"{N * mu:.0f} +- {5 * sd:.0f}; variance {var:.1f} vs mean "
                  f"{mu:.1f}: {'ok' if ok else 'FAIL'}")
        failures += not ok
sys.exit(1 if failures else 0)
