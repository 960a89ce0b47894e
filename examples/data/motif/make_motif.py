"""Writes the input spike files of examples/delay_motif.nn.

Five input channels (in0.csv ... in4.csv, one spike-source population
each) and schedule.csv, the list of presentations the checker
(test/e2e/Inputs/check_delay_motif.py) compares the detectors against.

Every 30 ms, starting at 10 ms, the five channels fire once each in some
temporal order (a "presentation"):
  A        motif A: channel k fires at onset + MOTIF_A[k] (jittered)
  B        motif B: channel k fires at onset + MOTIF_B[k] (jittered)
  A_rev    motif A played backwards (same intervals, reversed order)
  A_shuf   the times of motif A given to the channels in a shuffled order
  B_shuf   the same for motif B
  A_part   motif A with one channel silent (4 of 5 spikes)
  rand     five random times in the same 9 ms window
Each pattern spike is jittered by a whole number of 0.1 ms steps in
[-JITTER, +JITTER]. On top of the presentations every channel has sparse
background spikes (Poisson, NOISE_HZ) outside the presentation windows
(3 ms before an onset to 12 ms after it).

Run `python3 make_motif.py` in this directory to regenerate the files
(the generator is seeded: the output is always the same).
"""
import random

MOTIF_A = [0.0, 5.0, 2.0, 8.0, 4.0]    # ms after onset, channel 0..4
MOTIF_B = [6.0, 0.0, 8.0, 3.0, 1.0]
PERIOD = 30.0                          # ms between onsets
FIRST = 10.0                           # first onset
JITTER = 2                             # steps of 0.1 ms
NOISE_HZ = 10.0
SEQUENCE = ["A", "B", "A_rev", "A", "A_shuf", "B", "A_part", "B_shuf",
            "A", "rand", "B", "A_shuf", "A", "B_shuf", "rand", "B"]


def pattern(kind, rng):
    if kind == "A":
        return list(MOTIF_A)
    if kind == "B":
        return list(MOTIF_B)
    if kind == "A_rev":
        top = max(MOTIF_A)
        return [top - x for x in MOTIF_A]
    if kind in ("A_shuf", "B_shuf"):
        times = list(MOTIF_A if kind == "A_shuf" else MOTIF_B)
        base = list(times)
        while times == base:
            rng.shuffle(times)
        return times
    if kind == "A_part":
        times = list(MOTIF_A)
        times[rng.randrange(5)] = None
        return times
    if kind == "rand":
        return [rng.randrange(0, 91) / 10 for _ in range(5)]
    raise ValueError(kind)


def main():
    rng = random.Random(2024)
    spikes = [[] for _ in range(5)]    # steps per channel
    rows = []
    end = FIRST + PERIOD * len(SEQUENCE)
    for n, kind in enumerate(SEQUENCE):
        onset = FIRST + PERIOD * n
        times = pattern(kind, rng)
        for ch, t in enumerate(times):
            if t is not None:
                step = round((onset + t) * 10) + rng.randint(-JITTER, JITTER)
                spikes[ch].append(step)
        rows.append((onset, kind, "det_a" if kind == "A" else
                     "det_b" if kind == "B" else ""))
    onsets = [round(r[0] * 10) for r in rows]
    for ch in range(5):
        t = 0.0
        while True:
            t += rng.expovariate(NOISE_HZ) * 1e3
            if t >= end:
                break
            step = round(t * 10)
            # Keep background spikes out of the presentation windows.
            if any(o - 30 <= step <= o + 120 for o in onsets):
                continue
            spikes[ch].append(step)
    for ch in range(5):
        with open(f"in{ch}.csv", "w") as f:
            f.write("index,time_ms\n")
            for step in sorted(set(spikes[ch])):
                f.write(f"0,{step / 10:.1f}\n")
    with open("schedule.csv", "w") as f:
        f.write("onset_ms,kind,expected\n")
        for onset, kind, expected in rows:
            f.write(f"{onset:.1f},{kind},{expected}\n")


if __name__ == "__main__":
    main()
