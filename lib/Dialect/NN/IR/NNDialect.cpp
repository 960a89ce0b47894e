//===- NNDialect.cpp - The nn dialect -------------------------------------===//

#include "nnc/Dialect/NN/IR/NNDialect.h"
#include "nnc/Dialect/NN/IR/NNOps.h"

using namespace mlir;
using namespace nnc::nn;

#include "nnc/Dialect/NN/IR/NNOpsDialect.cpp.inc"

void NNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "nnc/Dialect/NN/IR/NNOps.cpp.inc"
      >();
}
