//===- nnc.cpp - The nnc compiler driver ----------------------------------===//
//
// Parses the command line and sequences the library's stages: front end
// (parse, check, MLIRGen), the lowering pipeline, the CPU target, and the
// runtime. Exit codes: 0 success, 1 bad input (a diagnostic was printed),
// 2 usage error.
//
//===----------------------------------------------------------------------===//

#include "nnc/Dialect/NN/IR/NNOps.h"
#include "nnc/Frontend/Frontend.h"
#include "nnc/InitAllDialects.h"
#include "nnc/Pipelines/Pipelines.h"
#include "nnc/Runtime/Simulation.h"
#include "nnc/Target/CPU/CPUTarget.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#ifndef NNC_VERSION
#define NNC_VERSION "0.1.0"
#endif

using namespace nnc;

namespace {

constexpr int kExitBadInput = 1;
constexpr int kExitUsage = 2;

const char *kUsage =
    R"(OVERVIEW: nnc - a compiler for neural system descriptions

USAGE: nnc <command> FILE [options]

COMMANDS:
  check FILE              parse, check and lower FILE (everything but code
                          generation), report every error
  compile FILE            compile FILE
      -o OUT                output file (default: FILE with a new extension,
                            or standard output for textual forms)
      --emit=KIND           ast | mlir | loops | llvm-mlir | llvm | obj | lib
                            (default: obj)
  run FILE                compile FILE in memory and simulate it
      --duration=T          simulate T (e.g. 10s, 500ms) instead of the
                            network's run block
      --seed=N              random seed (default 1)
      --threads=N           worker threads (default 1)
      --out=DIR             output directory (default nnc-out)
      --spike-format=F      csv | binary | both: write recorded spikes to
                            spikes.csv, spikes.bin or both (default: csv)
      --rate-bin=T          bin width of rates.csv and rates.svg, a whole
                            multiple of dt (e.g. 5ms; a plain number is in
                            ms; default: 1, 2, 5, 10, 20, ... ms for at most
                            2000 bins of --duration, else 1 ms)

OPTIONS:
  -I DIR                  also look for imported files in DIR (before the
                          directories in $NNC_PATH and nnc's own library)
  --verify-diagnostics    check diagnostics against expected-error comments
  --version               print the version
  --help                  print this help
)";

struct Options {
  std::string command;
  std::string input;
  std::string output;
  std::string emit = "obj";
  bool verifyDiagnostics = false;
  std::vector<std::string> importPaths;
  rt::RunOptions run;
};

int usageError(const llvm::Twine &message) {
  llvm::errs() << "nnc: error: " << message << "\n"
               << "run 'nnc --help' for usage\n";
  return kExitUsage;
}

/// Parses "10s", "500 ms", "2.5" (a plain number is in units of
/// `defaultScale` seconds).
std::optional<double> parseDuration(llvm::StringRef text,
                                    double defaultScale = 1.0) {
  text = text.trim();
  size_t split = text.find_first_not_of("0123456789.eE+-");
  llvm::StringRef number = text.substr(0, split);
  llvm::StringRef unit = split == llvm::StringRef::npos
                             ? llvm::StringRef()
                             : text.substr(split).trim();
  double value;
  if (number.empty() || number.getAsDouble(value) || !(value > 0))
    return std::nullopt;
  if (unit.empty())
    return value * defaultScale;
  std::optional<Unit> u = lookupUnit(unit.str());
  if (!u || u->dim != dims::time())
    return std::nullopt;
  return value * u->scale;
}

/// Returns an exit code if parsing ended the program (help, version, error).
std::optional<int> parseArgs(int argc, char **argv, Options &opts) {
  llvm::SmallVector<llvm::StringRef> positional;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    // `--flag=VALUE`; leaves `arg` alone when it is some other option.
    auto value = [&](llvm::StringRef flag) -> std::optional<llvm::StringRef> {
      llvm::StringRef rest = arg;
      if (rest.consume_front(flag) && rest.consume_front("="))
        return rest;
      return std::nullopt;
    };
    static const char *kValueFlags[] = {
        "--emit", "--duration",     "--seed",    "--threads",
        "--out",  "--spike-format", "--rate-bin"};
    if (llvm::is_contained(kValueFlags, arg))
      return usageError("'" + arg + "' needs a value: " + arg + "=...");
    if (arg == "--help" || arg == "-h") {
      llvm::outs() << kUsage;
      return 0;
    }
    if (arg == "--version") {
      llvm::outs() << "nnc version " << NNC_VERSION << " (LLVM/MLIR "
                   << LLVM_VERSION_STRING << ")\n";
      return 0;
    }
    if (arg == "--verify-diagnostics") {
      opts.verifyDiagnostics = true;
    } else if (arg == "-I" || (arg.starts_with("-I") && arg.size() > 2)) {
      if (arg == "-I" && i + 1 >= argc)
        return usageError("'-I' needs a directory");
      opts.importPaths.push_back(arg == "-I" ? argv[++i]
                                             : arg.drop_front(2).str());
    } else if (arg == "-o") {
      if (i + 1 >= argc)
        return usageError("'-o' needs a file name");
      opts.output = argv[++i];
    } else if (auto v = value("--emit")) {
      static const char *kinds[] = {"ast",  "mlir", "loops", "llvm-mlir",
                                    "llvm", "obj",  "lib"};
      if (!llvm::is_contained(kinds, *v))
        return usageError("unknown --emit kind '" + *v +
                          "' (expected ast, mlir, loops, llvm-mlir, llvm, "
                          "obj or lib)");
      opts.emit = v->str();
    } else if (auto v = value("--duration")) {
      auto d = parseDuration(*v);
      if (!d)
        return usageError("invalid --duration '" + *v +
                          "' (expected a positive time such as 10s or 500ms)");
      opts.run.durationSeconds = *d;
    } else if (auto v = value("--seed")) {
      if (v->getAsInteger(10, opts.run.seed))
        return usageError("invalid --seed '" + *v + "'");
    } else if (auto v = value("--threads")) {
      if (v->getAsInteger(10, opts.run.threads) || opts.run.threads < 1)
        return usageError("invalid --threads '" + *v + "'");
    } else if (auto v = value("--out")) {
      opts.run.outDir = v->str();
    } else if (auto v = value("--spike-format")) {
      if (*v == "csv")
        opts.run.spikeFormat = rt::SpikeFormat::Csv;
      else if (*v == "binary")
        opts.run.spikeFormat = rt::SpikeFormat::Binary;
      else if (*v == "both")
        opts.run.spikeFormat = rt::SpikeFormat::Both;
      else
        return usageError("unknown --spike-format '" + *v +
                          "' (expected csv, binary or both)");
    } else if (auto v = value("--rate-bin")) {
      // Whether it is a multiple of dt is checked once dt is known.
      auto d = parseDuration(*v, /*defaultScale=*/1e-3);
      if (!d)
        return usageError("invalid --rate-bin '" + *v +
                          "' (expected a positive time such as 5ms)");
      opts.run.rateBinSeconds = *d;
    } else if (arg.starts_with("-") && arg != "-") {
      return usageError("unknown option '" + arg + "'");
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.empty())
    return usageError("no command given (expected check, compile or run)");
  opts.command = positional[0].str();
  if (opts.command != "check" && opts.command != "compile" &&
      opts.command != "run")
    return usageError("unknown command '" + opts.command +
                      "' (expected check, compile or run)");
  if (positional.size() < 2)
    return usageError("'" + opts.command + "' needs an input file");
  if (positional.size() > 2)
    return usageError("unexpected argument '" + positional[2] + "'");
  opts.input = positional[1].str();
  // Object writers seek; a pipe would end in "LLVM ERROR: Illegal seek".
  if (opts.command == "compile" && (opts.emit == "obj" || opts.emit == "lib") &&
      opts.output == "-")
    return usageError("--emit=" + opts.emit +
                      " cannot write to standard output; use -o FILE");
  return std::nullopt;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

/// Writes `text` to the output file (or stdout when no -o was given).
int writeText(const Options &opts,
              llvm::function_ref<void(llvm::raw_ostream &)> print) {
  if (opts.output.empty() || opts.output == "-") {
    print(llvm::outs());
    return 0;
  }
  std::string error;
  auto file = mlir::openOutputFile(opts.output, &error);
  if (!file) {
    llvm::errs() << "nnc: error: " << error << "\n";
    return kExitBadInput;
  }
  print(file->os());
  file->keep();
  return 0;
}

std::string defaultOutput(const Options &opts, llvm::StringRef extension) {
  llvm::SmallString<128> path(llvm::sys::path::filename(opts.input));
  llvm::sys::path::replace_extension(path, extension);
  return std::string(path);
}

class Driver {
public:
  explicit Driver(Options opts) : opts(std::move(opts)) {
    mlir::DialectRegistry registry;
    registerAllDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    // Errors from passes point into the .nn file; a dump of the IR the pass
    // was looking at means nothing to the user.
    context.printOpOnDiagnostic(false);
  }

  int run() {
    std::string error;
    auto buffer = mlir::openInputFile(opts.input, &error);
    if (!buffer) {
      llvm::errs() << "nnc: error: cannot read '" << opts.input
                   << "': " << error << "\n";
      return kExitBadInput;
    }
    unsigned bufferId =
        sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
    if (opts.verifyDiagnostics) {
      mlir::SourceMgrDiagnosticVerifierHandler handler(sourceMgr, &context);
      (void)compile(bufferId);
      return mlir::succeeded(handler.verify()) ? 0 : kExitBadInput;
    }
    mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
    return compile(bufferId);
  }

private:
  int compile(unsigned bufferId) {
    auto start = std::chrono::steady_clock::now();
    std::vector<std::string> searchPaths = opts.importPaths;
    if (const char *env = std::getenv("NNC_PATH")) {
      llvm::SmallVector<llvm::StringRef> dirs;
      llvm::StringRef(env).split(dirs, ':', -1, /*KeepEmpty=*/false);
      for (llvm::StringRef dir : dirs)
        searchPaths.push_back(dir.str());
    }
    searchPaths.push_back(defaultLibraryPath());
    std::unique_ptr<ast::File> file =
        parseProgram(sourceMgr, bufferId, &context, searchPaths);
    if (!file || mlir::failed(checkFile(*file, &context)))
      return kExitBadInput;
    opts.run.parseSeconds = secondsSince(start);
    if (opts.emit == "ast" && opts.command == "compile")
      return writeText(opts,
                       [&](llvm::raw_ostream &os) { os << ast::dump(*file); });

    auto compileStart = std::chrono::steady_clock::now();
    mlir::OwningOpRef<mlir::ModuleOp> module = generateMLIR(*file, &context);
    if (!module)
      return kExitBadInput;
    if (opts.command == "compile" && opts.emit == "mlir")
      return writeText(opts, [&](llvm::raw_ostream &os) { module->print(os); });
    // For runtime messages about state rows (lowering renames nothing the
    // runtime reports, but the names are gone after it).
    if (opts.command == "run")
      stateRowNames = nn::getStateRowNames(*module);
    if (opts.command == "run" && file->networks.empty()) {
      mlir::emitError(mlir::FileLineColLoc::get(&context, file->path, 1, 1))
          << "nothing to run: the file defines no network";
      return kExitBadInput;
    }

    mlir::PassManager loops(&context);
    buildLowerToLoopsPipeline(loops);
    if (mlir::failed(loops.run(*module)))
      return kExitBadInput;
    // `check` stops here: what the lowering rejects (e.g. `solver exact` on
    // a projection's nonlinear synapse equations) is reported too.
    if (opts.command == "check")
      return 0;
    if (opts.command == "compile" && opts.emit == "loops")
      return writeText(opts, [&](llvm::raw_ostream &os) { module->print(os); });

    mlir::PassManager toLLVM(&context);
    buildLoopsToLLVMPipeline(toLLVM);
    if (mlir::failed(toLLVM.run(*module)))
      return kExitBadInput;
    if (opts.command == "compile" && opts.emit == "llvm-mlir")
      return writeText(opts, [&](llvm::raw_ostream &os) { module->print(os); });

    if (opts.command == "run")
      return simulate(*module, compileStart);
    return emitNative(*module);
  }

  int emitNative(mlir::ModuleOp module) {
    llvm::LLVMContext llvmContext;
    auto llvmModule = cpu::translateAndOptimize(module, llvmContext);
    if (!llvmModule)
      return internalError(llvmModule.takeError());
    if (opts.emit == "llvm")
      return writeText(opts, [&](llvm::raw_ostream &os) {
        (*llvmModule)->print(os, nullptr);
      });
    std::string out = opts.output.empty()
                          ? defaultOutput(opts, opts.emit == "lib" ? "so" : "o")
                          : opts.output;
    // The linker driver would take a path that starts with '-' for an
    // option.
    if (opts.emit == "lib" && llvm::StringRef(out).starts_with("-"))
      out = "./" + out;
    std::string object = opts.emit == "lib" ? out + ".o" : out;
    if (llvm::Error err = cpu::emitObjectFile(**llvmModule, object))
      return internalError(std::move(err));
    if (opts.emit == "lib") {
      llvm::Error err = cpu::linkSharedLibrary(object, out);
      llvm::sys::fs::remove(object);
      if (err)
        return internalError(std::move(err));
    }
    return 0;
  }

  int simulate(mlir::ModuleOp module,
               std::chrono::steady_clock::time_point compileStart) {
    auto artifact = cpu::JITArtifact::create(module, cpu::runtimeSymbols());
    if (!artifact)
      return internalError(artifact.takeError());
    opts.run.compileSeconds = secondsSince(compileStart);
    opts.run.progress = llvm::sys::Process::StandardErrHasColors() ||
                        llvm::sys::Process::StandardErrIsDisplayed();
    if (std::getenv("CI"))
      opts.run.progress = false;
    rt::RunResult result;
    std::string error;
    auto resolve = [&](const std::string &name) {
      return (*artifact)->lookup(name);
    };
    if (!rt::runArtifact(resolve, opts.run, result, error)) {
      llvm::errs() << "nnc: error: " << error << "\n";
      return kExitBadInput;
    }
    llvm::outs() << rt::formatSummary(result, opts.run);
    for (const rt::NonFiniteState &bad : result.nonFinite)
      warnNonFinite(bad);
    return 0;
  }

  /// The results are written, but they are not numbers from some point on.
  void warnNonFinite(const rt::NonFiniteState &bad) {
    std::string state = "row " + std::to_string(bad.row);
    auto it = stateRowNames.find(bad.model);
    if (it != stateRowNames.end() &&
        bad.row < static_cast<int64_t>(it->second.size()))
      state = "'" + it->second[bad.row] + "'";
    char time[32];
    std::snprintf(time, sizeof(time), "%g", bad.bySeconds * 1000.0);
    llvm::errs() << "nnc: warning: population '" << bad.population
                 << "': state " << state << " of neuron " << bad.neuron
                 << " is " << (std::isnan(bad.value) ? "NaN" : "infinite")
                 << " at t = " << time
                 << " ms; its equations diverged (too stiff for the solver "
                    "at this dt: try a smaller dt, 'solver exact' for linear "
                    "equations or 'solver backward_euler' for compartments) "
                    "or divided by zero\n";
  }

  int internalError(llvm::Error err) {
    llvm::errs() << "nnc: error: " << llvm::toString(std::move(err)) << "\n";
    return kExitBadInput;
  }

  Options opts;
  mlir::MLIRContext context;
  llvm::SourceMgr sourceMgr;
  llvm::StringMap<llvm::SmallVector<std::string>> stateRowNames;
};

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  Options opts;
  if (std::optional<int> exit = parseArgs(argc, argv, opts))
    return *exit;
  return Driver(std::move(opts)).run();
}
