//===- Pipelines.cpp - nnc's lowering pipelines ---------------------------===//

#include "nnc/Pipelines/Pipelines.h"

#include "nnc/Conversion/Passes.h"
#include "nnc/Dialect/NN/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void nnc::buildLowerToLoopsPipeline(OpPassManager &pm) {
  pm.addPass(nn::createNNInlinePorts());
  pm.addPass(nn::createNNSolveODEs());
  pm.addPass(createConvertNNToKernels());
  pm.addPass(createConvertNNToRuntime());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void nnc::buildLoopsToLLVMPipeline(OpPassManager &pm) {
  pm.addPass(createSCFToControlFlowPass());
  // MemRef first: it folds memref.dim with constant (arith) indices into
  // descriptor reads; after ArithToLLVM it would spill the sizes to memory.
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void nnc::buildLowerToLLVMPipeline(OpPassManager &pm) {
  buildLowerToLoopsPipeline(pm);
  buildLoopsToLLVMPipeline(pm);
}

void nnc::registerPipelines() {
  PassPipelineRegistration<>(
      "nnc-lower-to-loops",
      "Lower the nn dialect to loop kernels and runtime calls",
      buildLowerToLoopsPipeline);
  PassPipelineRegistration<>("nnc-loops-to-llvm",
                             "Lower nnc's loop-level IR to the LLVM dialect",
                             buildLoopsToLLVMPipeline);
  PassPipelineRegistration<>("nnc-lower-to-llvm",
                             "Lower the nn dialect all the way to LLVM",
                             buildLowerToLLVMPipeline);
}
