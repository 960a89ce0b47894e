"""Checks rates.csv and rates.svg against spikes.csv and summary.json of
the same run, recomputing the histogram independently:

1. rates.csv has one row per population (summary.json's order; the test
   networks have no modulators) for each bin of --bin-ms, bin-major, and
   the bins tile [0, duration): the last one ends at the end of the run and
   may be shorter;
2. recorded populations: every bin's count equals the spikes of
   spikes.csv in it (time_ms -> step, step // steps per bin); others: the
   counts add up to summary.json's total;
3. rate_hz = spikes / (size x bin width in s), to 1e-9 relative, with the
   real width of the last bin;
4. summary.json's rate_bin_ms is --bin-ms;
5. rates.svg has one panel per population, labelled with its name.

Prints a summary line and exits 1 on any failure.
"""
import argparse
import math
import os
import sys
from collections import Counter

from nnc_output import read_rates, read_spikes, read_summary


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", help="nnc's output directory")
    p.add_argument("--bin-ms", type=float, required=True,
                   help="the bin width the run should have used")
    args = p.parse_args()

    failures = []
    summary = read_summary(args.out)
    dt_ms = summary["dt_ms"]
    steps = round(summary["duration_s"] * 1000.0 / dt_ms)
    bin_steps = round(args.bin_ms / dt_ms)
    nbins = -(-steps // bin_steps)
    pops = summary["populations"]
    if summary["rate_bin_ms"] != args.bin_ms:
        failures.append(f"summary.json rate_bin_ms {summary['rate_bin_ms']}, "
                        f"expected {args.bin_ms}")

    counts = {}
    for name, spikes in read_spikes(args.out, dt_ms).items():
        counts[name] = Counter(step // bin_steps for _, step in spikes)

    expected = []
    for b in range(nbins):
        begin, end = b * bin_steps, min((b + 1) * bin_steps, steps)
        for q in pops:
            expected.append((q["name"], begin, end))
    rows = read_rates(args.out)
    if len(rows) != len(expected):
        failures.append(f"{len(rows)} rows, expected {len(expected)} "
                        f"({nbins} bins x {len(pops)} populations)")
    totals = Counter()
    sizes = {q["name"]: q["size"] for q in pops}
    recorded = {q["name"] for q in pops if q["recorded"]}
    for (name, begin, end), row in zip(expected, rows):
        got_name, t0, t1, n, hz = row
        where = f"{name} [{begin}, {end})"
        if got_name != name:
            failures.append(f"row {row}: expected population {name}")
            continue
        if (abs(t0 - begin * dt_ms) > 1e-6 or abs(t1 - end * dt_ms) > 1e-6):
            failures.append(f"{where}: times {t0}, {t1} ms")
        totals[name] += n
        if name in recorded and n != counts.get(name, {}).get(begin // bin_steps, 0):
            failures.append(f"{where}: {n} spikes, spikes.csv has "
                            f"{counts[name][begin // bin_steps]}")
        want_hz = n / (sizes[name] * (end - begin) * dt_ms / 1000.0)
        if not math.isclose(hz, want_hz, rel_tol=1e-9, abs_tol=0.0):
            failures.append(f"{where}: {hz} Hz, expected {want_hz}")
        if len(failures) > 20:
            break
    for q in pops:
        if totals[q["name"]] != q["spikes"]:
            failures.append(f"{q['name']}: bins add up to {totals[q['name']]} "
                            f"spikes, summary.json has {q['spikes']}")

    with open(os.path.join(args.out, "rates.svg")) as f:
        svg = f.read()
    panels = svg.count('<g class="panel">')
    if panels != len(pops):
        failures.append(f"rates.svg has {panels} panels for {len(pops)} "
                        "populations")
    for q in pops:
        if f">{q['name']}<tspan" not in svg:
            failures.append(f"rates.svg has no label {q['name']}")

    last = (steps - (nbins - 1) * bin_steps) * dt_ms if nbins else 0
    print(f"rates: {len(pops)} populations, {nbins} bins of {args.bin_ms:g} ms "
          f"(last {last:g} ms), {sum(totals.values())} spikes, "
          f"{panels} panels")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
