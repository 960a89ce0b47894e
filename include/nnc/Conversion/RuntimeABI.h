//===- RuntimeABI.h - Names shared by the compiler and the runtime -*- C++
//-*-===//
//
// The symbols a compiled artifact exports and imports. The runtime's side is
// runtime/include/nnc/Runtime/Runtime.h; both use these spellings.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CONVERSION_RUNTIMEABI_H
#define NNC_CONVERSION_RUNTIMEABI_H

#include "nnc/Runtime/Runtime.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"

#include <string>

namespace nnc::abi {

/// Initial state of one population (model defaults and the population's
/// own values).
inline std::string initKernel(llvm::StringRef population) {
  return (population + "_init").str();
}
inline std::string updateKernel(llvm::StringRef model) {
  return (model + "_update").str();
}
inline std::string onPreKernel(llvm::StringRef projection) {
  return (projection + "_on_pre").str();
}
/// on_pre of a frozen projection: synapse state is read, never written.
inline std::string onPreFrozenKernel(llvm::StringRef projection) {
  return (projection + "_on_pre_frozen").str();
}
inline std::string onPostKernel(llvm::StringRef projection) {
  return (projection + "_on_post").str();
}
/// Poisson events of one input onto its population.
inline std::string inputKernel(llvm::StringRef input) {
  return (input + "_apply").str();
}
/// The connection probabilities of one source to every target (a
/// projection whose probability depends on the pair).
inline std::string connectRowKernel(llvm::StringRef projection) {
  return (projection + "_connect_row").str();
}
/// Initial state of the synapses of one projection.
inline std::string synapseInitKernel(llvm::StringRef projection) {
  return (projection + "_init_synapses").str();
}
/// One step of the clock-driven synapse equations of one projection.
inline std::string synapseUpdateKernel(llvm::StringRef projection) {
  return (projection + "_update_synapses").str();
}
/// One statement of a cover: synapse values summed into the covering
/// neurons' state (nn.gather), or a covering neuron's value copied into its
/// synapses' state (nn.scatter).
inline std::string coverKernel(llvm::StringRef statement) {
  return (statement + "_cover").str();
}
/// Structural plasticity: flags (and resets) the synapses to move.
inline std::string rewireKernel(llvm::StringRef rewire) {
  return (rewire + "_rewire").str();
}
/// The covering neuron of every synapse, for the cover pass named after
/// its first statement (run once).
inline std::string coverDomainKernel(llvm::StringRef statement) {
  return (statement + "_domain").str();
}
/// The internal global through which kernels read state row `row` of
/// population (modulator) `population`: nnc_describe stores
/// nnc_rt_state_row's pointer in it.
inline std::string stateRowGlobal(llvm::StringRef population, int64_t row) {
  return ("nnc_state_" + population + "_" + llvm::Twine(row)).str();
}

constexpr llvm::StringLiteral kDescribe = "nnc_describe";
constexpr llvm::StringLiteral kProgram = "nnc_program";
constexpr llvm::StringLiteral kAbiVersion = "nnc_abi_version";
constexpr llvm::StringLiteral kUniform = "nnc_rt_uniform";
constexpr llvm::StringLiteral kNormal = "nnc_rt_normal";
constexpr llvm::StringLiteral kSetNetwork = "nnc_rt_set_network";
constexpr llvm::StringLiteral kAddPopulation = "nnc_rt_add_population";
constexpr llvm::StringLiteral kAddProjection = "nnc_rt_add_projection";
constexpr llvm::StringLiteral kSetPlasticDelays = "nnc_rt_set_plastic_delays";
constexpr llvm::StringLiteral kSetConnectRanges = "nnc_rt_set_connect_ranges";
constexpr llvm::StringLiteral kRecordSpikes = "nnc_rt_record_spikes";
constexpr llvm::StringLiteral kAddPoissonInput = "nnc_rt_add_poisson_input";
constexpr llvm::StringLiteral kAddSpikeSource = "nnc_rt_add_spike_source";
constexpr llvm::StringLiteral kRecordState = "nnc_rt_record_state";
constexpr llvm::StringLiteral kRecordSynapseState =
    "nnc_rt_record_synapse_state";
constexpr llvm::StringLiteral kSetStateRow = "nnc_rt_set_state_row";
constexpr llvm::StringLiteral kSimulate = "nnc_rt_simulate";
constexpr llvm::StringLiteral kBeginPhase = "nnc_rt_begin_phase";
constexpr llvm::StringLiteral kStep = "nnc_rt_step";
constexpr llvm::StringLiteral kSpikeCount = "nnc_rt_spike_count";
constexpr llvm::StringLiteral kSpikeRate = "nnc_rt_spike_rate";
constexpr llvm::StringLiteral kSpikeArgmax = "nnc_rt_spike_argmax";
constexpr llvm::StringLiteral kStateMean = "nnc_rt_state_mean";
constexpr llvm::StringLiteral kPhaseBegin = "nnc_rt_phase_begin";
constexpr llvm::StringLiteral kPhaseEnd = "nnc_rt_phase_end";
constexpr llvm::StringLiteral kTime = "nnc_rt_time";
constexpr llvm::StringLiteral kGate = "nnc_rt_gate";
constexpr llvm::StringLiteral kAddModulator = "nnc_rt_add_modulator";
constexpr llvm::StringLiteral kStateRow = "nnc_rt_state_row";
constexpr llvm::StringLiteral kAddClockDriven = "nnc_rt_add_clock_driven";
constexpr llvm::StringLiteral kAddCover = "nnc_rt_add_cover";
constexpr llvm::StringLiteral kAddRewire = "nnc_rt_add_rewire";
constexpr llvm::StringLiteral kSetUpdatePeriod = "nnc_rt_set_update_period";

} // namespace nnc::abi

#endif // NNC_CONVERSION_RUNTIMEABI_H
