"""Checks a run of examples/two_phase.nn (see its header).

Phases (steps of 0.1 ms): baseline tests [0, 10000) correlated group only
and [10000, 20000) uncorrelated group only, frozen; training [20000,
220000); tests [220000, 230000) and [230000, 240000), frozen. The weights
are sampled every 0.5 s at the start of a step (and once at the end), so
the sample at time T is the state after everything before T.

Checks:
- the disabled group emits no spikes during each test, the other does;
- the rates the program reported (`rate(out)`) equal the output spike
  counts of spikes.csv in each phase;
- frozen phases: every weight sample in [0 s, 2 s] equals the initial
  weight and every sample in [22 s, end] equals the one at 22 s, as
  written (17 significant digits: bit-identical);
- plasticity acts when thawed: the weights at 2.5 s differ from those at
  2 s;
- learning: at the end of phase 1 the mean weight of the correlated group
  is above the initial weight and that of the uncorrelated group below
  it, the difference is at least 0.3 w_max, and the response to the
  correlated group alone has grown.
"""
import csv
import json
import os
import sys

DT_MS = 0.1
G_MAX = 0.03
W0 = 0.5 * G_MAX
PHASES = {  # name: (first step, end step, active input group)
    "corr_before": (0, 10000, "corr"),
    "unc_before": (10000, 20000, "unc"),
    "train_rate": (20000, 220000, None),
    "corr_after": (220000, 230000, "corr"),
    "unc_after": (230000, 240000, "unc"),
}


def main():
    out = sys.argv[1]
    spikes = {}
    with open(os.path.join(out, "spikes.csv")) as f:
        for row in csv.DictReader(f):
            spikes.setdefault(row["population"], []).append(
                round(float(row["time_ms"]) / DT_MS))
    weights = {}   # projection -> time_ms (str) -> [value strings]
    report = {}
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            if row["population"] == "report":
                report[row["variable"]] = float(row["value"])
            else:
                weights.setdefault(row["population"], {}).setdefault(
                    float(row["time_ms"]), []).append(row["value"])
    summary = json.load(open(os.path.join(out, "summary.json")))
    steps = round(summary["duration_s"] * 1e3 / DT_MS)

    failures = []

    def expect(what, ok, detail=""):
        print(f"{what}: {'ok' if ok else 'FAIL'} {detail}".rstrip())
        if not ok:
            failures.append(what)

    expect("duration", steps == 240000, f"{steps} steps")
    count = lambda pop, a, b: sum(1 for s in spikes.get(pop, []) if a <= s < b)
    for name, (a, b, active) in PHASES.items():
        rate = count("out", a, b) / ((b - a) * DT_MS * 1e-3)
        expect(f"{name}: reported rate", abs(report.get(name, -1) - rate)
               < 1e-9, f"{report.get(name)} Hz, spikes.csv {rate} Hz")
        if active:
            silent = "unc" if active == "corr" else "corr"
            expect(f"{name}: only {active} fires",
                   count(silent, a, b) == 0 and count(active, a, b) > 0)

    def mean(values):
        return sum(float(v) for v in values) / len(values)

    for proj in ("S_corr", "S_unc"):
        samples = weights.get(proj, {})
        times = sorted(samples)
        expect(f"{proj}: 100 weights per sample",
               all(len(samples[t]) == 100 for t in times) and len(times) > 0)
        base = [t for t in times if t <= 2000]
        expect(f"{proj}: frozen baseline bit-identical",
               all(float(v) == W0 and samples[t] == samples[0.0]
                   for t in base for v in samples[t]),
               f"({len(base)} samples)")
        test = [t for t in times if t >= 22000]
        expect(f"{proj}: frozen phase 2 bit-identical",
               len(test) >= 5 and
               all(samples[t] == samples[22000.0] for t in test),
               f"({len(test)} samples, 22 s to the end)")
        expect(f"{proj}: weights change once thawed",
               samples.get(2500.0) != samples.get(2000.0))
    c = weights["S_corr"][22000.0]
    u = weights["S_unc"][22000.0]
    mc, mu = mean(c) / G_MAX, mean(u) / G_MAX
    print(f"after phase 1: mean w/w_max correlated {mc:.3f} "
          f"({sum(float(v) > 0.9 * G_MAX for v in c)}/100 above 0.9), "
          f"uncorrelated {mu:.3f} (initial 0.5)")
    expect("correlated weights grew", mc > 0.5)
    expect("uncorrelated weights shrank", mu < 0.5)
    expect("correlated - uncorrelated >= 0.3 w_max", mc - mu >= 0.3)
    print(f"response to the correlated group alone: "
          f"{report['corr_before']:g} Hz before, {report['corr_after']:g} Hz "
          f"after; uncorrelated alone: {report['unc_before']:g} Hz before, "
          f"{report['unc_after']:g} Hz after; during training "
          f"{report['train_rate']:g} Hz")
    expect("response to the correlated group grew",
           report["corr_after"] > report["corr_before"] + 5)
    expect("correlated group drives more than the uncorrelated after",
           report["corr_after"] > report["unc_after"] + 5)
    if failures:
        print("FAILED: " + ", ".join(failures))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
