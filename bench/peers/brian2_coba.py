#!/usr/bin/python3
"""Brian2 peer run of the COBA benchmark, for comparison with nnc.

The network is benchmark 1 of Brette et al. (2007), after Vogels & Abbott
(2005), as in Brian's ``examples/COBA.py`` (R. Brette; Brian 1 and early
Brian2 — current Brian2 ships only ``CUBA.py`` and ``COBAHH.py``) and in
nnc's ``examples/coba.nn``: LIF neurons with exponentially decaying
conductances in units of the leak conductance,

    dv/dt  = (ge*(Ee-v) + gi*(Ei-v) - (v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : 1
    dgi/dt = -gi/taui : 1

taum = 20 ms, taue = 5 ms, taui = 10 ms, Vt = -50 mV, Vr = El = -60 mV,
Ee = 0 mV, Ei = -80 mV, refractory 5 ms, on_pre ``ge += 0.6`` (excitatory)
and ``gi += 6.7`` (inhibitory), 80 % excitatory, dt = 0.1 ms, integrated with
``method='exponential_euler'`` (Brian's original script used Euler; nnc's
``examples/coba.nn`` uses ``solver exponential_euler``, the same method).
Initial values: v uniform in [Vr, Vt) (as in CUBA), ge = 4 + 1.5 randn(),
gi = 20 + 12 randn() (Brian's script). There is no external drive; the
initial conductances start self-sustained activity (about 19 Hz).

Options, scaling with ``--neurons`` (p = 80/N by default, weights
unchanged), timing and output are those of ``brian2_cuba.py``, whose code
this script reuses with its own network.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import brian2_cuba  # noqa: E402  (the shared peer machinery)


def build_network(b2, n_neurons, p):
    """Create the COBA network as an explicit ``Network``.

    Returns (network, excitatory size, exc. synapses, inh. synapses, spike monitor).
    """
    ms, mV = b2.ms, b2.mV
    n_exc = int(0.8 * n_neurons)
    namespace = {
        "taum": 20 * ms, "taue": 5 * ms, "taui": 10 * ms,
        "Vt": -50 * mV, "Vr": -60 * mV, "El": -60 * mV,
        "Ee": 0 * mV, "Ei": -80 * mV,
        "we": 6.0 / 10.0,    # excitatory weight, in units of the leak conductance
        "wi": 67.0 / 10.0,   # inhibitory weight, in units of the leak conductance
        "n_exc": n_exc,
    }
    eqs = """
    dv/dt  = (ge*(Ee-v) + gi*(Ei-v) - (v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : 1
    dgi/dt = -gi/taui : 1
    """
    neurons = b2.NeuronGroup(n_neurons, eqs, threshold="v>Vt", reset="v = Vr",
                             refractory=5 * ms, method="exponential_euler",
                             namespace=namespace)
    neurons.v = "Vr + rand() * (Vt - Vr)"
    neurons.ge = "randn() * 1.5 + 4"
    neurons.gi = "randn() * 12 + 20"
    syn_exc = b2.Synapses(neurons, neurons, on_pre="ge += we", namespace=namespace)
    syn_inh = b2.Synapses(neurons, neurons, on_pre="gi += wi", namespace=namespace)
    syn_exc.connect("i < n_exc", p=p, namespace=namespace)
    syn_inh.connect("i >= n_exc", p=p, namespace=namespace)
    monitor = b2.SpikeMonitor(neurons)
    network = b2.Network(neurons, syn_exc, syn_inh, monitor)
    return network, n_exc, syn_exc, syn_inh, monitor


if __name__ == "__main__":
    sys.exit(brian2_cuba.main(build_network=build_network, model="COBA",
                              description=__doc__.split("\n\n")[0]))
