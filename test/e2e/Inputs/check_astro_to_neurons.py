"""Checker of test/e2e/astro-to-neurons.nn: I_astro of neuron j at sample
k is 2 pA/uM times the calcium of astrocyte j // 2 at sample k - 1 (0 for
neuron 4, which no astrocyte contacts)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nnc_output import read_all_samples  # noqa: E402

out = sys.argv[1]
series = read_all_samples(out, 0.1)
contacts = sum(1 for (pop, _, _) in series if pop == "T")
print(f"contacts: {contacts}")
K = 2e-12 / 1e-3  # 2 pA per uM, in A per (mol/m^3)
worst, samples = 0.0, 0
for j in range(4):
    current = series[("cells", "I_astro", j)]
    calcium = series[("astro", "C", j // 2)]
    for k in sorted(current):
        if k == 0 or k - 1 not in calcium or k >= 100:
            continue
        want = K * calcium[k - 1]
        worst = max(worst, abs(current[k] - want) / max(abs(want), 1e-15))
        samples += 1
ok = samples > 0 and worst < 1e-12
print(f"I_astro: {samples} samples, largest error {worst:.1e} " + ("[ok]" if ok else "[FAIL]"))
lonely = set(series[("cells", "I_astro", 4)].values())
print("neuron 4 (no astrocyte): I_astro " + ("0 [ok]" if lonely == {0.0} else f"{lonely} [FAIL]"))
sys.exit(0 if ok and lonely == {0.0} else 1)
