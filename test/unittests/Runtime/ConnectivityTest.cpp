//===- ConnectivityTest.cpp - Connection rules and their CSR form ---------===//
//
// The connectivity is observed the way compiled code sees it: every source
// neuron spikes at step 0 and the on_pre kernel copies the CSR arrays it is
// handed.
//
//===----------------------------------------------------------------------===//

#include "FakeArtifact.h"

#include "gtest/gtest.h"

#include <cmath>
#include <numeric>

using namespace nnc::rt;
using namespace nnc::rt::test;

namespace {

struct Csr {
  std::vector<int64_t> rowPtr;
  std::vector<int32_t> colIdx;
  int calls = 0;
};

struct Build {
  bool ok = false;
  std::string error;
  RunResult result;
  Csr csr;
};

Build connect(int64_t preSize, int64_t postSize, int32_t rule, double param,
              uint64_t seed = 1, void *connectRow = nullptr) {
  Build b;
  FakeArtifact artifact;
  if (connectRow)
    artifact.addSymbol("_mlir_ciface_syn_connect_row", connectRow);
  artifact.addModel("burst", noInit, allSpikeAt(0), {"pre", "post"});
  artifact.addOnPre("syn", [&](const OnPreCall &call) {
    // Every source spikes at step 0, in index order: the ranges are the
    // rows of the CSR.
    b.csr.rowPtr.assign(1, call.numRanges ? call.begin(0) : 0);
    for (int64_t r = 0; r < call.numRanges; ++r) {
      EXPECT_EQ(call.begin(r), b.csr.rowPtr.back());
      b.csr.rowPtr.push_back(call.end(r));
    }
    b.csr.colIdx.assign(call.colIdx->aligned,
                        call.colIdx->aligned + call.colIdx->sizes[0]);
    ++b.csr.calls;
  });
  artifact.describe = [&](nnc_sim *sim) {
    nnc_rt_set_network(sim, "conn", 1e-4);
    int32_t pre = nnc_rt_add_population(sim, "pre", "burst", preSize, 1);
    int32_t post = nnc_rt_add_population(sim, "post", "burst", postSize, 1);
    nnc_rt_add_projection(sim, "syn", pre, post, rule, param, 0, 0, -1, 0,
                          nullptr, nullptr, 0);
  };
  RunOptions options;
  options.outDir = "";
  options.seed = seed;
  options.durationSeconds = 1e-4;
  b.ok = runArtifact(artifact.resolver(), options, b.result, b.error);
  return b;
}

/// Structural invariants of any CSR the runtime builds.
void expectWellFormed(const Csr &csr, int64_t preSize, int64_t postSize) {
  ASSERT_EQ(csr.rowPtr.size(), static_cast<size_t>(preSize + 1));
  EXPECT_EQ(csr.rowPtr.front(), 0);
  EXPECT_EQ(csr.rowPtr.back(), static_cast<int64_t>(csr.colIdx.size()));
  for (int64_t i = 0; i < preSize; ++i) {
    ASSERT_LE(csr.rowPtr[i], csr.rowPtr[i + 1]);
    for (int64_t k = csr.rowPtr[i]; k < csr.rowPtr[i + 1]; ++k) {
      ASSERT_GE(csr.colIdx[k], 0);
      ASSERT_LT(csr.colIdx[k], postSize);
      if (k > csr.rowPtr[i]) {
        ASSERT_LT(csr.colIdx[k - 1], csr.colIdx[k]) << "row " << i;
      }
    }
  }
}

TEST(Connectivity, AllToAll) {
  Build b = connect(7, 5, NNC_CONNECT_ALL_TO_ALL, 0.0);
  ASSERT_TRUE(b.ok) << b.error;
  ASSERT_EQ(b.csr.calls, 1);
  expectWellFormed(b.csr, 7, 5);
  EXPECT_EQ(b.result.synapseCount, 35);
  EXPECT_EQ(b.csr.colIdx.size(), 35u);
  for (int64_t i = 0; i < 7; ++i) {
    EXPECT_EQ(b.csr.rowPtr[i], i * 5);
    for (int32_t j = 0; j < 5; ++j)
      EXPECT_EQ(b.csr.colIdx[i * 5 + j], j);
  }
}

TEST(Connectivity, OneToOne) {
  Build b = connect(9, 9, NNC_CONNECT_ONE_TO_ONE, 0.0);
  ASSERT_TRUE(b.ok) << b.error;
  expectWellFormed(b.csr, 9, 9);
  EXPECT_EQ(b.result.synapseCount, 9);
  for (int32_t i = 0; i < 9; ++i) {
    EXPECT_EQ(b.csr.rowPtr[i], i);
    EXPECT_EQ(b.csr.colIdx[i], i);
  }
}

TEST(Connectivity, OneToOneSizeMismatch) {
  Build b = connect(9, 8, NNC_CONNECT_ONE_TO_ONE, 0.0);
  EXPECT_FALSE(b.ok);
  EXPECT_EQ(b.error, "projection 'syn' connects one-to-one but 'pre' has 9 "
                     "neurons and 'post' has 8");
}

TEST(Connectivity, ProbabilityOutOfRange) {
  for (double p : {1.5, -0.1, std::nan("")}) {
    Build b = connect(10, 10, NNC_CONNECT_FIXED_PROBABILITY, p);
    EXPECT_FALSE(b.ok) << p;
    EXPECT_NE(b.error.find("projection 'syn' has connection probability"),
              std::string::npos)
        << b.error;
    EXPECT_NE(b.error.find("not in [0, 1]"), std::string::npos) << b.error;
  }
}

TEST(Connectivity, UnknownRule) {
  Build b = connect(10, 10, 7, 0.5);
  EXPECT_FALSE(b.ok);
  EXPECT_EQ(b.error, "projection 'syn' has unknown connection rule 7");
}

TEST(Connectivity, FixedProbabilityCounts) {
  const int64_t pre = 2000, post = 1000;
  const double p = 0.05;
  Build b = connect(pre, post, NNC_CONNECT_FIXED_PROBABILITY, p);
  ASSERT_TRUE(b.ok) << b.error;
  expectWellFormed(b.csr, pre, post);
  EXPECT_EQ(b.result.synapseCount, static_cast<int64_t>(b.csr.colIdx.size()));

  // Mean in-degree ~ p * pre, with standard error sqrt(pre p (1-p) / post).
  std::vector<int64_t> inDegree(post, 0);
  for (int32_t j : b.csr.colIdx)
    ++inDegree[j];
  double mean = double(b.csr.colIdx.size()) / post;
  EXPECT_NEAR(mean, p * pre, 4 * std::sqrt(pre * p * (1 - p) / post));

  // In- and out-degrees are binomial: their spread must match too (a rule
  // that gave every neuron exactly p*N targets would fail here).
  auto variance = [](const std::vector<int64_t> &v) {
    double m = std::accumulate(v.begin(), v.end(), 0.0) / v.size();
    double s = 0;
    for (int64_t x : v)
      s += (x - m) * (x - m);
    return s / (v.size() - 1);
  };
  std::vector<int64_t> outDegree(pre);
  for (int64_t i = 0; i < pre; ++i)
    outDegree[i] = b.csr.rowPtr[i + 1] - b.csr.rowPtr[i];
  EXPECT_NEAR(variance(inDegree), pre * p * (1 - p), 0.2 * pre * p * (1 - p));
  EXPECT_NEAR(variance(outDegree), post * p * (1 - p),
              0.2 * post * p * (1 - p));

  // Every target index is equally likely: compare the two halves.
  int64_t low = 0;
  for (int32_t j : b.csr.colIdx)
    low += j < post / 2;
  double n = double(b.csr.colIdx.size());
  EXPECT_NEAR(low / n, 0.5, 4 * 0.5 / std::sqrt(n));
}

TEST(Connectivity, FixedProbabilityAllowsAutapses) {
  // Brian2's connect(p=...) on a population and itself may pick i -> i.
  FakeArtifact artifact;
  artifact.addModel("burst", noInit, allSpikeAt(0), {"pop"});
  int64_t selfLoops = -1;
  artifact.addOnPre("rec", [&](const OnPreCall &call) {
    // Every neuron spikes, in index order: range i holds source i's targets.
    selfLoops = 0;
    for (int64_t i = 0; i < call.numRanges; ++i)
      for (int64_t k = call.begin(i); k < call.end(i); ++k)
        selfLoops += call.colIdx->aligned[k] == i;
  });
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "self", 1e-4);
    int32_t pop = nnc_rt_add_population(sim, "pop", "burst", 4000, 1);
    nnc_rt_add_projection(sim, "rec", pop, pop, NNC_CONNECT_FIXED_PROBABILITY,
                          0.5, 0, 0, -1, 0, nullptr, nullptr, 0);
  };
  RunOptions options;
  options.outDir = "";
  options.durationSeconds = 1e-4;
  RunResult result;
  std::string error;
  ASSERT_TRUE(runArtifact(artifact.resolver(), options, result, error))
      << error;
  // Binomial(4000, 0.5): 2000 +- 4 * 31.6.
  EXPECT_NEAR(selfLoops, 2000, 4 * std::sqrt(1000.0));
}

TEST(Connectivity, FixedProbabilityExtremes) {
  Build none = connect(50, 40, NNC_CONNECT_FIXED_PROBABILITY, 0.0);
  ASSERT_TRUE(none.ok) << none.error;
  expectWellFormed(none.csr, 50, 40);
  EXPECT_EQ(none.result.synapseCount, 0);

  Build all = connect(50, 40, NNC_CONNECT_FIXED_PROBABILITY, 1.0);
  ASSERT_TRUE(all.ok) << all.error;
  expectWellFormed(all.csr, 50, 40);
  EXPECT_EQ(all.result.synapseCount, 2000);
}

TEST(Connectivity, FixedProbabilityIsDeterministicPerSeed) {
  Build a = connect(300, 200, NNC_CONNECT_FIXED_PROBABILITY, 0.1, 5);
  Build b = connect(300, 200, NNC_CONNECT_FIXED_PROBABILITY, 0.1, 5);
  Build c = connect(300, 200, NNC_CONNECT_FIXED_PROBABILITY, 0.1, 6);
  ASSERT_TRUE(a.ok && b.ok && c.ok);
  EXPECT_EQ(a.csr.rowPtr, b.csr.rowPtr);
  EXPECT_EQ(a.csr.colIdx, b.csr.colIdx);
  EXPECT_NE(a.csr.colIdx, c.csr.colIdx);
}

TEST(Connectivity, FixedProbabilityRowsAreIndependent) {
  // Row i's draws depend only on (seed, projection, i): growing the source
  // population leaves the existing rows alone.
  Build small = connect(100, 300, NNC_CONNECT_FIXED_PROBABILITY, 0.2, 9);
  Build large = connect(250, 300, NNC_CONNECT_FIXED_PROBABILITY, 0.2, 9);
  ASSERT_TRUE(small.ok && large.ok);
  ASSERT_EQ(small.csr.rowPtr.size(), 101u);
  for (int64_t i = 0; i <= 100; ++i)
    ASSERT_EQ(small.csr.rowPtr[i], large.csr.rowPtr[i]);
  std::vector<int32_t> prefix(large.csr.colIdx.begin(),
                              large.csr.colIdx.begin() + small.csr.rowPtr[100]);
  EXPECT_EQ(prefix, small.csr.colIdx);
  // ... and distinct rows are not copies of each other.
  int identicalNeighbours = 0;
  for (int64_t i = 0; i + 1 < 100; ++i) {
    std::vector<int32_t> r0(small.csr.colIdx.begin() + small.csr.rowPtr[i],
                            small.csr.colIdx.begin() + small.csr.rowPtr[i + 1]);
    std::vector<int32_t> r1(small.csr.colIdx.begin() + small.csr.rowPtr[i + 1],
                            small.csr.colIdx.begin() + small.csr.rowPtr[i + 2]);
    identicalNeighbours += r0 == r1;
  }
  EXPECT_EQ(identicalNeighbours, 0);
}

TEST(Connectivity, ProjectionsDrawFromDistinctStreams) {
  // Two projections with the same rule between the same populations get
  // different connectivity (keys derive from the projection id).
  FakeArtifact artifact;
  artifact.addModel("burst", noInit, allSpikeAt(0), {"x"});
  std::vector<int32_t> cols[2];
  for (int p = 0; p < 2; ++p)
    artifact.addOnPre(p ? "b" : "a", [&cols, p](const OnPreCall &call) {
      cols[p].assign(call.colIdx->aligned,
                     call.colIdx->aligned + call.colIdx->sizes[0]);
    });
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "two", 1e-4);
    int32_t x = nnc_rt_add_population(sim, "x", "burst", 200, 1);
    nnc_rt_add_projection(sim, "a", x, x, NNC_CONNECT_FIXED_PROBABILITY, 0.1, 0,
                          0, -1, 0, nullptr, nullptr, 0);
    nnc_rt_add_projection(sim, "b", x, x, NNC_CONNECT_FIXED_PROBABILITY, 0.1, 0,
                          0, -1, 0, nullptr, nullptr, 0);
  };
  RunOptions options;
  options.outDir = "";
  options.durationSeconds = 1e-4;
  RunResult result;
  std::string error;
  ASSERT_TRUE(runArtifact(artifact.resolver(), options, result, error))
      << error;
  ASSERT_FALSE(cols[0].empty());
  EXPECT_NE(cols[0], cols[1]);
  EXPECT_EQ(result.synapseCount,
            static_cast<int64_t>(cols[0].size() + cols[1].size()));
}

/// p(i, j) = 1 for j = i + 1 (mod the row's length), else 0: a ring.
void ringRow(nnc_memref2d *, nnc_memref2d *, int64_t i, nnc_memref1d_f64 *p) {
  int64_t n = p->sizes[0];
  for (int64_t j = 0; j < n; ++j)
    p->aligned[p->offset + j] = j == (i + 1) % n ? 1.0 : 0.0;
}

/// p(i, j) = 0.25 for even targets, 0 for odd ones; values outside [0, 1]
/// act as 0 or 1 (the last target: -3 and the first: 7 for odd sources).
void evenRow(nnc_memref2d *, nnc_memref2d *, int64_t i, nnc_memref1d_f64 *p) {
  int64_t n = p->sizes[0];
  for (int64_t j = 0; j < n; ++j)
    p->aligned[p->offset + j] = j % 2 == 0 ? 0.25 : 0.0;
  if (i % 2 == 1) {
    p->aligned[p->offset] = 7.0;
    p->aligned[p->offset + n - 1] = -3.0;
  }
}

TEST(Connectivity, ProbabilityFnFollowsTheKernel) {
  Build b = connect(50, 50, NNC_CONNECT_PROBABILITY_FN, 0.0, 1,
                    reinterpret_cast<void *>(&ringRow));
  ASSERT_TRUE(b.ok) << b.error;
  expectWellFormed(b.csr, 50, 50);
  ASSERT_EQ(b.csr.colIdx.size(), 50u);
  for (int64_t i = 0; i < 50; ++i)
    EXPECT_EQ(b.csr.colIdx[i], (i + 1) % 50);
}

TEST(Connectivity, ProbabilityFnCounts) {
  const int64_t n = 400;
  Build b = connect(n, n, NNC_CONNECT_PROBABILITY_FN, 0.0, 3,
                    reinterpret_cast<void *>(&evenRow));
  ASSERT_TRUE(b.ok) << b.error;
  expectWellFormed(b.csr, n, n);
  int64_t random = 0;
  for (int64_t i = 0; i < n; ++i) {
    bool first = false;
    for (int64_t k = b.csr.rowPtr[i]; k < b.csr.rowPtr[i + 1]; ++k) {
      int32_t j = b.csr.colIdx[k];
      ASSERT_EQ(j % 2, 0) << "odd target " << j << " has p = 0";
      ASSERT_NE(j, n - 1);
      first |= j == 0;
      random += j != 0 || i % 2 == 0;
    }
    if (i % 2 == 1)
      EXPECT_TRUE(first) << "p > 1 always connects (source " << i << ")";
  }
  // Pairs with p = 0.25: every even target of even sources, and the even
  // targets but 0 of odd sources.
  double pairs = (n / 2) * (n / 2) + (n / 2) * (n / 2 - 1);
  double mean = pairs * 0.25, sd = std::sqrt(pairs * 0.25 * 0.75);
  EXPECT_NEAR(static_cast<double>(random), mean, 5 * sd);
}

TEST(Connectivity, ProbabilityFnIsDeterministicPerSeed) {
  auto row = reinterpret_cast<void *>(&evenRow);
  Build a = connect(100, 100, NNC_CONNECT_PROBABILITY_FN, 0.0, 5, row);
  Build b = connect(100, 100, NNC_CONNECT_PROBABILITY_FN, 0.0, 5, row);
  Build c = connect(100, 100, NNC_CONNECT_PROBABILITY_FN, 0.0, 6, row);
  ASSERT_TRUE(a.ok && b.ok && c.ok);
  EXPECT_EQ(a.csr.colIdx, b.csr.colIdx);
  EXPECT_EQ(a.csr.rowPtr, b.csr.rowPtr);
  EXPECT_NE(a.csr.colIdx, c.csr.colIdx);
}

TEST(Connectivity, ProbabilityFnNeedsItsKernel) {
  Build b = connect(10, 10, NNC_CONNECT_PROBABILITY_FN, 0.0);
  EXPECT_FALSE(b.ok);
  EXPECT_EQ(b.error, "compiled artifact has no kernel "
                     "'_mlir_ciface_syn_connect_row'");
}

TEST(Connectivity, OversizedProjectionFailsBeforeAllocating) {
  // 2M x 2M all-to-all would need 14.6 TiB of column indices.
  Build b = connect(2000000, 2000000, NNC_CONNECT_ALL_TO_ALL, 0.0);
  EXPECT_FALSE(b.ok);
  EXPECT_EQ(b.error.find("network needs 14.6 TiB for projection 'syn' but "
                         "only "),
            0u)
      << b.error;
  EXPECT_NE(b.error.find(" is available"), std::string::npos) << b.error;
}

} // namespace

namespace {

/// In-degree of every target.
std::vector<int64_t> inDegrees(const Csr &csr, int64_t postSize) {
  std::vector<int64_t> degree(postSize, 0);
  for (int32_t j : csr.colIdx)
    ++degree[j];
  return degree;
}

} // namespace

TEST(Connectivity, FixedOutDegree) {
  const int64_t pre = 300, post = 1000, k = 25;
  Build b = connect(pre, post, NNC_CONNECT_FIXED_OUTDEGREE, k);
  ASSERT_TRUE(b.ok) << b.error;
  expectWellFormed(b.csr, pre, post); // also: distinct targets per row
  for (int64_t i = 0; i < pre; ++i)
    ASSERT_EQ(b.csr.rowPtr[i + 1] - b.csr.rowPtr[i], k) << "row " << i;
  EXPECT_EQ(b.result.synapseCount, pre * k);
  // Targets are uniform: every target gets pre * k / post = 7.5 synapses on
  // average, binomially spread (sd ~2.7); none is left far out.
  std::vector<int64_t> degree = inDegrees(b.csr, post);
  double mean = std::accumulate(degree.begin(), degree.end(), 0.0) / post;
  EXPECT_DOUBLE_EQ(mean, 7.5);
  EXPECT_LT(*std::max_element(degree.begin(), degree.end()), 7.5 + 6 * 2.7);
  // Every target index is reachable: the lowest and highest are used.
  EXPECT_GT(degree.front() + degree[1] + degree[2], 0);
  EXPECT_GT(degree.back() + degree[post - 2] + degree[post - 3], 0);
}

TEST(Connectivity, FixedInDegree) {
  const int64_t pre = 800, post = 200, k = 80;
  Build b = connect(pre, post, NNC_CONNECT_FIXED_INDEGREE, k);
  ASSERT_TRUE(b.ok) << b.error;
  expectWellFormed(b.csr, pre, post);
  std::vector<int64_t> degree = inDegrees(b.csr, post);
  for (int64_t j = 0; j < post; ++j)
    ASSERT_EQ(degree[j], k) << "target " << j;
  EXPECT_EQ(b.result.synapseCount, post * k);
  // Sources are uniform: out-degrees average post * k / pre = 20.
  int64_t maxOut = 0;
  for (int64_t i = 0; i < pre; ++i)
    maxOut = std::max(maxOut, b.csr.rowPtr[i + 1] - b.csr.rowPtr[i]);
  EXPECT_LT(maxOut, 20 + 6 * 4.3);
}

TEST(Connectivity, FixedDegreeEverything) {
  // k equal to the population size: all pairs, each exactly once.
  Build out = connect(6, 9, NNC_CONNECT_FIXED_OUTDEGREE, 9);
  ASSERT_TRUE(out.ok) << out.error;
  Build all = connect(6, 9, NNC_CONNECT_ALL_TO_ALL, 0);
  EXPECT_EQ(out.csr.colIdx, all.csr.colIdx);
  Build in = connect(6, 9, NNC_CONNECT_FIXED_INDEGREE, 6);
  ASSERT_TRUE(in.ok) << in.error;
  EXPECT_EQ(in.csr.colIdx, all.csr.colIdx);
  EXPECT_EQ(in.csr.rowPtr, all.csr.rowPtr);
}

TEST(Connectivity, FixedDegreeDeterministicPerSeed) {
  Build a = connect(100, 100, NNC_CONNECT_FIXED_INDEGREE, 10, 5);
  Build b = connect(100, 100, NNC_CONNECT_FIXED_INDEGREE, 10, 5);
  Build c = connect(100, 100, NNC_CONNECT_FIXED_INDEGREE, 10, 6);
  ASSERT_TRUE(a.ok && b.ok && c.ok);
  EXPECT_EQ(a.csr.colIdx, b.csr.colIdx);
  EXPECT_EQ(a.csr.rowPtr, b.csr.rowPtr);
  EXPECT_NE(a.csr.colIdx, c.csr.colIdx);
}

TEST(Connectivity, FixedDegreeRejectsImpossibleDegrees) {
  Build tooMany = connect(10, 4, NNC_CONNECT_FIXED_OUTDEGREE, 5);
  EXPECT_FALSE(tooMany.ok);
  EXPECT_EQ(tooMany.error,
            "projection 'syn' has out-degree 5, which is not a whole number "
            "in [0, 4] (the size of 'post')");
  Build fraction = connect(10, 4, NNC_CONNECT_FIXED_INDEGREE, 2.5);
  EXPECT_FALSE(fraction.ok);
  EXPECT_EQ(fraction.error,
            "projection 'syn' has in-degree 2.5, which is not a whole number "
            "in [0, 10] (the size of 'pre')");
}
