#!/usr/bin/python3
"""Brian2 peer run of the STDP example, for comparison with nnc.

The network is Brian2's ``examples/synapses/STDP.py`` (Song, Miller &
Abbott 2000, "Competitive Hebbian learning through spike-timing-dependent
synaptic plasticity"), reproduced exactly:

    N = 1000 Poisson inputs at F = 15 Hz, all-to-all onto one
    conductance-based LIF neuron (method='euler', dt = 0.1 ms):

    dv/dt  = (ge * (Ee-v) + El - v) / taum : volt
    dge/dt = -ge / taue : 1
    threshold 'v > vt', reset 'v = vr', no refractory period

    taum = 10 ms, taue = 5 ms, Ee = 0 mV, vt = -54 mV, vr = -60 mV,
    El = -74 mV, gmax = 0.01; taupre = taupost = 20 ms,
    dApre = 0.01 * gmax, dApost = -dApre * taupre / taupost * 1.05.

    Synapses (event-driven traces Apre, Apost with time constants taupre,
    taupost; w : 1):
      on_pre:  ge += w;  Apre += dApre;  w = clip(w + Apost, 0, gmax)
      on_post: Apost += dApost;  w = clip(w + Apre, 0, gmax)
    S.connect() (all 1000 inputs), S.w = 'rand() * gmax', run(100 * second)

The neuron's initial v is Brian2's default, 0 V (above threshold), so it
fires in the very first time step (t = 0) and is reset to vr; ge starts at
0. Brian2's default schedule applies: state update, thresholds (the Poisson
inputs draw ``rand() < rates * dt``), synaptic pathways (the ``pre`` pathway,
order -1, before the ``post`` pathway, order 1, in the same step), resets.
Event-driven traces are decayed analytically at each event from the time of
the synapse's last update: ``Apre *= exp(-(t - lastupdate) / taupre)``
etc., before the statements run.

Besides what the CUBA/COBA peers report, the JSON has ``final_weights``
(statistics of w / gmax after the run: ``mean_w_over_gmax``,
``fraction_below_0.1`` (w/gmax < 0.1), ``fraction_above_0.9`` (w/gmax >
0.9), ``histogram_20_bins``: counts in 20 equal bins over [0, 1], the last
bin including 1.0), ``mean_w_over_gmax_trajectory`` (mean w/gmax sampled at
the start of the steps at t = 0, 10, 20, ... s, excluding the end, from a
``StateMonitor(S, 'w', dt=10 s)``: 10 samples per synapse, negligible cost),
``post`` (the output neuron's spike count, mean rate, rate per 10 s window,
first spike times) and ``input`` (total Poisson spike count and mean rate).
``--dump-weights FILE`` writes every final w, one per line, in synapse
order (= presynaptic index).

Options, timing and output follow ``brian2_cuba.py`` (see its docstring):
``timings_s`` has ``simulate`` (``device._last_run_time``: the simulation
loop only; process CPU time with ``--threads 1``), and for cpp_standalone
``build_total``, ``codegen_compile``, ``run_binary``, ``network_build`` and
``setup``; ``main_binary_max_rss_kb`` is the peak memory of the standalone
binary when GNU time is at ``/usr/bin/time``. The JSON goes to ``--json``
(or its alias ``--output``), otherwise to stdout; the one-line summary goes
to stdout when the JSON is written to a file, to stderr otherwise.
"""

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import time
import warnings

from standalone import build_and_time

#: GNU time, used to measure the standalone binary's peak memory.
GNU_TIME = "/usr/bin/time"
#: Where GNU time writes that peak (relative to the standalone project).
MAXRSS_FILE = os.path.join("results", "main_max_rss_kb.txt")
#: Histogram of the final w / gmax.
HISTOGRAM_BINS = 20
#: Sampling interval of the mean-weight trajectory, in seconds.
TRAJECTORY_DT_S = 10.0
#: Window of the per-window output rates, in seconds.
RATE_WINDOW_S = 10.0
#: The example's maximal weight.
GMAX = 0.01


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=100.0,
                        help="biological time to simulate, in seconds (default 100, the example's)")
    parser.add_argument("--inputs", type=int, default=1000,
                        help="number of Poisson inputs N (default 1000, the example's)")
    parser.add_argument("--device", choices=["cpp_standalone", "runtime"],
                        default="cpp_standalone")
    parser.add_argument("--threads", type=int, default=1,
                        help="OpenMP threads (cpp_standalone only; default 1 = no OpenMP)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--json", "--output", dest="json",
                        help="where to write the results (default: stdout)")
    parser.add_argument("--dump-weights", metavar="FILE",
                        help="write every final w (one per line, synapse order) to FILE")
    parser.add_argument("--build-dir",
                        help="directory for generated code and caches (kept); "
                             "default: a temporary directory, deleted afterwards")
    args = parser.parse_args(argv)
    if args.inputs < 1:
        parser.error("--inputs must be at least 1")
    if args.duration <= 0:
        parser.error("--duration must be positive")
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    if args.threads > 1 and args.device != "cpp_standalone":
        parser.error("--threads > 1 needs --device cpp_standalone")
    return args


def weight_statistics(w_over_gmax):
    """Statistics of the final weights, given as w / gmax (a sequence of floats).

    The same definitions as ``test/reference/check_stdp.py``'s.
    """
    values = [float(x) for x in w_over_gmax]
    n = len(values)
    histogram = [0] * HISTOGRAM_BINS
    for x in values:
        # Equal bins over [0, 1]; the last one is closed (includes 1.0).
        histogram[min(max(int(math.floor(x * HISTOGRAM_BINS)), 0), HISTOGRAM_BINS - 1)] += 1
    return {
        "synapses": n,
        "mean_w_over_gmax": math.fsum(values) / n,
        "fraction_below_0.1": sum(1 for x in values if x < 0.1) / n,
        "fraction_above_0.9": sum(1 for x in values if x > 0.9) / n,
        "histogram_20_bins": histogram,
    }


def build_network(b2, n_inputs):
    """Create the STDP network of Brian2's example as an explicit ``Network``.

    Returns (network, Poisson group, neuron, synapses, input spike monitor,
    output spike monitor, weight monitor).
    """
    ms, mV, Hz = b2.ms, b2.mV, b2.Hz
    taupre = 20 * ms
    taupost = taupre
    gmax = GMAX
    dApre = .01
    dApost = -dApre * taupre / taupost * 1.05
    dApost *= gmax
    dApre *= gmax
    namespace = {
        "taum": 10 * ms, "taupre": taupre, "taupost": taupost,
        "Ee": 0 * mV, "vt": -54 * mV, "vr": -60 * mV, "El": -74 * mV,
        "taue": 5 * ms, "gmax": gmax, "dApre": dApre, "dApost": dApost,
    }
    eqs_neurons = """
    dv/dt = (ge * (Ee-v) + El - v) / taum : volt
    dge/dt = -ge / taue : 1
    """
    poisson_input = b2.PoissonGroup(n_inputs, rates=15 * Hz)
    neurons = b2.NeuronGroup(1, eqs_neurons, threshold="v>vt", reset="v = vr",
                             method="euler", namespace=namespace)
    synapses = b2.Synapses(poisson_input, neurons,
                           """w : 1
                              dApre/dt = -Apre / taupre : 1 (event-driven)
                              dApost/dt = -Apost / taupost : 1 (event-driven)""",
                           on_pre="""ge += w
                                     Apre += dApre
                                     w = clip(w + Apost, 0, gmax)""",
                           on_post="""Apost += dApost
                                      w = clip(w + Apre, 0, gmax)""",
                           namespace=namespace)
    synapses.connect()
    synapses.w = "rand() * gmax"
    # Monitors only read state; they draw no random numbers.
    input_monitor = b2.SpikeMonitor(poisson_input, record=False)
    output_monitor = b2.SpikeMonitor(neurons)
    weight_monitor = b2.StateMonitor(synapses, "w", record=range(n_inputs),
                                    dt=TRAJECTORY_DT_S * b2.second)
    network = b2.Network(poisson_input, neurons, synapses, input_monitor, output_monitor,
                         weight_monitor)
    return network, poisson_input, neurons, synapses, input_monitor, output_monitor, weight_monitor


def simulate(args, build_dir):
    """Build and run the network; return (result dictionary, final weights)."""
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

    # record=range(N) on the synapses of S.connect(): standalone cannot check
    # the indices before the run; they are valid (N synapses, checked below).
    b2.BrianLogger.suppress_name("cannot_check_statemonitor_indices")
    b2.defaultclock.dt = 0.1 * b2.ms
    b2.seed(args.seed)

    t0 = time.perf_counter()
    (network, _, _, synapses, input_monitor, output_monitor,
     weight_monitor) = build_network(b2, args.inputs)
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

    weights = [float(x) for x in synapses.w[:]]
    pre_indices = [int(i) for i in synapses.i[:]]
    if pre_indices != list(range(args.inputs)):
        raise RuntimeError("unexpected synapse order: synapse k should come from input k")
    spike_times = [float(t) for t in output_monitor.t_[:]]
    n_windows = int(math.ceil(args.duration / RATE_WINDOW_S - 1e-9))
    window_counts = [0] * n_windows
    for t in spike_times:
        window_counts[min(int(t / RATE_WINDOW_S + 1e-9), n_windows - 1)] += 1
    window_rates = []
    for k, count in enumerate(window_counts):
        length = min(RATE_WINDOW_S, args.duration - k * RATE_WINDOW_S)
        window_rates.append(count / length)
    trajectory_w = weight_monitor.w[:]   # (synapses, samples)
    trajectory = [{"t_s": float(t), "mean_w_over_gmax": float(trajectory_w[:, k].mean()) / GMAX}
                  for k, t in enumerate(weight_monitor.t_[:])]
    input_spikes = int(input_monitor.count[:].sum())
    output_spikes = len(spike_times)

    result = {
        "simulator": "brian2",
        "model": "STDP",
        "source": "Brian2 examples/synapses/STDP.py (Song, Miller & Abbott 2000)",
        "version": b2.__version__,
        "device": args.device,
        "inputs": args.inputs,
        "input_rate_hz": 15.0,
        "gmax": GMAX,
        "initial_v_V": 0.0,
        "duration_s": args.duration,
        "dt_s": 1e-4,
        "seed": args.seed,
        "threads": args.threads,
        "synapses": len(weights),
        "final_weights": weight_statistics([w / GMAX for w in weights]),
        "mean_w_over_gmax_trajectory": trajectory,
        "post": {
            "spikes": output_spikes,
            "rate_hz": output_spikes / args.duration,
            "rate_window_s": RATE_WINDOW_S,
            "window_rates_hz": window_rates,
            "first_spike_times_s": spike_times[:5],
        },
        "input": {
            "spikes": input_spikes,
            "rate_hz": input_spikes / (args.inputs * args.duration),
        },
        "rates_hz": {
            "post": output_spikes / args.duration,
            "input": input_spikes / (args.inputs * args.duration),
        },
        "timings_s": timings,
        "main_binary_max_rss_kb": main_max_rss_kb,
    }
    return result, weights


def main(argv=None):
    args = parse_args(argv)
    if args.build_dir:
        build_dir = os.path.abspath(args.build_dir)
        os.makedirs(build_dir, exist_ok=True)
    else:
        build_dir = tempfile.mkdtemp(prefix="nnc-brian2-stdp-")
    try:
        result, weights = simulate(args, build_dir)
    finally:
        if not args.build_dir:
            shutil.rmtree(build_dir, ignore_errors=True)
    if args.dump_weights:
        with open(args.dump_weights, "w") as f:
            for w in weights:
                f.write(repr(w) + "\n")
    text = json.dumps(result, indent=2) + "\n"
    if args.json:
        with open(args.json, "w") as f:
            f.write(text)
        log = sys.stdout
    else:
        sys.stdout.write(text)
        log = sys.stderr
    fw, timings = result["final_weights"], result["timings_s"]
    print(f"brian2 {result['version']} {args.device} STDP: {args.inputs} inputs, "
          f"{args.duration:g} s, seed {args.seed}: post rate {result['post']['rate_hz']:.3f} Hz, "
          f"input {result['input']['rate_hz']:.3f} Hz; w/gmax mean {fw['mean_w_over_gmax']:.4f}, "
          f"<0.1 {fw['fraction_below_0.1']:.3f}, >0.9 {fw['fraction_above_0.9']:.3f}; "
          f"build_total {timings['build_total']:.2f} s, simulate {timings['simulate']:.3f} s",
          file=log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
