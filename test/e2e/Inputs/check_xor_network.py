"""Checks examples/xor_network.nn: in every 10 ms window w the inputs show
the bits of w, each XOR gate of layer L fires exactly once, 2 L steps after
the window's first step, if its two inputs differ, and never otherwise;
`parity` is the parity of w. Exits 1 on a failure.
"""
import sys
from collections import defaultdict

from nnc_output import read_spikes

DT_MS = 0.1
WINDOW_STEPS = 100
WINDOWS = 256


def main():
    spikes = read_spikes(sys.argv[1], DT_MS)
    fired = defaultdict(set)  # (population, neuron) -> steps
    for pop, events in spikes.items():
        for index, step in events:
            fired[(pop, index)].add(step)
    failures = []

    def expect(pop, index, window, bit, delay):
        step = window * WINDOW_STEPS + delay
        steps = {s for s in fired[(pop, index)]
                 if window * WINDOW_STEPS <= s < (window + 1) * WINDOW_STEPS}
        want = {step} if bit else set()
        if steps != want:
            failures.append(f"window {window}: {pop}[{index}] fired at steps "
                            f"{sorted(steps)}, expected {sorted(want)}")

    odd = 0
    for w in range(WINDOWS):
        bits = [(w >> k) & 1 for k in range(8)]
        for k in range(8):
            expect("bits", k, w, bits[k], 0)
        x1 = [bits[2 * g] ^ bits[2 * g + 1] for g in range(4)]
        x2 = [x1[2 * g] ^ x1[2 * g + 1] for g in range(2)]
        parity = x2[0] ^ x2[1]
        odd += parity
        for g in range(4):
            expect("xor1", g, w, x1[g], 2)
        for g in range(2):
            expect("xor2", g, w, x2[g], 4)
        expect("parity", 0, w, parity, 6)
    for f in failures[:10]:
        print(f)
    print(f"{WINDOWS} windows, 8 inputs and 7 gates each: "
          f"{len(failures)} mismatches; parity fired in {odd} windows")
    print("FAIL" if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
