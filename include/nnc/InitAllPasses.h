//===- InitAllPasses.h - Every pass nnc tools can run -----------*- C++ -*-===//

#ifndef NNC_INITALLPASSES_H
#define NNC_INITALLPASSES_H

#include "nnc/Conversion/Passes.h"
#include "nnc/Dialect/NN/Transforms/Passes.h"
#include "nnc/Pipelines/Pipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Transforms/Passes.h"

namespace nnc {

/// Registers nnc's passes and pipelines and the upstream passes they use.
inline void registerAllPasses() {
  nn::registerNNTransformsPasses();
  registerNNConversionPasses();
  registerPipelines();

  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerSCFToControlFlowPass();
  mlir::registerConvertMathToLLVMPass();
  mlir::registerArithToLLVMConversionPass();
  mlir::registerConvertIndexToLLVMPass();
  mlir::registerFinalizeMemRefToLLVMConversionPass();
  mlir::registerConvertControlFlowToLLVMPass();
  mlir::registerConvertFuncToLLVMPass();
  mlir::registerReconcileUnrealizedCastsPass();
}

} // namespace nnc

#endif // NNC_INITALLPASSES_H
