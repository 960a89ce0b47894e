#!/usr/bin/python3
"""NEURON reference traces for nnc's multi-compartment neurons (issue 6).

Builds two cells in NEURON 8.2 (Debian's `neuron`, `python3-neuron`) and
writes test/reference/compartments_neuron.json:

  passive_cable    one section `cable`, L = 600 um, diam = 2 um, nseg = 4,
                   Ra = 150 ohm cm, cm = 1 uF/cm2, pas (g = 1e-4 S/cm2,
                   e = -65 mV); IClamp at cable(0.125) (the centre of the
                   first segment), delay 5 ms, dur 50 ms, amp 0.05 nA.
  ball_and_stick   soma (L = diam = 20 um, nseg 1, Ra 150, cm 1, NEURON's hh
                   with its default parameters) and a passive dendrite
                   (L = 400 um, diam 2 um, nseg 3, pas g 1e-4 e -65, Ra 150,
                   cm 1), dend(0) connected to soma(1); IClamp at soma(0.5),
                   delay 5 ms, dur 40 ms, amp 0.4 nA (4 action potentials).

Settings: h.secondorder = 2 (Crank-Nicolson), dt = 0.005 ms, celsius =
6.3 degC, v_init = -65 mV, 60 ms, fixed steps with h.fadvance(). hh's rate
tables are switched off (h.usetable_hh = 0) so that NEURON evaluates the
rate functions exactly, as nnc's model does; the effect of the default
table (1 mV linear interpolation) is measured and stored as well.

The JSON stores, per model, v of every segment centre every 0.1 ms (mV),
the equivalent compartment parameters that nnc's explicit compartments
need (capacitance C_i = cm x area in pF, leak g_L,i = g_pas x area in nS,
coupling g_ij = 1 / (sum of the two half-segment axial resistances) in nS),
the action potentials' times, the tolerances of the nnc test and the
result of an independent check: the same compartment ODEs in numpy/scipy
(passive: exact matrix exponential; HH: scipy's DOP853 at rtol 1e-11, RK4
at 0.005 ms, and RK4 / exponential Euler at nnc's dt = 0.025 ms).

Run with /usr/bin/python3 from anywhere:
  /usr/bin/python3 test/reference/generate_compartment_reference.py
        [--output FILE] [--check-only]
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import sys

import numpy as np
import scipy
from scipy.integrate import solve_ivp
from scipy.linalg import expm

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUTPUT = os.path.join(HERE, "compartments_neuron.json")

DT = 0.005          # ms, NEURON's fixed step
SAMPLE = 0.1        # ms, stored sample interval
TSTOP = 60.0        # ms
V_INIT = -65.0      # mV
CELSIUS = 6.3       # degC
NNC_DT = 0.025      # ms, the dt of the nnc tests
SPIKE_THRESHOLD = 0.0  # mV, upward crossings of soma v

CABLE = {
    "L_um": 600.0, "diam_um": 2.0, "nseg": 4, "Ra_ohm_cm": 150.0,
    "cm_uF_per_cm2": 1.0, "g_pas_S_per_cm2": 1e-4, "e_pas_mV": -65.0,
}
CABLE_CLAMP = {"segment": 0, "x": 0.125, "delay_ms": 5.0, "dur_ms": 50.0,
               "amp_nA": 0.05}

SOMA = {"L_um": 20.0, "diam_um": 20.0, "nseg": 1, "Ra_ohm_cm": 150.0,
        "cm_uF_per_cm2": 1.0}
DEND = {"L_um": 400.0, "diam_um": 2.0, "nseg": 3, "Ra_ohm_cm": 150.0,
        "cm_uF_per_cm2": 1.0, "g_pas_S_per_cm2": 1e-4, "e_pas_mV": -65.0}
SOMA_CLAMP = {"x": 0.5, "delay_ms": 5.0, "dur_ms": 40.0, "amp_nA": 0.4}
# NEURON's hh defaults (hh.mod; checked against the loaded mechanism below).
HH = {"gnabar_S_per_cm2": 0.12, "gkbar_S_per_cm2": 0.036,
      "gl_S_per_cm2": 0.0003, "el_mV": -54.3, "ena_mV": 50.0, "ek_mV": -77.0}


# ---------------------------------------------------------------------------
# Equivalent compartments, as NEURON discretises a cylinder

def seg_area_um2(sec):
    return math.pi * sec["diam_um"] * sec["L_um"] / sec["nseg"]


def half_seg_resistance_mohm(sec):
    # NEURON: ri = 1e-2 Ra (L / nseg / 2) / (pi diam^2 / 4) in megohm
    # (Ra in ohm cm, lengths in um).
    dx = sec["L_um"] / sec["nseg"]
    return 1e-2 * sec["Ra_ohm_cm"] * (dx / 2) / (math.pi * sec["diam_um"] ** 2 / 4)


def capacitance_pf(sec):
    # cm [uF/cm2] x area [um2] x 1e-8 cm2/um2 x 1e6 pF/uF
    return sec["cm_uF_per_cm2"] * seg_area_um2(sec) * 1e-2


def conductance_ns(g_s_per_cm2, sec):
    # g [S/cm2] x area [um2] x 1e-8 cm2/um2 x 1e9 nS/S
    return g_s_per_cm2 * seg_area_um2(sec) * 10.0


def cable_equivalent():
    comps = []
    for i in range(CABLE["nseg"]):
        comps.append({
            "name": f"c{i}",
            "neuron_location": f"cable({(i + 0.5) / CABLE['nseg']:g})",
            "area_um2": seg_area_um2(CABLE),
            "C_pF": capacitance_pf(CABLE),
            "g_L_nS": conductance_ns(CABLE["g_pas_S_per_cm2"], CABLE),
            "E_L_mV": CABLE["e_pas_mV"],
        })
    r = 2 * half_seg_resistance_mohm(CABLE)
    couplings = [{"a": f"c{i}", "b": f"c{i + 1}", "R_Mohm": r,
                  "g_nS": 1e3 / r} for i in range(CABLE["nseg"] - 1)]
    return comps, couplings


def ball_and_stick_equivalent():
    area = seg_area_um2(SOMA)
    soma = {
        "name": "soma", "neuron_location": "soma(0.5)", "area_um2": area,
        "C_pF": capacitance_pf(SOMA),
        "g_Na_nS": conductance_ns(HH["gnabar_S_per_cm2"], SOMA),
        "g_K_nS": conductance_ns(HH["gkbar_S_per_cm2"], SOMA),
        "g_L_nS": conductance_ns(HH["gl_S_per_cm2"], SOMA),
        "E_Na_mV": HH["ena_mV"], "E_K_mV": HH["ek_mV"], "E_L_mV": HH["el_mV"],
    }
    comps = [soma]
    for i in range(DEND["nseg"]):
        comps.append({
            "name": f"d{i}",
            "neuron_location": f"dend({(i + 0.5) / DEND['nseg']:.6g})",
            "area_um2": seg_area_um2(DEND),
            "C_pF": capacitance_pf(DEND),
            "g_L_nS": conductance_ns(DEND["g_pas_S_per_cm2"], DEND),
            "E_L_mV": DEND["e_pas_mV"],
        })
    r0 = half_seg_resistance_mohm(SOMA) + half_seg_resistance_mohm(DEND)
    rd = 2 * half_seg_resistance_mohm(DEND)
    couplings = [{"a": "soma", "b": "d0", "R_Mohm": r0, "g_nS": 1e3 / r0}]
    couplings += [{"a": f"d{i}", "b": f"d{i + 1}", "R_Mohm": rd,
                   "g_nS": 1e3 / rd} for i in range(DEND["nseg"] - 1)]
    return comps, couplings


def coupling_matrix(comps, couplings):
    """G with G[i][j] = g_ij (nS) off the diagonal, -sum_j g_ij on it."""
    index = {c["name"]: k for k, c in enumerate(comps)}
    g = np.zeros((len(comps), len(comps)))
    for cp in couplings:
        a, b = index[cp["a"]], index[cp["b"]]
        g[a, b] += cp["g_nS"]
        g[b, a] += cp["g_nS"]
        g[a, a] -= cp["g_nS"]
        g[b, b] -= cp["g_nS"]
    return g


# ---------------------------------------------------------------------------
# NEURON

def neuron_setup():
    from neuron import h
    h.load_file("stdrun.hoc")
    h.celsius = CELSIUS
    h.secondorder = 2
    h.dt = DT
    return h


def run_neuron(h, segs):
    """Runs fixed steps to TSTOP; returns (t, [v per seg]) for every step."""
    tvec = h.Vector().record(h._ref_t)
    vecs = [h.Vector().record(seg._ref_v) for seg in segs]
    h.dt = DT
    h.finitialize(V_INIT)
    nsteps = round(TSTOP / DT)
    for _ in range(nsteps):
        h.fadvance()
    t = np.array(tvec)
    if len(t) != nsteps + 1 or abs(t[-1] - TSTOP) > 1e-9:
        sys.exit(f"unexpected NEURON time grid: {len(t)} points, last {t[-1]}")
    return t, [np.array(v) for v in vecs]


def neuron_cable(h):
    cable = h.Section(name="cable")
    cable.L, cable.diam, cable.nseg = CABLE["L_um"], CABLE["diam_um"], CABLE["nseg"]
    cable.Ra, cable.cm = CABLE["Ra_ohm_cm"], CABLE["cm_uF_per_cm2"]
    cable.insert("pas")
    for seg in cable:
        seg.pas.g, seg.pas.e = CABLE["g_pas_S_per_cm2"], CABLE["e_pas_mV"]
    stim = h.IClamp(cable(CABLE_CLAMP["x"]))
    stim.delay, stim.dur, stim.amp = (CABLE_CLAMP["delay_ms"],
                                      CABLE_CLAMP["dur_ms"], CABLE_CLAMP["amp_nA"])
    segs = list(cable)
    # NEURON's own areas and axial resistances, to check the equivalents.
    internals = {"area_um2": [seg.area() for seg in segs],
                 "ri_Mohm": [seg.ri() for seg in segs]}
    t, vs = run_neuron(h, segs)
    return t, vs, internals


def neuron_ball_and_stick(h, usetable):
    h.usetable_hh = 1 if usetable else 0
    soma = h.Section(name="soma")
    soma.L, soma.diam, soma.nseg = SOMA["L_um"], SOMA["diam_um"], SOMA["nseg"]
    soma.Ra, soma.cm = SOMA["Ra_ohm_cm"], SOMA["cm_uF_per_cm2"]
    soma.insert("hh")
    dend = h.Section(name="dend")
    dend.L, dend.diam, dend.nseg = DEND["L_um"], DEND["diam_um"], DEND["nseg"]
    dend.Ra, dend.cm = DEND["Ra_ohm_cm"], DEND["cm_uF_per_cm2"]
    dend.insert("pas")
    for seg in dend:
        seg.pas.g, seg.pas.e = DEND["g_pas_S_per_cm2"], DEND["e_pas_mV"]
    dend.connect(soma(1), 0)
    s = soma(0.5)
    loaded = {"gnabar_S_per_cm2": s.hh.gnabar, "gkbar_S_per_cm2": s.hh.gkbar,
              "gl_S_per_cm2": s.hh.gl, "el_mV": s.hh.el, "ena_mV": soma.ena,
              "ek_mV": soma.ek}
    for k, v in HH.items():
        if abs(loaded[k] - v) > 1e-12 * abs(v):
            sys.exit(f"NEURON's hh default {k} = {loaded[k]}, expected {v}")
    stim = h.IClamp(soma(SOMA_CLAMP["x"]))
    stim.delay, stim.dur, stim.amp = (SOMA_CLAMP["delay_ms"],
                                      SOMA_CLAMP["dur_ms"], SOMA_CLAMP["amp_nA"])
    segs = [s] + list(dend)
    internals = {"area_um2": [seg.area() for seg in segs],
                 # ri of soma(1): soma centre -> soma(1) node; of dend
                 # segments: centre -> previous node (dend(0) = soma(1)).
                 "ri_Mohm": [soma(1).ri()] + [seg.ri() for seg in dend]}
    mvec = [h.Vector().record(x) for x in (s.hh._ref_m, s.hh._ref_h, s.hh._ref_n)]
    t, vs = run_neuron(h, segs)
    gates0 = [mv[0] for mv in mvec]
    h.usetable_hh = 1
    return t, vs, internals, gates0


# ---------------------------------------------------------------------------
# The same compartment ODEs in Python (mV, ms, nS, pF, nA: nS mV = pA,
# pA / pF = mV/ms)

def clamp_current(t_lo, clamp):
    """The clamp current (nA) on [t_lo, next boundary)."""
    on = clamp["delay_ms"] - 1e-9 <= t_lo < clamp["delay_ms"] + clamp["dur_ms"] - 1e-9
    return clamp["amp_nA"] if on else 0.0


def pieces(clamp):
    b = [0.0, clamp["delay_ms"], clamp["delay_ms"] + clamp["dur_ms"], TSTOP]
    return [(b[k], b[k + 1]) for k in range(3)]


def python_cable(comps, couplings):
    """Exact solution (matrix exponential) sampled every SAMPLE ms."""
    n = len(comps)
    c = np.array([x["C_pF"] for x in comps])
    gl = np.array([x["g_L_nS"] for x in comps])
    el = np.array([x["E_L_mV"] for x in comps])
    a = (coupling_matrix(comps, couplings) - np.diag(gl)) / c[:, None]
    v = np.full(n, V_INIT)
    out = [v.copy()]
    for lo, hi in pieces(CABLE_CLAMP):
        i_inj = np.zeros(n)
        i_inj[CABLE_CLAMP["segment"]] = clamp_current(lo, CABLE_CLAMP) * 1e3
        b = (gl * el + i_inj) / c
        aug = np.zeros((n + 1, n + 1))
        aug[:n, :n], aug[:n, n] = a, b
        step = expm(aug * SAMPLE)
        for _ in range(round((hi - lo) / SAMPLE)):
            v = step[:n, :n] @ v + step[:n, n]
            out.append(v.copy())
    return np.array(out).T


def vtrap(x, y):
    # NEURON's hh.mod FUNCTION vtrap
    if abs(x / y) < 1e-6:
        return y * (1 - x / y / 2)
    return x / (math.exp(x / y) - 1)


class HHCell:
    """Soma (v, m, h, n) + passive dendrite compartments, NEURON's hh."""

    def __init__(self, comps, couplings):
        self.soma = comps[0]
        self.c = np.array([x["C_pF"] for x in comps])
        self.gl = np.array([x["g_L_nS"] for x in comps])
        self.el = np.array([x["E_L_mV"] for x in comps])
        self.g = coupling_matrix(comps, couplings)
        self.n = len(comps)
        self.q10 = 3.0 ** ((CELSIUS - 6.3) / 10)
        self.min_trap = math.inf   # smallest |x/y| seen by vtrap
        self.i_inj = 0.0

    def rates(self, v):
        xm, xn = -(v + 40) / 10, -(v + 55) / 10
        self.min_trap = min(self.min_trap, abs(xm), abs(xn))
        am = 0.1 * vtrap(-(v + 40), 10)
        bm = 4 * math.exp(-(v + 65) / 18)
        ah = 0.07 * math.exp(-(v + 65) / 20)
        bh = 1 / (math.exp(-(v + 35) / 10) + 1)
        an = 0.01 * vtrap(-(v + 55), 10)
        bn = 0.125 * math.exp(-(v + 65) / 80)
        return am, bm, ah, bh, an, bn

    def initial(self):
        am, bm, ah, bh, an, bn = self.rates(V_INIT)
        return np.concatenate([[am / (am + bm), ah / (ah + bh), an / (an + bn)],
                               np.full(self.n, V_INIT)])

    def deriv(self, y):
        m, hh, n = y[0], y[1], y[2]
        v = y[3:]
        am, bm, ah, bh, an, bn = self.rates(v[0])
        s = self.soma
        cur = self.gl * (self.el - v) + self.g @ v
        cur[0] += (s["g_Na_nS"] * m ** 3 * hh * (s["E_Na_mV"] - v[0])
                   + s["g_K_nS"] * n ** 4 * (s["E_K_mV"] - v[0])
                   + self.i_inj * 1e3)
        dy = np.empty_like(y)
        dy[0] = self.q10 * (am * (1 - m) - bm * m)
        dy[1] = self.q10 * (ah * (1 - hh) - bh * hh)
        dy[2] = self.q10 * (an * (1 - n) - bn * n)
        dy[3:] = cur / self.c
        return dy

    def rk4(self, dt):
        y = self.initial()
        traj = [y.copy()]
        for lo, hi in pieces(SOMA_CLAMP):
            self.i_inj = clamp_current(lo, SOMA_CLAMP)
            for _ in range(round((hi - lo) / dt)):
                k1 = self.deriv(y)
                k2 = self.deriv(y + dt / 2 * k1)
                k3 = self.deriv(y + dt / 2 * k2)
                k4 = self.deriv(y + dt * k3)
                y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
                traj.append(y.copy())
        return np.array(traj).T

    def rk4_split_coupling(self, dt):
        """RK4 with the coupling currents frozen at the step's start (an
        operator-splitting mistake, for the sensitivity table)."""
        g, self.g = self.g, np.zeros_like(self.g)
        y = self.initial()
        traj = [y.copy()]
        try:
            for lo, hi in pieces(SOMA_CLAMP):
                self.i_inj = clamp_current(lo, SOMA_CLAMP)
                for _ in range(round((hi - lo) / dt)):
                    ext = np.concatenate([[0.0, 0.0, 0.0], (g @ y[3:]) / self.c])
                    k1 = self.deriv(y) + ext
                    k2 = self.deriv(y + dt / 2 * k1) + ext
                    k3 = self.deriv(y + dt / 2 * k2) + ext
                    k4 = self.deriv(y + dt * k3) + ext
                    y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
                    traj.append(y.copy())
        finally:
            self.g = g
        return np.array(traj).T

    def exponential_euler(self, dt):
        """Brian2's exponential Euler: every variable x' = A x + B with A, B
        from the values at the step's start (other compartments' v fixed)."""
        y = self.initial()
        traj = [y.copy()]
        s = self.soma
        diag = np.diag(self.g)
        for lo, hi in pieces(SOMA_CLAMP):
            self.i_inj = clamp_current(lo, SOMA_CLAMP)
            for _ in range(round((hi - lo) / dt)):
                m, hh, n = y[0], y[1], y[2]
                v = y[3:]
                am, bm, ah, bh, an, bn = self.rates(v[0])
                new = np.empty_like(y)
                for k, (a, b) in enumerate(((am, bm), (ah, bh), (an, bn))):
                    big_a = -self.q10 * (a + b)
                    big_b = self.q10 * a
                    new[k] = -big_b / big_a + (y[k] + big_b / big_a) * math.exp(big_a * dt)
                ga = self.gl - diag
                gb = self.gl * self.el + self.g @ v - diag * v
                ga = ga.copy()
                ga[0] += s["g_Na_nS"] * m ** 3 * hh + s["g_K_nS"] * n ** 4
                gb[0] += (s["g_Na_nS"] * m ** 3 * hh * s["E_Na_mV"]
                          + s["g_K_nS"] * n ** 4 * s["E_K_mV"] + self.i_inj * 1e3)
                big_a, big_b = -ga / self.c, gb / self.c
                new[3:] = -big_b / big_a + (v + big_b / big_a) * np.exp(big_a * dt)
                y = new
                traj.append(y.copy())
        return np.array(traj).T

    def accurate(self):
        """scipy DOP853, rtol 1e-11, piecewise over the clamp's pieces;
        returns (v samples every SAMPLE ms, spike times)."""
        y = self.initial()
        samples = [y[3:].copy()]
        spikes = []

        def up(t, yy):
            return yy[3] - SPIKE_THRESHOLD
        up.direction = 1

        for lo, hi in pieces(SOMA_CLAMP):
            self.i_inj = clamp_current(lo, SOMA_CLAMP)
            k = round((hi - lo) / SAMPLE)
            t_eval = lo + SAMPLE * np.arange(1, k + 1)
            t_eval[-1] = hi
            sol = solve_ivp(lambda t, yy: self.deriv(yy), (lo, hi), y,
                            method="DOP853", rtol=1e-11, atol=1e-11,
                            t_eval=t_eval, events=up)
            if not sol.success:
                sys.exit(f"solve_ivp failed: {sol.message}")
            samples.extend(sol.y[3:].T)
            spikes.extend(sol.t_events[0].tolist())
            y = sol.y[:, -1]
        return np.array(samples).T, spikes


# ---------------------------------------------------------------------------
# Comparisons

def crossings(t, v, threshold=SPIKE_THRESHOLD):
    """Upward threshold crossings, linearly interpolated."""
    out = []
    for k in range(len(v) - 1):
        if v[k] <= threshold < v[k + 1]:
            out.append(t[k] + (threshold - v[k]) / (v[k + 1] - v[k]) * (t[k + 1] - t[k]))
    return out


def subsample(v, dt):
    stride = round(SAMPLE / dt)
    return v[..., ::stride]


def spike_window_mask(t, spikes, before, after):
    mask = np.zeros(len(t), dtype=bool)
    for ts in spikes:
        mask |= (t >= ts - before) & (t <= ts + after)
    return mask


def max_abs(a, b, mask=None):
    d = np.abs(np.asarray(a) - np.asarray(b))
    if mask is not None:
        d = d[..., ~mask]
    return float(d.max())


def spike_diff(a, b):
    if len(a) != len(b):
        return None
    return float(max(abs(x - y) for x, y in zip(a, b))) if a else 0.0


def rounded(values, digits=6):
    return [round(float(x), digits) for x in values]


# Samples from 1 ms before to 2 ms after each reference spike (upstroke,
# peak, repolarisation) get a looser bound than the rest of the trace: there
# a spike-time shift of 0.001 ms alone moves v by ~0.3 mV.
WINDOW_BEFORE, WINDOW_AFTER = 1.0, 2.0

# Tolerances of the nnc tests (see README.md, "Compartments").
CABLE_TOL_MV = 1e-4
BAS_TOL = {"v_abs_mV": 0.1, "v_abs_outside_spikes_mV": 0.03,
           "spike_time_ms": 0.005}


def perturbed(comps, couplings, what, factor_or_value):
    """A copy of the model with one parameter changed: what = (list, index,
    key), the list being "comps" or "couplings"."""
    comps = [dict(c) for c in comps]
    couplings = [dict(c) for c in couplings]
    lst, idx, key = what
    target = (comps if lst == "comps" else couplings)[idx]
    if isinstance(factor_or_value, tuple):
        target[key] = factor_or_value[0]
    else:
        target[key] *= factor_or_value
        if key == "g_nS":
            target["R_Mohm"] /= factor_or_value
    return comps, couplings


def cable_sensitivity(comps, couplings, v_ref):
    rows = []
    for label, what, f in (
            ("C of c0 x 1.001", ("comps", 0, "C_pF"), 1.001),
            ("g_L of c3 x 1.001", ("comps", 3, "g_L_nS"), 1.001),
            ("coupling c2-c3 x 1.001", ("couplings", 2, "g_nS"), 1.001),
            ("coupling c0-c1 x 1.0001", ("couplings", 0, "g_nS"), 1.0001)):
        v = python_cable(*perturbed(comps, couplings, what, f))
        rows.append({"change": label, "max_abs_v_mV": max_abs(v, v_ref)})
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", default=DEFAULT_OUTPUT)
    parser.add_argument("--check-only", action="store_true",
                        help="run and print, write nothing")
    args = parser.parse_args()

    h = neuron_setup()
    t_sample = np.round(SAMPLE * np.arange(round(TSTOP / SAMPLE) + 1), 10)
    result = {}

    # ---- passive cable ----------------------------------------------------
    comps, couplings = cable_equivalent()
    t, vs, internals = neuron_cable(h)
    for k, comp in enumerate(comps):
        if abs(internals["area_um2"][k] - comp["area_um2"]) > 1e-9 * comp["area_um2"]:
            sys.exit(f"area mismatch for {comp['name']}: {internals}")
    half = half_seg_resistance_mohm(CABLE)
    expect_ri = [half] + [2 * half] * (CABLE["nseg"] - 1)
    if max(abs(a - b) / b for a, b in zip(internals["ri_Mohm"], expect_ri)) > 1e-12:
        sys.exit(f"ri mismatch: {internals['ri_Mohm']} vs {expect_ri}")
    v_neuron = subsample(np.array(vs), DT)
    v_exact = python_cable(comps, couplings)
    err_exact = max_abs(v_exact, v_neuron)
    err_stored = max_abs(v_exact, np.round(v_neuron, 6))
    per_comp = [max_abs(v_exact[k], v_neuron[k]) for k in range(len(comps))]
    sens = cable_sensitivity(comps, couplings, v_exact)
    print("passive cable: equivalent compartments")
    for comp in comps:
        print(f"  {comp['name']}: C = {comp['C_pF']:.12g} pF, g_L = {comp['g_L_nS']:.12g} nS")
    for cp in couplings:
        print(f"  {cp['a']}-{cp['b']}: R = {cp['R_Mohm']:.12g} Mohm, g = {cp['g_nS']:.12g} nS")
    print(f"  max |V_exact - V_NEURON| = {err_exact:.3g} mV (per compartment "
          + ", ".join(f"{e:.2g}" for e in per_comp) + f"; stored, rounded to 1e-6 mV: "
          f"{err_stored:.3g} mV)")
    print("  v at 55 ms (end of the clamp): "
          + ", ".join(f"{x:.4f}" for x in v_neuron[:, round(55 / SAMPLE)]) + " mV")
    for row in sens:
        print(f"  sensitivity: {row['change']:26s} max |dV| {row['max_abs_v_mV']:.3g} mV")
    result["passive_cable"] = {
        "description": "passive cable, 4 segments, current clamp into the first",
        "neuron_model": {"cable": CABLE, "iclamp": dict(CABLE_CLAMP, location="cable(0.125)")},
        "compartments": comps,
        "couplings": couplings,
        "neuron_internals": internals,
        "clamp": {"compartment": "c0", "delay_ms": CABLE_CLAMP["delay_ms"],
                  "dur_ms": CABLE_CLAMP["dur_ms"], "amp_nA": CABLE_CLAMP["amp_nA"]},
        "nnc_test": "test/e2e/compartments/passive-cable.nn",
        "traces_mV": {f"{c['name']}.v": rounded(v_neuron[k]) for k, c in enumerate(comps)},
        "spike_times_ms": None,
        "python_check": {
            "method": "exact matrix exponential of the 4-compartment system, "
                      "piecewise-constant clamp, sampled every 0.1 ms",
            "max_abs_error_mV": err_exact,
            "max_abs_error_per_compartment_mV": per_comp,
            "max_abs_error_stored_values_mV": err_stored,
        },
        "sensitivity": sens,
        "tolerance": {
            "v_abs_mV": CABLE_TOL_MV,
            "why": "nnc's exact solver is exact at any dt (the clamp switches on "
                   "step boundaries), so nnc - NEURON is NEURON's "
                   f"Crank-Nicolson error at 0.005 ms, {err_exact:.2g} mV against "
                   "the matrix exponential, plus the 5e-7 mV rounding of the "
                   "stored values; 1e-4 mV leaves a 15x margin and catches a "
                   "1e-4 relative error in any C, g_L or coupling.",
        },
    }

    # ---- ball and stick ---------------------------------------------------
    comps, couplings = ball_and_stick_equivalent()
    t, vs, internals, gates0 = neuron_ball_and_stick(h, usetable=False)
    for k, comp in enumerate(comps):
        if abs(internals["area_um2"][k] - comp["area_um2"]) > 1e-9 * comp["area_um2"]:
            sys.exit(f"area mismatch for {comp['name']}: {internals}")
    hs, hd = half_seg_resistance_mohm(SOMA), half_seg_resistance_mohm(DEND)
    expect_ri = [hs, hd] + [2 * hd] * (DEND["nseg"] - 1)
    if max(abs(a - b) / b for a, b in zip(internals["ri_Mohm"], expect_ri)) > 1e-12:
        sys.exit(f"ri mismatch: {internals['ri_Mohm']} vs {expect_ri}")
    vs = np.array(vs)
    v_neuron = subsample(vs, DT)
    spikes_neuron = crossings(t, vs[0])
    spikes_neuron_sampled = crossings(t_sample, v_neuron[0])
    _, vs_table, _, _ = neuron_ball_and_stick(h, usetable=True)
    vs_table = np.array(vs_table)
    mask = spike_window_mask(t_sample, spikes_neuron, WINDOW_BEFORE, WINDOW_AFTER)

    cell = HHCell(comps, couplings)
    m0, h0, n0 = cell.initial()[:3]
    gate_err = max(abs(a - b) for a, b in zip((m0, h0, n0), gates0))
    comps[0]["initial"] = {"v_mV": V_INIT, "m": m0, "h": h0, "n": n0}

    def compare(v, sp_fine):
        """v: samples every 0.1 ms; sp_fine: spike times at full resolution."""
        sp_sampled = crossings(t_sample, v[0])
        return {
            "max_abs_v_mV": max_abs(v, v_neuron),
            "max_abs_v_outside_spikes_mV": max_abs(v, v_neuron, mask),
            "max_abs_v_outside_spikes_per_compartment_mV":
                [max_abs(v[k], v_neuron[k], mask) for k in range(len(comps))],
            "spike_times_ms": sp_fine,
            "max_spike_time_diff_ms": spike_diff(sp_fine, spikes_neuron),
            "max_sampled_spike_time_diff_ms": spike_diff(sp_sampled, spikes_neuron_sampled),
        }

    def run(c, fn, dt):
        c.min_trap = math.inf
        traj = fn(dt)
        tt = dt * np.arange(traj.shape[1])
        return compare(subsample(traj[3:], dt), crossings(tt, traj[3])), c.min_trap

    v_acc, spikes_acc = cell.accurate()
    checks = {"dop853_rtol_1e-11": compare(v_acc, spikes_acc)}
    checks["rk4_dt_0.005"], _ = run(cell, cell.rk4, DT)
    checks["rk4_dt_0.025"], trap_rk4 = run(cell, cell.rk4, NNC_DT)
    checks["rk4_dt_0.025"]["smallest_vtrap_argument"] = trap_rk4
    checks["exponential_euler_dt_0.025"], _ = run(cell, cell.exponential_euler, NNC_DT)
    checks["rk4_dt_0.05"], _ = run(cell, cell.rk4, 0.05)

    # What the tolerances catch: NEURON's default hh tables, and the nnc
    # scheme (RK4, 0.025 ms) with one mistake each.
    table = compare(subsample(vs_table, DT), crossings(t, vs_table[0]))
    sens = [dict(change="NEURON with its default hh rate tables", **table)]
    sens.append(dict(change="RK4 with the couplings frozen over each step",
                     **run(cell, cell.rk4_split_coupling, NNC_DT)[0]))
    for label, what, f in (
            ("E_L of the soma = -54.387 mV (std/hh.nn)", ("comps", 0, "E_L_mV"), (-54.387,)),
            ("g_Na x 1.001", ("comps", 0, "g_Na_nS"), 1.001),
            ("C of the soma x 1.001", ("comps", 0, "C_pF"), 1.001),
            ("coupling soma-d0 x 1.001", ("couplings", 0, "g_nS"), 1.001),
            ("coupling d1-d2 x 1.01", ("couplings", 2, "g_nS"), 1.01),
            ("C of d1 x 1.01", ("comps", 2, "C_pF"), 1.01),
            ("g_L of d2 x 1.01", ("comps", 3, "g_L_nS"), 1.01)):
        c = HHCell(*perturbed(comps, couplings, what, f))
        sens.append(dict(change=label, **run(c, c.rk4, NNC_DT)[0]))
    for row in sens:
        del row["max_abs_v_outside_spikes_per_compartment_mV"]
        row["caught"] = bool(
            row["max_abs_v_mV"] > BAS_TOL["v_abs_mV"]
            or row["max_abs_v_outside_spikes_mV"] > BAS_TOL["v_abs_outside_spikes_mV"]
            or row["max_sampled_spike_time_diff_ms"] is None
            or row["max_sampled_spike_time_diff_ms"] > BAS_TOL["spike_time_ms"])

    print("ball and stick: equivalent compartments")
    for comp in comps:
        extra = ""
        if comp["name"] == "soma":
            extra = (f", g_Na = {comp['g_Na_nS']:.12g} nS, g_K = {comp['g_K_nS']:.12g} nS,"
                     f" E_L = {comp['E_L_mV']} mV")
        print(f"  {comp['name']}: C = {comp['C_pF']:.12g} pF, g_L = {comp['g_L_nS']:.12g} nS{extra}")
    for cp in couplings:
        print(f"  {cp['a']}-{cp['b']}: R = {cp['R_Mohm']:.12g} Mohm, g = {cp['g_nS']:.12g} nS")
    print(f"  initial m, h, n = {m0!r}, {h0!r}, {n0!r} (NEURON's finitialize: "
          f"max difference {gate_err:.2g})")
    print("  NEURON spikes (ms): " + ", ".join(f"{x:.4f}" for x in spikes_neuron)
          + "; from the 0.1 ms samples: "
          + ", ".join(f"{x:.4f}" for x in spikes_neuron_sampled))
    print(f"  spike windows ({WINDOW_BEFORE} ms before to {WINDOW_AFTER} ms after): "
          f"{int(mask.sum())} of {len(mask)} samples")

    def line(name, c):
        sd, ss = c["max_spike_time_diff_ms"], c["max_sampled_spike_time_diff_ms"]
        tail = (f"spikes {sd:.2g} ms (sampled {ss:.2g} ms)" if sd is not None
                else f"{len(c['spike_times_ms'])} spikes")
        return (f"  {name:42s} |dV| {c['max_abs_v_mV']:8.3g} mV, outside spikes "
                f"{c['max_abs_v_outside_spikes_mV']:8.3g} mV, {tail}")
    print("  against NEURON:")
    for name, c in checks.items():
        print(line(name, c))
    print(f"  smallest |x/y| in vtrap (RK4 at 0.025 ms, all stages): {trap_rk4:.3g}")
    print(f"  sensitivity (tolerance: all {BAS_TOL['v_abs_mV']} mV, outside spikes "
          f"{BAS_TOL['v_abs_outside_spikes_mV']} mV, sampled spike times "
          f"{BAS_TOL['spike_time_ms']} ms):")
    for row in sens:
        print(line(row["change"], row) + ("  caught" if row["caught"] else "  NOT caught"))

    rk4 = checks["rk4_dt_0.025"]
    result["ball_and_stick"] = {
        "description": "HH soma + 3-segment passive dendrite, current clamp into the soma",
        "neuron_model": {"soma": SOMA, "hh": HH, "dend": DEND,
                         "connect": "dend(0) to soma(1)",
                         "iclamp": dict(SOMA_CLAMP, location="soma(0.5)")},
        "compartments": comps,
        "couplings": couplings,
        "neuron_internals": internals,
        "hh_rates": {
            "q10": "3^((celsius - 6.3)/10) = 1 at 6.3 degC",
            "alpha_m": "0.1 vtrap(-(v+40), 10)", "beta_m": "4 exp(-(v+65)/18)",
            "alpha_h": "0.07 exp(-(v+65)/20)", "beta_h": "1 / (exp(-(v+35)/10) + 1)",
            "alpha_n": "0.01 vtrap(-(v+55), 10)", "beta_n": "0.125 exp(-(v+65)/80)",
            "vtrap": "y (1 - x/y/2) if |x/y| < 1e-6 else x / (exp(x/y) - 1)",
            "x'": "q10 (alpha_x (1 - x) - beta_x x) for x in m, h, n",
            "currents": "g_Na m^3 h (E_Na - v) + g_K n^4 (E_K - v) + g_L (E_L - v)",
        },
        "clamp": {"compartment": "soma", "delay_ms": SOMA_CLAMP["delay_ms"],
                  "dur_ms": SOMA_CLAMP["dur_ms"], "amp_nA": SOMA_CLAMP["amp_nA"]},
        "nnc_test": "test/e2e/compartments/ball-and-stick.nn",
        "traces_mV": {f"{c['name']}.v": rounded(v_neuron[k]) for k, c in enumerate(comps)},
        "spike_threshold_mV": SPIKE_THRESHOLD,
        "spike_times_ms": spikes_neuron,
        "spike_times_sampled_ms": spikes_neuron_sampled,
        "python_check": {
            "initial_gates_max_diff_vs_neuron": gate_err,
            "methods": checks,
        },
        "sensitivity": sens,
        "tolerance": dict(
            BAS_TOL, spike_window_ms=[WINDOW_BEFORE, WINDOW_AFTER],
            why="nnc integrates with RK4 at 0.025 ms; the same scheme in Python "
                f"differs from NEURON by {rk4['max_abs_v_mV']:.2g} mV at most, "
                f"{rk4['max_abs_v_outside_spikes_mV']:.2g} mV outside the spike "
                f"windows and {rk4['max_sampled_spike_time_diff_ms']:.2g} ms in the "
                "spike times interpolated from the 0.1 ms samples (NEURON's own "
                "error, against DOP853 at rtol 1e-11: "
                f"{checks['dop853_rtol_1e-11']['max_abs_v_mV']:.2g} mV, "
                f"{checks['dop853_rtol_1e-11']['max_spike_time_diff_ms']:.2g} ms). "
                "The bounds are about 4x those errors and 20x for spike times; "
                "each change in `sensitivity` (NEURON's rate tables, frozen "
                "couplings, std/hh.nn's E_L, 1e-3 in g_Na or the soma's C) "
                "exceeds them."),
    }

    out = reference_document(
        h, "generate_compartment_reference.py",
        {"secondorder": 2, "dt_ms": DT, "celsius_degC": CELSIUS,
         "v_init_mV": V_INIT, "tstop_ms": TSTOP, "usetable_hh": 0,
         "stepping": "h.finitialize(v_init), then 12000 x h.fadvance()"},
        t_sample, result, scipy_version=scipy.__version__)
    if args.check_only:
        return
    write_reference(out, args.output)


def reference_document(h, script, settings, t_sample, models,
                       scipy_version=None):
    """The JSON document of a compartment reference: provenance (NEURON,
    Python and library versions, date, command, `settings`), units, the
    sample grid and `models`."""
    import neuron
    provenance = {
        "simulator": f"NEURON {neuron.__version__} (Debian neuron/python3-neuron 8.2.2)",
        "nrnversion": h.nrnversion(),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    if scipy_version:
        provenance["scipy"] = scipy_version
    provenance.update({
        "date": datetime.date.today().isoformat(),
        "command": f"/usr/bin/python3 test/reference/{script}",
        "settings": settings,
    })
    return {
        "format": "nnc-compartment-reference/1",
        "provenance": provenance,
        "units": {"traces": "mV, rounded to 1e-6", "C": "pF", "g": "nS",
                  "R": "Mohm", "time": "ms"},
        "sample": {"start_ms": 0.0, "stride_ms": SAMPLE, "count": len(t_sample)},
        "models": models,
    }


def write_reference(out, path):
    """Writes a reference JSON with one line per list of numbers (the
    traces): a quarter smaller than json.dumps alone."""
    text = json.dumps(out, indent=1)
    text = re.sub(r"\[\s*([-0-9.eE+,\s]+?)\s*\]",
                  lambda mt: "[" + ", ".join(mt.group(1).split()).replace(",,", ",") + "]",
                  text)
    with open(path, "w") as f:
        f.write(text + "\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
