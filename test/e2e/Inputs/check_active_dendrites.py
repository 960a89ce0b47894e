"""Checks a run of examples/active_dendrites.nn: replays every NMDA spike
of the dendritic segments and every soma spike from the presentations
(examples/data/dendrites/inputs.csv) and compares the rates with the
hypergeometric formula of Hawkins & Ahmad (2016).

Segment j (pattern q = j mod 500, threshold theta = 2 + j // 500) stores the
inputs i with (i + 37 q) mod 1024 < 32. A presentation at step k (its inputs
spike together) reaches the segments at the end of step k, so a segment
with at least theta of its inputs active spikes at step k + 1, and its soma
(j // 4) at step k + 2. Every spike of nnc must be one of these, and none
missing.

Then, per theta: the false-positive rate (segment spikes per segment and
random presentation, 400 x 500 trials) against P(X >= theta), X
hypergeometric (1024 cells, 32 synapses, 32 active), within 5 standard
errors; the soma's (four segments); and the detection rate of the noisy
stored patterns (6 of 32 cells kept) against P(6 + Y >= theta), Y
hypergeometric (1018 cells, 26 left of the pattern, 26 drawn), within 5
standard errors too.

    check_active_dendrites.py OUT [INPUTS.csv]
"""
import csv
import math
import os
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
N, SEGMENT, SHIFT, PATTERNS, GROUPS, PER_SOMA = 1024, 32, 37, 500, 7, 4
RANDOM, KEEP, ACTIVE = 400, 6, 32
DT_MS = 0.1


def hypergeom_tail(population, successes, draws, at_least):
    total = math.comb(population, draws)
    return sum(math.comb(successes, x) * math.comb(population - successes, draws - x)
               for x in range(max(at_least, 0), min(successes, draws) + 1)) / total


def main():
    out = sys.argv[1]
    inputs = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        ROOT, "examples/data/dendrites/inputs.csv")
    presentations = defaultdict(set)
    with open(inputs) as f:
        for row in csv.DictReader(f):
            presentations[round(float(row["time_ms"]) / DT_MS)].add(int(row["index"]))
    stored = [{i for i in range(N) if (i + SHIFT * q) % N < SEGMENT}
              for q in range(PATTERNS)]
    want = {"segments": set(), "somas": set()}
    overlaps = {}
    for step, active in presentations.items():
        overlaps[step] = [len(active & s) for s in stored]
        for j in range(PATTERNS * GROUPS):
            if overlaps[step][j % PATTERNS] >= 2 + j // PATTERNS:
                want["segments"].add((j, step + 1))
                want["somas"].add((j // PER_SOMA, step + 2))
    got = {"segments": set(), "somas": set()}
    with open(os.path.join(out, "spikes.csv")) as f:
        for row in csv.DictReader(f):
            if row["population"] in got:
                got[row["population"]].add(
                    (int(row["index"]), round(float(row["time_ms"]) / DT_MS)))
    ok = True
    for pop in ("segments", "somas"):
        same = got[pop] == want[pop]
        ok &= same
        print(f"{pop}: {len(got[pop])} spikes, replay {len(want[pop])}: "
              + ("identical" if same else
                 f"{len(got[pop] - want[pop])} extra, {len(want[pop] - got[pop])} missing"))
    random_steps = sorted(presentations)[:RANDOM]
    stored_steps = sorted(presentations)[RANDOM:]
    print("| theta | false positives / segment | P(X >= theta) | soma false positives "
          "| detections | P(6 + Y >= theta) |")
    print("|---|---|---|---|---|---|")
    for g in range(GROUPS):
        theta = 2 + g
        segs = range(g * PATTERNS, (g + 1) * PATTERNS)
        fp = sum(1 for j in segs for s in random_steps if (j, s + 1) in got["segments"])
        trials = PATTERNS * RANDOM
        p = hypergeom_tail(N, SEGMENT, ACTIVE, theta)
        rate = fp / trials
        sigma = math.sqrt(p * (1 - p) / trials)
        close = abs(rate - p) <= 5 * sigma + 1 / trials
        ok &= close
        somas = range(g * PATTERNS // PER_SOMA, (g + 1) * PATTERNS // PER_SOMA)
        soma_fp = sum(1 for k in somas for s in random_steps if (k, s + 2) in got["somas"])
        soma_rate = soma_fp / (len(somas) * RANDOM)
        hits = sum(1 for q, s in enumerate(stored_steps)
                   if (g * PATTERNS + q, s + 1) in got["segments"])
        detect = hits / len(stored_steps)
        p_detect = hypergeom_tail(N - KEEP, SEGMENT - KEEP, ACTIVE - KEEP, theta - KEEP)
        n = len(stored_steps)
        close_detect = abs(detect - p_detect) <= 5 * math.sqrt(
            p_detect * (1 - p_detect) / n) + 1 / n
        ok &= close_detect
        close &= close_detect
        print(f"| {theta} | {rate:.2e} | {p:.2e} | {soma_rate:.2e} (1-(1-p)^4 = "
              f"{1 - (1 - p) ** 4:.2e}) | {detect:.3f} | {p_detect:.3f} |"
              + ("" if close else " FAIL"))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
