//===- OutputTest.cpp - summary.json, spikes.csv, raster.svg --------------===//

#include "FakeArtifact.h"

#include "gtest/gtest.h"

#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>

using namespace nnc::rt;
using namespace nnc::rt::test;

namespace {

/// A strict recursive-descent check that `text` is one JSON value.
class JsonChecker {
public:
  static bool valid(const std::string &text) {
    JsonChecker c(text.c_str());
    return c.value() && (c.skip(), *c.p == '\0');
  }

private:
  explicit JsonChecker(const char *p) : p(p) {}
  void skip() {
    while (std::isspace(static_cast<unsigned char>(*p)))
      ++p;
  }
  bool literal(const char *word) {
    size_t n = std::strlen(word);
    if (std::strncmp(p, word, n) != 0)
      return false;
    p += n;
    return true;
  }
  bool string() {
    if (*p++ != '"')
      return false;
    while (*p != '"') {
      if (*p == '\0' || static_cast<unsigned char>(*p) < 0x20)
        return false;
      if (*p == '\\') {
        ++p;
        if (*p == 'u') {
          for (int i = 1; i <= 4; ++i)
            if (!std::isxdigit(static_cast<unsigned char>(p[i])))
              return false;
          p += 4;
        } else if (!std::strchr("\"\\/bfnrt", *p)) {
          return false;
        }
      }
      ++p;
    }
    ++p;
    return true;
  }
  bool digits() {
    if (!std::isdigit(static_cast<unsigned char>(*p)))
      return false;
    while (std::isdigit(static_cast<unsigned char>(*p)))
      ++p;
    return true;
  }
  bool number() {
    if (*p == '-')
      ++p;
    if (*p == '0')
      ++p;
    else if (!digits())
      return false;
    if (*p == '.' && (++p, !digits()))
      return false;
    if (*p == 'e' || *p == 'E') {
      ++p;
      if (*p == '+' || *p == '-')
        ++p;
      if (!digits())
        return false;
    }
    return true;
  }
  template <typename Item> bool sequence(char close, Item item) {
    ++p;
    skip();
    if (*p == close)
      return ++p, true;
    while (true) {
      if (!item())
        return false;
      skip();
      if (*p == close)
        return ++p, true;
      if (*p++ != ',')
        return false;
    }
  }
  bool value() {
    skip();
    switch (*p) {
    case '{':
      return sequence('}', [this] {
        skip();
        if (!string())
          return false;
        skip();
        return *p++ == ':' && value();
      });
    case '[':
      return sequence(']', [this] { return value(); });
    case '"':
      return string();
    case 't':
      return literal("true");
    case 'f':
      return literal("false");
    case 'n':
      return literal("null");
    default:
      return number();
    }
  }

  const char *p;
};

TEST(JsonChecker, SelfTest) {
  EXPECT_TRUE(JsonChecker::valid(R"({"a": [1, -2.5e-3, "x\n", null, true]})"));
  EXPECT_FALSE(JsonChecker::valid(R"({"a": [1, 2,]})"));
  EXPECT_FALSE(JsonChecker::valid(R"({"a": inf})"));
  EXPECT_FALSE(JsonChecker::valid(R"({"a": 1} x)"));
}

/// Population "a" (4 neurons, recorded) and "b" (2 neurons, not recorded)
/// of a model whose neuron i spikes at every step k with k % (i + 2) == 0;
/// "ab" connects them all-to-all.
void setUpCountingNetwork(FakeArtifact &artifact) {
  artifact.addInit("a", noInit);
  artifact.addInit("b", noInit);
  artifact.addModel(
      "periodic",
      [](nnc_memref2d *state, nnc_memref1d_i32 *spikes, int64_t k) -> int64_t {
        int64_t n = 0;
        for (int32_t i = 0; i < state->sizes[1]; ++i)
          if (k % (i + 2) == 0)
            spikes->aligned[n++] = i;
        return n;
      });
  artifact.addOnPre("ab", addToInput(0.0));
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "counting", 1e-4);
    int32_t a = nnc_rt_add_population(sim, "a", "periodic", 4, 2);
    int32_t b = nnc_rt_add_population(sim, "b", "periodic", 2, 2);
    nnc_rt_add_projection(sim, "ab", a, b, NNC_CONNECT_ALL_TO_ALL, 0, 1, 0, -1,
                          0, nullptr, nullptr, 0);
    nnc_rt_record_spikes(sim, a);
  };
}

/// Spike count of neuron i of the counting network over `steps` steps.
int64_t periodicSpikes(int32_t i, int64_t steps) {
  return (steps - 1) / (i + 2) + 1;
}

TEST(Output, RunResultAndSummaryJson) {
  TempDir dir;
  FakeArtifact artifact;
  setUpCountingNetwork(artifact);
  artifact.program = [](nnc_sim *sim) { nnc_rt_simulate(sim, 0.01); };
  RunOptions options;
  options.outDir = dir.str("out");
  options.seed = 42;
  options.threads = 3;
  options.parseSeconds = 0.25;
  options.compileSeconds = 0.5;
  RunResult result;
  std::string error;
  ASSERT_TRUE(runArtifact(artifact.resolver(), options, result, error))
      << error;

  int64_t spikesA = 0, spikesB = 0;
  for (int32_t i = 0; i < 4; ++i)
    spikesA += periodicSpikes(i, 100);
  for (int32_t i = 0; i < 2; ++i)
    spikesB += periodicSpikes(i, 100);
  EXPECT_EQ(result.networkName, "counting");
  EXPECT_DOUBLE_EQ(result.dt, 1e-4);
  EXPECT_NEAR(result.simulatedSeconds, 0.01, 1e-12);
  EXPECT_EQ(result.synapseCount, 8);
  EXPECT_GE(result.buildSeconds, 0.0);
  EXPECT_GT(result.simulateSeconds, 0.0);
  ASSERT_EQ(result.populations.size(), 2u);
  EXPECT_EQ(result.populations[0].name, "a");
  EXPECT_EQ(result.populations[0].size, 4);
  EXPECT_EQ(result.populations[0].spikeCount, spikesA);
  EXPECT_NEAR(result.populations[0].meanRateHz, spikesA / (4 * 0.01), 1e-9);
  // Not recorded, but still counted.
  EXPECT_EQ(result.populations[1].spikeCount, spikesB);
  EXPECT_NEAR(result.populations[1].meanRateHz, spikesB / (2 * 0.01), 1e-9);

  std::string json = readFile(dir.path() / "out" / "summary.json");
  EXPECT_TRUE(JsonChecker::valid(json)) << json;
  for (std::string expected :
       {"\"nnc_abi\": " + std::to_string(NNC_ABI_VERSION) + ",",
        std::string("\"network\": \"counting\""),
        std::string("\"dt_ms\": 0.1,"), std::string("\"duration_s\": 0.01,"),
        std::string("\"seed\": 42,"), std::string("\"threads\": 3,"),
        "{\"name\": \"a\", \"size\": 4, \"spikes\": " +
            std::to_string(spikesA) + ", \"rate_hz\": " +
            std::to_string(spikesA * 25) + ", \"recorded\": true}",
        "{\"name\": \"b\", \"size\": 2, \"spikes\": " +
            std::to_string(spikesB) + ", \"rate_hz\": " +
            std::to_string(spikesB * 50) + ", \"recorded\": false}",
        std::string("\"synapses\": 8,"), std::string("\"memory_bytes\": "),
        std::string("\"timings_s\": {\"parse\": 0.25, \"compile\": 0.5, "
                    "\"build\": "),
        std::string("\"simulate\": "), std::string("\"real_time_factor\": ")})
    EXPECT_NE(json.find(expected), std::string::npos)
        << "missing " << expected << " in\n"
        << json;
  EXPECT_EQ(json.find("null"), std::string::npos) << json;
  // At least the state and spike buffers (4x2 and 2x2 doubles, 4 + 2
  // indices) and the CSR (5 row pointers, 8 column indices).
  size_t memory = json.find("\"memory_bytes\": ");
  ASSERT_NE(memory, std::string::npos);
  double bytes = std::strtod(json.c_str() + memory + 16, nullptr);
  EXPECT_GE(bytes, 12 * 8 + 6 * 4 + 5 * 8 + 8 * 4);
  EXPECT_LT(bytes, 4096);
}

TEST(Output, SpikesCsv) {
  TempDir dir;
  FakeArtifact artifact;
  setUpCountingNetwork(artifact);
  RunOptions options;
  options.outDir = dir.str();
  options.durationSeconds = 0.0013; // 13 steps
  RunResult result;
  std::string error;
  ASSERT_TRUE(runArtifact(artifact.resolver(), options, result, error))
      << error;

  // Only "a" is recorded; rows in step order, then index order; times are
  // those of the start of the step.
  std::vector<std::string> expected = {"population,index,time_ms"};
  for (int64_t k = 0; k < 13; ++k) {
    for (int32_t i = 0; i < 4; ++i) {
      if (k % (i + 2) == 0) {
        char time[32];
        std::snprintf(time, sizeof(time), "%.4f", k * 0.1);
        expected.push_back("a," + std::to_string(i) + "," + time);
      }
    }
  }
  std::vector<std::string> lines = readLines(dir.path() / "spikes.csv");
  EXPECT_EQ(lines, expected);
  EXPECT_EQ(lines[1], "a,0,0.0000");
  EXPECT_EQ(lines.back(), "a,2,1.2000");
}

TEST(Output, SpikeTimesStayExactOverLongRuns) {
  // 0.1 ms steps for 10 s: step 99999 is at 9999.9000 ms, not 9999.8999.
  TempDir dir;
  FakeArtifact artifact;
  artifact.addInit("p", noInit);
  artifact.addModel(
      "late",
      [](nnc_memref2d *, nnc_memref1d_i32 *spikes, int64_t k) -> int64_t {
        if (k % 33333 != 0 && k != 99999)
          return 0;
        spikes->aligned[0] = 0;
        return 1;
      });
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "long", 1e-4);
    nnc_rt_record_spikes(sim, nnc_rt_add_population(sim, "p", "late", 1, 0));
  };
  RunOptions options;
  options.outDir = dir.str();
  options.durationSeconds = 10.0;
  RunResult result;
  std::string error;
  ASSERT_TRUE(runArtifact(artifact.resolver(), options, result, error))
      << error;
  std::vector<std::string> lines = readLines(dir.path() / "spikes.csv");
  std::vector<std::string> expected = {"population,index,time_ms", "p,0,0.0000",
                                       "p,0,3333.3000", "p,0,6666.6000",
                                       "p,0,9999.9000"};
  EXPECT_EQ(lines, expected);
}

TEST(Output, RasterSvg) {
  TempDir dir;
  FakeArtifact artifact;
  setUpCountingNetwork(artifact);
  RunOptions options;
  options.outDir = dir.str();
  options.durationSeconds = 0.01;
  RunResult result;
  std::string error;
  ASSERT_TRUE(runArtifact(artifact.resolver(), options, result, error))
      << error;
  std::string svg = readFile(dir.path() / "raster.svg");
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("Spike raster: counting"), std::string::npos);
  EXPECT_NE(svg.find(">a</text>"), std::string::npos);
  // "b" is not recorded and gets no band.
  EXPECT_EQ(svg.find(">b</text>"), std::string::npos);
  EXPECT_NE(svg.find("time (ms)"), std::string::npos);
  // 10 ms axis: ticks at 0, 2, ..., 10 ms (step 1, 2 or 5 x 10^k).
  EXPECT_NE(svg.find(">0</text>"), std::string::npos);
  EXPECT_NE(svg.find(">10</text>"), std::string::npos);
  int64_t spikes = result.populations[0].spikeCount;
  EXPECT_NE(
      svg.find(">" + std::to_string(spikes) + " spikes from 4 neurons</text>"),
      std::string::npos)
      << svg;
  // One tick per spike (all distinct on the plot's grid).
  size_t marks = 0;
  for (size_t pos = 0; (pos = svg.find('M', pos)) != std::string::npos; ++pos)
    ++marks;
  EXPECT_EQ(marks, static_cast<size_t>(spikes));
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
}

TEST(Output, RasterOfLargeRunsShowsASubsetOfNeurons) {
  // 1000 neurons spiking every step for 300 steps: 300,000 spikes.
  TempDir dir;
  FakeArtifact artifact;
  artifact.addInit("p", noInit);
  artifact.addModel(
      "always",
      [](nnc_memref2d *state, nnc_memref1d_i32 *spikes, int64_t) -> int64_t {
        for (int32_t i = 0; i < state->sizes[1]; ++i)
          spikes->aligned[i] = i;
        return state->sizes[1];
      });
  artifact.describe = [](nnc_sim *sim) {
    nnc_rt_set_network(sim, "busy", 1e-4);
    nnc_rt_record_spikes(sim,
                         nnc_rt_add_population(sim, "p", "always", 1000, 0));
  };
  RunOptions options;
  options.outDir = dir.str();
  options.durationSeconds = 0.03;
  RunResult result;
  std::string error;
  ASSERT_TRUE(runArtifact(artifact.resolver(), options, result, error))
      << error;
  std::string svg = readFile(dir.path() / "raster.svg");
  EXPECT_NE(svg.find("showing 150,000 of 300,000 spikes: every 2nd neuron "
                     "(0, 2, 4, ...)"),
            std::string::npos);
  EXPECT_LT(svg.size(), 4u << 20);
  // The CSV still has every spike.
  EXPECT_EQ(readLines(dir.path() / "spikes.csv").size(), 300001u);
}

//===----------------------------------------------------------------------===//
// spikes.bin
//===----------------------------------------------------------------------===//

/// Appends `value` as `bytes` little-endian bytes.
void putLE(std::string &out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out += static_cast<char>(value >> (8 * i) & 0xff);
}

TEST(Output, SpikesBin) {
  TempDir dir;
  FakeArtifact artifact;
  setUpCountingNetwork(artifact);
  RunOptions options;
  options.outDir = dir.str("both");
  options.durationSeconds = 0.0013; // 13 steps
  options.spikeFormat = SpikeFormat::Both;
  RunResult result;
  std::string error;
  ASSERT_TRUE(runArtifact(artifact.resolver(), options, result, error))
      << error;

  // Header: magic, 1 recorded population, dt, "a" of 4 neurons; then one
  // block per step with spikes of "a" (id 0).
  std::string expected = "NNCSPK01";
  putLE(expected, 1, 4);
  double dt = 1e-4;
  uint64_t dtBits;
  std::memcpy(&dtBits, &dt, 8);
  putLE(expected, dtBits, 8);
  putLE(expected, 1, 4);
  expected += "a";
  putLE(expected, 4, 8);
  for (int64_t k = 0; k < 13; ++k) {
    std::vector<uint32_t> indices;
    for (uint32_t i = 0; i < 4; ++i)
      if (k % (i + 2) == 0)
        indices.push_back(i);
    if (indices.empty())
      continue;
    putLE(expected, static_cast<uint64_t>(k), 8);
    putLE(expected, 0, 4);
    putLE(expected, indices.size(), 4);
    for (uint32_t i : indices)
      putLE(expected, i, 4);
  }
  EXPECT_EQ(readFile(dir.path() / "both" / "spikes.bin"), expected);
  EXPECT_EQ(readLines(dir.path() / "both" / "spikes.csv").size(),
            1u + static_cast<size_t>(result.populations[0].spikeCount));

  // Binary only: the same file, and no spikes.csv.
  options.outDir = dir.str("binary");
  options.spikeFormat = SpikeFormat::Binary;
  ASSERT_TRUE(runArtifact(artifact.resolver(), options, result, error))
      << error;
  EXPECT_EQ(readFile(dir.path() / "binary" / "spikes.bin"), expected);
  EXPECT_EQ(listDir(dir.path() / "binary"),
            (std::vector<std::string>{"raster.svg", "rates.csv", "rates.svg",
                                      "spikes.bin", "summary.json"}));
  EXPECT_NE(readFile(dir.path() / "binary" / "summary.json")
                .find("\"outputs\": [\"summary.json\", \"spikes.bin\", "
                      "\"raster.svg\", \"rates.csv\", \"rates.svg\"],\n"),
            std::string::npos);
  EXPECT_NE(
      formatSummary(result, options)
          .find("/binary/summary.json, " + dir.str("binary") + "/spikes.bin, "),
      std::string::npos);
}

//===----------------------------------------------------------------------===//
// rates.csv and rates.svg
//===----------------------------------------------------------------------===//

TEST(Output, RatesCsv) {
  TempDir dir;
  FakeArtifact artifact;
  setUpCountingNetwork(artifact);
  RunOptions options;
  options.outDir = dir.str();
  options.durationSeconds = 0.0013; // 13 steps
  options.rateBinSeconds = 0.0005;  // 5 steps: [0, 5), [5, 10), [10, 13)
  RunResult result;
  std::string error;
  ASSERT_TRUE(runArtifact(artifact.resolver(), options, result, error))
      << error;
  EXPECT_DOUBLE_EQ(result.rateBinSeconds, 0.0005);

  // Every population, recorded ("a") or not ("b"), bin by bin; the last bin
  // is 3 steps long.
  std::vector<std::string> lines = readLines(dir.path() / "rates.csv");
  ASSERT_EQ(lines.size(), 1u + 3 * 2);
  EXPECT_EQ(lines[0], "population,t_start_ms,t_end_ms,spikes,rate_hz");
  const char *times[] = {"0.0000,0.5000", "0.5000,1.0000", "1.0000,1.3000"};
  size_t line = 1;
  for (int64_t bin = 0; bin < 3; ++bin) {
    int64_t begin = bin * 5, end = std::min<int64_t>(begin + 5, 13);
    for (auto [name, size] : {std::pair<const char *, int>{"a", 4}, {"b", 2}}) {
      int64_t spikes = 0;
      for (int64_t k = begin; k < end; ++k)
        for (int i = 0; i < size; ++i)
          spikes += k % (i + 2) == 0;
      std::string prefix = std::string(name) + "," + times[bin] + "," +
                           std::to_string(spikes) + ",";
      ASSERT_EQ(lines[line].rfind(prefix, 0), 0u) << lines[line];
      double rate = std::strtod(lines[line].c_str() + prefix.size(), nullptr);
      EXPECT_DOUBLE_EQ(rate, spikes / (size * (end - begin) * 1e-4));
      ++line;
    }
  }
  EXPECT_NE(readFile(dir.path() / "summary.json").find("\"rate_bin_ms\": 0.5,"),
            std::string::npos);

  std::string svg = readFile(dir.path() / "rates.svg");
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("Population rates: counting"), std::string::npos);
  EXPECT_NE(svg.find(">a<tspan"), std::string::npos);
  EXPECT_NE(svg.find(">b<tspan"), std::string::npos);
  EXPECT_NE(svg.find("in 0.5 ms bins"), std::string::npos);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
}

TEST(Output, RatesCoverEveryPhaseButNoModulators) {
  TempDir dir;
  FakeArtifact artifact;
  setUpCountingNetwork(artifact);
  artifact.addInit("m", noInit);
  auto describe = artifact.describe;
  artifact.describe = [describe](nnc_sim *sim) {
    describe(sim);
    nnc_rt_add_modulator(sim, "m", "periodic", 1, 2);
  };
  // Phases of 7 + 1 + 4 steps; a program's bins are 1 ms (10 steps).
  artifact.program = [](nnc_sim *sim) {
    nnc_rt_simulate(sim, 0.0007);
    nnc_rt_step(sim);
    nnc_rt_simulate(sim, 0.0004);
  };
  RunOptions options;
  options.outDir = dir.str();
  RunResult result;
  std::string error;
  ASSERT_TRUE(runArtifact(artifact.resolver(), options, result, error))
      << error;
  EXPECT_DOUBLE_EQ(result.rateBinSeconds, 1e-3);
  std::vector<std::string> lines = readLines(dir.path() / "rates.csv");
  ASSERT_EQ(lines.size(), 1u + 2 * 2);
  EXPECT_EQ(lines[1].rfind("a,0.0000,1.0000,", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2].rfind("b,0.0000,1.0000,", 0), 0u) << lines[2];
  EXPECT_EQ(lines[3].rfind("a,1.0000,1.2000,", 0), 0u) << lines[3];
  EXPECT_EQ(lines[4].rfind("b,1.0000,1.2000,", 0), 0u) << lines[4];
  int64_t total = 0;
  for (size_t i : {1, 3}) {
    size_t comma = lines[i].find(',', 16);
    total += std::stoll(lines[i].substr(16, comma - 16));
  }
  EXPECT_EQ(total, result.populations[0].spikeCount);
  EXPECT_EQ(readFile(dir.path() / "rates.svg").find(">m<tspan"),
            std::string::npos);
}

TEST(Output, DefaultRateBinGivesAtMost2000Bins) {
  FakeArtifact artifact;
  setUpCountingNetwork(artifact);
  // (duration, bin): the smallest of 1, 2, 5, 10, ... ms with <= 2000 bins.
  for (auto [duration, bin] : {std::pair<double, double>{0.25, 1e-3},
                               {2.0, 1e-3},
                               {2.001, 2e-3},
                               {7.0, 5e-3},
                               {30.0, 20e-3}}) {
    RunOptions options;
    options.outDir = "";
    options.durationSeconds = duration;
    RunResult result;
    std::string error;
    ASSERT_TRUE(runArtifact(artifact.resolver(), options, result, error))
        << error;
    EXPECT_NEAR(result.rateBinSeconds, bin, 1e-12) << duration;
  }
}

TEST(Output, RateBinMustBeAWholeNumberOfSteps) {
  TempDir dir;
  FakeArtifact artifact;
  setUpCountingNetwork(artifact);
  RunOptions options;
  options.outDir = dir.str();
  options.durationSeconds = 0.001;
  RunResult result;
  std::string error;
  for (double width : {0.00025, 0.00005}) {
    options.rateBinSeconds = width;
    EXPECT_FALSE(runArtifact(artifact.resolver(), options, result, error));
    EXPECT_EQ(error.find("the rate bin width "), 0u) << error;
    EXPECT_NE(error.find(" ms (--rate-bin) is not a whole multiple of the "
                         "time step 0.1 ms"),
              std::string::npos)
        << error;
    EXPECT_EQ(listDir(dir.path()), std::vector<std::string>{});
  }
  // 0.3 ms / 0.1 ms is 2.9999999999999996 in doubles: still 3 steps.
  options.rateBinSeconds = 0.0003;
  ASSERT_TRUE(runArtifact(artifact.resolver(), options, result, error))
      << error;
  EXPECT_DOUBLE_EQ(result.rateBinSeconds, 0.0003);
}

TEST(Output, RatesSvgOfLongRunsMergesBins) {
  // 5000 bins of one step: rates.csv keeps them all, the plot merges them
  // in pairs until at most kMaxPlotBins (2000) are left: 1250 of 4 steps.
  TempDir dir;
  FakeArtifact artifact;
  setUpCountingNetwork(artifact);
  RunOptions options;
  options.outDir = dir.str();
  options.durationSeconds = 0.5;
  options.rateBinSeconds = 1e-4;
  RunResult result;
  std::string error;
  ASSERT_TRUE(runArtifact(artifact.resolver(), options, result, error))
      << error;
  EXPECT_EQ(readLines(dir.path() / "rates.csv").size(), 1u + 5000 * 2);
  std::string svg = readFile(dir.path() / "rates.svg");
  EXPECT_NE(svg.find("in 0.4 ms bins (rates.csv: 0.1 ms bins)"),
            std::string::npos);
  // One "H<x>" per plotted bin in each population's step line.
  size_t steps = 0;
  for (size_t pos = 0; (pos = svg.find('H', pos)) != std::string::npos; ++pos)
    steps += std::isdigit(static_cast<unsigned char>(svg[pos + 1])) != 0;
  EXPECT_EQ(steps, 2u * 1250);
}

//===----------------------------------------------------------------------===//
// Atomicity and directories
//===----------------------------------------------------------------------===//

TEST(Output, FailedRunLeavesNoFiles) {
  TempDir dir;
  {
    // Fails while building: a kernel is missing.
    FakeArtifact artifact;
    setUpCountingNetwork(artifact);
    artifact.remove("_mlir_ciface_ab_on_pre");
    RunOptions options;
    options.outDir = dir.str("build");
    options.durationSeconds = 0.01;
    RunResult result;
    std::string error;
    EXPECT_FALSE(runArtifact(artifact.resolver(), options, result, error));
    EXPECT_EQ(error,
              "compiled artifact has no kernel '_mlir_ciface_ab_on_pre'");
    EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "build"));
    EXPECT_EQ(listDir(dir.path() / "build"), std::vector<std::string>{});
  }
  {
    // Fails while simulating, after spikes were recorded.
    FakeArtifact artifact;
    artifact.addInit("p", noInit);
    artifact.addModel(
        "flaky",
        [](nnc_memref2d *, nnc_memref1d_i32 *spikes, int64_t k) -> int64_t {
          spikes->aligned[0] = 0;
          return k < 50 ? 1 : -7;
        });
    artifact.describe = [](nnc_sim *sim) {
      nnc_rt_set_network(sim, "flaky", 1e-4);
      nnc_rt_record_spikes(sim, nnc_rt_add_population(sim, "p", "flaky", 3, 0));
    };
    RunOptions options;
    options.outDir = dir.str("simulate");
    options.durationSeconds = 0.01;
    RunResult result;
    std::string error;
    EXPECT_FALSE(runArtifact(artifact.resolver(), options, result, error));
    EXPECT_EQ(error, "kernel '_mlir_ciface_flaky_update' returned -7 spikes "
                     "for population 'p' of size 3");
    EXPECT_EQ(listDir(dir.path() / "simulate"), std::vector<std::string>{});
  }
}

TEST(Output, FailedRunKeepsThePreviousRunsFiles) {
  TempDir dir;
  RunOptions options;
  options.outDir = dir.str();
  options.durationSeconds = 0.01;
  RunResult result;
  std::string error;
  {
    FakeArtifact artifact;
    setUpCountingNetwork(artifact);
    ASSERT_TRUE(runArtifact(artifact.resolver(), options, result, error))
        << error;
  }
  std::string csv = readFile(dir.path() / "spikes.csv");
  std::string json = readFile(dir.path() / "summary.json");
  {
    FakeArtifact artifact;
    setUpCountingNetwork(artifact);
    artifact.program = [](nnc_sim *sim) {
      nnc_rt_simulate(sim, 0.005);
      nnc_rt_simulate(sim, -1.0);
    };
    options.durationSeconds = -1.0;
    EXPECT_FALSE(runArtifact(artifact.resolver(), options, result, error));
  }
  EXPECT_EQ(readFile(dir.path() / "spikes.csv"), csv);
  EXPECT_EQ(readFile(dir.path() / "summary.json"), json);
  EXPECT_EQ(listDir(dir.path()),
            (std::vector<std::string>{"raster.svg", "rates.csv", "rates.svg",
                                      "spikes.csv", "summary.json"}));
}

TEST(Output, CreatesNestedOutputDirectory) {
  TempDir dir;
  FakeArtifact artifact;
  setUpCountingNetwork(artifact);
  RunOptions options;
  options.outDir = dir.str("x/y/z/");
  options.durationSeconds = 0.001;
  RunResult result;
  std::string error;
  ASSERT_TRUE(runArtifact(artifact.resolver(), options, result, error))
      << error;
  EXPECT_EQ(listDir(dir.path() / "x" / "y" / "z"),
            (std::vector<std::string>{"raster.svg", "rates.csv", "rates.svg",
                                      "spikes.csv", "summary.json"}));
}

TEST(Output, UnusableOutputDirectory) {
  TempDir dir;
  std::ofstream(dir.path() / "file") << "not a directory\n";
  FakeArtifact artifact;
  bool described = false;
  setUpCountingNetwork(artifact);
  auto describe = artifact.describe;
  artifact.describe = [&](nnc_sim *sim) {
    described = true;
    describe(sim);
  };
  RunResult result;
  std::string error;
  for (const std::string &out : {dir.str("file"), dir.str("file/sub")}) {
    RunOptions options;
    options.outDir = out;
    options.durationSeconds = 0.001;
    EXPECT_FALSE(runArtifact(artifact.resolver(), options, result, error));
    EXPECT_EQ(error.find("cannot create output directory '" + out + "': "), 0u)
        << error;
  }
  EXPECT_FALSE(described);
}

TEST(Output, EmptyOutDirWritesNothing) {
  TempDir dir;
  std::filesystem::path cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  FakeArtifact artifact;
  setUpCountingNetwork(artifact);
  RunOptions options;
  options.outDir = "";
  options.durationSeconds = 0.001;
  RunResult result;
  std::string error;
  bool ok = runArtifact(artifact.resolver(), options, result, error);
  std::filesystem::current_path(cwd);
  ASSERT_TRUE(ok) << error;
  EXPECT_EQ(result.populations[0].spikeCount, 5 + 4 + 3 + 2);
  EXPECT_EQ(listDir(dir.path()), std::vector<std::string>{});
}

//===----------------------------------------------------------------------===//
// formatSummary
//===----------------------------------------------------------------------===//

TEST(Output, FormatSummary) {
  RunResult result;
  result.networkName = "CUBA";
  result.dt = 1e-4;
  result.simulatedSeconds = 1.0;
  result.synapseCount = 319876;
  result.synapseMemoryBytes = 319876 * 12.0;
  result.buildSeconds = 0.031;
  result.simulateSeconds = 0.072;
  result.populations = {{"exc", 3200, 17012, 5.31625},
                        {"inh", 800, 4301, 5.37625}};
  RunOptions options;
  options.parseSeconds = 0.002;
  options.compileSeconds = 0.081;
  EXPECT_EQ(formatSummary(result, options),
            "network CUBA: 4000 neurons, 319,876 synapses, dt 0.1 ms, 1 s "
            "simulated\n"
            "  exc  3200 neurons  17012 spikes    5.32 Hz\n"
            "  inh   800 neurons   4301 spikes    5.38 Hz\n"
            "timings: parse 0.002 s, compile 0.081 s, build 0.031 s, "
            "simulate 0.072 s (13.9x real time)\n"
            "synapses: 3.7 MiB, 12.0 bytes each, built at 10.3 million per "
            "second\n"
            "wrote nnc-out/summary.json, nnc-out/spikes.csv, "
            "nnc-out/raster.svg, nnc-out/rates.csv, nnc-out/rates.svg\n");

  options.outDir = "";
  result.simulateSeconds = 0.0;
  std::string text = formatSummary(result, options);
  EXPECT_EQ(text.find("wrote"), std::string::npos);
  EXPECT_EQ(text.find("real time"), std::string::npos);
}

} // namespace
