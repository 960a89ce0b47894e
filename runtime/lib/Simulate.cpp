//===- Simulate.cpp - The time-step loop ----------------------------------===//
//
// nnc_rt_simulate runs the network step after step: it samples the state
// monitors due at the step, advances every population by one step, records
// the spikes and delivers them through the projections.
//
// With more than one thread, every population of at least minParallelSize
// neurons is split into one contiguous chunk of neurons per thread (chunk
// boundaries at multiples of kChunkAlignment), the chunks are updated
// concurrently by a pool of threads that lives for the whole run, and the
// chunks' spike lists are joined in chunk order: the spike list is the one a
// single thread would have produced, so every output is independent of the
// thread count. Synaptic propagation, recording and state monitors run on
// the calling thread.
//
//===----------------------------------------------------------------------===//

#include "Philox.h"
#include "SimulationImpl.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <pthread.h>
#include <unistd.h>

using namespace nnc::rt::detail;

//===----------------------------------------------------------------------===//
// WorkerPool
//===----------------------------------------------------------------------===//

namespace nnc::rt::detail {

/// Chunks hold a multiple of this many neurons, so that each one starts on
/// a 64-byte boundary of the state rows (doubles) and of the spike buffer
/// (int32): whole vectors and cache lines per thread.
constexpr int64_t kChunkAlignment = 16;

/// More threads than this are not used.
constexpr int kMaxThreads = 1024;

/// How long an idle thread spins before it blocks. Sleeping and waking up
/// costs more than a typical step, so threads spin across the serial part
/// of a step (propagation, recording) and block only when the simulation
/// pauses (or the machine is oversubscribed).
constexpr std::chrono::microseconds kSpinTime(100);

/// A fixed set of threads that help the calling thread run the tasks of one
/// job at a time. Tasks are claimed dynamically, so the caller runs every
/// task that no worker got to first: a worker that is descheduled (more
/// threads than free cores) costs parallelism but not a wait for it, and
/// the pool works with any number of threads, including none.
/// Synchronisation is through atomics, spinning first and then blocking on
/// a condition variable. Threads are created with pthread_create rather
/// than std::thread because the runtime cannot use exceptions to learn that
/// thread creation failed.
class WorkerPool {
public:
  using Job = void (*)(void *context, int task);
  /// Tasks per job: the claim word has 16 bits for the count.
  static constexpr int kMaxTasks = 0xffff;

  /// Starts up to `threads` - 1 threads besides the caller's.
  explicit WorkerPool(int threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool &) = delete;
  WorkerPool &operator=(const WorkerPool &) = delete;

  /// The caller and the pool's threads.
  int threads() const { return 1 + static_cast<int>(threads_.size()); }

  /// Runs job(context, task) once for every task in [0, numTasks), on the
  /// calling thread and the pool's, and returns when all have finished.
  void run(Job job, void *context, int numTasks);

private:
  static void *threadMain(void *arg);
  void work();
  /// Claims and runs tasks of the current job until none is left.
  void runTasks();

  std::vector<pthread_t> threads_;
  // Written by the caller before it publishes a job in claim_, read by
  // threads after they claimed one of its tasks: while a task is claimed
  // but unfinished, the caller cannot move on to the next job.
  Job job_ = nullptr;
  void *context_ = nullptr;
  uint32_t generation_ = 0;
  // The hot words, on cache lines of their own. claim_ holds the job's
  // generation (bits 32-63), its number of tasks (16-31) and the next
  // unclaimed task (0-15); a task is claimed by incrementing it with a CAS.
  alignas(64) std::atomic<uint64_t> claim_{0};
  alignas(64) std::atomic<int> completed_{0};
  alignas(64) std::atomic<int> sleepingWorkers_{0};
  std::atomic<bool> callerSleeping_{false};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
};

void WorkerPoolDeleter::operator()(WorkerPool *pool) const { delete pool; }

} // namespace nnc::rt::detail

namespace {

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

/// Spins until done() or kSpinTime has passed; returns done().
template <typename Done> bool spinUntil(Done done) {
  auto start = std::chrono::steady_clock::now();
  for (unsigned i = 1;; ++i) {
    if (done())
      return true;
    cpuRelax();
    if (i % 256 == 0 && std::chrono::steady_clock::now() - start > kSpinTime)
      return done();
  }
}

uint32_t claimGeneration(uint64_t claim) {
  return static_cast<uint32_t>(claim >> 32);
}
int claimTasks(uint64_t claim) {
  return static_cast<int>(claim >> 16 & 0xffff);
}
int claimNext(uint64_t claim) { return static_cast<int>(claim & 0xffff); }

} // namespace

WorkerPool::WorkerPool(int threads) {
  threads_.reserve(static_cast<size_t>(std::max(threads - 1, 0)));
  for (int i = 1; i < threads; ++i) {
    pthread_t thread;
    if (pthread_create(&thread, nullptr, threadMain, this) != 0)
      break;
    threads_.push_back(thread);
  }
}

WorkerPool::~WorkerPool() {
  stopping_.store(true);
  {
    // Under the lock, so that no worker can check the claim word and then
    // miss the notification.
    std::lock_guard<std::mutex> lock(mutex_);
    claim_.store(static_cast<uint64_t>(++generation_) << 32);
  }
  wake_.notify_all();
  for (pthread_t thread : threads_)
    pthread_join(thread, nullptr);
}

void *WorkerPool::threadMain(void *arg) {
  static_cast<WorkerPool *>(arg)->work();
  return nullptr;
}

void WorkerPool::work() {
  uint32_t seen = 0;
  while (true) {
    auto published = [&] {
      return claimGeneration(claim_.load(std::memory_order_acquire)) != seen;
    };
    if (!spinUntil(published)) {
      // sleepingWorkers_ and claim_ are both sequentially consistent:
      // either run() sees this thread sleeping and notifies under the lock,
      // or this thread sees the new job and does not wait.
      std::unique_lock<std::mutex> lock(mutex_);
      sleepingWorkers_.fetch_add(1);
      while (claimGeneration(claim_.load()) == seen)
        wake_.wait(lock);
      sleepingWorkers_.fetch_sub(1);
    }
    seen = claimGeneration(claim_.load(std::memory_order_acquire));
    if (stopping_.load())
      return;
    runTasks();
  }
}

void WorkerPool::runTasks() {
  uint64_t claim = claim_.load(std::memory_order_acquire);
  while (claimNext(claim) < claimTasks(claim)) {
    // A successful claim is always one of the current job's tasks (even if
    // this thread slept through other jobs since it read `claim`), and the
    // job cannot end before the task is done: job_ and context_ are valid.
    if (!claim_.compare_exchange_weak(claim, claim + 1,
                                      std::memory_order_acq_rel,
                                      std::memory_order_acquire))
      continue;
    job_(context_, claimNext(claim));
    if (completed_.fetch_add(1) + 1 == claimTasks(claim) &&
        callerSleeping_.load()) {
      std::lock_guard<std::mutex> lock(mutex_);
      done_.notify_one();
    }
    claim = claim_.load(std::memory_order_acquire);
  }
}

void WorkerPool::run(Job job, void *context, int numTasks) {
  if (numTasks <= 0)
    return;
  job_ = job;
  context_ = context;
  completed_.store(0, std::memory_order_relaxed);
  claim_.store(static_cast<uint64_t>(++generation_) << 32 |
               static_cast<uint64_t>(numTasks) << 16);
  if (sleepingWorkers_.load() > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  runTasks();
  // Only tasks that other threads claimed and have not finished are left.
  auto finished = [&] {
    return completed_.load(std::memory_order_acquire) == numTasks;
  };
  if (!spinUntil(finished)) {
    std::unique_lock<std::mutex> lock(mutex_);
    callerSleeping_.store(true);
    while (completed_.load() != numTasks)
      done_.wait(lock);
    callerSleeping_.store(false);
  }
}

//===----------------------------------------------------------------------===//
// The time-step loop
//===----------------------------------------------------------------------===//

namespace {

/// A one-line progress bar on stderr, redrawn at most ten times a second.
/// It stays silent for calls that finish within the first redraw interval,
/// so that programs made of many short `simulate` calls do not spam.
class ProgressBar {
public:
  ProgressBar(bool enabled, int64_t totalSteps, double dt)
      : enabled_(enabled && totalSteps > 0 && isatty(2)),
        totalSteps_(totalSteps), dt_(dt),
        lastDraw_(std::chrono::steady_clock::now()) {}

  void update(int64_t doneSteps) {
    if (!enabled_)
      return;
    auto now = std::chrono::steady_clock::now();
    if (now - lastDraw_ < std::chrono::milliseconds(100))
      return;
    lastDraw_ = now;
    draw(doneSteps);
  }

  void finish(int64_t doneSteps) {
    if (!enabled_ || !drawn_)
      return;
    draw(doneSteps);
    std::fputc('\n', stderr);
  }

private:
  void draw(int64_t doneSteps) {
    constexpr int width = 30;
    double fraction = static_cast<double>(doneSteps) / totalSteps_;
    int filled = static_cast<int>(fraction * width);
    char bar[width + 1];
    for (int i = 0; i < width; ++i)
      bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    std::fprintf(stderr, "\rsimulating [%s] %3d%%  %.3f / %.3f s", bar,
                 static_cast<int>(fraction * 100.0), doneSteps * dt_,
                 totalSteps_ * dt_);
    std::fflush(stderr);
    drawn_ = true;
  }

  bool enabled_;
  bool drawn_ = false;
  int64_t totalSteps_;
  double dt_;
  std::chrono::steady_clock::time_point lastDraw_;
};

nnc_memref1d_i32 spikeListRef(const int32_t *list, int64_t count) {
  nnc_memref1d_i32 ref;
  ref.allocated = const_cast<int32_t *>(list);
  ref.aligned = ref.allocated;
  ref.offset = 0;
  ref.sizes[0] = count;
  ref.strides[0] = 1;
  return ref;
}

std::string updateKernelName(const Population &pop) {
  return "kernel '_mlir_ciface_" + pop.model + "_update'";
}

/// Counts and records the `n` spikes now at the start of the population's
/// spike buffer (already checked).
bool recordSpikes(nnc_sim &sim, int32_t id, int64_t k, int64_t n) {
  Population &pop = sim.populations[id];
  pop.numSpikes = n;
  pop.totalSpikes += n;
  pop.phaseSpikes += n;
  if (n > 0 && pop.phaseCounts.empty())
    pop.phaseCounts.assign(pop.size, 0); // all zero until the first spike
  for (int64_t s = 0; s < n; ++s)
    ++pop.phaseCounts[pop.spikes.get()[s]];
  if (pop.recorded && sim.recorder && n > 0) {
    std::string error;
    if (!sim.recorder->record(sim, id, k, pop.spikes.get(), n, error)) {
      sim.fail(error);
      return false;
    }
  }
  return true;
}

/// Checks what the update kernel of population `id` returned for step `k`
/// (`n` spikes, for the whole population) and records the spikes; false
/// (with the error set) if the kernel misbehaved.
bool finishUpdate(nnc_sim &sim, int32_t id, int64_t k, int64_t n) {
  const Population &pop = sim.populations[id];
  // A bad count or index would make the on_pre kernels read out of bounds.
  if (n < 0 || n > pop.size) {
    sim.fail(updateKernelName(pop) + " returned " + std::to_string(n) +
             " spikes for population '" + pop.name + "' of size " +
             std::to_string(pop.size));
    return false;
  }
  const int32_t *indices = pop.spikes.get();
  for (int64_t i = 0; i < n; ++i) {
    if (static_cast<uint32_t>(indices[i]) >= static_cast<uint64_t>(pop.size)) {
      sim.fail(updateKernelName(pop) + " reported spike of neuron " +
               std::to_string(indices[i]) + " in population '" + pop.name +
               "' of size " + std::to_string(pop.size));
      return false;
    }
  }
  return recordSpikes(sim, id, k, n);
}

/// Runs the update kernel of population `id` for step `k` on all neurons.
/// The spikes a spike source emits in step k, into its spike buffer.
int64_t emitSourceSpikes(Population &pop, int64_t k) {
  int64_t n = 0;
  while (pop.nextEvent < pop.eventSteps.size() &&
         pop.eventSteps[pop.nextEvent] <= k) {
    if (pop.eventSteps[pop.nextEvent] == k)
      pop.spikes.get()[n++] = pop.eventIndices[pop.nextEvent];
    ++pop.nextEvent;
  }
  return n;
}

/// Runs the update kernel of population `id` for step `k` on all neurons
/// (or emits a spike source's spikes).
int64_t runUpdate(Population &pop, int64_t k) {
  if (!pop.enabled || k % pop.updateEvery != 0)
    return 0;
  if (pop.isSpikeSource())
    return emitSourceSpikes(pop, k);
  nnc_memref2d state = pop.stateRef();
  nnc_memref1d_i32 spikes = pop.spikesRef();
  return pop.update(&state, &spikes, k, pop.updateKey);
}

bool updatePopulation(nnc_sim &sim, int32_t id, int64_t k) {
  return finishUpdate(sim, id, k, runUpdate(sim.populations[id], k));
}

/// Neurons [begin, end) of chunk `chunk` of `chunks` of a population of
/// `size` neurons; empty for trailing chunks of small populations.
void chunkBounds(int64_t size, int chunks, int chunk, int64_t &begin,
                 int64_t &end) {
  int64_t length = (size + chunks - 1) / chunks;
  length = (length + kChunkAlignment - 1) / kChunkAlignment * kChunkAlignment;
  begin = std::min(size, chunk * length);
  end = std::min(size, begin + length);
}

/// One step of every population, with each large one split into `chunks`
/// chunks. Task t of the pool updates chunk t - 1 of every large population,
/// task 0 the small populations (if any).
class ParallelStep {
public:
  ParallelStep(nnc_sim &sim, int chunks) : sim_(sim), chunks_(chunks) {
    int32_t numPops = static_cast<int32_t>(sim.populations.size());
    slot_.assign(static_cast<size_t>(numPops), -1);
    wholeCounts_.assign(static_cast<size_t>(numPops), 0);
    for (int32_t id = 0; id < numPops; ++id) {
      if (sim.populations[id].isModulator) {
        slot_[id] = kModulator; // updated afterwards (runSteps)
      } else if (sim.populations[id].size >= sim.minParallelSize &&
                 !sim.populations[id].isSpikeSource()) {
        slot_[id] = static_cast<int32_t>(chunked_.size());
        chunked_.push_back(id);
      } else {
        whole_.push_back(id);
      }
    }
    counts_.assign(chunked_.size() * chunks_, Count());
  }

  /// Updates every population for step `k` and records the spikes.
  bool run(WorkerPool &pool, int64_t k) {
    step_ = k;
    pool.run(&ParallelStep::job, this, chunks_ + 1);
    for (int32_t id = 0; id < static_cast<int32_t>(slot_.size()); ++id) {
      if (slot_[id] == kModulator)
        continue;
      bool ok = slot_[id] < 0 ? finishUpdate(sim_, id, k, wholeCounts_[id])
                              : joinChunks(id, k);
      if (!ok)
        return false;
    }
    return true;
  }

private:
  static constexpr int32_t kModulator = -2;

  /// A spike count per chunk, on a cache line of its own.
  struct alignas(64) Count {
    int64_t value = 0;
  };

  static void job(void *context, int task) {
    auto *self = static_cast<ParallelStep *>(context);
    if (task == 0)
      self->updateWhole();
    else
      self->updateChunks(task - 1);
  }

  void updateChunks(int chunk) {
    for (size_t c = 0; c < chunked_.size(); ++c) {
      Population &pop = sim_.populations[chunked_[c]];
      int64_t begin, end;
      chunkBounds(pop.size, chunks_, chunk, begin, end);
      int64_t n = 0;
      if (begin < end && pop.enabled && step_ % pop.updateEvery == 0) {
        nnc_memref2d state = pop.stateRef(begin, end);
        nnc_memref1d_i32 spikes = pop.spikesRef(begin, end);
        n = pop.update(&state, &spikes, step_, pop.updateKey);
      }
      counts_[c * chunks_ + chunk].value = n;
    }
  }

  void updateWhole() {
    for (int32_t id : whole_)
      wholeCounts_[id] = runUpdate(sim_.populations[id], step_);
  }

  /// Checks every chunk's spikes and moves them, as population indices and
  /// in chunk order, to the start of the spike buffer.
  bool joinChunks(int32_t id, int64_t k) {
    const Population &pop = sim_.populations[id];
    int32_t *spikes = pop.spikes.get();
    int64_t total = 0;
    for (int t = 0; t < chunks_; ++t) {
      int64_t begin, end;
      chunkBounds(pop.size, chunks_, t, begin, end);
      int64_t n = counts_[slot_[id] * chunks_ + t].value;
      auto chunk = [&] {
        return "neurons [" + std::to_string(begin) + ", " +
               std::to_string(end) + ") of population '" + pop.name + "'";
      };
      if (n < 0 || n > end - begin) {
        sim_.fail(updateKernelName(pop) + " returned " + std::to_string(n) +
                  " spikes for " + chunk());
        return false;
      }
      // total <= begin: copying forwards never overwrites an unread index.
      const int32_t *local = spikes + begin;
      for (int64_t i = 0; i < n; ++i) {
        int32_t index = local[i];
        if (static_cast<uint32_t>(index) >=
            static_cast<uint64_t>(end - begin)) {
          sim_.fail(updateKernelName(pop) +
                    " reported spike of chunk-local neuron " +
                    std::to_string(index) + " for " + chunk());
          return false;
        }
        spikes[total + i] = static_cast<int32_t>(index + begin);
      }
      total += n;
    }
    return recordSpikes(sim_, id, k, total);
  }

  nnc_sim &sim_;
  int chunks_;
  int64_t step_ = 0;
  /// Index into chunked_ per population, -1 for a whole one, kModulator
  /// for a modulator.
  std::vector<int32_t> slot_;
  std::vector<int32_t> chunked_;
  std::vector<int32_t> whole_;
  /// counts_[c * chunks_ + t]: chunk t of chunked_[c].
  std::vector<Count> counts_;
  std::vector<int64_t> wholeCounts_;
};

/// The clock-driven synapse equations of every projection that has them,
/// for step `k`, split across the pool's threads for large projections
/// (chunks of synapses, like the chunks of a population).
class SynapseUpdate {
public:
  SynapseUpdate(nnc_sim &sim, WorkerPool *pool, int chunks)
      : sim_(sim), pool_(pool), chunks_(chunks) {}

  void run(int64_t k) {
    for (Projection &proj : sim_.projections) {
      if (!proj.updateSynapses || proj.frozen || proj.numSynapses() == 0)
        continue;
      if (!pool_ || proj.numSynapses() < sim_.minParallelSize) {
        nnc_memref2d state = proj.synStateRef();
        proj.updateSynapses(&state, k);
        continue;
      }
      proj_ = &proj;
      step_ = k;
      pool_->run(&SynapseUpdate::job, this, chunks_);
    }
  }

private:
  static void job(void *context, int chunk) {
    auto *self = static_cast<SynapseUpdate *>(context);
    int64_t begin, end;
    chunkBounds(self->proj_->numSynapses(), self->chunks_, chunk, begin, end);
    if (begin >= end)
      return;
    nnc_memref2d state = self->proj_->synStateRef(begin, end);
    self->proj_->updateSynapses(&state, self->step_);
  }

  nnc_sim &sim_;
  WorkerPool *pool_;
  int chunks_;
  Projection *proj_ = nullptr;
  int64_t step_ = 0;
};

/// Adds the spike counts of step `k` to the rate histograms.
bool countRates(nnc_sim &sim, int64_t k) {
  std::string error;
  if (!sim.rates->count(sim, k, error)) {
    sim.fail(error);
    return false;
  }
  return true;
}

/// Counts the samples of the monitors due at step `k` and writes them.
bool sampleMonitors(nnc_sim &sim, int64_t k) {
  bool due = false;
  for (StateMonitor &monitor : sim.monitors) {
    if (monitor.everySteps > 0 && k % monitor.everySteps == 0) {
      ++monitor.samples;
      due = true;
    }
  }
  if (!due || !sim.traces)
    return true;
  std::string error;
  if (!sim.traces->sample(sim, k, /*atEnd=*/false, error)) {
    sim.fail(error);
    return false;
  }
  return true;
}

/// A 1-D memref descriptor of `count` values; kernels get a valid pointer
/// even for an empty list.
template <typename Ref, typename T> Ref listRef(const T *list, int64_t count) {
  static T none = 0;
  Ref ref;
  ref.allocated = const_cast<T *>(list ? list : &none);
  ref.aligned = ref.allocated;
  ref.offset = 0;
  ref.sizes[0] = count;
  ref.strides[0] = 1;
  return ref;
}

nnc_memref1d_i64 i64ListRef(const int64_t *list, int64_t count) {
  return listRef<nnc_memref1d_i64>(list, count);
}

nnc_memref1d_i32 i32ListRef(const int32_t *list, int64_t count) {
  return listRef<nnc_memref1d_i32>(list, count);
}

nnc_memref1d_i32 targetsRef(const Projection &proj) {
  return i32ListRef(proj.colIdx.data(),
                    static_cast<int64_t>(proj.colIdx.size()));
}

/// Sets the covering population's state from the synapses, or the
/// synapses' state from it (a pass of cover statements). The synapses'
/// covering neurons are computed at the first call (the synapses exist by
/// then) and again after structural plasticity moved some of them.
void runCover(nnc_sim &sim, Cover &cover) {
  Projection &proj = sim.projections[cover.proj];
  nnc_memref2d astro = sim.populations[cover.pop].stateRef();
  nnc_memref2d syn = proj.synStateRef();
  nnc_memref1d_i64 rowPtr =
      i64ListRef(proj.rowPtr.data(), static_cast<int64_t>(proj.rowPtr.size()));
  nnc_memref1d_i32 colIdx = targetsRef(proj);
  if (cover.domain && !cover.ownerReady) {
    cover.owner.assign(proj.colIdx.size(), -1);
    nnc_memref1d_i32 owner = i32ListRef(
        cover.owner.data(), static_cast<int64_t>(cover.owner.size()));
    cover.domain(&astro, &syn, &rowPtr, &colIdx, &owner);
    cover.ownerReady = true;
  }
  nnc_memref1d_i32 owner =
      i32ListRef(cover.owner.data(), static_cast<int64_t>(cover.owner.size()));
  cover.run(&astro, &syn, &rowPtr, &colIdx, &owner);
}

/// Structural plasticity of projection `id` at step k: the kernel flags
/// (and resets) the synapses to move; each then gets a target drawn
/// uniformly among those its source does not reach yet (counter-based, so
/// reproducible for a seed). The synapse keeps its number, source and
/// delay, so queued spikes still reach it, now at its new target.
void rewireProjection(nnc_sim &sim, int32_t id, int64_t k) {
  Projection &proj = sim.projections[id];
  int64_t n = proj.numSynapses();
  if (n == 0)
    return;
  proj.rewireFlags.assign(static_cast<size_t>(n), 0);
  nnc_memref2d syn = proj.synStateRef();
  nnc_memref1d_i32 flags = i32ListRef(proj.rewireFlags.data(), n);
  uint64_t stream =
      (static_cast<uint64_t>(id) << 40) ^ static_cast<uint64_t>(k);
  proj.rewire(
      &syn, &flags, k,
      static_cast<int64_t>(deriveKey(sim.seed, kPurposeRewire, stream)));
  uint64_t key = deriveKey(sim.seed, kPurposeRegrow, stream);
  int64_t postSize = sim.populations[proj.post].size;
  constexpr uint64_t kAttempts = 64;
  int64_t moved = 0;
  int64_t numSources = static_cast<int64_t>(proj.rowPtr.size()) - 1;
  for (int64_t i = 0; i < numSources; ++i) {
    int64_t begin = proj.rowPtr[i], end = proj.rowPtr[i + 1];
    for (int64_t s = begin; s < end; ++s) {
      if (!proj.rewireFlags[s])
        continue;
      for (uint64_t attempt = 0; attempt < kAttempts; ++attempt) {
        auto target = static_cast<int32_t>(std::min<int64_t>(
            static_cast<int64_t>(
                uniform(key, static_cast<uint64_t>(s) * kAttempts + attempt) *
                static_cast<double>(postSize)),
            postSize - 1));
        bool taken = false;
        for (int64_t o = begin; o < end && !taken; ++o)
          taken = proj.colIdx[o] == target;
        if (!taken) {
          proj.colIdx[s] = target;
          ++moved;
          break;
        }
      }
    }
  }
  if (moved == 0)
    return;
  sim.rewiredSynapses += moved;
  if (proj.onPost)
    reindexSynapsesByTarget(proj, postSize);
  // Covers find their synapses' covering neurons again.
  for (Cover &cover : sim.covers)
    if (cover.proj == id)
      cover.ownerReady = false;
}

/// Queues the synapses of this step's source spikes in the slot of the
/// step they arrive in, then hands the synapses due now to on_pre.
void deliver(nnc_sim &sim, Projection &proj, int64_t k) {
  const Population &pre = sim.populations[proj.pre];
  const Population &post = sim.populations[proj.post];
  int64_t slots = proj.maxDelaySteps + 1;
  std::vector<int64_t> &now = proj.ring[k % slots];
  // A disabled projection queues no new spikes; those in flight arrive.
  int64_t emitted = proj.enabled ? pre.numSpikes : 0;
  for (int64_t s = 0; s < emitted; ++s) {
    int32_t i = pre.spikes.get()[s];
    if (proj.delayRow < 0) {
      std::vector<int64_t> &slot = proj.ring[(k + proj.delaySteps) % slots];
      slot.push_back(proj.rowPtr[i]);
      slot.push_back(proj.rowPtr[i + 1]);
      continue;
    }
    if (proj.plasticDelays) {
      // Each synapse with the delay it has now, in whole steps, within
      // [1, maxDelaySteps]; a spike in flight keeps its arrival step.
      size_t delayBase =
          static_cast<size_t>(proj.delayRow * proj.numSynapses());
      for (int64_t syn = proj.rowPtr[i]; syn < proj.rowPtr[i + 1]; ++syn) {
        double steps =
            proj.synState.get(delayBase + static_cast<size_t>(syn)) / sim.dt;
        int64_t d = !(steps >= 1.0) ? 1
                    : steps >= static_cast<double>(proj.maxDelaySteps)
                        ? proj.maxDelaySteps
                        : std::llround(steps);
        std::vector<int64_t> &slot = proj.ring[(k + d) % slots];
        slot.push_back(syn);
        slot.push_back(syn + 1);
      }
      continue;
    }
    for (int64_t g = proj.groupPtr[i]; g < proj.groupPtr[i + 1]; ++g) {
      std::vector<int64_t> &slot = proj.ring[(k + proj.groupDelay[g]) % slots];
      slot.push_back(proj.groupBegin[g]);
      slot.push_back(g + 1 < proj.groupPtr[i + 1] ? proj.groupBegin[g + 1]
                                                  : proj.rowPtr[i + 1]);
    }
  }
  if (now.empty())
    return;
  nnc_memref2d postState = post.stateRef();
  nnc_memref2d synState = proj.synStateRef();
  nnc_memref1d_i64 ranges =
      i64ListRef(now.data(), static_cast<int64_t>(now.size()));
  nnc_memref1d_i32 colIdx = targetsRef(proj);
  OnPreKernel onPre = proj.frozen ? proj.onPreFrozen : proj.onPre;
  onPre(&postState, &synState, &ranges, static_cast<int64_t>(now.size() / 2),
        &colIdx, k);
  now.clear();
}

/// Runs on_post for the synapses onto the target neurons that spiked in
/// step k (after every projection's on_pre, as Brian2 orders its pre and
/// post pathways).
void deliverPost(nnc_sim &sim, Projection &proj, int64_t k) {
  const Population &post = sim.populations[proj.post];
  if (!proj.onPost || post.numSpikes == 0 || proj.frozen || !proj.enabled)
    return;
  nnc_memref2d postState = post.stateRef();
  nnc_memref2d synState = proj.synStateRef();
  nnc_memref1d_i32 spikes = spikeListRef(post.spikes.get(), post.numSpikes);
  nnc_memref1d_i64 postPtr = i64ListRef(
      proj.postPtr.data(), static_cast<int64_t>(proj.postPtr.size()));
  nnc_memref1d_i64 synIds =
      i64ListRef(proj.synIds.data(), static_cast<int64_t>(proj.synIds.size()));
  proj.onPost(&postState, &synState, &spikes, post.numSpikes, &postPtr, &synIds,
              k);
}

} // namespace

/// Runs `steps` steps (monitors, updates, deliveries, inputs, post events),
/// with a progress bar if asked for.
static void runSteps(nnc_sim *sim, int64_t steps, bool showProgress) {
  // The pool is started once per run, by the first call that can use it.
  std::unique_ptr<ParallelStep> parallel;
  bool anyLargePopulation = false, anyLargeProjection = false;
  for (const Population &pop : sim->populations)
    anyLargePopulation |=
        pop.size >= sim->minParallelSize && !pop.isSpikeSource();
  for (const Projection &proj : sim->projections)
    anyLargeProjection |=
        proj.updateSynapses && proj.numSynapses() >= sim->minParallelSize;
  bool threaded = sim->threads > 1 && steps > 0 &&
                  (anyLargePopulation || anyLargeProjection);
  // One chunk per thread; the chunks do not depend on how many threads
  // the system actually granted.
  int chunks = std::min(sim->threads, kMaxThreads);
  if (threaded && !sim->pool)
    sim->pool.reset(new WorkerPool(chunks));
  if (threaded && anyLargePopulation)
    parallel = std::make_unique<ParallelStep>(*sim, chunks);
  SynapseUpdate synapseUpdate(*sim, threaded ? sim->pool.get() : nullptr,
                              chunks);

  ProgressBar progress(showProgress && sim->progress, steps, sim->dt);
  int32_t numPops = static_cast<int32_t>(sim->populations.size());
  for (int64_t s = 0; s < steps; ++s) {
    int64_t k = sim->step;
    if (!sampleMonitors(*sim, k))
      return progress.finish(s);
    if (k > 0)
      for (int32_t id = 0; id < static_cast<int32_t>(sim->projections.size());
           ++id) {
        Projection &proj = sim->projections[id];
        if (proj.rewire && !proj.frozen && k % proj.rewireSteps == 0)
          rewireProjection(*sim, id, k);
      }
    for (Cover &cover : sim->covers)
      runCover(*sim, cover);
    synapseUpdate.run(k);
    if (parallel) {
      if (!parallel->run(*sim->pool, k))
        return progress.finish(s);
    } else {
      for (int32_t id = 0; id < numPops; ++id)
        if (!sim->populations[id].isModulator && !updatePopulation(*sim, id, k))
          return progress.finish(s);
    }
    // Modulators last: every kernel above read their start-of-step value.
    for (int32_t id = 0; id < numPops; ++id)
      if (sim->populations[id].isModulator && !updatePopulation(*sim, id, k))
        return progress.finish(s);
    // Every population's spike count of this step is final now.
    if (sim->rates && !countRates(*sim, k))
      return progress.finish(s);
    for (Projection &proj : sim->projections)
      deliver(*sim, proj, k);
    for (const PoissonInput &input : sim->inputs) {
      if (!input.enabled || !sim->populations[input.pop].enabled)
        continue;
      nnc_memref2d state = sim->populations[input.pop].stateRef();
      input.apply(&state, k, input.key);
    }
    for (Projection &proj : sim->projections)
      deliverPost(*sim, proj, k);
    ++sim->step;
    progress.update(s + 1);
  }
  progress.finish(steps);
}

void nnc::rt::detail::checkFiniteStates(nnc_sim &sim) {
  for (const Population &pop : sim.populations) {
    if (pop.isSpikeSource() || !pop.state)
      continue;
    bool reported = false;
    for (const NonFiniteState &seen : sim.nonFinite)
      reported |= seen.population == pop.name;
    if (reported)
      continue;
    const double *state = pop.state.get();
    int64_t count = pop.numRows * pop.size;
    for (int64_t e = 0; e < count; ++e) {
      if (std::isfinite(state[e]))
        continue;
      NonFiniteState found;
      found.population = pop.name;
      found.model = pop.model;
      found.row = e / pop.size;
      found.neuron = e % pop.size;
      found.value = state[e];
      found.bySeconds = static_cast<double>(sim.step) * sim.dt;
      sim.nonFinite.push_back(std::move(found));
      break;
    }
  }
}

extern "C" void nnc_rt_begin_phase(nnc_sim *sim) {
  if (!sim || sim->failed())
    return;
  checkFiniteStates(*sim);
  sim->phaseStart = sim->step;
  for (Population &pop : sim->populations) {
    pop.phaseSpikes = 0;
    std::fill(pop.phaseCounts.begin(), pop.phaseCounts.end(), 0);
  }
}

extern "C" void nnc_rt_simulate(nnc_sim *sim, double duration) {
  if (!sim || sim->failed())
    return;
  if (!sim->networkSet)
    return sim->fail("nnc_rt_simulate called before nnc_rt_set_network");
  if (!(duration >= 0.0) || !std::isfinite(duration)) {
    char text[64];
    std::snprintf(text, sizeof(text), "%g", duration);
    return sim->fail(std::string("cannot simulate a duration of ") + text +
                     " s");
  }
  double ratio = duration / sim->dt;
  if (ratio > 0x1.0p62)
    return sim->fail("simulated duration is too long for the time step");
  nnc_rt_begin_phase(sim);
  runSteps(sim, std::llround(ratio), /*showProgress=*/true);
}

extern "C" void nnc_rt_step(nnc_sim *sim) {
  if (!sim || sim->failed())
    return;
  if (!sim->networkSet)
    return sim->fail("nnc_rt_step called before nnc_rt_set_network");
  runSteps(sim, 1, /*showProgress=*/false);
}

extern "C" double nnc_rt_spike_count(nnc_sim *sim, int32_t pop) {
  if (!sim || pop < 0 || static_cast<size_t>(pop) >= sim->populations.size())
    return 0.0;
  return static_cast<double>(sim->populations[pop].phaseSpikes);
}

extern "C" double nnc_rt_spike_rate(nnc_sim *sim, int32_t pop) {
  if (!sim || pop < 0 || static_cast<size_t>(pop) >= sim->populations.size())
    return 0.0;
  int64_t steps = sim->step - sim->phaseStart;
  if (steps <= 0)
    return 0.0;
  const Population &p = sim->populations[pop];
  return static_cast<double>(p.phaseSpikes) /
         (static_cast<double>(p.size) * static_cast<double>(steps) * sim->dt);
}

extern "C" double nnc_rt_spike_argmax(nnc_sim *sim, int32_t pop) {
  if (!sim || pop < 0 || static_cast<size_t>(pop) >= sim->populations.size())
    return -1.0;
  Population &p = sim->populations[pop];
  if (p.phaseSpikes == 0)
    return -1.0;
  int64_t best = 0;
  for (int64_t i = 1; i < p.size; ++i)
    if (p.phaseCounts[i] > p.phaseCounts[best])
      best = i;
  return p.phaseCounts[best] > 0 ? static_cast<double>(best) : -1.0;
}

extern "C" double nnc_rt_state_mean(nnc_sim *sim, int32_t pop, int64_t row) {
  if (!sim || pop < 0 || static_cast<size_t>(pop) >= sim->populations.size())
    return 0.0;
  const Population &p = sim->populations[pop];
  if (row < 0 || row >= p.numRows || p.size == 0 || !p.state)
    return 0.0;
  const double *values = p.state.get() + row * p.size;
  double sum = 0.0;
  for (int64_t i = 0; i < p.size; ++i)
    sum += values[i];
  return sum / static_cast<double>(p.size);
}

extern "C" void nnc_rt_phase_begin(nnc_sim *sim, const char *name) {
  if (!sim || sim->failed())
    return;
  nnc::rt::PhaseStats phase;
  phase.name = name ? name : "";
  phase.depth = static_cast<int>(sim->openPhases.size());
  phase.startSeconds = static_cast<double>(sim->step) * sim->dt;
  // Spike totals now; the end subtracts them.
  for (const Population &pop : sim->populations)
    phase.spikes.push_back(pop.totalSpikes);
  sim->openPhases.push_back(sim->phases.size());
  sim->phases.push_back(std::move(phase));
}

extern "C" void nnc_rt_phase_end(nnc_sim *sim) {
  if (!sim || sim->failed() || sim->openPhases.empty())
    return;
  nnc::rt::PhaseStats &phase = sim->phases[sim->openPhases.back()];
  sim->openPhases.pop_back();
  phase.endSeconds = static_cast<double>(sim->step) * sim->dt;
  for (size_t i = 0; i < sim->populations.size(); ++i)
    phase.spikes[i] = sim->populations[i].totalSpikes - phase.spikes[i];
}

extern "C" double nnc_rt_time(nnc_sim *sim) {
  return sim ? static_cast<double>(sim->step) * sim->dt : 0.0;
}

extern "C" void nnc_rt_gate(nnc_sim *sim, int32_t gate, int32_t target,
                            int32_t id) {
  if (!sim || sim->failed())
    return;
  auto bad = [&](const char *what) {
    sim->fail(std::string("nnc_rt_gate: ") + what + " " + std::to_string(id));
  };
  bool on = gate == NNC_GATE_ENABLE || gate == NNC_GATE_THAW;
  switch (target) {
  case NNC_TARGET_POPULATION:
    if (id < 0 || static_cast<size_t>(id) >= sim->populations.size())
      return bad("unknown population");
    if (gate == NNC_GATE_FREEZE || gate == NNC_GATE_THAW)
      return bad("cannot freeze population");
    sim->populations[id].enabled = on;
    return;
  case NNC_TARGET_PROJECTION: {
    if (id < 0 || static_cast<size_t>(id) >= sim->projections.size())
      return bad("unknown projection");
    Projection &proj = sim->projections[id];
    if (gate == NNC_GATE_FREEZE || gate == NNC_GATE_THAW) {
      if (!proj.onPreFrozen)
        return bad("projection without synapse state cannot be frozen:");
      proj.frozen = !on;
    } else {
      proj.enabled = on;
    }
    return;
  }
  case NNC_TARGET_INPUT:
    if (id < 0 || static_cast<size_t>(id) >= sim->inputs.size())
      return bad("unknown input");
    if (gate == NNC_GATE_FREEZE || gate == NNC_GATE_THAW)
      return bad("cannot freeze input");
    sim->inputs[id].enabled = on;
    return;
  default:
    return bad("unknown target kind for");
  }
}

extern "C" void nnc_rt_set_state_row(nnc_sim *sim, int32_t pop, int64_t row,
                                     double value) {
  if (!sim || sim->failed())
    return;
  if (pop < 0 || static_cast<size_t>(pop) >= sim->populations.size())
    return sim->fail("nnc_rt_set_state_row: unknown population " +
                     std::to_string(pop));
  Population &p = sim->populations[pop];
  if (row < 0 || row >= p.numRows)
    return sim->fail("nnc_rt_set_state_row: population '" + p.name +
                     "' has no state row " + std::to_string(row) + " (it has " +
                     std::to_string(p.numRows) + ")");
  double *begin = p.state.get() + row * p.size;
  std::fill(begin, begin + p.size, value);
}
