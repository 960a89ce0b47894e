//===- SimulationImpl.h - Runtime internals shared by lib/*.cpp -*- C++ -*-===//
//
// The definition of the opaque nnc_sim handle and the helpers the runtime's
// translation units share. Nothing here is part of the ABI: compiled
// artifacts only ever see nnc_sim through a pointer.
//
// The runtime is built without exceptions, so everything that can fail
// reports through a return value or the simulation's error state, and large
// buffers are allocated with malloc so that a failed allocation is an error
// message rather than std::terminate.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_RUNTIME_LIB_SIMULATIONIMPL_H
#define NNC_RUNTIME_LIB_SIMULATIONIMPL_H

#include "nnc/Runtime/Runtime.h"
#include "nnc/Runtime/Simulation.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nnc::rt::detail {

//===----------------------------------------------------------------------===//
// Random numbers
//===----------------------------------------------------------------------===//

/// splitmix64's finalizer: a bijective 64-bit mixer with full avalanche.
uint64_t splitmix64(uint64_t x);

/// Key for one purpose of one object, so that e.g. the initial state of
/// population 0 and the connectivity of projection 0 never share a stream.
uint64_t deriveKey(uint64_t seed, uint64_t purpose, uint64_t id);

/// Purposes for deriveKey: the ASCII letters, as a readable constant.
constexpr uint64_t kPurposeInit = 0x696e6974;    // "init"
constexpr uint64_t kPurposeConn = 0x636f6e6e;    // "conn"
constexpr uint64_t kPurposeStep = 0x73746570;    // "step"
constexpr uint64_t kPurposeSynapse = 0x73796e61; // "syna"
constexpr uint64_t kPurposeInput = 0x696e7074;   // "inpt"
constexpr uint64_t kPurposeRewire = 0x72657769;  // "rewi"
constexpr uint64_t kPurposeRegrow = 0x72656772;  // "regr"

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

struct FreeDeleter {
  void operator()(void *p) const { std::free(p); }
};

/// A growable array of trivially copyable values whose allocation failures
/// are reported instead of terminating (std::vector would need exceptions).
template <typename T> class PodArray {
public:
  PodArray() = default;
  PodArray(const PodArray &) = delete;
  PodArray &operator=(const PodArray &) = delete;
  PodArray(PodArray &&other) noexcept { swap(other); }
  PodArray &operator=(PodArray &&other) noexcept {
    PodArray tmp(std::move(other));
    swap(tmp);
    return *this;
  }
  ~PodArray() { std::free(data_); }

  bool reserve(size_t n) {
    if (n <= capacity_)
      return true;
    void *p = std::realloc(data_, n * sizeof(T));
    if (!p)
      return false;
    data_ = static_cast<T *>(p);
    capacity_ = n;
    return true;
  }
  bool resize(size_t n) {
    if (!reserve(n))
      return false;
    size_ = n;
    return true;
  }
  bool pushBack(T value) {
    if (size_ == capacity_ && !reserve(capacity_ ? capacity_ * 2 : 64))
      return false;
    data_[size_++] = value;
    return true;
  }

  T *data() { return data_; }
  const T *data() const { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  T &operator[](size_t i) { return data_[i]; }
  const T &operator[](size_t i) const { return data_[i]; }

private:
  void swap(PodArray &other) {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
  }

  T *data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

/// A projection's per-synapse state, [rows x synapses] row-major, stored
/// as f64 or, for a synapse model with `precision f32`, as f32. The
/// kernels see the matching memref element type; the runtime reads values
/// through get() and rearranges them through visit().
class SynapseValues {
public:
  /// Chooses f32 storage; call before resize().
  void setSingle(bool single) { single_ = single; }
  bool single() const { return single_; }
  bool resize(size_t n) { return single_ ? f32_.resize(n) : f64_.resize(n); }
  size_t size() const { return single_ ? f32_.size() : f64_.size(); }
  size_t bytesPerValue() const {
    return single_ ? sizeof(float) : sizeof(double);
  }
  void *data() {
    return single_ ? static_cast<void *>(f32_.data())
                   : static_cast<void *>(f64_.data());
  }
  double get(size_t i) const { return single_ ? f32_[i] : f64_[i]; }
  /// Calls fn(T *values) with the array as float or double.
  template <typename Fn> void visit(Fn &&fn) {
    if (single_)
      fn(f32_.data());
    else
      fn(f64_.data());
  }

private:
  bool single_ = false;
  PodArray<double> f64_;
  PodArray<float> f32_;
};

/// Bytes of memory this process can still use: the kernel's MemAvailable
/// (free plus reclaimable cache), capped by the cgroup's memory limit when
/// there is one. Falls back to sysconf(_SC_AVPHYS_PAGES) * page size.
double availableMemoryBytes();

/// "31.2 GiB", "512.0 MiB", ...
std::string formatBytes(double bytes);

//===----------------------------------------------------------------------===//
// Network
//===----------------------------------------------------------------------===//

using InitKernel = void (*)(nnc_memref2d *state, uint64_t rngKey);
using UpdateKernel = int64_t (*)(nnc_memref2d *state, nnc_memref1d_i32 *spikes,
                                 int64_t step, uint64_t rngKey);
using OnPreKernel = void (*)(nnc_memref2d *postState, nnc_memref2d *synState,
                             nnc_memref1d_i64 *ranges, int64_t numRanges,
                             nnc_memref1d_i32 *colIdx, int64_t step);
using OnPostKernel = void (*)(nnc_memref2d *postState, nnc_memref2d *synState,
                              nnc_memref1d_i32 *spikes, int64_t numSpikes,
                              nnc_memref1d_i64 *postPtr,
                              nnc_memref1d_i64 *synIds, int64_t step);
using SynapseInitKernel = void (*)(nnc_memref2d *synState, uint64_t rngKey);
using ConnectRowKernel = void (*)(nnc_memref2d *preState,
                                  nnc_memref2d *postState, int64_t source,
                                  nnc_memref1d_f64 *probabilities);
using SynapseUpdateKernel = void (*)(nnc_memref2d *synState, int64_t step);
using InputKernel = void (*)(nnc_memref2d *state, int64_t step,
                             uint64_t rngKey);

/// Buffers handed to kernels are 64-byte aligned (a cache line, and enough
/// for any vector width the compiler may assume).
constexpr size_t kBufferAlignment = 64;

struct Population {
  std::string name;
  std::string model;
  int64_t size = 0;
  int64_t numRows = 0;
  /// Updated only at the steps that are multiples of this (its own clock).
  int64_t updateEvery = 1;
  /// [numRows x size] row-major doubles.
  std::unique_ptr<double, FreeDeleter> state;
  /// Indices of the neurons that spiked in the current step (capacity size).
  std::unique_ptr<int32_t, FreeDeleter> spikes;
  int64_t numSpikes = 0;
  int64_t totalSpikes = 0;
  /// Spikes since the current phase began (nnc_rt_begin_phase).
  int64_t phaseSpikes = 0;
  /// Spikes per neuron since the current phase began (for
  /// nnc_rt_spike_argmax; allocated at the population's first spike).
  std::vector<int32_t> phaseCounts;
  /// nnc_rt_gate: a disabled population is not updated.
  bool enabled = true;
  bool recorded = false;
  UpdateKernel update = nullptr;
  /// A spike source (no update kernel, no state): neuron eventIndices[e]
  /// spikes in step eventSteps[e], sorted; nextEvent is the first event
  /// not yet emitted.
  PodArray<int64_t> eventSteps;
  PodArray<int32_t> eventIndices;
  size_t nextEvent = 0;
  bool isSpikeSource() const { return update == nullptr; }
  /// A network's modulator: updated after every other population, so that
  /// kernels reading it see its value at the start of the step.
  bool isModulator = false;
  /// Key of the random numbers the update kernel draws (spike conditions
  /// and resets that use uniform()/normal()).
  uint64_t updateKey = 0;

  nnc_memref2d stateRef() const;
  nnc_memref1d_i32 spikesRef() const;
  /// Views of neurons [begin, end) for a chunked update (see Runtime.h).
  nnc_memref2d stateRef(int64_t begin, int64_t end) const;
  nnc_memref1d_i32 spikesRef(int64_t begin, int64_t end) const;
};

/// The neurons a projection connects: sources [preLo, preHi), targets
/// [postLo, postHi) (nnc_rt_set_connect_ranges; default whole populations).
struct ConnectRanges {
  int64_t preLo, preHi, postLo, postHi;
};

using RewireKernel = void (*)(nnc_memref2d *synState, nnc_memref1d_i32 *flags,
                              int64_t step, int64_t key);

struct Projection {
  std::string name;
  int32_t pre = 0;
  int32_t post = 0;
  int32_t rule = 0;
  double param = 0.0;
  int64_t delaySteps = 0;
  /// CSR by source: the targets of source i are colIdx[rowPtr[i]..rowPtr[i+1]).
  PodArray<int64_t> rowPtr;
  PodArray<int32_t> colIdx;
  OnPreKernel onPre = nullptr;
  /// on_pre without synapse-state writes, for a frozen projection.
  OnPreKernel onPreFrozen = nullptr;
  OnPostKernel onPost = nullptr;
  /// nnc_rt_gate: frozen (plasticity off) and enabled (transmits).
  bool frozen = false;
  bool enabled = true;
  /// [numSynapseRows x numSynapses] per-synapse state.
  int64_t numSynapseRows = 0;
  SynapseValues synState;
  /// Synapses onto each target: synIds[postPtr[n] .. postPtr[n+1]) (only
  /// with an on_post kernel).
  PodArray<int64_t> postPtr;
  PodArray<int64_t> synIds;
  /// Per-synapse delays (delayRow >= 0): the synapses of source i, sorted
  /// by delay, form groups groupPtr[i] .. groupPtr[i+1]-1 of equal delay;
  /// group g is synapses [groupBegin[g], groupBegin[g+1]) (within the row)
  /// with delay groupDelay[g] steps.
  int64_t delayRow = -1;
  PodArray<int64_t> groupPtr;
  PodArray<int64_t> groupBegin;
  PodArray<int64_t> groupDelay;
  /// The longest delay in steps (delaySteps without per-synapse delays;
  /// the bound of plastic delays).
  int64_t maxDelaySteps = 0;
  /// The delays may change (nnc_rt_set_plastic_delays): every spike reads
  /// its synapses' current delays instead of the groups above.
  bool plasticDelays = false;
  /// Synapse ranges (begin, end pairs) due in each of the next
  /// maxDelaySteps + 1 steps; step s lives in slot s % (maxDelaySteps + 1).
  std::vector<std::vector<int64_t>> ring;

  /// Integrates the clock-driven synapse equations (null without any).
  SynapseUpdateKernel updateSynapses = nullptr;

  /// Structural plasticity (nnc_rt_add_rewire): every rewireSteps steps the
  /// kernel flags (and resets) the synapses that move to a new target.
  RewireKernel rewire = nullptr;
  int64_t rewireSteps = 0;
  std::vector<int32_t> rewireFlags;

  int64_t numSynapses() const { return static_cast<int64_t>(colIdx.size()); }
  nnc_memref2d synStateRef();
  /// View of synapses [begin, end), for a chunked clock-driven update.
  nnc_memref2d synStateRef(int64_t begin, int64_t end);
};

/// Refills the synapses-by-target index (postPtr, synIds, allocated) after
/// the targets changed.
void reindexSynapsesByTarget(Projection &proj, int64_t postSize);

using CoverKernel = void (*)(nnc_memref2d *astroState, nnc_memref2d *synState,
                             nnc_memref1d_i64 *rowPtr, nnc_memref1d_i32 *colIdx,
                             nnc_memref1d_i32 *owner);

/// A pass of cover statements added by nnc_rt_add_cover.
struct Cover {
  std::string name;
  int32_t proj = 0;
  int32_t pop = 0;
  CoverKernel run = nullptr;
  /// With a domain: fills `owner` once, before the first step.
  CoverKernel domain = nullptr;
  std::vector<int32_t> owner;
  bool ownerReady = false;
};

/// A Poisson input added by nnc_rt_add_poisson_input.
struct PoissonInput {
  std::string name;
  int32_t pop = 0;
  InputKernel apply = nullptr;
  uint64_t key = 0;
  bool enabled = true;
};

/// A state monitor added by nnc_rt_record_state.
struct StateMonitor {
  int32_t pop = 0;
  /// >= 0: a monitor of synapse state of this projection (pop unused).
  int32_t proj = -1;
  int64_t row = 0;
  std::string variable;
  std::string unit;
  int64_t everySteps = 1;
  /// Neurons [first, last).
  int64_t first = 0;
  int64_t last = 0;
  /// Sample times taken so far.
  int64_t samples = 0;
};

/// Streams recorded spikes to spikes.csv and/or spikes.bin and keeps a
/// bounded sample of them for the raster plot (see Output.cpp).
class SpikeRecorder;

/// Streams per-bin spike counts of every population to rates.csv and keeps
/// a bounded histogram of them for rates.svg (see Output.cpp).
class RateRecorder;

/// Streams state monitor samples to traces.csv (see Output.cpp).
class TraceRecorder;

/// The threads that update chunks of populations in parallel (see
/// Simulate.cpp).
class WorkerPool;
struct WorkerPoolDeleter {
  void operator()(WorkerPool *pool) const;
};

} // namespace nnc::rt::detail

/// The simulation handle behind the C ABI.
struct nnc_sim {
  // Set up by runArtifact before nnc_describe runs.
  const nnc::rt::SymbolResolver *resolve = nullptr;
  uint64_t seed = 1;
  bool progress = false;
  nnc::rt::detail::SpikeRecorder *recorder = nullptr;
  /// Null when no files are written.
  nnc::rt::detail::TraceRecorder *traces = nullptr;
  /// Null when no files are written.
  nnc::rt::detail::RateRecorder *rates = nullptr;
  /// Threads for neuron updates, and the smallest population split up.
  int threads = 1;
  int64_t minParallelSize = nnc::rt::RunOptions::kDefaultMinParallelSize;

  // Filled in by the builder functions.
  std::string networkName;
  double dt = 0.0;
  bool networkSet = false;
  std::vector<nnc::rt::detail::Population> populations;
  std::vector<nnc::rt::detail::Projection> projections;
  std::vector<nnc::rt::detail::PoissonInput> inputs;
  std::vector<nnc::rt::detail::Cover> covers;
  std::vector<nnc::rt::detail::StateMonitor> monitors;
  int64_t synapseCount = 0;
  /// Bytes of the buffers the runtime allocated for the network, and the
  /// part of them that holds the projections (connectivity, synapse
  /// state, delay groups and rings, indices by target).
  double memoryBytes = 0.0;
  double synapseMemoryBytes = 0.0;
  /// Synapses moved to a new target by structural plasticity.
  int64_t rewiredSynapses = 0;
  /// States found NaN or infinite (checkFiniteStates), one per population.
  std::vector<nnc::rt::NonFiniteState> nonFinite;
  /// `phase` blocks: those that began, and which are still open (indices
  /// into `phases`, innermost last).
  std::vector<nnc::rt::PhaseStats> phases;
  std::vector<size_t> openPhases;
  /// nnc_rt_set_connect_ranges: the neuron ranges of the next projection.
  std::optional<nnc::rt::detail::ConnectRanges> pendingRanges;

  /// Steps simulated so far; the next step to run.
  int64_t step = 0;
  /// The step at which the current phase began (nnc_rt_begin_phase).
  int64_t phaseStart = 0;

  /// Started by the first nnc_rt_simulate that needs it; lives until the
  /// end of the run.
  std::unique_ptr<nnc::rt::detail::WorkerPool,
                  nnc::rt::detail::WorkerPoolDeleter>
      pool;

  /// The first error; once set, every builder and simulate call is a no-op.
  std::string error;
  bool failed() const { return !error.empty(); }
  void fail(std::string message) {
    if (error.empty())
      error = message.empty() ? std::string("unknown runtime error")
                              : std::move(message);
  }

  /// Resolves `name` in the artifact; reports an error if it is missing.
  void *lookupKernel(const std::string &name);

  /// Fails with a "network needs ..." message if `bytes` more memory are not
  /// available for `what` (e.g. "population 'exc'").
  bool checkMemory(double bytes, const std::string &what);
};

namespace nnc::rt::detail {

//===----------------------------------------------------------------------===//
// Output (Output.cpp)
//===----------------------------------------------------------------------===//

/// A file written under a temporary name in the same directory and renamed
/// into place by commit(), so readers never see a partial file under the
/// final name. Destroying it without commit() removes the temporary.
class AtomicFile {
public:
  AtomicFile() = default;
  AtomicFile(const AtomicFile &) = delete;
  AtomicFile &operator=(const AtomicFile &) = delete;
  ~AtomicFile() { discard(); }

  bool open(const std::string &finalPath, std::string &error);
  bool write(const char *data, size_t size, std::string &error);
  bool write(const std::string &s, std::string &error) {
    return write(s.data(), s.size(), error);
  }
  /// Flushes and closes the temporary file (still under its temporary name).
  bool close(std::string &error);
  /// Renames the closed temporary file to the final path.
  bool commit(std::string &error);
  void discard();
  const std::string &path() const { return finalPath_; }

private:
  std::FILE *file_ = nullptr;
  std::string finalPath_;
  std::string tempPath_;
  bool pending_ = false;
};

/// A recorded spike kept for the raster plot.
struct RasterSpike {
  int64_t step;
  int32_t population;
  int32_t index;
};

/// Plots at most this many spikes; beyond it only every stride-th neuron.
constexpr size_t kMaxRasterSpikes = 200000;

/// Records the first NaN or infinite state of every population not yet
/// reported in sim.nonFinite (a diverging solver, a division by zero). A
/// scan of every state: called at phase boundaries, not every step.
void checkFiniteStates(nnc_sim &sim);

/// "%.4f" of the start of step `step` in milliseconds, as in spikes.csv:
/// four decimals are exact for time steps down to 0.1 us.
std::string formatStepTime(const nnc_sim &sim, int64_t step);

class SpikeRecorder {
public:
  /// Opens `<outDir>/spikes.csv` and/or `<outDir>/spikes.bin` (under
  /// temporary names) and writes the CSV header.
  bool open(const std::string &outDir, SpikeFormat format, std::string &error);
  /// Writes the header of spikes.bin, which lists the recorded populations;
  /// called once the network is built.
  bool begin(const nnc_sim &sim, std::string &error);
  /// Records the spikes of population `pop` emitted at step `step`.
  bool record(const nnc_sim &sim, int32_t pop, int64_t step,
              const int32_t *indices, int64_t count, std::string &error);
  /// Flushes and closes the files (still under their temporary names).
  bool close(std::string &error);
  bool commit(std::string &error);

  const std::vector<RasterSpike> &rasterSpikes() const { return raster_; }
  /// Neurons i with i % rasterStride() == 0 have all their spikes kept.
  int64_t rasterStride() const { return stride_; }
  /// The first step whose spikes are no longer plotted, or -1 if none is
  /// cut off (only when neuron 0 alone exceeds the budget).
  int64_t rasterEndStep() const { return rasterEndStep_; }
  int64_t recordedSpikes() const { return recordedSpikes_; }

private:
  bool flush(std::string &error);

  bool writeCsv_ = false, writeBinary_ = false;
  AtomicFile csv_;
  std::string buffer_;
  AtomicFile bin_;
  std::string binBuffer_;
  /// The id of each population in spikes.bin's header, -1 if not recorded.
  std::vector<int32_t> binIds_;
  int64_t cachedStep_ = -1;
  std::string cachedTime_;
  std::vector<RasterSpike> raster_;
  int64_t stride_ = 1;
  int64_t rasterEndStep_ = -1;
  int64_t recordedSpikes_ = 0;
};

/// rates.svg keeps at most this many bins per population; beyond it
/// neighbouring bins are merged in pairs (rates.csv keeps every bin).
constexpr size_t kMaxPlotBins = 2000;

class RateRecorder {
public:
  /// Opens `<outDir>/rates.csv` (under a temporary name) and writes the
  /// header.
  bool open(const std::string &outDir, std::string &error);
  /// Starts counting the populations of the built network (all but
  /// modulators) in bins of `binSteps` steps.
  void begin(const nnc_sim &sim, int64_t binSteps);
  /// Adds the spikes of step `k` (Population::numSpikes) and writes the
  /// bin it completes. Steps come in order, from 0.
  bool count(const nnc_sim &sim, int64_t k, std::string &error);
  /// Writes the last bin if the run ended inside it (it is then shorter),
  /// then flushes and closes rates.csv (still under its temporary name).
  bool close(const nnc_sim &sim, std::string &error);
  bool commit(std::string &error) { return csv_.commit(error); }

  int64_t binSteps() const { return binSteps_; }
  /// The populations counted (ids into nnc_sim::populations).
  const std::vector<int32_t> &populations() const { return pops_; }
  /// plotCounts()[i][j]: spikes of populations()[i] in plot bin j, which
  /// covers steps [j, j + 1) * plotBinSteps() (the last one ends at the end
  /// of the run).
  const std::vector<std::vector<int64_t>> &plotCounts() const { return plot_; }
  int64_t plotBinSteps() const { return binSteps_ * plotFactor_; }

private:
  bool writeBin(const nnc_sim &sim, int64_t begin, int64_t end,
                std::string &error);

  AtomicFile csv_;
  std::string buffer_;
  std::vector<int32_t> pops_;
  /// Spikes of each of pops_ in the bin being counted.
  std::vector<int64_t> current_;
  int64_t binSteps_ = 1;
  /// The first step of the bin being counted.
  int64_t binStart_ = 0;
  /// Bins written to rates.csv.
  int64_t bins_ = 0;
  std::vector<std::vector<int64_t>> plot_;
  /// rates.csv bins per plot bin (a power of two).
  int64_t plotFactor_ = 1;
};

/// Steps per bin of rates.csv for a network with time step `dt`
/// (RunOptions::rateBinSeconds); false with a message if the width asked
/// for is not a whole multiple of dt.
bool chooseRateBinSteps(double dt, const RunOptions &options, int64_t &steps,
                        std::string &error);

class TraceRecorder {
public:
  explicit TraceRecorder(std::string outDir) : outDir_(std::move(outDir)) {}
  /// Opens `<outDir>/traces.csv` (under a temporary name) and writes the
  /// header; called when the first monitor is added.
  bool open(std::string &error);
  bool isOpen() const { return open_; }
  /// Writes the samples of step `step` of every monitor due at it, or with
  /// `atEnd` of the monitors sampled once at the end (everySteps == 0).
  bool sample(const nnc_sim &sim, int64_t step, bool atEnd, std::string &error);
  /// Flushes and closes traces.csv (still under its temporary name).
  bool close(std::string &error);
  bool commit(std::string &error) { return csv_.commit(error); }

private:
  bool flush(std::string &error);

  std::string outDir_;
  AtomicFile csv_;
  std::string buffer_;
  bool open_ = false;
  int64_t cachedStep_ = -1;
  std::string cachedTime_;
};

/// summary.json for a finished run.
std::string renderSummaryJson(const nnc_sim &sim, const RunOptions &options,
                              const RunResult &result);

/// raster.svg for a finished run.
std::string renderRasterSvg(const nnc_sim &sim, const SpikeRecorder &recorder);

/// rates.svg for a finished run: one panel per population of `rates`.
std::string renderRatesSvg(const nnc_sim &sim, const RateRecorder &rates);

/// Joins a directory and a file name with exactly one '/'.
std::string joinPath(const std::string &dir, const std::string &name);

} // namespace nnc::rt::detail

#endif // NNC_RUNTIME_LIB_SIMULATIONIMPL_H
