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
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include <optional>

#define GET_OP_CLASSES
#include "nnc/Dialect/NN/IR/NNOps.h.inc"

namespace nnc::nn {
/// nn.uniform, nn.normal, nn.exponential, nn.lognormal and nn.poisson:
/// each consumes one counter of the random stream.
inline bool isRandomOp(mlir::Operation *op) {
  return mlir::isa<UniformOp, NormalOp, ExponentialOp, LognormalOp, PoissonOp>(
      op);
}

/// What the two kinds of cover statement (nn.gather, nn.scatter) share.
struct CoverStatement {
  mlir::Operation *op;
  llvm::StringRef name, projection, population;
  mlir::Region *domain, *value;
  /// The covering neuron's state it gathers into (empty for a scatter).
  llvm::StringRef gathered;
};
/// `op` as a cover statement, if it is one.
std::optional<CoverStatement> asCoverStatement(mlir::Operation *op);

/// The cover statements (nn.gather, nn.scatter) of `network`, in order,
/// grouped into the passes over synapses they compile to. Consecutive
/// statements with a domain share a pass (one kernel, one visit per
/// synapse) when they cover the same projection with the same population
/// and an equivalent domain, and none reads a covering neuron's state that
/// an earlier gather of the pass computes (a sum is only complete after the
/// pass) or gathers into a state an earlier one does. The first statement
/// names the pass. Statements without a domain have a pass each.
llvm::SmallVector<llvm::SmallVector<mlir::Operation *, 4>>
getCoverPasses(NetworkOp network);

/// The names of each neuron model's state rows in the runtime's order (its
/// states, then "refractory" for the refractory counter), by model name:
/// what a runtime message about row R of a population of model M means.
llvm::StringMap<llvm::SmallVector<std::string>>
getStateRowNames(mlir::ModuleOp module);
} // namespace nnc::nn

#endif // NNC_DIALECT_NN_IR_NNOPS_H
