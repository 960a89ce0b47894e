//===- Passes.h - Transformations of the nn dialect -------------*- C++ -*-===//

#ifndef NNC_DIALECT_NN_TRANSFORMS_PASSES_H
#define NNC_DIALECT_NN_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace nnc::nn {

#define GEN_PASS_DECL
#include "nnc/Dialect/NN/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "nnc/Dialect/NN/Transforms/Passes.h.inc"

} // namespace nnc::nn

#endif // NNC_DIALECT_NN_TRANSFORMS_PASSES_H
