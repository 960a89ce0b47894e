//===- CPUTarget.h - LLVM dialect to native code ----------------*- C++ -*-===//
//
// Translates a module in the LLVM dialect to LLVM IR, optimises it for the
// host CPU (O3, vectorisation) and either emits an object file or loads it
// into an in-process ORC JIT, binding the runtime's C ABI functions.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_TARGET_CPU_CPUTARGET_H
#define NNC_TARGET_CPU_CPUTARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <map>
#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
namespace orc {
class LLJIT;
} // namespace orc
} // namespace llvm

namespace nnc::cpu {

/// Translates and optimises `module` (LLVM dialect) for the host CPU.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateAndOptimize(mlir::ModuleOp module, llvm::LLVMContext &context,
                     unsigned optLevel = 3);

/// Writes a relocatable object file for the host.
llvm::Error emitObjectFile(llvm::Module &module, llvm::StringRef path);

/// Links an object file into a shared library with the system linker.
llvm::Error linkSharedLibrary(llvm::StringRef objectPath,
                              llvm::StringRef libraryPath);

/// A compiled network loaded into this process.
class JITArtifact {
public:
  /// `symbols` are extra definitions (the runtime's C ABI), by name.
  static llvm::Expected<std::unique_ptr<JITArtifact>>
  create(mlir::ModuleOp module, const std::map<std::string, void *> &symbols);
  ~JITArtifact();

  /// Address of a symbol of the compiled code, or nullptr.
  void *lookup(const std::string &name);

private:
  JITArtifact() = default;
  std::unique_ptr<llvm::orc::LLJIT> jit;
};

/// The runtime's C ABI functions compiled code may call, by name.
std::map<std::string, void *> runtimeSymbols();

} // namespace nnc::cpu

#endif // NNC_TARGET_CPU_CPUTARGET_H
