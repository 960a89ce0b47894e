//===- FakeArtifact.cpp - Hand-written stand-ins for compiled networks ----===//

#include "FakeArtifact.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdio>
#include <unistd.h>
#include <utility>

using namespace nnc::rt::test;

FakeArtifact *FakeArtifact::current = nullptr;

namespace {

int32_t abiVersionThunk() { return FakeArtifact::current->abiVersion; }

void describeThunk(nnc_sim *sim) {
  if (FakeArtifact::current->describe)
    FakeArtifact::current->describe(sim);
}

void programThunk(nnc_sim *sim) {
  if (FakeArtifact::current->program)
    FakeArtifact::current->program(sim);
}

template <size_t Slot> void initThunk(nnc_memref2d *state, uint64_t key) {
  FakeArtifact::current->inits[Slot](state, key);
}

template <size_t Slot>
int64_t updateThunk(nnc_memref2d *state, nnc_memref1d_i32 *spikes, int64_t step,
                    uint64_t /*rngKey*/) {
  return FakeArtifact::current->updates[Slot](state, spikes, step);
}

template <size_t Slot>
void onPreThunk(nnc_memref2d *post, nnc_memref2d *synapses,
                nnc_memref1d_i64 *ranges, int64_t numRanges,
                nnc_memref1d_i32 *colIdx, int64_t step) {
  FakeArtifact::current->onPres[Slot](
      {post, synapses, ranges->aligned, numRanges, colIdx, step});
}

template <typename Fn> void *symbol(Fn *fn) {
  return reinterpret_cast<void *>(fn);
}

template <size_t... Slots>
std::array<void *, sizeof...(Slots)>
initThunkTable(std::index_sequence<Slots...>) {
  return {symbol(initThunk<Slots>)...};
}
template <size_t... Slots>
std::array<void *, sizeof...(Slots)>
updateThunkTable(std::index_sequence<Slots...>) {
  return {symbol(updateThunk<Slots>)...};
}
template <size_t... Slots>
std::array<void *, sizeof...(Slots)>
onPreThunkTable(std::index_sequence<Slots...>) {
  return {symbol(onPreThunk<Slots>)...};
}

using SlotIndices = std::make_index_sequence<FakeArtifact::kMaxSlots>;
const auto initThunks = initThunkTable(SlotIndices());
const auto updateThunks = updateThunkTable(SlotIndices());
const auto onPreThunks = onPreThunkTable(SlotIndices());

/// Tests run without assertions (Release): running out of slots must not
/// go unnoticed.
void checkSlot(int used) {
  if (used >= FakeArtifact::kMaxSlots) {
    std::fprintf(stderr, "FakeArtifact: more than %d kernels of one kind\n",
                 FakeArtifact::kMaxSlots);
    std::abort();
  }
}

} // namespace

FakeArtifact::FakeArtifact() {
  assert(!current && "one FakeArtifact at a time");
  current = this;
  symbols_["nnc_abi_version"] = symbol(abiVersionThunk);
  symbols_["nnc_describe"] = symbol(describeThunk);
  symbols_["nnc_program"] = symbol(programThunk);
}

FakeArtifact::~FakeArtifact() { current = nullptr; }

void FakeArtifact::addModel(const std::string &model, UpdateFn update) {
  checkSlot(numModels_);
  updates[numModels_] = std::move(update);
  symbols_["_mlir_ciface_" + model + "_update"] = updateThunks[numModels_];
  ++numModels_;
}

void FakeArtifact::addInit(const std::string &population, InitFn init) {
  checkSlot(numInits_);
  inits[numInits_] = std::move(init);
  symbols_["_mlir_ciface_" + population + "_init"] = initThunks[numInits_];
  ++numInits_;
}

void FakeArtifact::addModel(const std::string &model, InitFn init,
                            UpdateFn update,
                            const std::vector<std::string> &populations) {
  addModel(model, std::move(update));
  for (const std::string &population : populations)
    addInit(population, init);
}

void FakeArtifact::addOnPre(const std::string &projection, OnPreFn onPre) {
  checkSlot(numOnPres_);
  onPres[numOnPres_] = std::move(onPre);
  symbols_["_mlir_ciface_" + projection + "_on_pre"] = onPreThunks[numOnPres_];
  ++numOnPres_;
}

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "nnc-rt-test-XXXXXX").string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  char *made = mkdtemp(buffer.data());
  assert(made && "mkdtemp failed");
  path_ = made ? made : pattern;
}

std::vector<std::string>
nnc::rt::test::listDir(const std::filesystem::path &dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto &entry : std::filesystem::directory_iterator(dir, ec))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}
