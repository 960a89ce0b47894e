//===- FakeArtifact.h - Stand-ins for compiled networks ---------*- C++ -*-===//
//
// The runtime only sees a compiled artifact through symbols resolved by
// name, so tests play the artifact with plain C++ functions: a FakeArtifact
// maps names to function pointers, and the kernels of up to kMaxSlots
// populations (init), models (update) and projections (on_pre) dispatch to
// std::functions set by the test. With more than one thread the update
// kernels are called concurrently, on chunks of a population.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_UNITTESTS_RUNTIME_FAKEARTIFACT_H
#define NNC_UNITTESTS_RUNTIME_FAKEARTIFACT_H

#include "nnc/Runtime/Runtime.h"
#include "nnc/Runtime/Simulation.h"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace nnc::rt::test {

using InitFn = std::function<void(nnc_memref2d *, uint64_t)>;
using UpdateFn =
    std::function<int64_t(nnc_memref2d *, nnc_memref1d_i32 *, int64_t)>;
/// The arguments of one on_pre call: the synapse ranges whose spikes
/// arrive in `step` (Runtime.h).
struct OnPreCall {
  nnc_memref2d *post;
  nnc_memref2d *synapses;
  const int64_t *ranges;
  int64_t numRanges;
  nnc_memref1d_i32 *colIdx;
  int64_t step;

  int64_t begin(int64_t r) const { return ranges[2 * r]; }
  int64_t end(int64_t r) const { return ranges[2 * r + 1]; }
  /// The targets of every synapse of the call, in order.
  std::vector<int32_t> targets() const {
    std::vector<int32_t> out;
    for (int64_t r = 0; r < numRanges; ++r)
      for (int64_t k = begin(r); k < end(r); ++k)
        out.push_back(colIdx->aligned[k]);
    return out;
  }
};
using OnPreFn = std::function<void(const OnPreCall &)>;

class FakeArtifact {
public:
  static constexpr int kMaxSlots = 8;

  FakeArtifact();
  ~FakeArtifact();
  FakeArtifact(const FakeArtifact &) = delete;
  FakeArtifact &operator=(const FakeArtifact &) = delete;

  /// What the artifact's entry points do.
  std::function<void(nnc_sim *)> describe;
  std::function<void(nnc_sim *)> program;
  int32_t abiVersion = NNC_ABI_VERSION;

  /// Defines `_mlir_ciface_<model>_update`.
  void addModel(const std::string &model, UpdateFn update);
  /// Defines `_mlir_ciface_<population>_init`.
  void addInit(const std::string &population, InitFn init);
  /// Both: the model's update kernel and `init` for each of `populations`.
  void addModel(const std::string &model, InitFn init, UpdateFn update,
                const std::vector<std::string> &populations);
  /// Defines `_mlir_ciface_<projection>_on_pre`.
  void addOnPre(const std::string &projection, OnPreFn onPre);
  /// Defines `name` as a plain function (a kernel that needs no state).
  void addSymbol(const std::string &name, void *function) {
    symbols_[name] = function;
  }
  /// Makes a symbol unresolvable.
  void remove(const std::string &symbol) { symbols_.erase(symbol); }

  SymbolResolver resolver() const {
    return [this](const std::string &name) -> void * {
      auto it = symbols_.find(name);
      return it == symbols_.end() ? nullptr : it->second;
    };
  }

  // Used by the dispatching thunks.
  static FakeArtifact *current;
  InitFn inits[kMaxSlots];
  UpdateFn updates[kMaxSlots];
  OnPreFn onPres[kMaxSlots];

private:
  std::map<std::string, void *> symbols_;
  int numModels_ = 0;
  int numInits_ = 0;
  int numOnPres_ = 0;
};

//===----------------------------------------------------------------------===//
// Reusable fake kernels
//===----------------------------------------------------------------------===//

/// Row `r` of the neurons a kernel was given (a chunk of the population
/// with more than one thread).
inline double *row(nnc_memref2d *state, int64_t r) {
  return state->aligned + state->offset + r * state->strides[0];
}

/// Where an update kernel writes its spike indices.
inline int32_t *spikeSlots(nnc_memref1d_i32 *spikes) {
  return spikes->aligned + spikes->offset;
}

/// Init kernel: row 0 uniform in [0, 1) from the init key, other rows 0.
inline void randomInit(nnc_memref2d *state, uint64_t key) {
  for (int64_t i = 0; i < state->sizes[1]; ++i)
    row(state, 0)[i] = nnc_rt_uniform(key, static_cast<uint64_t>(i));
}

/// Update kernel of an "accumulator" neuron: v += 0.013 + input (row 1),
/// spike and reset when v >= 1. Deterministic given the initial state.
inline int64_t accumulatorUpdate(nnc_memref2d *state, nnc_memref1d_i32 *spikes,
                                 int64_t) {
  double *v = row(state, 0), *input = row(state, 1);
  int64_t n = 0;
  for (int64_t i = 0; i < state->sizes[1]; ++i) {
    v[i] += 0.013 + input[i];
    input[i] = 0.0;
    if (v[i] >= 1.0) {
      v[i] = 0.0;
      spikeSlots(spikes)[n++] = static_cast<int32_t>(i);
    }
  }
  return n;
}

/// on_pre kernel adding `weight` to row 1 of every target.
inline OnPreFn addToInput(double weight) {
  return [weight](const OnPreCall &call) {
    double *input = row(call.post, 1);
    for (int32_t target : call.targets())
      input[target] += weight;
  };
}

/// Update kernel under which every neuron spikes exactly at `step`.
inline UpdateFn allSpikeAt(int64_t step) {
  return [step](nnc_memref2d *state, nnc_memref1d_i32 *spikes,
                int64_t k) -> int64_t {
    if (k != step)
      return 0;
    for (int64_t i = 0; i < state->sizes[1]; ++i)
      spikeSlots(spikes)[i] = static_cast<int32_t>(i);
    return state->sizes[1];
  };
}

inline void noInit(nnc_memref2d *, uint64_t) {}

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

inline std::string readFile(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::vector<std::string> readLines(const std::filesystem::path &path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

/// A fresh directory under the system's temp dir, removed on destruction.
class TempDir {
public:
  TempDir();
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path &path() const { return path_; }
  std::string str(const std::string &sub = "") const {
    return sub.empty() ? path_.string() : (path_ / sub).string();
  }

private:
  std::filesystem::path path_;
};

/// The names in a directory, sorted.
std::vector<std::string> listDir(const std::filesystem::path &dir);

} // namespace nnc::rt::test

#endif // NNC_UNITTESTS_RUNTIME_FAKEARTIFACT_H
