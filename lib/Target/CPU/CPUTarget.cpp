//===- CPUTarget.cpp - LLVM dialect to native code ------------------------===//

#include "nnc/Target/CPU/CPUTarget.h"

#include "nnc/Runtime/Runtime.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/SystemLibraries.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace nnc;

namespace {

void initializeNativeTarget() {
  static bool done = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)done;
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>> hostTargetMachine() {
  initializeNativeTarget();
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  // Position-independent code, so objects can go into shared libraries.
  builder->setRelocationModel(llvm::Reloc::PIC_);
  return builder->createTargetMachine();
}

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// glibc's vector math library (exp, log, sin, ... on 2/4/8 doubles at a
/// time, within 4 ulp). With it the loop vectoriser turns the `exp` calls
/// of a Hodgkin-Huxley or conductance-based update into vector calls
/// instead of one scalar libm call per lane. Loaded once into this process
/// so JIT-compiled code can call it; unused where it does not exist.
bool hostHasVectorMath(const llvm::Triple &triple) {
  static bool loaded =
      triple.isX86() && triple.isOSLinux() && triple.isGNUEnvironment() &&
      !llvm::sys::DynamicLibrary::LoadLibraryPermanently("libmvec.so.1");
  return loaded;
}

/// libmvec's 8-lane AVX-512 double variants, which LLVM's LIBMVEC table
/// lacks (it stops at 4 lanes): with them a loop of `exp` calls vectorises
/// to 8 doubles per call on an AVX-512 host instead of 4 (the COBA update
/// and Hodgkin-Huxley rates).
void addAvx512VectorMath(llvm::TargetLibraryInfoImpl &libraryInfo) {
  struct Variant {
    const char *libcall, *intrinsic, *vector, *abiPrefix;
  };
  static const Variant variants[] = {
      {"exp", "llvm.exp.f64", "_ZGVeN8v_exp", "_ZGV_LLVM_N8v"},
      {"log", "llvm.log.f64", "_ZGVeN8v_log", "_ZGV_LLVM_N8v"},
      {"sin", "llvm.sin.f64", "_ZGVeN8v_sin", "_ZGV_LLVM_N8v"},
      {"cos", "llvm.cos.f64", "_ZGVeN8v_cos", "_ZGV_LLVM_N8v"},
      {"tanh", "llvm.tanh.f64", "_ZGVeN8v_tanh", "_ZGV_LLVM_N8v"},
      {"pow", "llvm.pow.f64", "_ZGVeN8vv_pow", "_ZGV_LLVM_N8vv"},
  };
  std::vector<llvm::VecDesc> descs;
  for (const Variant &v : variants)
    for (const char *scalar : {v.libcall, v.intrinsic})
      descs.emplace_back(scalar, v.vector, llvm::ElementCount::getFixed(8),
                         /*Masked=*/false, v.abiPrefix, std::nullopt);
  libraryInfo.addVectorizableFunctions(descs);
}

/// LLVM's default O-level pipeline for `tm`, with the vector math library.
llvm::Error optimize(llvm::Module &module, llvm::TargetMachine *tm,
                     unsigned optLevel) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = optLevel > 1;
  tuning.SLPVectorization = optLevel > 1;
  llvm::PassBuilder builder(tm, tuning);
  llvm::TargetLibraryInfoImpl libraryInfo(module.getTargetTriple());
  if (hostHasVectorMath(module.getTargetTriple())) {
    libraryInfo.addVectorizableFunctionsFromVecLib(llvm::VectorLibrary::LIBMVEC,
                                                   module.getTargetTriple());
    if (tm->getTargetFeatureString().contains("+avx512f"))
      addAvx512VectorMath(libraryInfo);
  }
  fam.registerPass([&] { return llvm::TargetLibraryAnalysis(libraryInfo); });
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel >= 3   ? llvm::OptimizationLevel::O3
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                                  : llvm::OptimizationLevel::O0;
  llvm::ModulePassManager passes = builder.buildPerModuleDefaultPipeline(level);
  passes.run(module, mam);
  return llvm::Error::success();
}

} // namespace

llvm::Expected<std::unique_ptr<llvm::Module>>
cpu::translateAndOptimize(mlir::ModuleOp module, llvm::LLVMContext &context,
                          unsigned optLevel) {
  std::unique_ptr<llvm::Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, context);
  if (!llvmModule)
    return makeError("failed to translate the module to LLVM IR");
  auto tm = hostTargetMachine();
  if (!tm)
    return tm.takeError();
  llvmModule->setDataLayout((*tm)->createDataLayout());
  llvmModule->setTargetTriple((*tm)->getTargetTriple());
  // Let every kernel use the host's vector units.
  for (llvm::Function &fn : *llvmModule) {
    if (fn.isDeclaration())
      continue;
    fn.addFnAttr("target-cpu", (*tm)->getTargetCPU());
    fn.addFnAttr("target-features", (*tm)->getTargetFeatureString());
  }
  if (llvm::Error err = optimize(*llvmModule, tm->get(), optLevel))
    return std::move(err);
  return llvmModule;
}

llvm::Error cpu::emitObjectFile(llvm::Module &module, llvm::StringRef path) {
  auto tm = hostTargetMachine();
  if (!tm)
    return tm.takeError();
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return makeError("cannot write '" + path + "': " + ec.message());
  llvm::legacy::PassManager pm;
  if ((*tm)->addPassesToEmitFile(pm, out, nullptr,
                                 llvm::CodeGenFileType::ObjectFile))
    return makeError("the host target cannot emit object files");
  pm.run(module);
  out.flush();
  return llvm::Error::success();
}

llvm::Error cpu::linkSharedLibrary(llvm::StringRef objectPath,
                                   llvm::StringRef libraryPath) {
  auto cc = llvm::sys::findProgramByName("cc");
  if (!cc)
    return makeError("no system linker driver 'cc' found on PATH");
  llvm::SmallVector<llvm::StringRef> args = {*cc,  "-shared",   objectPath,
                                             "-o", libraryPath, "-lm"};
  // Vectorised math calls (see hostHasVectorMath) live in libmvec.
  if (hostHasVectorMath(llvm::Triple(llvm::sys::getProcessTriple())))
    args.push_back("-lmvec");
  std::string message;
  int rc =
      llvm::sys::ExecuteAndWait(*cc, args, std::nullopt, {}, 0, 0, &message);
  if (rc != 0)
    return makeError("linking '" + libraryPath + "' failed" +
                     (message.empty() ? "" : ": " + message));
  return llvm::Error::success();
}

std::map<std::string, void *> cpu::runtimeSymbols() {
  return {
      {"nnc_rt_set_network", reinterpret_cast<void *>(&nnc_rt_set_network)},
      {"nnc_rt_add_population",
       reinterpret_cast<void *>(&nnc_rt_add_population)},
      {"nnc_rt_add_projection",
       reinterpret_cast<void *>(&nnc_rt_add_projection)},
      {"nnc_rt_record_spikes", reinterpret_cast<void *>(&nnc_rt_record_spikes)},
      {"nnc_rt_record_state", reinterpret_cast<void *>(&nnc_rt_record_state)},
      {"nnc_rt_begin_phase", reinterpret_cast<void *>(&nnc_rt_begin_phase)},
      {"nnc_rt_step", reinterpret_cast<void *>(&nnc_rt_step)},
      {"nnc_rt_spike_count", reinterpret_cast<void *>(&nnc_rt_spike_count)},
      {"nnc_rt_spike_rate", reinterpret_cast<void *>(&nnc_rt_spike_rate)},
      {"nnc_rt_spike_argmax", reinterpret_cast<void *>(&nnc_rt_spike_argmax)},
      {"nnc_rt_state_mean", reinterpret_cast<void *>(&nnc_rt_state_mean)},
      {"nnc_rt_phase_begin", reinterpret_cast<void *>(&nnc_rt_phase_begin)},
      {"nnc_rt_phase_end", reinterpret_cast<void *>(&nnc_rt_phase_end)},
      {"nnc_rt_time", reinterpret_cast<void *>(&nnc_rt_time)},
      {"nnc_rt_gate", reinterpret_cast<void *>(&nnc_rt_gate)},
      {"nnc_rt_add_modulator", reinterpret_cast<void *>(&nnc_rt_add_modulator)},
      {"nnc_rt_state_row", reinterpret_cast<void *>(&nnc_rt_state_row)},
      {"nnc_rt_add_cover", reinterpret_cast<void *>(&nnc_rt_add_cover)},
      {"nnc_rt_add_rewire", reinterpret_cast<void *>(&nnc_rt_add_rewire)},
      {"nnc_rt_set_update_period",
       reinterpret_cast<void *>(&nnc_rt_set_update_period)},
      {"nnc_rt_add_clock_driven",
       reinterpret_cast<void *>(&nnc_rt_add_clock_driven)},
      {"nnc_rt_set_plastic_delays",
       reinterpret_cast<void *>(&nnc_rt_set_plastic_delays)},
      {"nnc_rt_set_connect_ranges",
       reinterpret_cast<void *>(&nnc_rt_set_connect_ranges)},
      {"nnc_rt_add_spike_source",
       reinterpret_cast<void *>(&nnc_rt_add_spike_source)},
      {"nnc_rt_add_poisson_input",
       reinterpret_cast<void *>(&nnc_rt_add_poisson_input)},
      {"nnc_rt_record_synapse_state",
       reinterpret_cast<void *>(&nnc_rt_record_synapse_state)},
      {"nnc_rt_set_state_row", reinterpret_cast<void *>(&nnc_rt_set_state_row)},
      {"nnc_rt_simulate", reinterpret_cast<void *>(&nnc_rt_simulate)},
      {"nnc_rt_uniform", reinterpret_cast<void *>(&nnc_rt_uniform)},
      {"nnc_rt_normal", reinterpret_cast<void *>(&nnc_rt_normal)},
  };
}

llvm::Expected<std::unique_ptr<cpu::JITArtifact>>
cpu::JITArtifact::create(mlir::ModuleOp module,
                         const std::map<std::string, void *> &symbols) {
  auto context = std::make_unique<llvm::LLVMContext>();
  auto llvmModule = translateAndOptimize(module, *context);
  if (!llvmModule)
    return llvmModule.takeError();

  initializeNativeTarget();
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb)
    return jtmb.takeError();
  jtmb->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto jit = llvm::orc::LLJITBuilder()
                 .setJITTargetMachineBuilder(std::move(*jtmb))
                 .create();
  if (!jit)
    return jit.takeError();

  llvm::orc::JITDylib &dylib = (*jit)->getMainJITDylib();
  // libm and libc for math calls LLVM may emit.
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!process)
    return process.takeError();
  dylib.addGenerator(std::move(*process));
  llvm::orc::SymbolMap map;
  llvm::orc::MangleAndInterner mangle((*jit)->getExecutionSession(),
                                      (*jit)->getDataLayout());
  for (auto &[name, address] : symbols)
    map[mangle(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                         llvm::JITSymbolFlags::Exported};
  if (llvm::Error err = dylib.define(llvm::orc::absoluteSymbols(map)))
    return std::move(err);

  if (llvm::Error err = (*jit)->addIRModule(llvm::orc::ThreadSafeModule(
          std::move(*llvmModule), std::move(context))))
    return std::move(err);

  std::unique_ptr<JITArtifact> artifact(new JITArtifact());
  artifact->jit = std::move(*jit);
  return artifact;
}

cpu::JITArtifact::~JITArtifact() = default;

void *cpu::JITArtifact::lookup(const std::string &name) {
  auto symbol = jit->lookup(name);
  if (!symbol) {
    llvm::consumeError(symbol.takeError());
    return nullptr;
  }
  return symbol->toPtr<void *>();
}
