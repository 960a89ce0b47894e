//===- Random.cpp - Counter-based random numbers --------------------------===//
//
// All randomness in a simulation is a pure function of (key, counter) through
// Philox4x32-10 (Salmon et al., SC'11), so results do not depend on the order
// or the thread in which numbers are drawn. Keys for distinct purposes are
// derived from the user's seed with splitmix64.
//
//===----------------------------------------------------------------------===//

#include "Philox.h"
#include "SimulationImpl.h"

#include <cmath>

using namespace nnc::rt::detail;

uint64_t nnc::rt::detail::splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t nnc::rt::detail::deriveKey(uint64_t seed, uint64_t purpose,
                                    uint64_t id) {
  // Chaining the mixer (rather than xoring the inputs together) keeps e.g.
  // (seed 1, id 2) and (seed 2, id 1) apart.
  return splitmix64(splitmix64(splitmix64(seed) ^ purpose) ^ id);
}

extern "C" double nnc_rt_uniform(uint64_t key, uint64_t counter) {
  return uniform(key, counter);
}

extern "C" double nnc_rt_normal(uint64_t key, uint64_t counter) {
  r123::Philox4x32_R<10>::ctr_type w = philoxBlock(key, counter);
  // Box-Muller on the two halves of the block: u1 in (0, 1] so that log(u1)
  // is finite, u2 in [0, 1) for the angle.
  double u1 = 1.0 - toUnit53(w[0], w[1]);
  double u2 = toUnit53(w[2], w[3]);
  constexpr double twoPi = 6.283185307179586476925286766559;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(twoPi * u2);
}
