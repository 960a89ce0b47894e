//===- MonitorTest.cpp - State monitors, traces.csv, set_state_row --------===//

#include "FakeArtifact.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <unistd.h>

using namespace nnc::rt;
using namespace nnc::rt::test;

namespace {

const char *const kHeader = "population,index,variable,unit,time_ms,value";

/// Model "ramp": row 0 (v) grows by 1 + row 1 (I) per step; row 1 is left
/// alone. Population `name` starts from v = 0.5 * i, I = 0.
void addRamp(FakeArtifact &artifact,
             const std::vector<std::string> &populations) {
  artifact.addModel(
      "ramp",
      [](nnc_memref2d *state, uint64_t) {
        for (int64_t i = 0; i < state->sizes[1]; ++i)
          row(state, 0)[i] = 0.5 * static_cast<double>(i);
      },
      [](nnc_memref2d *state, nnc_memref1d_i32 *, int64_t) -> int64_t {
        double *v = row(state, 0), *input = row(state, 1);
        for (int64_t i = 0; i < state->sizes[1]; ++i)
          v[i] += 1.0 + input[i];
        return 0;
      },
      populations);
}

struct Outcome {
  bool ok = false;
  std::string error;
  RunResult result;
};

Outcome run(FakeArtifact &artifact, const std::string &outDir,
            double duration = -1.0, int threads = 1) {
  RunOptions options;
  options.outDir = outDir;
  options.durationSeconds = duration;
  options.threads = threads;
  Outcome r;
  r.ok = runArtifact(artifact.resolver(), options, r.result, r.error);
  return r;
}

std::string line(const std::string &pop, int64_t index, const char *variable,
                 const char *unit, double timeMs, const char *value) {
  char time[32];
  std::snprintf(time, sizeof(time), "%.4f", timeMs);
  return pop + "," + std::to_string(index) + "," + variable + "," + unit + "," +
         time + "," + value;
}

//===----------------------------------------------------------------------===//
// Sampling
//===----------------------------------------------------------------------===//

TEST(Traces, EveryStepIsSampledBeforeTheUpdate) {
  TempDir dir;
  FakeArtifact artifact;
  addRamp(artifact, {"p"});
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "ramp", 1e-4);
    int32_t p = nnc_rt_add_population(sim, "p", "ramp", 3, 2);
    nnc_rt_record_state(sim, p, 0, "v", "V", 1, 0, -1);
  };
  Outcome r = run(artifact, dir.str(), 0.0004); // 4 steps
  ASSERT_TRUE(r.ok) << r.error;
  // Step s is sampled at its start: v = 0.5 * i + s, never the value after
  // the last step (0.5 * i + 4).
  std::vector<std::string> expected = {
      kHeader,
      "p,0,v,V,0.0000,0",
      "p,1,v,V,0.0000,0.5",
      "p,2,v,V,0.0000,1",
      "p,0,v,V,0.1000,1",
      "p,1,v,V,0.1000,1.5",
      "p,2,v,V,0.1000,2",
      "p,0,v,V,0.2000,2",
      "p,1,v,V,0.2000,2.5",
      "p,2,v,V,0.2000,3",
      "p,0,v,V,0.3000,3",
      "p,1,v,V,0.3000,3.5",
      "p,2,v,V,0.3000,4",
  };
  EXPECT_EQ(readLines(dir.path() / "traces.csv"), expected);
  ASSERT_EQ(r.result.traces.size(), 1u);
  EXPECT_EQ(r.result.traces[0].samples, 4);
}

TEST(Traces, EveryTenStepsOverAThousandSteps) {
  TempDir dir;
  FakeArtifact artifact;
  addRamp(artifact, {"p"});
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "ramp", 1e-4);
    int32_t p = nnc_rt_add_population(sim, "p", "ramp", 2, 2);
    nnc_rt_record_state(sim, p, 0, "v", "V", 10, 1, 2);
  };
  Outcome r = run(artifact, dir.str(), 0.1); // 1000 steps
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<std::string> lines = readLines(dir.path() / "traces.csv");
  // Steps 0, 10, ..., 990 of neuron 1 only: 100 samples.
  ASSERT_EQ(lines.size(), 101u);
  EXPECT_EQ(lines[0], kHeader);
  for (int64_t n = 0; n < 100; ++n) {
    char value[32];
    std::snprintf(value, sizeof(value), "%g", 0.5 + 10.0 * n);
    ASSERT_EQ(lines[n + 1], line("p", 1, "v", "V", n * 1.0, value)) << n;
  }
  EXPECT_EQ(lines.back(), "p,1,v,V,99.0000,990.5");
  ASSERT_EQ(r.result.traces.size(), 1u);
  EXPECT_EQ(r.result.traces[0].samples, 100);
  EXPECT_EQ(r.result.traces[0].first, 1);
  EXPECT_EQ(r.result.traces[0].last, 2);
}

TEST(Traces, StepsAreCountedAcrossSimulateCalls) {
  // 15 steps, then 12: samples at global steps 0, 10 and 20.
  TempDir dir;
  FakeArtifact artifact;
  addRamp(artifact, {"p"});
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "ramp", 1e-4);
    int32_t p = nnc_rt_add_population(sim, "p", "ramp", 1, 2);
    nnc_rt_record_state(sim, p, 0, "v", "V", 10, 0, -1);
  };
  artifact.program = [](nnc_sim *sim) {
    nnc_rt_simulate(sim, 0.0015);
    nnc_rt_simulate(sim, 0.0012);
  };
  Outcome r = run(artifact, dir.str());
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<std::string> expected = {
      kHeader, "p,0,v,V,0.0000,0", "p,0,v,V,1.0000,10", "p,0,v,V,2.0000,20"};
  EXPECT_EQ(readLines(dir.path() / "traces.csv"), expected);
  EXPECT_EQ(r.result.traces[0].samples, 3);
}

TEST(Traces, SubsetsAndOrderOfMonitors) {
  TempDir dir;
  FakeArtifact artifact;
  addRamp(artifact, {"p", "q"});
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "two", 1e-4);
    int32_t p = nnc_rt_add_population(sim, "p", "ramp", 10, 2);
    int32_t q = nnc_rt_add_population(sim, "q", "ramp", 2, 2);
    // Declared q first, then a subset of p every other step, then p's I.
    nnc_rt_record_state(sim, q, 0, "v", "V", 1, 0, -1);
    nnc_rt_record_state(sim, p, 0, "v", "V", 2, 7, 9);
    nnc_rt_record_state(sim, p, 1, "I_ext", "A", 1, 9, 10);
  };
  Outcome r = run(artifact, dir.str(), 0.0003); // 3 steps
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<std::string> expected = {
      kHeader,
      // Step 0: all three monitors, in declaration order.
      "q,0,v,V,0.0000,0",
      "q,1,v,V,0.0000,0.5",
      "p,7,v,V,0.0000,3.5",
      "p,8,v,V,0.0000,4",
      "p,9,I_ext,A,0.0000,0",
      // Step 1: p.v is not due.
      "q,0,v,V,0.1000,1",
      "q,1,v,V,0.1000,1.5",
      "p,9,I_ext,A,0.1000,0",
      // Step 2.
      "q,0,v,V,0.2000,2",
      "q,1,v,V,0.2000,2.5",
      "p,7,v,V,0.2000,5.5",
      "p,8,v,V,0.2000,6",
      "p,9,I_ext,A,0.2000,0",
  };
  EXPECT_EQ(readLines(dir.path() / "traces.csv"), expected);

  ASSERT_EQ(r.result.traces.size(), 3u);
  EXPECT_EQ(r.result.traces[1].population, "p");
  EXPECT_EQ(r.result.traces[1].variable, "v");
  EXPECT_EQ(r.result.traces[1].everySteps, 2);
  EXPECT_EQ(r.result.traces[1].samples, 2);
  EXPECT_EQ(r.result.traces[2].unit, "A");
  EXPECT_EQ(r.result.traces[2].samples, 3);

  std::string json = readFile(dir.path() / "summary.json");
  EXPECT_NE(json.find("\"traces\": [\n"
                      "    {\"population\": \"q\", \"variable\": \"v\", "
                      "\"unit\": \"V\", \"first\": 0, \"last\": 2, "
                      "\"every_steps\": 1, \"period_ms\": 0.1, "
                      "\"samples\": 3},\n"
                      "    {\"population\": \"p\", \"variable\": \"v\", "
                      "\"unit\": \"V\", \"first\": 7, \"last\": 9, "
                      "\"every_steps\": 2, \"period_ms\": 0.2, "
                      "\"samples\": 2},\n"
                      "    {\"population\": \"p\", \"variable\": \"I_ext\", "
                      "\"unit\": \"A\", \"first\": 9, \"last\": 10, "
                      "\"every_steps\": 1, \"period_ms\": 0.1, "
                      "\"samples\": 3}\n"
                      "  ],\n"),
            std::string::npos)
      << json;

  RunOptions options;
  options.outDir = "out";
  EXPECT_NE(formatSummary(r.result, options)
                .find("wrote out/summary.json, out/spikes.csv, "
                      "out/traces.csv, out/raster.svg, out/rates.csv, "
                      "out/rates.svg\n"),
            std::string::npos);
}

TEST(Traces, ValuesRoundTripExactly) {
  static const double values[] = {0.1 + 0.2, 1.0 / 3.0,     -0.065,
                                  1e-300,    5e-324,        -1.5e-9,
                                  1e21,      123456789.125, 0.0};
  constexpr int64_t n = sizeof(values) / sizeof(values[0]);
  TempDir dir;
  FakeArtifact artifact;
  artifact.addModel(
      "fixed",
      [](nnc_memref2d *state, uint64_t) {
        for (int64_t i = 0; i < n; ++i)
          row(state, 0)[i] = values[i];
      },
      [](nnc_memref2d *, nnc_memref1d_i32 *, int64_t) { return int64_t(0); },
      {"p"});
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "exact", 1e-4);
    int32_t p = nnc_rt_add_population(sim, "p", "fixed", n, 1);
    nnc_rt_record_state(sim, p, 0, "x", "1", 1, 0, -1);
  };
  Outcome r = run(artifact, dir.str(), 0.0001);
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<std::string> lines = readLines(dir.path() / "traces.csv");
  ASSERT_EQ(lines.size(), static_cast<size_t>(n + 1));
  for (int64_t i = 0; i < n; ++i) {
    std::string prefix = "p," + std::to_string(i) + ",x,1,0.0000,";
    ASSERT_EQ(lines[i + 1].compare(0, prefix.size(), prefix), 0) << lines[i];
    std::string text = lines[i + 1].substr(prefix.size());
    double parsed = std::strtod(text.c_str(), nullptr);
    EXPECT_EQ(std::memcmp(&parsed, &values[i], sizeof(double)), 0)
        << text << " does not read back as " << values[i];
  }
  EXPECT_EQ(lines[1], "p,0,x,1,0.0000,0.30000000000000004");
  EXPECT_EQ(lines[3], "p,2,x,1,0.0000,-0.065");
}

TEST(Traces, LargeTracesAreStreamedCompletely) {
  // 2000 neurons x 300 samples: 600,000 rows, well beyond the buffer.
  TempDir dir;
  FakeArtifact artifact;
  addRamp(artifact, {"p"});
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "big", 1e-4);
    int32_t p = nnc_rt_add_population(sim, "p", "ramp", 2000, 2);
    nnc_rt_record_state(sim, p, 0, "v", "V", 1, 0, -1);
  };
  Outcome r = run(artifact, dir.str(), 0.03);
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<std::string> lines = readLines(dir.path() / "traces.csv");
  ASSERT_EQ(lines.size(), 600001u);
  EXPECT_EQ(lines[1], "p,0,v,V,0.0000,0");
  EXPECT_EQ(lines[300000], "p,1999,v,V,14.9000,1148.5");
  EXPECT_EQ(lines.back(), "p,1999,v,V,29.9000,1298.5");
}

//===----------------------------------------------------------------------===//
// nnc_rt_set_state_row
//===----------------------------------------------------------------------===//

TEST(SetStateRow, ChangesEveryNeuronBetweenSimulateCalls) {
  TempDir dir;
  FakeArtifact artifact;
  addRamp(artifact, {"p", "q"});
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "drive", 1e-4);
    int32_t p = nnc_rt_add_population(sim, "p", "ramp", 3, 2);
    nnc_rt_add_population(sim, "q", "ramp", 2, 2);
    nnc_rt_record_state(sim, p, 0, "v", "V", 1, 0, -1);
    nnc_rt_record_state(sim, p, 1, "I_ext", "A", 1, 2, 3);
    nnc_rt_record_state(sim, 1, 0, "v", "V", 1, 1, 2);
  };
  artifact.program = [](nnc_sim *sim) {
    nnc_rt_simulate(sim, 0.0002);
    // p.I_ext = 2.5: v then grows by 3.5 per step. q is left alone.
    nnc_rt_set_state_row(sim, 0, 1, 2.5);
    nnc_rt_simulate(sim, 0.0002);
    // Setting v itself is visible at the next sample.
    nnc_rt_set_state_row(sim, 0, 0, -0.065);
    nnc_rt_simulate(sim, 0.0001);
  };
  Outcome r = run(artifact, dir.str());
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<std::string> expected = {
      kHeader,
      "p,0,v,V,0.0000,0",
      "p,1,v,V,0.0000,0.5",
      "p,2,v,V,0.0000,1",
      "p,2,I_ext,A,0.0000,0",
      "q,1,v,V,0.0000,0.5",
      "p,0,v,V,0.1000,1",
      "p,1,v,V,0.1000,1.5",
      "p,2,v,V,0.1000,2",
      "p,2,I_ext,A,0.1000,0",
      "q,1,v,V,0.1000,1.5",
      "p,0,v,V,0.2000,2",
      "p,1,v,V,0.2000,2.5",
      "p,2,v,V,0.2000,3",
      "p,2,I_ext,A,0.2000,2.5",
      "q,1,v,V,0.2000,2.5",
      "p,0,v,V,0.3000,5.5",
      "p,1,v,V,0.3000,6",
      "p,2,v,V,0.3000,6.5",
      "p,2,I_ext,A,0.3000,2.5",
      "q,1,v,V,0.3000,3.5",
      "p,0,v,V,0.4000,-0.065",
      "p,1,v,V,0.4000,-0.065",
      "p,2,v,V,0.4000,-0.065",
      "p,2,I_ext,A,0.4000,2.5",
      "q,1,v,V,0.4000,4.5",
  };
  EXPECT_EQ(readLines(dir.path() / "traces.csv"), expected);
}

TEST(SetStateRow, InvalidArguments) {
  struct Case {
    int32_t pop;
    int64_t row;
    std::string error;
  };
  for (const Case &c :
       {Case{1, 0, "nnc_rt_set_state_row: unknown population 1"},
        Case{-1, 0, "nnc_rt_set_state_row: unknown population -1"},
        Case{0, 2,
             "nnc_rt_set_state_row: population 'p' has no state row 2 "
             "(it has 2)"},
        Case{0, -1,
             "nnc_rt_set_state_row: population 'p' has no state row "
             "-1 (it has 2)"}}) {
    FakeArtifact artifact;
    addRamp(artifact, {"p"});
    artifact.describe = [](nnc_sim *sim) {
      nnc_rt_set_network(sim, "n", 1e-4);
      nnc_rt_add_population(sim, "p", "ramp", 3, 2);
    };
    artifact.program = [&](nnc_sim *sim) {
      nnc_rt_set_state_row(sim, c.pop, c.row, 1.0);
    };
    Outcome r = run(artifact, "");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, c.error);
  }
}

//===----------------------------------------------------------------------===//
// Errors and files
//===----------------------------------------------------------------------===//

TEST(Traces, InvalidMonitors) {
  struct Case {
    std::function<void(nnc_sim *)> call;
    std::string error;
  };
  std::vector<Case> cases = {
      {[](nnc_sim *sim) { nnc_rt_record_state(sim, 2, 0, "v", "V", 1, 0, -1); },
       "nnc_rt_record_state: unknown population 2"},
      {[](nnc_sim *sim) { nnc_rt_record_state(sim, 0, 2, "v", "V", 1, 0, -1); },
       "state monitor of p.v refers to state row 2 but population 'p' has 2 "
       "rows"},
      {[](nnc_sim *sim) {
         nnc_rt_record_state(sim, 0, -1, "v", "V", 1, 0, -1);
       },
       "state monitor of p.v refers to state row -1 but population 'p' has 2 "
       "rows"},
      {[](nnc_sim *sim) {
         nnc_rt_record_state(sim, 0, 0, "v", "V", -10, 0, -1);
       },
       "state monitor of p.v has sampling period -10 steps (must be >= 1, or "
       "0 for once at the end)"},
      {[](nnc_sim *sim) { nnc_rt_record_state(sim, 0, 0, "v", "V", 1, -1, 3); },
       "state monitor of p.v records neurons [-1, 3) but population 'p' has "
       "neurons [0, 10)"},
      {[](nnc_sim *sim) { nnc_rt_record_state(sim, 0, 0, "v", "V", 1, 0, 11); },
       "state monitor of p.v records neurons [0, 11) but population 'p' has "
       "neurons [0, 10)"},
      {[](nnc_sim *sim) { nnc_rt_record_state(sim, 0, 0, "v", "V", 1, 5, 5); },
       "state monitor of p.v records the empty range of neurons [5, 5)"},
      {[](nnc_sim *sim) {
         nnc_rt_record_state(sim, 0, 0, "v", "V", 1, 10, -1);
       },
       "state monitor of p.v records the empty range of neurons [10, 10)"},
      {[](nnc_sim *sim) { nnc_rt_record_state(sim, 0, 0, "v", "V", 1, 6, 2); },
       "state monitor of p.v records the empty range of neurons [6, 2)"},
      {[](nnc_sim *sim) {
         nnc_rt_record_state(sim, 0, 0, nullptr, "V", 1, 0, -1);
       },
       "nnc_rt_record_state: invalid variable name for population 'p'"},
      {[](nnc_sim *sim) { nnc_rt_record_state(sim, 0, 0, "", "V", 1, 0, -1); },
       "nnc_rt_record_state: invalid variable name for population 'p'"},
      {[](nnc_sim *sim) {
         nnc_rt_record_state(sim, 0, 0, "v,w", "V", 1, 0, -1);
       },
       "nnc_rt_record_state: invalid variable name for population 'p'"},
      {[](nnc_sim *sim) {
         nnc_rt_record_state(sim, 0, 0, "v", nullptr, 1, 0, -1);
       },
       "state monitor of p.v has an invalid unit"},
      {[](nnc_sim *sim) {
         nnc_rt_record_state(sim, 0, 0, "v", "V\n", 1, 0, -1);
       },
       "state monitor of p.v has an invalid unit"},
      {[](nnc_sim *sim) {
         nnc_rt_simulate(sim, 0.0001);
         nnc_rt_record_state(sim, 0, 0, "v", "V", 1, 0, -1);
       },
       "state monitor of p.v added after the simulation started"},
  };
  for (const Case &c : cases) {
    TempDir dir;
    FakeArtifact artifact;
    addRamp(artifact, {"p"});
    artifact.describe = [&c](nnc_sim *sim) {
      nnc_rt_set_network(sim, "n", 1e-4);
      nnc_rt_add_population(sim, "p", "ramp", 10, 2);
      // A valid monitor first: its traces.csv must not survive the error.
      nnc_rt_record_state(sim, 0, 0, "v", "V", 1, 0, -1);
      c.call(sim);
    };
    Outcome r = run(artifact, dir.str(), 0.001);
    EXPECT_FALSE(r.ok) << c.error;
    EXPECT_EQ(r.error, c.error);
    EXPECT_EQ(listDir(dir.path()), std::vector<std::string>{}) << c.error;
  }
}

TEST(Traces, NoMonitorsNoTracesCsv) {
  TempDir dir;
  FakeArtifact artifact;
  addRamp(artifact, {"p"});
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "quiet", 1e-4);
    nnc_rt_add_population(sim, "p", "ramp", 3, 2);
  };
  // A traces.csv of an earlier run into the same directory is stale.
  std::ofstream(dir.path() / "traces.csv") << "old\n";
  Outcome r = run(artifact, dir.str(), 0.001);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.result.traces.empty());
  EXPECT_EQ(listDir(dir.path()),
            (std::vector<std::string>{"raster.svg", "rates.csv", "rates.svg",
                                      "spikes.csv", "summary.json"}));
  EXPECT_NE(readFile(dir.path() / "summary.json").find("\"traces\": [],\n"),
            std::string::npos);
  RunOptions options;
  options.outDir = "out";
  EXPECT_EQ(formatSummary(r.result, options).find("traces.csv"),
            std::string::npos);
}

TEST(Traces, WrittenUnderATemporaryNameUntilTheRunSucceeds) {
  TempDir dir;
  FakeArtifact artifact;
  addRamp(artifact, {"p"});
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "atomic", 1e-4);
    nnc_rt_record_state(sim, nnc_rt_add_population(sim, "p", "ramp", 3, 2), 0,
                        "v", "V", 1, 0, -1);
  };
  std::vector<std::string> during;
  artifact.program = [&](nnc_sim *sim) {
    nnc_rt_simulate(sim, 0.001);
    during = listDir(dir.path());
    nnc_rt_simulate(sim, 0.001);
  };
  Outcome r = run(artifact, dir.str());
  ASSERT_TRUE(r.ok) << r.error;
  std::string pid = std::to_string(getpid());
  EXPECT_EQ(during, (std::vector<std::string>{".rates.csv." + pid + ".tmp",
                                              ".spikes.csv." + pid + ".tmp",
                                              ".traces.csv." + pid + ".tmp"}));
  EXPECT_EQ(
      listDir(dir.path()),
      (std::vector<std::string>{"raster.svg", "rates.csv", "rates.svg",
                                "spikes.csv", "summary.json", "traces.csv"}));
  EXPECT_EQ(readLines(dir.path() / "traces.csv").size(), 1u + 3 * 20);
}

TEST(Traces, FailedRunLeavesNoTracesAndKeepsThePreviousOnes) {
  TempDir dir;
  auto setUp = [](FakeArtifact &artifact, int64_t failAt) {
    artifact.addModel(
        "flaky", noInit,
        [failAt](nnc_memref2d *state, nnc_memref1d_i32 *, int64_t k) {
          row(state, 0)[0] += 1.0;
          return k == failAt ? int64_t(-7) : int64_t(0);
        },
        {"p"});
    artifact.describe = [](nnc_sim *sim) {
      nnc_rt_set_network(sim, "flaky", 1e-4);
      nnc_rt_record_state(sim, nnc_rt_add_population(sim, "p", "flaky", 3, 1),
                          0, "v", "V", 1, 0, -1);
    };
  };
  {
    // Fails after 50 steps' worth of samples were written.
    FakeArtifact artifact;
    setUp(artifact, 50);
    Outcome r = run(artifact, dir.str("fresh"), 0.01);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "kernel '_mlir_ciface_flaky_update' returned -7 spikes "
                       "for population 'p' of size 3");
    EXPECT_EQ(listDir(dir.path() / "fresh"), std::vector<std::string>{});
  }
  std::string previous;
  {
    FakeArtifact artifact;
    setUp(artifact, -1);
    Outcome r = run(artifact, dir.str("kept"), 0.001);
    ASSERT_TRUE(r.ok) << r.error;
    previous = readFile(dir.path() / "kept" / "traces.csv");
    EXPECT_EQ(std::count(previous.begin(), previous.end(), '\n'), 1 + 3 * 10);
  }
  {
    FakeArtifact artifact;
    setUp(artifact, 5);
    Outcome r = run(artifact, dir.str("kept"), 0.001);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(readFile(dir.path() / "kept" / "traces.csv"), previous);
    EXPECT_EQ(
        listDir(dir.path() / "kept"),
        (std::vector<std::string>{"raster.svg", "rates.csv", "rates.svg",
                                  "spikes.csv", "summary.json", "traces.csv"}));
  }
}

TEST(Traces, MonitorsWithoutOutputDirectoryStillCountSamples) {
  FakeArtifact artifact;
  addRamp(artifact, {"p"});
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "nofiles", 1e-4);
    nnc_rt_record_state(sim, nnc_rt_add_population(sim, "p", "ramp", 3, 2), 0,
                        "v", "V", 3, 0, -1);
  };
  Outcome r = run(artifact, "", 0.001);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.result.traces.size(), 1u);
  EXPECT_EQ(r.result.traces[0].samples, 4); // steps 0, 3, 6, 9
}

} // namespace
