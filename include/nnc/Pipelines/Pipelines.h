//===- Pipelines.h - nnc's lowering pipelines -------------------*- C++ -*-===//
//
// The one place that decides which passes run in which order; the driver
// and `nnc-opt --nnc-lower-to-llvm` both use it.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PIPELINES_PIPELINES_H
#define NNC_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace nnc {

/// nn dialect -> func/scf/memref/arith/math kernels and runtime calls.
void buildLowerToLoopsPipeline(mlir::OpPassManager &pm);

/// Loop-level IR -> LLVM dialect.
void buildLoopsToLLVMPipeline(mlir::OpPassManager &pm);

/// Both of the above.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm);

/// Registers `nnc-lower-to-loops`, `nnc-loops-to-llvm`, `nnc-lower-to-llvm`.
void registerPipelines();

} // namespace nnc

#endif // NNC_PIPELINES_PIPELINES_H
