//===- Solvers.h - The integration methods a model may name -----*- C++ -*-===//
//
// The `solver NAME;` choices, shared by Sema (which reports an unknown name
// at its location) and the nn ops' verifiers. Header-only so that the front
// end need not link the dialect.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_DIALECT_NN_IR_SOLVERS_H
#define NNC_DIALECT_NN_IR_SOLVERS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"

namespace nnc::nn {

/// Every integration method, in the order diagnostics list them.
inline llvm::ArrayRef<llvm::StringRef> getSolverNames() {
  static const llvm::StringRef names[] = {
      "exact", "exponential_euler", "backward_euler", "euler", "rk2", "rk4"};
  return names;
}

inline bool isSolverName(llvm::StringRef name) {
  return llvm::is_contained(getSolverNames(), name);
}

} // namespace nnc::nn

#endif // NNC_DIALECT_NN_IR_SOLVERS_H
