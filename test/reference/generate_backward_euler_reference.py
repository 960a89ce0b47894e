#!/usr/bin/python3
"""NEURON references for nnc's `solver backward_euler` (issue 6: implicit
cable solve, Hines-style tree elimination).

Runs the ball-and-stick cell of generate_compartment_reference.py with
NEURON's default fixed-step method, backward Euler (h.secondorder = 0) at
NEURON's default dt = 0.025 ms, and writes
test/reference/compartments_backward_euler_neuron.json in the same format
as compartments_neuron.json (read by test/e2e/Inputs/check_compartments.py):

  ball_and_stick_be   the cell of compartments_neuron.json (HH soma, 3
                      dendrite segments of 133 um)
  fine_dendrite_be    the same cell with the dendrite cut into 20 segments
                      of 20 um: couplings of 105 nS on 1.26 pF, a time
                      constant of 0.012 ms, so explicit methods at 0.025 ms
                      diverge (RK4 needs dt < 0.008 ms) while backward Euler
                      is stable at any dt.

nnc's backward_euler is NEURON's method (linearised implicit Euler for the
potentials with the Jacobian from a 0.001 mV difference, Hines elimination,
then hh's gates by cnexp at the new potentials), so the tolerance is the
rounding of the stored values: 2e-6 mV, spike times 1e-4 ms. Also stored:
how far this run is from the accurate reference (Crank-Nicolson at 0.005
ms), i.e. backward Euler's own error at 0.025 ms.

Run with /usr/bin/python3 from anywhere:
  /usr/bin/python3 test/reference/generate_backward_euler_reference.py
        [--output FILE] [--check-only]
"""
import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate_compartment_reference as base  # noqa: E402

DEFAULT_OUTPUT = os.path.join(HERE, "compartments_backward_euler_neuron.json")
DT = 0.025          # ms, NEURON's default
TOL = {"v_abs_mV": 2e-6, "spike_time_ms": 1e-4}


def run(h, dend, secondorder, dt):
    """(t, v per segment, spike times, compartments, couplings) of the
    ball-and-stick cell with dendrite `dend`."""
    base.DEND = dend
    base.DT = dt
    h.secondorder = secondorder
    comps, couplings = base.ball_and_stick_equivalent()
    t, vs, internals, gates0 = base.neuron_ball_and_stick(h, usetable=False)
    for k, comp in enumerate(comps):
        if abs(internals["area_um2"][k] - comp["area_um2"]) > 1e-9 * comp["area_um2"]:
            sys.exit(f"area mismatch for {comp['name']}: {internals}")
    vs = np.array(vs)
    comps[0]["initial"] = {"v_mV": base.V_INIT, "m": gates0[0], "h": gates0[1],
                           "n": gates0[2]}
    return t, vs, base.crossings(t, vs[0]), comps, couplings


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", default=DEFAULT_OUTPUT)
    parser.add_argument("--check-only", action="store_true",
                        help="run and print, write nothing")
    args = parser.parse_args()

    h = base.neuron_setup()
    t_sample = np.round(base.SAMPLE * np.arange(round(base.TSTOP / base.SAMPLE) + 1), 10)
    coarse = dict(base.DEND)
    fine = dict(base.DEND, nseg=20)
    result = {}
    for key, dend, test in (
            ("ball_and_stick_be", coarse, "ball-and-stick-backward-euler.nn"),
            ("fine_dendrite_be", fine, "fine-dendrite.nn")):
        t, vs, spikes, comps, couplings = run(h, dend, 0, DT)
        v = base.subsample(vs, DT)
        _, vs_acc, spikes_acc, _, _ = run(h, dend, 2, 0.005)
        v_acc = base.subsample(vs_acc, 0.005)
        err = base.max_abs(v, v_acc)
        spike_err = base.spike_diff(spikes, spikes_acc)
        tau = min(c["C_pF"] for c in comps) / max(cp["g_nS"] for cp in couplings)
        print(f"{key}: {len(comps)} compartments, fastest coupling C/g = "
              f"{tau:.3g} ms; spikes (ms) " + ", ".join(f"{x:.4f}" for x in spikes))
        print(f"  backward Euler at {DT} ms vs Crank-Nicolson at 0.005 ms: "
              f"max |dV| {err:.3g} mV, spike times {spike_err:.3g} ms")
        result[key] = {
            "description": f"HH soma + {dend['nseg']}-segment passive dendrite, "
                           "current clamp into the soma, NEURON's backward Euler",
            "neuron_model": {"soma": base.SOMA, "hh": base.HH, "dend": dend,
                             "connect": "dend(0) to soma(1)",
                             "iclamp": dict(base.SOMA_CLAMP, location="soma(0.5)")},
            "compartments": comps,
            "couplings": couplings,
            "fastest_coupling_time_ms": tau,
            "nnc_test": f"test/e2e/compartments/{test}",
            "traces_mV": {f"{c['name']}.v": base.rounded(v[k])
                          for k, c in enumerate(comps)},
            "spike_threshold_mV": base.SPIKE_THRESHOLD,
            "spike_times_ms": spikes,
            "spike_times_sampled_ms": base.crossings(t_sample, v[0]),
            "method_error": {
                "against": "NEURON Crank-Nicolson (secondorder 2) at 0.005 ms",
                "max_abs_v_mV": err,
                "max_spike_time_diff_ms": spike_err,
            },
            "tolerance": dict(
                TOL, why="nnc's backward_euler is NEURON's fixed-step method "
                         "step for step, so only the rounding of the stored "
                         "values (5e-7 mV) separates them."),
        }

    out = base.reference_document(
        h, "generate_backward_euler_reference.py",
        {"secondorder": 0, "dt_ms": DT, "celsius_degC": base.CELSIUS,
         "v_init_mV": base.V_INIT, "tstop_ms": base.TSTOP, "usetable_hh": 0,
         "stepping": "h.finitialize(v_init), then 2400 x h.fadvance()"},
        t_sample, result)
    if args.check_only:
        return
    base.write_reference(out, args.output)


if __name__ == "__main__":
    main()
