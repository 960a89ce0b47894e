//===- Frontend.h - Parse, check and generate MLIR for .nn files -*- C++
//-*-===//
//
// The front end's public API. All diagnostics go through MLIR's diagnostic
// engine with FileLineColLoc locations, so one SourceMgrDiagnosticHandler
// prints them clang-style (and the verifier handler can check them in tests).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_FRONTEND_H
#define NNC_FRONTEND_FRONTEND_H

#include "nnc/Frontend/AST.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"

#include <memory>
#include <vector>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace nnc {

/// Parses buffer `bufferId` of `sourceMgr` alone (imports are not
/// followed); its locations name file `fileIndex` of the program. Syntax
/// errors are emitted as diagnostics; returns nullptr if there was any.
std::unique_ptr<ast::File> parseFile(llvm::SourceMgr &sourceMgr,
                                     unsigned bufferId,
                                     mlir::MLIRContext *context,
                                     unsigned fileIndex = 0);

/// Parses buffer `bufferId` and every file it imports, directly or not,
/// each once. `import "std/lif.nn";` is looked up next to the importing
/// file, then in each of `searchPaths` (nnc's own directory holding `std/`
/// comes last). Imported models and constants join the returned AST;
/// imported files may not define networks.
std::unique_ptr<ast::File>
parseProgram(llvm::SourceMgr &sourceMgr, unsigned bufferId,
             mlir::MLIRContext *context,
             llvm::ArrayRef<std::string> searchPaths);

/// Where nnc's standard library (`std/`) lives: the directory holding it.
std::string defaultLibraryPath();

/// Resolves names, checks dimensions and rules, folds constants, and
/// annotates the AST. Reports every error it finds.
mlir::LogicalResult checkFile(ast::File &file, mlir::MLIRContext *context);

/// Turns a checked AST into nnc's `nn` dialect (a location on every op).
mlir::OwningOpRef<mlir::ModuleOp> generateMLIR(const ast::File &file,
                                               mlir::MLIRContext *context);

/// Value of builtin math function `name` (exp, log, ..., clip, sqrt; not
/// the random ones) at `args`, for constant folding.
double applyMathFunction(llvm::StringRef name, const std::vector<double> &args);

/// Makes an MLIR location for a position in `file`.
mlir::Location makeLoc(mlir::MLIRContext *context, const ast::File &file,
                       ast::Loc loc);

} // namespace nnc

#endif // NNC_FRONTEND_FRONTEND_H
