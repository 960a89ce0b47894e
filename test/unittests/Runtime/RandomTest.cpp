//===- RandomTest.cpp - Counter-based random numbers ----------------------===//

// Same configuration as the runtime (see runtime/lib/Random.cpp).
#define R123_USE_SSE 0
#define R123_THROW(x) __builtin_trap()
#include <Random123/philox.h>

#include "nnc/Runtime/Runtime.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdint>
#include <set>

namespace {

using Philox = r123::Philox4x32_R<10>;

Philox::ctr_type philox(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                        uint32_t k0, uint32_t k1) {
  Philox::ctr_type c = {{c0, c1, c2, c3}};
  Philox::key_type k = {{k0, k1}};
  return Philox()(c, k);
}

double unit53(uint32_t hi, uint32_t lo) {
  return static_cast<double>(((uint64_t(hi) << 32) | lo) >> 11) * 0x1.0p-53;
}

// Random123's kat_vectors for philox4x32 with 10 rounds.
TEST(Philox, KnownAnswers) {
  Philox::ctr_type r = philox(0, 0, 0, 0, 0, 0);
  EXPECT_EQ(r[0], 0x6627e8d5u);
  EXPECT_EQ(r[1], 0xe169c58du);
  EXPECT_EQ(r[2], 0xbc57ac4cu);
  EXPECT_EQ(r[3], 0x9b00dbd8u);

  r = philox(~0u, ~0u, ~0u, ~0u, ~0u, ~0u);
  EXPECT_EQ(r[0], 0x408f276du);
  EXPECT_EQ(r[1], 0x41c83b0eu);
  EXPECT_EQ(r[2], 0xa20bc7c6u);
  EXPECT_EQ(r[3], 0x6d5451fdu);

  r = philox(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822,
             0x299f31d0);
  EXPECT_EQ(r[0], 0xd16cfe09u);
  EXPECT_EQ(r[1], 0x94fdccebu);
  EXPECT_EQ(r[2], 0x5001e420u);
  EXPECT_EQ(r[3], 0x24126ea1u);
}

// The zero-key, zero-counter block is 6627e8d5 e169c58d ...: the uniform is
// the top 53 bits of the first two words.
TEST(Philox, UniformOfKnownAnswer) {
  double expected =
      static_cast<double>(0x6627e8d5e169c58dULL >> 11) * 0x1.0p-53;
  EXPECT_EQ(nnc_rt_uniform(0, 0), expected);
  EXPECT_NEAR(nnc_rt_uniform(0, 0), 0.3990464708489645, 1e-15);
}

// Key and counter are split into (low, high) words; counter words 2 and 3
// are zero.
TEST(Philox, KeyAndCounterWordOrder) {
  const uint64_t keys[] = {0, 1, 0x299f31d0a4093822ULL, ~0ULL};
  const uint64_t counters[] = {0, 1, 1ULL << 32, 0x85a308d3243f6a88ULL, ~0ULL};
  for (uint64_t key : keys) {
    for (uint64_t counter : counters) {
      Philox::ctr_type r = philox(uint32_t(counter), uint32_t(counter >> 32), 0,
                                  0, uint32_t(key), uint32_t(key >> 32));
      EXPECT_EQ(nnc_rt_uniform(key, counter), unit53(r[0], r[1]))
          << "key " << key << " counter " << counter;
      // Box-Muller: radius from words 0-1, angle from words 2-3.
      double u1 = 1.0 - unit53(r[0], r[1]);
      double u2 = unit53(r[2], r[3]);
      double z = std::sqrt(-2.0 * std::log(u1)) *
                 std::cos(6.283185307179586476925286766559 * u2);
      EXPECT_DOUBLE_EQ(nnc_rt_normal(key, counter), z);
    }
  }
}

TEST(Philox, UniformMomentsAndRange) {
  const int n = 1000000;
  const uint64_t key = 0x1234567890abcdefULL;
  double sum = 0, sumSq = 0;
  int oddLowBit = 0;
  double lo = 1, hi = 0;
  for (int i = 0; i < n; ++i) {
    double u = nnc_rt_uniform(key, static_cast<uint64_t>(i));
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    sum += u;
    sumSq += u * u;
    // Every value is a multiple of 2^-53 and the lowest of those 53 bits is
    // random too (a 32-bit or float-based conversion would leave it 0).
    double scaled = u * 0x1.0p53;
    ASSERT_EQ(scaled, std::floor(scaled));
    oddLowBit += static_cast<uint64_t>(scaled) & 1;
  }
  double mean = sum / n;
  double var = sumSq / n - mean * mean;
  // Standard errors: sqrt(1/12/n) for the mean, sqrt(1/180/n) for the
  // variance of U(0,1).
  EXPECT_NEAR(mean, 0.5, 4 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(var, 1.0 / 12, 4 * std::sqrt(1.0 / 180 / n));
  EXPECT_NEAR(oddLowBit / double(n), 0.5, 4 * 0.5 / std::sqrt(double(n)));
  EXPECT_LT(lo, 1e-4);
  EXPECT_GT(hi, 1 - 1e-4);
}

TEST(Philox, UniformIsAPureFunctionOfKeyAndCounter) {
  double forward[100], backward[100];
  for (int i = 0; i < 100; ++i)
    forward[i] = nnc_rt_uniform(42, i);
  for (int i = 99; i >= 0; --i)
    backward[i] = nnc_rt_uniform(42, i);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(forward[i], backward[i]);

  // Neighbouring keys and counters give unrelated values.
  std::set<double> seen;
  for (uint64_t key = 0; key < 32; ++key)
    for (uint64_t counter = 0; counter < 32; ++counter)
      seen.insert(nnc_rt_uniform(key, counter));
  EXPECT_EQ(seen.size(), 32u * 32u);
}

TEST(Philox, NormalMoments) {
  const int n = 1000000;
  double sum = 0, sumSq = 0;
  int withinOneSigma = 0;
  for (int i = 0; i < n; ++i) {
    double z = nnc_rt_normal(7, static_cast<uint64_t>(i));
    ASSERT_TRUE(std::isfinite(z));
    sum += z;
    sumSq += z * z;
    withinOneSigma += std::fabs(z) < 1.0;
  }
  double mean = sum / n;
  double sd = std::sqrt(sumSq / n - mean * mean);
  EXPECT_NEAR(mean, 0.0, 4 / std::sqrt(double(n)));
  // The sample standard deviation's standard error is 1/sqrt(2n).
  EXPECT_NEAR(sd, 1.0, 4 / std::sqrt(2.0 * n));
  double p = 0.682689492137;
  EXPECT_NEAR(withinOneSigma / double(n), p, 4 * std::sqrt(p * (1 - p) / n));
}

} // namespace
