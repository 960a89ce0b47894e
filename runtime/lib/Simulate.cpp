//===- Simulate.cpp - The time-step loop ----------------------------------===//
//
// nnc_rt_simulate advances every population by one step, records the spikes
// and delivers them through the projections, step after step. Execution is
// single-threaded for now: RunOptions::threads is accepted and reported, and
// because all randomness is counter-based, a parallel loop will be able to
// reproduce the serial results exactly.
//
//===----------------------------------------------------------------------===//

#include "SimulationImpl.h"

#include <chrono>
#include <cmath>
#include <unistd.h>

using namespace nnc::rt::detail;

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

/// Runs the update kernel of population `id` for step `k` and checks what it
/// returned; false (with the error set) if the kernel misbehaved.
bool updatePopulation(nnc_sim &sim, int32_t id, int64_t k) {
  Population &pop = sim.populations[id];
  nnc_memref2d state = pop.stateRef();
  nnc_memref1d_i32 spikes = pop.spikesRef();
  int64_t n = pop.update(&state, &spikes, k);
  // A bad count or index would make the on_pre kernels read out of bounds.
  if (n < 0 || n > pop.size) {
    sim.fail("kernel '_mlir_ciface_" + pop.model + "_update' returned " +
             std::to_string(n) + " spikes for population '" + pop.name +
             "' of size " + std::to_string(pop.size));
    return false;
  }
  const int32_t *indices = pop.spikes.get();
  for (int64_t i = 0; i < n; ++i) {
    if (static_cast<uint32_t>(indices[i]) >= static_cast<uint64_t>(pop.size)) {
      sim.fail("kernel '_mlir_ciface_" + pop.model + "_update' reported " +
               "spike of neuron " + std::to_string(indices[i]) +
               " in population '" + pop.name + "' of size " +
               std::to_string(pop.size));
      return false;
    }
  }
  pop.numSpikes = n;
  pop.totalSpikes += n;
  if (pop.recorded && sim.recorder && n > 0) {
    std::string error;
    if (!sim.recorder->record(sim, id, k, indices, n, error)) {
      sim.fail(error);
      return false;
    }
  }
  return true;
}

/// Queues this step's spikes of the source population and hands the list
/// that is due now (emitted delaySteps steps ago) to on_pre.
void deliver(nnc_sim &sim, Projection &proj, int64_t k) {
  const Population &pre = sim.populations[proj.pre];
  const Population &post = sim.populations[proj.post];
  const int32_t *list = pre.spikes.get();
  int64_t count = pre.numSpikes;
  if (proj.delaySteps > 0) {
    int64_t slots = proj.delaySteps + 1;
    proj.ring[k % slots].assign(pre.spikes.get(),
                                pre.spikes.get() + pre.numSpikes);
    // Step k - delaySteps lives in slot (k + 1) % slots; before the first
    // delaySteps steps it has not been written yet and is empty.
    const std::vector<int32_t> &due = proj.ring[(k + 1) % slots];
    list = due.data();
    count = static_cast<int64_t>(due.size());
  }
  if (count == 0)
    return;

  nnc_memref2d postState = post.stateRef();
  nnc_memref1d_i32 spikes = spikeListRef(list, count);
  nnc_memref1d_i64 rowPtr;
  rowPtr.allocated = proj.rowPtr.data();
  rowPtr.aligned = proj.rowPtr.data();
  rowPtr.offset = 0;
  rowPtr.sizes[0] = static_cast<int64_t>(proj.rowPtr.size());
  rowPtr.strides[0] = 1;
  // Kernels get a valid pointer even for a projection without synapses.
  static int32_t noTargets = 0;
  nnc_memref1d_i32 colIdx;
  colIdx.allocated = proj.colIdx.data() ? proj.colIdx.data() : &noTargets;
  colIdx.aligned = colIdx.allocated;
  colIdx.offset = 0;
  colIdx.sizes[0] = static_cast<int64_t>(proj.colIdx.size());
  colIdx.strides[0] = 1;
  proj.onPre(&postState, &spikes, count, &rowPtr, &colIdx);
}

} // namespace

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
  int64_t steps = std::llround(ratio);

  ProgressBar progress(sim->progress, steps, sim->dt);
  int32_t numPops = static_cast<int32_t>(sim->populations.size());
  for (int64_t s = 0; s < steps; ++s) {
    int64_t k = sim->step;
    for (int32_t id = 0; id < numPops; ++id)
      if (!updatePopulation(*sim, id, k))
        return progress.finish(s);
    for (Projection &proj : sim->projections)
      deliver(*sim, proj, k);
    ++sim->step;
    progress.update(s + 1);
  }
  progress.finish(steps);
}
