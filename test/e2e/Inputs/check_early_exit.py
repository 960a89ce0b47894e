"""Checks a run of examples/early_exit.nn (see its header).

The protocol is replayed from spikes.csv alone: trial k starts in step
`start`; its decision step is the first step in which the spikes of
choice_a or choice_b since `start` reach K (A first, as the program tests
it); without one the trial runs its full 2000 steps. A 200-step pause
follows, in which no input spikes. The checker then requires:
- every trial ends exactly in its decision step: the trial's length
  recorded by the `report` probe (elapsed / dt) equals the replayed one, and
  the replayed protocol accounts for every step of the run (summary.json);
- no input spikes in any pause, and some in every trial;
- the decision the program reported equals the replayed one, and is the
  correct choice for every trial with evidence; the catch trial times out;
- the mean time to decision is shorter than the 200 ms trial;
- the half of the trials with the stronger evidence (higher coherence)
  decides faster on average than the weaker half.
"""
import csv
import json
import os
import sys

DT_MS = 0.1
K = 4
TRIAL = 2000          # steps: simulate 200 ms until ...
PAUSE = 200           # steps: simulate 20 ms
N_TRIALS = 13
# The program's stimulus order: +1 A, -1 B, 0 the catch trial.
STIMULI = [1, -1, -1, 1, -1, 1, 1, -1, -1, 1, -1, 1, 0]


def main():
    out = sys.argv[1]
    spikes = {}
    with open(os.path.join(out, "spikes.csv")) as f:
        for row in csv.DictReader(f):
            spikes.setdefault(row["population"], []).append(
                round(float(row["time_ms"]) / DT_MS))
    for steps in spikes.values():
        steps.sort()
    # The probe's values per sample; the last sample of trial k is taken in
    # the pause after it (or at the end), when decision and elapsed are set.
    report = {}
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            if row["population"] == "report":
                report.setdefault(float(row["time_ms"]), {})[
                    row["variable"]] = float(row["value"])
    last = {}
    for time in sorted(report):
        sample = report[time]
        last[round(sample["trial"])] = sample
    summary = json.load(open(os.path.join(out, "summary.json")))
    total = round(summary["duration_s"] * 1e3 / DT_MS)

    failures = []

    def expect(what, ok, detail=""):
        if not ok:
            failures.append(f"{what} {detail}".strip())

    def in_range(pop, a, b):
        return [s for s in spikes.get(pop, []) if a <= s < b]

    start = 0
    rts = {}
    print("trial stimulus coherence decision  steps  time_ms  stop")
    for k in range(N_TRIALS):
        a = in_range("choice_a", start, start + TRIAL)
        b = in_range("choice_b", start, start + TRIAL)
        end, decision = start + TRIAL - 1, 0
        for s in sorted(set(a + b)):
            na = sum(1 for x in a if x <= s)
            nb = sum(1 for x in b if x <= s)
            if na >= K or nb >= K:
                end, decision = s, (1 if na >= K else -1)
                break
        steps = end - start + 1
        sample = last.get(k)
        if sample is None:
            failures.append(f"trial {k}: no report sample")
            break
        reported_steps = round(sample["elapsed"] * 1e3 / DT_MS)
        stimulus = round(sample["stimulus"])
        print(f"{k:5d} {stimulus:+8d} {sample['coherence']:9.2f} "
              f"{round(sample['decision']):+8d} {reported_steps:6d} "
              f"{reported_steps * DT_MS:8.1f}  "
              f"{'threshold' if decision else 'time-out'}")
        expect(f"trial {k}: stimulus", stimulus == STIMULI[k],
               f"{stimulus}, expected {STIMULI[k]}")
        expect(f"trial {k}: reported length", reported_steps == steps,
               f"{reported_steps} steps, replayed from spikes: {steps}")
        expect(f"trial {k}: reported decision",
               round(sample["decision"]) == decision,
               f"{sample['decision']}, replayed: {decision}")
        expect(f"trial {k}: decision", decision == stimulus,
               f"{decision} for stimulus {stimulus}")
        expect(f"trial {k}: input spikes",
               in_range("in_a", start, end + 1) or
               in_range("in_b", start, end + 1))
        pause = (end + 1, end + 1 + PAUSE)
        for pop in ("in_a", "in_b", "choice_a", "choice_b"):
            expect(f"pause after trial {k}: no spikes of {pop}",
                   not in_range(pop, *pause))
        if decision:
            rts[k] = (sample["coherence"], steps * DT_MS)
        start = pause[1]
    expect("whole run replayed", start == total,
           f"(replayed {start} steps, ran {total})")

    if rts:
        mean = sum(rt for _, rt in rts.values()) / len(rts)
        evidence = sum(1 for x in STIMULI if x)
        print(f"decided {len(rts)}/{evidence} evidence trials, mean time "
              f"to decision {mean:.1f} ms of {TRIAL * DT_MS:.0f} ms "
              f"({100 * (1 - mean / (TRIAL * DT_MS)):.0f} % saved)")
        expect("mean time to decision below the trial length",
               mean < TRIAL * DT_MS)
        by_coherence = sorted(rts.values())
        half = len(by_coherence) // 2
        weak = by_coherence[:half]
        strong = by_coherence[-half:]
        mean_weak = sum(rt for _, rt in weak) / len(weak)
        mean_strong = sum(rt for _, rt in strong) / len(strong)
        print(f"mean time to decision: weakest {half} {mean_weak:.1f} ms, "
              f"strongest {half} {mean_strong:.1f} ms")
        expect("stronger evidence decides faster", mean_strong < mean_weak)
    else:
        failures.append("no decision at all")

    if failures:
        for f in failures:
            print("FAIL: " + f)
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
