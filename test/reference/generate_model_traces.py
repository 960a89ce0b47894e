#!/usr/bin/python3
"""Generate Brian2 reference traces for the std/ neuron models.

For every entry of REFERENCES below this script simulates three neurons of
one model with Brian2 2.5.1 under a scripted protocol and writes

  test/reference/traces/<name>.json   the reference: protocol, parameters,
                                      every state variable sampled every
                                      1 ms for all neurons (SI values) and
                                      every spike as a step index
  test/e2e/models/<name>.nn           the matching nnc lit test: the model's
                                      `neuron` declaration copied from std/
                                      and a network running the same protocol

The protocol: N = 3 neurons, I_ext = I0 + i * dI for neuron i, `simulate T1`,
then `p.I_ext = I_step` for all neurons and `simulate T2` (T1 + T2 <= 200 ms).
Models with synaptic states start them at a nonzero value (their decay and
its effect on v are the synaptic-kernel test; nnc has no spike generator yet).

Brian2 set-up: runtime device with prefs.codegen.target = 'numpy' (chosen
explicitly: no C compiler involved, and plain IEEE double arithmetic; the
'cython' target compiles with -ffast-math, which lets the compiler reassociate
floating-point expressions). Every integration method is chosen explicitly
(method=...), never left to Brian2's automatic choice. The integration
methods are Brian2's definitions, which nnc's solvers of the same name follow:
  exact              Brian2 'exact' (= 'linear'): the symbolic solution of the
                     linear system over one step (sympy), I_ext constant
  euler              x += dt f(x, t)
  rk4                classic Runge-Kutta, stages at t, t+dt/2, t+dt/2, t+dt
  exponential_euler  for each x, f = A x + B with A, B from the other
                     variables at the start of the step:
                     x <- (x + B/A) exp(A dt) - B/A
State monitors record at when='start' (before the state update), so the
sample with index k is the state at t = k * every, as in nnc. Spikes are
recorded at t = step * dt of the step whose update crossed the threshold.

Usage (from the repository root; needs Debian's python3-brian, 2.5.1):
    /usr/bin/python3 test/reference/generate_model_traces.py            # all
    /usr/bin/python3 test/reference/generate_model_traces.py hh_rk4 ...  # some
    /usr/bin/python3 test/reference/generate_model_traces.py --list
Options: --no-nn (do not rewrite the .nn tests), --check-only (run and print
diagnostics, write nothing).
"""

import argparse
import datetime
import json
import math
import os
import re
import shlex
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
TRACE_DIR = os.path.join(HERE, "traces")
NN_DIR = os.path.join(REPO_ROOT, "test", "e2e", "models")
STD_DIR = os.path.join(REPO_ROOT, "std")
FORMAT = "nnc-model-traces/1"
POPULATION = "p"
N_NEURONS = 3

# ---------------------------------------------------------------------------
# Models: the Brian2 side, written independently of std/*.nn (the same
# equations in Brian2's syntax). `params` are the std/ defaults as nnc text
# ("number unit"), converted with q() for Brian2; the generator checks them
# against the `parameter` lines of the std file. `clamp` lists the states that
# are held during the refractory period: Brian2's `(unless refractory)`.
# ---------------------------------------------------------------------------

MODELS = {
    "LIF_cuba_exp": dict(
        std="lif.nn",
        eqs="""
            dv/dt = (E_L - v)/tau_m + (I_e + I_i + I_ext)/C_m : volt {v}
            dI_e/dt = -I_e/tau_syn_e : amp {I_e}
            dI_i/dt = -I_i/tau_syn_i : amp {I_i}
        """,
        params={"C_m": "250 pF", "tau_m": "10 ms", "E_L": "-70 mV", "v_th": "-55 mV",
                "v_reset": "-70 mV", "tau_syn_e": "2 ms", "tau_syn_i": "2 ms",
                "I_ext": "0 pA"},
        states=[("v", "V", "-70 mV"), ("I_e", "A", "0 pA"), ("I_i", "A", "0 pA")],
        threshold="v > v_th", reset="v = v_reset", refractory="2 ms", clamp=["v"],
        threshold_var="v", threshold_value="v_th"),
    "LIF_coba_exp": dict(
        std="lif.nn",
        eqs="""
            dv/dt = (g_L*(E_L - v) + ge*(E_e - v) + gi*(E_i - v) + I_ext)/C_m : volt {v}
            dge/dt = -ge/tau_e : siemens {ge}
            dgi/dt = -gi/tau_i : siemens {gi}
        """,
        params={"C_m": "200 pF", "g_L": "10 nS", "E_L": "-60 mV", "v_th": "-50 mV",
                "v_reset": "-60 mV", "E_e": "0 mV", "E_i": "-80 mV", "tau_e": "5 ms",
                "tau_i": "10 ms", "I_ext": "0 pA"},
        states=[("v", "V", "-60 mV"), ("ge", "S", "0 nS"), ("gi", "S", "0 nS")],
        threshold="v > v_th", reset="v = v_reset", refractory="5 ms", clamp=["v"],
        threshold_var="v", threshold_value="v_th"),
    "LIF_cuba_alpha": dict(
        std="lif.nn",
        eqs="""
            dv/dt = (E_L - v)/tau_m + (I_syn + I_ext)/C_m : volt {v}
            dI_syn/dt = (h - I_syn)/tau_syn : amp {I_syn}
            dh/dt = -h/tau_syn : amp {h}
        """,
        params={"C_m": "250 pF", "tau_m": "10 ms", "E_L": "-70 mV", "v_th": "-55 mV",
                "v_reset": "-70 mV", "tau_syn": "2 ms", "I_ext": "0 pA"},
        states=[("v", "V", "-70 mV"), ("I_syn", "A", "0 pA"), ("h", "A", "0 pA")],
        threshold="v > v_th", reset="v = v_reset", refractory="2 ms", clamp=["v"],
        threshold_var="v", threshold_value="v_th"),
    "Izhikevich": dict(
        std="izhikevich.nn",
        eqs="""
            dv/dt = 0.04/(ms*mV)*v**2 + 5/ms*v + 140*mV/ms - u + I_ext/C : volt {v}
            du/dt = a*(b*v - u) : volt/second {u}
        """,
        params={"a": "0.02 / ms", "b": "0.2 / ms", "c": "-65 mV", "d": "8 mV/ms",
                "v_peak": "30 mV", "C": "1 pF", "I_ext": "0 pA"},
        states=[("v", "V", "-65 mV"), ("u", "V/s", "-13 mV/ms")],
        threshold="v >= v_peak", reset="v = c\nu += d", refractory=None, clamp=[],
        threshold_var="v", threshold_value="v_peak"),
    "AdEx": dict(
        std="adex.nn",
        eqs="""
            dv/dt = (g_L*(E_L - v) + g_L*Delta_T*exp((v - V_T)/Delta_T) - w + I_ext)/C : volt {v}
            dw/dt = (a*(v - E_L) - w)/tau_w : amp {w}
        """,
        params={"C": "281 pF", "g_L": "30 nS", "E_L": "-70.6 mV", "V_T": "-50.4 mV",
                "Delta_T": "2 mV", "V_cut": "-40.4 mV", "V_r": "-70.6 mV",
                "tau_w": "144 ms", "a": "4 nS", "b": "0.0805 nA", "I_ext": "0 pA"},
        states=[("v", "V", "-70.6 mV"), ("w", "A", "0 pA")],
        threshold="v > V_cut", reset="v = V_r\nw += b", refractory=None, clamp=[],
        threshold_var="v", threshold_value="V_cut"),
    "QIF": dict(
        std="qif.nn",
        eqs="""
            dv/dt = ((v - E_L)*(v - v_c)/(v_c - E_L) + R_m*I_ext)/tau_m : volt {v}
        """,
        params={"tau_m": "10 ms", "E_L": "-65 mV", "v_c": "-50 mV", "R_m": "100 Mohm",
                "v_peak": "0 mV", "v_reset": "-70 mV", "I_ext": "0 pA"},
        states=[("v", "V", "-65 mV")],
        threshold="v > v_peak", reset="v = v_reset", refractory=None, clamp=[],
        threshold_var="v", threshold_value="v_peak"),
    "TwoPoint": dict(
        std="two_point.nn",
        eqs="""
            dv/dt = (E_L - v)/tau_m + (I_ff + I_ext)*amplification/C_m : volt {v}
            du/dt = (R_a*(I_c + I_ctx) - u)/tau_a : volt {u}
            dI_ff/dt = -I_ff/tau_syn : amp {I_ff}
            dI_c/dt = -I_c/tau_syn : amp {I_c}
            amplification = 1 + gain/(1 + exp(-(u - u_half)/u_slope)) : 1
        """,
        params={"C_m": "250 pF", "tau_m": "10 ms", "E_L": "-70 mV", "v_th": "-55 mV",
                "v_reset": "-70 mV", "tau_a": "20 ms", "R_a": "50 Mohm", "gain": "2",
                "u_half": "10 mV", "u_slope": "2 mV", "tau_syn": "5 ms",
                "I_ext": "0 pA", "I_ctx": "0 pA"},
        states=[("v", "V", "-70 mV"), ("u", "V", "0 mV"), ("I_ff", "A", "0 pA"),
                ("I_c", "A", "0 pA")],
        threshold="v > v_th", reset="v = v_reset", refractory="2 ms", clamp=["v"],
        threshold_var="v", threshold_value="v_th"),
    "ELM": dict(
        std="elm.nn",
        eqs="""
            dv/dt = (E_L - v)/tau_m + I_out*(r_1*m_1 + r_2*m_2 + r_3*m_3)/C_m : volt {v}
            dI_syn/dt = -I_syn/tau_syn : amp {I_syn}
            dm_1/dt = (W_11*h_1 + W_12*h_2 - m_1)/tau_1 : 1 {m_1}
            dm_2/dt = (W_21*h_1 + W_22*h_2 - m_2)/tau_2 : 1 {m_2}
            dm_3/dt = (W_31*h_1 + W_32*h_2 - m_3)/tau_3 : 1 {m_3}
            x = (I_syn + I_ext)/I_0 : 1
            h_1 = tanh(a_1*x + b_11*m_1 + b_12*m_2 + b_13*m_3 + c_1) : 1
            h_2 = tanh(a_2*x + b_21*m_1 + b_22*m_2 + b_23*m_3 + c_2) : 1
        """,
        params={"C_m": "250 pF", "tau_m": "10 ms", "E_L": "-70 mV", "v_th": "-55 mV",
                "v_reset": "-70 mV", "tau_syn": "5 ms", "I_0": "100 pA", "I_out": "500 pA",
                "tau_1": "5 ms", "tau_2": "50 ms", "tau_3": "500 ms",
                "a_1": "2", "b_11": "0", "b_12": "-1", "b_13": "-4", "c_1": "-1",
                "a_2": "1", "b_21": "1", "b_22": "0", "b_23": "-1", "c_2": "-1",
                "W_11": "1", "W_12": "0", "W_21": "0.5", "W_22": "0.5", "W_31": "0.5",
                "W_32": "0.5", "r_1": "1.5", "r_2": "0.5", "r_3": "-1", "I_ext": "0 pA"},
        states=[("v", "V", "-70 mV"), ("I_syn", "A", "0 pA"), ("m_1", "1", "0"),
                ("m_2", "1", "0"), ("m_3", "1", "0")],
        threshold="v > v_th", reset="v = v_reset", refractory="2 ms", clamp=["v"],
        threshold_var="v", threshold_value="v_th"),
    "HH": dict(
        std="hh.nn",
        eqs="""
            dv/dt = (g_L*(E_L - v) + g_Na*m**3*h*(E_Na - v) + g_K*n**4*(E_K - v) + I_ext)/C : volt {v}
            dm/dt = 0.1/(mV*ms)*(v + 40*mV)/(1 - exp(-(v + 40*mV)/(10*mV)))*(1 - m) - 4/ms*exp(-(v + 65*mV)/(18*mV))*m : 1 {m}
            dh/dt = 0.07/ms*exp(-(v + 65*mV)/(20*mV))*(1 - h) - 1/ms/(1 + exp(-(v + 35*mV)/(10*mV)))*h : 1 {h}
            dn/dt = 0.01/(mV*ms)*(v + 55*mV)/(1 - exp(-(v + 55*mV)/(10*mV)))*(1 - n) - 0.125/ms*exp(-(v + 65*mV)/(80*mV))*n : 1 {n}
        """,
        params={"C": "200 pF", "g_Na": "24 uS", "g_K": "7.2 uS", "g_L": "60 nS",
                "E_Na": "50 mV", "E_K": "-77 mV", "E_L": "-54.387 mV", "I_ext": "0 pA"},
        states=[("v", "V", "-65 mV"), ("m", "1", "0.052932485257249580"),
                ("h", "1", "0.59612075350846030"), ("n", "1", "0.31767691406069740")],
        threshold=None, reset=None, refractory=None, clamp=[],
        threshold_var=None, threshold_value=None),
}

# ---------------------------------------------------------------------------
# References. rtol: the tolerance of the lit test (the bounds: exact
# 1e-9 relative, same-method RK4/Euler/exponential Euler 1e-6 relative).
# `overrides`: per-population parameter values (written into the population
# block); `init`: initial values changed from the std model (edited into the
# copied declaration); `refractory`/`clamp`: a refractory period added to the
# copied declaration.
# ---------------------------------------------------------------------------

REFERENCES = [
    dict(name="lif_cuba_exp_exact", model="LIF_cuba_exp", method="exact",
         overrides={"tau_syn_i": "5 ms"}, init={"I_e": "500 pA", "I_i": "-200 pA"},
         I0="300 pA", dI="150 pA", T1="100 ms", I_step="500 pA", T2="100 ms", rtol=1e-9,
         note="I_e, I_i start at 500 pA and -200 pA: the synaptic kernels decay "
              "(tau_syn_i overridden to 5 ms so the two channels differ) and move v; "
              "neuron 0 is below rheobase (375 pA) until the step."),
    dict(name="lif_coba_exp_rk4", model="LIF_coba_exp", method="rk4",
         init={"ge": "4 nS", "gi": "2 nS"},
         I0="50 pA", dI="70 pA", T1="100 ms", I_step="150 pA", T2="100 ms", rtol=1e-6,
         note="ge, gi start at 4 nS and 2 nS and decay; rheobase 100 pA."),
    dict(name="lif_coba_exp_exponential_euler", model="LIF_coba_exp",
         method="exponential_euler", init={"ge": "4 nS", "gi": "2 nS"},
         I0="50 pA", dI="70 pA", T1="100 ms", I_step="150 pA", T2="100 ms", rtol=1e-6,
         note="The method of Brian2's examples/COBA.py; same protocol as lif_coba_exp_rk4."),
    dict(name="lif_cuba_alpha_exact", model="LIF_cuba_alpha", method="exact",
         init={"h": "1 nA"},
         I0="300 pA", dI="150 pA", T1="100 ms", I_step="500 pA", T2="100 ms", rtol=1e-9,
         note="h starts at 1 nA: I_syn = 1 nA (t/tau_syn) exp(-t/tau_syn), the alpha "
              "kernel (a repeated eigenvalue, so the exact propagator has t exp(-t/tau) "
              "terms)."),
    dict(name="izhikevich_euler", model="Izhikevich", method="euler",
         I0="6 pA", dI="6 pA", T1="100 ms", I_step="10 pA", T2="100 ms", rtol=1e-6,
         note="Regular spiking; 1 pA is the paper's I = 1."),
    dict(name="adex_rk4", model="AdEx", method="rk4",
         I0="0.5 nA", dI="0.5 nA", T1="100 ms", I_step="0.8 nA", T2="100 ms", rtol=1e-6,
         note="Brette & Gerstner 2005 parameters; adapting spike trains."),
    dict(name="adex_refractory_rk4", model="AdEx", method="rk4",
         refractory="2 ms", clamp=["v"],
         I0="0.5 nA", dI="0.5 nA", T1="100 ms", I_step="0.8 nA", T2="100 ms", rtol=1e-6,
         note="AdEx with `refractory 2 ms clamp v;` added: during the refractory "
              "period v is held and w keeps integrating. As in Brian2 "
              "(`(unless refractory)` multiplies dv/dt by 0), the held v is constant "
              "inside the RK4 stages too, so w's stages see the held v. Integrating "
              "v and w freely and restoring v afterwards instead changes w by "
              "~2e-5 relative after the first refractory period (1.6e-4 and, through "
              "w, 1e-3 in v over the run): far outside the tolerance."),
    dict(name="qif_rk4", model="QIF", method="rk4",
         I0="30 pA", dI="100 pA", T1="100 ms", I_step="100 pA", T2="100 ms", rtol=1e-6,
         note="Neuron 0 is below rheobase (37.5 pA) until the step."),
    dict(name="two_point_rk4", model="TwoPoint", method="rk4",
         init={"I_c": "600 pA"},
         I0="300 pA", dI="100 pA", T1="100 ms", I_step="450 pA", T2="100 ms", rtol=1e-6,
         note="No constant context: I_c starts at 600 pA and decays (a context burst), "
              "so u rises to ~11 mV and falls back, and the gain of the feed-forward "
              "current passes 1.6 and returns to ~1: neuron 2's first interval is "
              "13.9 ms, the later ones 15.3 ms; neuron 0 (a drive of 12 mV, below "
              "the 15 mV to threshold) stays silent until the step."),
    dict(name="two_point_context_exponential_euler", model="TwoPoint",
         method="exponential_euler", overrides={"I_ctx": "300 pA"},
         I0="300 pA", dI="100 pA", T1="100 ms", I_step="450 pA", T2="100 ms", rtol=1e-6,
         note="A constant context (I_ctx = 300 pA, u -> 15 mV, gain ~2.85) amplifies "
              "the same feed-forward currents as two_point_rk4; exponential Euler "
              "(every equation is linear in its own variable)."),
    dict(name="elm_rk4", model="ELM", method="rk4",
         I0="100 pA", dI="50 pA", T1="100 ms", I_step="250 pA", T2="100 ms", rtol=1e-6,
         note="Onset burst and adaptation through the slow memory m_3; the step "
              "to 250 pA gives a second onset."),
    dict(name="hh_exponential_euler", model="HH", method="exponential_euler",
         I0="0.5 nA", dI="1 nA", T1="100 ms", I_step="1.5 nA", T2="100 ms", rtol=1e-6,
         note="No spike condition in the model: only traces are compared."),
    dict(name="hh_rk4", model="HH", method="rk4", dt="0.025 ms",
         I0="0.5 nA", dI="1 nA", T1="100 ms", I_step="1.5 nA", T2="100 ms", rtol=1e-6,
         note="dt = 0.025 ms: with dt = 0.1 ms RK4 is unstable on this model (Brian2's "
              "run ends in NaN: during the upstroke g_Na m^3 h / C reaches ~40/ms, "
              "outside RK4's stability interval |lambda dt| < 2.8); 0.05 ms is "
              "stable but within 5e-5 V of the converged solution only."),
]

BRIAN2_METHOD = {"exact": "exact", "euler": "euler", "rk2": "rk2", "rk4": "rk4",
                 "exponential_euler": "exponential_euler"}

SI_UNIT_OF_DIM = {"V": "volt", "A": "amp", "S": "siemens", "V/s": "volt/second", "1": "1"}


# ---------------------------------------------------------------------------
# Quantities in nnc text ("-70 mV", "0.02 / ms", "8 mV/ms", "100 Mohm")
# ---------------------------------------------------------------------------

_PREFIX = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "c": 1e-2, "m": 1e-3, "u": 1e-6,
           "n": 1e-9, "p": 1e-12, "f": 1e-15}
_BASE = {"s": "s", "V": "V", "A": "A", "S": "S", "ohm": "ohm", "F": "F", "Hz": "Hz"}


def unit_factor(name):
    """SI factor of an nnc unit name such as 'mV', 'Mohm', 'pF'."""
    for base in sorted(_BASE, key=len, reverse=True):
        if name.endswith(base) and name[:-len(base)] in _PREFIX:
            return _PREFIX[name[:-len(base)]]
    raise ValueError(f"unknown unit {name!r}")


def si(text):
    """SI value (float) of a simple nnc quantity: NUMBER [UNIT] [/ UNIT | * UNIT]..."""
    tokens = re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[A-Za-z]+|[*/()]", text)
    value, op = None, "*"
    for tok in tokens:
        if tok in "*/":
            op = tok
            continue
        if tok in "()":
            raise ValueError(f"parentheses not supported in {text!r}")
        f = float(tok) if re.match(r"[-+.\d]", tok) else unit_factor(tok)
        value = f if value is None else (value * f if op == "*" else value / f)
        op = "*"
    if value is None:
        raise ValueError(f"empty quantity {text!r}")
    return value


def q(text, dim):
    """Brian2 Quantity of an nnc quantity text with the SI dimension `dim`."""
    import brian2
    unit = {"V": brian2.volt, "A": brian2.amp, "S": brian2.siemens, "s": brian2.second,
            "F": brian2.farad, "ohm": brian2.ohm, "1/s": 1 / brian2.second,
            "V/s": brian2.volt / brian2.second, "1": 1}[dim]
    return si(text) * unit


def param_dims(model):
    """SI dimension of each parameter, derived with Brian2's unit system."""
    dims = {}
    for name, text in MODELS[model]["params"].items():
        dims[name] = dim_of(text)
    return dims


def dim_of(text):
    """Dimension string of an nnc quantity text (only the combinations used here)."""
    exponents = {}
    sign = 1
    for tok in re.findall(r"[A-Za-z]+|/", text):
        if tok == "/":
            sign = -1
            continue
        for base in sorted(_BASE, key=len, reverse=True):
            if tok.endswith(base) and tok[:-len(base)] in _PREFIX:
                exponents[base] = exponents.get(base, 0) + sign
                break
        else:
            raise ValueError(f"unknown unit {tok!r} in {text!r}")
        sign = 1
    key = tuple(sorted((b, e) for b, e in exponents.items() if e))
    table = {(): "1", (("V", 1),): "V", (("A", 1),): "A", (("S", 1),): "S",
             (("s", 1),): "s", (("F", 1),): "F", (("ohm", 1),): "ohm",
             (("s", -1),): "1/s", (("V", 1), ("s", -1)): "V/s"}
    if key not in table:
        raise ValueError(f"no dimension for {text!r}")
    return table[key]


# ---------------------------------------------------------------------------
# std/ files: extract a neuron declaration, check its parameters
# ---------------------------------------------------------------------------

def read_neuron(model):
    """Text of `neuron <model> { ... }` in its std file (comments kept)."""
    path = os.path.join(STD_DIR, MODELS[model]["std"])
    with open(path) as f:
        text = f.read()
    m = re.search(r"^neuron\s+" + re.escape(model) + r"\s*\{", text, re.M)
    if not m:
        raise SystemExit(f"{path}: no `neuron {model}`")
    depth = 0
    for pos in range(m.end() - 1, len(text)):
        if text[pos] == "{":
            depth += 1
        elif text[pos] == "}":
            depth -= 1
            if depth == 0:
                return text[m.start():pos + 1]
    raise SystemExit(f"{path}: unbalanced braces in `neuron {model}`")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def check_std_consistency(model):
    """The std file's parameters and initial values must be MODELS' ones."""
    decl = strip_comments(read_neuron(model))
    spec = MODELS[model]
    found = dict(re.findall(r"\bparameter\s+(\w+)\s*(?::\s*[^=;]+)?=\s*([^;]+);", decl))
    states = dict(re.findall(r"\bstate\s+(\w+)\s*(?::\s*[^=;]+)?=\s*([^;]+);", decl))
    problems = []
    if set(found) != set(spec["params"]):
        problems.append(f"parameters {sorted(found)} != {sorted(spec['params'])}")
    for name, text in spec["params"].items():
        if name in found and not math.isclose(si(found[name]), si(text), rel_tol=1e-15, abs_tol=0):
            problems.append(f"parameter {name}: std {found[name]!r}, generator {text!r}")
    if [s for s, _, _ in spec["states"]] != list(states):
        problems.append(f"states {list(states)} != {[s for s, _, _ in spec['states']]}")
    for name, _, text in spec["states"]:
        if name in states and not math.isclose(si(states[name]), si(text), rel_tol=1e-15):
            problems.append(f"state {name}: std {states[name]!r}, generator {text!r}")
    ref = re.search(r"\brefractory\s+([^;]+);", decl)
    if (ref.group(1).strip() if ref else None) != spec["refractory"]:
        problems.append(f"refractory: std {ref and ref.group(1)!r}, generator {spec['refractory']!r}")
    if problems:
        raise SystemExit(f"std/{spec['std']} ({model}) disagrees with the generator:\n  "
                         + "\n  ".join(problems))


# ---------------------------------------------------------------------------
# Brian2
# ---------------------------------------------------------------------------

def brian2_equations(spec, clamp):
    flags = {s: (" (unless refractory)" if s in clamp else "") for s, _, _ in spec["states"]}
    body = spec["eqs"].format(**flags)
    return body + "\nI_ext : amp\n"


def run_brian2(ref):
    import numpy as np
    import brian2 as b2

    spec = MODELS[ref["model"]]
    b2.prefs.codegen.target = "numpy"
    b2.prefs.core.default_float_dtype = np.float64
    b2.start_scope()
    dt = si(ref.get("dt", "0.1 ms"))
    b2.defaultclock.dt = dt * b2.second
    refractory = ref.get("refractory", spec["refractory"])
    clamp = ref.get("clamp", spec["clamp"]) if refractory else []
    dims = param_dims(ref["model"])
    params = dict(spec["params"])
    params.update(ref.get("overrides", {}))
    namespace = {k: q(v, dims[k]) for k, v in params.items() if k != "I_ext"}
    kwargs = {}
    if spec["threshold"]:
        kwargs.update(threshold=spec["threshold"], reset=spec["reset"])
    if refractory:
        kwargs["refractory"] = q(refractory, "s")
    group = b2.NeuronGroup(N_NEURONS, brian2_equations(spec, clamp),
                           method=BRIAN2_METHOD[ref["method"]], namespace=namespace,
                           name="p", **kwargs)
    init = {s: ref.get("init", {}).get(s, text) for s, _, text in spec["states"]}
    for (s, dim, _) in spec["states"]:
        setattr(group, s, q(init[s], dim))
    I0, dI, I_step = (q(ref[k], "A") for k in ("I0", "dI", "I_step"))
    group.I_ext = I0 + np.arange(N_NEURONS) * dI
    names = [s for s, _, _ in spec["states"]]
    every = 1e-3
    mon = b2.StateMonitor(group, names, record=True, dt=every * b2.second, when="start")
    objects = [group, mon]
    spikes = None
    if spec["threshold"]:
        spikes = b2.SpikeMonitor(group)
        objects.append(spikes)
    # Every step, after the state update and before the threshold: the
    # distance of v to the threshold (how robust the spike steps are) and
    # the peak of v.
    fine = b2.StateMonitor(group, spec["threshold_var"] or "v", record=True,
                           when="thresholds", order=-1)
    objects.append(fine)
    net = b2.Network(*objects)
    T1, T2 = si(ref["T1"]), si(ref["T2"])
    net.run(T1 * b2.second)
    group.I_ext = I_step
    net.run(T2 * b2.second)

    steps_per_sample = int(round(every / dt))
    sample_steps = [int(round(float(t) / dt)) for t in mon.t[:]]
    expected = list(range(0, int(round((T1 + T2) / dt)), steps_per_sample))
    if sample_steps != expected:
        raise SystemExit(f"{ref['name']}: unexpected sample times {sample_steps[:5]}...")
    variables = {}
    for s, dim, _ in spec["states"]:
        values = np.asarray(getattr(mon, s + "_")) if dim != "1" else np.asarray(getattr(mon, s))
        variables[s] = {"unit": dim, "values": [[float(x) for x in row] for row in values]}
    spike_steps = None
    if spikes is not None:
        spike_steps = [[] for _ in range(N_NEURONS)]
        for i, t in zip(spikes.i[:], spikes.t_[:]):
            spike_steps[int(i)].append(int(round(float(t) / dt)))
        for lst in spike_steps:
            lst.sort()

    fine_v = np.asarray(getattr(fine, (spec["threshold_var"] or "v") + "_"))
    diag = {"v_max_V": [float(x) for x in fine_v.max(axis=1)],
            "v_min_V": [float(x) for x in fine_v.min(axis=1)]}
    if spec["threshold"]:
        thr = float(namespace[spec["threshold_value"]])
        diag["threshold_margin_V"] = float(np.abs(fine_v - thr).min())
    else:
        # Action potentials: upward crossings of 0 mV in the per-step trace.
        up = (fine_v[:, 1:] > 0) & (fine_v[:, :-1] <= 0)
        diag["upward_zero_crossings"] = [int(x) for x in up.sum(axis=1)]
    for s, _, _ in spec["states"]:
        if not all(math.isfinite(x) for row in variables[s]["values"] for x in row):
            raise SystemExit(f"{ref['name']}: non-finite values in {s}")

    protocol = {
        "neurons": N_NEURONS,
        "I_ext_initial": f"{ref['I0']} + i * {ref['dI']}",
        "I0_A": float(I0), "dI_A": float(dI),
        "program": [{"simulate_s": T1}, {"assign": {"I_ext": float(I_step)}}, {"simulate_s": T2}],
        "program_nnc": [f"simulate {ref['T1']};", f"{POPULATION}.I_ext = {ref['I_step']};",
                        f"simulate {ref['T2']};"],
    }
    return {
        "dt_s": dt,
        "steps": int(round((T1 + T2) / dt)),
        "sample_every_s": every,
        "sample_every_steps": steps_per_sample,
        "sample_steps": {"start": 0, "stride": steps_per_sample, "count": len(sample_steps)},
        "protocol": protocol,
        "parameters": {k: float(si(v)) for k, v in params.items() if k != "I_ext"},
        "initial_state": {s: float(si(init[s])) for s in init},
        "refractory_s": si(refractory) if refractory else None,
        "refractory_clamp": clamp,
        "variables": variables,
        "spikes": spike_steps,
        "diagnostics": diag,
        "brian2_equations": brian2_equations(spec, clamp).strip().replace("            ", ""),
        "brian2_state_update": str(group.state_updater.abstract_code).strip(),
    }


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def dump_reference(obj):
    """JSON with one line per neuron trace (compact, diffable)."""
    def enc(x):
        return json.dumps(x)
    lines = ["{"]
    items = list(obj.items())
    for k, (key, value) in enumerate(items):
        comma = "," if k + 1 < len(items) else ""
        if key == "variables":
            lines.append('  "variables": {')
            vitems = list(value.items())
            for j, (name, var) in enumerate(vitems):
                lines.append(f'    {enc(name)}: {{"unit": {enc(var["unit"])}, "values": [')
                rows = [("      " + enc(row)) for row in var["values"]]
                lines.append(",\n".join(rows))
                lines.append("    ]}" + ("," if j + 1 < len(vitems) else ""))
            lines.append("  }" + comma)
        else:
            text = json.dumps(value, indent=2)
            text = text.replace("\n", "\n  ")
            if key in ("spikes", "diagnostics", "protocol", "parameters", "initial_state",
                       "sample_steps", "simulator", "method", "spike_counts",
                       "refractory_clamp"):
                text = json.dumps(value)
            lines.append(f"  {enc(key)}: {text}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def nn_test(ref, result):
    spec = MODELS[ref["model"]]
    decl = read_neuron(ref["model"])
    changes = []
    for s, text in ref.get("init", {}).items():
        pattern = re.compile(r"(\bstate\s+" + re.escape(s) + r"\b[^=;]*=\s*)([^;]+)(;)")
        if not pattern.search(decl):
            raise SystemExit(f"{ref['name']}: no state {s} in {ref['model']}")
        m = pattern.search(decl)
        old = m.group(2).strip()
        line_end = decl.find("\n", m.end())
        rest = decl[m.end():line_end if line_end >= 0 else len(decl)]
        replacement = m.group(1) + text + m.group(3)
        comment = rest.lstrip()
        if comment.startswith("//"):
            # Keep the trailing comment in its column.
            pad = max(1, len(m.group(0)) + len(rest) - len(comment) - len(replacement))
            replacement += " " * pad + comment
            decl = decl[:m.start()] + replacement + decl[m.end() + len(rest):]
        else:
            decl = decl[:m.start()] + replacement + decl[m.end():]
        changes.append(f"initial {s} = {text} (std: {old})")
    closing = decl.rindex("}")
    extra = []
    if "refractory" in ref:
        if re.search(r"\brefractory\b", strip_comments(decl)):
            raise SystemExit(f"{ref['name']}: {ref['model']} already has a refractory period")
        clamp = ref.get("clamp")
        extra.append(f"  refractory {ref['refractory']}" + (f" clamp {', '.join(clamp)}" if clamp else "") + ";")
        changes.append(f"added `{extra[-1].strip()}`")
    if re.search(r"\bsolver\b", strip_comments(decl)):
        raise SystemExit(f"{ref['name']}: std model names a solver; update the generator")
    extra.append(f"  solver {ref['method']};")
    changes.append(f"added `solver {ref['method']};`")
    decl = decl[:closing].rstrip() + "\n\n" + "\n".join(extra) + "\n}"

    names = [s for s, _, _ in spec["states"]]
    overrides = [f"I_ext = {ref['I0']} + i * {ref['dI']};"]
    overrides += [f"{k} = {v};" for k, v in ref.get("overrides", {}).items()]
    dt = ref.get("dt", "0.1 ms")
    reference = f"test/reference/traces/{ref['name']}.json"
    tol = f"{ref['rtol']:g}".replace("e-0", "e-")
    why = ("exact integration: the same closed-form propagator up to rounding"
           if ref["method"] == "exact" else
           f"the same {ref['method']} steps as Brian2; the two differ only by the "
           "order of floating-point operations")
    spikes_line = ("  record spikes of p;\n" if spec["threshold"] else "")
    spike_rule = "; spike steps must be identical" if spec["threshold"] else ""
    header = f"""// {ref['model']} ({ref['method']}, dt = {dt}) against Brian2 2.5.1: every state of
// 3 neurons sampled every 1 ms{' and every spike step' if spec['threshold'] else ''}, with
// I_ext = {ref['I0']} + i * {ref['dI']}, then I_ext = {ref['I_step']} for all neurons after {ref['T1']}.
// Reference: {reference}
// Both this file and the reference are written by
// test/reference/generate_model_traces.py (see test/reference/README.md).
// {wrap_comment(ref['note'])}
// {wrap_comment(f"Tolerance: relative {tol} ({why}){spike_rule}.")}
// RUN: rm -rf %t && nnc run %s --out=%t > /dev/null
// RUN: %python %nnc_src/test/reference/compare_traces.py %nnc_src/{reference} %t --rtol {tol}

// {wrap_comment(f"model copied from std/{spec['std']}; changes: {'; '.join(changes)}")}
{decl}

network {ref['name']} {{
  dt = {dt};
  population p = {ref['model']}[{N_NEURONS}] {{ {' '.join(overrides)} }}
{spikes_line}  record {', '.join(names)} of p every 1 ms;
  run {{
    simulate {ref['T1']};
    p.I_ext = {ref['I_step']};
    simulate {ref['T2']};
  }}
}}
"""
    return header


def wrap_comment(text, width=76):
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    lines.append(line)
    return "\n// ".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="references to regenerate (default: all)")
    parser.add_argument("--list", action="store_true", help="list the references and exit")
    parser.add_argument("--no-nn", action="store_true", help="do not rewrite test/e2e/models/*.nn")
    parser.add_argument("--check-only", action="store_true", help="write nothing")
    args = parser.parse_args(argv)
    by_name = {r["name"]: r for r in REFERENCES}
    if args.list:
        for r in REFERENCES:
            print(f"{r['name']:32s} {r['model']:16s} {r['method']}")
        return 0
    unknown = [n for n in args.names if n not in by_name]
    if unknown:
        parser.error(f"unknown reference(s) {', '.join(unknown)}; see --list")
    selected = [by_name[n] for n in args.names] if args.names else REFERENCES

    import brian2
    import numpy
    import sympy
    if brian2.__version__ != "2.5.1":
        print(f"warning: Brian2 {brian2.__version__}, the references were made with 2.5.1",
              file=sys.stderr)
    for model in sorted({r["model"] for r in selected}):
        check_std_consistency(model)
    os.makedirs(TRACE_DIR, exist_ok=True)
    os.makedirs(NN_DIR, exist_ok=True)
    for ref in selected:
        result = run_brian2(ref)
        spec = MODELS[ref["model"]]
        out = {
            "format": FORMAT,
            "name": ref["name"],
            "model": ref["model"],
            "std_file": f"std/{spec['std']}",
            "nn_file": f"test/e2e/models/{ref['name']}.nn",
            "method": {"nnc": ref["method"], "brian2": BRIAN2_METHOD[ref["method"]]},
            "rtol": ref["rtol"],
            "note": ref["note"],
            "simulator": {"name": "brian2", "version": brian2.__version__,
                          "device": "runtime", "codegen_target": "numpy",
                          "numpy": numpy.__version__, "sympy": sympy.__version__},
            "command": shlex.join(["/usr/bin/python3",
                                   "test/reference/generate_model_traces.py"] + args.names),
            "date": datetime.date.today().isoformat(),
            "population": POPULATION,
            "size": N_NEURONS,
        }
        out.update(result)
        counts = [len(s) for s in result["spikes"]] if result["spikes"] is not None else None
        out["spike_counts"] = counts
        # Keep the bulky items last.
        for key in ("brian2_equations", "brian2_state_update", "variables"):
            out[key] = out.pop(key)
        text = dump_reference(out)
        json.loads(text)  # well-formed
        path = os.path.join(TRACE_DIR, ref["name"] + ".json")
        summary = (f"{ref['name']:32s} spikes {counts}  "
                   + " ".join(f"{k}={v if not isinstance(v, float) else f'{v:.4g}'}"
                              for k, v in result["diagnostics"].items())
                   + f"  {len(text) / 1024:.1f} KiB")
        print(summary)
        if args.check_only:
            continue
        with open(path, "w") as f:
            f.write(text)
        if not args.no_nn:
            with open(os.path.join(NN_DIR, ref["name"] + ".nn"), "w") as f:
                f.write(nn_test(ref, result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
