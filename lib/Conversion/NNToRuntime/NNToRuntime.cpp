//===- NNToRuntime.cpp - Networks and programs to runtime calls -----------===//
//
// The network becomes `nnc_describe`, a function that builds the network by
// calling the runtime's builder API (Runtime.h), and the program becomes
// `nnc_program`. Keeping the description as compiled code (rather than a
// data table) lets later programs compute sizes and parameters at run time.
//
//===----------------------------------------------------------------------===//

#include "nnc/Conversion/Passes.h"
#include "nnc/Conversion/RuntimeABI.h"
#include "nnc/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"

#include <cmath>

namespace nnc {
#define GEN_PASS_DEF_CONVERTNNTORUNTIME
#include "nnc/Conversion/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc;
using namespace nnc::nn;

namespace {

class RuntimeCallBuilder {
public:
  RuntimeCallBuilder(ModuleOp module) : module(module), b(module.getContext()) {
    ptr = LLVM::LLVMPointerType::get(module.getContext());
    f64 = b.getF64Type();
    i64 = b.getI64Type();
    i32 = b.getI32Type();
  }

  func::FuncOp declare(StringRef name, TypeRange args, TypeRange results) {
    if (auto fn = module.lookupSymbol<func::FuncOp>(name))
      return fn;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto fn = func::FuncOp::create(b, module.getLoc(), name,
                                   b.getFunctionType(args, results));
    fn.setPrivate();
    return fn;
  }

  Value call(Location loc, StringRef name, TypeRange results, ValueRange args) {
    SmallVector<Type> argTypes(args.getTypes());
    func::FuncOp fn = declare(name, argTypes, results);
    auto op = func::CallOp::create(b, loc, fn, args);
    return results.empty() ? Value() : op.getResult(0);
  }

  Value string(Location loc, StringRef text) {
    std::string name = "nnc_str_" + std::to_string(numStrings++);
    std::string terminated = text.str();
    terminated.push_back('\0'); // the runtime reads C strings
    return LLVM::createGlobalString(loc, b, name, terminated,
                                    LLVM::Linkage::Internal);
  }

  /// The address of a new internal constant global holding `values` as
  /// integers of type `elementType` (a null pointer when empty).
  Value globalArray(Location loc, IntegerType elementType,
                    ArrayRef<int64_t> values) {
    if (values.empty())
      return LLVM::ZeroOp::create(b, loc, ptr);
    auto arrayType = LLVM::LLVMArrayType::get(elementType, values.size());
    auto tensorType = RankedTensorType::get(
        {static_cast<int64_t>(values.size())}, elementType);
    SmallVector<APInt> bits;
    for (int64_t v : values)
      bits.push_back(APInt(elementType.getWidth(), v, /*isSigned=*/true));
    std::string name = "nnc_data_" + std::to_string(numStrings++);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(module.getBody());
      LLVM::GlobalOp::create(b, loc, arrayType, /*isConstant=*/true,
                             LLVM::Linkage::Internal, name,
                             DenseElementsAttr::get(tensorType, bits));
    }
    return LLVM::AddressOfOp::create(b, loc, ptr, name);
  }

  /// A connection file's source or target list as a global (or null).
  Value pairArray(Location loc, std::optional<ArrayRef<int32_t>> values) {
    if (!values)
      return LLVM::ZeroOp::create(b, loc, ptr);
    return globalArray(loc, b.getI32Type(),
                       SmallVector<int64_t>(values->begin(), values->end()));
  }

  Value f64Const(Location loc, double v) {
    return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
  }
  Value i64Const(Location loc, int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  }
  Value i32Const(Location loc, int32_t v) {
    return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
  }

  LogicalResult lower(NetworkOp network) {
    Location loc = network.getLoc();
    b.setInsertionPointToEnd(module.getBody());

    // int32_t nnc_abi_version(void)
    auto version = func::FuncOp::create(b, loc, abi::kAbiVersion,
                                        b.getFunctionType({}, {i32}));
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(version.addEntryBlock());
      func::ReturnOp::create(b, loc, i32Const(loc, NNC_ABI_VERSION));
    }

    // void nnc_describe(nnc_sim *)
    auto describe = func::FuncOp::create(b, loc, abi::kDescribe,
                                         b.getFunctionType({ptr}, {}));
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(describe.addEntryBlock());
      Value sim = describe.getArgument(0);
      double dt = network.getDt().convertToDouble();
      call(loc, abi::kSetNetwork, {},
           {sim, string(loc, network.getSymName()), f64Const(loc, dt)});
      llvm::StringMap<Value> popIds, projIds;
      // A cover pass is added once, by its first statement.
      llvm::DenseMap<Operation *, bool> coverPassHasDomain;
      for (auto &pass : getCoverPasses(network))
        coverPassHasDomain[pass.front()] =
            !asCoverStatement(pass.front())->domain->empty();
      for (Operation &op : network.getBody().front()) {
        if (auto pop = dyn_cast<PopulationOp>(op)) {
          auto model = module.lookupSymbol<NeuronOp>(pop.getModel());
          if (!module.lookupSymbol<func::FuncOp>(
                  abi::updateKernel(pop.getModel())))
            return pop.emitError() << "no kernels for model '" << pop.getModel()
                                   << "'; run convert-nn-to-kernels first";
          Location l = pop.getLoc();
          Value id = call(
              l, pop.getModulator() ? abi::kAddModulator : abi::kAddPopulation,
              {i32},
              {sim, string(l, pop.getSymName()), string(l, pop.getModel()),
               i64Const(l, pop.getSize()),
               i64Const(l, model.getNumStateRows())});
          popIds[pop.getSymName()] = id;
          if (int64_t every = pop.getUpdateEvery().value_or(1); every > 1)
            call(l, abi::kSetUpdatePeriod, {}, {sim, id, i64Const(l, every)});
          // Kernels read modulators through globals (convert-nn-to-kernels
          // made one per row they read): point them at the state.
          for (int64_t row = 0; row < model.getNumStateRows(); ++row) {
            std::string name = abi::stateRowGlobal(pop.getSymName(), row);
            if (!module.lookupSymbol<LLVM::GlobalOp>(name))
              continue;
            Value rowPtr =
                call(l, abi::kStateRow, {ptr}, {sim, id, i64Const(l, row)});
            LLVM::StoreOp::create(b, l, rowPtr,
                                  LLVM::AddressOfOp::create(b, l, ptr, name));
          }
        } else if (auto source = dyn_cast<SpikeSourceOp>(op)) {
          Location l = source.getLoc();
          ArrayRef<int64_t> steps = source.getSteps();
          ArrayRef<int32_t> indices = source.getIndices();
          popIds[source.getSymName()] =
              call(l, abi::kAddSpikeSource, {i32},
                   {sim, string(l, source.getSymName()),
                    i64Const(l, source.getSize()),
                    globalArray(l, b.getI64Type(), steps),
                    globalArray(l, b.getI32Type(),
                                ArrayRef<int64_t>(SmallVector<int64_t>(
                                    indices.begin(), indices.end()))),
                    i64Const(l, static_cast<int64_t>(steps.size()))});
        } else if (auto proj = dyn_cast<ProjectionOp>(op)) {
          int32_t rule =
              !proj.getProbability().empty()
                  ? NNC_CONNECT_PROBABILITY_FN
                  : llvm::StringSwitch<int32_t>(proj.getRule())
                        .Case("all_to_all", NNC_CONNECT_ALL_TO_ALL)
                        .Case("one_to_one", NNC_CONNECT_ONE_TO_ONE)
                        .Case("fixed_indegree", NNC_CONNECT_FIXED_INDEGREE)
                        .Case("fixed_outdegree", NNC_CONNECT_FIXED_OUTDEGREE)
                        .Case("from_list", NNC_CONNECT_EXPLICIT)
                        .Default(NNC_CONNECT_FIXED_PROBABILITY);
          int64_t delaySteps = static_cast<int64_t>(
              std::llround(proj.getDelay().convertToDouble() / dt));
          Location l = proj.getLoc();
          SynapseOp synapse = proj.getSynapseModel();
          int64_t synapseRows = synapse ? synapse.getNumStateRows() : 0;
          int64_t delayRow = synapse ? synapse.getStateRow("delay") : -1;
          if (std::optional<ArrayRef<int64_t>> ranges = proj.getRanges())
            call(l, abi::kSetConnectRanges, {},
                 {sim, i64Const(l, (*ranges)[0]), i64Const(l, (*ranges)[1]),
                  i64Const(l, (*ranges)[2]), i64Const(l, (*ranges)[3])});
          projIds[proj.getSymName()] = call(
              l, abi::kAddProjection, {i32},
              {sim, string(l, proj.getSymName()), popIds[proj.getPre()],
               popIds[proj.getPost()], i32Const(l, rule),
               f64Const(l, proj.getParam().convertToDouble()),
               i64Const(l, delaySteps), i64Const(l, synapseRows),
               i64Const(l, delayRow),
               i32Const(
                   l,
                   (proj.getOnPost().empty() ? 0 : NNC_PROJECTION_HAS_ON_POST) |
                       (synapse && synapse.getSinglePrecision()
                            ? NNC_PROJECTION_SINGLE_PRECISION
                            : 0)),
               pairArray(l, proj.getPairsPre()),
               pairArray(l, proj.getPairsPost()),
               i64Const(l, proj.getPairsPre() ? static_cast<int64_t>(
                                                    proj.getPairsPre()->size())
                                              : 0)});
          if (synapse && synapse.getClockDriven())
            call(l, abi::kAddClockDriven, {},
                 {sim, projIds[proj.getSymName()]});
          if (auto maxDelay = proj.getMaxDelay())
            call(l, abi::kSetPlasticDelays, {},
                 {sim, projIds[proj.getSymName()],
                  i64Const(l, static_cast<int64_t>(std::llround(
                                  maxDelay->convertToDouble() / dt)))});
        } else if (isa<GatherOp, ScatterOp>(op)) {
          auto pass = coverPassHasDomain.find(&op);
          if (pass == coverPassHasDomain.end())
            continue;
          CoverStatement stmt = *asCoverStatement(&op);
          Location l = op.getLoc();
          call(l, abi::kAddCover, {i32},
               {sim, string(l, stmt.name), projIds[stmt.projection],
                popIds[stmt.population],
                i32Const(l, pass->second ? NNC_COVER_HAS_DOMAIN : 0)});
        } else if (auto rewire = dyn_cast<RewireOp>(op)) {
          Location l = rewire.getLoc();
          call(l, abi::kAddRewire, {},
               {sim, string(l, rewire.getSymName()),
                projIds[rewire.getProjection()],
                i64Const(l, static_cast<int64_t>(std::llround(
                                rewire.getPeriod().convertToDouble() / dt)))});
        } else if (auto input = dyn_cast<PoissonInputOp>(op)) {
          Location l = input.getLoc();
          call(l, abi::kAddPoissonInput, {i32},
               {sim, string(l, input.getSymName()),
                popIds[input.getPopulation()]});
        } else if (auto rec = dyn_cast<RecordSpikesOp>(op)) {
          call(rec.getLoc(), abi::kRecordSpikes, {},
               {sim, popIds[rec.getPopulation()]});
        } else if (auto rec = dyn_cast<RecordStateOp>(op)) {
          Location l = rec.getLoc();
          if (auto proj = dyn_cast<ProjectionOp>(
                  SymbolTable::lookupSymbolIn(network, rec.getPopulation()))) {
            SynapseOp model = proj.getSynapseModel();
            for (Attribute attr : rec.getVars()) {
              StringRef var = cast<FlatSymbolRefAttr>(attr).getValue();
              // `source` and `target` (unless states of the model) are the
              // synapse's neurons.
              auto state = model ? dyn_cast_or_null<StateOp>(
                                       SymbolTable::lookupSymbolIn(model, var))
                                 : StateOp();
              int64_t row = state             ? model.getStateRow(var)
                            : var == "source" ? NNC_SYNAPSE_ROW_SOURCE
                                              : NNC_SYNAPSE_ROW_TARGET;
              call(l, abi::kRecordSynapseState, {},
                   {sim, projIds[rec.getPopulation()], i64Const(l, row),
                    string(l, var),
                    string(l, state ? state.getUnit().value_or("1") : "1"),
                    i64Const(l, rec.getEverySteps()),
                    i64Const(l, rec.getFirst()), i64Const(l, rec.getLast())});
            }
            continue;
          }
          auto pop = cast<PopulationOp>(
              SymbolTable::lookupSymbolIn(network, rec.getPopulation()));
          NeuronOp model = pop.getNeuron();
          for (Attribute attr : rec.getVars()) {
            StringRef var = cast<FlatSymbolRefAttr>(attr).getValue();
            auto state = cast<StateOp>(SymbolTable::lookupSymbolIn(model, var));
            call(l, abi::kRecordState, {},
                 {sim, popIds[rec.getPopulation()],
                  i64Const(l, model.getStateRow(var)), string(l, var),
                  string(l, state.getUnit().value_or("1")),
                  i64Const(l, rec.getEverySteps()), i64Const(l, rec.getFirst()),
                  i64Const(l, rec.getLast())});
          }
        }
      }
      func::ReturnOp::create(b, loc);
    }

    // void nnc_program(nnc_sim *)
    auto program = func::FuncOp::create(b, loc, abi::kProgram,
                                        b.getFunctionType({ptr}, {}));
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(program.addEntryBlock());
      Value sim = program.getArgument(0);
      dtOfProgram = network.getDt().convertToDouble();
      // The runtime numbers populations in the order they were added.
      llvm::StringMap<int32_t> popIndex;
      for (Operation &op : network.getBody().front())
        if (isa<PopulationOp, SpikeSourceOp>(op))
          popIndex.try_emplace(SymbolTable::getSymbolName(&op),
                               popIndex.size());
      // Runtime ids of projections and inputs: the order they were added.
      llvm::StringMap<int32_t> projIndex, inputIndex;
      for (ProjectionOp proj : network.getBody().front().getOps<ProjectionOp>())
        projIndex.try_emplace(proj.getSymName(), projIndex.size());
      for (PoissonInputOp input :
           network.getBody().front().getOps<PoissonInputOp>())
        inputIndex.try_emplace(input.getSymName(), inputIndex.size());
      // The run block's ops (with their scf control flow) move into
      // nnc_program; then each nn op becomes runtime calls, innermost
      // first, so an `until` region is already lowered when its simulate
      // inlines it.
      for (ProgramOp prog : network.getBody().front().getOps<ProgramOp>()) {
        IRMapping mapping;
        for (Operation &op : prog.getBody().front())
          b.clone(op, mapping);
      }
      SmallVector<Operation *> nnOps;
      program.walk<WalkOrder::PostOrder>([&](Operation *op) {
        if (isa<SimulateOp, SetOp, SpikeCountOp, SpikeRateOp, SpikeArgmaxOp,
                StateMeanOp, GateOp, TimeOp, PhaseOp>(op))
          nnOps.push_back(op);
      });
      for (Operation *op : nnOps) {
        OpBuilder::InsertionGuard inner(b);
        b.setInsertionPoint(op);
        Location l = op->getLoc();
        if (auto step = dyn_cast<SimulateOp>(op)) {
          double duration = step.getDuration().convertToDouble();
          if (step.getUntil().empty()) {
            call(l, abi::kSimulate, {}, {sim, f64Const(l, duration)});
          } else {
            lowerSimulateUntil(step, sim, duration);
          }
        } else if (auto set = dyn_cast<SetOp>(op)) {
          auto pop = cast<PopulationOp>(
              SymbolTable::lookupSymbolIn(network, set.getPopulation()));
          call(l, abi::kSetStateRow, {},
               {sim, i32Const(l, popIndex.lookup(set.getPopulation())),
                i64Const(l, pop.getNeuron().getStateRow(set.getVar())),
                set.getValue()});
        } else if (auto count = dyn_cast<SpikeCountOp>(op)) {
          op->getResult(0).replaceAllUsesWith(
              call(l, abi::kSpikeCount, {f64},
                   {sim, i32Const(l, popIndex.lookup(count.getPopulation()))}));
        } else if (auto rate = dyn_cast<SpikeRateOp>(op)) {
          op->getResult(0).replaceAllUsesWith(
              call(l, abi::kSpikeRate, {f64},
                   {sim, i32Const(l, popIndex.lookup(rate.getPopulation()))}));
        } else if (auto phase = dyn_cast<PhaseOp>(op)) {
          // Its body is lowered already (post-order): it runs between the
          // two calls.
          call(l, abi::kPhaseBegin, {}, {sim, string(l, phase.getName())});
          for (Operation &inner :
               llvm::make_early_inc_range(phase.getBody().front()))
            inner.moveBefore(op);
          call(l, abi::kPhaseEnd, {}, {sim});
        } else if (auto argmax = dyn_cast<SpikeArgmaxOp>(op)) {
          op->getResult(0).replaceAllUsesWith(call(
              l, abi::kSpikeArgmax, {f64},
              {sim, i32Const(l, popIndex.lookup(argmax.getPopulation()))}));
        } else if (auto mean = dyn_cast<StateMeanOp>(op)) {
          auto pop = cast<PopulationOp>(
              SymbolTable::lookupSymbolIn(network, mean.getPopulation()));
          op->getResult(0).replaceAllUsesWith(
              call(l, abi::kStateMean, {f64},
                   {sim, i32Const(l, popIndex.lookup(mean.getPopulation())),
                    i64Const(l, pop.getNeuron().getStateRow(mean.getVar()))}));
        } else if (isa<TimeOp>(op)) {
          op->getResult(0).replaceAllUsesWith(
              call(l, abi::kTime, {f64}, {sim}));
        } else if (auto gate = dyn_cast<GateOp>(op)) {
          StringRef target = gate.getTarget();
          int32_t kind = llvm::StringSwitch<int32_t>(gate.getKind())
                             .Case("freeze", NNC_GATE_FREEZE)
                             .Case("thaw", NNC_GATE_THAW)
                             .Case("disable", NNC_GATE_DISABLE)
                             .Default(NNC_GATE_ENABLE);
          int32_t targetKind = popIndex.count(target)    ? NNC_TARGET_POPULATION
                               : projIndex.count(target) ? NNC_TARGET_PROJECTION
                                                         : NNC_TARGET_INPUT;
          int32_t id = popIndex.count(target)    ? popIndex.lookup(target)
                       : projIndex.count(target) ? projIndex.lookup(target)
                                                 : inputIndex.lookup(target);
          call(l, abi::kGate, {},
               {sim, i32Const(l, kind), i32Const(l, targetKind),
                i32Const(l, id)});
        }
        op->erase();
      }
      func::ReturnOp::create(b, loc);
    }
    return success();
  }

private:
  /// `simulate T until C`: a new phase, then single steps while fewer than
  /// T/dt steps ran and C (evaluated after each step) is false.
  void lowerSimulateUntil(SimulateOp step, Value sim, double duration) {
    Location l = step.getLoc();
    call(l, abi::kBeginPhase, {}, {sim});
    double dt = dtOfProgram;
    Value steps = i64Const(l, std::llround(duration / dt));
    auto loop =
        scf::WhileOp::create(b, l, TypeRange{i64}, ValueRange{i64Const(l, 0)});
    {
      OpBuilder::InsertionGuard guard(b);
      Block *before = b.createBlock(&loop.getBefore(), {}, {i64}, {l});
      Value done = before->getArgument(0);
      Value more =
          arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, done, steps);
      scf::ConditionOp::create(b, l, more, ValueRange{done});
      Block *after = b.createBlock(&loop.getAfter(), {}, {i64}, {l});
      call(l, abi::kStep, {}, {sim});
      Value next =
          arith::AddIOp::create(b, l, after->getArgument(0), i64Const(l, 1));
      // Inline the (already lowered) condition; stop by jumping to the
      // step count once it holds.
      Block &until = step.getUntil().front();
      auto yield = cast<YieldOp>(until.getTerminator());
      Value stop = yield.getValues()[0];
      for (Operation &op :
           llvm::make_early_inc_range(until.without_terminator()))
        op.moveBefore(b.getInsertionBlock(), b.getInsertionPoint());
      Value result = arith::SelectOp::create(b, l, stop, steps, next);
      scf::YieldOp::create(b, l, ValueRange{result});
    }
  }

  ModuleOp module;
  OpBuilder b;
  Type ptr, f64, i64, i32;
  unsigned numStrings = 0;
  /// The time step of the network whose program is being lowered.
  double dtOfProgram = 0.0;
};

class ConvertNNToRuntimePass
    : public nnc::impl::ConvertNNToRuntimeBase<ConvertNNToRuntimePass> {
public:
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto networks = llvm::to_vector(module.getOps<NetworkOp>());
    if (networks.size() > 1) {
      networks[1].emitError()
          << "a file can define several networks, but only one can be "
             "compiled at a time; this is the second";
      return signalPassFailure();
    }
    if (!networks.empty() &&
        failed(RuntimeCallBuilder(module).lower(networks.front())))
      return signalPassFailure();
    // Everything the nn dialect described is now in kernels and calls.
    for (Operation &op : llvm::make_early_inc_range(*module.getBody()))
      if (isa<NetworkOp, NeuronOp, SynapseOp>(op))
        op.erase();
  }
};

} // namespace
