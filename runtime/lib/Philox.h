//===- Philox.h - Inline Philox4x32-10 for the runtime ----------*- C++ -*-===//
//
// The one place that includes Random123, so that its configuration is the
// same everywhere. Inline because connectivity construction draws one number
// per synapse and the call overhead is a noticeable part of that.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_RUNTIME_LIB_PHILOX_H
#define NNC_RUNTIME_LIB_PHILOX_H

// Random123's headers contain `throw` in code the runtime never calls; the
// runtime is built with -fno-exceptions, so route it to a trap. Its SSE
// wrapper type (unused by Philox) also throws, so leave it out.
#define R123_USE_SSE 0
#define R123_THROW(x) __builtin_trap()
#include <Random123/philox.h>

#include <cstdint>

namespace nnc::rt::detail {

/// The four 32-bit words of Philox4x32-10 for (key, counter); key and
/// counter are split into (low, high) words, counter words 2 and 3 are 0.
inline r123::Philox4x32_R<10>::ctr_type philoxBlock(uint64_t key,
                                                    uint64_t counter) {
  r123::Philox4x32_R<10>::ctr_type c = {{static_cast<uint32_t>(counter),
                                         static_cast<uint32_t>(counter >> 32),
                                         0, 0}};
  r123::Philox4x32_R<10>::key_type k = {
      {static_cast<uint32_t>(key), static_cast<uint32_t>(key >> 32)}};
  return r123::Philox4x32_R<10>()(c, k);
}

/// The top 53 bits of (hi:lo) as a double in [0, 1): every value is a
/// multiple of 2^-53, the finest grid on which all of [0, 1) is exact.
inline double toUnit53(uint32_t hi, uint32_t lo) {
  uint64_t bits = (static_cast<uint64_t>(hi) << 32) | lo;
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

/// nnc_rt_uniform, inline.
inline double uniform(uint64_t key, uint64_t counter) {
  r123::Philox4x32_R<10>::ctr_type w = philoxBlock(key, counter);
  return toUnit53(w[0], w[1]);
}

} // namespace nnc::rt::detail

#endif // NNC_RUNTIME_LIB_PHILOX_H
