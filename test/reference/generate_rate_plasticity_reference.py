#!/usr/bin/env python3
"""Generate rate_plasticity_brian2.json and the spike inputs of
test/e2e/rate-plasticity.nn: std/rate_plasticity.nn's HebbianRate, Oja and
SynapticScaling written independently as Brian2 synapse equations.

Network: 3 sources (Poisson-like trains at 5, 20 and 40 Hz, fixed seed)
and 1 target, every source onto the target once per rule. The target's
spikes are scripted too: nnc makes them with a follower neuron that fires
one step after each spike of its driver (test/e2e/Inputs/
rate-plasticity-driver.csv, ~15 Hz), so Brian2's target is a
SpikeGeneratorGroup firing at driver time + dt. Parameters are
std/rate_plasticity.nn's defaults except the learning rates (eta = 1e-3 s
for HebbianRate, 2e-2 s for Oja, 0.2 for SynapticScaling), so the weights
move visibly in 3 s.

Brian2 set-up: numpy target (no compiler, IEEE double), dt = 0.1 ms, the
rates and weights as `(clock-driven)` equations with method='rk4' (the
weight reads the traces, so nnc integrates them together too), on_pre and
on_post as in the nnc models (without `g += w`: the target here has no
input). Brian2 reserves the suffixes _pre and _post, so nnc's r_pre and
r_post are rate_in and rate_out here. Stored: w of every synapse every 10 ms (StateMonitor, when='start',
as nnc samples at the start of a step), the spike times and parameters.

Usage (from the repository root):
    /usr/bin/python3 test/reference/generate_rate_plasticity_reference.py
"""

import json
import os
import warnings

import numpy as np

warnings.simplefilter("ignore")
from brian2 import (Network, SpikeGeneratorGroup, StateMonitor, Synapses,  # noqa: E402
                    __version__, defaultclock, ms, prefs, second, Hz)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
INPUTS = os.path.join(REPO, "test", "e2e", "Inputs")
OUTPUT = os.path.join(HERE, "rate_plasticity_brian2.json")
DT_MS = 0.1
DURATION_MS = 3000.0


def spike_train(rng, rate_hz, duration_ms):
    """Spike times (ms, on the 0.1 ms grid, at least 2 steps apart)."""
    times, t = [], 0.0
    while True:
        t += 0.2 + rng.exponential(1000.0 / rate_hz)
        if t >= duration_ms - 1.0:
            return times
        times.append(round(t, 1))
        t = times[-1]


def write_csv(path, spikes):
    with open(path, "w") as f:
        f.write("index,time_ms\n")
        for i, t in sorted(spikes, key=lambda s: (s[1], s[0])):
            f.write(f"{i},{t:.1f}\n")


RULES = {
    "H": dict(model="""
        drate_in/dt = -rate_in / tau_rate : Hz (clock-driven)
        drate_out/dt = -rate_out / tau_rate : Hz (clock-driven)
        dw/dt = eta * (rate_in - theta_pre) * (rate_out - theta_post) : 1 (clock-driven)
        """,
              on_pre="w = clip(w, w_min, w_max)\nrate_in += 1 / tau_rate",
              on_post="w = clip(w, w_min, w_max)\nrate_out += 1 / tau_rate",
              namespace=dict(eta=1e-3 * second, theta_pre=5 * Hz, theta_post=5 * Hz,
                             w_min=0, w_max=1, tau_rate=200 * ms)),
    "O": dict(model="""
        drate_in/dt = -rate_in / tau_rate : Hz (clock-driven)
        drate_out/dt = -rate_out / tau_rate : Hz (clock-driven)
        dw/dt = eta * rate_out * (rate_in - w * rate_out) : 1 (clock-driven)
        """,
              on_pre="rate_in += 1 / tau_rate",
              on_post="rate_out += 1 / tau_rate",
              namespace=dict(eta=2e-2 * second, tau_rate=200 * ms)),
    "S": dict(model="""
        drate_out/dt = -rate_out / tau_rate : Hz (clock-driven)
        dw/dt = eta * w * (r_target - rate_out) : 1 (clock-driven)
        """,
              on_pre="",
              on_post="rate_out += 1 / tau_rate",
              namespace=dict(eta=0.2, r_target=10 * Hz, tau_rate=200 * ms)),
}


def main():
    rng = np.random.default_rng(2024)
    pre = [(i, t) for i, rate in enumerate((5.0, 20.0, 40.0))
           for t in spike_train(rng, rate, DURATION_MS)]
    driver = [(0, t) for t in spike_train(rng, 15.0, DURATION_MS)]
    write_csv(os.path.join(INPUTS, "rate-plasticity-pre.csv"), pre)
    write_csv(os.path.join(INPUTS, "rate-plasticity-driver.csv"), driver)
    post_times = [round(t + DT_MS, 1) for _, t in driver]

    prefs.codegen.target = "numpy"
    defaultclock.dt = DT_MS * ms
    sources = SpikeGeneratorGroup(3, [i for i, _ in pre], [t for _, t in pre] * ms)
    target = SpikeGeneratorGroup(1, [0] * len(post_times), post_times * ms)
    objects = [sources, target]
    monitors = {}
    for name, rule in RULES.items():
        syn = Synapses(sources, target, model=rule["model"], on_pre=rule["on_pre"],
                       on_post=rule["on_post"], method="rk4",
                       namespace=rule["namespace"], name=f"syn_{name}")
        syn.connect()
        syn.w = 0.5
        monitors[name] = StateMonitor(syn, "w", record=True, dt=10 * ms)
        objects += [syn, monitors[name]]
    net = Network(*objects)
    net.run(DURATION_MS * ms)

    reference = {
        "source": f"Brian2 {__version__}, numpy target, method='rk4' "
                  "(test/reference/generate_rate_plasticity_reference.py)",
        "dt_ms": DT_MS,
        "sample_every_ms": 10.0,
        "duration_ms": DURATION_MS,
        "t_ms": [round(float(t), 6) for t in monitors["H"].t / ms],
        "w": {name: [[float(v) for v in row] for row in mon.w]
              for name, mon in monitors.items()},
        "post_spike_times_ms": post_times,
        "parameters": {name: {k: float(v) for k, v in rule["namespace"].items()}
                       for name, rule in RULES.items()},
    }
    with open(OUTPUT, "w") as f:
        json.dump(reference, f, sort_keys=True)
        f.write("\n")
    for name in RULES:
        print(name, [round(row[-1], 6) for row in reference["w"][name]])
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
