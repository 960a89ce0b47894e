//===- nnc-fuzz.cpp - libFuzzer target for the nnc front end --------------===//
//
// Runs the whole front end on each input as one in-memory .nn file, the way
// `nnc check` and `nnc compile --emit=mlir` do: parse (parseProgram),
// check (checkFile), dump the checked AST, and generate and verify the `nn`
// dialect (generateMLIR). Diagnostics are counted and swallowed. Besides
// the sanitizers (ASan, UBSan, libFuzzer's leak, timeout and memory
// checks), the target aborts when the front end breaks its own contract:
//
//   - a stage fails without reporting an error, or Sema succeeds after
//     reporting one (the driver's exit codes rely on both);
//   - MLIR generation fails (the verifier rejects the IR) for a file that
//     Sema accepted;
//   - a diagnostic shows the dimension cd^1048576 (and the input does not
//     spell it out): that is Sema's marker for an expression that already
//     failed (kPoison = 2^20 candela exponents; no unit involves candelas),
//     which must never reach a message.
//
// The fuzzer never touches the file system. The input is named
// /nonexistent/nnc-fuzz/input.nn, so imports and spike / CSV files with
// relative paths are looked up in a directory that does not exist and fail
// with their usual diagnostics. Inputs with a string that starts with '/'
// (an absolute path) are skipped, and no search paths are given.
//
// Built by -DNNC_ENABLE_FUZZER=ON with clang; run with `make fuzz`
// (docs/fuzzing.md).
//
//===----------------------------------------------------------------------===//

#include "nnc/Frontend/Frontend.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

constexpr const char *kMissingDir = "/nonexistent";
constexpr const char *kInputPath = "/nonexistent/nnc-fuzz/input.nn";

/// Counts error diagnostics and keeps the first few, to be shown only when
/// the target is about to abort.
struct Diagnostics {
  /// How Dim::str() shows Sema's kPoison marker.
  static constexpr const char *kPoisonText = "cd^1048576";

  unsigned errors = 0;
  std::vector<std::string> first;
  std::string poisoned; // a message showing Sema's failure marker

  void add(mlir::Diagnostic &diag) {
    if (diag.getSeverity() == mlir::DiagnosticSeverity::Error)
      ++errors;
    std::string text;
    llvm::raw_string_ostream os(text);
    os << diag.getLocation() << ": " << diag;
    for (const mlir::Diagnostic &note : diag.getNotes())
      os << " (note: " << note << ")";
    if (poisoned.empty() && llvm::StringRef(text).contains(kPoisonText))
      poisoned = text;
    if (first.size() < 20)
      first.push_back(std::move(text));
  }
};

[[noreturn]] void fail(const char *what, const Diagnostics &diags) {
  llvm::errs() << "nnc-fuzz: " << what << "\n";
  if (!diags.poisoned.empty())
    llvm::errs() << "  " << diags.poisoned << "\n";
  for (const std::string &text : diags.first)
    llvm::errs() << "  " << text << "\n";
  llvm::errs().flush();
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  if (llvm::sys::fs::exists(kMissingDir)) {
    llvm::errs() << "nnc-fuzz: error: '" << kMissingDir
                 << "' exists; the fuzzer relies on it not existing so that "
                    "imports and spike files cannot be read\n";
    std::exit(1);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  // An absolute path in a string (import, spike or CSV file) would be read
  // from the file system: not this target's business, and not repeatable.
  if (text.contains("\"/"))
    return -1;

  // A fresh context per input keeps runs independent (attributes and
  // locations are uniqued in the context forever).
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  context.printOpOnDiagnostic(false);
  Diagnostics diags;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diag) {
    diags.add(diag);
    return mlir::success();
  });

  llvm::SourceMgr sourceMgr;
  unsigned bufferId = sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, kInputPath), llvm::SMLoc());
  std::unique_ptr<nnc::ast::File> file =
      nnc::parseProgram(sourceMgr, bufferId, &context, /*searchPaths=*/{});
  if (!file) {
    if (diags.errors == 0)
      fail("parsing failed without an error", diags);
    return 0;
  }
  if (diags.errors != 0)
    fail("parsing succeeded after reporting an error", diags);

  bool checked = mlir::succeeded(nnc::checkFile(*file, &context));
  if (!diags.poisoned.empty() && !text.contains(Diagnostics::kPoisonText))
    fail("a diagnostic shows the dimension of a failed expression", diags);
  if (!checked) {
    if (diags.errors == 0)
      fail("checkFile failed without an error", diags);
    return 0;
  }
  if (diags.errors != 0)
    fail("checkFile succeeded after reporting an error", diags);

  // `nnc compile --emit=ast`.
  std::string dump = nnc::ast::dump(*file);
  (void)dump;

  mlir::OwningOpRef<mlir::ModuleOp> module = nnc::generateMLIR(*file, &context);
  if (!module)
    fail("generateMLIR failed on a file that Sema accepted", diags);
  return 0;
}
