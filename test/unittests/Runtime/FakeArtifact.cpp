//===- FakeArtifact.cpp - Hand-written stand-ins for compiled networks ----===//

#include "FakeArtifact.h"

#include <algorithm>
#include <cassert>
#include <unistd.h>

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

template <int Slot> void initThunk(nnc_memref2d *state, uint64_t key) {
  FakeArtifact::current->inits[Slot](state, key);
}

template <int Slot>
int64_t updateThunk(nnc_memref2d *state, nnc_memref1d_i32 *spikes,
                    int64_t step) {
  return FakeArtifact::current->updates[Slot](state, spikes, step);
}

template <int Slot>
void onPreThunk(nnc_memref2d *post, nnc_memref1d_i32 *spikes, int64_t n,
                nnc_memref1d_i64 *rowPtr, nnc_memref1d_i32 *colIdx) {
  FakeArtifact::current->onPres[Slot](post, spikes, n, rowPtr, colIdx);
}

template <typename Fn> void *symbol(Fn *fn) {
  return reinterpret_cast<void *>(fn);
}

void *const initThunks[] = {symbol(initThunk<0>), symbol(initThunk<1>),
                            symbol(initThunk<2>), symbol(initThunk<3>)};
void *const updateThunks[] = {symbol(updateThunk<0>), symbol(updateThunk<1>),
                              symbol(updateThunk<2>), symbol(updateThunk<3>)};
void *const onPreThunks[] = {symbol(onPreThunk<0>), symbol(onPreThunk<1>),
                             symbol(onPreThunk<2>), symbol(onPreThunk<3>)};

} // namespace

FakeArtifact::FakeArtifact() {
  assert(!current && "one FakeArtifact at a time");
  current = this;
  symbols_["nnc_abi_version"] = symbol(abiVersionThunk);
  symbols_["nnc_describe"] = symbol(describeThunk);
  symbols_["nnc_program"] = symbol(programThunk);
}

FakeArtifact::~FakeArtifact() { current = nullptr; }

void FakeArtifact::addModel(const std::string &model, InitFn init,
                            UpdateFn update) {
  assert(numModels_ < kMaxSlots);
  inits[numModels_] = std::move(init);
  updates[numModels_] = std::move(update);
  symbols_["_mlir_ciface_" + model + "_init"] = initThunks[numModels_];
  symbols_["_mlir_ciface_" + model + "_update"] = updateThunks[numModels_];
  ++numModels_;
}

void FakeArtifact::addOnPre(const std::string &projection, OnPreFn onPre) {
  assert(numOnPres_ < kMaxSlots);
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
