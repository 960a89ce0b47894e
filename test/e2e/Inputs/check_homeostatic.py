"""Checks a run of examples/homeostatic.nn (see its header).

The program's phases are replayed from spikes.csv: 200 ms phases while the
population rate is outside target +- 10 % (and t < 20 s), a perturbation
phase, again 200 ms phases until the rate is within 10 %, then 1 s with
the rule off. The checker requires:
- the replayed phases account for every step of the run (summary.json),
  i.e. each loop stopped after the first phase within the tolerance;
- both loops converged (left through the tolerance, not the 20 s guard);
- the rates the program reported equal those of spikes.csv;
- the perturbation moved the rate out of the tolerance;
- the final rate (rule off) is within 20 % of the target and closer to it
  than the initial rate.
"""
import csv
import json
import os
import sys

DT_MS = 0.1
N = 400
TARGET = 10.0          # Hz
PHASE = 2000           # steps: 200 ms
FINAL = 10000          # steps: 1 s
GUARD = 200000         # steps: t < 20 s


def main():
    out = sys.argv[1]
    counts = {}
    with open(os.path.join(out, "spikes.csv")) as f:
        for row in csv.DictReader(f):
            if row["population"] == "res":
                s = round(float(row["time_ms"]) / DT_MS)
                counts[s] = counts.get(s, 0) + 1
    report = {}
    h = []
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            if row["population"] == "report":
                report[row["variable"]] = float(row["value"])
            elif row["variable"] == "h":
                h.append(float(row["value"]))
    summary = json.load(open(os.path.join(out, "summary.json")))
    total = round(summary["duration_s"] * 1e3 / DT_MS)

    failures = []

    def expect(what, ok, detail=""):
        print(f"{what}: {'ok' if ok else 'FAIL'} {detail}".rstrip())
        if not ok:
            failures.append(what)

    def rate(a, n):
        return sum(counts.get(s, 0) for s in range(a, a + n)) / (
            N * n * DT_MS * 1e-3)

    def outside(r):
        return r > 1.1 * TARGET or r < 0.9 * TARGET

    pos = 0
    rates = []

    def phase(n=PHASE):
        nonlocal pos
        r = rate(pos, n)
        pos += n
        rates.append(r)
        return r

    def converge():
        r = rates[-1]
        n = 0
        while outside(r) and pos < GUARD:
            r = phase()
            n += 1
        return n, not outside(r)

    initial = phase()
    n1, ok1 = converge()
    perturbed = phase()
    n2, ok2 = converge()
    final = phase(FINAL)
    print("phase rates (Hz): " + " ".join(f"{r:.2f}" for r in rates))
    expect("replayed phases cover the run", pos == total,
           f"(replayed {pos} steps, ran {total})")
    expect("first loop converged", ok1,
           f"after {n1} more phases, {rates[n1]:.2f} Hz")
    expect("second loop converged", ok2,
           f"after {n2} more phases, {rates[-2]:.2f} Hz")
    for name, r in (("initial", initial), ("perturbed", perturbed),
                    ("final", final)):
        expect(f"reported {name} rate", abs(report.get(name, -1) - r) < 1e-9,
               f"{report.get(name)} Hz, spikes.csv {r:.4f} Hz")
    expect("perturbation leaves the tolerance", outside(perturbed),
           f"{perturbed:.2f} Hz")
    expect("final rate within 20 % of the target",
           abs(final - TARGET) <= 0.2 * TARGET, f"{final:.2f} Hz")
    expect("final rate closer to the target than the initial",
           abs(final - TARGET) < abs(initial - TARGET),
           f"|{final:.2f} - {TARGET}| < |{initial:.2f} - {TARGET}|")
    if h:
        print(f"threshold offset h at the end: mean {sum(h) / len(h) * 1e3:.2f}"
              f" mV, range {min(h) * 1e3:.2f} to {max(h) * 1e3:.2f} mV")
    if failures:
        print("FAILED: " + ", ".join(failures))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
