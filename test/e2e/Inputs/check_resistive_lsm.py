"""Scores examples/resistive_lsm.nn: a linear readout of the reservoir's
spike counts tells a spike pattern from its time reversal, which the
input's own spike counts cannot.

Trial k occupies [200 k, 200 k + 200) ms; its features are the spike
counts of every neuron in [0, 130) ms of the trial (the 100 ms pattern and
30 ms after). A ridge-regression readout (targets +-1, lambda 1, with a
bias) is trained and tested with 4-fold cross-validation over the 200
trials (labels from --labels). Checks (exit 1 on failure):
1. the reservoir's readout is right in at least 90 % of the held-out
   trials;
2. the same readout of the 40 input channels is at chance: at most 70 %
   (every channel fires the same spikes in both classes, only their order
   differs; 50 % +- 3 standard errors of 200 trials is 39-61 %);
3. the reservoir's neurons fire at 5-100 Hz on average (neither silent nor
   saturated).
"""
import argparse
import csv
import sys

import numpy as np

from nnc_output import read_spikes

DT_MS = 0.1
TRIAL_STEPS = 2000
WINDOW_STEPS = 1300


def features(spikes, pops, sizes, trials):
    offset, n = {}, 0
    for p in pops:
        offset[p] = n
        n += sizes[p]
    x = np.zeros((trials, n))
    for p in pops:
        for i, s in spikes[p]:
            k, r = divmod(s, TRIAL_STEPS)
            if k < trials and r < WINDOW_STEPS:
                x[k, offset[p] + i] += 1
    return x


def cross_validated(x, labels, folds=4, lam=1.0):
    y = 2.0 * np.asarray(labels) - 1.0
    xb = np.hstack([x, np.ones((len(y), 1))])
    right = 0
    for f in range(folds):
        test = np.arange(len(y)) % folds == f
        a = xb[~test]
        w = np.linalg.solve(a.T @ a + lam * np.eye(a.shape[1]), a.T @ y[~test])
        pred = np.where(xb[test] @ w >= 0, 1.0, -1.0)
        right += int(np.sum(pred == y[test]))
    return right / len(y)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--labels", required=True)
    args = p.parse_args()
    with open(args.labels) as f:
        labels = [int(r["label"]) for r in csv.DictReader(f)]
    spikes = read_spikes(args.out, DT_MS)
    sizes = {"input": 40, "exc": 320, "inh": 80}
    trials = len(labels)
    reservoir = cross_validated(
        features(spikes, ["exc", "inh"], sizes, trials), labels)
    inputs = cross_validated(features(spikes, ["input"], sizes, trials), labels)
    seconds = trials * TRIAL_STEPS * DT_MS / 1000.0
    rate = (len(spikes["exc"]) + len(spikes["inh"])) / 400 / seconds
    failures = []

    def check(ok, what):
        print(f"{what}: {'ok' if ok else 'FAILED'}")
        if not ok:
            failures.append(what)

    check(reservoir >= 0.9, f"reservoir readout: {100 * reservoir:.1f} % right")
    check(inputs <= 0.7, f"input readout: {100 * inputs:.1f} % right (chance)")
    check(5 <= rate <= 100, f"reservoir rate {rate:.1f} Hz")
    print("FAIL" if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
