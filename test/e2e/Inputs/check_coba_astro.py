"""Compares a run of examples/coba_astro.nn with Brian2's example_6 network
(test/reference/coba_astro_brian2.json, two seeds).

Per period (0-2 s at stimulus 1, 2-3 s at 1.2) the mean rates of the
excitatory and inhibitory neurons must lie within the range of Brian2's
seeds widened by --rate-tolerance (relative). The astrocytes' gliotransmitter
releases in each period, the number of astrocytes that released, the
excitatory synapses an astrocyte covers (sum of n_exc + n_inh) and the
astrocyte gap junctions are compared with Brian2's too: the gap junctions
follow from the grid alone and must be equal; releases and covered synapses
within --count-tolerance.

    check_coba_astro.py OUT REFERENCE [--rate-tolerance 0.15]
                        [--count-tolerance 0.01]
"""
import argparse
import csv
import json
import os
import sys
from collections import Counter, defaultdict

PERIODS = ((0.0, 2.0, "stimulus 1"), (2.0, 3.0, "stimulus 1.2"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("reference")
    p.add_argument("--rate-tolerance", type=float, default=0.15)
    p.add_argument("--count-tolerance", type=float, default=0.01)
    a = p.parse_args()
    with open(a.reference) as f:
        ref = json.load(f)
    window = ref["window_s"]
    sizes = ref["sizes"]
    counts = Counter()
    fired = defaultdict(set)
    with open(os.path.join(a.out, "spikes.csv")) as f:
        for row in csv.DictReader(f):
            t = float(row["time_ms"]) / 1e3
            for begin, end, _ in PERIODS:
                if begin <= t < end:
                    counts[(row["population"], begin)] += 1
            fired[row["population"]].add(int(row["index"]))
    covered = 0.0
    junctions = 0
    with open(os.path.join(a.out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            if row["population"] == "astro" and row["variable"] in ("n_exc", "n_inh"):
                covered += float(row["value"])
            elif row["population"] == "AA" and row["variable"] == "I_pre":
                junctions += 1

    ok = True

    def report(what, value, lo, hi, fmt="{:.3f}"):
        nonlocal ok
        lo = max(lo, 0.0)
        good = lo <= value <= hi
        ok &= good
        print(f"{what}: nnc " + fmt.format(value) + ", allowed " + fmt.format(lo)
              + " .. " + fmt.format(hi) + (" [ok]" if good else " [FAIL]"))

    def brian_count(run, group, begin, end):
        w = run["groups"][group]["window_counts"]
        return sum(w[int(round(begin / window)):int(round(end / window))])

    runs = ref["runs"]
    for begin, end, label in PERIODS:
        for group in ("exc", "inh"):
            rates = [brian_count(r, group, begin, end) / (sizes[group] * (end - begin))
                     for r in runs]
            mine = counts[(group, begin)] / (sizes[group] * (end - begin))
            report(f"{group} rate {begin:g}-{end:g} s ({label}, Hz)", mine,
                   min(rates) * (1 - a.rate_tolerance), max(rates) * (1 + a.rate_tolerance))
        releases = [brian_count(r, "astro", begin, end) for r in runs]
        tol = a.count_tolerance
        report(f"astrocyte releases {begin:g}-{end:g} s", counts[("astro", begin)],
               min(releases) * (1 - tol) - 0.5, max(releases) * (1 + tol) + 0.5, "{:.0f}")
    released = [r["groups"]["astro"]["active"] for r in runs]
    report("astrocytes that released", len(fired["astro"]),
           min(released) * (1 - a.count_tolerance) - 0.5,
           max(released) * (1 + a.count_tolerance) + 0.5, "{:.0f}")
    brian_covered = [r["synapses"]["covered"] for r in runs]
    report("covered excitatory synapses", covered,
           min(brian_covered) * (1 - a.count_tolerance),
           max(brian_covered) * (1 + a.count_tolerance), "{:.0f}")
    brian_junctions = [r["synapses"]["coupling"] for r in runs]
    report("gap junctions", junctions, min(brian_junctions), max(brian_junctions), "{:.0f}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
