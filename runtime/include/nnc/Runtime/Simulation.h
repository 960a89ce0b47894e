//===- Simulation.h - Runtime API used by the nnc driver --------*- C++ -*-===//
//
// The host side of the runtime: owns memory, RNG, connectivity, the time-step
// loop and recording. The driver hands it a symbol resolver for a compiled
// artifact; the runtime calls the artifact's nnc_describe / nnc_program and
// kernels through the C ABI in Runtime.h. No MLIR or LLVM dependency.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_RUNTIME_SIMULATION_H
#define NNC_RUNTIME_SIMULATION_H

#include "nnc/Runtime/Runtime.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace nnc::rt {

/// Resolves a symbol of the compiled artifact; returns nullptr if absent.
using SymbolResolver = std::function<void *(const std::string &name)>;

/// Which spike files a run writes (`nnc run --spike-format`): spikes.csv,
/// spikes.bin (docs/architecture.md has its layout) or both.
enum class SpikeFormat { Csv, Binary, Both };

struct RunOptions {
  /// If >= 0, run `simulate duration` instead of the artifact's program.
  double durationSeconds = -1.0;
  uint64_t seed = 1;
  /// Threads that update the neurons. With more than one, each population
  /// of at least minParallelSize neurons is split into one contiguous chunk
  /// per thread; results do not depend on the thread count.
  int threads = 1;
  /// Smaller populations are updated whole, by one thread. A step of a
  /// 4000-neuron population takes ~6 us, about what two threads lose
  /// synchronising (measured: 1.1x with 2 threads on idle cores, slower on
  /// busy ones); from 16384 neurons on, 2 threads gave 1.6-1.8x.
  static constexpr int64_t kDefaultMinParallelSize = 16384;
  int64_t minParallelSize = kDefaultMinParallelSize;
  /// Output directory; created if missing. Empty: write nothing.
  std::string outDir = "nnc-out";
  SpikeFormat spikeFormat = SpikeFormat::Csv;
  /// Bin width of rates.csv and rates.svg, a whole multiple of dt. <= 0:
  /// the smallest of 1, 2, 5, 10, 20, 50, ... ms (that is a multiple of dt)
  /// giving at most 2000 bins for durationSeconds, or 1 ms for a program,
  /// whose length is not known up front.
  double rateBinSeconds = -1.0;
  /// Draw a progress bar on stderr (only when stderr is a terminal).
  bool progress = false;
  /// Seconds spent before the runtime started, reported in summary.json.
  double parseSeconds = 0.0;
  double compileSeconds = 0.0;
};

struct PopulationStats {
  std::string name;
  int64_t size = 0;
  int64_t spikeCount = 0;
  double meanRateHz = 0.0;
};

/// A state monitor (nnc_rt_record_state) of a finished run.
struct TraceStats {
  std::string population;
  std::string variable;
  std::string unit;
  /// Neurons [first, last) are recorded.
  int64_t first = 0;
  int64_t last = 0;
  int64_t everySteps = 1;
  /// Sample times recorded (each one row per neuron in traces.csv).
  int64_t samples = 0;
};

/// A state that became NaN or infinite (the first one found in a
/// population; checked at the start of every phase and at the end).
struct NonFiniteState {
  std::string population;
  std::string model;
  /// State row (in the model's order) and neuron.
  int64_t row = 0;
  int64_t neuron = 0;
  double value = 0.0;
  /// Found at this simulated time (the end of the phase that produced it).
  double bySeconds = 0.0;
};

/// A `phase NAME { ... }` of the program, as it ran (in the order phases
/// began; one entry per run of a phase in a loop).
struct PhaseStats {
  std::string name;
  int depth = 0; // 0 for a phase not inside another
  double startSeconds = 0.0, endSeconds = 0.0;
  /// Spikes of each population during the phase, in population order.
  std::vector<int64_t> spikes;
};

struct RunResult {
  std::string networkName;
  double dt = 0.0;
  double simulatedSeconds = 0.0;
  int64_t synapseCount = 0;
  /// Memory of the projections (connectivity, synapse state, delays).
  double synapseMemoryBytes = 0.0;
  double buildSeconds = 0.0;
  double simulateSeconds = 0.0;
  std::vector<PopulationStats> populations;
  /// In the order the monitors were added; with an output directory,
  /// traces.csv is written if and only if there is one.
  std::vector<TraceStats> traces;
  /// The bin width of rates.csv and rates.svg.
  double rateBinSeconds = 0.0;
  /// At most one per population, in population order.
  std::vector<NonFiniteState> nonFinite;
  std::vector<PhaseStats> phases;
};

/// Builds the network described by the artifact and runs it. On failure
/// returns false and sets `error` to a one-line message (e.g. a missing
/// kernel, an ABI version mismatch, an unwritable output directory).
bool runArtifact(const SymbolResolver &resolve, const RunOptions &options,
                 RunResult &result, std::string &error);

/// The files a run writes into options.outDir, in the order `nnc run` lists
/// them (traces.csv only if there are state monitors).
std::vector<std::string> outputFileNames(const RunOptions &options,
                                         bool hasTraces);

/// Human summary printed by `nnc run` (a few lines).
std::string formatSummary(const RunResult &result, const RunOptions &options);

} // namespace nnc::rt

#endif // NNC_RUNTIME_SIMULATION_H
