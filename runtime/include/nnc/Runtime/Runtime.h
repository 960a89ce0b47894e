//===- Runtime.h - The C ABI between compiled networks and the runtime ----===//
//
// A compiled nnc artifact (JIT-loaded or a shared library) and the runtime
// talk only through this header. The artifact exports:
//
//   int32_t nnc_abi_version(void);             // == NNC_ABI_VERSION
//   void    nnc_describe(nnc_sim *sim);        // builds the network by calling
//                                              // the nnc_rt_* builder
//                                              functions
//   void    nnc_program(nnc_sim *sim);         // the network's `run { ... }`
//                                              // block, calls nnc_rt_simulate
//
// and kernels with MLIR's C interface (`llvm.emit_c_interface`), looked up
// by name: per population X, neuron model M and projection P named in
// nnc_describe
//
//   void    _mlir_ciface_X_init(nnc_memref2d *state, uint64_t rngKey);
//   int64_t _mlir_ciface_M_update(nnc_memref2d *state,
//                                 nnc_memref1d_i32 *spikes, int64_t step,
//                                 uint64_t rngKey);
//   void    _mlir_ciface_P_on_pre(nnc_memref2d *postState,
//                                 nnc_memref2d *synState,
//                                 nnc_memref1d_i64 *ranges, int64_t numRanges,
//                                 nnc_memref1d_i32 *colIdx, int64_t step);
//   void    _mlir_ciface_P_on_post(nnc_memref2d *postState,
//                                  nnc_memref2d *synState,
//                                  nnc_memref1d_i32 *spikes, int64_t numSpikes,
//                                  nnc_memref1d_i64 *postPtr,
//                                  nnc_memref1d_i64 *synIds, int64_t step);
//   void    _mlir_ciface_P_init_synapses(nnc_memref2d *synState,
//                                        uint64_t rngKey);
//   void    _mlir_ciface_P_update_synapses(nnc_memref2d *synState,
//                                          int64_t step);
//
// (on_post only for projections with an `on post` handler, init_synapses
// only for projections whose synapses have state, update_synapses only for
// those named in nnc_rt_add_clock_driven), and per Poisson input I
//
//   void    _mlir_ciface_I_apply(nnc_memref2d *state, int64_t step,
//                                uint64_t rngKey);
//
// The init kernel belongs to the population (populations of one model may
// start from different initial values); the update kernel to the model.
// `rngKey` is the population's key for random numbers drawn during steps
// (a spike condition `uniform(0, 1) < rate * dt`): draw d of neuron i in
// step k uses counter (k * size + i) * drawsPerNeuron + d, with the
// population's size and i taken from the descriptor (stride, offset), so
// the numbers do not depend on how the population is split into chunks.
//
// State of a population is one row-major [numRows x size] array of doubles
// (structure of arrays): one row per state variable in declaration order,
// followed by the model's bookkeeping rows (e.g. the step until which a
// neuron is refractory). init fills in every neuron's initial state. The
// update kernel advances every neuron it is given by one step, writes the
// indices of neurons that spiked into `spikes` and returns their number; it
// may use `spikes` as scratch space for all sizes[0] entries (e.g. write a
// 0/1 flag per neuron and compact the flags in place).
//
// Synapses of a projection are numbered in CSR order by source (the
// synapses of source i are rowPtr[i] .. rowPtr[i+1]-1; within a source by
// delay, then by target); colIdx[k] is the target of synapse k. A
// projection's synapse state is a row-major [numSynapseRows x numSynapses]
// array (one row per synapse state variable, then the step of each
// synapse's last event if the model has equations). on_pre runs the `on
// pre` handler for every synapse k in each of the numRanges half-open
// ranges [ranges[2r], ranges[2r+1]) whose spikes arrive in step `step`.
// on_post runs the `on post` handler, in step `step`, for every synapse
// synIds[j], postPtr[n] <= j < postPtr[n+1], onto each target neuron n
// listed in spikes. init_synapses fills in every synapse's initial state;
// draw d of synapse k uses counter k * drawsPerSynapse + d.
//
// Kernels must honour every field of the descriptors they get (in MLIR
// terms: `memref<R x ? x f64, strided<[?, 1], offset: ?>>` and
// `memref<? x i32, strided<[1], offset: ?>>`), because with more than one
// thread the runtime hands the update kernel a column range of the state:
// for neurons [b, b + n) it passes state {offset b, sizes {R, n}, strides
// {size, 1}} and spikes {offset b, sizes {n}, strides {1}}, and expects the
// chunk-local indices 0..n-1 of the neurons that spiked in spikes[0..count)
// (i.e. at aligned[b .. b + count)). b is a multiple of 16. Chunks of one
// population are updated concurrently, so update kernels must only touch
// their own columns; nnc_rt_uniform and nnc_rt_normal are thread-safe. A
// kernel that needs a neuron's population-wide index (e.g. as a random
// counter, so that results do not depend on the thread count) gets it as
// the state descriptor's offset plus the local index. init and on_pre
// always get the whole population, with offset 0.
//
// Version 2 added per-population init kernels, chunked updates,
// nnc_rt_record_state and nnc_rt_set_state_row. Version 3 added synapse
// state, on_post, per-synapse delays, synapse monitors and monitors
// sampled once at the end (everySteps == 0); on_pre takes synapse ranges.
// Version 4 added spike sources, Poisson inputs, phases and observables
// (nnc_rt_begin_phase, nnc_rt_step, nnc_rt_spike_count, nnc_rt_spike_rate,
// nnc_rt_time) and gates (nnc_rt_gate, `_on_pre_frozen` kernels). Version
// 5 added modulators (nnc_rt_add_modulator, nnc_rt_state_row),
// clock-driven synapse equations (nnc_rt_add_clock_driven,
// `_update_synapses` kernels) and covers (nnc_rt_add_cover, `_cover`
// kernels). Version 8 gave covers a domain kernel and an owner array, and
// added structural plasticity (nnc_rt_add_rewire, `_rewire` kernels) and
// populations with their own clock (nnc_rt_set_update_period). Version 9
// added nnc_rt_set_connect_ranges (fixed degrees between parts of
// populations).
//
// update_synapses integrates every synapse it is given by one step (step
// `step`); like the update kernel it gets a column range of the synapse
// state ({offset b, sizes {R, n}, strides {numSynapses, 1}}) when the
// runtime splits the synapses across threads. It runs at the start of each
// step, before any population is updated. Kernels read a modulator's state
// through a pointer that nnc_describe stores in an internal global of the
// artifact (from nnc_rt_state_row), so one loaded artifact serves one
// simulation at a time.
//
// The runtime has no MLIR dependency.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_RUNTIME_RUNTIME_H
#define NNC_RUNTIME_RUNTIME_H

#include <stdint.h>

#define NNC_ABI_VERSION 11 // 11: nnc_rt_phase_begin, nnc_rt_phase_end

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

typedef struct nnc_memref1d_f64 {
  double *allocated;
  double *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} nnc_memref1d_f64;

/// Opaque simulation handle owned by the runtime.
typedef struct nnc_sim nnc_sim;

/// Connectivity rules understood by nnc_rt_add_projection.
enum nnc_connect_rule {
  NNC_CONNECT_ALL_TO_ALL = 0,
  NNC_CONNECT_ONE_TO_ONE = 1,
  NNC_CONNECT_FIXED_PROBABILITY = 2,
  /// Every source connects to `param` distinct targets chosen uniformly.
  NNC_CONNECT_FIXED_OUTDEGREE = 3,
  /// Every target receives from `param` distinct sources chosen uniformly.
  NNC_CONNECT_FIXED_INDEGREE = 4,
  /// The given (source, target) pairs (a connection file).
  NNC_CONNECT_EXPLICIT = 5,
  /// Each pair independently, with the probability kernel
  /// `<name>_connect_row` computes for it (void (nnc_memref2d *preState,
  /// nnc_memref2d *postState, int64_t i, nnc_memref1d_f64 *p): p[j] for
  /// every target j of source i).
  NNC_CONNECT_PROBABILITY_FN = 6,
};

/// What nnc_rt_gate does, and to what kind of object.
enum nnc_gate {
  NNC_GATE_FREEZE = 0,  ///< projection: synapse state read-only
  NNC_GATE_THAW = 1,    ///< projection: plastic again
  NNC_GATE_DISABLE = 2, ///< population/projection/input: off
  NNC_GATE_ENABLE = 3,  ///< on again
};
enum nnc_gate_target {
  NNC_TARGET_POPULATION = 0,
  NNC_TARGET_PROJECTION = 1,
  NNC_TARGET_INPUT = 2,
};

//===-- Called by nnc_describe
//---------------------------------------------===//

/// Names the network and sets its time step (seconds).
void nnc_rt_set_network(nnc_sim *sim, const char *name, double dt);

/// Adds a population of `size` neurons of `model` with `numRows` state rows.
/// Returns its id (0, 1, ...). Kernels `<name>_init` and `<model>_update`
/// are resolved by name, and `<name>_init` runs before this returns.
int32_t nnc_rt_add_population(nnc_sim *sim, const char *name, const char *model,
                              int64_t size, int64_t numRows);

/// Population `pop` has its own clock: its update kernel (solved for
/// `steps` time steps) runs only at the steps that are multiples of
/// `steps`; in the others it neither changes nor spikes.
void nnc_rt_set_update_period(nnc_sim *sim, int32_t pop, int64_t steps);

/// Adds a modulator: like nnc_rt_add_population, but it is updated after
/// every other population in each step, so that every kernel that reads it
/// during a step sees its value at the start of the step.
int32_t nnc_rt_add_modulator(nnc_sim *sim, const char *name, const char *model,
                             int64_t size, int64_t numRows);

/// The first element of state row `row` of population `pop` (size
/// doubles); stable until the simulation is destroyed.
double *nnc_rt_state_row(nnc_sim *sim, int32_t pop, int64_t row);

/// Projection `proj` has clock-driven synapse equations: kernel
/// `<name>_update_synapses` runs at the start of every step (not while the
/// projection is frozen).
void nnc_rt_add_clock_driven(nnc_sim *sim, int32_t proj);

/// Structural plasticity of projection `proj`: at the start of every step
/// that is a positive multiple of `periodSteps` (unless the projection is
/// frozen), kernel `<name>_rewire` (void (nnc_memref2d *synState,
/// nnc_memref1d_i32 *flags, int64_t step, int64_t key)) sets flags[k] = 1
/// for the synapses to move and resets their state; the runtime then moves
/// each to a target drawn uniformly among those its source does not reach
/// (keeping it where it is if 64 draws find none). Sources, delays,
/// synapse numbers and memory stay the same.
void nnc_rt_add_rewire(nnc_sim *sim, const char *name, int32_t proj,
                       int64_t periodSteps);

/// nnc_rt_add_cover flags.
enum nnc_cover_flags {
  /// Each synapse has at most one covering neuron, computed once by kernel
  /// `<name>_domain` into the `owner` array (-1: none).
  NNC_COVER_HAS_DOMAIN = 1,
};

/// Adds a pass of cover statements (population `pop` covering the synapses
/// of projection `proj`): kernel `<name>_cover` (void (nnc_memref2d
/// *astroState, nnc_memref2d *synState, nnc_memref1d_i64 *rowPtr,
/// nnc_memref1d_i32 *colIdx, nnc_memref1d_i32 *owner)) sets states of the
/// population from the synapses, or states of the synapses from the
/// population, at the start of every step, before the clock-driven synapse
/// equations, in the order added. With NNC_COVER_HAS_DOMAIN, `<name>_domain`
/// (same signature) fills `owner` (one entry per synapse) before the first
/// step; otherwise `owner` is empty. Returns its id.
int32_t nnc_rt_add_cover(nnc_sim *sim, const char *name, int32_t proj,
                         int32_t pop, int32_t flags);

/// Restricts the next nnc_rt_add_projection to the sources [preLo, preHi)
/// and targets [postLo, postHi) of its populations (FIXED_INDEGREE and
/// FIXED_OUTDEGREE: the degree counts within the ranges).
void nnc_rt_set_connect_ranges(nnc_sim *sim, int64_t preLo, int64_t preHi,
                               int64_t postLo, int64_t postHi);

/// Adds a projection from population `pre` to `post`. `param` is the rule's
/// parameter (the probability for FIXED_PROBABILITY). Spikes arrive
/// `delaySteps` steps after they are emitted (0: in the same step), unless
/// `delayRow` >= 0: then synapse state row `delayRow` holds each synapse's
/// own delay in seconds, rounded to whole steps (at least 1). Each synapse
/// has `numSynapseRows` rows of state, stored as double, or as float with
/// NNC_PROJECTION_SINGLE_PRECISION in `flags` (then the kernels take an
/// f32 synapse state through the same descriptor). Kernels
/// `<name>_on_pre`, and `<name>_init_synapses` if numSynapseRows > 0 and
/// `<name>_on_post` with NNC_PROJECTION_HAS_ON_POST, are resolved by name.
/// For NNC_CONNECT_EXPLICIT the synapses are pairPre[k] -> pairPost[k],
/// k < numPairs, sorted by source and then target, each pair once (the
/// arrays are copied); otherwise pass null and 0. Returns its id.
int32_t nnc_rt_add_projection(nnc_sim *sim, const char *name, int32_t pre,
                              int32_t post, int32_t rule, double param,
                              int64_t delaySteps, int64_t numSynapseRows,
                              int64_t delayRow, int32_t flags,
                              const int32_t *pairPre, const int32_t *pairPost,
                              int64_t numPairs);

/// Flags of nnc_rt_add_projection.
enum nnc_projection_flags {
  NNC_PROJECTION_HAS_ON_POST = 1,
  NNC_PROJECTION_SINGLE_PRECISION = 2,
};

/// The per-synapse delays of projection `proj` (which has a delay row) may
/// change during the simulation, up to `maxDelaySteps` steps: each spike
/// then takes the delay its synapse has when the spike is emitted, rounded
/// to steps and clamped to [1, maxDelaySteps]. Fails if a delay already
/// exceeds the bound.
void nnc_rt_set_plastic_delays(nnc_sim *sim, int32_t proj,
                               int64_t maxDelaySteps);

/// Adds a population of `size` neurons that emits given spikes: neuron
/// indices[e] spikes in step steps[e], for e < count, sorted by step and
/// then neuron, at most one spike per neuron and step (the arrays are
/// copied). It has no state and no kernels. Returns its id, numbered with
/// the other populations.
int32_t nnc_rt_add_spike_source(nnc_sim *sim, const char *name, int64_t size,
                                const int64_t *steps, const int32_t *indices,
                                int64_t count);

/// Adds a Poisson input onto population `pop`: kernel `<name>_apply`
/// (void (nnc_memref2d *state, int64_t step, uint64_t rngKey)) adds each
/// neuron's Poisson events of a step, after the step's on_pre deliveries
/// and before on_post. Returns its id.
int32_t nnc_rt_add_poisson_input(nnc_sim *sim, const char *name, int32_t pop);

/// Records the spikes of population `pop` (to spikes.csv and the raster).
void nnc_rt_record_spikes(nnc_sim *sim, int32_t pop);

/// Adds a state monitor: state row `row` of population `pop`, the variable
/// `variable` in SI unit `unit` (e.g. "V", "A", "1"), of neurons
/// [first, last) (last == -1: up to the population's size), sampled every
/// `everySteps` (>= 1) steps, or once after the program when everySteps
/// is 0 (time: the end of the last step). A step s (counted across all
/// nnc_rt_simulate calls) with s % everySteps == 0 is sampled at its start,
/// before the neurons are updated, with time s * dt (Brian2's StateMonitor with
/// when='start'); the state after the last step is not sampled. Samples go
/// to traces.csv, one row per
/// neuron and sample; the rows of one time step come in the order the
/// monitors were added, then by neuron index. Must be called before the
/// first nnc_rt_simulate.
void nnc_rt_record_state(nnc_sim *sim, int32_t pop, int64_t row,
                         const char *variable, const char *unit,
                         int64_t everySteps, int64_t first, int64_t last);

/// Pseudo-rows of nnc_rt_record_synapse_state: each synapse's source and
/// target neuron (structural plasticity changes the target).
enum nnc_synapse_rows {
  NNC_SYNAPSE_ROW_SOURCE = -2,
  NNC_SYNAPSE_ROW_TARGET = -3,
};

/// Like nnc_rt_record_state, for state row `row` of the synapses
/// [first, last) (last == -1: all) of projection `proj`, in synapse order,
/// or for their source or target neuron (NNC_SYNAPSE_ROW_SOURCE / _TARGET).
/// The monitor's rows in traces.csv name the projection and the synapse.
void nnc_rt_record_synapse_state(nnc_sim *sim, int32_t proj, int64_t row,
                                 const char *variable, const char *unit,
                                 int64_t everySteps, int64_t first,
                                 int64_t last);

//===-- Called by nnc_program and kernels ---------------------------------===//

/// Advances the simulation by `duration` seconds (rounded to whole steps).
void nnc_rt_simulate(nnc_sim *sim, double duration);

/// Starts a new phase: nnc_rt_spike_count and nnc_rt_spike_rate count from
/// here. nnc_rt_simulate starts one itself.
void nnc_rt_begin_phase(nnc_sim *sim);

/// Runs one time step (no phase start, no progress bar): the body of
/// `simulate T until C` loops, which test C after every step.
void nnc_rt_step(nnc_sim *sim);

/// Spikes of population `pop` since the current phase began.
double nnc_rt_spike_count(nnc_sim *sim, int32_t pop);

/// Their mean rate in Hz: count / (size * time since the phase began); 0
/// before any step of the phase.
double nnc_rt_spike_rate(nnc_sim *sim, int32_t pop);

/// The index of the neuron of `pop` with the most spikes since the current
/// phase began (the lowest on a tie), or -1 if none spiked.
double nnc_rt_spike_argmax(nnc_sim *sim, int32_t pop);

/// The mean of state row `row` over the neurons of `pop`, now.
double nnc_rt_state_mean(nnc_sim *sim, int32_t pop, int64_t row);

/// `phase NAME { ... }`: a named part of the program begins (phases nest)
/// and the innermost one ends. Each is reported with its time span and
/// every population's spikes (nnc::rt::RunResult::phases).
void nnc_rt_phase_begin(nnc_sim *sim, const char *name);
void nnc_rt_phase_end(nnc_sim *sim);

/// The simulated time in seconds (steps run so far times dt).
double nnc_rt_time(nnc_sim *sim);

/// Applies `gate` (enum nnc_gate) to object `id` of kind `target` (enum
/// nnc_gate_target), effective from the next step: a frozen projection
/// delivers spikes but its handlers no longer change synapse state
/// (on_pre runs the `_on_pre_frozen` kernel, on_post does not run); a
/// disabled population is not updated and emits no spikes; a disabled
/// projection queues no new spikes (those in flight still arrive) and runs
/// no on_post; a disabled input adds nothing.
void nnc_rt_gate(nnc_sim *sim, int32_t gate, int32_t target, int32_t id);

/// Sets state row `row` of every neuron of population `pop` to `value`
/// (a program statement such as `p.I_ext = 1 nA;`, between simulate calls).
void nnc_rt_set_state_row(nnc_sim *sim, int32_t pop, int64_t row, double value);

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
