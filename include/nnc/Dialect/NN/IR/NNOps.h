//===- NNOps.h - Operations of the nn dialect -------------------*- C++ -*-===//

#ifndef NNC_DIALECT_NN_IR_NNOPS_H
#define NNC_DIALECT_NN_IR_NNOPS_H

#include "nnc/Dialect/NN/IR/NNDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/RegionKindInterface.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/StringMap.h"

#define GET_OP_CLASSES
#include "nnc/Dialect/NN/IR/NNOps.h.inc"

namespace nnc::nn {
/// nn.uniform, nn.normal, nn.exponential, nn.lognormal and nn.poisson:
/// each consumes one counter of the random stream.
inline bool isRandomOp(mlir::Operation *op) {
  return mlir::isa<UniformOp, NormalOp, ExponentialOp, LognormalOp, PoissonOp>(
      op);
}
} // namespace nnc::nn

#endif // NNC_DIALECT_NN_IR_NNOPS_H
