#!/usr/bin/python3
"""Brian2 peer run of the COBA network with astrocytes, for comparison with nnc.

The network is Brian2's ``frompapers/Stimberg_et_al_2018/
example_6_COBA_with_astro.py`` (Stimberg et al. 2018, "Modeling neuron-glia
interactions with the Brian 2 simulator", Fig. 6), reproduced exactly,
without its plots: 3200 excitatory and 800 inhibitory conductance-based LIF
neurons (Euler, dt = 0.1 ms, I_ex = 100 pA scaled by the stimulus 1, 1.2,
1, 1 in 2-s windows), synapses with Tsodyks-Markram-style release
(event-driven u_S, x_S) whose resting release probability is lowered by
gliotransmitter (clock-driven Y_S and Gamma_S, ``method='exact'``),
3200 astrocytes (G-ChI model, RK4 at dt = 10 ms) on a grid, each covering
the excitatory synapses whose target lies in its square, releasing
gliotransmitter when their calcium first crosses C_Theta, and coupled to
their grid neighbours by IP3 diffusion.

The JSON has the spike counts and rates of both neuron groups per 0.25-s
window, the number of gliotransmitter releases (astrocyte "spikes") per
window and of astrocytes that released at least once, the synapse counts
(exc, inh, covered exc synapses, astrocyte couplings) and ``timings_s`` as
``brian2_stdp.py``'s (``simulate`` is ``device._last_run_time``).
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

WINDOW_S = 0.25


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=8.0,
                        help="seconds to simulate (default 8, the example's)")
    parser.add_argument("--threads", type=int, default=1,
                        help="OpenMP threads (default 1 = no OpenMP)")
    parser.add_argument("--seed", type=int, default=28371,
                        help="random seed (default 28371, the example's)")
    parser.add_argument("--json", help="where to write the results (default: stdout)")
    parser.add_argument("--build-dir", help="directory for generated code (kept)")
    return parser.parse_args(argv)


def build_network(b2):
    """The example's network, line for line (its names and values)."""
    from brian2 import (mmeter, umeter, mV, nS, pF, ms, pA, mmolar, umolar, second,
                        NeuronGroup, Synapses, TimedArray, sqrt)
    N_e, N_i, N_a = 3200, 800, 3200
    size = 3.75 * mmeter
    ns = dict(
        E_l=-60 * mV, g_l=9.99 * nS, E_e=0 * mV, E_i=-80 * mV, C_m=198 * pF,
        tau_e=5 * ms, tau_i=10 * ms, tau_r=5 * ms, I_ex=100 * pA, V_th=-50 * mV,
        V_r=-60 * mV, rho_c=0.005, Y_T=500. * mmolar, Omega_c=40 / second,
        U_0__star=0.6, Omega_f=3.33 / second, Omega_d=2.0 / second, w_e=0.05 * nS,
        w_i=1.0 * nS, O_G=1.5 / umolar / second, Omega_G=0.5 / (60 * second),
        O_P=0.9 * umolar / second, K_P=0.05 * umolar, C_T=2 * umolar, rho_A=0.18,
        Omega_C=6 / second, Omega_L=0.1 / second, d_1=0.13 * umolar,
        d_2=1.05 * umolar, O_2=0.2 / umolar / second, d_3=0.9434 * umolar,
        d_5=0.08 * umolar, O_beta=0.5 * umolar / second, O_N=0.3 / umolar / second,
        Omega_N=0.5 / second, K_KC=0.5 * umolar, zeta=10,
        O_delta=1.2 * umolar / second, kappa_delta=1.5 * umolar,
        K_delta=0.1 * umolar, Omega_5P=0.05 / second, K_D=0.7 * umolar,
        K_3K=1.0 * umolar, O_3K=4.5 * umolar / second, F=0.09 * umolar / second,
        I_Theta=0.3 * umolar, omega_I=0.05 * umolar, C_Theta=0.5 * umolar,
        Omega_A=0.6 / second, U_A=0.6, G_T=200 * mmolar, rho_e=6.5e-4,
        Omega_e=60 / second, alpha=0.0,
        stimulus=TimedArray([1.0, 1.2, 1.0, 1.0], dt=2 * second))
    neuron_eqs = '''
    dv/dt = (g_l*(E_l-v) + g_e*(E_e-v) + g_i*(E_i-v) + I_ex*stimulus(t))/C_m : volt (unless refractory)
    dg_e/dt = -g_e/tau_e : siemens
    dg_i/dt = -g_i/tau_i : siemens
    x : meter (constant)
    y : meter (constant)
    '''
    neurons = NeuronGroup(N_e + N_i, model=neuron_eqs, threshold='v>V_th',
                          reset='v=V_r', refractory='tau_r', method='euler',
                          namespace=ns)
    exc_neurons = neurons[:N_e]
    inh_neurons = neurons[N_e:]
    N_rows = int(sqrt(N_e))
    N_cols = N_e // N_rows
    ns.update(N_rows=N_rows, N_cols=N_cols, grid_dist=size / N_cols)
    exc_neurons.x = '(i // N_rows)*grid_dist - N_rows/2.0*grid_dist'
    exc_neurons.y = '(i % N_rows)*grid_dist - N_cols/2.0*grid_dist'
    neurons.v = 'E_l + rand()*(V_th-E_l)'
    neurons.g_e = 'rand()*w_e'
    neurons.g_i = 'rand()*w_i'

    synapses_eqs = '''
    dY_S/dt = -Omega_c * Y_S                                    : mmolar (clock-driven)
    dGamma_S/dt = O_G * G_A * (1 - Gamma_S) - Omega_G * Gamma_S : 1 (clock-driven)
    du_S/dt = -Omega_f * u_S                                    : 1 (event-driven)
    dx_S/dt = Omega_d *(1 - x_S)                                : 1 (event-driven)
    U_0                                                         : 1
    r_S                                                         : 1
    G_A                                                         : mmolar
    astrocyte_index : integer (constant)
    '''
    synapses_action = '''
    U_0 = (1 - Gamma_S) * U_0__star + alpha * Gamma_S
    u_S += U_0 * (1 - u_S)
    r_S = u_S * x_S
    x_S -= r_S
    Y_S += rho_c * Y_T * r_S
    '''
    exc_syn = Synapses(exc_neurons, neurons, model=synapses_eqs,
                       on_pre=synapses_action + 'g_e_post += w_e*r_S',
                       method='exact', namespace=ns)
    exc_syn.connect(True, p=0.05)
    exc_syn.x_S = 1.0
    inh_syn = Synapses(inh_neurons, neurons, model=synapses_eqs,
                       on_pre=synapses_action + 'g_i_post += w_i*r_S',
                       method='exact', namespace=ns)
    inh_syn.connect(True, p=0.2)
    inh_syn.x_S = 1.0
    N_rows_a = int(sqrt(N_a))
    N_cols_a = N_a / N_rows_a
    ns.update(N_rows_a=N_rows_a, N_cols_a=N_cols_a, grid_dist=size / N_rows_a)
    exc_syn.astrocyte_index = ('int(x_post/grid_dist) + '
                               'N_cols_a*int(y_post/grid_dist)')
    astro_eqs = '''
    dGamma_A/dt = O_N * Y_S * (1 - clip(Gamma_A,0,1)) -
                  Omega_N*(1 + zeta * C/(C + K_KC)) * clip(Gamma_A,0,1) : 1
    dI/dt = J_beta + J_delta - J_3K - J_5P + J_coupling              : mmolar
    J_beta = O_beta * Gamma_A                                        : mmolar/second
    J_delta = O_delta/(1 + I/kappa_delta) * C**2/(C**2 + K_delta**2) : mmolar/second
    J_3K = O_3K * C**4/(C**4 + K_D**4) * I/(I + K_3K)                : mmolar/second
    J_5P = Omega_5P*I                                                : mmolar/second
    J_coupling                                                       : mmolar/second
    dC/dt = J_r + J_l - J_p                                   : mmolar
    dh/dt = (h_inf - h)/tau_h                                 : 1
    J_r = (Omega_C * m_inf**3 * h**3) * (C_T - (1 + rho_A)*C) : mmolar/second
    J_l = Omega_L * (C_T - (1 + rho_A)*C)                     : mmolar/second
    J_p = O_P * C**2/(C**2 + K_P**2)                          : mmolar/second
    m_inf = I/(I + d_1) * C/(C + d_5)                         : 1
    h_inf = Q_2/(Q_2 + C)                                     : 1
    tau_h = 1/(O_2 * (Q_2 + C))                               : second
    Q_2 = d_2 * (I + d_1)/(I + d_3)                           : mmolar
    dx_A/dt = Omega_A * (1 - x_A) : 1
    dG_A/dt = -Omega_e*G_A        : mmolar
    Y_S                           : mmolar
    x : meter (constant)
    y : meter (constant)
    '''
    glio_release = '''
    G_A += rho_e * G_T * U_A * x_A
    x_A -= U_A *  x_A
    '''
    astrocytes = NeuronGroup(N_a, astro_eqs, threshold='C>C_Theta',
                             refractory='C>C_Theta', reset=glio_release,
                             method='rk4', dt=1e-2 * second, namespace=ns)
    astrocytes.x = '(i // N_rows_a)*grid_dist - N_rows_a/2.0*grid_dist'
    astrocytes.y = '(i % N_rows_a)*grid_dist - N_cols_a/2.0*grid_dist'
    astrocytes.C = 0.01 * umolar
    astrocytes.h = 0.9
    astrocytes.I = 0.01 * umolar
    astrocytes.x_A = 1.0
    ecs_astro_to_syn = Synapses(astrocytes, exc_syn,
                                'G_A_post = G_A_pre : mmolar (summed)')
    ecs_astro_to_syn.connect('i == astrocyte_index_post')
    ecs_syn_to_astro = Synapses(exc_syn, astrocytes,
                                'Y_S_post = Y_S_pre/N_incoming : mmolar (summed)')
    ecs_syn_to_astro.connect('astrocyte_index_pre == j')
    astro_to_astro_eqs = '''
    delta_I = I_post - I_pre            : mmolar
    J_coupling_post = -(1 + tanh((abs(delta_I) - I_Theta)/omega_I))*
                      sign(delta_I)*F/2 : mmolar/second (summed)
    '''
    astro_to_astro = Synapses(astrocytes, astrocytes, model=astro_to_astro_eqs,
                              namespace=ns)
    astro_to_astro.connect('i != j and '
                           'sqrt((x_pre-x_post)**2 +'
                           '     (y_pre-y_post)**2) < 75*um')
    exc_mon = b2.SpikeMonitor(exc_neurons, record=True)
    inh_mon = b2.SpikeMonitor(inh_neurons, record=True)
    astro_mon = b2.SpikeMonitor(astrocytes, record=True)
    network = b2.Network(neurons, exc_syn, inh_syn, astrocytes, ecs_astro_to_syn,
                         ecs_syn_to_astro, astro_to_astro, exc_mon, inh_mon, astro_mon)
    return network, dict(exc=exc_mon, inh=inh_mon, astro=astro_mon), dict(
        exc_syn=exc_syn, inh_syn=inh_syn, covered=ecs_syn_to_astro,
        coupling=astro_to_astro)


def window_counts(times, duration):
    n = int(math.ceil(duration / WINDOW_S - 1e-9))
    counts = [0] * n
    for t in times:
        counts[min(int(t / WINDOW_S + 1e-9), n - 1)] += 1
    return counts


def main(argv=None):
    args = parse_args(argv)
    build_dir = os.path.abspath(args.build_dir) if args.build_dir else \
        tempfile.mkdtemp(prefix="nnc-brian2-coba-astro-")
    warnings.filterwarnings("ignore", category=FutureWarning)
    import brian2 as b2
    from brian2 import prefs
    try:
        b2.set_device("cpp_standalone", directory=build_dir, build_on_run=False)
        prefs.devices.cpp_standalone.openmp_threads = args.threads if args.threads > 1 else 0
        b2.defaultclock.dt = 0.1 * b2.ms
        b2.seed(args.seed)
        t0 = time.perf_counter()
        network, monitors, synapses = build_network(b2)
        network.run(args.duration * b2.second)
        timings = build_and_time(b2, build_dir, time.perf_counter() - t0)
        sizes = dict(exc=3200, inh=800, astro=3200)
        groups = {}
        for name, mon in monitors.items():
            times = [float(t) for t in mon.t_[:]]
            counts = window_counts(times, args.duration)
            groups[name] = {
                "spikes": len(times),
                "rate_hz": len(times) / (sizes[name] * args.duration),
                "window_counts": counts,
                "window_rates_hz": [c / (sizes[name] * min(WINDOW_S, args.duration - k * WINDOW_S))
                                    for k, c in enumerate(counts)],
                "active": len(set(int(i) for i in mon.i[:])),
            }
        result = {
            "simulator": "brian2", "model": "COBA with astrocytes",
            "source": "Brian2 frompapers/Stimberg_et_al_2018/example_6_COBA_with_astro.py",
            "version": b2.__version__, "duration_s": args.duration, "seed": args.seed,
            "threads": args.threads, "window_s": WINDOW_S, "groups": groups,
            "synapses": {k: int(len(s)) for k, s in synapses.items()},
            "timings_s": timings,
        }
    finally:
        if not args.build_dir:
            shutil.rmtree(build_dir, ignore_errors=True)
    text = json.dumps(result, indent=2) + "\n"
    if args.json:
        with open(args.json, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    g = result["groups"]
    print(f"brian2 COBA+astro {args.duration:g} s seed {args.seed}: exc "
          f"{g['exc']['rate_hz']:.2f} Hz, inh {g['inh']['rate_hz']:.2f} Hz, "
          f"{g['astro']['spikes']} releases by {g['astro']['active']} astrocytes; "
          f"simulate {timings['simulate']:.1f} s, build {timings['codegen_compile']:.1f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
