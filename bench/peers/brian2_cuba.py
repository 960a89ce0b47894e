#!/usr/bin/python3
"""Brian2 peer run of the CUBA benchmark, for comparison with nnc.

The network is the one of Brian2's ``examples/CUBA.py`` (benchmark 2 of
Brette et al. 2007, after Vogels & Abbott 2005): LIF neurons with
current-based exponential synapses, 80 % excitatory and 20 % inhibitory,
integrated with ``method='exact'`` at dt = 0.1 ms.

Scaling with ``--neurons``: at N = 4000 the connection probability is the
example's p = 0.02, i.e. 80 presynaptic partners per neuron. For other N the
default (``--connectivity fixed-indegree``) uses p = 80/N, which is how
Brian2's own speed suite scales CUBA (``brian2/tests/features/speed.py``,
``CUBAFixedConnectivity``); the synaptic weights stay those of the example,
so every neuron receives the same mean and variance of input at every N and
the firing rate stays about the same. ``--connectivity fixed-p`` keeps
p = 0.02 instead: the in-degree then grows with N and, since inhibition
dominates, the rate falls.

Timing (``timings_s`` in the JSON):

* ``simulate``: Brian2's own measurement of its main simulation loop,
  ``device._last_run_time``. For cpp_standalone it is written by the
  generated ``Network::run`` into ``results/last_run_info.txt`` (CPU time
  from ``std::clock()`` without OpenMP, i.e. ``--threads 1``; wall time from
  ``omp_get_wtime()`` with OpenMP); for runtime it is the wall time of the
  Python loop. It excludes code generation, compilation, synapse creation
  and initialisation. No ``profile=True``: per-object profiling adds timer
  calls to every code object and slows the loop down.
* ``build_total`` (cpp_standalone): wall time of ``device.build()``, i.e.
  code generation + ``make`` + running the binary.
* ``codegen_compile`` (cpp_standalone): ``build_total - run_binary``.
* ``run_binary`` (cpp_standalone): wall time of the compiled ``main``.
* ``network_build`` (cpp_standalone): ``run_binary - simulate``: creating
  the synapses, initialising state, writing the results to disk.
* ``setup`` (cpp_standalone): Python time to describe the network and
  ``run()`` it, which in standalone mode only records what to generate.
* ``build_total`` (runtime): wall time of creating the network and
  ``run()``, including code generation and Cython compilation (cached in
  the build directory).

``main_binary_max_rss_kb`` (cpp_standalone, when GNU time is installed as
``/usr/bin/time``): peak resident memory of the compiled simulation binary
alone, measured by running it under ``/usr/bin/time -f %M``.

All generated code, objects and Cython caches go to ``--build-dir`` (a fresh
temporary directory, deleted afterwards, unless given). Reusing a build
directory makes the standalone compile incremental, so ``build_total`` is
only a cold-compile time with a fresh directory.
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

#: In-degree of the example network (p = 0.02 at N = 4000).
INDEGREE = 80
#: Connection probability of the example network.
EXAMPLE_P = 0.02
#: GNU time, used to measure the standalone binary's peak memory.
GNU_TIME = "/usr/bin/time"
#: Where GNU time writes that peak (relative to the standalone project).
MAXRSS_FILE = os.path.join("results", "main_max_rss_kb.txt")


def parse_args(argv=None, description=None):
    parser = argparse.ArgumentParser(description=description or __doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0,
                        help="biological time to simulate, in seconds (default 10)")
    parser.add_argument("--neurons", type=int, default=4000,
                        help="network size, 80%% excitatory (default 4000)")
    parser.add_argument("--device", choices=["cpp_standalone", "runtime"],
                        default="cpp_standalone")
    parser.add_argument("--threads", type=int, default=1,
                        help="OpenMP threads (cpp_standalone only; default 1 = no OpenMP)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--connectivity", choices=["fixed-indegree", "fixed-p"],
                        default="fixed-indegree",
                        help="how p scales with N: 80/N (default) or always 0.02")
    parser.add_argument("--json", required=True, help="where to write the results")
    parser.add_argument("--build-dir",
                        help="directory for generated code and caches (kept); "
                             "default: a temporary directory, deleted afterwards")
    args = parser.parse_args(argv)
    if args.neurons < 5:
        parser.error("--neurons must be at least 5")
    if args.duration <= 0:
        parser.error("--duration must be positive")
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    if args.threads > 1 and args.device != "cpp_standalone":
        parser.error("--threads > 1 needs --device cpp_standalone")
    return args


def build_network(b2, n_neurons, p):
    """Create the CUBA network as an explicit ``Network``.

    Returns (network, excitatory size, exc. synapses, inh. synapses, spike monitor).
    """
    ms, mV = b2.ms, b2.mV
    n_exc = int(0.8 * n_neurons)
    namespace = {
        "taum": 20 * ms, "taue": 5 * ms, "taui": 10 * ms,
        "Vt": -50 * mV, "Vr": -60 * mV, "El": -49 * mV,
        "we": (60 * 0.27 / 10) * mV,   # 1.62 mV
        "wi": (-20 * 4.5 / 10) * mV,   # -9 mV
        "n_exc": n_exc,
    }
    eqs = """
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    """
    neurons = b2.NeuronGroup(n_neurons, eqs, threshold="v>Vt", reset="v = Vr",
                             refractory=5 * ms, method="exact", namespace=namespace)
    neurons.v = "Vr + rand() * (Vt - Vr)"
    neurons.ge = 0 * mV
    neurons.gi = 0 * mV
    syn_exc = b2.Synapses(neurons, neurons, on_pre="ge += we", namespace=namespace)
    syn_inh = b2.Synapses(neurons, neurons, on_pre="gi += wi", namespace=namespace)
    syn_exc.connect("i < n_exc", p=p, namespace=namespace)
    syn_inh.connect("i >= n_exc", p=p, namespace=namespace)
    monitor = b2.SpikeMonitor(neurons)
    network = b2.Network(neurons, syn_exc, syn_inh, monitor)
    return network, n_exc, syn_exc, syn_inh, monitor


def simulate(args, build_dir, build_network=build_network, model="CUBA"):
    """Build and run the network made by ``build_network``; return the result dictionary.

    ``build_network(b2, n_neurons, p)`` returns (network, excitatory size,
    exc. synapses, inh. synapses, spike monitor); ``bench/peers/brian2_coba.py``
    passes its own.
    """
    warnings.filterwarnings("ignore", category=FutureWarning)  # numpy vs. pythran
    import brian2 as b2
    from brian2 import prefs

    if args.device == "cpp_standalone":
        b2.set_device("cpp_standalone", directory=build_dir, build_on_run=False)
        # 0 = generate code without OpenMP; >0 = OpenMP with that many threads.
        prefs.devices.cpp_standalone.openmp_threads = args.threads if args.threads > 1 else 0
        if os.access(GNU_TIME, os.X_OK):
            prefs.devices.cpp_standalone.run_cmd_unix = [
                GNU_TIME, "-f", "%M", "-o", MAXRSS_FILE, "./main"]
    else:
        prefs.codegen.target = "cython"
        prefs.codegen.runtime.cython.cache_dir = os.path.join(build_dir, "cython")

    b2.defaultclock.dt = 0.1 * b2.ms
    b2.seed(args.seed)
    p = EXAMPLE_P if args.connectivity == "fixed-p" else min(1.0, INDEGREE / args.neurons)

    t0 = time.perf_counter()
    network, n_exc, syn_exc, syn_inh, monitor = build_network(b2, args.neurons, p)
    network.run(args.duration * b2.second)
    timings = {"setup": time.perf_counter() - t0}
    main_max_rss_kb = None
    if args.device == "cpp_standalone":
        timings = build_and_time(b2, build_dir, timings["setup"])
        maxrss_path = os.path.join(build_dir, MAXRSS_FILE)
        if os.path.exists(maxrss_path):
            with open(maxrss_path) as f:
                main_max_rss_kb = int(f.read().split()[-1])
    else:
        timings["build_total"] = timings.pop("setup")
        timings["simulate"] = b2.device._last_run_time

    counts = monitor.count[:]
    n_inh = args.neurons - n_exc
    exc_spikes, inh_spikes = int(counts[:n_exc].sum()), int(counts[n_exc:].sum())
    return {
        "simulator": "brian2",
        "model": model,
        "version": b2.__version__,
        "device": args.device,
        "neurons": args.neurons,
        "neurons_exc": n_exc,
        "neurons_inh": n_inh,
        "connection_probability": p,
        "duration_s": args.duration,
        "dt_s": 1e-4,
        "seed": args.seed,
        "threads": args.threads,
        "synapses": int(len(syn_exc) + len(syn_inh)),
        "spikes": exc_spikes + inh_spikes,
        "rates_hz": {
            "exc": exc_spikes / (n_exc * args.duration),
            "inh": inh_spikes / (n_inh * args.duration),
            "all": (exc_spikes + inh_spikes) / (args.neurons * args.duration),
        },
        "timings_s": timings,
        "main_binary_max_rss_kb": main_max_rss_kb,
    }


def main(argv=None, build_network=build_network, model="CUBA", description=None):
    args = parse_args(argv, description)
    if args.build_dir:
        build_dir = os.path.abspath(args.build_dir)
        os.makedirs(build_dir, exist_ok=True)
    else:
        build_dir = tempfile.mkdtemp(prefix="nnc-brian2-")
    try:
        result = simulate(args, build_dir, build_network, model)
    finally:
        if not args.build_dir:
            shutil.rmtree(build_dir, ignore_errors=True)
    with open(args.json, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    rates, timings = result["rates_hz"], result["timings_s"]
    print(f"brian2 {result['version']} {args.device} {model}: {args.neurons} neurons, "
          f"{result['synapses']} synapses, {args.duration:g} s, seed {args.seed}: "
          f"rate {rates['all']:.3f} Hz (exc {rates['exc']:.3f}, inh {rates['inh']:.3f}); "
          f"build_total {timings['build_total']:.2f} s, simulate {timings['simulate']:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
