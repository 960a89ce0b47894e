//===- Network.cpp - Builder functions called by nnc_describe -------------===//
//
// Populations (state buffers, kernels, initial state) and projections
// (connectivity in CSR form, delay rings). Every buffer's size is estimated
// and compared with the memory still available before it is allocated, so
// that an oversized network fails with a message instead of being killed by
// the OOM killer halfway through construction.
//
//===----------------------------------------------------------------------===//

#include "Philox.h"
#include "SimulationImpl.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <fstream>
#include <unistd.h>

using namespace nnc::rt::detail;

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

/// The first number after `key` at the start of a line of `path` (a
/// /proc/meminfo or cgroup memory.stat style file), or -1.
static double readKeyedValue(const char *path, const std::string &key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) != 0)
      continue;
    const char *p = line.c_str() + key.size();
    while (*p == ' ' || *p == '\t' || *p == ':')
      ++p;
    char *end = nullptr;
    double value = std::strtod(p, &end);
    return end == p ? -1.0 : value;
  }
  return -1.0;
}

/// The number in a single-value file such as cgroup's memory.max, or -1 if
/// the file is missing or says "max".
static double readSingleValue(const char *path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text))
    return -1.0;
  char *end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  return end == text.c_str() ? -1.0 : value;
}

/// Memory left under the cgroup limit, counting inactive page cache as
/// reclaimable; -1 if there is no (finite) limit.
static double cgroupAvailableBytes() {
  // cgroup v2, then v1. "No limit" shows up as "max" or as ~2^63.
  double limit = readSingleValue("/sys/fs/cgroup/memory.max");
  double usage = readSingleValue("/sys/fs/cgroup/memory.current");
  double inactive =
      readKeyedValue("/sys/fs/cgroup/memory.stat", "inactive_file ");
  if (limit < 0 || usage < 0) {
    limit = readSingleValue("/sys/fs/cgroup/memory/memory.limit_in_bytes");
    usage = readSingleValue("/sys/fs/cgroup/memory/memory.usage_in_bytes");
    inactive = readKeyedValue("/sys/fs/cgroup/memory/memory.stat",
                              "total_inactive_file ");
  }
  if (limit < 0 || usage < 0 || limit >= 0x1.0p60)
    return -1.0;
  return std::max(0.0, limit - usage + std::max(0.0, inactive));
}

double nnc::rt::detail::availableMemoryBytes() {
  // MemAvailable includes reclaimable page cache; _SC_AVPHYS_PAGES (MemFree)
  // does not and would refuse networks on machines with a warm file cache.
  double available = readKeyedValue("/proc/meminfo", "MemAvailable:");
  if (available >= 0) {
    available *= 1024.0; // reported in kB
  } else {
    long pages = sysconf(_SC_AVPHYS_PAGES);
    long pageSize = sysconf(_SC_PAGESIZE);
    if (pages < 0 || pageSize <= 0)
      return HUGE_VAL; // unknown: do not refuse anything
    available = static_cast<double>(pages) * static_cast<double>(pageSize);
  }
  double cgroup = cgroupAvailableBytes();
  if (cgroup >= 0)
    available = std::min(available, cgroup);
  return available;
}

std::string nnc::rt::detail::formatBytes(double bytes) {
  static const char *const units[] = {"bytes", "KiB", "MiB", "GiB",
                                      "TiB",   "PiB", "EiB"};
  int unit = 0;
  while (bytes >= 1024.0 && unit < 6) {
    bytes /= 1024.0;
    ++unit;
  }
  char text[64];
  if (unit == 0)
    std::snprintf(text, sizeof(text), "%.0f bytes", bytes);
  else
    std::snprintf(text, sizeof(text), "%.1f %s", bytes, units[unit]);
  return text;
}

bool nnc_sim::checkMemory(double bytes, const std::string &what) {
  double available = availableMemoryBytes();
  // The cap keeps sizes computed later in int64/size_t from overflowing even
  // when the available memory is unknown.
  if (bytes <= available && bytes < 0x1.0p62)
    return true;
  fail("network needs " + formatBytes(bytes) + " for " + what + " but only " +
       formatBytes(available) + " is available");
  return false;
}

void *nnc_sim::lookupKernel(const std::string &name) {
  void *symbol = (resolve && *resolve) ? (*resolve)(name) : nullptr;
  if (!symbol)
    fail("compiled artifact has no kernel '" + name + "'");
  return symbol;
}

/// malloc's alignment is not enough for the kernels' vector loads.
template <typename T> static T *allocateAligned(int64_t count) {
  size_t bytes = static_cast<size_t>(std::max<int64_t>(count, 1)) * sizeof(T);
  bytes = (bytes + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment;
  void *p = nullptr;
  if (posix_memalign(&p, kBufferAlignment, bytes) != 0)
    return nullptr;
  std::memset(p, 0, bytes);
  return static_cast<T *>(p);
}

nnc_memref2d Population::stateRef() const {
  nnc_memref2d ref;
  ref.allocated = state.get();
  ref.aligned = state.get();
  ref.offset = 0;
  ref.sizes[0] = numRows;
  ref.sizes[1] = size;
  ref.strides[0] = size;
  ref.strides[1] = 1;
  return ref;
}

nnc_memref1d_i32 Population::spikesRef() const { return spikesRef(0, size); }

nnc_memref2d Projection::synStateRef() {
  // Kernels get a valid pointer even without synapse state.
  static double none = 0.0;
  nnc_memref2d ref;
  // An f32 array is passed through the same descriptor: the kernel's
  // memref has f32 elements.
  ref.allocated =
      synState.data() ? static_cast<double *>(synState.data()) : &none;
  ref.aligned = ref.allocated;
  ref.offset = 0;
  ref.sizes[0] = numSynapseRows;
  ref.sizes[1] = numSynapses();
  ref.strides[0] = numSynapses();
  ref.strides[1] = 1;
  return ref;
}

nnc_memref2d Projection::synStateRef(int64_t begin, int64_t end) {
  nnc_memref2d ref = synStateRef();
  ref.offset = begin;
  ref.sizes[1] = end - begin;
  return ref;
}

nnc_memref2d Population::stateRef(int64_t begin, int64_t end) const {
  nnc_memref2d ref = stateRef();
  ref.offset = begin;
  ref.sizes[1] = end - begin;
  return ref;
}

nnc_memref1d_i32 Population::spikesRef(int64_t begin, int64_t end) const {
  nnc_memref1d_i32 ref;
  ref.allocated = spikes.get();
  ref.aligned = spikes.get();
  ref.offset = begin;
  ref.sizes[0] = end - begin;
  ref.strides[0] = 1;
  return ref;
}

//===----------------------------------------------------------------------===//
// Builder functions
//===----------------------------------------------------------------------===//

static bool isValidName(const char *name) { return name && *name; }

extern "C" void nnc_rt_set_network(nnc_sim *sim, const char *name, double dt) {
  if (!sim || sim->failed())
    return;
  if (sim->networkSet)
    return sim->fail("nnc_rt_set_network called twice");
  if (!isValidName(name))
    return sim->fail("network has no name");
  if (!(dt > 0.0) || !std::isfinite(dt))
    return sim->fail("network '" + std::string(name) +
                     "' has an invalid time step (dt must be > 0)");
  sim->networkName = name;
  sim->dt = dt;
  sim->networkSet = true;
}

/// nnc_rt_add_population and nnc_rt_add_modulator.
static int32_t addPopulation(nnc_sim *sim, const char *name, const char *model,
                             int64_t size, int64_t numRows, bool modulator) {
  if (!sim || sim->failed())
    return -1;
  if (!isValidName(name) || !isValidName(model)) {
    sim->fail("population without a name or model");
    return -1;
  }
  std::string popName = name;
  if (sim->step > 0) {
    sim->fail("population '" + popName +
              "' added after the simulation started");
    return -1;
  }
  for (const Population &pop : sim->populations) {
    if (pop.name == popName) {
      sim->fail("population '" + popName + "' is defined twice");
      return -1;
    }
  }
  // Spike indices are int32 in the ABI.
  if (size <= 0 || size > INT32_MAX) {
    sim->fail("population '" + popName + "' has invalid size " +
              std::to_string(size) + " (must be 1 to 2147483647)");
    return -1;
  }
  if (numRows < 0) {
    sim->fail("population '" + popName + "' has a negative number of rows");
    return -1;
  }
  if (sim->populations.size() >= static_cast<size_t>(INT32_MAX)) {
    sim->fail("too many populations");
    return -1;
  }

  Population pop;
  pop.name = popName;
  pop.model = model;
  pop.size = size;
  pop.numRows = numRows;
  pop.isModulator = modulator;
  auto init = reinterpret_cast<InitKernel>(
      sim->lookupKernel("_mlir_ciface_" + popName + "_init"));
  pop.update = reinterpret_cast<UpdateKernel>(
      sim->lookupKernel("_mlir_ciface_" + pop.model + "_update"));
  if (sim->failed())
    return -1;

  double stateBytes = static_cast<double>(numRows) * size * sizeof(double);
  double spikeBytes = static_cast<double>(size) * sizeof(int32_t);
  if (!sim->checkMemory(stateBytes + spikeBytes,
                        "population '" + popName + "'"))
    return -1;
  pop.state.reset(allocateAligned<double>(numRows * size));
  pop.spikes.reset(allocateAligned<int32_t>(size));
  if (!pop.state || !pop.spikes) {
    sim->fail("out of memory allocating population '" + popName + "'");
    return -1;
  }
  sim->memoryBytes += stateBytes + spikeBytes;

  int32_t id = static_cast<int32_t>(sim->populations.size());
  nnc_memref2d state = pop.stateRef();
  init(&state, deriveKey(sim->seed, kPurposeInit, id));
  pop.updateKey = deriveKey(sim->seed, kPurposeStep, id);
  sim->populations.push_back(std::move(pop));
  return id;
}

extern "C" int32_t nnc_rt_add_population(nnc_sim *sim, const char *name,
                                         const char *model, int64_t size,
                                         int64_t numRows) {
  return addPopulation(sim, name, model, size, numRows, /*modulator=*/false);
}

extern "C" void nnc_rt_set_update_period(nnc_sim *sim, int32_t pop,
                                         int64_t steps) {
  if (!sim || sim->failed())
    return;
  if (pop < 0 || static_cast<size_t>(pop) >= sim->populations.size() ||
      steps < 1 || sim->populations[pop].isSpikeSource() ||
      sim->populations[pop].isModulator)
    return sim->fail("nnc_rt_set_update_period: invalid population " +
                     std::to_string(pop) + " or period " +
                     std::to_string(steps));
  sim->populations[pop].updateEvery = steps;
}

extern "C" int32_t nnc_rt_add_modulator(nnc_sim *sim, const char *name,
                                        const char *model, int64_t size,
                                        int64_t numRows) {
  return addPopulation(sim, name, model, size, numRows, /*modulator=*/true);
}

extern "C" double *nnc_rt_state_row(nnc_sim *sim, int32_t pop, int64_t row) {
  if (!sim || sim->failed())
    return nullptr;
  if (pop < 0 || static_cast<size_t>(pop) >= sim->populations.size() ||
      sim->populations[pop].isSpikeSource()) {
    sim->fail("nnc_rt_state_row: no population " + std::to_string(pop) +
              " with state");
    return nullptr;
  }
  Population &p = sim->populations[pop];
  if (row < 0 || row >= p.numRows) {
    sim->fail("nnc_rt_state_row: population '" + p.name +
              "' has no state row " + std::to_string(row));
    return nullptr;
  }
  return p.state.get() + row * p.size;
}

extern "C" void nnc_rt_add_clock_driven(nnc_sim *sim, int32_t proj) {
  if (!sim || sim->failed())
    return;
  if (proj < 0 || static_cast<size_t>(proj) >= sim->projections.size())
    return sim->fail("nnc_rt_add_clock_driven: unknown projection " +
                     std::to_string(proj));
  Projection &p = sim->projections[proj];
  if (p.numSynapseRows == 0)
    return sim->fail("nnc_rt_add_clock_driven: projection '" + p.name +
                     "' has no synapse state");
  p.updateSynapses = reinterpret_cast<SynapseUpdateKernel>(
      sim->lookupKernel("_mlir_ciface_" + p.name + "_update_synapses"));
}

extern "C" void nnc_rt_set_plastic_delays(nnc_sim *sim, int32_t proj,
                                          int64_t maxDelaySteps) {
  if (!sim || sim->failed())
    return;
  if (proj < 0 || static_cast<size_t>(proj) >= sim->projections.size())
    return sim->fail("nnc_rt_set_plastic_delays: unknown projection " +
                     std::to_string(proj));
  Projection &p = sim->projections[proj];
  std::string what = "projection '" + p.name + "'";
  if (p.delayRow < 0)
    return sim->fail(what + " has no per-synapse delays to change");
  if (maxDelaySteps < 1 || maxDelaySteps > (int64_t(1) << 31))
    return sim->fail(what + " has an invalid bound of " +
                     std::to_string(maxDelaySteps) + " steps on its delays");
  if (p.maxDelaySteps > maxDelaySteps) {
    char text[160];
    std::snprintf(text, sizeof(text),
                  " has a synapse with delay %g ms, above the bound of its "
                  "delays (up_to %g ms)",
                  static_cast<double>(p.maxDelaySteps) * sim->dt * 1e3,
                  static_cast<double>(maxDelaySteps) * sim->dt * 1e3);
    return sim->fail(what + text);
  }
  sim->memoryBytes += static_cast<double>(maxDelaySteps - p.maxDelaySteps) *
                      sizeof(std::vector<int64_t>);
  p.plasticDelays = true;
  p.maxDelaySteps = maxDelaySteps;
  p.ring.resize(static_cast<size_t>(maxDelaySteps + 1));
}

extern "C" int32_t nnc_rt_add_spike_source(nnc_sim *sim, const char *name,
                                           int64_t size, const int64_t *steps,
                                           const int32_t *indices,
                                           int64_t count) {
  if (!sim || sim->failed())
    return -1;
  if (!isValidName(name)) {
    sim->fail("spike source without a name");
    return -1;
  }
  std::string what = std::string("spike source '") + name + "'";
  if (sim->step > 0) {
    sim->fail(what + " added after the simulation started");
    return -1;
  }
  for (const Population &pop : sim->populations)
    if (pop.name == name) {
      sim->fail("population '" + pop.name + "' is defined twice");
      return -1;
    }
  if (size <= 0 || size > INT32_MAX || count < 0 ||
      (count > 0 && (!steps || !indices))) {
    sim->fail(what + " has an invalid size or event list");
    return -1;
  }
  for (int64_t e = 0; e < count; ++e)
    if (steps[e] < 0 || indices[e] < 0 || indices[e] >= size ||
        (e > 0 &&
         (steps[e] < steps[e - 1] ||
          (steps[e] == steps[e - 1] && indices[e] <= indices[e - 1])))) {
      sim->fail(what + ": event " + std::to_string(e) +
                " is out of range or out of order");
      return -1;
    }
  double bytes =
      static_cast<double>(count) * (sizeof(int64_t) + sizeof(int32_t)) +
      static_cast<double>(size) * sizeof(int32_t);
  if (!sim->checkMemory(bytes, what))
    return -1;
  Population pop;
  pop.name = name;
  pop.model = "spike_times";
  pop.size = size;
  pop.state.reset(allocateAligned<double>(0));
  pop.spikes.reset(allocateAligned<int32_t>(size));
  if (!pop.spikes || !pop.eventSteps.resize(static_cast<size_t>(count)) ||
      !pop.eventIndices.resize(static_cast<size_t>(count))) {
    sim->fail("out of memory allocating " + what);
    return -1;
  }
  std::copy(steps, steps + count, pop.eventSteps.data());
  std::copy(indices, indices + count, pop.eventIndices.data());
  sim->memoryBytes += bytes;
  int32_t id = static_cast<int32_t>(sim->populations.size());
  sim->populations.push_back(std::move(pop));
  return id;
}

/// Fixed-probability connectivity: each (i, j) pair exists independently with
/// probability p. Per row, the gaps between targets are geometric, so a row
/// costs one draw per synapse instead of one per candidate; draw d of row i
/// uses counter (i << 32) + d, which makes every row independent of all
/// others (and of the size of the source population).
static bool connectFixedProbability(Projection &proj, int64_t preSize,
                                    int64_t postSize, uint64_t key) {
  double p = proj.param;
  double invLogQ = 1.0 / std::log1p(-p); // < 0 for 0 < p < 1
  // A p so small that 1/log(1-p) overflows connects nothing in practice.
  bool none = p <= 0.0 || !std::isfinite(invLogQ);
  for (int64_t i = 0; i < preSize; ++i) {
    proj.rowPtr[i] = static_cast<int64_t>(proj.colIdx.size());
    if (none)
      continue;
    if (p >= 1.0) {
      for (int64_t j = 0; j < postSize; ++j)
        if (!proj.colIdx.pushBack(static_cast<int32_t>(j)))
          return false;
      continue;
    }
    uint64_t counter = static_cast<uint64_t>(i) << 32;
    int64_t j = -1;
    while (true) {
      // Number of failures before the next success, from 1 - u in (0, 1]
      // (exact for 53-bit u, and log is much cheaper than log1p). Compared
      // in double: the gap can exceed int64.
      double gap =
          std::floor(std::log(1.0 - uniform(key, counter++)) * invLogQ);
      if (!(static_cast<double>(j) + gap + 1.0 < static_cast<double>(postSize)))
        break;
      j += static_cast<int64_t>(gap) + 1;
      if (!proj.colIdx.pushBack(static_cast<int32_t>(j)))
        return false;
    }
  }
  proj.rowPtr[preSize] = static_cast<int64_t>(proj.colIdx.size());
  return true;
}

/// The connection probabilities of source `i` to every target, computed by
/// the projection's compiled `<name>_connect_row` kernel into `row`.
static void connectionRow(ConnectRowKernel kernel, const Population &pre,
                          const Population &post, int64_t i,
                          std::vector<double> &row) {
  nnc_memref2d preRef = pre.stateRef(), postRef = post.stateRef();
  nnc_memref1d_f64 rowRef{
      row.data(), row.data(), 0, {static_cast<int64_t>(row.size())}, {1}};
  kernel(&preRef, &postRef, i, &rowRef);
}

/// Each pair independently with its own probability p(i, j) (a
/// distance-dependent rule, say): connected if uniform(key, i * 2^32 + j)
/// < p, so the synapses do not depend on how the rows are computed.
static bool connectProbabilityFn(Projection &proj, ConnectRowKernel kernel,
                                 const Population &pre, const Population &post,
                                 uint64_t key) {
  std::vector<double> row(static_cast<size_t>(post.size));
  for (int64_t i = 0; i < pre.size; ++i) {
    proj.rowPtr[i] = static_cast<int64_t>(proj.colIdx.size());
    connectionRow(kernel, pre, post, i, row);
    uint64_t counter = static_cast<uint64_t>(i) << 32;
    for (int64_t j = 0; j < post.size; ++j)
      if (uniform(key, counter + static_cast<uint64_t>(j)) < row[j] &&
          !proj.colIdx.pushBack(static_cast<int32_t>(j)))
        return false;
  }
  proj.rowPtr[pre.size] = static_cast<int64_t>(proj.colIdx.size());
  return true;
}

/// `k` distinct values of [0, n) in ascending order, uniformly chosen
/// (Floyd's algorithm: k draws, however large n is). `mark` has n entries,
/// all false, and is left so.
static void sampleDistinct(int64_t k, int64_t n, uint64_t key, uint64_t counter,
                           std::vector<bool> &mark, std::vector<int32_t> &out) {
  out.clear();
  for (int64_t j = n - k; j < n; ++j) {
    int64_t t =
        std::min<int64_t>(static_cast<int64_t>(uniform(key, counter++) *
                                               static_cast<double>(j + 1)),
                          j);
    int64_t pick = mark[t] ? j : t;
    mark[pick] = true;
    out.push_back(static_cast<int32_t>(pick));
  }
  std::sort(out.begin(), out.end());
  for (int32_t v : out)
    mark[v] = false;
}

/// Fixed out-degree: row i (a source) draws its k targets with counters
/// (i << 32) + d. Fixed in-degree: target j draws its k sources likewise,
/// then the pairs are sorted into rows by source.
/// Fixed out-degree: every source in [r.preLo, r.preHi) picks `param`
/// distinct targets in [r.postLo, r.postHi); fixed in-degree: every target
/// in the target range picks that many distinct sources in the source
/// range. Neurons outside the ranges get no synapses.
static bool connectFixedDegree(Projection &proj, int64_t preSize,
                               const ConnectRanges &r, uint64_t key, bool out) {
  int64_t k = static_cast<int64_t>(proj.param);
  int64_t preCount = r.preHi - r.preLo, postCount = r.postHi - r.postLo;
  std::vector<bool> mark(static_cast<size_t>(out ? postCount : preCount));
  std::vector<int32_t> chosen;
  if (out) {
    int64_t made = 0;
    for (int64_t i = 0; i < preSize; ++i) {
      proj.rowPtr[i] = made;
      if (i < r.preLo || i >= r.preHi)
        continue;
      sampleDistinct(k, postCount, key, static_cast<uint64_t>(i) << 32, mark,
                     chosen);
      for (int32_t j : chosen)
        if (!proj.colIdx.pushBack(static_cast<int32_t>(r.postLo + j)))
          return false;
      made += k;
    }
    proj.rowPtr[preSize] = made;
    return true;
  }
  // Sources of every target, then a counting sort by source; targets are
  // visited in order, so every row comes out sorted.
  std::vector<int32_t> sources;
  sources.reserve(static_cast<size_t>(postCount * k));
  std::vector<int64_t> count(static_cast<size_t>(preSize) + 1, 0);
  for (int64_t j = r.postLo; j < r.postHi; ++j) {
    sampleDistinct(k, preCount, key, static_cast<uint64_t>(j) << 32, mark,
                   chosen);
    for (int32_t i : chosen) {
      sources.push_back(static_cast<int32_t>(r.preLo + i));
      ++count[r.preLo + i + 1];
    }
  }
  for (int64_t i = 0; i < preSize; ++i)
    count[i + 1] += count[i];
  for (int64_t i = 0; i <= preSize; ++i)
    proj.rowPtr[i] = count[i];
  if (!proj.colIdx.resize(static_cast<size_t>(postCount * k)))
    return false;
  for (int64_t j = r.postLo; j < r.postHi; ++j)
    for (int64_t d = 0; d < k; ++d) {
      int32_t i = sources[(j - r.postLo) * k + d];
      proj.colIdx[count[i]++] = static_cast<int32_t>(j);
    }
  return true;
}

/// Per-synapse delays from state row `delayRow`: sorts the synapses of
/// each source by delay (keeping the target order among equal delays,
/// permuting the targets and every state row alike) and groups equal
/// delays, so one spike queues one synapse range per distinct delay.
static bool groupSynapsesByDelay(nnc_sim &sim, Projection &proj,
                                 const std::string &what) {
  int64_t n = proj.numSynapses();
  int64_t numSources = static_cast<int64_t>(proj.rowPtr.size()) - 1;
  size_t delayBase = static_cast<size_t>(proj.delayRow * n);
  // A delay of exactly dt may be stored as a float just below it.
  double tolerance = proj.synState.single() ? 1e-6 : 1e-9;
  PodArray<int64_t> steps;
  if (!steps.resize(static_cast<size_t>(n)) ||
      !proj.groupPtr.resize(static_cast<size_t>(numSources + 1))) {
    sim.fail("out of memory sorting the delays of " + what);
    return false;
  }
  for (int64_t k = 0; k < n; ++k) {
    double d = proj.synState.get(delayBase + static_cast<size_t>(k));
    if (!(d >= sim.dt * (1 - tolerance)) || !(d / sim.dt < 2147483648.0)) {
      char text[160];
      std::snprintf(text, sizeof(text),
                    " has a synapse (number %lld) with delay %g ms; delays "
                    "must be at least the time step dt = %g ms (clip the "
                    "distribution, e.g. max(dt, normal(...)))",
                    static_cast<long long>(k), d * 1e3, sim.dt * 1e3);
      sim.fail(what + text);
      return false;
    }
    steps[k] = std::llround(d / sim.dt);
  }
  // A counting sort per source (delays are a few dozen distinct steps):
  // linear, stable, and with buffers reused across sources.
  int64_t maxSteps = 0;
  for (int64_t k = 0; k < n; ++k)
    maxSteps = std::max(maxSteps, steps[k]);
  std::vector<int64_t> slot(static_cast<size_t>(maxSteps + 2));
  std::vector<int64_t> order;
  std::vector<int32_t> targets;
  std::vector<double> values;
  auto permuteRows = [&](auto *array, int64_t begin) {
    for (int64_t row = 0; row < proj.numSynapseRows; ++row) {
      auto *base = array + row * n;
      for (size_t j = 0; j < order.size(); ++j)
        values[j] = base[order[j]];
      for (size_t j = 0; j < order.size(); ++j)
        base[begin + static_cast<int64_t>(j)] =
            static_cast<std::remove_reference_t<decltype(*base)>>(values[j]);
    }
  };
  for (int64_t i = 0; i < numSources; ++i) {
    int64_t begin = proj.rowPtr[i], end = proj.rowPtr[i + 1];
    proj.groupPtr[i] = static_cast<int64_t>(proj.groupBegin.size());
    if (begin == end)
      continue;
    bool sorted = true;
    for (int64_t k = begin + 1; k < end && sorted; ++k)
      sorted = steps[k - 1] <= steps[k];
    if (!sorted) {
      std::fill(slot.begin(), slot.end(), 0);
      for (int64_t k = begin; k < end; ++k)
        ++slot[steps[k] + 1];
      for (size_t d = 1; d < slot.size(); ++d)
        slot[d] += slot[d - 1];
      order.resize(static_cast<size_t>(end - begin));
      for (int64_t k = begin; k < end; ++k)
        order[slot[steps[k]]++] = k;
      targets.resize(order.size());
      for (size_t j = 0; j < order.size(); ++j)
        targets[j] = proj.colIdx[order[j]];
      std::copy(targets.begin(), targets.end(), proj.colIdx.data() + begin);
      values.resize(order.size());
      proj.synState.visit([&](auto *array) { permuteRows(array, begin); });
      // steps[] of this row in sorted order, for the groups below.
      for (size_t j = 0; j < order.size(); ++j)
        targets[j] = static_cast<int32_t>(steps[order[j]]);
      for (size_t j = 0; j < order.size(); ++j)
        steps[begin + static_cast<int64_t>(j)] = targets[j];
    }
    for (int64_t k = begin; k < end; ++k) {
      if (k > begin && steps[k] == steps[k - 1])
        continue;
      if (!proj.groupBegin.pushBack(k) || !proj.groupDelay.pushBack(steps[k])) {
        sim.fail("out of memory grouping the delays of " + what);
        return false;
      }
    }
  }
  proj.maxDelaySteps = std::max(proj.maxDelaySteps, maxSteps);
  proj.groupPtr[numSources] = static_cast<int64_t>(proj.groupBegin.size());
  sim.memoryBytes += static_cast<double>(proj.groupBegin.capacity() +
                                         proj.groupDelay.capacity() +
                                         proj.groupPtr.capacity()) *
                     sizeof(int64_t);
  return true;
}

/// The synapses onto each target, for on_post: a counting sort of the
/// synapse numbers by target.
static bool indexSynapsesByTarget(nnc_sim &sim, Projection &proj,
                                  int64_t postSize, const std::string &what) {
  int64_t n = proj.numSynapses();
  if (!sim.checkMemory(static_cast<double>(postSize + 1 + n) * sizeof(int64_t),
                       what) ||
      !proj.postPtr.resize(static_cast<size_t>(postSize + 1)) ||
      !proj.synIds.resize(static_cast<size_t>(n))) {
    if (!sim.failed())
      sim.fail("out of memory indexing the synapses of " + what);
    return false;
  }
  reindexSynapsesByTarget(proj, postSize);
  sim.memoryBytes += static_cast<double>(postSize + 1 + n) * sizeof(int64_t);
  return true;
}

void nnc::rt::detail::reindexSynapsesByTarget(Projection &proj,
                                              int64_t postSize) {
  int64_t n = proj.numSynapses();
  std::fill(proj.postPtr.data(), proj.postPtr.data() + postSize + 1, 0);
  for (int64_t k = 0; k < n; ++k)
    ++proj.postPtr[proj.colIdx[k] + 1];
  for (int64_t j = 0; j < postSize; ++j)
    proj.postPtr[j + 1] += proj.postPtr[j];
  std::vector<int64_t> next(proj.postPtr.data(),
                            proj.postPtr.data() + postSize);
  for (int64_t k = 0; k < n; ++k)
    proj.synIds[next[proj.colIdx[k]]++] = k;
}

extern "C" void nnc_rt_set_connect_ranges(nnc_sim *sim, int64_t preLo,
                                          int64_t preHi, int64_t postLo,
                                          int64_t postHi) {
  if (!sim || sim->failed())
    return;
  sim->pendingRanges = ConnectRanges{preLo, preHi, postLo, postHi};
}

extern "C" int32_t
nnc_rt_add_projection(nnc_sim *sim, const char *name, int32_t pre, int32_t post,
                      int32_t rule, double param, int64_t delaySteps,
                      int64_t numSynapseRows, int64_t delayRow, int32_t flags,
                      const int32_t *pairPre, const int32_t *pairPost,
                      int64_t numPairs) {
  if (!sim || sim->failed())
    return -1;
  if (!isValidName(name)) {
    sim->fail("projection without a name");
    return -1;
  }
  std::string projName = name;
  std::string what = "projection '" + projName + "'";
  if (sim->step > 0) {
    sim->fail(what + " added after the simulation started");
    return -1;
  }
  for (const Projection &proj : sim->projections) {
    if (proj.name == projName) {
      sim->fail(what + " is defined twice");
      return -1;
    }
  }
  int32_t numPops = static_cast<int32_t>(sim->populations.size());
  if (pre < 0 || pre >= numPops || post < 0 || post >= numPops) {
    sim->fail(what + " refers to an unknown population");
    return -1;
  }
  if (delaySteps < 0) {
    sim->fail(what + " has a negative delay");
    return -1;
  }
  if (numSynapseRows < 0 || delayRow < -1 || delayRow >= numSynapseRows) {
    sim->fail(what + " has an invalid synapse state layout");
    return -1;
  }
  double memoryBefore = sim->memoryBytes;
  // A ring slot per step of delay; beyond this the ring alone would be
  // absurd and delaySteps + 1 could overflow.
  if (delaySteps > (int64_t(1) << 31)) {
    sim->fail(what + " has a delay of " + std::to_string(delaySteps) +
              " steps, which is too long");
    return -1;
  }
  const Population &prePop = sim->populations[pre];
  const Population &postPop = sim->populations[post];
  int64_t preSize = prePop.size;
  int64_t postSize = postPop.size;
  // Ranges set by nnc_rt_set_connect_ranges apply to this projection only.
  ConnectRanges ranges =
      sim->pendingRanges.value_or(ConnectRanges{0, preSize, 0, postSize});
  sim->pendingRanges.reset();
  if (!(0 <= ranges.preLo && ranges.preLo < ranges.preHi &&
        ranges.preHi <= preSize && 0 <= ranges.postLo &&
        ranges.postLo < ranges.postHi && ranges.postHi <= postSize)) {
    sim->fail(what + " connects neurons out of the populations' range");
    return -1;
  }

  // Expected number of synapses, and an upper bound that will hold with
  // overwhelming probability for the random rule (mean + 6 sigma).
  double expected = 0.0;
  double reserve = 0.0;
  ConnectRowKernel connectRow = nullptr;
  switch (rule) {
  case NNC_CONNECT_ALL_TO_ALL:
    expected = reserve = static_cast<double>(preSize) * postSize;
    break;
  case NNC_CONNECT_ONE_TO_ONE:
    if (preSize != postSize) {
      sim->fail(what + " connects one-to-one but '" + prePop.name + "' has " +
                std::to_string(preSize) + " neurons and '" + postPop.name +
                "' has " + std::to_string(postSize));
      return -1;
    }
    expected = reserve = static_cast<double>(preSize);
    break;
  case NNC_CONNECT_FIXED_PROBABILITY: {
    if (!(param >= 0.0 && param <= 1.0)) {
      char text[64];
      std::snprintf(text, sizeof(text), "%g", param);
      sim->fail(what + " has connection probability " + text +
                ", which is not in [0, 1]");
      return -1;
    }
    double n = static_cast<double>(preSize) * postSize;
    expected = n * param;
    reserve = std::min(
        n,
        std::ceil(expected + 6.0 * std::sqrt(expected * (1.0 - param)) + 64.0));
    break;
  }
  case NNC_CONNECT_FIXED_OUTDEGREE:
  case NNC_CONNECT_FIXED_INDEGREE: {
    bool out = rule == NNC_CONNECT_FIXED_OUTDEGREE;
    int64_t among =
        out ? ranges.postHi - ranges.postLo : ranges.preHi - ranges.preLo;
    if (!(param >= 0.0 && param == std::floor(param) &&
          param <= static_cast<double>(among))) {
      char text[64];
      std::snprintf(text, sizeof(text), "%g", param);
      sim->fail(what + " has " + (out ? "out" : "in") + "-degree " + text +
                ", which is not a whole number in [0, " +
                std::to_string(among) + "] (the size of '" +
                (out ? postPop.name : prePop.name) + "')");
      return -1;
    }
    expected = reserve =
        param * static_cast<double>(out ? ranges.preHi - ranges.preLo
                                        : ranges.postHi - ranges.postLo);
    break;
  }
  case NNC_CONNECT_PROBABILITY_FN: {
    // A first pass over the probabilities gives the expected number of
    // synapses, to check memory and reserve before building.
    connectRow = reinterpret_cast<ConnectRowKernel>(
        sim->lookupKernel("_mlir_ciface_" + projName + "_connect_row"));
    if (!connectRow)
      return -1;
    std::vector<double> row(static_cast<size_t>(postSize));
    double variance = 0.0;
    for (int64_t i = 0; i < preSize; ++i) {
      connectionRow(connectRow, prePop, postPop, i, row);
      for (double p : row) {
        p = std::isnan(p) ? 0.0 : std::clamp(p, 0.0, 1.0);
        expected += p;
        variance += p * (1.0 - p);
      }
    }
    reserve = std::min(static_cast<double>(preSize) * postSize,
                       std::ceil(expected + 6.0 * std::sqrt(variance) + 64.0));
    break;
  }
  case NNC_CONNECT_EXPLICIT:
    if (numPairs < 0 || (numPairs > 0 && (!pairPre || !pairPost))) {
      sim->fail(what + " has an invalid list of connections");
      return -1;
    }
    for (int64_t k = 0; k < numPairs; ++k)
      if (pairPre[k] < 0 || pairPre[k] >= preSize || pairPost[k] < 0 ||
          pairPost[k] >= postSize ||
          (k > 0 && std::make_pair(pairPre[k - 1], pairPost[k - 1]) >=
                        std::make_pair(pairPre[k], pairPost[k]))) {
        sim->fail(what + ": connection " + std::to_string(k) +
                  " is out of range, out of order or repeated");
        return -1;
      }
    expected = reserve = static_cast<double>(numPairs);
    break;
  default:
    sim->fail(what + " has unknown connection rule " + std::to_string(rule));
    return -1;
  }

  Projection proj;
  proj.name = projName;
  proj.pre = pre;
  proj.post = post;
  proj.rule = rule;
  proj.param = param;
  proj.delaySteps = delaySteps;
  proj.onPre = reinterpret_cast<OnPreKernel>(
      sim->lookupKernel("_mlir_ciface_" + projName + "_on_pre"));
  proj.synState.setSingle(flags & NNC_PROJECTION_SINGLE_PRECISION);
  if (flags & NNC_PROJECTION_HAS_ON_POST)
    proj.onPost = reinterpret_cast<OnPostKernel>(
        sim->lookupKernel("_mlir_ciface_" + projName + "_on_post"));
  if (numSynapseRows > 0)
    proj.onPreFrozen = reinterpret_cast<OnPreKernel>(
        sim->lookupKernel("_mlir_ciface_" + projName + "_on_pre_frozen"));
  SynapseInitKernel initSynapses = nullptr;
  if (numSynapseRows > 0)
    initSynapses = reinterpret_cast<SynapseInitKernel>(
        sim->lookupKernel("_mlir_ciface_" + projName + "_init_synapses"));
  if (sim->failed())
    return -1;
  proj.numSynapseRows = numSynapseRows;
  proj.delayRow = delayRow;

  double rowPtrBytes = static_cast<double>(preSize + 1) * sizeof(int64_t);
  // Fixed in-degree holds the (target, source) pairs once more while
  // sorting them by source.
  double colIdxBytes =
      reserve * sizeof(int32_t) * (rule == NNC_CONNECT_FIXED_INDEGREE ? 2 : 1);
  // The ring's slots start empty and grow to at most one step's spikes each.
  double ringBytes = delaySteps > 0 ? static_cast<double>(delaySteps + 1) *
                                          sizeof(std::vector<int64_t>)
                                    : 0.0;
  double synStateBytes = reserve * static_cast<double>(numSynapseRows) *
                         static_cast<double>(proj.synState.bytesPerValue());
  if (!sim->checkMemory(rowPtrBytes + colIdxBytes + ringBytes + synStateBytes,
                        what))
    return -1;
  if (!proj.rowPtr.resize(static_cast<size_t>(preSize + 1)) ||
      !proj.colIdx.reserve(static_cast<size_t>(reserve))) {
    sim->fail("out of memory allocating the connectivity of " + what);
    return -1;
  }

  switch (rule) {
  case NNC_CONNECT_ALL_TO_ALL:
    proj.colIdx.resize(static_cast<size_t>(preSize * postSize));
    for (int64_t i = 0; i < preSize; ++i) {
      proj.rowPtr[i] = i * postSize;
      int32_t *row = proj.colIdx.data() + i * postSize;
      for (int64_t j = 0; j < postSize; ++j)
        row[j] = static_cast<int32_t>(j);
    }
    proj.rowPtr[preSize] = preSize * postSize;
    break;
  case NNC_CONNECT_ONE_TO_ONE:
    proj.colIdx.resize(static_cast<size_t>(preSize));
    for (int64_t i = 0; i < preSize; ++i) {
      proj.rowPtr[i] = i;
      proj.colIdx[i] = static_cast<int32_t>(i);
    }
    proj.rowPtr[preSize] = preSize;
    break;
  case NNC_CONNECT_EXPLICIT: {
    // Sorted by source: the CSR rows are consecutive runs of the list.
    proj.colIdx.resize(static_cast<size_t>(numPairs));
    int64_t k = 0;
    for (int64_t i = 0; i < preSize; ++i) {
      proj.rowPtr[i] = k;
      for (; k < numPairs && pairPre[k] == i; ++k)
        proj.colIdx[k] = pairPost[k];
    }
    proj.rowPtr[preSize] = numPairs;
    break;
  }
  default: {
    uint64_t key = deriveKey(sim->seed, kPurposeConn,
                             static_cast<uint64_t>(sim->projections.size()));
    bool built =
        rule == NNC_CONNECT_FIXED_PROBABILITY
            ? connectFixedProbability(proj, preSize, postSize, key)
        : rule == NNC_CONNECT_PROBABILITY_FN
            ? connectProbabilityFn(proj, connectRow, prePop, postPop, key)
            : connectFixedDegree(proj, preSize, ranges, key,
                                 rule == NNC_CONNECT_FIXED_OUTDEGREE);
    if (!built) {
      sim->fail("out of memory building the connectivity of " + what);
      return -1;
    }
    break;
  }
  }

  int64_t numSynapses = proj.numSynapses();
  if (numSynapseRows > 0) {
    if (!proj.synState.resize(static_cast<size_t>(numSynapseRows) *
                              static_cast<size_t>(numSynapses))) {
      sim->fail("out of memory allocating the synapse state of " + what);
      return -1;
    }
    nnc_memref2d ref = proj.synStateRef();
    initSynapses(&ref,
                 deriveKey(sim->seed, kPurposeSynapse,
                           static_cast<uint64_t>(sim->projections.size())));
    sim->memoryBytes += static_cast<double>(proj.synState.size()) *
                        static_cast<double>(proj.synState.bytesPerValue());
  }
  proj.maxDelaySteps = delaySteps;
  if (delayRow >= 0) {
    proj.maxDelaySteps = 0;
    if (!groupSynapsesByDelay(*sim, proj, what))
      return -1;
  }
  if (proj.onPost && !indexSynapsesByTarget(*sim, proj, postSize, what))
    return -1;
  proj.ring.resize(static_cast<size_t>(proj.maxDelaySteps + 1));
  sim->synapseCount += static_cast<int64_t>(proj.colIdx.size());
  sim->memoryBytes +=
      rowPtrBytes + ringBytes +
      static_cast<double>(proj.colIdx.capacity()) * sizeof(int32_t);
  sim->synapseMemoryBytes += sim->memoryBytes - memoryBefore;
  int32_t id = static_cast<int32_t>(sim->projections.size());
  sim->projections.push_back(std::move(proj));
  return id;
}

extern "C" int32_t nnc_rt_add_poisson_input(nnc_sim *sim, const char *name,
                                            int32_t pop) {
  if (!sim || sim->failed())
    return -1;
  if (!isValidName(name)) {
    sim->fail("Poisson input without a name");
    return -1;
  }
  std::string what = std::string("input '") + name + "'";
  if (pop < 0 || static_cast<size_t>(pop) >= sim->populations.size()) {
    sim->fail(what + " refers to an unknown population");
    return -1;
  }
  if (sim->step > 0) {
    sim->fail(what + " added after the simulation started");
    return -1;
  }
  PoissonInput input;
  input.name = name;
  input.pop = pop;
  input.apply = reinterpret_cast<InputKernel>(
      sim->lookupKernel("_mlir_ciface_" + input.name + "_apply"));
  if (sim->failed())
    return -1;
  int32_t id = static_cast<int32_t>(sim->inputs.size());
  input.key = deriveKey(sim->seed, kPurposeInput, static_cast<uint64_t>(id));
  sim->inputs.push_back(std::move(input));
  return id;
}

extern "C" void nnc_rt_add_rewire(nnc_sim *sim, const char *name, int32_t proj,
                                  int64_t periodSteps) {
  if (!sim || sim->failed())
    return;
  if (!isValidName(name) || proj < 0 ||
      static_cast<size_t>(proj) >= sim->projections.size() || periodSteps < 1) {
    sim->fail("invalid structural plasticity rule");
    return;
  }
  Projection &p = sim->projections[proj];
  if (p.rewire) {
    sim->fail("projection '" + p.name + "' has two rewiring rules");
    return;
  }
  p.rewire = reinterpret_cast<RewireKernel>(
      sim->lookupKernel(std::string("_mlir_ciface_") + name + "_rewire"));
  p.rewireSteps = periodSteps;
}

extern "C" int32_t nnc_rt_add_cover(nnc_sim *sim, const char *name,
                                    int32_t proj, int32_t pop, int32_t flags) {
  if (!sim || sim->failed())
    return -1;
  if (!isValidName(name)) {
    sim->fail("cover without a name");
    return -1;
  }
  std::string what = std::string("cover '") + name + "'";
  if (proj < 0 || static_cast<size_t>(proj) >= sim->projections.size() ||
      pop < 0 || static_cast<size_t>(pop) >= sim->populations.size() ||
      sim->populations[pop].isSpikeSource()) {
    sim->fail(what + " refers to an unknown projection or population");
    return -1;
  }
  if (sim->step > 0) {
    sim->fail(what + " added after the simulation started");
    return -1;
  }
  Cover cover;
  cover.name = name;
  cover.proj = proj;
  cover.pop = pop;
  cover.run = reinterpret_cast<CoverKernel>(
      sim->lookupKernel("_mlir_ciface_" + cover.name + "_cover"));
  if (flags & NNC_COVER_HAS_DOMAIN)
    cover.domain = reinterpret_cast<CoverKernel>(
        sim->lookupKernel("_mlir_ciface_" + cover.name + "_domain"));
  if (sim->failed())
    return -1;
  sim->covers.push_back(std::move(cover));
  return static_cast<int32_t>(sim->covers.size() - 1);
}

extern "C" void nnc_rt_record_spikes(nnc_sim *sim, int32_t pop) {
  if (!sim || sim->failed())
    return;
  if (pop < 0 || static_cast<size_t>(pop) >= sim->populations.size())
    return sim->fail("nnc_rt_record_spikes: unknown population " +
                     std::to_string(pop));
  sim->populations[pop].recorded = true;
}

/// Names and units end up in CSV fields unquoted.
static bool isCsvSafe(const char *text) {
  return !std::strpbrk(text, ",\"\r\n");
}

/// Checks and adds a state monitor of row `monitor.row` of an object with
/// `numRows` rows of `size` values: a population's neurons or a
/// projection's synapses (`kind`), for messages from `api`.
static void addMonitor(nnc_sim *sim, StateMonitor monitor, const char *api,
                       const std::string &owner, int64_t numRows, int64_t size,
                       const char *variable, const char *unit) {
  bool synapses = monitor.proj >= 0;
  std::string ownerKind = synapses ? "projection" : "population";
  std::string kind = synapses ? "synapses" : "neurons";
  if (!isValidName(variable) || !isCsvSafe(variable))
    return sim->fail(std::string(api) + ": invalid variable name for " +
                     ownerKind + " '" + owner + "'");
  std::string what = "state monitor of " + owner + "." + variable;
  if (!unit || !isCsvSafe(unit))
    return sim->fail(what + " has an invalid unit");
  bool endpoint = synapses && (monitor.row == NNC_SYNAPSE_ROW_SOURCE ||
                               monitor.row == NNC_SYNAPSE_ROW_TARGET);
  if (!endpoint && (monitor.row < 0 || monitor.row >= numRows))
    return sim->fail(what + " refers to state row " +
                     std::to_string(monitor.row) + " but " + ownerKind + " '" +
                     owner + "' has " + std::to_string(numRows) + " rows");
  if (monitor.everySteps < 0)
    return sim->fail(what + " has sampling period " +
                     std::to_string(monitor.everySteps) +
                     " steps (must be >= 1, or 0 for once at the end)");
  if (monitor.last == -1)
    monitor.last = size;
  std::string range = "[" + std::to_string(monitor.first) + ", " +
                      std::to_string(monitor.last) + ")";
  if (monitor.first < 0 || monitor.last > size)
    return sim->fail(what + " records " + kind + " " + range + " but " +
                     ownerKind + " '" + owner + "' has " + kind + " [0, " +
                     std::to_string(size) + ")");
  if (monitor.first >= monitor.last)
    return sim->fail(what + " records the empty range of " + kind + " " +
                     range);
  if (sim->step > 0)
    return sim->fail(what + " added after the simulation started");
  monitor.variable = variable;
  monitor.unit = unit;
  sim->monitors.push_back(std::move(monitor));
  // traces.csv exists only if there are monitors; creating it here also
  // fails early if it cannot be written.
  std::string error;
  if (sim->traces && !sim->traces->isOpen() && !sim->traces->open(error))
    sim->fail(error);
}

extern "C" void nnc_rt_record_state(nnc_sim *sim, int32_t pop, int64_t row,
                                    const char *variable, const char *unit,
                                    int64_t everySteps, int64_t first,
                                    int64_t last) {
  if (!sim || sim->failed())
    return;
  if (pop < 0 || static_cast<size_t>(pop) >= sim->populations.size())
    return sim->fail("nnc_rt_record_state: unknown population " +
                     std::to_string(pop));
  const Population &p = sim->populations[pop];
  StateMonitor monitor;
  monitor.pop = pop;
  monitor.row = row;
  monitor.everySteps = everySteps;
  monitor.first = first;
  monitor.last = last;
  addMonitor(sim, std::move(monitor), "nnc_rt_record_state", p.name, p.numRows,
             p.size, variable, unit);
}

extern "C" void nnc_rt_record_synapse_state(nnc_sim *sim, int32_t proj,
                                            int64_t row, const char *variable,
                                            const char *unit,
                                            int64_t everySteps, int64_t first,
                                            int64_t last) {
  if (!sim || sim->failed())
    return;
  if (proj < 0 || static_cast<size_t>(proj) >= sim->projections.size())
    return sim->fail("nnc_rt_record_synapse_state: unknown projection " +
                     std::to_string(proj));
  const Projection &p = sim->projections[proj];
  StateMonitor monitor;
  monitor.proj = proj;
  monitor.row = row;
  monitor.everySteps = everySteps;
  monitor.first = first;
  monitor.last = last;
  addMonitor(sim, std::move(monitor), "nnc_rt_record_synapse_state", p.name,
             p.numSynapseRows, p.numSynapses(), variable, unit);
}
