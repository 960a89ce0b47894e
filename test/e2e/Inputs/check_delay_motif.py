"""Checks a run of examples/delay_motif.nn (see its header).

usage: check_delay_motif.py OUT_DIR DATA_DIR   (DATA_DIR: examples/data/motif)

- The input channels spiked exactly at the times of their files.
- For each detector the spike steps are exactly the expected ones: one per
  presentation of its motif, in the step after the last of the motif's
  five arrivals (arrival = input spike step + the projection's delay in
  steps), and none anywhere else (distractors, the other motif,
  background spikes).
- The peak of each detector's v in each presentation window is printed;
  for distractors it must stay below the threshold.
"""
import csv
import os
import sys

DT_MS = 0.1
THETA = 0.85
MOTIF = {"det_a": [0.0, 5.0, 2.0, 8.0, 4.0], "det_b": [6.0, 0.0, 8.0, 3.0, 1.0]}
LATENCY = 9.0          # ms: every delay is LATENCY - t_k
KIND = {"det_a": "A", "det_b": "B"}


def steps(ms):
    return round(ms / DT_MS)


def main():
    out, data = sys.argv[1], sys.argv[2]
    spikes = {}
    with open(os.path.join(out, "spikes.csv")) as f:
        for row in csv.DictReader(f):
            spikes.setdefault(row["population"], []).append(
                steps(float(row["time_ms"])))
    v = {}
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            v.setdefault(row["population"], {})[
                steps(float(row["time_ms"]))] = float(row["value"])
    with open(os.path.join(data, "schedule.csv")) as f:
        schedule = list(csv.DictReader(f))
    failures = []

    def expect(what, ok, detail=""):
        if not ok:
            failures.append(f"{what} {detail}".rstrip())

    inputs = []
    for ch in range(5):
        with open(os.path.join(data, f"in{ch}.csv")) as f:
            want = sorted(steps(float(r["time_ms"])) for r in csv.DictReader(f))
        got = sorted(spikes.get(f"in{ch}", []))
        expect(f"in{ch} spikes as in its file", got == want,
               f"({len(got)} spikes, file {len(want)})")
        inputs.append(got)

    kinds = [p["kind"] for p in schedule]
    expect("schedule", kinds.count("A") == 4 and kinds.count("B") == 4 and
           len(kinds) == 16, str(kinds))

    expected = {}
    for det, motif in MOTIF.items():
        delays = [steps(LATENCY - t) for t in motif]
        arrivals = sorted(s + d for ch, d in enumerate(delays)
                          for s in inputs[ch])
        want = []
        for p in schedule:
            if p["kind"] != KIND[det]:
                continue
            centre = steps(float(p["onset_ms"]) + LATENCY)
            near = [a for a in arrivals if abs(a - centre) <= 5]
            expect(f"{det}: five arrivals near {centre}", len(near) == 5,
                   str(near))
            want.append(max(near) + 1)
        expected[det] = want
        got = sorted(spikes.get(det, []))
        expect(f"{det}: spike steps", got == want,
               f"got {got}, expected {want}")

    print(" onset  kind    expected  det_a fired  peak   det_b fired  peak")
    for p in schedule:
        onset = steps(float(p["onset_ms"]))
        window = range(onset, onset + steps(30.0))
        row = f"{float(p['onset_ms']):6.1f}  {p['kind']:7s} {p['expected'] or '-':8s}"
        for det in ("det_a", "det_b"):
            fired = [s for s in spikes.get(det, []) if s in window]
            peak = max(v[det].get(s, 0.0) for s in window)
            row += (f"  {', '.join(f'{s * DT_MS:.1f}' for s in fired) or '-':>11s}"
                    f"  {peak:.3f}")
            if p["expected"] != det:
                expect(f"{det} silent for {p['kind']} at {p['onset_ms']}",
                       not fired and peak < THETA, f"peak {peak:.3f}")
            else:
                expect(f"{det} fires once for {p['kind']} at {p['onset_ms']}",
                       len(fired) == 1)
        print(row)
    hits = {det: len(expected[det]) for det in MOTIF}
    print(f"det_a fired for {hits['det_a']}/4 A, det_b for {hits['det_b']}/4 B "
          f"presentations")
    if failures:
        for f in failures:
            print("FAIL: " + f)
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
