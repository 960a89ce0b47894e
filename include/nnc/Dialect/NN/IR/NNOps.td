//===- NNOps.td - Operations of the nn dialect -------------*- tablegen -*-===//

#ifndef NNC_DIALECT_NN_NNOPS_TD
#define NNC_DIALECT_NN_NNOPS_TD

include "nnc/Dialect/NN/IR/NNDialect.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

//===----------------------------------------------------------------------===//
// Neuron models
//===----------------------------------------------------------------------===//

def NN_NeuronOp : NN_Op<"neuron", [Symbol, SymbolTable, IsolatedFromAbove,
                                   NoTerminator, SingleBlock,
                                   NoRegionArguments]> {
  let summary = "a neuron model";
  let description = [{
    Holds a model's `nn.param`, `nn.state`, `nn.ode`, `nn.threshold`,
    `nn.on_spike` and `nn.refractory` ops. After `nn-solve-odes` the
    `nn.ode` ops are replaced by one `nn.integrate`. The optional `solver`
    attribute is the user's choice (exact, exponential_euler, euler, rk2,
    rk4); without it the solver pass picks one.

    ```mlir
    nn.neuron @LIF attributes {solver = "exact"} {
      nn.param @tau = 2.000000e-02 {unit = "s"}
      nn.state @v init {
        %0 = arith.constant 0.0 : f64
        nn.yield %0 : f64
      }
      nn.ode @v {
        %v = nn.read @v
        %tau = nn.read @tau
        %d = arith.divf %v, %tau : f64
        %n = arith.negf %d : f64
        nn.yield %n : f64
      }
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, OptionalAttr<StrAttr>:$solver);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The ops of the body, in order.
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
    /// State variables in declaration order: rows 0..n-1 of the runtime's
    /// structure-of-arrays state.
    ::llvm::SmallVector<StateOp, 4> getStates();
    /// Row of `state` in the runtime's state array, or -1.
    int getStateRow(::llvm::StringRef state);
    /// The refractory period, if the model has one.
    RefractoryOp getRefractory();
    /// Row holding the step until which a neuron is refractory (it follows
    /// the states), or -1 without a refractory period.
    int getRefractoryRow();
    /// Number of rows of the runtime's state array.
    unsigned getNumStateRows();
    /// The values of the parameters that are compile-time constants.
    ::llvm::StringMap<double> getParamValues();
  }];
}

def NN_ParamOp : NN_Op<"param", [Symbol,
                                 ParentOneOf<["NeuronOp", "SynapseOp"]>]> {
  let summary = "a parameter of a neuron or synapse model (SI value)";
  let arguments = (ins SymbolNameAttr:$sym_name, F64Attr:$value,
                       OptionalAttr<StrAttr>:$unit);
  let assemblyFormat = "$sym_name `=` $value attr-dict";
}

def NN_StateOp : NN_Op<"state", [Symbol,
                                 ParentOneOf<["NeuronOp", "SynapseOp"]>,
                                 NoRegionArguments]> {
  let summary = "a state variable; its region computes the initial value";
  let description = [{
    The `init` region is evaluated once per neuron; it may draw random
    numbers (`nn.uniform`, `nn.normal`) and read parameters. A state marked
    `parameter` is a model parameter that populations or the program set
    per neuron: it has no equation and is only written from outside.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, OptionalAttr<StrAttr>:$unit,
                       UnitAttr:$parameter);
  let regions = (region SizedRegion<1>:$init);
  let assemblyFormat = "$sym_name attr-dict-with-keyword `init` $init";
  let hasVerifier = 1;
}

def NN_OdeOp : NN_Op<"ode", [ParentOneOf<["NeuronOp", "SynapseOp"]>,
                             NoRegionArguments]> {
  let summary = "the time derivative of a state variable";
  let arguments = (ins FlatSymbolRefAttr:$state);
  let regions = (region SizedRegion<1>:$rhs);
  let assemblyFormat = "$state attr-dict-with-keyword $rhs";
  let hasVerifier = 1;
}

def NN_IntegrateOp : NN_Op<"integrate", [ParentOneOf<["NeuronOp", "SynapseOp"]>,
                                         NoRegionArguments]> {
  let summary = "one time step of the solved ODE system";
  let description = [{
    Produced by `nn-solve-odes`. Reads in the region observe the state at
    the start of the step; `nn.write`s give the state at its end. `method`
    names the solver used and `dt` the step it was solved for. In a
    synapse model it integrates the clock-driven equations of every
    synapse, every step.
  }];
  let arguments = (ins StrAttr:$method, F64Attr:$dt);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$method `dt` $dt attr-dict-with-keyword $body";
}

def NN_ThresholdOp : NN_Op<"threshold", [HasParent<"NeuronOp">,
                                         NoRegionArguments]> {
  let summary = "the spike condition; its region yields an i1";
  let regions = (region SizedRegion<1>:$condition);
  let assemblyFormat = "attr-dict-with-keyword $condition";
  let hasVerifier = 1;
}

def NN_OnSpikeOp : NN_Op<"on_spike", [HasParent<"NeuronOp">,
                                      NoRegionArguments]> {
  let summary = "the reset: state writes applied when the neuron spikes";
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "attr-dict-with-keyword $body";
}

def NN_RefractoryOp : NN_Op<"refractory", [HasParent<"NeuronOp">,
                                           NoRegionArguments]> {
  let summary = "refractoriness after a spike and the states it clamps";
  let description = [{
    With `period` (seconds): for that long after a spike the neuron cannot
    spike again. With a `while` region instead (it yields an i1, from the
    state at the start of a step): after a spike the neuron stays
    refractory until a step starts with the condition false (Brian2's
    boolean `refractory='C > C_Theta'`, which makes a threshold fire once
    per upward crossing). In both cases the `clamped` states keep their
    value while refractory (they are not integrated).

    ```mlir
    nn.refractory 2.000000e-03 clamp [@v]
    nn.refractory clamp [] while {
      %c = nn.read @C
      %th = arith.constant 5.000000e-04 : f64
      %above = arith.cmpf ogt, %c, %th : f64
      nn.yield %above : i1
    }
    ```
  }];
  let arguments = (ins OptionalAttr<F64Attr>:$period,
                       FlatSymbolRefArrayAttr:$clamped);
  let regions = (region AnyRegion:$condition);
  let assemblyFormat =
      "($period^)? `clamp` $clamped attr-dict-with-keyword (`while` $condition^)?";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Whether refractoriness ends by a condition (`while`), not a period.
    bool isConditional() { return !getCondition().empty(); }
  }];
}

def NN_OnInputOp : NN_Op<"on_input", [Symbol, HasParent<"NeuronOp">]> {
  let summary = "an input port of a neuron model and its handler";
  let description = [{
    `port NAME : UNIT;` with `on NAME { ... }`. The region's block argument
    is the value one synapse event delivers (SI units); its `nn.write`s
    change the neuron's states. `nn-inline-ports` clones the region at
    every `nn.deliver` to the port (in a projection's `on_pre` / `on_post`,
    or a Poisson input's body), so the handler runs once per event (NESTML's
    `onReceive`), and then erases these ops. `sign` is `excitatory` or
    `inhibitory` for ports that receive a synapse's signed weight `w` by
    its sign (NEST's convention: the inhibitory port gets -w).

    ```mlir
    nn.on_input @exc {unit = "S"} {
    ^bb0(%x: f64):
      %g = nn.read @ge
      %s = arith.addf %g, %x : f64
      nn.write @ge, %s
      nn.yield
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, OptionalAttr<StrAttr>:$unit,
                       OptionalAttr<StrAttr>:$sign);
  let regions = (region SizedRegion<1>:$handler);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $handler";
  let hasVerifier = 1;
}

def NN_DeliverOp : NN_Op<"deliver", [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "delivers a value to an input port of the target neuron";
  let description = [{
    In a projection's `on_pre` / `on_post` region or a Poisson input's
    body: runs the target model's `nn.on_input` handler of `port` with
    `value`. With `when`, only where it holds (the handler's writes become
    selects). Replaced by `nn-inline-ports`.
  }];
  let arguments = (ins FlatSymbolRefAttr:$port, F64:$value,
                       Optional<I1>:$when);
  let assemblyFormat = "$port `,` $value (`when` $when^)? attr-dict";
}

//===----------------------------------------------------------------------===//
// Synapse models
//===----------------------------------------------------------------------===//

def NN_SynapseOp : NN_Op<"synapse", [Symbol, SymbolTable, IsolatedFromAbove,
                                     NoTerminator, SingleBlock,
                                     NoRegionArguments]> {
  let summary = "a synapse model: per-synapse parameters, state and dynamics";
  let description = [{
    Holds `nn.param`, `nn.state` and `nn.ode` ops; every synapse of a
    projection using the model has its own copy of the states. Synaptic
    equations of the form x' = a x + b with constant a and b, that no
    clock-driven equation reads, are event-driven (Brian2's
    `(event-driven)`): they are only advanced, exactly, when the synapse
    sees a pre- or postsynaptic event. The others are clock-driven:
    integrated every step with the model's `solver` (default: exact for a
    linear time-invariant system, else rk4). `nn-solve-odes` replaces the
    `nn.ode` ops by one `nn.advance` and one `nn.integrate`. A state named
    `delay` is the synapse's own transmission delay (seconds). With
    `single_precision` the synapse state array holds f32 (the kernels
    compute in f64 and round on every store; the last-event row holds the
    step's 32-bit integer bits).
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, OptionalAttr<StrAttr>:$solver,
                       UnitAttr:$single_precision);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
    /// State variables in declaration order: rows 0..n-1 of a projection's
    /// structure-of-arrays synapse state.
    ::llvm::SmallVector<StateOp, 4> getStates();
    /// Row of `state` in the synapse state array, or -1.
    int getStateRow(::llvm::StringRef state);
    /// Whether the model has event-driven equations (or equations not yet
    /// classified): then a row after the states holds the step of each
    /// synapse's last event.
    bool hasDynamics();
    /// The clock-driven equations, once solved (or null).
    IntegrateOp getClockDriven();
    /// Row of the last-event step, or -1 without dynamics.
    int getLastUpdateRow();
    /// Number of rows of the synapse state array.
    unsigned getNumStateRows();
    /// The values of the parameters.
    ::llvm::StringMap<double> getParamValues();
  }];
}

def NN_AdvanceOp : NN_Op<"advance", [HasParent<"SynapseOp">]> {
  let summary = "advances a synapse's event-driven state by the elapsed time";
  let description = [{
    Produced by `nn-solve-odes` from a synapse model's equations. The block
    argument is the time since the synapse's last event (seconds); reads
    see the state at that event, writes give the state now.
  }];
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "attr-dict-with-keyword $body";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Values inside model regions
//===----------------------------------------------------------------------===//

def NN_ReadOp : NN_Op<"read", [MemoryEffects<[MemRead]>]> {
  let summary = "reads a parameter or state variable";
  let arguments = (ins FlatSymbolRefAttr:$var);
  let results = (outs F64:$result);
  let assemblyFormat = "$var attr-dict";
  let builders = [OpBuilder<(ins "::llvm::StringRef":$var), [{
    build($_builder, $_state, $_builder.getF64Type(), var);
  }]>];
}

def NN_ReadPreOp : NN_Op<"read_pre", [MemoryEffects<[MemRead]>]> {
  let summary = "reads a variable of a synapse's source neuron";
  let description = [{
    Only in a projection's `probability` region: the parameter or state
    `var` of the source neuron, as the network is being built (states hold
    their initial values).
  }];
  let arguments = (ins FlatSymbolRefAttr:$var);
  let results = (outs F64:$result);
  let assemblyFormat = "$var attr-dict";
}

def NN_ReadPostOp : NN_Op<"read_post", [MemoryEffects<[MemRead]>]> {
  let summary = "reads a variable of a synapse's target neuron";
  let description = [{
    As `nn.read_pre`, for the target neuron.
  }];
  let arguments = (ins FlatSymbolRefAttr:$var);
  let results = (outs F64:$result);
  let assemblyFormat = "$var attr-dict";
}

def NN_ReadModulatorOp : NN_Op<"read_modulator", [MemoryEffects<[MemRead]>]> {
  let summary = "reads a state variable of a modulator of the network";
  let description = [{
    `population` names a `modulator` population of the network that runs
    the model and `var` one of its states. Every read in a step sees the
    modulator's value at the start of the step: modulators are updated
    after everything that reads them. A regional modulator (a population
    of several, one per region) is read with `region`, the region's index
    (f64, truncated and clamped to the population, like a table's column);
    without it, region 0.

    ```mlir
    %d = nn.read_modulator @dopamine, @level
    %r = nn.read_modulator @da, @level [%k]
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$population, FlatSymbolRefAttr:$var,
                       Optional<F64>:$region);
  let results = (outs F64:$result);
  let assemblyFormat =
      "$population `,` $var (`[` $region^ `]`)? attr-dict";
}

def NN_TableLookupOp : NN_Op<"table_lookup", [Pure]> {
  let summary = "reads a table of the network at a time (and a column)";
  let description = [{
    `table` names an `nn.table` of the network that runs the model; `time`
    (seconds) selects the row, as Brian2's TimedArray does: row
    floor(time / period + 1 / (2 K)) (K a power of two that makes the
    rounding robust), clamped to the table. `column` (for a table with
    columns) is truncated and clamped likewise. A table whose period is a
    whole multiple of the time step is constant within each step.
  }];
  let arguments = (ins FlatSymbolRefAttr:$table, F64:$time,
                       Optional<F64>:$column);
  let results = (outs F64:$result);
  let assemblyFormat = "$table `(` $time (`,` $column^)? `)` attr-dict";
}

def NN_WriteOp : NN_Op<"write", [MemoryEffects<[MemWrite]>]> {
  let summary = "writes a state variable";
  let arguments = (ins FlatSymbolRefAttr:$var, F64:$value);
  let assemblyFormat = "$var `,` $value attr-dict";
}

def NN_TimeOp : NN_Op<"time", [MemoryEffects<[MemRead]>]> {
  let summary = "the simulation time at the start of the step (seconds)";
  let results = (outs F64:$result);
  let assemblyFormat = "attr-dict";
  let builders = [OpBuilder<(ins), [{
    build($_builder, $_state, $_builder.getF64Type());
  }]>];
}

def NN_TimeStepOp : NN_Op<"timestep", [Pure]> {
  let summary = "the time step of the network running the model (seconds)";
  let description = [{
    `dt` in a model. `nn-solve-odes` replaces it by the constant time step
    of the network that uses the model.
  }];
  let results = (outs F64:$result);
  let assemblyFormat = "attr-dict";
  let builders = [OpBuilder<(ins), [{
    build($_builder, $_state, $_builder.getF64Type());
  }]>];
}

def NN_RefractoryNowOp : NN_Op<"refractory_now", [MemoryEffects<[MemRead]>]> {
  let summary = "whether the neuron is refractory in this step";
  let description = [{
    Used by `nn.integrate` regions of models with a refractory period: the
    solver zeroes the derivatives of clamped states while it is true, as
    Brian2's `(unless refractory)` does, so states coupled to a clamped one
    see it constant through every stage of the step.
  }];
  let results = (outs I1:$result);
  let assemblyFormat = "attr-dict";
  let builders = [OpBuilder<(ins), [{
    build($_builder, $_state, $_builder.getI1Type());
  }]>];
}

def NN_UniformOp : NN_Op<"uniform", [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "a uniform random number in [low, high)";
  let arguments = (ins F64:$low, F64:$high);
  let results = (outs F64:$result);
  let assemblyFormat = "$low `,` $high attr-dict";
  let builders = [OpBuilder<(ins "::mlir::Value":$low, "::mlir::Value":$high), [{
    build($_builder, $_state, $_builder.getF64Type(), low, high);
  }]>];
}

def NN_ExponentialOp : NN_Op<"exponential",
                              [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "an exponentially distributed random number with a mean";
  let arguments = (ins F64:$mean);
  let results = (outs F64:$result);
  let assemblyFormat = "$mean attr-dict";
  let builders = [OpBuilder<(ins "::mlir::Value":$mean), [{
    build($_builder, $_state, $_builder.getF64Type(), mean);
  }]>];
}
def NN_LognormalOp : NN_Op<"lognormal", [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "exp(mu + sigma z) with z standard normal";
  let arguments = (ins F64:$mu, F64:$sigma);
  let results = (outs F64:$result);
  let assemblyFormat = "$mu `,` $sigma attr-dict";
  let builders = [OpBuilder<(ins "::mlir::Value":$mu, "::mlir::Value":$sigma), [{
    build($_builder, $_state, $_builder.getF64Type(), mu, sigma);
  }]>];
}
def NN_PoissonOp : NN_Op<"poisson", [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "a Poisson-distributed count (as f64) with mean `lambda`";
  let description = [{
    Drawn by inversion of the cumulative distribution from one uniform
    number; `lambda` must be at most 100 (Sema checks constant means).
  }];
  let arguments = (ins F64:$lambda);
  let results = (outs F64:$result);
  let assemblyFormat = "$lambda attr-dict";
  let builders = [OpBuilder<(ins "::mlir::Value":$lambda), [{
    build($_builder, $_state, $_builder.getF64Type(), lambda);
  }]>];
}
def NN_NormalOp : NN_Op<"normal", [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "a normally distributed random number";
  let arguments = (ins F64:$mean, F64:$stddev);
  let results = (outs F64:$result);
  let assemblyFormat = "$mean `,` $stddev attr-dict";
  let builders = [OpBuilder<(ins "::mlir::Value":$mean, "::mlir::Value":$stddev), [{
    build($_builder, $_state, $_builder.getF64Type(), mean, stddev);
  }]>];
}

def NN_IndexOp : NN_Op<"index", [Pure]> {
  let summary = "the index of the neuron within its population (as f64)";
  let description = [{
    Only in a population's `init` region, where values may depend on the
    neuron (`I_ext = i * 10 pA`).
  }];
  let results = (outs F64:$result);
  let assemblyFormat = "attr-dict";
  let builders = [OpBuilder<(ins), [{
    build($_builder, $_state, $_builder.getF64Type());
  }]>];
}

def NN_YieldOp : NN_Op<"yield", [Pure, Terminator, ReturnLike]> {
  let summary = "ends a model region, returning its values";
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
  let builders = [OpBuilder<(ins), [{ build($_builder, $_state, {}); }]>];
}

//===----------------------------------------------------------------------===//
// Networks and the program
//===----------------------------------------------------------------------===//

def NN_NetworkOp : NN_Op<"network", [Symbol, SymbolTable, IsolatedFromAbove,
                                     NoTerminator, SingleBlock,
                                     NoRegionArguments]> {
  let summary = "a network of populations and projections, and its program";
  let arguments = (ins SymbolNameAttr:$sym_name, F64Attr:$dt);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name `dt` $dt attr-dict-with-keyword $body";
  let hasVerifier = 1;
}

def NN_PopulationOp : NN_Op<"population", [Symbol, HasParent<"NetworkOp">,
                                           NoRegionArguments]> {
  let summary = "a population of neurons of one model";
  let description = [{
    The optional `init` region holds the population's own values: its
    `nn.write`s set parameters stored per neuron and initial states, after
    the model's defaults; `nn.index` is the neuron's index.

    A `modulator` population is a network's global signal (a `modulator`
    declaration): it has no spikes, it is updated after every other
    population in each step, and synapses read its state with
    `nn.read_modulator`.

    With `update_every` = m > 1 the population has its own clock: it is
    updated (integrated over m steps, thresholds and resets) only at the
    steps that are multiples of m, and its model is solved for m dt.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, FlatSymbolRefAttr:$model,
                       SI64Attr:$size, UnitAttr:$modulator,
                       OptionalAttr<I64Attr>:$update_every);
  let regions = (region MaxSizedRegion<1>:$init);
  let assemblyFormat = [{
    (`modulator` $modulator^)? $sym_name `:` $model `[` $size `]`
    attr-dict-with-keyword (`init` $init^)?
  }];
  let extraClassDeclaration = [{
    /// The neuron model of this population, or null if it is missing.
    NeuronOp getNeuron();
  }];
  let hasVerifier = 1;
}

def NN_TableOp : NN_Op<"table", [Symbol, HasParent<"NetworkOp">]> {
  let summary = "values over time (and columns), read with nn.table_lookup";
  let description = [{
    `values` is a rows x columns array in SI units; row k holds from
    k * `period` seconds on (the last row holds on forever). `upsampling`
    is Brian2's K for the network's time step: the row at time t is
    floor((t / (period / K) + 0.5) / K).
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, F64ElementsAttr:$values,
                       F64Attr:$period, I64Attr:$upsampling);
  let assemblyFormat = [{
    $sym_name `every` $period `upsampling` $upsampling `:` $values attr-dict
  }];
  let hasVerifier = 1;
}

def NN_SpikeSourceOp : NN_Op<"spike_source", [Symbol, HasParent<"NetworkOp">]> {
  let summary = "a population that emits given spikes (read from a file)";
  let description = [{
    Neuron `indices[e]` spikes in step `steps[e]`; the events are sorted by
    step, then neuron, with at most one spike per neuron and step.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, I64Attr:$size,
                       DenseI64ArrayAttr:$steps, DenseI32ArrayAttr:$indices);
  let assemblyFormat = [{
    $sym_name `[` $size `]` `steps` $steps `indices` $indices attr-dict
  }];
  let hasVerifier = 1;
}

def NN_ProjectionOp : NN_Op<"projection", [Symbol, HasParent<"NetworkOp">]> {
  let summary = "synapses from one population to another";
  let description = [{
    With a `synapse` model, every synapse has its own copy of the model's
    states (initialised by the model, then by the `init` region, whose
    `nn.write`s name synapse states); `on_pre` and `on_post` read and write
    the synapse's variables and the target neuron's (synapse names first).
    `on_post` runs for the synapses onto a target neuron when it spikes.

    `rule` is `all_to_all`, `one_to_one`, `probability` (with the
    probability in `param`, or, if the `probability` region is present, the
    value it yields for each pair: its arguments are the source and target
    indices (f64), and `nn.read_pre` / `nn.read_post` read the two
    neurons' variables; the pair is connected if a uniform draw in [0, 1)
    is below it), `fixed_indegree` or `fixed_outdegree` (with
    the number of distinct sources per target or targets per source in
    `param`), or `from_list` (the synapses are `pairs_pre[k] ->
    pairs_post[k]`, sorted by source, then target, each pair once: a
    connection file read at compile time). `columns` maps synapse states
    to one value per listed pair (`array<f64>`, in SI units): a connection
    file's value columns, which replace those states' initial values (a
    `delay` state gives each synapse its own delay). With `max_delay`, the
    handlers may change the synapses' `delay` state: each spike takes the
    delay its synapse has when it is emitted, clamped to [dt, max_delay].
    Spikes arrive `delay` seconds
    after they are emitted. `ranges` ([pre_lo, pre_hi, post_lo, post_hi])
    restricts a fixed_indegree or fixed_outdegree rule to those sources and
    targets (other rules express ranges in a `probability` region). The `on_pre` region applies the synapse's effect to a target
    neuron: its `nn.read`/`nn.write` name the target model's variables.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, FlatSymbolRefAttr:$pre,
                       FlatSymbolRefAttr:$post, StrAttr:$rule, F64Attr:$param,
                       F64Attr:$delay,
                       OptionalAttr<FlatSymbolRefAttr>:$synapse,
                       OptionalAttr<DenseI32ArrayAttr>:$pairs_pre,
                       OptionalAttr<DenseI32ArrayAttr>:$pairs_post,
                       OptionalAttr<DictionaryAttr>:$columns,
                       OptionalAttr<F64Attr>:$max_delay,
                       OptionalAttr<DenseI64ArrayAttr>:$ranges);
  let regions = (region SizedRegion<1>:$on_pre, AnyRegion:$on_post,
                 AnyRegion:$init, AnyRegion:$probability);
  let assemblyFormat = [{
    $sym_name `from` $pre `to` $post $rule `(` $param `)` `delay` $delay
    (`synapse` $synapse^)? attr-dict-with-keyword `on_pre` $on_pre
    (`on_post` $on_post^)? (`init` $init^)? (`probability` $probability^)?
  }];
  let extraClassDeclaration = [{
    /// The synapse model, or null without one.
    SynapseOp getSynapseModel();
  }];
  let hasVerifier = 1;
}

def NN_PoissonInputOp : NN_Op<"poisson_input", [Symbol,
                                                 HasParent<"NetworkOp">]> {
  let summary = "independent Poisson events onto every neuron of a population";
  let description = [{
    Every neuron of `population` receives in each step k ~ Poisson(`count`
    * `rate` * dt) events (Brian2's PoissonInput, NEST's poisson_generator
    with rate count * rate). The body's block argument is k; its writes
    name the target model's states. With a `rate_of_time` region (no
    arguments; yields the rate in Hz, may read nn.time, tables and
    modulators) the rate is that region's value in each step instead of
    `rate`; a negative or NaN rate counts as 0.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       FlatSymbolRefAttr:$population, F64Attr:$rate,
                       F64Attr:$count);
  let regions = (region SizedRegion<1>:$body, AnyRegion:$rate_of_time);
  let assemblyFormat = [{
    $sym_name `to` $population `rate` $rate `count` $count attr-dict-with-keyword
    $body (`rate_of_time` $rate_of_time^)?
  }];
  let hasVerifier = 1;
}

def NN_GatherOp : NN_Op<"gather", [Symbol, HasParent<"NetworkOp">]> {
  let summary = "sets a state of covering neurons (astrocytes) from synapses";
  let description = [{
    From a network's `cover`: at the start of every step, state `var` of
    every neuron of `population` becomes the `reduction` ("sum" or "mean",
    0 without synapses) of the `value` region (evaluated on each synapse's
    state) over the synapses of `projection` the neuron covers. Without a
    `domain` region every neuron covers every synapse; otherwise the region
    (block arguments: the synapse's source and target indices as f64)
    yields the index of the one neuron covering it, rounded down, and a
    synapse whose index is out of range is not covered.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       FlatSymbolRefAttr:$population, FlatSymbolRefAttr:$var,
                       StrAttr:$reduction, FlatSymbolRefAttr:$projection);
  let regions = (region SizedRegion<1>:$value, AnyRegion:$domain);
  let assemblyFormat = [{
    $sym_name `:` $population `,` $var `=` $reduction `of` $projection
    attr-dict-with-keyword `value` $value (`domain` $domain^)?
  }];
  let hasVerifier = 1;
}

def NN_RewireOp : NN_Op<"rewire", [Symbol, HasParent<"NetworkOp">]> {
  let summary = "structural plasticity: moves synapses to new targets";
  let description = [{
    Every `period` seconds (at the start of the steps that are whole
    multiples of it, after the first), each synapse of `projection` for
    which the `condition` region (reading the synapse's parameters and
    state, yielding an i1) holds starts afresh: its states take their
    initial values, its last event is now, and the `reset` region (writes
    of synapse state) runs. The runtime then moves it to a target drawn
    uniformly among the target population's neurons its source does not
    reach yet; its source, delay and number stay, so memory is constant.

    ```mlir
    nn.rewire @S_rewire : @S every 1.000000e-01 when {
      %w = nn.read @w
      %min = arith.constant 1.0e-03 : f64
      %weak = arith.cmpf olt, %w, %min : f64
      nn.yield %weak : i1
    } reset {
      nn.yield
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       FlatSymbolRefAttr:$projection, F64Attr:$period);
  let regions = (region SizedRegion<1>:$condition, SizedRegion<1>:$reset);
  let assemblyFormat = [{
    $sym_name `:` $projection `every` $period attr-dict-with-keyword
    `when` $condition `reset` $reset
  }];
  let hasVerifier = 1;
}

def NN_ScatterOp : NN_Op<"scatter", [Symbol, HasParent<"NetworkOp">]> {
  let summary = "sets a state of covered synapses from their covering neurons";
  let description = [{
    From a network's `cover` (gliotransmission): at the start of every step,
    synapse state `var` of every synapse of `projection` becomes the `value`
    region evaluated on the state of the `population` neuron that covers it
    (the `domain` region, as for nn.gather; 0 if none covers it), or,
    without a domain, the sum of the value over every neuron of the
    population.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       FlatSymbolRefAttr:$projection, FlatSymbolRefAttr:$var,
                       FlatSymbolRefAttr:$population);
  let regions = (region SizedRegion<1>:$value, AnyRegion:$domain);
  let assemblyFormat = [{
    $sym_name `:` $projection `,` $var `=` `from` $population
    attr-dict-with-keyword `value` $value (`domain` $domain^)?
  }];
  let hasVerifier = 1;
}

def NN_RecordSpikesOp : NN_Op<"record_spikes", [HasParent<"NetworkOp">]> {
  let summary = "records the spikes of a population";
  let arguments = (ins FlatSymbolRefAttr:$population);
  let assemblyFormat = "$population attr-dict";
}

def NN_RecordStateOp : NN_Op<"record_state", [HasParent<"NetworkOp">]> {
  let summary = "samples state variables of a range of neurons";
  let description = [{
    Records `vars` of neurons [`first`, `last`) (`last` = -1: to the end)
    of `population` at the start of every `every_steps`-th step, or once
    after the program (`every_steps` = 0). `population` may also name a
    projection: then `vars` are synapse states, or `source` and `target`
    (the synapse's neurons, unless the model has states of these names),
    and the range counts synapses in storage order.
  }];
  let arguments = (ins FlatSymbolRefAttr:$population,
                       FlatSymbolRefArrayAttr:$vars, I64Attr:$first,
                       I64Attr:$last, I64Attr:$every_steps);
  let assemblyFormat = [{
    $population $vars `[` $first `,` $last `]` `every` $every_steps attr-dict
  }];
  let hasVerifier = 1;
}

def NN_ProgramOp : NN_Op<"program", [HasParent<"NetworkOp">, NoTerminator,
                                     SingleBlock, NoRegionArguments]> {
  let summary = "the network's `run` block";
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "attr-dict-with-keyword $body";
}

def NN_SimulateOp : NN_Op<"simulate"> {
  let summary = "advances the simulation by `duration` seconds";
  let description = [{
    With an `until` region (yielding an i1, evaluated after every step),
    stops early after the first step at whose end the condition holds.
    Starts a new phase: `nn.spike_count` and `nn.spike_rate` count from the
    start of the latest simulate. Inside `nn.program` (possibly nested in
    scf ops).
  }];
  let arguments = (ins F64Attr:$duration);
  let regions = (region AnyRegion:$until);
  let assemblyFormat = "$duration (`until` $until^)? attr-dict";
  let hasVerifier = 1;
}

def NN_SetOp : NN_Op<"set"> {
  let summary = "sets a state or per-neuron parameter of every neuron";
  let arguments = (ins FlatSymbolRefAttr:$population, FlatSymbolRefAttr:$var,
                       F64:$value);
  let assemblyFormat = "$population `,` $var `=` $value attr-dict";
  let hasVerifier = 1;
}

def NN_SpikeCountOp : NN_Op<"spike_count", [MemoryEffects<[MemRead]>]> {
  let summary = "spikes of a population since the latest simulate began";
  let arguments = (ins FlatSymbolRefAttr:$population);
  let results = (outs F64:$count);
  let assemblyFormat = "$population attr-dict";
  let builders = [OpBuilder<(ins "::llvm::StringRef":$population), [{
    build($_builder, $_state, $_builder.getF64Type(),
          ::mlir::FlatSymbolRefAttr::get($_builder.getContext(), population));
  }]>];
  let hasVerifier = 1;
}

def NN_SpikeRateOp : NN_Op<"spike_rate", [MemoryEffects<[MemRead]>]> {
  let summary = "mean rate (Hz) of a population since the latest simulate";
  let arguments = (ins FlatSymbolRefAttr:$population);
  let results = (outs F64:$rate);
  let assemblyFormat = "$population attr-dict";
  let builders = [OpBuilder<(ins "::llvm::StringRef":$population), [{
    build($_builder, $_state, $_builder.getF64Type(),
          ::mlir::FlatSymbolRefAttr::get($_builder.getContext(), population));
  }]>];
  let hasVerifier = 1;
}

def NN_PhaseOp : NN_Op<"phase", [NoTerminator, SingleBlock,
                                 NoRegionArguments]> {
  let summary = "a named part of the program";
  let description = [{
    Runs its body; the runtime reports the phase's name, start and end time
    and the spikes of every population in between (`nnc run`'s summary,
    summary.json). Phases may nest and repeat (in a loop, each run is one
    entry).
  }];
  let arguments = (ins StrAttr:$name);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$name attr-dict-with-keyword $body";
  let hasVerifier = 1;
}

def NN_SpikeArgmaxOp : NN_Op<"spike_argmax", [MemoryEffects<[MemRead]>]> {
  let summary = "the neuron of a population with the most spikes since the "
                "latest simulate began";
  let description = [{
    Its index (f64); the lowest such index on a tie, -1 if the population
    has not spiked in the phase (a decision not yet made).
  }];
  let arguments = (ins FlatSymbolRefAttr:$population);
  let results = (outs F64:$index);
  let assemblyFormat = "$population attr-dict";
  let hasVerifier = 1;
}

def NN_StateMeanOp : NN_Op<"state_mean", [MemoryEffects<[MemRead]>]> {
  let summary = "the mean of a state variable over a population, now";
  let arguments = (ins FlatSymbolRefAttr:$population, FlatSymbolRefAttr:$var);
  let results = (outs F64:$mean);
  let assemblyFormat = "$population `,` $var attr-dict";
  let hasVerifier = 1;
}

def NN_GateOp : NN_Op<"gate"> {
  let summary = "freezes/thaws a projection's plasticity, or disables/enables "
                "a population, projection or input";
  let description = [{
    `kind` is `freeze`, `thaw`, `disable` or `enable` (docs/semantics.md).
  }];
  let arguments = (ins StrAttr:$kind, FlatSymbolRefAttr:$target);
  let assemblyFormat = "$kind $target attr-dict";
  let hasVerifier = 1;
}

#endif // NNC_DIALECT_NN_NNOPS_TD
