//===- Simulation.cpp - runArtifact and formatSummary ---------------------===//
//
// Drives one run of a compiled artifact: checks its ABI version, lets it
// describe the network, runs its program and writes the outputs. Errors from
// anywhere (the artifact's calls into the runtime, kernels that misbehave,
// the file system) end up as a one-line message; nothing aborts.
//
//===----------------------------------------------------------------------===//

#include "SimulationImpl.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <system_error>

using namespace nnc::rt;
using namespace nnc::rt::detail;

namespace {

using AbiVersionFn = int32_t (*)();
using EntryFn = void (*)(nnc_sim *);

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

/// Looks up an entry point of the artifact; same message as for kernels.
void *lookupEntry(const SymbolResolver &resolve, const char *name,
                  std::string &error) {
  void *symbol = resolve ? resolve(name) : nullptr;
  if (!symbol)
    error = std::string("compiled artifact has no kernel '") + name + "'";
  return symbol;
}

bool createOutputDirectory(const std::string &dir, std::string &error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (!ec && !std::filesystem::is_directory(dir, ec) && !ec)
    ec = std::make_error_code(std::errc::not_a_directory);
  if (ec) {
    error = "cannot create output directory '" + dir + "': " + ec.message();
    return false;
  }
  return true;
}

} // namespace

bool nnc::rt::runArtifact(const SymbolResolver &resolve,
                          const RunOptions &options, RunResult &result,
                          std::string &error) {
  result = RunResult();
  error.clear();

  auto abiVersion = reinterpret_cast<AbiVersionFn>(
      lookupEntry(resolve, "nnc_abi_version", error));
  if (!abiVersion)
    return false;
  int32_t version = abiVersion();
  if (version != NNC_ABI_VERSION) {
    error = "compiled artifact uses runtime ABI version " +
            std::to_string(version) + " but this runtime implements version " +
            std::to_string(NNC_ABI_VERSION) + "; recompile it";
    return false;
  }
  auto describe =
      reinterpret_cast<EntryFn>(lookupEntry(resolve, "nnc_describe", error));
  if (!describe)
    return false;
  bool runProgram = !(options.durationSeconds >= 0.0);
  EntryFn program = nullptr;
  if (runProgram) {
    // Resolved before building, which can take long for large networks.
    program =
        reinterpret_cast<EntryFn>(lookupEntry(resolve, "nnc_program", error));
    if (!program)
      return false;
  } else if (!std::isfinite(options.durationSeconds)) {
    error = "invalid simulation duration";
    return false;
  }

  // Opening the spike and rate files up front also proves the directory is
  // writable before any time is spent building.
  SpikeRecorder recorder;
  TraceRecorder traces(options.outDir);
  RateRecorder rates;
  bool writeFiles = !options.outDir.empty();
  if (writeFiles &&
      (!createOutputDirectory(options.outDir, error) ||
       !recorder.open(options.outDir, options.spikeFormat, error) ||
       !rates.open(options.outDir, error)))
    return false;

  nnc_sim sim;
  sim.resolve = &resolve;
  sim.seed = options.seed;
  sim.progress = options.progress;
  sim.recorder = writeFiles ? &recorder : nullptr;
  sim.traces = writeFiles ? &traces : nullptr;
  sim.rates = writeFiles ? &rates : nullptr;
  sim.threads = options.threads;
  sim.minParallelSize = options.minParallelSize;

  auto buildStart = std::chrono::steady_clock::now();
  describe(&sim);
  result.buildSeconds = secondsSince(buildStart);
  if (!sim.failed() && !sim.networkSet)
    sim.fail("compiled artifact did not call nnc_rt_set_network");
  if (sim.failed()) {
    error = sim.error;
    return false;
  }
  // The bin width depends on dt, known only now.
  int64_t binSteps = 1;
  if (!chooseRateBinSteps(sim.dt, options, binSteps, error))
    return false;
  rates.begin(sim, binSteps);
  if (writeFiles && !recorder.begin(sim, error))
    return false;

  auto simulateStart = std::chrono::steady_clock::now();
  if (runProgram)
    program(&sim);
  else
    nnc_rt_simulate(&sim, options.durationSeconds);
  result.simulateSeconds = secondsSince(simulateStart);
  checkFiniteStates(sim);
  // Monitors sampled once at the end (`record w of S at end;`).
  if (!sim.failed() && sim.traces) {
    for (StateMonitor &monitor : sim.monitors)
      monitor.samples += monitor.everySteps == 0;
    if (!sim.traces->sample(sim, sim.step, /*atEnd=*/true, error))
      sim.fail(error);
  }
  if (sim.failed()) {
    error = sim.error;
    return false;
  }

  result.networkName = sim.networkName;
  result.dt = sim.dt;
  result.simulatedSeconds = static_cast<double>(sim.step) * sim.dt;
  result.synapseCount = sim.synapseCount;
  result.synapseMemoryBytes = sim.synapseMemoryBytes;
  result.rateBinSeconds = static_cast<double>(binSteps) * sim.dt;
  result.nonFinite = sim.nonFinite;
  result.phases = sim.phases;
  for (const Population &pop : sim.populations) {
    PopulationStats stats;
    stats.name = pop.name;
    stats.size = pop.size;
    stats.spikeCount = pop.totalSpikes;
    stats.meanRateHz =
        result.simulatedSeconds > 0
            ? static_cast<double>(pop.totalSpikes) /
                  (static_cast<double>(pop.size) * result.simulatedSeconds)
            : 0.0;
    result.populations.push_back(stats);
  }
  for (const StateMonitor &monitor : sim.monitors) {
    TraceStats stats;
    stats.population = monitor.proj >= 0 ? sim.projections[monitor.proj].name
                                         : sim.populations[monitor.pop].name;
    stats.variable = monitor.variable;
    stats.unit = monitor.unit;
    stats.first = monitor.first;
    stats.last = monitor.last;
    stats.everySteps = monitor.everySteps;
    stats.samples = monitor.samples;
    result.traces.push_back(stats);
  }

  if (!writeFiles)
    return true;
  // All files are complete under temporary names before any of them is
  // renamed into place.
  AtomicFile summary, raster, rateSvg;
  if ((traces.isOpen() && !traces.close(error)) || !recorder.close(error) ||
      !rates.close(sim, error) ||
      !summary.open(joinPath(options.outDir, "summary.json"), error) ||
      !summary.write(renderSummaryJson(sim, options, result), error) ||
      !summary.close(error) ||
      !raster.open(joinPath(options.outDir, "raster.svg"), error) ||
      !raster.write(renderRasterSvg(sim, recorder), error) ||
      !raster.close(error) ||
      !rateSvg.open(joinPath(options.outDir, "rates.svg"), error) ||
      !rateSvg.write(renderRatesSvg(sim, rates), error) ||
      !rateSvg.close(error) || !recorder.commit(error) ||
      (traces.isOpen() && !traces.commit(error)) || !rates.commit(error) ||
      !summary.commit(error) || !raster.commit(error) || !rateSvg.commit(error))
    return false;
  // Files of an earlier run into the same directory that this run did not
  // write (traces.csv, the other spike format) would belong to another run.
  std::vector<std::string> written = outputFileNames(options, traces.isOpen());
  for (const char *name : {"spikes.csv", "spikes.bin", "traces.csv"}) {
    if (std::find(written.begin(), written.end(), name) != written.end())
      continue;
    std::string stale = joinPath(options.outDir, name);
    if (std::remove(stale.c_str()) != 0 && errno != ENOENT) {
      error = "cannot remove '" + stale + "': " + std::strerror(errno);
      return false;
    }
  }
  return true;
}

std::vector<std::string> nnc::rt::outputFileNames(const RunOptions &options,
                                                  bool hasTraces) {
  std::vector<std::string> names = {"summary.json"};
  if (options.spikeFormat != SpikeFormat::Binary)
    names.push_back("spikes.csv");
  if (options.spikeFormat != SpikeFormat::Csv)
    names.push_back("spikes.bin");
  if (hasTraces)
    names.push_back("traces.csv");
  for (const char *name : {"raster.svg", "rates.csv", "rates.svg"})
    names.push_back(name);
  return names;
}

//===----------------------------------------------------------------------===//
// formatSummary
//===----------------------------------------------------------------------===//

/// Digit groups for large counts ("319,876"); small ones read better plain.
static std::string count(int64_t value) {
  std::string digits = std::to_string(value);
  if (value < 10000)
    return digits;
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return out;
}

static std::string format(const char *fmt, double value) {
  char text[64];
  std::snprintf(text, sizeof(text), fmt, value);
  return text;
}

/// "6.6 million", "320 thousand", "812".
static std::string formatRate(double perSecond) {
  if (perSecond >= 1e9)
    return format("%.3g", perSecond / 1e9) + " billion";
  if (perSecond >= 1e6)
    return format("%.3g", perSecond / 1e6) + " million";
  if (perSecond >= 1e3)
    return format("%.3g", perSecond / 1e3) + " thousand";
  return format("%.0f", perSecond);
}

std::string nnc::rt::formatSummary(const RunResult &result,
                                   const RunOptions &options) {
  int64_t neurons = 0;
  size_t nameWidth = 0, sizeWidth = 0, spikeWidth = 0;
  for (const PopulationStats &pop : result.populations) {
    neurons += pop.size;
    nameWidth = std::max(nameWidth, pop.name.size());
    sizeWidth = std::max(sizeWidth, std::to_string(pop.size).size());
    spikeWidth = std::max(spikeWidth, std::to_string(pop.spikeCount).size());
  }

  std::string out = "network " + result.networkName + ": " + count(neurons) +
                    (neurons == 1 ? " neuron, " : " neurons, ") +
                    count(result.synapseCount) +
                    (result.synapseCount == 1 ? " synapse" : " synapses") +
                    ", dt " + format("%g", result.dt * 1000.0) + " ms, " +
                    format("%g", result.simulatedSeconds) + " s simulated\n";
  auto padLeft = [](std::string s, size_t width) {
    return std::string(width > s.size() ? width - s.size() : 0, ' ') + s;
  };
  for (const PopulationStats &pop : result.populations) {
    std::string name = pop.name;
    name.resize(nameWidth, ' ');
    out += "  " + name + "  " + padLeft(std::to_string(pop.size), sizeWidth) +
           " neurons  " + padLeft(std::to_string(pop.spikeCount), spikeWidth) +
           " spikes  " + format("%6.2f", pop.meanRateHz) + " Hz\n";
  }

  // Phases: their time spans and the rates of the populations that spike.
  constexpr size_t kMaxPhaseLines = 10;
  if (!result.phases.empty())
    out += "phases:\n";
  for (size_t i = 0; i < result.phases.size() && i < kMaxPhaseLines; ++i) {
    const PhaseStats &phase = result.phases[i];
    double seconds = phase.endSeconds - phase.startSeconds;
    out += std::string(2 + 2 * phase.depth, ' ') + phase.name + "  " +
           format("%g", phase.startSeconds * 1000.0) + "-" +
           format("%g", phase.endSeconds * 1000.0) + " ms";
    std::string sep = "  ";
    for (size_t p = 0; p < result.populations.size(); ++p) {
      const PopulationStats &pop = result.populations[p];
      if (pop.spikeCount == 0 || p >= phase.spikes.size() || seconds <= 0)
        continue;
      out += sep + pop.name + " " +
             format("%.2f", static_cast<double>(phase.spikes[p]) /
                                (static_cast<double>(pop.size) * seconds)) +
             " Hz";
      sep = ", ";
    }
    out += "\n";
  }
  if (result.phases.size() > kMaxPhaseLines)
    out += "  ... " + std::to_string(result.phases.size() - kMaxPhaseLines) +
           " more (summary.json lists every phase)\n";

  out += "timings: parse " + format("%.3f", options.parseSeconds) +
         " s, compile " + format("%.3f", options.compileSeconds) +
         " s, build " + format("%.3f", result.buildSeconds) + " s, simulate " +
         format("%.3f", result.simulateSeconds) + " s";
  if (result.simulateSeconds > 0 && result.simulatedSeconds > 0) {
    double factor = result.simulatedSeconds / result.simulateSeconds;
    out += " (" +
           format(factor >= 100   ? "%.0f"
                  : factor >= 0.1 ? "%.1f"
                                  : "%.3g",
                  factor) +
           "x real time)";
  }
  out += "\n";
  // Synapses: memory per synapse and how fast they were built.
  if (result.synapseCount > 0) {
    double perSynapse =
        result.synapseMemoryBytes / static_cast<double>(result.synapseCount);
    out += "synapses: " + detail::formatBytes(result.synapseMemoryBytes) +
           ", " + format("%.1f", perSynapse) + " bytes each";
    if (result.buildSeconds > 0)
      out += ", built at " +
             formatRate(static_cast<double>(result.synapseCount) /
                        result.buildSeconds) +
             " per second";
    out += "\n";
  }

  if (!options.outDir.empty()) {
    std::string files;
    for (const std::string &name :
         outputFileNames(options, !result.traces.empty()))
      files += (files.empty() ? "" : ", ") + joinPath(options.outDir, name);
    out += "wrote " + files + "\n";
  }
  return out;
}
