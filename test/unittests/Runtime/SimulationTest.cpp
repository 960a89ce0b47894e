//===- SimulationTest.cpp - Time-step loop, state, errors -----------------===//

#include "FakeArtifact.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>

using namespace nnc::rt;
using namespace nnc::rt::test;

namespace {

RunOptions quietOptions(double duration = -1.0) {
  RunOptions options;
  options.outDir = "";
  options.durationSeconds = duration;
  return options;
}

//===----------------------------------------------------------------------===//
// Delays
//===----------------------------------------------------------------------===//

/// Neuron 0 of "src" spikes at step 3 only; on_pre of "syn" (delay
/// `delaySteps`) logs the step it is called in and the list it gets.
struct DelayProbe {
  std::vector<int64_t> calls;
  std::vector<std::vector<int32_t>> lists;
  int64_t lastStep = -1;
  int64_t stepsRun = 0;
};

void setUpDelayNetwork(FakeArtifact &artifact, DelayProbe &probe,
                       int64_t delaySteps) {
  artifact.addInit("a", noInit);
  artifact.addInit("b", noInit);
  artifact.addModel("src",
                    [&probe](nnc_memref2d *, nnc_memref1d_i32 *spikes,
                             int64_t step) -> int64_t {
                      probe.lastStep = step;
                      ++probe.stepsRun;
                      if (step != 3)
                        return 0;
                      spikes->aligned[0] = 0;
                      return 1;
                    });
  artifact.addOnPre("syn", [&probe](const OnPreCall &call) {
    EXPECT_EQ(call.step, probe.lastStep);
    probe.calls.push_back(probe.lastStep);
    probe.lists.push_back(call.targets());
  });
  artifact.describe = [delaySteps](nnc_sim *sim) {
    nnc_rt_set_network(sim, "delay", 1e-4);
    int32_t a = nnc_rt_add_population(sim, "a", "src", 4, 1);
    int32_t b = nnc_rt_add_population(sim, "b", "src", 4, 1);
    nnc_rt_add_projection(sim, "syn", a, b, NNC_CONNECT_ALL_TO_ALL, 0.0,
                          delaySteps, 0, -1, 0, nullptr, nullptr, 0);
  };
}

TEST(Delay, ArrivesExactlyDelayStepsLater) {
  for (int64_t delay : {0, 1, 5, 17}) {
    FakeArtifact artifact;
    DelayProbe probe;
    setUpDelayNetwork(artifact, probe, delay);
    RunResult result;
    std::string error;
    ASSERT_TRUE(
        runArtifact(artifact.resolver(), quietOptions(0.003), result, error))
        << error;
    ASSERT_EQ(probe.calls.size(), 1u) << "delay " << delay;
    EXPECT_EQ(probe.calls[0], 3 + delay) << "delay " << delay;
    // The 4 synapses of neuron 0 (all-to-all onto 4 neurons).
    EXPECT_EQ(probe.lists[0], (std::vector<int32_t>{0, 1, 2, 3}));
  }
}

TEST(Delay, SurvivesSeparateSimulateCalls) {
  // 5 steps, then 15 more: the spike of step 3 is still due at step 8.
  FakeArtifact artifact;
  DelayProbe probe;
  setUpDelayNetwork(artifact, probe, 5);
  artifact.program = [](nnc_sim *sim) {
    nnc_rt_simulate(sim, 0.0005);
    nnc_rt_simulate(sim, 0.0015);
  };
  RunResult result;
  std::string error;
  ASSERT_TRUE(runArtifact(artifact.resolver(), quietOptions(), result, error))
      << error;
  ASSERT_EQ(probe.calls.size(), 1u);
  EXPECT_EQ(probe.calls[0], 8);
  // Two populations with the same model: 2 * 20 update calls.
  EXPECT_EQ(probe.stepsRun, 40);
  EXPECT_NEAR(result.simulatedSeconds, 0.002, 1e-12);
}

TEST(Delay, NotDeliveredBeforeTheEnd) {
  // Emitted at step 3 with delay 10 but only 10 steps run: never delivered.
  FakeArtifact artifact;
  DelayProbe probe;
  setUpDelayNetwork(artifact, probe, 10);
  RunResult result;
  std::string error;
  ASSERT_TRUE(
      runArtifact(artifact.resolver(), quietOptions(0.001), result, error))
      << error;
  EXPECT_TRUE(probe.calls.empty());
}

//===----------------------------------------------------------------------===//
// Steps and order
//===----------------------------------------------------------------------===//

TEST(Steps, DurationIsRoundedToWholeSteps) {
  for (auto [duration, steps] : {std::pair<double, int64_t>{0.00104, 10},
                                 {0.00106, 11},
                                 {0.0, 0},
                                 {0.1, 1000}}) {
    FakeArtifact artifact;
    std::vector<int64_t> seen;
    artifact.addInit("p", noInit);
    artifact.addModel("m", [&](nnc_memref2d *, nnc_memref1d_i32 *, int64_t k) {
      seen.push_back(k);
      return int64_t(0);
    });
    artifact.describe = [](nnc_sim *sim) {
      nnc_rt_set_network(sim, "steps", 1e-4);
      nnc_rt_add_population(sim, "p", "m", 1, 0);
    };
    RunResult result;
    std::string error;
    ASSERT_TRUE(
        runArtifact(artifact.resolver(), quietOptions(duration), result, error))
        << error;
    ASSERT_EQ(static_cast<int64_t>(seen.size()), steps) << duration;
    for (int64_t k = 0; k < steps; ++k)
      ASSERT_EQ(seen[k], k);
    EXPECT_NEAR(result.simulatedSeconds, steps * 1e-4, 1e-12);
  }
}

TEST(Steps, PopulationsUpdateBeforeProjectionsInDeclarationOrder) {
  FakeArtifact artifact;
  std::vector<std::string> order;
  auto update = [&order](const char *name) {
    return [&order, name](nnc_memref2d *, nnc_memref1d_i32 *spikes,
                          int64_t) -> int64_t {
      order.push_back(name);
      spikes->aligned[0] = 0;
      return 1;
    };
  };
  artifact.addInit("a", noInit);
  artifact.addModel("first", update("first"));
  artifact.addInit("b", noInit);
  artifact.addModel("second", update("second"));
  artifact.addOnPre("p1", [&](const OnPreCall &) { order.push_back("p1"); });
  artifact.addOnPre("p2", [&](const OnPreCall &) { order.push_back("p2"); });
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "order", 1e-4);
    int32_t a = nnc_rt_add_population(sim, "a", "first", 2, 0);
    int32_t b = nnc_rt_add_population(sim, "b", "second", 2, 0);
    nnc_rt_add_projection(sim, "p1", b, a, NNC_CONNECT_ONE_TO_ONE, 0, 0, 0, -1,
                          0, nullptr, nullptr, 0);
    nnc_rt_add_projection(sim, "p2", a, b, NNC_CONNECT_ONE_TO_ONE, 0, 0, 0, -1,
                          0, nullptr, nullptr, 0);
  };
  RunResult result;
  std::string error;
  ASSERT_TRUE(
      runArtifact(artifact.resolver(), quietOptions(0.0002), result, error))
      << error;
  std::vector<std::string> expected = {"first", "second", "p1", "p2",
                                       "first", "second", "p1", "p2"};
  EXPECT_EQ(order, expected);
}

//===----------------------------------------------------------------------===//
// State layout and keys
//===----------------------------------------------------------------------===//

TEST(State, LayoutSeenByKernels) {
  FakeArtifact artifact;
  double *initState = nullptr;
  int updates = 0, onPres = 0;
  artifact.addModel(
      "lif",
      [&](nnc_memref2d *state, uint64_t) {
        EXPECT_EQ(state->sizes[0], 3);
        EXPECT_EQ(state->sizes[1], 10);
        EXPECT_EQ(state->strides[0], 10);
        EXPECT_EQ(state->strides[1], 1);
        EXPECT_EQ(state->offset, 0);
        EXPECT_EQ(state->allocated, state->aligned);
        EXPECT_EQ(reinterpret_cast<uintptr_t>(state->aligned) % 64, 0u);
        // The runtime zero-fills; init writes row r, column i = r*100 + i.
        for (int64_t k = 0; k < 30; ++k) {
          EXPECT_EQ(state->aligned[k], 0.0);
          state->aligned[k] = static_cast<double>((k / 10) * 100 + k % 10);
        }
        initState = state->aligned;
      },
      [&](nnc_memref2d *state, nnc_memref1d_i32 *spikes, int64_t) -> int64_t {
        ++updates;
        EXPECT_EQ(state->aligned, initState);
        EXPECT_EQ(state->sizes[0], 3);
        EXPECT_EQ(state->sizes[1], 10);
        EXPECT_EQ(state->aligned[2 * 10 + 7], 207.0);
        EXPECT_EQ(spikes->sizes[0], 10);
        EXPECT_EQ(spikes->strides[0], 1);
        EXPECT_EQ(reinterpret_cast<uintptr_t>(spikes->aligned) % 64, 0u);
        EXPECT_EQ(spikes->offset, 0);
        spikes->aligned[0] = 9;
        return 1;
      },
      {"p"});
  artifact.addOnPre("self", [&](const OnPreCall &call) {
    ++onPres;
    EXPECT_EQ(call.post->aligned, initState);
    EXPECT_EQ(call.post->sizes[0], 3);
    EXPECT_EQ(call.post->sizes[1], 10);
    EXPECT_EQ(call.colIdx->sizes[0], 10);
    // Neuron 9 spiked: its one synapse, number 9.
    ASSERT_EQ(call.numRanges, 1);
    EXPECT_EQ(call.begin(0), 9);
    EXPECT_EQ(call.end(0), 10);
    EXPECT_EQ(call.synapses->sizes[0], 0);
  });
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "layout", 1e-4);
    int32_t p = nnc_rt_add_population(sim, "p", "lif", 10, 3);
    nnc_rt_add_projection(sim, "self", p, p, NNC_CONNECT_ONE_TO_ONE, 0, 0, 0,
                          -1, 0, nullptr, nullptr, 0);
  };
  RunResult result;
  std::string error;
  ASSERT_TRUE(
      runArtifact(artifact.resolver(), quietOptions(0.0003), result, error))
      << error;
  EXPECT_NE(initState, nullptr);
  EXPECT_EQ(updates, 3);
  EXPECT_EQ(onPres, 3);
}

std::vector<uint64_t> initKeys(uint64_t seed) {
  FakeArtifact artifact;
  std::vector<uint64_t> keys;
  artifact.addModel(
      "m", [&](nnc_memref2d *, uint64_t key) { keys.push_back(key); },
      [](nnc_memref2d *, nnc_memref1d_i32 *, int64_t) { return int64_t(0); },
      {"a", "b"});
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "keys", 1e-4);
    nnc_rt_add_population(sim, "a", "m", 1, 1);
    nnc_rt_add_population(sim, "b", "m", 1, 1);
  };
  RunOptions options = quietOptions(0.0);
  options.seed = seed;
  RunResult result;
  std::string error;
  EXPECT_TRUE(runArtifact(artifact.resolver(), options, result, error))
      << error;
  return keys;
}

TEST(State, InitKeysDependOnSeedAndPopulation) {
  std::vector<uint64_t> a = initKeys(1), b = initKeys(1), c = initKeys(2);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a[0], a[1]);
  EXPECT_NE(a[0], c[0]);
  EXPECT_NE(a[1], c[1]);
  // Keys are hashed, not the raw seed or id.
  EXPECT_NE(a[0], 1u);
  EXPECT_NE(a[1], 1u);
}

//===----------------------------------------------------------------------===//
// Determinism
//===----------------------------------------------------------------------===//

/// A recurrent network of accumulator neurons with random initial state and
/// random connectivity; its spikes depend on the seed through both.
void setUpRandomNetwork(FakeArtifact &artifact) {
  artifact.addModel("acc", randomInit, accumulatorUpdate, {"e", "i"});
  artifact.addOnPre("ee", addToInput(0.02));
  artifact.addOnPre("ei", addToInput(0.03));
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "rand", 1e-4);
    int32_t e = nnc_rt_add_population(sim, "e", "acc", 400, 2);
    int32_t i = nnc_rt_add_population(sim, "i", "acc", 100, 2);
    nnc_rt_add_projection(sim, "ee", e, e, NNC_CONNECT_FIXED_PROBABILITY, 0.05,
                          3, 0, -1, 0, nullptr, nullptr, 0);
    nnc_rt_add_projection(sim, "ei", e, i, NNC_CONNECT_FIXED_PROBABILITY, 0.1,
                          0, 0, -1, 0, nullptr, nullptr, 0);
    nnc_rt_record_spikes(sim, e);
    nnc_rt_record_spikes(sim, i);
  };
}

std::string runRandomNetwork(uint64_t seed, const TempDir &dir,
                             const std::string &sub) {
  FakeArtifact artifact;
  setUpRandomNetwork(artifact);
  RunOptions options;
  options.outDir = dir.str(sub);
  options.seed = seed;
  options.durationSeconds = 0.05;
  RunResult result;
  std::string error;
  EXPECT_TRUE(runArtifact(artifact.resolver(), options, result, error))
      << error;
  return readFile(dir.path() / sub / "spikes.csv");
}

TEST(Determinism, SameSeedSameSpikesOtherSeedOtherSpikes) {
  TempDir dir;
  std::string a = runRandomNetwork(11, dir, "a");
  std::string b = runRandomNetwork(11, dir, "b");
  std::string c = runRandomNetwork(12, dir, "c");
  // Many spikes, so that equality means something.
  EXPECT_GT(std::count(a.begin(), a.end(), '\n'), 1000);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

struct Outcome {
  bool ok;
  std::string error;
};

Outcome run(FakeArtifact &artifact, RunOptions options = quietOptions(0.001)) {
  RunResult result;
  std::string error;
  bool ok = runArtifact(artifact.resolver(), options, result, error);
  return {ok, error};
}

void describeOnePopulation(nnc_sim *sim) {
  nnc_rt_set_network(sim, "err", 1e-4);
  nnc_rt_add_population(sim, "p", "lif", 10, 2);
}

/// A model whose neurons never spike, and no-op init kernels for
/// `populations`.
void addQuietModel(FakeArtifact &artifact, const std::string &model,
                   const std::vector<std::string> &populations = {"p"}) {
  artifact.addModel(
      model, noInit,
      [](nnc_memref2d *, nnc_memref1d_i32 *, int64_t) { return int64_t(0); },
      populations);
}

TEST(Errors, MissingKernels) {
  for (const char *missing : {"_mlir_ciface_p_init", "_mlir_ciface_lif_update",
                              "_mlir_ciface_syn_on_pre"}) {
    FakeArtifact artifact;
    addQuietModel(artifact, "lif");
    artifact.addOnPre("syn", addToInput(1.0));
    artifact.remove(missing);
    artifact.describe = [](nnc_sim *sim) {
      describeOnePopulation(sim);
      nnc_rt_add_projection(sim, "syn", 0, 0, NNC_CONNECT_ALL_TO_ALL, 0, 0, 0,
                            -1, 0, nullptr, nullptr, 0);
    };
    Outcome o = run(artifact);
    EXPECT_FALSE(o.ok);
    EXPECT_EQ(o.error,
              std::string("compiled artifact has no kernel '") + missing + "'");
  }
}

TEST(Errors, MissingEntryPoints) {
  for (const char *missing : {"nnc_abi_version", "nnc_describe"}) {
    FakeArtifact artifact;
    addQuietModel(artifact, "lif");
    artifact.describe = describeOnePopulation;
    artifact.remove(missing);
    Outcome o = run(artifact);
    EXPECT_FALSE(o.ok);
    EXPECT_EQ(o.error,
              std::string("compiled artifact has no kernel '") + missing + "'");
  }
  // nnc_program is only needed when no duration overrides it.
  FakeArtifact artifact;
  addQuietModel(artifact, "lif");
  artifact.describe = describeOnePopulation;
  artifact.remove("nnc_program");
  EXPECT_TRUE(run(artifact, quietOptions(0.001)).ok);
  Outcome o = run(artifact, quietOptions(-1.0));
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.error, "compiled artifact has no kernel 'nnc_program'");
}

TEST(Errors, AbiVersionMismatch) {
  FakeArtifact artifact;
  addQuietModel(artifact, "lif");
  bool described = false;
  artifact.describe = [&](nnc_sim *sim) {
    described = true;
    describeOnePopulation(sim);
  };
  artifact.abiVersion = NNC_ABI_VERSION + 1;
  Outcome o = run(artifact);
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.error, "compiled artifact uses runtime ABI version " +
                         std::to_string(NNC_ABI_VERSION + 1) +
                         " but this runtime implements version " +
                         std::to_string(NNC_ABI_VERSION) + "; recompile it");
  EXPECT_FALSE(described);
}

TEST(Errors, NetworkNotNamed) {
  FakeArtifact artifact;
  addQuietModel(artifact, "lif");
  artifact.describe = [](nnc_sim *) {};
  Outcome o = run(artifact);
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.error, "compiled artifact did not call nnc_rt_set_network");
}

TEST(Errors, InvalidTimeStep) {
  for (double dt : {0.0, -1e-4, std::nan(""), HUGE_VAL}) {
    FakeArtifact artifact;
    artifact.describe = [dt](nnc_sim *sim) {
      nnc_rt_set_network(sim, "net", dt);
    };
    Outcome o = run(artifact);
    EXPECT_FALSE(o.ok);
    EXPECT_EQ(o.error,
              "network 'net' has an invalid time step (dt must be > 0)");
  }
}

TEST(Errors, InvalidPopulationsAndProjections) {
  struct Case {
    std::function<void(nnc_sim *)> describe;
    std::string error;
  };
  std::vector<Case> cases = {
      {[](nnc_sim *sim) {
         nnc_rt_set_network(sim, "n", 1e-4);
         nnc_rt_add_population(sim, "p", "lif", 0, 1);
       },
       "population 'p' has invalid size 0 (must be 1 to 2147483647)"},
      {[](nnc_sim *sim) {
         nnc_rt_set_network(sim, "n", 1e-4);
         nnc_rt_add_population(sim, "p", "lif", int64_t(1) << 31, 1);
       },
       "population 'p' has invalid size 2147483648 (must be 1 to "
       "2147483647)"},
      {[](nnc_sim *sim) {
         nnc_rt_set_network(sim, "n", 1e-4);
         nnc_rt_add_population(sim, "p", "lif", 5, 1);
         nnc_rt_add_population(sim, "p", "lif", 5, 1);
       },
       "population 'p' is defined twice"},
      {[](nnc_sim *sim) {
         nnc_rt_set_network(sim, "n", 1e-4);
         nnc_rt_add_population(sim, "p", "lif", 5, 1);
         nnc_rt_add_projection(sim, "syn", 0, 1, NNC_CONNECT_ALL_TO_ALL, 0, 0,
                               0, -1, 0, nullptr, nullptr, 0);
       },
       "projection 'syn' refers to an unknown population"},
      {[](nnc_sim *sim) {
         nnc_rt_set_network(sim, "n", 1e-4);
         nnc_rt_add_population(sim, "p", "lif", 5, 1);
         nnc_rt_add_projection(sim, "syn", 0, 0, NNC_CONNECT_ALL_TO_ALL, 0, -1,
                               0, -1, 0, nullptr, nullptr, 0);
       },
       "projection 'syn' has a negative delay"},
      {[](nnc_sim *sim) {
         nnc_rt_set_network(sim, "n", 1e-4);
         nnc_rt_record_spikes(sim, 3);
       },
       "nnc_rt_record_spikes: unknown population 3"},
      {[](nnc_sim *sim) {
         nnc_rt_set_network(sim, "n", 1e-4);
         nnc_rt_set_network(sim, "n", 1e-4);
       },
       "nnc_rt_set_network called twice"},
      {[](nnc_sim *sim) {
         nnc_rt_add_population(sim, "p", "lif", 5, 1);
         nnc_rt_simulate(sim, 0.001);
       },
       "nnc_rt_simulate called before nnc_rt_set_network"},
      {[](nnc_sim *sim) {
         nnc_rt_set_network(sim, "n", 1e-4);
         nnc_rt_add_population(sim, "p", "lif", 5, 1);
         nnc_rt_simulate(sim, 0.001);
         nnc_rt_add_population(sim, "q", "lif", 5, 1);
       },
       "population 'q' added after the simulation started"},
      {[](nnc_sim *sim) {
         nnc_rt_set_network(sim, "n", 1e-4);
         nnc_rt_add_population(sim, "p", "lif", 5, -1);
       },
       "population 'p' has a negative number of rows"},
  };
  for (const Case &c : cases) {
    FakeArtifact artifact;
    addQuietModel(artifact, "lif", {"p", "q"});
    artifact.addOnPre("syn", addToInput(1.0));
    artifact.describe = c.describe;
    Outcome o = run(artifact);
    EXPECT_FALSE(o.ok) << c.error;
    EXPECT_EQ(o.error, c.error);
  }
}

TEST(Errors, FirstErrorWinsAndLaterCallsAreNoOps) {
  FakeArtifact artifact;
  addQuietModel(artifact, "lif", {"b", "c"});
  std::vector<int32_t> ids;
  int updates = 0;
  artifact.addInit("a", noInit);
  artifact.addModel("counting",
                    [&](nnc_memref2d *, nnc_memref1d_i32 *, int64_t) {
                      ++updates;
                      return int64_t(0);
                    });
  artifact.describe = [&](nnc_sim *sim) {
    nnc_rt_set_network(sim, "n", 1e-4);
    ids.push_back(nnc_rt_add_population(sim, "a", "counting", 5, 1));
    ids.push_back(nnc_rt_add_population(sim, "b", "missing", 5, 1));
    ids.push_back(nnc_rt_add_population(sim, "c", "lif", 6, 1));
    ids.push_back(nnc_rt_add_projection(sim, "x", 0, 2, NNC_CONNECT_ONE_TO_ONE,
                                        0, 0, 0, -1, 0, nullptr, nullptr, 0));
    nnc_rt_simulate(sim, 0.001);
  };
  Outcome o = run(artifact);
  EXPECT_FALSE(o.ok);
  // b's init kernel exists; its model's update kernel does not.
  EXPECT_EQ(o.error, "compiled artifact has no kernel '_mlir_ciface_missing_"
                     "update'");
  EXPECT_EQ(ids, (std::vector<int32_t>{0, -1, -1, -1}));
  EXPECT_EQ(updates, 0);
}

TEST(Errors, KernelReturnsInvalidSpikes) {
  for (int64_t bad : {-1, 11}) {
    FakeArtifact artifact;
    artifact.addModel(
        "lif", noInit,
        [bad](nnc_memref2d *, nnc_memref1d_i32 *, int64_t) { return bad; },
        {"p"});
    artifact.describe = describeOnePopulation;
    Outcome o = run(artifact);
    EXPECT_FALSE(o.ok);
    EXPECT_EQ(o.error, "kernel '_mlir_ciface_lif_update' returned " +
                           std::to_string(bad) +
                           " spikes for population 'p' of size 10");
  }
  FakeArtifact artifact;
  artifact.addModel("lif", noInit,
                    [](nnc_memref2d *, nnc_memref1d_i32 *spikes, int64_t) {
                      spikes->aligned[0] = 10;
                      return int64_t(1);
                    },
                    {"p"});
  artifact.describe = describeOnePopulation;
  Outcome o = run(artifact);
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.error, "kernel '_mlir_ciface_lif_update' reported spike of "
                     "neuron 10 in population 'p' of size 10");
}

TEST(Errors, SimulateInvalidDuration) {
  FakeArtifact artifact;
  addQuietModel(artifact, "lif");
  artifact.describe = describeOnePopulation;
  artifact.program = [](nnc_sim *sim) { nnc_rt_simulate(sim, -1.0); };
  Outcome o = run(artifact, quietOptions(-1.0));
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.error, "cannot simulate a duration of -1 s");
}

TEST(Errors, PopulationTooLargeForMemory) {
  FakeArtifact artifact;
  bool initialized = false;
  artifact.addModel(
      "lif", [&](nnc_memref2d *, uint64_t) { initialized = true; },
      [](nnc_memref2d *, nnc_memref1d_i32 *, int64_t) { return int64_t(0); },
      {"big"});
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "huge", 1e-4);
    // 2^31 neurons x 2^24 rows of doubles: 256 PiB.
    nnc_rt_add_population(sim, "big", "lif", 2147483647, int64_t(1) << 24);
  };
  Outcome o = run(artifact);
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.error.find("network needs 256.0 PiB for population 'big' but "
                         "only "),
            0u)
      << o.error;
  EXPECT_NE(o.error.find(" is available"), std::string::npos);
  EXPECT_FALSE(initialized);
}

} // namespace
