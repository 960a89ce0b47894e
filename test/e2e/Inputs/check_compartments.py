"""Compares nnc's multi-compartment traces with NEURON's (issue 6).

Usage: check_compartments.py OUT_DIR MODEL --reference JSON
           [--population p] [--index 0] [--v-tol MV]
           [--v-tol-outside-spikes MV] [--spike-time-tol MS]

MODEL is a key of the reference's `models` (passive_cable, ball_and_stick),
JSON test/reference/compartments_neuron.json (written by
test/reference/generate_compartment_reference.py). OUT_DIR/traces.csv
(population,index,variable,unit,time_ms,value; variables `comp.v`, values
in volts) must hold every `comp.v` of the model for neuron INDEX of
POPULATION on the reference's 0.1 ms grid up to the end of the run (the
reference has one sample more, at the end time, which nnc's monitors do not
take). At every common sample |v_nnc - v_NEURON| must be within the model's
tolerance (its `tolerance` entry; the options override it):

  passive_cable   1e-4 mV everywhere: nnc's exact solver is exact at any dt,
                  NEURON's Crank-Nicolson at 0.005 ms is within 6.2e-6 mV of
                  the matrix exponential.
  ball_and_stick  0.1 mV everywhere and 0.03 mV outside the spike windows
                  (1 ms before to 2 ms after each NEURON spike); spike times
                  (upward crossings of soma.v through 0 mV, linearly
                  interpolated between the 0.1 ms samples, the same on both
                  sides) within 0.005 ms. RK4 at nnc's dt of 0.025 ms
                  reproduces NEURON to 0.026 mV, 0.0074 mV outside the
                  windows and 0.00023 ms (test/reference/README.md).

If OUT_DIR/spikes.csv has spikes of POPULATION, their number must equal
NEURON's, and spike k recorded at step s (time s dt: the step whose update
crossed the threshold) must bracket NEURON's crossing:
s dt - tol <= t_NEURON <= (s + 1) dt + tol, dt from summary.json (default
0.025 ms).

Prints a table per compartment; exits 1 on a mismatch or unreadable input.
"""
import argparse
import csv
import json
import math
import os
import sys


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def read_traces(path, population, index, wanted):
    traces = {name: {} for name in wanted}
    units = {}
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            need = {"population", "index", "variable", "unit", "time_ms", "value"}
            if not reader.fieldnames or not need <= set(reader.fieldnames):
                fail(f"{path}: header {reader.fieldnames}, expected {sorted(need)}")
            for row in reader:
                if row["population"] != population or int(row["index"]) != index:
                    continue
                name = row["variable"]
                if name not in traces:
                    continue
                units.setdefault(name, row["unit"])
                t = float(row["time_ms"])
                if t in traces[name]:
                    fail(f"{path}: two samples of {population}[{index}].{name} at {t} ms")
                traces[name][t] = float(row["value"])
    except OSError as err:
        fail(f"cannot read traces: {err}")
    except (KeyError, ValueError) as err:
        fail(f"malformed {path}: {err}")
    for name in wanted:
        if not traces[name]:
            fail(f"{path} has no samples of {population}[{index}].{name}")
        if units[name] != "V":
            fail(f"{population}[{index}].{name} has unit {units[name]!r}, expected V")
    return traces


def crossings(times, values, threshold):
    out = []
    for k in range(len(values) - 1):
        if values[k] <= threshold < values[k + 1]:
            frac = (threshold - values[k]) / (values[k + 1] - values[k])
            out.append(times[k] + frac * (times[k + 1] - times[k]))
    return out


def read_spikes(out_dir, population, index):
    path = os.path.join(out_dir, "spikes.csv")
    if not os.path.exists(path):
        return None
    times = []
    try:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                if row.get("population", population) == population and \
                        int(row["index"]) == index:
                    times.append(float(row["time_ms"]))
    except (OSError, KeyError, ValueError) as err:
        fail(f"malformed {path}: {err}")
    return sorted(times) or None


def run_dt_ms(out_dir, default=0.025):
    try:
        with open(os.path.join(out_dir, "summary.json")) as f:
            return float(json.load(f)["dt_ms"])
    except (OSError, ValueError, KeyError, TypeError):
        return default


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out_dir")
    p.add_argument("model")
    p.add_argument("--reference", required=True)
    p.add_argument("--population", default="p")
    p.add_argument("--index", type=int, default=0)
    p.add_argument("--v-tol", type=float, help="mV, every sample")
    p.add_argument("--v-tol-outside-spikes", type=float,
                   help="mV, samples outside the spike windows")
    p.add_argument("--spike-time-tol", type=float, help="ms")
    a = p.parse_args()

    try:
        with open(a.reference) as f:
            ref = json.load(f)
        model = ref["models"][a.model]
        stride = ref["sample"]["stride_ms"]
        count = ref["sample"]["count"]
    except (OSError, ValueError) as err:
        fail(f"cannot read the reference {a.reference}: {err}")
    except KeyError as err:
        fail(f"reference {a.reference} has no {err} (models: "
             f"{', '.join(ref.get('models', {}))})")
    tol = model["tolerance"]
    v_tol = a.v_tol if a.v_tol is not None else tol["v_abs_mV"]
    v_tol_out = (a.v_tol_outside_spikes if a.v_tol_outside_spikes is not None
                 else tol.get("v_abs_outside_spikes_mV", v_tol))
    spike_tol = (a.spike_time_tol if a.spike_time_tol is not None
                 else tol.get("spike_time_ms"))
    ref_spikes = model.get("spike_times_ms")
    window = tol.get("spike_window_ms", [0.0, 0.0])

    names = list(model["traces_mV"])
    traces = read_traces(os.path.join(a.out_dir, "traces.csv"),
                         a.population, a.index, names)

    # Sample times: every nnc sample on the reference grid, and the grid
    # covered from 0 to the end of the run (the last reference sample, at
    # the end time itself, is not taken by nnc's monitors).
    steps = {}
    for name in names:
        ks = []
        for t in traces[name]:
            k = round(t / stride)
            if abs(t - k * stride) > 1e-6 or not 0 <= k < count:
                fail(f"{a.population}[{a.index}].{name} sample at {t} ms is not "
                     f"on the reference grid (0 to {(count - 1) * stride:g} ms "
                     f"every {stride:g} ms)")
            ks.append(k)
        steps[name] = sorted(ks)
        if steps[name] != list(range(len(ks))) or len(ks) < count - 1:
            fail(f"{a.population}[{a.index}].{name}: expected the samples at 0, "
                 f"{stride:g}, ... {(count - 2) * stride:g} ms, got {len(ks)} "
                 f"samples from {min(traces[name])} to {max(traces[name])} ms")

    def in_window(t):
        return any(s - window[0] <= t <= s + window[1] for s in ref_spikes or [])

    ok = True
    print(f"{a.model}: nnc {a.population}[{a.index}] vs NEURON "
          f"({ref['provenance']['simulator']}), tolerance {v_tol:g} mV"
          + (f", {v_tol_out:g} mV outside spike windows "
             f"[-{window[0]:g}, +{window[1]:g}] ms" if ref_spikes else ""))
    print(f"{'variable':>10} {'samples':>8} {'max |dV| mV':>12} {'at ms':>8} "
          + (f"{'outside mV':>12} {'at ms':>8} " if ref_spikes else "") + "result")
    nnc_mv = {}
    for name in names:
        times = sorted(traces[name])
        nnc_mv[name] = [traces[name][t] * 1e3 for t in times]
        ref_v = model["traces_mV"][name]
        worst = (0.0, 0.0)
        worst_out = (0.0, 0.0)
        for t, v in zip(times, nnc_mv[name]):
            d = abs(v - ref_v[round(t / stride)])
            if not math.isfinite(d):
                d = math.inf          # NaN compares false: count it as inf
            if d > worst[0]:
                worst = (d, t)
            if not in_window(t) and d > worst_out[0]:
                worst_out = (d, t)
        bad = worst[0] > v_tol or (ref_spikes and worst_out[0] > v_tol_out)
        ok &= not bad
        print(f"{name:>10} {len(times):8d} {worst[0]:12.3g} {worst[1]:8.2f} "
              + (f"{worst_out[0]:12.3g} {worst_out[1]:8.2f} " if ref_spikes else "")
              + ("FAIL" if bad else "ok"))

    if ref_spikes is not None:
        threshold = model["spike_threshold_mV"]
        soma = names[0]
        times = sorted(traces[soma])
        got = crossings(times, nnc_mv[soma], threshold)
        want = model["spike_times_sampled_ms"]
        print(f"spikes (upward crossings of {soma} through {threshold:g} mV, "
              f"interpolated between samples), tolerance {spike_tol:g} ms:")
        print(f"{'k':>4} {'NEURON ms':>10} {'nnc ms':>10} {'diff ms':>10}")
        for k in range(max(len(got), len(want))):
            w = f"{want[k]:10.4f}" if k < len(want) else f"{'-':>10}"
            g = f"{got[k]:10.4f}" if k < len(got) else f"{'-':>10}"
            d = abs(got[k] - want[k]) if k < len(got) and k < len(want) else math.inf
            bad = d > spike_tol
            ok &= not bad
            print(f"{k:4d} {w} {g} {d:10.2g} " + ("FAIL" if bad else "ok"))
        recorded = read_spikes(a.out_dir, a.population, a.index)
        if recorded is not None:
            dt = run_dt_ms(a.out_dir)
            print(f"spikes.csv: {len(recorded)} spikes (NEURON {len(ref_spikes)}), "
                  f"each step [s dt, (s + 1) dt] must contain NEURON's crossing "
                  f"(dt {dt:g} ms, slack {spike_tol:g} ms)")
            if len(recorded) != len(ref_spikes):
                ok = False
                print("FAIL: spike count " + ", ".join(f"{x:g}" for x in recorded))
            for k, (s, t_ref) in enumerate(zip(recorded, ref_spikes)):
                if not s - spike_tol <= t_ref <= s + dt + spike_tol:
                    ok = False
                    print(f"FAIL: spike {k} at {s:g} ms, NEURON crosses at {t_ref:.4f} ms")
    if not ok:
        fail(f"{a.model} does not match NEURON")
    print(f"PASS {a.model}")


if __name__ == "__main__":
    main()
