"""Checks examples/timing_reservoir.nn's run: two readouts of an Izhikevich
reservoir learn, with a three-factor rule (eligibility x error signal), to
fire at 150 ms and 350 ms after a cue.

Trials start at t = 0 and at every spike of `clock`; each teacher's target
is its median spike time within a trial. A trial is right for a readout if
the readout fires exactly once in it, within 10 % of the target interval
of the target (15 ms and 35 ms). The program trains for 300 trials and
then tests 20 with frozen weights and without teachers.

Checks (exit 1 on a failure):
1. the targets are 150 and 350 ms (one step either way);
2. before learning (trials 0-19) each readout is right in at most 3
   trials;
3. in the test trials (300-319) the teachers are silent, readout 1 is
   right in at least 16 of 20 trials with a mean absolute error (nearest
   spike) under 8 ms, and readout 2 in at least 10 of 20 under 30 ms;
4. the weights did not change during the test (the sample at 300 s and
   the final values: `record w ... every 100 s` and `at end`).

Usage: check_timing_reservoir.py OUT
"""
import bisect
import csv
import os
import sys
from collections import defaultdict

from nnc_output import read_spikes

DT_MS = 0.1
READOUTS = [("out1", "teacher1", 150.0, 8.0, 16),
            ("out2", "teacher2", 350.0, 30.0, 10)]
BLOCK = 20
TEST_FIRST = 300


def by_trial(steps, starts):
    """trial -> [time since the trial's start, ms]."""
    trials = defaultdict(list)
    for s in steps:
        k = bisect.bisect_right(starts, s) - 1
        trials[k].append((s - starts[k]) * DT_MS)
    return trials


def score(trials, first, last, target):
    """(right trials, mean |error| of the nearest spike, spikes per trial)."""
    right, errors, spikes = 0, [], 0
    for k in range(first, last):
        times = trials.get(k, [])
        spikes += len(times)
        if times:
            errors.append(min(abs(t - target) for t in times))
        if len(times) == 1 and abs(times[0] - target) <= 0.1 * target:
            right += 1
    mean = sum(errors) / len(errors) if errors else float("inf")
    return right, mean, spikes / (last - first)


def main():
    out = sys.argv[1]
    spikes = read_spikes(out, DT_MS)
    starts = [0] + sorted(s for _, s in spikes["clock"])
    n_trials = len(starts)
    failures = []

    def check(ok, what):
        print(f"{what}: {'ok' if ok else 'FAILED'}")
        if not ok:
            failures.append(what)

    print("trials    " + "".join(f"| {o:^26} " for o, *_ in READOUTS))
    print("          " + "| spikes  right  mean |err| " * len(READOUTS))
    scores = {}
    for readout, teacher, want, _, _ in READOUTS:
        teach = by_trial([s for _, s in spikes[teacher]], starts)
        times = sorted(t for ts in teach.values() for t in ts)
        target = times[len(times) // 2]
        check(abs(target - want) <= DT_MS + 1e-9,
              f"{teacher} fires {target:.1f} ms after the cue")
        trials = by_trial([s for _, s in spikes[readout]], starts)
        scores[readout] = [(b, score(trials, b, min(b + BLOCK, n_trials), target))
                           for b in range(0, n_trials, BLOCK)]
        test_teacher = [t for k, ts in teach.items() if k >= TEST_FIRST for t in ts]
        check(not test_teacher, f"{teacher} is silent in the test trials")
    for i, (b, _) in enumerate(scores["out1"]):
        line = f"{b:3d}-{min(b + BLOCK, n_trials) - 1:3d}   "
        for readout, *_ in READOUTS:
            right, err, rate = scores[readout][i][1]
            line += f"| {rate:6.2f} {right:4d}/{BLOCK} {err:9.1f} ms "
        print(line)

    for readout, _, want, max_err, min_right in READOUTS:
        right0, _, _ = scores[readout][0][1]
        check(right0 <= 3, f"{readout} before learning: right in {right0} of 20")
        test = [s for b, s in scores[readout] if b == TEST_FIRST]
        right, err, _ = test[0] if test else (0, float("inf"), 0)
        check(right >= min_right and err < max_err,
              f"{readout} after learning ({want:.0f} ms): right in {right} of "
              f"20, mean |error| {err:.1f} ms")

    at_300, final = defaultdict(list), defaultdict(list)
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            if row["variable"] != "w":
                continue
            t = float(row["time_ms"])
            if t == TEST_FIRST * 1000.0:
                at_300[row["population"]].append(row["value"])
            elif t > TEST_FIRST * 1000.0:
                final[row["population"]].append(row["value"])
    check(at_300 and all(at_300[p] == final[p] for p in ("W1", "W2")),
          "weights unchanged during the test")

    print("FAIL" if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
