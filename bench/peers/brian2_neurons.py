#!/usr/bin/python3
"""Brian2 peer of the neuron update micro-benchmark (bench/neurons.sh).

Simulates N unconnected neurons of one model with Brian2 2.5.1's
``cpp_standalone`` device, single thread (``openmp_threads = 0``), with the
equations, integration method, dt, initial state and per-neuron current of
the matching nnc network in ``bench/neurons/<model>.nn``:

  lif_exact         LIF_cuba_exp of std/lif.nn, method='exact', dt 0.1 ms,
                    I_ext = 350 pA + i * 0.001 pA
  izhikevich_euler  Izhikevich of std/izhikevich.nn, method='euler',
                    dt 0.1 ms, I_ext = i * 0.0002 pA
  hh_rk4            HH of std/hh.nn, method='rk4', dt 0.01 ms,
                    I_ext = i * 0.00002 nA; threshold 'v > -20*mV' with
                    refractory=3*ms (only to count action potentials)

The current is a per-neuron variable ``I_ext : amp`` in both simulators;
the model parameters are constants (nnc folds them into the code, Brian2
writes them as constants into the generated C++).

Spikes are counted without a monitor: every model's reset adds
``nspikes += 1`` to a per-neuron counter ``nspikes : 1`` (run only for the
neurons that spike, like nnc's per-population spike count), read back after
the run. No other monitors: the simulation loop is the state update, the
threshold and the reset, as in nnc.

Timing (``timings_s`` in the JSON):

* ``simulate``: ``device._last_run_time``, Brian2's own measurement of its
  simulation loop, written by the generated ``Network::run`` into
  ``results/last_run_info.txt``; without OpenMP it is process CPU time
  (``std::clock()``).
* ``build_total``: wall time of ``device.build()``: code generation, ``make``
  (``-O3 -ffast-math -march=native``, Brian2's defaults) and running the
  binary.
* ``run_binary``: wall time of the compiled ``main``.
* ``codegen_compile``: ``build_total - run_binary``.

Everything is generated in ``--build-dir`` (a temporary directory, deleted
afterwards, unless given; ``--keep`` keeps the temporary one and prints it,
e.g. to read the generated code in ``code_objects/``).
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import warnings

from standalone import build_and_time

#: The models: Brian2 equations (the same as std/*.nn, in Brian2's syntax),
#: constants as (value, unit name) pairs, initial states, threshold, reset,
#: refractory period, integration method, dt and the current I_ext(i).
MODELS = {
    "lif_exact": dict(
        eqs="""
            dv/dt = (E_L - v)/tau_m + (I_e + I_i + I_ext)/C_m : volt (unless refractory)
            dI_e/dt = -I_e/tau_syn_e : amp
            dI_i/dt = -I_i/tau_syn_i : amp
        """,
        constants={"C_m": (250, "pF"), "tau_m": (10, "ms"), "E_L": (-70, "mV"),
                   "v_th": (-55, "mV"), "v_reset": (-70, "mV"),
                   "tau_syn_e": (2, "ms"), "tau_syn_i": (2, "ms")},
        init={"v": (-70, "mV"), "I_e": (0, "pA"), "I_i": (0, "pA")},
        threshold="v > v_th", reset="v = v_reset", refractory=(2, "ms"),
        method="exact", dt=(0.1, "ms"), current="350*pA + i * 0.001*pA"),
    "izhikevich_euler": dict(
        eqs="""
            dv/dt = 0.04/(ms*mV)*v**2 + 5/ms*v + 140*mV/ms - u + I_ext/C : volt
            du/dt = a*(b*v - u) : volt/second
        """,
        constants={"a": (0.02, "1/ms"), "b": (0.2, "1/ms"), "c": (-65, "mV"),
                   "d": (8, "mV/ms"), "v_peak": (30, "mV"), "C": (1, "pF")},
        init={"v": (-65, "mV"), "u": (-13, "mV/ms")},
        threshold="v >= v_peak", reset="v = c\nu += d", refractory=None,
        method="euler", dt=(0.1, "ms"), current="i * 0.0002*pA"),
    "hh_rk4": dict(
        eqs="""
            dv/dt = (g_L*(E_L - v) + g_Na*m**3*h*(E_Na - v) + g_K*n**4*(E_K - v) + I_ext)/C : volt
            dm/dt = 0.1/(mV*ms)*(v + 40*mV)/(1 - exp(-(v + 40*mV)/(10*mV)))*(1 - m) - 4/ms*exp(-(v + 65*mV)/(18*mV))*m : 1
            dh/dt = 0.07/ms*exp(-(v + 65*mV)/(20*mV))*(1 - h) - 1/ms/(1 + exp(-(v + 35*mV)/(10*mV)))*h : 1
            dn/dt = 0.01/(mV*ms)*(v + 55*mV)/(1 - exp(-(v + 55*mV)/(10*mV)))*(1 - n) - 0.125/ms*exp(-(v + 65*mV)/(80*mV))*n : 1
        """,
        constants={"C": (200, "pF"), "g_Na": (24, "uS"), "g_K": (7.2, "uS"),
                   "g_L": (60, "nS"), "E_Na": (50, "mV"), "E_K": (-77, "mV"),
                   "E_L": (-54.387, "mV")},
        init={"v": (-65, "mV"), "m": (0.052932485257249580, "1"),
              "h": (0.59612075350846030, "1"), "n": (0.31767691406069740, "1")},
        threshold="v > -20*mV", reset="", refractory=(3, "ms"),
        method="rk4", dt=(0.01, "ms"), current="i * 0.00002*nA"),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=sorted(MODELS), required=True)
    parser.add_argument("--neurons", type=int, default=100000,
                        help="number of neurons (default 100000)")
    parser.add_argument("--duration", type=float, required=True,
                        help="biological time to simulate, in seconds")
    parser.add_argument("--json", required=True, help="where to write the results")
    parser.add_argument("--build-dir", help="directory for the generated project (kept); "
                        "default: a temporary directory, deleted afterwards")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary build directory (and print its path)")
    args = parser.parse_args(argv)
    if args.neurons < 1 or args.duration <= 0:
        parser.error("--neurons must be >= 1 and --duration positive")
    return args


def quantity(b2, value, unit):
    units = {"1": 1, "ms": b2.ms, "mV": b2.mV, "pA": b2.pA, "nA": b2.nA, "pF": b2.pF,
             "uS": b2.uS, "nS": b2.nS, "1/ms": 1 / b2.ms, "mV/ms": b2.mV / b2.ms}
    return value * units[unit]


def simulate(args, build_dir):
    """Generate, compile and run the standalone project; return the result dict."""
    warnings.filterwarnings("ignore", category=FutureWarning)  # numpy vs. pythran
    import brian2 as b2
    from brian2 import prefs

    spec = MODELS[args.model]
    b2.set_device("cpp_standalone", directory=build_dir, build_on_run=False)
    prefs.devices.cpp_standalone.openmp_threads = 0   # no OpenMP: one thread
    b2.defaultclock.dt = quantity(b2, *spec["dt"])
    namespace = {k: quantity(b2, *v) for k, v in spec["constants"].items()}
    kwargs = {}
    if spec["refractory"]:
        kwargs["refractory"] = quantity(b2, *spec["refractory"])
    reset = (spec["reset"] + "\nnspikes += 1").strip()
    eqs = spec["eqs"] + "\nI_ext : amp\nnspikes : 1\n"
    group = b2.NeuronGroup(args.neurons, eqs, threshold=spec["threshold"], reset=reset,
                           method=spec["method"], namespace=namespace, name="p", **kwargs)
    for name, (value, unit) in spec["init"].items():
        setattr(group, name, quantity(b2, value, unit))
    group.I_ext = spec["current"]
    network = b2.Network(group)
    t0 = time.perf_counter()
    network.run(args.duration * b2.second, namespace={})
    timings = build_and_time(b2, build_dir, time.perf_counter() - t0)
    spikes = int(round(float(group.nspikes[:].sum())))
    dt = float(b2.defaultclock.dt)
    steps = int(round(args.duration / dt))
    return {
        "simulator": "brian2",
        "version": b2.__version__,
        "device": "cpp_standalone",
        "threads": 1,
        "model": args.model,
        "method": spec["method"],
        "neurons": args.neurons,
        "duration_s": args.duration,
        "dt_s": dt,
        "steps": steps,
        "spikes": spikes,
        "rate_hz": spikes / (args.neurons * args.duration),
        "timings_s": timings,
        "ns_per_update": timings["simulate"] / (args.neurons * steps) * 1e9,
        "build_dir": build_dir if (args.build_dir or args.keep) else None,
    }


def main(argv=None):
    args = parse_args(argv)
    if args.build_dir:
        build_dir = os.path.abspath(args.build_dir)
        os.makedirs(build_dir, exist_ok=True)
    else:
        build_dir = tempfile.mkdtemp(prefix="nnc-brian2-neurons-")
    try:
        result = simulate(args, build_dir)
    finally:
        if not args.build_dir and not args.keep:
            shutil.rmtree(build_dir, ignore_errors=True)
    with open(args.json, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    t = result["timings_s"]
    print(f"brian2 {result['version']} cpp_standalone: {args.model} ({result['method']}), "
          f"{args.neurons} neurons, {result['steps']} steps: rate {result['rate_hz']:.3f} Hz; "
          f"codegen+compile {t['codegen_compile']:.2f} s, simulate {t['simulate']:.3f} s "
          f"= {result['ns_per_update']:.2f} ns/update"
          + (f"; project in {build_dir}" if args.keep else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
