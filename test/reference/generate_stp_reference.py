#!/usr/bin/python3
"""Generate stp_brian2.json: Brian2's Tsodyks-Markram short-term plasticity on a spike train.

Protocol (after Markram, Wang & Tsodyks 1998): a presynaptic train of 8
spikes at 20 Hz (10, 60, ..., 360 ms) and a recovery spike 500 ms after the
last one (860 ms), test/e2e/Inputs/stp-pre.csv (written with
--write-trains; by default read from there, so that the reference uses
exactly the train nnc reads). It drives two synapses, each onto its own
integrator neuron (`g : 1`, no equations, so g accumulates w u x exactly):

  depressing    U = 0.5,  tau_d = 1.1 s,   tau_f = 50 ms, w = 1
                (the defaults of std/stp.nn: excitatory -> excitatory)
  facilitating  U = 0.05, tau_d = 125 ms,  tau_f = 1.2 s, w = 2
                (excitatory -> inhibitory)

Parameter sets of Maass, Natschlaeger & Markram (2002, Neural Comput.
14:2531), after Markram et al. (1998) and Gupta, Wang & Markram (2000); the
same values are in Brian2's examples/frompapers/Maass_Natschlaeger_Markram_2002.py.

Synapse model (Brian's examples/synapses/short_term_plasticity2.py, the
order of std/stp.nn TsodyksMarkram):
  w : 1
  dx/dt = (1 - x) / tau_d : 1 (event-driven)
  du/dt = (U - u) / tau_f : 1 (event-driven)
  on_pre: g_post += w * u * x; x *= 1 - u; u += U * (1 - u)
starting from x = 1, u = U, g = 0, dt = 0.1 ms, 900 ms, numpy target.

Stored per synapse and spike: the spike's step, the increment of g
(g after minus g before the spike's step), g, u and x after the spike (the
values a StateMonitor shows at the start of the next step, as stored: event-
driven states are not advanced between events), and the u and x the spike
used (u x = increment / w). The script checks that Brian2's every-step
monitors are piecewise constant with exactly these values, and that an
independent replay of the recursion in Python agrees (differences under
`diagnostics`).

Usage (from the repository root):
    /usr/bin/python3 test/reference/generate_stp_reference.py [--write-trains]
"""

import argparse
import csv
import datetime
import json
import math
import os
import platform
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
PRE_CSV = os.path.join(REPO_ROOT, "test", "e2e", "Inputs", "stp-pre.csv")

DT_MS = 0.1
DURATION_MS = 900.0
TRAIN_MS = [10.0 + 50.0 * j for j in range(8)] + [860.0]
SYNAPSES = {
    "depressing": {"U": 0.5, "tau_d_ms": 1100.0, "tau_f_ms": 50.0, "w": 1.0,
                   "target": "out_dep",
                   "source": "excitatory -> excitatory, Maass, Natschlaeger & Markram (2002) "
                             "after Markram et al. (1998); std/stp.nn defaults"},
    "facilitating": {"U": 0.05, "tau_d_ms": 125.0, "tau_f_ms": 1200.0, "w": 2.0,
                     "target": "out_fac",
                     "source": "excitatory -> inhibitory, Maass, Natschlaeger & Markram (2002) "
                               "after Markram et al. (1998) and Gupta et al. (2000)"},
}


def step_of(t_ms):
    return int(round(t_ms / DT_MS))


def write_trains():
    with open(PRE_CSV, "w", newline="") as f:
        f.write("index,time_ms\n")
        for t in TRAIN_MS:
            f.write(f"0,{t:.1f}\n")
    print(f"wrote {PRE_CSV} ({len(TRAIN_MS)} spikes)")


def read_train():
    steps = []
    with open(PRE_CSV) as f:
        rows = csv.DictReader(f)
        if rows.fieldnames != ["index", "time_ms"]:
            sys.exit(f"{PRE_CSV}: expected the header 'index,time_ms'")
        for row in rows:
            if int(row["index"]) != 0:
                sys.exit(f"{PRE_CSV}: only neuron 0 expected")
            t = float(row["time_ms"])
            if abs(step_of(t) * DT_MS - t) > 1e-9:
                sys.exit(f"{PRE_CSV}: {t} ms is not on the {DT_MS} ms grid")
            steps.append(step_of(t))
    return sorted(steps)


def replay(steps, p):
    """The recursion, independently: advance exactly, then the statements."""
    dt = DT_MS * 1e-3
    u, x, g, last = p["U"], 1.0, 0.0, 0
    out = []
    for s in steps:
        e = (s - last) * dt
        last = s
        x = 1.0 + (x - 1.0) * math.exp(-e / (p["tau_d_ms"] * 1e-3))
        u = p["U"] + (u - p["U"]) * math.exp(-e / (p["tau_f_ms"] * 1e-3))
        u_used, x_used = u, x
        inc = p["w"] * u * x
        g += inc
        x *= 1.0 - u
        u += p["U"] * (1.0 - u)
        out.append({"u_used": u_used, "x_used": x_used, "increment": inc, "g_after": g,
                    "u_after": u, "x_after": x})
    return out


def run_brian2(steps):
    import warnings
    warnings.simplefilter("ignore")
    import numpy as np
    import brian2 as b2
    from brian2 import ms

    b2.prefs.codegen.target = "numpy"
    b2.defaultclock.dt = DT_MS * ms
    pre = b2.SpikeGeneratorGroup(1, np.zeros(len(steps), dtype=int),
                                 np.array(steps) * DT_MS * ms, name="pre")
    objects = [pre]
    monitors = {}
    for name, p in SYNAPSES.items():
        out = b2.NeuronGroup(1, "g : 1", name=p["target"])
        s = b2.Synapses(pre, out,
                        """w : 1
                           dx/dt = (1 - x) / tau_d : 1 (event-driven)
                           du/dt = (U - u) / tau_f : 1 (event-driven)""",
                        on_pre="""g_post += w * u * x
                                  x *= 1 - u
                                  u += U * (1 - u)""",
                        namespace={"U": p["U"], "tau_d": p["tau_d_ms"] * ms,
                                   "tau_f": p["tau_f_ms"] * ms},
                        name=name)
        s.connect()
        s.w = p["w"]
        s.x = 1.0
        s.u = p["U"]
        mg = b2.StateMonitor(out, "g", record=True, name=name + "_g")
        ms_ = b2.StateMonitor(s, ["u", "x"], record=True, name=name + "_ux")
        objects += [out, s, mg, ms_]
        monitors[name] = (mg, ms_)
    net = b2.Network(*objects)
    net.run(DURATION_MS * ms)
    traces = {}
    for name, (mg, ms_) in monitors.items():
        t_steps = np.round(np.asarray(mg.t / ms) / DT_MS).astype(int)
        traces[name] = {"steps": t_steps.tolist(), "g": np.asarray(mg.g[0]).tolist(),
                        "u": np.asarray(ms_.u[0]).tolist(), "x": np.asarray(ms_.x[0]).tolist()}
    return traces, b2.__version__


def brian2_environment():
    code = ("import json, warnings; warnings.simplefilter('ignore');"
            "import brian2, numpy, sympy;"
            "print(json.dumps({'brian2': brian2.__version__, 'numpy': numpy.__version__,"
            " 'sympy': sympy.__version__}))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    env = json.loads(out.strip().splitlines()[-1])
    env["python"] = platform.python_version()
    env["python_executable"] = sys.executable
    return env


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write-trains", action="store_true",
                        help="(re)write test/e2e/Inputs/stp-pre.csv first")
    parser.add_argument("--output", default=os.path.join(HERE, "stp_brian2.json"))
    args = parser.parse_args(argv)
    if args.write_trains:
        write_trains()
    steps = read_train()
    traces, version = run_brian2(steps)

    synapses = {}
    diagnostics = {}
    for name, p in SYNAPSES.items():
        tr = traces[name]
        if tr["steps"] != list(range(len(tr["steps"]))):
            sys.exit(f"{name}: the monitors did not sample every step")
        per_spike = []
        for j, s in enumerate(steps):
            before, after = s, s + 1
            per_spike.append({
                "step": s,
                "time_ms": s * DT_MS,
                "increment": tr["g"][after] - tr["g"][before],
                "g_after": tr["g"][after],
                "u_after": tr["u"][after],
                "x_after": tr["x"][after],
            })
        # Brian2's traces must be piecewise constant: the initial values up to
        # the first spike's step, then each spike's values until the next.
        initial = {"g": 0.0, "u": p["U"], "x": 1.0}
        for k in range(len(tr["steps"])):
            done = [e for e in per_spike if e["step"] < k]
            for var in ("g", "u", "x"):
                want = done[-1][var + "_after"] if done else initial[var]
                if tr[var][k] != want:
                    sys.exit(f"{name}: Brian2's {var} at step {k} is {tr[var][k]!r}, "
                             f"not piecewise constant ({want!r})")
        python = replay(steps, p)
        worst = 0.0
        for e, r in zip(per_spike, python):
            for key in ("increment", "g_after", "u_after", "x_after"):
                worst = max(worst, abs(e[key] - r[key]) / abs(r[key]))
            e["u_used"] = r["u_used"]
            e["x_used"] = r["x_used"]
        diagnostics[name] = {"max_rel_diff_python_replay_vs_brian2": worst}
        if worst > 1e-12:
            sys.exit(f"{name}: Brian2 and the Python replay disagree ({worst:.2e})")
        synapses[name] = {"parameters": p, "initial": initial, "spikes": per_spike}

    for name, syn in synapses.items():
        print(f"{name}: U = {syn['parameters']['U']}, tau_d = {syn['parameters']['tau_d_ms']} ms, "
              f"tau_f = {syn['parameters']['tau_f_ms']} ms, w = {syn['parameters']['w']}")
        print(f"  {'t ms':>6} {'increment':>20} {'u after':>20} {'x after':>20}")
        for e in syn["spikes"]:
            print(f"  {e['time_ms']:6g} {e['increment']:20.15g} {e['u_after']:20.15g} "
                  f"{e['x_after']:20.15g}")

    reference = {
        "format": "nnc-stp-reference/1",
        "description": "Tsodyks-Markram short-term plasticity (std/stp.nn TsodyksMarkram): "
                       "per-spike increments of an integrator's g and the synapse's u, x for a "
                       "20 Hz train of 8 spikes and a recovery spike 500 ms later",
        "simulator": "brian2",
        "provenance": {
            "brian2_version": version,
            "environment": brian2_environment(),
            "device": "runtime, numpy target",
            "date": datetime.date.today().isoformat(),
            "command": shlex.join(["/usr/bin/python3",
                                   os.path.relpath(os.path.abspath(sys.argv[0]), REPO_ROOT)]
                                  + (argv if argv is not None else sys.argv[1:])),
            "spike_file": "test/e2e/Inputs/stp-pre.csv",
        },
        "dt_ms": DT_MS,
        "duration_ms": DURATION_MS,
        "brian2_model": {
            "equations": ["w : 1", "dx/dt = (1 - x) / tau_d : 1 (event-driven)",
                          "du/dt = (U - u) / tau_f : 1 (event-driven)"],
            "on_pre": ["g_post += w * u * x", "x *= 1 - u", "u += U * (1 - u)"],
            "target": "NeuronGroup(1, 'g : 1')",
        },
        "semantics": "u_after, x_after, g_after: the stored values after the spike's step "
                     "(a monitor sample at step + 1 and every later step up to the next "
                     "spike's step); increment = g_after - g before = w u_used x_used",
        "synapses": synapses,
        "rtol": 1e-6,
        "diagnostics": diagnostics,
    }
    with open(args.output, "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
