//===- Passes.td - Conversions out of the nn dialect -------*- tablegen -*-===//

#ifndef NNC_CONVERSION_PASSES_TD
#define NNC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertNNToKernels : Pass<"convert-nn-to-kernels", "mlir::ModuleOp"> {
  let summary = "Lower solved neuron models and synapses to loop kernels";
  let description = [{
    For every population, emits `@<population>_init(memref<Rx?xf64>, i64
    key)` (model defaults, then the population's own values); for every
    neuron model used by a population
    `@<model>_update(memref<Rx?xf64, strided<[?, 1], offset: ?>>,
    memref<?xi32, strided<[1], offset: ?>>, i64 step) -> i64` (strided: the
    runtime passes views of chunks of a population, one per thread); and
    for every projection `@<projection>_on_pre(...)` (and `_on_post`,
    `_on_pre_frozen`, `_init_synapses`, and `_update_synapses` for
    clock-driven synapse equations): `scf.for` loops
    over structure-of-arrays state in `memref`, with `arith`/`math` bodies.
    The update is branch-free: refractoriness, threshold and reset become
    `arith.select`s, spikes are compacted with an unconditional store. All
    kernels carry `llvm.emit_c_interface`; their signatures are the runtime
    ABI (runtime/include/nnc/Runtime/Runtime.h). Requires `nn-solve-odes`.
    The nn ops are left in place for `convert-nn-to-runtime`.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::func::FuncDialect",
    "mlir::memref::MemRefDialect", "mlir::scf::SCFDialect",
    "mlir::math::MathDialect", "mlir::LLVM::LLVMDialect"
  ];
}

def ConvertNNToRuntime : Pass<"convert-nn-to-runtime", "mlir::ModuleOp"> {
  let summary = "Lower networks and programs to calls into the nnc runtime";
  let description = [{
    Turns the `nn.network` into `@nnc_describe(!llvm.ptr)`, which builds
    populations, projections and recordings through the runtime's C ABI,
    its `nn.program` into `@nnc_program(!llvm.ptr)`, and adds
    `@nnc_abi_version()`. Then erases every remaining nn op. Run after
    `convert-nn-to-kernels`.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::func::FuncDialect",
    "mlir::LLVM::LLVMDialect"
  ];
}

#endif // NNC_CONVERSION_PASSES_TD
