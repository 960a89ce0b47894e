#!/usr/bin/python3
"""Generate astrocyte_brian2.json: Brian2's G-ChI astrocyte driven by a synapse.

Reproduces the deterministic astrocyte of Brian2's example
examples/frompapers/Stimberg_et_al_2018/example_2_gchi_astrocyte.py
(Stimberg, Goodman, Brette & De Pitta 2018, Fig. 2; G-ChI model of De Pitta
et al. 2009): a "source" neuron (dx/dt = f_0, threshold x > 1, reset x = 0,
Euler) fires at ~0.5 Hz through a synapse whose neurotransmitter
(dY_S/dt = -Omega_c Y_S, on_pre Y_S += rho_c Y_T, method 'exact') reaches
the astrocyte as a summed variable (Y_S_post = Y_S_pre); the astrocyte's
Gamma_A, I, C and h follow the example's equations and parameters, h = 0.9
initially, I_bias = 0.

Changes from the example, and why:
  * runtime device, numpy target (no cpp_standalone: no compiler needed);
  * ONE astrocyte, the deterministic one (noise = 0): the noise term
    `(1 + noise*xi*tau_h**0.5)` and `noise` are removed from the h equation,
    which reads dh/dt = (h_inf - h_clipped)/tau_h, and the astrocyte is
    integrated with method='euler' (the example's Milstein scheme with zero
    noise is the Euler scheme; checked once: C agrees to 6.5e-19 mol/m^3);
  * no plotting; StateMonitors (when='start') sample every 50 ms.
Kept: seed(790824), dt = 1 ms, 30 s.

Note on Brian2's schedule: the summed-variable updater of Y_S runs in the
'groups' slot just before the astrocyte's state updater (order -1), so the
astrocyte's Y_S is the synapse's Y_S before that step's decay.

Units: all values are in SI base units as Brian2 stores them (mmolar =
mol/m^3 = 1, umolar = 1e-3); see the "units" entry of the JSON.

Usage (from the repository root):
    /usr/bin/python3 test/reference/generate_astrocyte_reference.py
"""

import json
import os
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "astrocyte_brian2.json")

ASTRO_EQS = '''
dGamma_A/dt = O_N * Y_S * (1 - Gamma_A) -
              Omega_N*(1 + zeta * C/(C + K_KC)) * Gamma_A : 1
dI/dt = J_beta + J_delta - J_3K - J_5P + J_ex     : mmolar
J_beta = O_beta * Gamma_A                         : mmolar/second
J_delta = O_delta/(1 + I/kappa_delta) *
                         C**2/(C**2 + K_delta**2) : mmolar/second
J_3K = O_3K * C**4/(C**4 + K_D**4) * I/(I + K_3K) : mmolar/second
J_5P = Omega_5P*I                                 : mmolar/second
delta_I_bias = I - I_bias : mmolar
J_ex = -F_ex/2*(1 + tanh((abs(delta_I_bias) - I_Theta)/omega_I)) *
                sign(delta_I_bias)                : mmolar/second
I_bias                                            : mmolar (constant)
dC/dt = J_r + J_l - J_p                : mmolar
dh/dt = (h_inf - h_clipped)/tau_h      : 1
h_clipped = clip(h,0,1)                : 1
J_r = (Omega_C * m_inf**3 * h_clipped**3) *
      (C_T - (1 + rho_A)*C)            : mmolar/second
J_l = Omega_L * (C_T - (1 + rho_A)*C)  : mmolar/second
J_p = O_P * C**2/(C**2 + K_P**2)       : mmolar/second
m_inf = I/(I + d_1) * C/(C + d_5)      : 1
h_inf = Q_2/(Q_2 + C)                  : 1
tau_h = 1/(O_2 * (Q_2 + C))            : second
Q_2 = d_2 * (I + d_1)/(I + d_3)        : mmolar
Y_S     : mmolar
'''


def main():
    warnings.simplefilter("ignore")
    import numpy as np
    import brian2 as b2
    from brian2 import Hz, ms, second, mmolar, umolar

    b2.prefs.codegen.target = "numpy"
    b2.seed(790824)
    duration, sim_dt, sample = 30 * second, 1 * ms, 50 * ms
    p = dict(f_0=0.5 * Hz, rho_c=0.001, Y_T=500 * mmolar, Omega_c=40 / second,
             O_P=0.9 * umolar / second, K_P=0.1 * umolar, C_T=2 * umolar, rho_A=0.18,
             Omega_C=6 / second, Omega_L=0.1 / second,
             d_1=0.13 * umolar, d_2=1.05 * umolar, O_2=0.2 / umolar / second,
             d_3=0.9434 * umolar, d_5=0.08 * umolar,
             O_beta=5 * umolar / second, O_N=0.3 / umolar / second, Omega_N=0.5 / second,
             K_KC=0.5 * umolar, zeta=10,
             O_delta=0.2 * umolar / second, kappa_delta=1.5 * umolar, K_delta=0.3 * umolar,
             Omega_5P=0.1 / second, K_D=0.5 * umolar, K_3K=1 * umolar,
             O_3K=4.5 * umolar / second,
             F_ex=0.09 * umolar / second, I_Theta=0.3 * umolar, omega_I=0.05 * umolar)
    b2.defaultclock.dt = sim_dt
    source = b2.NeuronGroup(1, 'dx/dt = f_0 : 1', threshold='x>1', reset='x=0',
                            method='euler', namespace=p)
    target = b2.NeuronGroup(1, '')
    synapses = b2.Synapses(source, target, 'dY_S/dt = -Omega_c * Y_S : mmolar (clock-driven)',
                           on_pre='Y_S += rho_c * Y_T', method='exact', namespace=p)
    synapses.connect()
    astro = b2.NeuronGroup(1, ASTRO_EQS, method='euler', namespace=p)
    astro.h = 0.9
    initial = {v: float(np.asarray(getattr(astro, v))[0]) for v in ("Gamma_A", "I", "C", "h")}
    ecs = b2.Synapses(synapses, astro, 'Y_S_post = Y_S_pre : mmolar (summed)')
    ecs.connect()
    astro_mon = b2.StateMonitor(astro, ['Gamma_A', 'I', 'C', 'h', 'Y_S'], record=True,
                                dt=sample)
    syn_mon = b2.StateMonitor(synapses, 'Y_S', record=True, dt=sample)
    spikes = b2.SpikeMonitor(source)
    net = b2.Network(source, target, synapses, astro, ecs, astro_mon, syn_mon, spikes)
    net.run(duration)

    def samples(values):
        return [float(v) for v in np.asarray(values)]

    def times_ms(t):  # on the 1 ms step grid, without Brian2's i*dt rounding noise
        return [float(k) * float(sim_dt / ms) for k in np.round(np.asarray(t / sim_dt))]

    reference = {
        "source": "Brian2 " + b2.__version__ + ", examples/frompapers/Stimberg_et_al_2018/"
                  "example_2_gchi_astrocyte.py (Stimberg et al. 2018, Fig. 2), changed: one "
                  "deterministic astrocyte (noise term removed), method='euler', runtime numpy "
                  "target, no plotting; seed 790824",
        "dt_ms": float(sim_dt / ms), "sample_every_ms": float(sample / ms),
        "duration_s": float(duration / second),
        "parameters": {k: float(v) for k, v in p.items()},
        "initial": initial,
        "t_ms": times_ms(astro_mon.t),
        "Gamma_A": samples(astro_mon.Gamma_A[0]), "I": samples(astro_mon.I[0]),
        "C": samples(astro_mon.C[0]), "h": samples(astro_mon.h[0]),
        "Y_S_astro": samples(astro_mon.Y_S[0]), "Y_S_synapse": samples(syn_mon.Y_S[0]),
        "source_spike_times_ms": times_ms(spikes.t),
        "units": {"t_ms": "ms (step * dt)", "source_spike_times_ms": "ms (step * dt)", "Gamma_A": "1", "h": "1",
                  "I": "mol/m^3 (= mmolar)", "C": "mol/m^3 (= mmolar)",
                  "Y_S_astro": "mol/m^3 (= mmolar)", "Y_S_synapse": "mol/m^3 (= mmolar)",
                  "parameters": "SI base units (mol/m^3, 1/s, m^3/(mol s), mol/(m^3 s))",
                  "initial": "SI base units (I, C in mol/m^3)"},
        "monitor_schedule": "StateMonitor when='start' (values before the step at t); summed "
                            "Y_S_astro is updated in 'groups' before the astrocyte's update",
    }
    with open(OUTPUT, "w") as f:
        json.dump(reference, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUTPUT}: {len(reference['t_ms'])} samples, "
          f"spikes at {reference['source_spike_times_ms']} ms")


if __name__ == "__main__":
    main()
