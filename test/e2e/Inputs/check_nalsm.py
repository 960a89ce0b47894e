"""Checks examples/nalsm.nn's run: astrocyte-modulated STDP organises two
liquids near the critical branching factor, from below and from above,
while the same STDP without the astrocyte drives a third supercritical.

The branching factor sigma of each liquid is measured two ways per 10 s
window:
- sigma_w, from the weights: the summed out-weight per unit (a unit fires
  with a probability equal to its summed input, so this is the expected
  number of spikes one spike causes in the next step), averaged over the
  recorded units (those whose synapses are all among the recorded ones),
  from the samples at the window's start and end;
- sigma_reg, from the activity alone: the slope of the least-squares
  regression of the liquid's spike count in step k + 1 on its count in
  step k (Wilting & Priesemann 2018, Nat. Commun. 9:2325, the
  conventional estimator), which for a branching process with independent
  external drive estimates sigma.

Checks (exit 1 on a failure):
1. liq_a starts subcritical (sigma_w < 0.8) and liq_b supercritical
   (sigma_w > 1.4);
2. from 100 s on, both have sigma_w within [0.85, 1.1] and sigma_reg
   within [0.88, 0.98] in every window, at 4 to 15 Hz;
3. liq_c (no astrocyte) becomes supercritical (sigma_w > 1.2) and runs
   away (a window over 50 Hz), and the program switches it off: no spike
   after that window;
4. while a liquid is subcritical and not saturated (sigma_w <= 0.9 at
   both ends of the window, rate under 15 Hz), the two estimates agree
   within 0.06;
5. a branching process with sigma < 1 amplifies its drive h (here 100
   inputs x 5 Hz x 1 direct liquid spike each, over 1000 units: 0.5 Hz)
   to the rate r = h / (1 - sigma): in every window of the regulated
   liquids and every subcritical window of liq_c (sigma_reg < 0.95, under
   15 Hz) the branching factor that explains the rate, 1 - h / r, is
   within 0.025 of sigma_reg.

Usage: check_nalsm.py OUT --utils UTILS_DIR
"""
import argparse
import csv
import os
import sys
from collections import defaultdict

WINDOW_MS = 20000
DT_MS = 1.0
N_LIQUID = 1000
DRIVE_HZ = 100 * 5.0 * (N_LIQUID * 0.1 * 0.01) / N_LIQUID
LIQUIDS = [("liq_a", "S_a"), ("liq_b", "S_b"), ("liq_c", "S_c")]


def read_counts(path, iter_blocks, steps_per_window):
    """(population -> {step: spike count},
        population -> {(window, neuron): spike count})."""
    blocks = iter_blocks(path)
    _, populations = next(blocks)
    per_step = defaultdict(dict)
    per_neuron = defaultdict(lambda: defaultdict(int))
    for step, pop, indices in blocks:
        name = populations[pop][0]
        per_step[name][step] = len(indices)
        window = step // steps_per_window
        for i in indices:
            per_neuron[name][(window, i)] += 1
    return per_step, per_neuron


def read_weights(out):
    """(projection -> {time_ms: [w]}, projection -> [source]) from
    traces.csv, synapses in index order."""
    weights = defaultdict(lambda: defaultdict(list))
    sources = defaultdict(list)
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            if row["variable"] == "w":
                weights[row["population"]][round(float(row["time_ms"]))].append(
                    float(row["value"]))
            elif row["variable"] == "source":
                sources[row["population"]].append(int(float(row["value"])))
    return weights, sources


def sigma_w(ws, sources, spikes):
    """Summed out-weight of the units whose synapses are all recorded
    (every source but the last one seen, which may be cut), averaged over
    their spikes `spikes` ({unit: count}): the expected number of spikes
    one spike causes. Unweighted if they did not spike."""
    complete = set(sources) - {max(sources)}
    out = defaultdict(float)
    for w, s in zip(ws, sources):
        if s in complete:
            out[s] += w
    n = sum(spikes.get(s, 0) for s in complete)
    if n == 0:
        return sum(out.values()) / len(complete)
    return sum(out[s] * spikes.get(s, 0) for s in complete) / n


def regression_slope(counts, first, last):
    x = [counts.get(k, 0) for k in range(first, last - 1)]
    y = [counts.get(k, 0) for k in range(first + 1, last)]
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxx = sum((a - mx) ** 2 for a in x)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    return sxy / sxx if sxx > 0 else float("nan")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out")
    p.add_argument("--utils", required=True, help="nnc's utils/ directory")
    args = p.parse_args()
    sys.path.insert(0, args.utils)
    from nnc_spikes import iter_blocks

    steps_per_window = int(WINDOW_MS / DT_MS)
    counts, unit_spikes = read_counts(os.path.join(args.out, "spikes.bin"),
                                      iter_blocks, steps_per_window)
    weights, sources = read_weights(args.out)
    duration_steps = max(max(c) for c in counts.values()) + 1
    windows = (duration_steps + steps_per_window - 1) // steps_per_window

    table = {}
    for liquid, proj in LIQUIDS:
        rows = []
        for k in range(windows):
            first, last = k * steps_per_window, (k + 1) * steps_per_window
            total = sum(c for s, c in counts[liquid].items() if first <= s < last)
            rate = total / N_LIQUID / (WINDOW_MS / 1000.0)
            spikes = {i: c for (w, i), c in unit_spikes[liquid].items() if w == k}
            ends = [sigma_w(weights[proj][t], sources[proj], spikes)
                    for t in (first * DT_MS, last * DT_MS)
                    if t in weights[proj]]
            rows.append((k * WINDOW_MS / 1000.0, rate, ends,
                         regression_slope(counts[liquid], first, last)))
        table[liquid] = rows

    print("window   " + "".join(f"| {l:^28} " for l, _ in LIQUIDS))
    print("start s  " + "| rate Hz  sigma_w  sigma_reg " * len(LIQUIDS))
    for k in range(windows):
        line = f"{table['liq_a'][k][0]:7.0f}  "
        for liquid, _ in LIQUIDS:
            t, rate, ends, reg = table[liquid][k]
            sw = f"{ends[0]:7.3f}" if ends else "      -"
            line += f"| {rate:7.2f}  {sw}  {reg:9.3f} "
        print(line)

    failures = []

    def check(ok, what):
        print(f"{what}: {'ok' if ok else 'FAILED'}")
        if not ok:
            failures.append(what)

    a0 = table["liq_a"][0][2][0]
    b0 = table["liq_b"][0][2][0]
    check(a0 < 0.8 and b0 > 1.4,
          f"liq_a starts subcritical ({a0:.3f}), liq_b supercritical ({b0:.3f})")

    for liquid in ("liq_a", "liq_b"):
        late = [r for r in table[liquid] if r[0] >= 100]
        sws = [s for r in late for s in r[2]]
        regs = [r[3] for r in late]
        rates = [r[1] for r in late]
        check(all(0.85 <= s <= 1.1 for s in sws) and
              all(0.88 <= s <= 0.98 for s in regs) and
              all(4 <= r <= 15 for r in rates),
              f"{liquid} near critical from 100 s: sigma_w {min(sws):.3f}.."
              f"{max(sws):.3f}, sigma_reg {min(regs):.3f}..{max(regs):.3f}, "
              f"{min(rates):.1f}..{max(rates):.1f} Hz")

    c_rows = table["liq_c"]
    c_sw = max(s for r in c_rows for s in r[2])
    runaway = [i for i, r in enumerate(c_rows) if r[1] > 50]
    check(c_sw > 1.2 and runaway,
          f"liq_c without astrocyte goes supercritical (sigma_w up to "
          f"{c_sw:.3f}) and runs away"
          + (f" in the window from {c_rows[runaway[0]][0]:.0f} s" if runaway else ""))
    if runaway:
        after = [s for s in counts["liq_c"]
                 if s >= (runaway[0] + 1) * steps_per_window]
        check(not after, "the program switched liq_c off after that window")

    pairs = [(liquid, r) for liquid, _ in LIQUIDS for r in table[liquid]
             if len(r[2]) == 2 and max(r[2]) <= 0.9 and r[1] < 15]
    worst = max(abs(sum(r[2]) / 2 - r[3]) for _, r in pairs) if pairs else 1
    check(len(pairs) >= 3 and worst <= 0.06,
          f"sigma_w and sigma_reg agree in {len(pairs)} subcritical windows "
          f"(largest difference {worst:.3f})")

    amplified = [(liquid, r) for liquid, _ in LIQUIDS for r in table[liquid]
                 if r[3] < 0.95 and 0 < r[1] < 15]
    errors = [abs((1 - DRIVE_HZ / r[1]) - r[3]) for _, r in amplified]
    check(len(amplified) >= 20 and max(errors) <= 0.025,
          f"rates give 1 - h / r = sigma_reg in {len(amplified)} windows "
          f"(largest difference {max(errors):.3f})")

    print("FAIL" if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
