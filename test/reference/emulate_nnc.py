#!/usr/bin/python3
"""Run a test/e2e/models/*.nn file with nnc's step semantics in numpy.

An executable statement of what `nnc run FILE --out=DIR` is expected to
compute for the trace-validation tests, independent of both nnc and Brian2:
it parses the .nn file itself (the subset these tests use: parameters,
states, ODEs, `spike when`, `refractory [clamp]`, `solver`, one network with
per-neuron parameter overrides, `record`, and a run block of `simulate` and
`pop.var = value`), integrates with the named method and writes spikes.csv
and traces.csv in nnc's format. compare_traces.py then checks the result
against the Brian2 reference, e.g.

    /usr/bin/python3 test/reference/emulate_nnc.py test/e2e/models/adex_rk4.nn /tmp/out
    /usr/bin/python3 test/reference/compare_traces.py \\
        test/reference/traces/adex_rk4.json /tmp/out --rtol 1e-6

Its agreement with Brian2 shows that the .nn files and the references
describe the same model and protocol, and that the tolerances are reachable
by an implementation whose floating-point operations differ from Brian2's.

Step k (t = k dt), per population (docs/semantics.md):
  1. sample the recorded states if k is a multiple of the recording period;
  2. integrate every ODE over [t, t + dt]; a refractory neuron
     (k < spike step + R, R = round(refractory / dt)) has the derivative of
     its clamped states set to zero, so they are constant inside the step,
     also in the intermediate stages other states see (Brian2's
     `(unless refractory)`);
  3. threshold on the new state (not for refractory neurons), record the
     spike at step k;
  4. run the reset; the neuron is refractory until step k + R.
Solvers (Brian2's definitions):
  euler: x + dt f(x, t);  rk2: x + dt f(x + dt/2 f(x, t), t + dt/2);
  rk4: classic, stages at t, t + dt/2, t + dt/2, t + dt;
  exponential_euler: per state, f = A x + B with A, B evaluated at the
  other states' values at the start of the step; x <- (x + B/A) e^(A dt) - B/A
  (x + dt B where A = 0);
  exact: x <- P x + c with [[P, c], [0, 1]] = expm([[A, b], [0, 0]] dt), A
  and b taken from the (linear) right-hand sides, per neuron.

Options:
  --clamp restore          integrate clamped states like the others and put
                           the old values back afterwards (shows what this
                           alternative does to states that depend on them)
  --unscaled-expm          exact: exponentiate the matrix in SI units without
                           balancing (shows the rounding error that the mixed
                           scales of V, A, S, s cause in the matrix exponential)
"""

import argparse
import os
import re
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from generate_model_traces import unit_factor  # noqa: E402  (no Brian2 import)


class NNError(Exception):
    pass


# ---------------------------------------------------------------------------
# Parsing (the subset of the grammar the model tests use)
# ---------------------------------------------------------------------------

TOKEN = re.compile(r"""\s*(?:
    (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
  | (?P<id>[A-Za-z_]\w*)
  | (?P<op><=|>=|==|!=|\+=|-=|\*=|/=|->|[-+*/^(),<>=;{}\[\]:.'])
  )""", re.X)

FUNCS = {"exp": "np.exp", "log": "np.log", "sqrt": "np.sqrt", "tanh": "np.tanh",
         "abs": "np.abs", "min": "np.minimum", "max": "np.maximum", "clip": "np.clip",
         "sin": "np.sin", "cos": "np.cos", "sigmoid": "_sigmoid"}


def tokenize(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    tokens, pos = [], 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return tokens
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise NNError(f"cannot tokenize at {text[pos:pos + 30]!r}")
        kind = m.lastgroup
        tokens.append((kind, m.group(kind)))
        pos = m.end()


def expand_aliases(tokens, aliases):
    """The tokens with each alias name replaced by its (expanded) tokens,
    in parentheses. Aliases may only use aliases declared before them here,
    which the test models do."""
    out = []
    for tok in tokens:
        if tok[0] == "id" and tok[1] in aliases:
            out += [("op", "(")] + aliases[tok[1]] + [("op", ")")]
        else:
            out.append(tok)
    return out


class Parser:
    def __init__(self, tokens):
        self.toks = tokens
        self.pos = 0

    def peek(self, k=0):
        return self.toks[self.pos + k] if self.pos + k < len(self.toks) else (None, None)

    def next(self):
        tok = self.peek()
        self.pos += 1
        return tok

    def expect(self, value):
        kind, text = self.next()
        if text != value:
            raise NNError(f"expected {value!r}, got {text!r}")

    def ident(self):
        kind, text = self.next()
        if kind != "id":
            raise NNError(f"expected a name, got {text!r}")
        return text

    def until(self, *stops):
        """Tokens of an expression up to (not including) a stop token at depth 0."""
        out, depth = [], 0
        while True:
            kind, text = self.peek()
            if text is None:
                raise NNError("unexpected end of file")
            if depth == 0 and text in stops and kind == "op":
                return out
            if kind == "id" and depth == 0 and text in stops:
                return out
            if text in ("(", "["):
                depth += 1
            elif text in (")", "]"):
                depth -= 1
            out.append(self.next())

    def file(self):
        models, networks = {}, []
        while self.peek()[1] is not None:
            word = self.ident()
            if word == "neuron":
                m = self.neuron()
                models[m["name"]] = m
            elif word == "network":
                networks.append(self.network())
            elif word == "const":
                raise NNError("const declarations are not supported by the emulator")
            else:
                raise NNError(f"unexpected {word!r}")
        return models, networks

    def neuron(self):
        m = {"name": self.ident(), "params": [], "states": [], "odes": {}, "spike": None,
             "refractory": None, "clamp": None, "solver": None, "aliases": {}}
        self.expect("{")
        while self.peek()[1] != "}":
            kind, word = self.peek()
            if word in ("parameter", "state") and self.peek(1)[0] == "id" and self.peek(2)[1] in (":", "="):
                self.next()
                name = self.ident()
                unit = None
                if self.peek()[1] == ":":
                    self.next()
                    unit = self.until("=")
                self.expect("=")
                value = self.until(";")
                self.expect(";")
                m["params" if word == "parameter" else "states"].append((name, unit, value))
            elif word == "alias":
                # `alias NAME [: UNIT] = EXPR;`: its uses become (EXPR).
                self.next()
                name = self.ident()
                if self.peek()[1] == ":":
                    self.next()
                    self.until("=")
                self.expect("=")
                m["aliases"][name] = expand_aliases(self.until(";"), m["aliases"])
                self.expect(";")
            elif kind == "id" and self.peek(1)[1] == "'":
                name = self.ident()
                self.expect("'")
                self.expect("=")
                m["odes"][name] = self.until(";")
                self.expect(";")
            elif word == "spike":
                self.next()
                self.expect("when")
                cond = self.until("{")
                m["spike"] = (cond, self.block())
            elif word == "refractory":
                self.next()
                m["refractory"] = self.until(";", "clamp")
                if self.peek()[1] == "clamp":
                    self.next()
                    m["clamp"] = self.idlist()
                self.expect(";")
            elif word == "solver":
                self.next()
                m["solver"] = self.ident()
                self.expect(";")
            else:
                raise NNError(f"neuron {m['name']}: unexpected {word!r}")
        self.expect("}")
        aliases = m["aliases"]
        m["odes"] = {s: expand_aliases(rhs, aliases) for s, rhs in m["odes"].items()}
        if m["spike"]:
            cond, reset = m["spike"]
            m["spike"] = (expand_aliases(cond, aliases), reset)
        return m

    def block(self):
        self.expect("{")
        stmts = []
        while self.peek()[1] != "}":
            target = self.ident()
            kind, op = self.next()
            if op not in ("=", "+=", "-=", "*=", "/="):
                raise NNError(f"bad statement operator {op!r}")
            stmts.append((target, op, self.until(";")))
            self.expect(";")
        self.expect("}")
        return stmts

    def idlist(self):
        names = [self.ident()]
        while self.peek()[1] == ",":
            self.next()
            names.append(self.ident())
        return names

    def network(self):
        n = {"name": self.ident(), "dt": None, "populations": [], "record_spikes": [],
             "record": [], "program": []}
        self.expect("{")
        while self.peek()[1] != "}":
            word = self.ident()
            if word == "dt":
                self.expect("=")
                n["dt"] = self.until(";")
                self.expect(";")
            elif word == "population":
                name = self.ident()
                self.expect("=")
                model = self.ident()
                self.expect("[")
                size = self.until("]")
                self.expect("]")
                overrides = []
                if self.peek()[1] == "{":
                    overrides = self.block()
                else:
                    self.expect(";")
                n["populations"].append((name, model, size, overrides))
            elif word == "record":
                if self.peek()[1] == "spikes" and self.peek(1)[1] == "of":
                    self.next()
                    self.next()
                    n["record_spikes"] += self.idlist()
                    self.expect(";")
                    continue
                names = self.idlist()
                self.expect("of")
                sels = [self.selection()]
                while self.peek()[1] == ",":
                    self.next()
                    sels.append(self.selection())
                every = None
                if self.peek()[1] == "every":
                    self.next()
                    every = self.until(";")
                self.expect(";")
                n["record"].append((names, sels, every))
            elif word == "run":
                self.expect("{")
                while self.peek()[1] != "}":
                    w = self.ident()
                    if w == "simulate":
                        n["program"].append(("simulate", self.until(";")))
                    else:
                        self.expect(".")
                        var = self.ident()
                        self.expect("=")
                        n["program"].append(("assign", w, var, self.until(";")))
                    self.expect(";")
                self.expect("}")
            else:
                raise NNError(f"network {n['name']}: {word!r} is not supported by the emulator")
        self.expect("}")
        return n

    def selection(self):
        pop = self.ident()
        first = last = None
        if self.peek()[1] == "[":
            self.next()
            first = self.until(":", "]")
            if self.peek()[1] == ":":
                self.next()
                last = self.until("]")
            self.expect("]")
        return pop, first, last


# ---------------------------------------------------------------------------
# Expressions: nnc tokens -> Python source over numpy arrays in SI units
# ---------------------------------------------------------------------------

def is_unit(name):
    try:
        unit_factor(name)
        return True
    except ValueError:
        return False


def translate(tokens, symbols):
    out, k = [], 0
    while k < len(tokens):
        kind, text = tokens[k]
        nxt = tokens[k + 1] if k + 1 < len(tokens) else (None, None)
        if kind == "num":
            if nxt[0] == "id" and nxt[1] not in ("and", "or", "not"):
                # NUMBER unit: the grammar makes any following name the unit.
                out.append(f"({text}*{unit_factor(nxt[1])!r})")
                k += 2
                continue
            out.append(text)
        elif kind == "id":
            if nxt[1] == "(":
                if text not in FUNCS:
                    raise NNError(f"function {text!r} is not supported by the emulator")
                out.append(FUNCS[text])
            elif text in symbols or text in ("i", "t"):
                out.append(f"E[{text!r}]")
            elif text in ("and", "or", "not"):
                out.append({"and": "&", "or": "|", "not": "~"}[text])
            elif is_unit(text):
                out.append(f"{unit_factor(text)!r}")
            else:
                raise NNError(f"unknown name {text!r}")
        else:
            out.append("**" if text == "^" else text)
        k += 1
    return " ".join(out)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def compile_expr(tokens, symbols):
    src = translate(tokens, symbols)
    return compile(src, "<nn>", "eval"), src


def evaluate(code, env):
    return eval(code, {"np": np, "_sigmoid": _sigmoid}, {"E": env})


def unit_symbol(tokens):
    """nnc's Dim::symbol() for a unit annotation or an initial value."""
    exps = {"m": 0, "kg": 0, "s": 0, "A": 0}
    sign = 1
    base_dims = {"s": {"s": 1}, "V": {"m": 2, "kg": 1, "s": -3, "A": -1}, "A": {"A": 1},
                 "S": {"m": -2, "kg": -1, "s": 3, "A": 2}, "F": {"m": -2, "kg": -1, "s": 4, "A": 2},
                 "ohm": {"m": 2, "kg": 1, "s": -3, "A": -2}, "Hz": {"s": -1}}
    for kind, text in tokens:
        if text == "/":
            sign = -1
            continue
        if kind == "id":
            for base in sorted(base_dims, key=len, reverse=True):
                if text.endswith(base) and is_unit(text):
                    for d, e in base_dims[base].items():
                        exps[d] += sign * e
                    break
        sign = 1
    named = {"V": {"m": 2, "kg": 1, "s": -3, "A": -1}, "A": {"A": 1},
             "S": {"m": -2, "kg": -1, "s": 3, "A": 2}, "s": {"s": 1}}
    key = {d: e for d, e in exps.items() if e}
    if not key:
        return "1"
    for sym, dims in named.items():
        if dims == key:
            return sym
    return " ".join(d + (f"^{e}" if e != 1 else "") for d, e in exps.items() if e)


# ---------------------------------------------------------------------------
# Simulation
# ---------------------------------------------------------------------------

class Population:
    def __init__(self, name, model, size, overrides, dt, args):
        self.name, self.model, self.n, self.dt, self.args = name, model, size, dt, args
        self.states = [s for s, _, _ in model["states"]]
        self.params = [p for p, _, _ in model["params"]]
        symbols = set(self.states) | set(self.params)
        self.units = {}
        env = {"i": np.arange(size, dtype=float), "t": 0.0}
        for p, _, value in model["params"]:
            env[p] = np.broadcast_to(np.asarray(evaluate(compile_expr(value, symbols)[0], env),
                                                dtype=float), (size,)).copy()
        for target, op, value in overrides:
            if target not in self.params or op != "=":
                raise NNError(f"population {name}: bad override {target} {op}")
            env[target] = np.broadcast_to(np.asarray(
                evaluate(compile_expr(value, symbols)[0], env), dtype=float), (size,)).copy()
        self.x = {}
        for s, unit, value in model["states"]:
            self.x[s] = np.broadcast_to(np.asarray(evaluate(compile_expr(value, symbols)[0], env),
                                                   dtype=float), (size,)).copy()
            self.units[s] = unit_symbol(unit if unit else value)
        self.p = {k: env[k] for k in self.params}
        self.symbols = symbols
        self.odes = [(s, compile_expr(model["odes"][s], symbols)[0]) for s in self.states
                     if s in model["odes"]]
        self.ode_states = [s for s, _ in self.odes]
        self.solver = model["solver"] or "rk4"
        if model["spike"]:
            cond, stmts = model["spike"]
            self.cond = compile_expr(cond, symbols)[0]
            self.reset = [(t, op, compile_expr(v, symbols)[0]) for t, op, v in stmts]
        else:
            self.cond = None
            self.reset = []
        self.R = 0
        self.clamp = []
        if model["refractory"]:
            period = evaluate(compile_expr(model["refractory"], symbols)[0], dict(self.p))
            self.R = int(round(float(period) / dt))
            self.clamp = model["clamp"] or [t for t, _, _ in self.reset]
        self.until = np.zeros(size, dtype=np.int64)
        self.expm_cache = {}

    # f(x): dict of derivatives for the ODE states; `held` (bool array) marks
    # refractory neurons, whose clamped states get derivative 0.
    def rhs(self, x, t, held):
        env = dict(self.p)
        env.update(x)
        env["t"] = t
        out = {}
        for s, code in self.odes:
            d = np.broadcast_to(np.asarray(evaluate(code, env), dtype=float), (self.n,)).copy()
            if held is not None and s in self.clamp:
                d[held] = 0.0
            out[s] = d
        return out

    def step(self, k):
        dt, t = self.dt, k * self.dt
        held = (k < self.until) if self.R else None
        derivative_held = held if self.args.clamp == "derivative" else None
        x0 = {s: self.x[s].copy() for s in self.states}
        S = self.ode_states
        if self.solver == "euler":
            f = self.rhs(x0, t, derivative_held)
            new = {s: x0[s] + dt * f[s] for s in S}
        elif self.solver == "rk2":
            f = self.rhs(x0, t, derivative_held)
            mid = dict(x0, **{s: x0[s] + dt / 2 * f[s] for s in S})
            f2 = self.rhs(mid, t + dt / 2, derivative_held)
            new = {s: x0[s] + dt * f2[s] for s in S}
        elif self.solver == "rk4":
            k1 = self.rhs(x0, t, derivative_held)
            k2 = self.rhs(dict(x0, **{s: x0[s] + dt / 2 * k1[s] for s in S}), t + dt / 2, derivative_held)
            k3 = self.rhs(dict(x0, **{s: x0[s] + dt / 2 * k2[s] for s in S}), t + dt / 2, derivative_held)
            k4 = self.rhs(dict(x0, **{s: x0[s] + dt * k3[s] for s in S}), t + dt, derivative_held)
            new = {s: x0[s] + dt / 6 * (k1[s] + 2 * k2[s] + 2 * k3[s] + k4[s]) for s in S}
        elif self.solver == "exponential_euler":
            new = {}
            for s in S:
                lo = dict(x0, **{s: np.zeros(self.n)})
                hi = dict(x0, **{s: np.ones(self.n)})
                B = self.rhs(lo, t, derivative_held)[s]
                A = self.rhs(hi, t, derivative_held)[s] - B
                with np.errstate(divide="ignore", invalid="ignore"):
                    BA = B / A
                    ee = (x0[s] + BA) * np.exp(A * dt) - BA
                new[s] = np.where(A == 0, x0[s] + dt * B, ee)
        elif self.solver == "exact":
            new = self.exact(x0, t, derivative_held)
        else:
            raise NNError(f"solver {self.solver} is not supported by the emulator")
        if held is not None and self.args.clamp == "restore":
            for s in self.clamp:
                new[s] = np.where(held, x0[s], new[s])
        self.x.update(new)
        spiked = np.zeros(self.n, dtype=bool)
        if self.cond is not None:
            env = dict(self.p)
            env.update(self.x)
            env["t"] = t
            spiked = np.broadcast_to(np.asarray(evaluate(self.cond, env), dtype=bool), (self.n,)).copy()
            if held is not None:
                spiked &= ~held
            if spiked.any():
                for target, op, code in self.reset:
                    env = dict(self.p)
                    env.update(self.x)
                    env["t"] = t
                    v = np.broadcast_to(np.asarray(evaluate(code, env), dtype=float), (self.n,))
                    cur = self.x[target]
                    res = {"=": v, "+=": cur + v, "-=": cur - v, "*=": cur * v, "/=": cur / v}[op]
                    self.x[target] = np.where(spiked, res, cur)
                if self.R:
                    self.until = np.where(spiked, k + self.R, self.until)
        return np.nonzero(spiked)[0]

    def exact(self, x0, t, held):
        from scipy.linalg import expm
        S = self.ode_states
        n = len(S)
        zero = {s: np.zeros(self.n) for s in S}
        b = self.rhs(dict(x0, **zero), t, held)
        cols = []
        for j, sj in enumerate(S):
            e = dict(x0, **zero)
            e[sj] = np.ones(self.n)
            fj = self.rhs(e, t, held)
            cols.append([fj[si] - b[si] for si in S])
        new = {s: np.empty(self.n) for s in S}
        # Balancing: x = D y with D the magnitude of each state's values, so
        # that the matrix exponential works on entries of comparable size.
        for idx in range(self.n):
            A = np.array([[cols[j][i][idx] for j in range(n)] for i in range(n)])
            bv = np.array([b[s][idx] for s in S])
            key = (A.tobytes(), bv.tobytes())
            if key not in self.expm_cache:
                if self.args.unscaled_expm:
                    D = np.ones(n)
                else:
                    D = np.array([self.scale(s) for s in S])
                M = np.zeros((n + 1, n + 1))
                M[:n, :n] = A * D[None, :] / D[:, None] * self.dt
                M[:n, n] = bv / D * self.dt
                E = expm(M)
                P = E[:n, :n] * D[:, None] / D[None, :]
                c = E[:n, n] * D
                self.expm_cache[key] = (P, c)
            P, c = self.expm_cache[key]
            xv = np.array([x0[s][idx] for s in S])
            xn = P @ xv + c
            for i, s in enumerate(S):
                new[s][idx] = xn[i]
        return new

    def scale(self, s):
        return {"V": 1e-2, "A": 1e-10, "S": 1e-9, "1": 1.0}.get(self.units[s], 1.0)


def run(path, out_dir, args):
    with open(path) as f:
        models, networks = Parser(tokenize(f.read())).file()
    if len(networks) != 1:
        raise NNError(f"expected one network, found {len(networks)}")
    net = networks[0]
    dt = float(evaluate(compile_expr(net["dt"], set())[0], {}))
    pops = {}
    for name, model, size, overrides in net["populations"]:
        if model not in models:
            raise NNError(f"unknown model {model}")
        n = int(evaluate(compile_expr(size, set())[0], {}))
        pops[name] = Population(name, models[model], n, overrides, dt, args)
    monitors = []
    for names, sels, every in net["record"]:
        every_steps = 1 if every is None else int(round(
            float(evaluate(compile_expr(every, set())[0], {})) / dt))
        for pop, first, last in sels:
            P = pops[pop]
            lo = 0 if first is None else int(evaluate(compile_expr(first, set())[0], {}))
            hi = (P.n if first is None else lo + 1) if last is None else int(
                evaluate(compile_expr(last, set())[0], {}))
            for v in names:
                if v not in P.states:
                    raise NNError(f"{pop} has no state {v}")
                monitors.append((pop, v, lo, hi, every_steps))
    os.makedirs(out_dir, exist_ok=True)
    spikes_f = open(os.path.join(out_dir, "spikes.csv"), "w")
    spikes_f.write("population,index,time_ms\n")
    traces_f = open(os.path.join(out_dir, "traces.csv"), "w") if monitors else None
    if traces_f:
        traces_f.write("population,index,variable,unit,time_ms,value\n")
    k = 0
    counts = {p: 0 for p in pops}
    for stmt in net["program"]:
        if stmt[0] == "assign":
            _, pop, var, value = stmt
            P = pops[pop]
            if var not in P.params:
                raise NNError(f"{pop}.{var} is not a parameter")
            env = {"i": np.arange(P.n, dtype=float)}
            P.p[var] = np.broadcast_to(np.asarray(
                evaluate(compile_expr(value, P.symbols)[0], env), dtype=float), (P.n,)).copy()
            P.expm_cache.clear()
            continue
        steps = int(round(float(evaluate(compile_expr(stmt[1], set())[0], {})) / dt))
        for _ in range(steps):
            time = f"{k * dt * 1000.0:.4f}"
            if traces_f:
                for pop, v, lo, hi, every_steps in monitors:
                    if k % every_steps == 0:
                        P = pops[pop]
                        for i in range(lo, hi):
                            traces_f.write(f"{pop},{i},{v},{P.units[v]},{time},{P.x[v][i]!r}\n")
            for name, P in pops.items():
                fired = P.step(k)
                counts[name] += len(fired)
                if name in net["record_spikes"]:
                    for i in fired:
                        spikes_f.write(f"{name},{i},{time}\n")
            k += 1
    spikes_f.close()
    if traces_f:
        traces_f.close()
    return k, counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("nn_file")
    parser.add_argument("out_dir")
    parser.add_argument("--clamp", choices=["derivative", "restore"], default="derivative")
    parser.add_argument("--unscaled-expm", action="store_true")
    args = parser.parse_args(argv)
    try:
        steps, counts = run(args.nn_file, args.out_dir, args)
    except (NNError, OSError) as e:
        print(f"emulate_nnc: error: {e}", file=sys.stderr)
        return 1
    print(f"{steps} steps; spikes: " + ", ".join(f"{p} {c}" for p, c in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
