//===- Runtime.h - The C ABI between compiled networks and the runtime ----===//
//
// A compiled nnc artifact (JIT-loaded or a shared library) and the runtime
// talk only through this header. The artifact exports:
//
//   int32_t nnc_abi_version(void);             // == NNC_ABI_VERSION
//   void    nnc_describe(nnc_sim *sim);        // builds the network by calling
//                                              // the nnc_rt_* builder functions
//   void    nnc_program(nnc_sim *sim);         // the network's `run { ... }`
//                                              // block, calls nnc_rt_simulate
//
// and, per neuron model M and projection P named in nnc_describe, kernels
// with MLIR's C interface (`llvm.emit_c_interface`), looked up by name:
//
//   void    _mlir_ciface_M_init(nnc_memref2d *state, uint64_t rngKey);
//   int64_t _mlir_ciface_M_update(nnc_memref2d *state, nnc_memref1d_i32 *spikes,
//                                 int64_t step);
//   void    _mlir_ciface_P_on_pre(nnc_memref2d *postState,
//                                 nnc_memref1d_i32 *spikes, int64_t numSpikes,
//                                 nnc_memref1d_i64 *rowPtr,
//                                 nnc_memref1d_i32 *colIdx);
//
// State of a population is one row-major [numRows x size] array of doubles
// (structure of arrays): one row per state variable in declaration order,
// followed by the model's bookkeeping rows (e.g. the step until which a
// neuron is refractory). The update kernel advances every neuron by one step,
// writes the indices of neurons that spiked into `spikes` (capacity: size) and
// returns their number. on_pre applies the synapse's `on pre` body to every
// target of every listed source spike (CSR by source).
//
// The runtime has no MLIR dependency.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_RUNTIME_RUNTIME_H
#define NNC_RUNTIME_RUNTIME_H

#include <stdint.h>

#define NNC_ABI_VERSION 1

#ifdef __cplusplus
extern "C" {
#endif

/// MLIR's ranked memref descriptors (see mlir/ExecutionEngine/CRunnerUtils.h).
typedef struct nnc_memref2d {
  double *allocated;
  double *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
} nnc_memref2d;

typedef struct nnc_memref1d_i32 {
  int32_t *allocated;
  int32_t *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} nnc_memref1d_i32;

typedef struct nnc_memref1d_i64 {
  int64_t *allocated;
  int64_t *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} nnc_memref1d_i64;

/// Opaque simulation handle owned by the runtime.
typedef struct nnc_sim nnc_sim;

/// Connectivity rules understood by nnc_rt_add_projection.
enum nnc_connect_rule {
  NNC_CONNECT_ALL_TO_ALL = 0,
  NNC_CONNECT_ONE_TO_ONE = 1,
  NNC_CONNECT_FIXED_PROBABILITY = 2,
};

//===-- Called by nnc_describe ---------------------------------------------===//

/// Names the network and sets its time step (seconds).
void nnc_rt_set_network(nnc_sim *sim, const char *name, double dt);

/// Adds a population of `size` neurons of `model` with `numRows` state rows.
/// Returns its id (0, 1, ...). Kernels `<model>_init`/`<model>_update` are
/// resolved by name.
int32_t nnc_rt_add_population(nnc_sim *sim, const char *name,
                              const char *model, int64_t size,
                              int64_t numRows);

/// Adds a projection from population `pre` to `post`. `param` is the rule's
/// parameter (the probability for FIXED_PROBABILITY). Spikes arrive
/// `delaySteps` steps after they are emitted (0: in the same step). Kernel
/// `<name>_on_pre` is resolved by name. Returns its id.
int32_t nnc_rt_add_projection(nnc_sim *sim, const char *name, int32_t pre,
                              int32_t post, int32_t rule, double param,
                              int64_t delaySteps);

/// Records the spikes of population `pop` (to spikes.csv and the raster).
void nnc_rt_record_spikes(nnc_sim *sim, int32_t pop);

//===-- Called by nnc_program and kernels ---------------------------------===//

/// Advances the simulation by `duration` seconds (rounded to whole steps).
void nnc_rt_simulate(nnc_sim *sim, double duration);

/// Counter-based uniform random number in [0, 1): a pure function of
/// (key, counter) (Philox4x32-10), so results do not depend on the order or
/// thread in which they are drawn.
double nnc_rt_uniform(uint64_t key, uint64_t counter);

/// Standard normal deviate from the same counter-based stream.
double nnc_rt_normal(uint64_t key, uint64_t counter);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // NNC_RUNTIME_RUNTIME_H
