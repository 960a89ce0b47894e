//===- Imports.cpp - Follow `import` declarations -------------------------===//
//
// Loads the files a program imports into the same SourceMgr (so diagnostics
// in them show their source line) and merges their models and constants
// into the main file's AST. Each file is loaded once, whatever the number
// of paths that lead to it, so diamond and circular imports are harmless.
//
//===----------------------------------------------------------------------===//

#include "nnc/Frontend/Frontend.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

using namespace nnc;

namespace {

std::string canonical(llvm::StringRef path) {
  llvm::SmallString<256> real;
  if (llvm::sys::fs::real_path(path, real))
    return path.str();
  return std::string(real);
}

/// The directory of `path` ("." for a bare file name).
std::string directoryOf(llvm::StringRef path) {
  llvm::StringRef dir = llvm::sys::path::parent_path(path);
  return dir.empty() ? "." : dir.str();
}

} // namespace

std::string nnc::defaultLibraryPath() { return NNC_LIBRARY_DIR; }

std::unique_ptr<ast::File>
nnc::parseProgram(llvm::SourceMgr &sourceMgr, unsigned bufferId,
                  mlir::MLIRContext *context,
                  llvm::ArrayRef<std::string> searchPaths) {
  std::unique_ptr<ast::File> main = parseFile(sourceMgr, bufferId, context);
  if (!main)
    return nullptr;
  struct Pending {
    std::string importerDir;
    ast::Import import;
  };
  std::vector<Pending> work;
  for (const ast::Import &imp : main->imports)
    work.push_back({directoryOf(main->path), imp});
  llvm::StringSet<> loaded;
  loaded.insert(canonical(main->path));
  std::vector<ast::VarDecl> constants;
  std::vector<std::unique_ptr<ast::Neuron>> neurons;
  std::vector<std::unique_ptr<ast::SynapseModel>> synapses;
  bool ok = true;

  for (size_t next = 0; next < work.size(); ++next) {
    Pending pending = work[next];
    const ast::Import &imp = pending.import;
    // Next to the importing file first, then the search paths.
    std::vector<std::string> candidates;
    if (llvm::sys::path::is_absolute(imp.path)) {
      candidates.push_back(imp.path);
    } else {
      candidates.push_back(pending.importerDir);
      candidates.insert(candidates.end(), searchPaths.begin(),
                        searchPaths.end());
      for (std::string &dir : candidates) {
        llvm::SmallString<256> joined(dir);
        llvm::sys::path::append(joined, imp.path);
        dir = std::string(joined);
      }
    }
    auto found = llvm::find_if(candidates, [](const std::string &path) {
      return llvm::sys::fs::is_regular_file(path);
    });
    if (found == candidates.end()) {
      auto diag = mlir::emitError(makeLoc(context, *main, imp.loc));
      diag << "cannot find imported file '" << imp.path << "'; looked for";
      for (const std::string &path : candidates)
        diag << " '" << path << "'";
      ok = false;
      continue;
    }
    if (!loaded.insert(canonical(*found)).second)
      continue;
    auto buffer = llvm::MemoryBuffer::getFile(*found, /*IsText=*/true);
    if (!buffer) {
      mlir::emitError(makeLoc(context, *main, imp.loc))
          << "cannot read imported file '" << *found
          << "': " << buffer.getError().message();
      ok = false;
      continue;
    }
    unsigned id = sourceMgr.AddNewSourceBuffer(std::move(*buffer), {});
    unsigned index = main->sourcePaths.size();
    std::unique_ptr<ast::File> imported =
        parseFile(sourceMgr, id, context, index);
    main->sourcePaths.push_back(*found);
    if (!imported) {
      ok = false;
      continue;
    }
    for (auto &net : imported->networks) {
      mlir::emitError(makeLoc(context, *main, net->loc))
          << "imported file '" << imp.path << "' defines network '" << net->name
          << "'; only neuron models and constants can be imported";
      ok = false;
    }
    for (ast::VarDecl &c : imported->constants)
      constants.push_back(std::move(c));
    for (auto &neuron : imported->neurons)
      neurons.push_back(std::move(neuron));
    for (auto &synapse : imported->synapses)
      synapses.push_back(std::move(synapse));
    for (const ast::Import &sub : imported->imports)
      work.push_back({directoryOf(*found), sub});
  }
  if (!ok)
    return nullptr;
  // Imported declarations come first: the main file's constants may use
  // imported ones.
  for (ast::VarDecl &c : main->constants)
    constants.push_back(std::move(c));
  main->constants = std::move(constants);
  for (auto &neuron : main->neurons)
    neurons.push_back(std::move(neuron));
  main->neurons = std::move(neurons);
  for (auto &synapse : main->synapses)
    synapses.push_back(std::move(synapse));
  main->synapses = std::move(synapses);
  return main;
}
