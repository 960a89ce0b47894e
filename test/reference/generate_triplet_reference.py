#!/usr/bin/python3
"""Generate triplet_brian2.json: Brian2's final weights of triplet STDP under the pairing protocol.

Pfister & Gerstner (2006, J. Neurosci. 26:9673) fit their triplet rule to
the frequency dependence of STDP measured by Sjostrom, Turrigiano & Nelson
(2001, Neuron 32:1149): 60 pairings of one presynaptic and one
postsynaptic spike, the postsynaptic spike 10 ms after (+10 ms) or before
(-10 ms) the presynaptic one, repeated at 0.1, 10, 20, 40 and 50 Hz. At low
frequency pre-before-post potentiates and post-before-pre depresses; at 40
and 50 Hz both orders potentiate.

Every condition (lag, frequency) is one neuron of a presynaptic and of a
postsynaptic spike train, so that one run with one-to-one projections
covers all of them: neuron k of test/e2e/Inputs/pairs-pre.csv and of
test/e2e/Inputs/pairs-post.csv is condition k of
test/e2e/Inputs/pairs-conditions.json (written with --write-trains; by
default this script reads those checked-in files, so that the reference is
computed from exactly the trains nnc reads).

The network mirrors test/e2e/triplet-stdp.nn. nnc's spike sources cannot
be the target of a projection, so the postsynaptic neurons are relays: a
NeuronGroup with `g : 1`, `drive : 1`, threshold `drive > 0.5`, reset
`drive = 0`, driven one-to-one by the postsynaptic SpikeGeneratorGroup
(`drive += 1`). A relay spikes one step after its train's spike, so the
plastic synapses (presynaptic SpikeGeneratorGroup -> relays, one-to-one)
have a delay of one step (0.1 ms) and every pre and post event of the
plastic synapses happens exactly one step after the time in the files:
the lags are exact. The same trains applied directly (plastic synapses
onto the postsynaptic SpikeGeneratorGroup, no delay) and an independent
event-by-event replay in Python must give the same weights (checked here,
differences stored under `diagnostics`).

Three projections with the model of std/stdp.nn (STDPTriplet):
  full     Pfister & Gerstner's all-to-all full model for the visual cortex
           data (A2+ = 5e-10, A3+ = 6.2e-3, A2- = 7e-3, A3- = 2.3e-4,
           tau_x = 101 ms, tau_y = 125 ms); w starts at 0 with bounds
           [-1, 1] that are never reached, so the final w is the weight
           change itself (linear, no clipping);
  minimal  the minimal all-to-all model of the same fit (A2+ = 0,
           A3+ = 6.5e-3, A2- = 7.1e-3, A3- = 0, tau_y = 114 ms); w from 0,
           bounds [-1, 1];
  bounded  the model's defaults (the full parameters, w from 0.5, hard
           bounds [0, 1]): the weights of the 40 and 50 Hz conditions reach
           the upper bound and are clipped.
tau_plus = 16.8 ms and tau_minus = 33.7 ms throughout.

Synapse model (Brian2, all traces `(event-driven)`):
  dr1/dt = -r1/tau_plus, dr2/dt = -r2/tau_x, do1/dt = -o1/tau_minus,
  do2/dt = -o2/tau_y
  on_pre:  g_post += w; w = clip(w - o1*(A2m + A3m*r2), wmin, wmax);
           r1 += 1; r2 += 1
  on_post: w = clip(w + r1*(A2p + A3p*o2), wmin, wmax); o1 += 1; o2 += 1

Runs with the cpp_standalone device (the 0.1 Hz conditions last 590 s:
5.9 million steps).

Usage (from the repository root):
    /usr/bin/python3 test/reference/generate_triplet_reference.py [--write-trains]
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
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
INPUTS = os.path.join(REPO_ROOT, "test", "e2e", "Inputs")
PRE_CSV = os.path.join(INPUTS, "pairs-pre.csv")
POST_CSV = os.path.join(INPUTS, "pairs-post.csv")
CONDITIONS_JSON = os.path.join(INPUTS, "pairs-conditions.json")

DT_MS = 0.1
FREQUENCIES_HZ = [0.1, 10.0, 20.0, 40.0, 50.0]
LAGS_MS = [10.0, -10.0]
PAIRINGS = 60
FIRST_PRE_MS = 20.0          # first presynaptic spike of every condition
DURATION_MS = 591000.0       # the last spike is at 590030 ms (0.1 Hz, +10 ms)
RELAY_DELAY_MS = DT_MS       # delay of the plastic synapses (see above)

TAU_PLUS_MS = 16.8
TAU_MINUS_MS = 33.7
FULL = {"tau_plus_ms": TAU_PLUS_MS, "tau_x_ms": 101.0, "tau_minus_ms": TAU_MINUS_MS,
        "tau_y_ms": 125.0, "A2_plus": 5e-10, "A3_plus": 6.2e-3, "A2_minus": 7e-3,
        "A3_minus": 2.3e-4}
MINIMAL = {"tau_plus_ms": TAU_PLUS_MS, "tau_x_ms": 101.0, "tau_minus_ms": TAU_MINUS_MS,
           "tau_y_ms": 114.0, "A2_plus": 0.0, "A3_plus": 6.5e-3, "A2_minus": 7.1e-3,
           "A3_minus": 0.0}
PROJECTIONS = {
    "full": dict(FULL, w0=0.0, w_min=-1.0, w_max=1.0),
    "minimal": dict(MINIMAL, w0=0.0, w_min=-1.0, w_max=1.0),
    "bounded": dict(FULL, w0=0.5, w_min=0.0, w_max=1.0),
}


def conditions():
    """The conditions in neuron order: every lag, then every frequency."""
    out = []
    for lag in LAGS_MS:
        for f in FREQUENCIES_HZ:
            out.append({"index": len(out), "lag_ms": lag, "frequency_hz": f,
                        "period_ms": 1000.0 / f, "pairings": PAIRINGS})
    return out


def step_of(t_ms):
    return int(round(t_ms / DT_MS))


def trains(conds):
    """(pre, post) lists of (step, neuron) for every condition."""
    pre, post = [], []
    for c in conds:
        period = step_of(c["period_ms"])
        lag = step_of(c["lag_ms"])
        for k in range(PAIRINGS):
            s = step_of(FIRST_PRE_MS) + k * period
            pre.append((s, c["index"]))
            post.append((s + lag, c["index"]))
    return sorted(pre), sorted(post)


def write_csv(path, events):
    with open(path, "w", newline="") as f:
        f.write("index,time_ms\n")
        for step, i in events:
            f.write(f"{i},{step * DT_MS:.1f}\n")


def read_csv(path):
    events = []
    with open(path) as f:
        rows = csv.DictReader(f)
        if rows.fieldnames != ["index", "time_ms"]:
            sys.exit(f"{path}: expected the header 'index,time_ms'")
        for row in rows:
            t = float(row["time_ms"])
            s = step_of(t)
            if abs(s * DT_MS - t) > 1e-9:
                sys.exit(f"{path}: {t} ms is not on the {DT_MS} ms grid")
            events.append((s, int(row["index"])))
    return sorted(events)


def write_trains():
    conds = conditions()
    pre, post = trains(conds)
    write_csv(PRE_CSV, pre)
    write_csv(POST_CSV, post)
    with open(CONDITIONS_JSON, "w") as f:
        json.dump({
            "format": "nnc-pairing-conditions/1",
            "description": "Pairing protocol of Sjostrom et al. (2001) as modelled by Pfister & "
                           "Gerstner (2006): neuron k of pairs-pre.csv and pairs-post.csv is "
                           "condition k. Pairing j of a condition has its presynaptic spike at "
                           "first_pre_ms + j * period_ms and its postsynaptic spike lag_ms later "
                           "(earlier for a negative lag).",
            "dt_ms": DT_MS,
            "first_pre_ms": FIRST_PRE_MS,
            "pairings": PAIRINGS,
            "duration_ms": DURATION_MS,
            "conditions": conds,
            "generated_by": "test/reference/generate_triplet_reference.py --write-trains",
        }, f, indent=1)
        f.write("\n")
    print(f"wrote {PRE_CSV}, {POST_CSV} ({len(pre)} + {len(post)} spikes), {CONDITIONS_JSON}")


def replay(pre, post, p, n, delay_steps=0):
    """Independent implementation: per synapse, traces decayed exactly at each
    event, pre events of a step before its post events."""
    dt = DT_MS * 1e-3
    events = sorted([(s + delay_steps, 0, i) for s, i in pre] + [(s, 1, i) for s, i in post])
    syn = [dict(w=p["w0"], r1=0.0, r2=0.0, o1=0.0, o2=0.0, last=0) for _ in range(n)]
    taus = {"r1": p["tau_plus_ms"], "r2": p["tau_x_ms"], "o1": p["tau_minus_ms"],
            "o2": p["tau_y_ms"]}
    for step, kind, i in events:
        x = syn[i]
        e = (step - x["last"]) * dt
        for name, tau in taus.items():
            x[name] *= math.exp(-e / (tau * 1e-3))
        x["last"] = step
        if kind == 0:
            x["w"] = min(max(x["w"] - x["o1"] * (p["A2_minus"] + p["A3_minus"] * x["r2"]),
                             p["w_min"]), p["w_max"])
            x["r1"] += 1.0
            x["r2"] += 1.0
        else:
            x["w"] = min(max(x["w"] + x["r1"] * (p["A2_plus"] + p["A3_plus"] * x["o2"]),
                             p["w_min"]), p["w_max"])
            x["o1"] += 1.0
            x["o2"] += 1.0
    return [x["w"] for x in syn]


def run_brian2(pre, post, n, build_dir):
    import warnings
    warnings.simplefilter("ignore")
    import numpy as np
    import brian2 as b2
    from brian2 import ms, second

    b2.set_device("cpp_standalone", directory=build_dir, build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0
    b2.defaultclock.dt = DT_MS * ms

    def generator(events, name):
        return b2.SpikeGeneratorGroup(n, np.array([i for _, i in events]),
                                      np.array([s for s, _ in events]) * DT_MS * ms, name=name)

    pre_g = generator(pre, "pre")
    post_train = generator(post, "post_train")
    relay = b2.NeuronGroup(n, "g : 1\ndrive : 1", threshold="drive > 0.5",
                           reset="drive = 0", name="post")
    drive = b2.Synapses(post_train, relay, on_pre="drive_post += 1", name="drive")
    drive.connect(j="i")
    model = """w : 1
               dr1/dt = -r1 / tau_plus : 1 (event-driven)
               dr2/dt = -r2 / tau_x : 1 (event-driven)
               do1/dt = -o1 / tau_minus : 1 (event-driven)
               do2/dt = -o2 / tau_y : 1 (event-driven)"""
    on_pre = """w = clip(w - o1 * (A2m + A3m * r2), wmin, wmax)
                r1 += 1
                r2 += 1"""
    on_post = """w = clip(w + r1 * (A2p + A3p * o2), wmin, wmax)
                 o1 += 1
                 o2 += 1"""
    synapses = {}
    for name, p in PROJECTIONS.items():
        namespace = {"tau_plus": p["tau_plus_ms"] * ms, "tau_x": p["tau_x_ms"] * ms,
                     "tau_minus": p["tau_minus_ms"] * ms, "tau_y": p["tau_y_ms"] * ms,
                     "A2p": p["A2_plus"], "A3p": p["A3_plus"], "A2m": p["A2_minus"],
                     "A3m": p["A3_minus"], "wmin": p["w_min"], "wmax": p["w_max"]}
        # As nnc runs it: onto the relays, one step of delay.
        s = b2.Synapses(pre_g, relay, model, on_pre="g_post += w\n" + on_pre, on_post=on_post,
                        delay=RELAY_DELAY_MS * ms, namespace=namespace, name=name)
        s.connect(j="i")
        s.w = p["w0"]
        # The same trains applied directly, without relay and delay.
        d = b2.Synapses(pre_g, post_train, model, on_pre=on_pre, on_post=on_post,
                        namespace=namespace, name=name + "_direct")
        d.connect(j="i")
        d.w = p["w0"]
        synapses[name] = (s, d)
    pre_mon = b2.SpikeMonitor(pre_g, name="pre_spikes")
    post_mon = b2.SpikeMonitor(relay, name="post_spikes")
    net = b2.Network(pre_g, post_train, relay, drive, pre_mon, post_mon,
                     *[obj for pair in synapses.values() for obj in pair])
    net.run(DURATION_MS * ms)
    t0 = time.perf_counter()
    b2.device.build(directory=build_dir, compile=True, run=True)
    wall = time.perf_counter() - t0

    def spikes(mon):
        return sorted(zip((np.round(np.asarray(mon.t / second) / (DT_MS * 1e-3))).astype(int)
                          .tolist(), np.asarray(mon.i).tolist()))

    result = {name: {"relay": [float(v) for v in s.w[:]],
                     "direct": [float(v) for v in d.w[:]]}
              for name, (s, d) in synapses.items()}
    timings = {"build_and_run_wall": wall}
    try:
        timings["simulate"] = float(b2.device._last_run_time)
    except Exception:
        pass
    return result, spikes(pre_mon), spikes(post_mon), timings, b2.__version__


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
    try:
        env["cxx"] = subprocess.run(["g++", "--version"], capture_output=True,
                                    text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        env["cxx"] = None
    return env


def rel(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write-trains", action="store_true",
                        help="(re)write the spike trains and the conditions under "
                             "test/e2e/Inputs/ before running Brian2")
    parser.add_argument("--output", default=os.path.join(HERE, "triplet_brian2.json"))
    parser.add_argument("--build-dir", help="standalone project directory (kept); default: "
                                            "a temporary directory")
    args = parser.parse_args(argv)
    if args.write_trains:
        write_trains()
    with open(CONDITIONS_JSON) as f:
        conds = json.load(f)["conditions"]
    n = len(conds)
    pre, post = read_csv(PRE_CSV), read_csv(POST_CSV)
    if (pre, post) != trains(conds):
        sys.exit("the spike files differ from the protocol of pairs-conditions.json; "
                 "rerun with --write-trains")

    with tempfile.TemporaryDirectory(prefix="nnc-triplet-ref-") as tmp:
        build_dir = os.path.abspath(args.build_dir) if args.build_dir else os.path.join(tmp, "b")
        weights, pre_spikes, post_spikes, timings, version = run_brian2(pre, post, n, build_dir)

    delay = step_of(RELAY_DELAY_MS)
    if pre_spikes != pre:
        sys.exit("Brian2's presynaptic spikes differ from the file")
    if post_spikes != [(s + delay, i) for s, i in post]:
        sys.exit("Brian2's relay neurons do not spike one step after their train")
    diagnostics = {}
    per_projection = {}
    for name, p in PROJECTIONS.items():
        w = weights[name]["relay"]
        direct = weights[name]["direct"]
        python = replay(pre, post, p, n, delay_steps=0)
        worst_direct = max(abs(a - b) for a, b in zip(w, direct))
        worst_python = max(abs(a - b) for a, b in zip(w, python))
        diagnostics[name] = {"max_abs_diff_direct_vs_relay": worst_direct,
                             "max_abs_diff_python_replay_vs_brian2": worst_python}
        if worst_direct > 1e-12 or worst_python > 1e-12:
            sys.exit(f"{name}: Brian2 relay/direct/replay disagree: {diagnostics[name]}")
        per_projection[name] = {
            "parameters": p,
            "final_w": w,
            "delta_w": [x - p["w0"] for x in w],
        }

    print(f"{'lag':>6} {'f (Hz)':>7} " + " ".join(f"{name:>22}" for name in PROJECTIONS))
    for c in conds:
        k = c["index"]
        print(f"{c['lag_ms']:+6g} {c['frequency_hz']:7g} "
              + " ".join(f"{per_projection[name]['final_w'][k]:22.15g}" for name in PROJECTIONS))

    reference = {
        "format": "nnc-triplet-reference/1",
        "description": "Triplet STDP (Pfister & Gerstner 2006, all-to-all) under the pairing "
                       "protocol of Sjostrom et al. (2001): final weight per condition "
                       "(synapse k = condition k) for three parameter sets",
        "simulator": "brian2",
        "provenance": {
            "brian2_version": version,
            "environment": brian2_environment(),
            "device": "cpp_standalone",
            "date": datetime.date.today().isoformat(),
            "command": shlex.join(["/usr/bin/python3",
                                   os.path.relpath(os.path.abspath(sys.argv[0]), REPO_ROOT)]
                                  + (argv if argv is not None else sys.argv[1:])),
            "spike_files": ["test/e2e/Inputs/pairs-pre.csv", "test/e2e/Inputs/pairs-post.csv"],
            "conditions_file": "test/e2e/Inputs/pairs-conditions.json",
            "parameter_sources": {
                "full": "Pfister & Gerstner (2006), visual cortex data set, all-to-all, full "
                        "model",
                "minimal": "Pfister & Gerstner (2006), visual cortex data set, all-to-all, "
                           "minimal model (tau_x unused since A3_minus = 0)",
                "bounded": "the defaults of std/stdp.nn STDPTriplet (the full model, w0 = 0.5, "
                           "bounds [0, 1])",
            },
        },
        "dt_ms": DT_MS,
        "duration_ms": DURATION_MS,
        "plastic_synapse_delay_ms": RELAY_DELAY_MS,
        "network": "pre = SpikeGeneratorGroup(pairs-pre.csv); post = relay NeuronGroup (g, drive; "
                   "threshold drive > 0.5, reset drive = 0) driven one-to-one by "
                   "SpikeGeneratorGroup(pairs-post.csv) with drive += 1; one Synapses per "
                   "projection pre -> post, one-to-one, delay 0.1 ms",
        "brian2_model": {
            "equations": ["w : 1", "dr1/dt = -r1 / tau_plus : 1 (event-driven)",
                          "dr2/dt = -r2 / tau_x : 1 (event-driven)",
                          "do1/dt = -o1 / tau_minus : 1 (event-driven)",
                          "do2/dt = -o2 / tau_y : 1 (event-driven)"],
            "on_pre": ["g_post += w", "w = clip(w - o1 * (A2m + A3m * r2), wmin, wmax)",
                       "r1 += 1", "r2 += 1"],
            "on_post": ["w = clip(w + r1 * (A2p + A3p * o2), wmin, wmax)", "o1 += 1",
                        "o2 += 1"],
        },
        "conditions": conds,
        "projections": per_projection,
        "rtol": 1e-6,
        "atol": 1e-15,
        "diagnostics": diagnostics,
        "timings_s": timings,
    }
    with open(args.output, "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
