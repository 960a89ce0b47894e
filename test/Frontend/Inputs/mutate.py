#!/usr/bin/env python3
"""Crash-resistance check for `nnc check`.

Makes a few hundred deterministic mutations of a seed file (byte deletions,
insertions of punctuation and keywords, truncations, duplicated and deleted
lines, swapped tokens, huge numbers, deep nesting, invalid bytes) and runs
`nnc check` on each. Every run must exit with 0 (accepted) or 1 (rejected
with a diagnostic) within the timeout; anything else (a signal, an abort, an
unexpected exit code, a hang, or an exit 1 without a diagnostic) is reported
and fails the script. Failing inputs are kept in the work directory.

usage: mutate.py NNC SEED_FILE WORK_DIR [--count=N] [--timeout=S] [--jobs=J]
                 [--seed=N]
"""

import concurrent.futures
import os
import random
import re
import subprocess
import sys

PUNCTUATION = [";", "{", "}", "(", ")", "[", "]", ",", "'", "=", "+=", "-=",
               "*=", "/=", "->", "+", "-", "*", "/", "^", "<", "<=", ">",
               ">=", "==", "!=", ":", ".", "\"", "//", "/*", "*/", "@", "#",
               "$", "\\", "`", "~", "?", "!", "&", "|", "%"]
KEYWORDS = ["import", "const", "neuron", "network", "parameter", "state",
            "spike", "when", "refractory", "clamp", "solver", "dt",
            "population", "connect", "all_to_all", "one_to_one",
            "probability", "delay", "on", "pre", "record", "spikes", "of",
            "run", "simulate", "and", "or", "not", "t", "exp", "sqrt",
            "uniform", "normal", "LIF", "CUBA", "exc", "inh", "v", "ge",
            "mV", "ms", "s", "Hz", "nS", "exact", "rk4", "euler"]
NUMBERS = ["0", "-0", "1e308", "1e309", "-1e400", "1e-400", "4294967296",
           "99999999999999999999999999", "0.0000000000001", "2147483648",
           "2147483647", "1e9", "3.", ".5", "1e", "0x10", "00", "1.2.3"]
TOKEN_RE = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|[0-9.]+(?:[eE][+-]?[0-9]+)?|"
                      r"->|[+\-*/<>=!]=|\S")


def tokens(text):
    return [(m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


def mutate(text, rng, index):
    """Returns (description, mutated bytes) for mutation number `index`."""
    data = text.encode()
    lines = text.split("\n")
    toks = tokens(text)
    kind = index % 16
    pos = rng.randrange(len(data) + 1)
    if kind == 0:
        n = rng.randint(1, 8)
        return f"delete {n} bytes at {pos}", data[:pos] + data[pos + n:]
    if kind == 1:
        p = rng.choice(PUNCTUATION)
        return f"insert {p!r} at {pos}", data[:pos] + p.encode() + data[pos:]
    if kind == 2:
        k = rng.choice(KEYWORDS)
        s, _ = rng.choice(toks)
        return (f"insert keyword {k!r} at {s}",
                data[:s] + (k + " ").encode() + data[s:])
    if kind == 3:
        return f"truncate at {pos}", data[:pos]
    if kind == 4:
        i = rng.randrange(len(lines))
        out = lines[:i + 1] + [lines[i]] + lines[i + 1:]
        return f"duplicate line {i + 1}", "\n".join(out).encode()
    if kind == 5:
        i = rng.randrange(len(lines))
        return f"delete line {i + 1}", "\n".join(lines[:i] +
                                                 lines[i + 1:]).encode()
    if kind == 6:
        a, b = sorted(rng.sample(range(len(toks)), 2))
        (s1, e1), (s2, e2) = toks[a], toks[b]
        out = (text[:s1] + text[s2:e2] + text[e1:s2] + text[s1:e1] +
               text[e2:])
        return f"swap tokens {a} and {b}", out.encode()
    if kind == 7:
        numbers = [t for t in toks if text[t[0]].isdigit()]
        s, e = rng.choice(numbers)
        n = rng.choice(NUMBERS)
        return (f"replace number at {s} with {n}",
                (text[:s] + n + text[e:]).encode())
    if kind == 8:
        # Deep nesting around an expression: below, at and above the limit.
        depth = rng.choice([10, 100, 255, 256, 257, 1000, 5000])
        opening, closing = rng.choice([("(", ")"), ("exp(", ")"),
                                       ("{", "}"), ("[", "]")])
        s = text.index("20 ms")
        return (f"nest {opening!r} {depth} deep",
                (text[:s] + opening * depth + text[s:s + 5] +
                 closing * depth + text[s + 5:]).encode())
    if kind == 9:
        # Long operator chains: deep trees without brackets.
        depth = rng.choice([100, 999, 1000, 1001, 5000, 50000])
        chain = rng.choice(["-" * depth + "1 ms",
                            "1 ms + " * depth + "1 ms",
                            "2 ^ " * depth + "1 ms",
                            "not " * depth + "(1 < 2)",
                            "1 < " * depth + "1"])
        s = text.index("20 ms")
        return (f"operator chain {chain[:8]!r} x{depth}",
                (text[:s] + chain + text[s + 5:]).encode())
    if kind == 10:
        b = bytes([rng.choice([0x00, 0x80, 0xC3, 0xFF, 0xFE, 0xE2, 0x07,
                               0x1B, 0x0D, 0x09])])
        return f"insert byte {b!r} at {pos}", data[:pos] + b + data[pos:]
    if kind == 11:
        s, e = rng.choice(toks)
        return f"delete token at {s}", data[:s] + data[e:]
    if kind == 12:
        # Replace an identifier with a random other keyword or name.
        names = [t for t in toks if text[t[0]].isalpha() or text[t[0]] == "_"]
        s, e = rng.choice(names)
        k = rng.choice(KEYWORDS + ["x" * 300, "_", "tau_m2", "v_th_"])
        return (f"replace name at {s} with {k[:20]!r}",
                (text[:s] + k + text[e:]).encode())
    if kind == 13:
        # Duplicate a whole block of lines (redefinitions).
        i = rng.randrange(len(lines))
        j = min(len(lines), i + rng.randint(2, 25))
        out = lines[:j] + lines[i:j] + lines[j:]
        return f"duplicate lines {i + 1}-{j}", "\n".join(out).encode()
    if kind == 14:
        # Several random byte flips.
        out = bytearray(data)
        for _ in range(rng.randint(1, 6)):
            out[rng.randrange(len(out))] = rng.randrange(32, 127)
        return "flip bytes", bytes(out)
    # Repeat the file many times (large input, many redefinitions).
    n = rng.choice([2, 3, 50])
    return f"repeat file x{n}", data * n


def run_one(nnc, path, timeout):
    """Returns (exit code, problem or None)."""
    try:
        proc = subprocess.run([nnc, "check", path], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timed out after %g s" % timeout
    code = proc.returncode
    if code not in (0, 1):
        return code, "exit code %d (a crash or an abort)" % code
    err = proc.stderr.decode("utf-8", "replace")
    if code == 1 and ": error: " not in err:
        return code, "exit code 1 without a diagnostic"
    if code == 0 and err:
        return code, "exit code 0 with output on stderr"
    if "internal parser error" in err or "Stack dump" in err:
        return code, "internal error: " + err.strip().splitlines()[0]
    return code, None


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    opts = dict(a[2:].split("=", 1) for a in sys.argv[1:]
                if a.startswith("--"))
    if len(args) != 3:
        sys.exit(__doc__)
    nnc, seed_file, work = args
    count = int(opts.get("count", 320))
    timeout = float(opts.get("timeout", 10))
    jobs = int(opts.get("jobs", 2))
    os.makedirs(work, exist_ok=True)
    with open(seed_file, encoding="utf-8") as f:
        text = f.read()

    rng = random.Random(int(opts.get("seed", 20240607)))
    cases = []
    for i in range(count):
        what, data = mutate(text, rng, i)
        path = os.path.join(work, "m%03d.nn" % i)
        with open(path, "wb") as f:
            f.write(data)
        cases.append((i, what, path))

    failures = []
    exit_codes = {0: 0, 1: 0}
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        results = pool.map(lambda c: (c, run_one(nnc, c[2], timeout)), cases)
        for (i, what, path), (code, problem) in results:
            if problem:
                failures.append("FAIL %s (%s): %s" % (path, what, problem))
            else:
                exit_codes[code] += 1
    for line in failures:
        print(line)
    print("mutations: %d, accepted: %d, rejected: %d, failures: %d" %
          (len(cases), exit_codes[0], exit_codes[1], len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
