#!/usr/bin/env python3
"""Generate reward_stdp_brian2.json: Brian2's dopamine-modulated STDP example.

Reproduces Brian2's examples/frompapers/Izhikevich_2007.py (Izhikevich 2007,
Cereb. Cortex 17:2443, Fig. 1c): two neurons (pre 0 -> post 1) driven by a
SpikeGeneratorGroup, one STDP synapse with eligibility trace c, dopamine d
and strength s, and a dopamine SpikeGeneratorGroup that increments d.
Same parameters, network and initial values (s = c = 1e-10, d = 0), the
same two runs (mode = 0 "classical STDP" for 3 s, then mode = 1
"dopamine-modulated STDP" for 3 s), default dt = 0.1 ms; no plotting, and
the numpy code generation target, so nothing is compiled. Deterministic.

Stored: s, c, d of the synapse sampled every 10 ms (StateMonitor at
when='start', 600 samples), the spikes of `neurons` and of `dopamine`,
the input spikes and the parameters (SI units).

Usage (from the repository root):
    /usr/bin/python3 test/reference/generate_reward_stdp_reference.py
"""

import json
import os
import warnings

warnings.simplefilter("ignore")
from brian2 import (NeuronGroup, Network, SpikeGeneratorGroup, SpikeMonitor,  # noqa: E402
                    StateMonitor, Synapses, __version__, array, ms, mV, prefs, second)

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "reward_stdp_brian2.json")


def main():
    prefs.codegen.target = "numpy"
    simulation_duration = 6 * second
    # Neurons
    taum, Ee, vt, vr, El, taue = 10*ms, 0*mV, -54*mV, -60*mV, -74*mV, 5*ms
    # STDP
    taupre = 20*ms
    taupost = taupre
    gmax = .01
    dApre = .01
    dApost = -dApre * taupre / taupost * 1.05
    dApost *= gmax
    dApre *= gmax
    # Dopamine signaling
    tauc, taud, taus, epsilon_dopa = 1000*ms, 200*ms, 1*ms, 5e-3

    input_indices = array([0, 1, 0, 1, 1, 0,
                           0, 1, 0, 1, 1, 0])
    input_times = array([500, 550, 1000, 1010, 1500, 1510,
                         3500, 3550, 4000, 4010, 4500, 4510])*ms
    spike_input = SpikeGeneratorGroup(2, input_indices, input_times)
    neurons = NeuronGroup(2, '''dv/dt = (ge * (Ee-vr) + El - v) / taum : volt
                                dge/dt = -ge / taue : 1''',
                          threshold='v>vt', reset='v = vr', method='exact')
    neurons.v = vr
    neurons_monitor = SpikeMonitor(neurons)
    synapse = Synapses(spike_input, neurons, model='''s: volt''', on_pre='v += s')
    synapse.connect(i=[0, 1], j=[0, 1])
    synapse.s = 100. * mV
    synapse_stdp = Synapses(neurons, neurons,
                            model='''mode: 1
                         dc/dt = -c / tauc : 1 (clock-driven)
                         dd/dt = -d / taud : 1 (clock-driven)
                         ds/dt = mode * c * d / taus : 1 (clock-driven)
                         dApre/dt = -Apre / taupre : 1 (event-driven)
                         dApost/dt = -Apost / taupost : 1 (event-driven)''',
                            on_pre='''ge += s
                          Apre += dApre
                          c = clip(c + mode * Apost, -gmax, gmax)
                          s = clip(s + (1-mode) * Apost, -gmax, gmax)
                          ''',
                            on_post='''Apost += dApost
                          c = clip(c + mode * Apre, -gmax, gmax)
                          s = clip(s + (1-mode) * Apre, -gmax, gmax)
                          ''',
                            method='euler')
    synapse_stdp.connect(i=0, j=1)
    synapse_stdp.mode = 0
    synapse_stdp.s = 1e-10
    synapse_stdp.c = 1e-10
    synapse_stdp.d = 0
    synapse_stdp_monitor = StateMonitor(synapse_stdp, ['s', 'c', 'd'], record=[0], dt=10*ms)
    dopamine_indices = array([0, 0, 0])
    dopamine_times = array([3520, 4020, 4520])*ms
    dopamine = SpikeGeneratorGroup(1, dopamine_indices, dopamine_times)
    dopamine_monitor = SpikeMonitor(dopamine)
    reward = Synapses(dopamine, synapse_stdp, model='''''',
                      on_pre='''d_post += epsilon_dopa''', method='exact')
    reward.connect()

    net = Network(spike_input, neurons, neurons_monitor, synapse, synapse_stdp,
                  synapse_stdp_monitor, dopamine, dopamine_monitor, reward)
    synapse_stdp.mode = 0  # classical STDP
    net.run(simulation_duration/2)
    synapse_stdp.mode = 1  # dopamine-modulated STDP
    net.run(simulation_duration/2)

    mon = synapse_stdp_monitor
    ni, nt = neurons_monitor.it
    reference = {
        "source": f"Brian2 {__version__} examples/frompapers/Izhikevich_2007.py "
                  "(numpy target, no plotting)",
        "dt_ms": 0.1,
        "sample_every_ms": 10.0,
        "duration_s": 6.0,
        "parameters": {k: float(v) for k, v in dict(
            taum=taum, Ee=Ee, vt=vt, vr=vr, El=El, taue=taue, taupre=taupre,
            taupost=taupost, gmax=gmax, dApre=dApre, dApost=dApost, tauc=tauc,
            taud=taud, taus=taus, epsilon_dopa=epsilon_dopa).items()},
        "t_ms": [round(float(t), 6) for t in mon.t / ms],
        "s": [float(v) for v in mon.s[0]],
        "c": [float(v) for v in mon.c[0]],
        "d": [float(v) for v in mon.d[0]],
        "neuron_spikes": [[int(i), round(float(t), 6)] for i, t in zip(ni, nt / ms)],
        "dopamine_spike_times_ms": [round(float(t), 6) for t in dopamine_monitor.t / ms],
        "input_spikes": [[int(i), round(float(t), 6)]
                         for i, t in zip(input_indices, input_times / ms)],
    }
    with open(OUTPUT, "w") as f:
        json.dump(reference, f, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
