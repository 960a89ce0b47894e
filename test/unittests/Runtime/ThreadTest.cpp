//===- ThreadTest.cpp - Chunked, multi-threaded neuron updates ------------===//

#include "FakeArtifact.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

using namespace nnc::rt;
using namespace nnc::rt::test;

namespace {

/// What one call of an update kernel was given.
struct Call {
  int64_t step;
  int64_t offset;
  int64_t size;
  int64_t rowStride;
  int64_t spikeOffset;
  int64_t spikeSize;
  bool operator<(const Call &o) const {
    return std::tie(step, offset, size, rowStride, spikeOffset, spikeSize) <
           std::tie(o.step, o.offset, o.size, o.rowStride, o.spikeOffset,
                    o.spikeSize);
  }
  bool operator==(const Call &o) const { return !(*this < o) && !(o < *this); }
};

/// Records every update call (from any thread).
struct CallLog {
  std::mutex mutex;
  std::vector<Call> calls;
  std::set<std::thread::id> threads;

  UpdateFn quietUpdate() {
    return [this](nnc_memref2d *state, nnc_memref1d_i32 *spikes,
                  int64_t k) -> int64_t {
      std::lock_guard<std::mutex> lock(mutex);
      calls.push_back({k, state->offset, state->sizes[1], state->strides[0],
                       spikes->offset, spikes->sizes[0]});
      threads.insert(std::this_thread::get_id());
      return 0;
    };
  }
  std::vector<Call> sorted() {
    std::vector<Call> c = calls;
    std::sort(c.begin(), c.end());
    return c;
  }
};

RunOptions threadOptions(int threads, int64_t minParallelSize,
                         double duration = 0.0001) {
  RunOptions options;
  options.outDir = "";
  options.durationSeconds = duration;
  options.threads = threads;
  options.minParallelSize = minParallelSize;
  return options;
}

//===----------------------------------------------------------------------===//
// Chunks
//===----------------------------------------------------------------------===//

TEST(Threads, ChunksAreAlignedColumnRanges) {
  struct Case {
    int threads;
    int64_t size;
    /// [begin, end) per non-empty chunk.
    std::vector<std::pair<int64_t, int64_t>> chunks;
  };
  for (const Case &c : {
           Case{2, 1000, {{0, 512}, {512, 1000}}},
           Case{3, 1000, {{0, 336}, {336, 672}, {672, 1000}}},
           Case{4, 1000, {{0, 256}, {256, 512}, {512, 768}, {768, 1000}}},
           // Chunks of 16: the last two threads get no neurons.
           Case{4, 20, {{0, 16}, {16, 20}}},
           Case{3, 1, {{0, 1}}},
       }) {
    FakeArtifact artifact;
    CallLog log;
    artifact.addModel("m", noInit, log.quietUpdate(), {"p"});
    int64_t size = c.size;
    artifact.describe = [size](nnc_sim *sim) {
      nnc_rt_set_network(sim, "chunks", 1e-4);
      nnc_rt_add_population(sim, "p", "m", size, 3);
    };
    RunResult result;
    std::string error;
    ASSERT_TRUE(runArtifact(artifact.resolver(), threadOptions(c.threads, 1),
                            result, error))
        << error;
    std::vector<Call> expected;
    for (auto [begin, end] : c.chunks) {
      EXPECT_EQ(begin % 16, 0);
      expected.push_back({0, begin, end - begin, c.size, begin, end - begin});
    }
    EXPECT_EQ(log.sorted(), expected) << c.threads << " x " << c.size;
  }
}

TEST(Threads, SmallPopulationsAreNotSplit) {
  FakeArtifact artifact;
  CallLog log;
  artifact.addModel("m", noInit, log.quietUpdate(), {"small", "large"});
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "mixed", 1e-4);
    nnc_rt_add_population(sim, "small", "m", 99, 1);
    nnc_rt_add_population(sim, "large", "m", 100, 1);
  };
  RunResult result;
  std::string error;
  ASSERT_TRUE(
      runArtifact(artifact.resolver(), threadOptions(2, 100), result, error))
      << error;
  std::vector<Call> expected = {
      {0, 0, 64, 100, 0, 64}, {0, 0, 99, 99, 0, 99}, {0, 64, 36, 100, 64, 36}};
  EXPECT_EQ(log.sorted(), expected);
}

TEST(Threads, DefaultThresholdKeepsModestPopulationsWhole) {
  FakeArtifact artifact;
  CallLog log;
  artifact.addModel("m", noInit, log.quietUpdate(), {"p"});
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "modest", 1e-4);
    nnc_rt_add_population(sim, "p", "m",
                          RunOptions::kDefaultMinParallelSize - 1, 1);
  };
  RunOptions options = threadOptions(4, RunOptions::kDefaultMinParallelSize);
  RunResult result;
  std::string error;
  ASSERT_TRUE(runArtifact(artifact.resolver(), options, result, error))
      << error;
  ASSERT_EQ(log.calls.size(), 1u);
  EXPECT_EQ(log.calls[0].size, RunOptions::kDefaultMinParallelSize - 1);
  EXPECT_EQ(log.threads.size(), 1u);
}

/// The ids of this process's threads.
std::set<std::string> processThreads() {
  std::set<std::string> ids;
  for (const std::string &name : listDir("/proc/self/task"))
    ids.insert(name);
  return ids;
}

TEST(Threads, OnePoolPerRunAcrossSimulateCalls) {
  FakeArtifact artifact;
  CallLog log;
  artifact.addModel("m", noInit, log.quietUpdate(), {"p"});
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "pool", 1e-4);
    nnc_rt_add_population(sim, "p", "m", 300, 1);
  };
  std::set<std::string> before = processThreads(), first, second, third;
  artifact.program = [&](nnc_sim *sim) {
    first = processThreads();
    nnc_rt_simulate(sim, 0.001);
    second = processThreads();
    nnc_rt_simulate(sim, 0.0);
    nnc_rt_simulate(sim, 0.002);
    third = processThreads();
  };
  RunOptions options = threadOptions(3, 1, -1.0);
  RunResult result;
  std::string error;
  ASSERT_TRUE(runArtifact(artifact.resolver(), options, result, error))
      << error;
  // Started by the first simulate call, the same two threads for the rest
  // of the run, and gone afterwards.
  EXPECT_EQ(first, before);
  EXPECT_EQ(second.size(), before.size() + 2);
  EXPECT_EQ(third, second);
  EXPECT_EQ(processThreads(), before);
  // Three chunks per step, whichever threads ran them.
  EXPECT_EQ(log.calls.size(), 3u * 30);
}

TEST(Threads, ChunkErrors) {
  auto runWith = [](UpdateFn update) {
    FakeArtifact artifact;
    artifact.addModel("m", noInit, std::move(update), {"p"});
    artifact.describe = [](nnc_sim *sim) {
      nnc_rt_set_network(sim, "bad", 1e-4);
      nnc_rt_add_population(sim, "p", "m", 1000, 1);
    };
    RunResult result;
    std::string error;
    EXPECT_FALSE(
        runArtifact(artifact.resolver(), threadOptions(3, 1), result, error));
    return error;
  };
  // More spikes than the chunk has neurons.
  EXPECT_EQ(
      runWith([](nnc_memref2d *state, nnc_memref1d_i32 *, int64_t) -> int64_t {
        return state->offset == 336 ? 337 : 0;
      }),
      "kernel '_mlir_ciface_m_update' returned 337 spikes for neurons "
      "[336, 672) of population 'p'");
  // A population index instead of a chunk-local one.
  EXPECT_EQ(runWith([](nnc_memref2d *state, nnc_memref1d_i32 *spikes,
                       int64_t) -> int64_t {
              if (state->offset != 672)
                return 0;
              spikeSlots(spikes)[0] = 700;
              return 1;
            }),
            "kernel '_mlir_ciface_m_update' reported spike of chunk-local "
            "neuron 700 for neurons [672, 1000) of population 'p'");
}

//===----------------------------------------------------------------------===//
// Results do not depend on the thread count
//===----------------------------------------------------------------------===//

/// An update kernel shaped like a compiled one: it writes a 0/1 flag per
/// neuron into the spike buffer and compacts the flags in place, and draws
/// noise with the neuron's population-wide index (offset + i) as counter.
int64_t noisyUpdate(nnc_memref2d *state, nnc_memref1d_i32 *spikes,
                    int64_t step) {
  double *v = row(state, 0), *input = row(state, 1);
  int32_t *out = spikeSlots(spikes);
  int64_t n = state->sizes[1];
  uint64_t popSize = static_cast<uint64_t>(state->strides[0]);
  for (int64_t i = 0; i < n; ++i) {
    uint64_t counter = static_cast<uint64_t>(step) * popSize +
                       static_cast<uint64_t>(state->offset + i);
    v[i] = 0.995 * v[i] + 0.011 + input[i] +
           0.01 * nnc_rt_uniform(0x5eed, counter);
    input[i] = 0.0;
    bool spiked = v[i] >= 1.0;
    if (spiked)
      v[i] = 0.0;
    out[i] = spiked;
  }
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) {
    int32_t flag = out[i];
    out[count] = static_cast<int32_t>(i);
    count += flag;
  }
  return count;
}

struct Outputs {
  std::string spikes, traces, summary;
  int64_t chunkedCalls = 0;
};

/// A recurrent network of a large population (split into chunks) and a
/// small one (not split), with delays, spike recording, state monitors and
/// a program that changes the state between simulate calls.
Outputs runInvarianceNetwork(int threads, const TempDir &dir) {
  FakeArtifact artifact;
  std::atomic<int64_t> chunkedCalls{0};
  artifact.addModel("noisy", randomInit,
                    [&chunkedCalls](nnc_memref2d *state,
                                    nnc_memref1d_i32 *spikes, int64_t k) {
                      if (state->sizes[1] != state->strides[0])
                        ++chunkedCalls;
                      return noisyUpdate(state, spikes, k);
                    },
                    {"exc", "inh"});
  artifact.addOnPre("ee", addToInput(0.004));
  artifact.addOnPre("ie", addToInput(-0.01));
  artifact.addOnPre("ei", addToInput(0.02));
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "invariant", 1e-4);
    int32_t e = nnc_rt_add_population(sim, "exc", "noisy", 1203, 2);
    int32_t i = nnc_rt_add_population(sim, "inh", "noisy", 37, 2);
    nnc_rt_add_projection(sim, "ee", e, e, NNC_CONNECT_FIXED_PROBABILITY, 0.02,
                          2, 0, -1, 0, nullptr, nullptr, 0);
    nnc_rt_add_projection(sim, "ie", i, e, NNC_CONNECT_FIXED_PROBABILITY, 0.2,
                          0, 0, -1, 0, nullptr, nullptr, 0);
    nnc_rt_add_projection(sim, "ei", e, i, NNC_CONNECT_FIXED_PROBABILITY, 0.1,
                          1, 0, -1, 0, nullptr, nullptr, 0);
    nnc_rt_record_spikes(sim, e);
    nnc_rt_record_spikes(sim, i);
    nnc_rt_record_state(sim, e, 0, "v", "V", 7, 0, -1);
    nnc_rt_record_state(sim, i, 0, "v", "V", 1, 3, 20);
    nnc_rt_record_state(sim, e, 1, "input", "1", 1, 330, 350);
  };
  artifact.program = [](nnc_sim *sim) {
    nnc_rt_simulate(sim, 0.02);
    nnc_rt_set_state_row(sim, 0, 1, 0.05);
    nnc_rt_simulate(sim, 0.03);
  };
  RunOptions options;
  options.outDir = dir.str("t" + std::to_string(threads));
  options.threads = threads;
  options.minParallelSize = 1000;
  RunResult result;
  std::string error;
  EXPECT_TRUE(runArtifact(artifact.resolver(), options, result, error))
      << error;
  Outputs out;
  out.spikes =
      readFile(dir.path() / ("t" + std::to_string(threads)) / "spikes.csv");
  out.traces =
      readFile(dir.path() / ("t" + std::to_string(threads)) / "traces.csv");
  // Everything but the timings (and the build rate) and the thread count.
  std::string json =
      readFile(dir.path() / ("t" + std::to_string(threads)) / "summary.json");
  for (const char *volatileKey :
       {"  \"threads\"", "  \"timings_s\"", "  \"real_time_factor\"",
        "  \"synapses_per_second\""}) {
    size_t at = json.find(volatileKey);
    EXPECT_NE(at, std::string::npos) << volatileKey;
    if (at != std::string::npos)
      json.erase(at, json.find('\n', at) - at);
  }
  out.summary = json;
  out.chunkedCalls = chunkedCalls;
  return out;
}

TEST(Threads, OutputsDoNotDependOnTheThreadCount) {
  TempDir dir;
  Outputs one = runInvarianceNetwork(1, dir);
  // Enough activity that equality means something.
  EXPECT_GT(std::count(one.spikes.begin(), one.spikes.end(), '\n'), 2000);
  EXPECT_NE(one.spikes.find("\ninh,"), std::string::npos);
  // 500 steps: exc every 7th (72 samples x 1203), inh and input every step.
  EXPECT_EQ(std::count(one.traces.begin(), one.traces.end(), '\n'),
            1 + 72 * 1203 + 500 * 17 + 500 * 20);
  EXPECT_EQ(one.chunkedCalls, 0);
  for (int threads : {2, 3, 4}) {
    Outputs other = runInvarianceNetwork(threads, dir);
    // Chunks of exc only: inh is below the threshold.
    EXPECT_EQ(other.chunkedCalls, 500 * threads) << threads;
    EXPECT_TRUE(other.spikes == one.spikes) << threads << " threads";
    EXPECT_TRUE(other.traces == one.traces) << threads << " threads";
    EXPECT_EQ(other.summary, one.summary) << threads << " threads";
  }
}

//===----------------------------------------------------------------------===//
// Throughput (run with --gtest_also_run_disabled_tests)
//===----------------------------------------------------------------------===//

/// A conductance-based LIF step as the compiler would emit it: exact
/// exponential decay of ge/gi, Euler step of v, threshold and reset, flags
/// compacted in place.
int64_t lifUpdate(nnc_memref2d *state, nnc_memref1d_i32 *spikes, int64_t) {
  double *v = row(state, 0), *ge = row(state, 1), *gi = row(state, 2);
  int32_t *out = spikeSlots(spikes);
  int64_t n = state->sizes[1];
  const double dtOverTau = 0.1 / 20.0, decayE = 0.9801986733067553,
               decayI = 0.9900498337491681;
  for (int64_t i = 0; i < n; ++i) {
    double next = v[i] + dtOverTau * (ge[i] + gi[i] - (v[i] + 49.0));
    ge[i] *= decayE;
    gi[i] *= decayI;
    bool spiked = next > -50.0;
    v[i] = spiked ? -60.0 : next;
    out[i] = spiked;
  }
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) {
    int32_t flag = out[i];
    out[count] = static_cast<int32_t>(i);
    count += flag;
  }
  return count;
}

void lifInit(nnc_memref2d *state, uint64_t key) {
  for (int64_t i = 0; i < state->sizes[1]; ++i)
    row(state, 0)[i] = -60.0 + 10.0 * nnc_rt_uniform(key, i);
}

TEST(Threads, DISABLED_UpdateThroughput) {
  for (int64_t size : {4000, 16384, 65536, 262144}) {
    double seconds[3] = {0, 0, 0};
    int64_t steps = std::max<int64_t>(2000, 40000000 / size);
    for (int threads : {1, 2}) {
      FakeArtifact artifact;
      artifact.addModel("lif", lifInit, lifUpdate, {"p"});
      artifact.describe = [size](nnc_sim *sim) {
        nnc_rt_set_network(sim, "bench", 1e-4);
        nnc_rt_add_population(sim, "p", "lif", size, 3);
      };
      RunOptions options =
          threadOptions(threads, 1, static_cast<double>(steps) * 1e-4);
      RunResult result;
      std::string error;
      ASSERT_TRUE(runArtifact(artifact.resolver(), options, result, error))
          << error;
      seconds[threads] = result.simulateSeconds;
    }
    std::printf("%7lld neurons x %6lld steps: 1 thread %.3f us/step, "
                "2 threads %.3f us/step (%.2fx)\n",
                static_cast<long long>(size), static_cast<long long>(steps),
                seconds[1] / steps * 1e6, seconds[2] / steps * 1e6,
                seconds[1] / seconds[2]);
  }
}

} // namespace
