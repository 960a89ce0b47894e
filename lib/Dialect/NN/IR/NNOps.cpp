//===- NNOps.cpp - Operations of the nn dialect ---------------------------===//

#include "nnc/Dialect/NN/IR/NNOps.h"
#include "nnc/Dialect/NN/IR/Solvers.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/SmallSet.h"

#include <cmath>

using namespace mlir;
using namespace nnc::nn;

/// Checks that `region` ends in an nn.yield of exactly one value of `type`.
static LogicalResult verifyYieldsOne(Operation *op, Region &region, Type type,
                                     StringRef what) {
  auto yield = dyn_cast<YieldOp>(region.front().getTerminator());
  if (!yield)
    return op->emitOpError() << "region must end with nn.yield";
  if (yield.getValues().size() != 1 || yield.getValues()[0].getType() != type)
    return op->emitOpError()
           << "region must yield one " << type << " (" << what << ")";
  return success();
}

/// The state op named `name` in a neuron or synapse model, or null.
static StateOp lookupState(Operation *model, StringRef name) {
  return model ? dyn_cast_or_null<StateOp>(
                     mlir::SymbolTable::lookupSymbolIn(model, name))
               : StateOp();
}

/// Reads in `model` must name its parameters or states, writes its states.
static LogicalResult verifyOwnVariables(Operation *model, StringRef name) {
  WalkResult result = model->walk([&](Operation *op) -> WalkResult {
    if (auto read = dyn_cast<ReadOp>(op)) {
      Operation *sym = mlir::SymbolTable::lookupSymbolIn(model, read.getVar());
      if (!isa_and_nonnull<ParamOp, StateOp>(sym))
        return read.emitOpError()
               << "'" << read.getVar() << "' is not a parameter or state of "
               << name;
    } else if (auto write = dyn_cast<WriteOp>(op)) {
      if (!lookupState(model, write.getVar()))
        return write.emitOpError()
               << "'" << write.getVar() << "' is not a state of " << name;
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

// Neuron and synapse models share the layout of their body: states in
// declaration order are the rows of the state array.
static SmallVector<StateOp, 4> statesOf(Block &body) {
  return llvm::to_vector(body.getOps<StateOp>());
}

static int stateRowIn(Block &body, StringRef state) {
  for (auto [row, op] : llvm::enumerate(body.getOps<StateOp>()))
    if (op.getSymName() == state)
      return row;
  return -1;
}

static llvm::StringMap<double> paramValuesOf(Block &body) {
  llvm::StringMap<double> values;
  for (ParamOp p : body.getOps<ParamOp>())
    values[p.getSymName()] = p.getValue().convertToDouble();
  return values;
}

SmallVector<StateOp, 4> NeuronOp::getStates() {
  return statesOf(getBodyBlock());
}

int NeuronOp::getStateRow(StringRef state) {
  return stateRowIn(getBodyBlock(), state);
}

RefractoryOp NeuronOp::getRefractory() {
  auto ops = getBodyBlock().getOps<RefractoryOp>();
  return ops.empty() ? RefractoryOp() : *ops.begin();
}

int NeuronOp::getRefractoryRow() {
  return getRefractory() ? static_cast<int>(getStates().size()) : -1;
}

unsigned NeuronOp::getNumStateRows() {
  return getStates().size() + (getRefractory() ? 1 : 0);
}

llvm::StringMap<double> NeuronOp::getParamValues() {
  return paramValuesOf(getBodyBlock());
}

LogicalResult NeuronOp::verify() {
  llvm::SmallSet<StringRef, 8> withOde;
  unsigned thresholds = 0, onSpikes = 0, refractories = 0, integrates = 0;
  for (Operation &op : getBodyBlock()) {
    if (auto ode = dyn_cast<OdeOp>(op)) {
      if (!withOde.insert(ode.getState()).second)
        return ode.emitOpError()
               << "state '" << ode.getState() << "' has more than one equation";
    }
    thresholds += isa<ThresholdOp>(op);
    onSpikes += isa<OnSpikeOp>(op);
    refractories += isa<RefractoryOp>(op);
    integrates += isa<IntegrateOp>(op);
    if (!isa<ParamOp, StateOp, OdeOp, IntegrateOp, ThresholdOp, OnSpikeOp,
             RefractoryOp, OnInputOp>(op))
      return op.emitOpError() << "is not allowed in a neuron model";
  }
  if (thresholds > 1 || onSpikes > 1 || refractories > 1 || integrates > 1)
    return emitOpError() << "has more than one threshold, on_spike, "
                            "refractory or integrate op";
  if (integrates && !withOde.empty())
    return emitOpError() << "mixes solved (nn.integrate) and unsolved "
                            "(nn.ode) dynamics";
  if ((onSpikes || refractories) && !thresholds)
    return emitOpError() << "has a reset or refractory period but no "
                            "threshold";
  if (auto solver = getSolver(); solver && !isSolverName(*solver))
    return emitOpError() << "unknown solver '" << *solver << "'";
  return verifyOwnVariables(*this, getSymName());
}

LogicalResult OnInputOp::verify() {
  Block &body = getHandler().front();
  if (body.getNumArguments() != 1 || !body.getArgument(0).getType().isF64())
    return emitOpError() << "handler must take one f64 (the delivered value)";
  if (!isa<YieldOp>(body.getTerminator()) ||
      body.getTerminator()->getNumOperands() != 0)
    return emitOpError() << "handler must end with an nn.yield of nothing";
  if (auto sign = getSign();
      sign && *sign != "excitatory" && *sign != "inhibitory")
    return emitOpError() << "sign must be 'excitatory' or 'inhibitory', not '"
                         << *sign << "'";
  return success();
}

SmallVector<StateOp, 4> SynapseOp::getStates() {
  return statesOf(getBodyBlock());
}

int SynapseOp::getStateRow(StringRef state) {
  return stateRowIn(getBodyBlock(), state);
}

bool SynapseOp::hasDynamics() {
  return !getBodyBlock().getOps<OdeOp>().empty() ||
         !getBodyBlock().getOps<AdvanceOp>().empty();
}

IntegrateOp SynapseOp::getClockDriven() {
  auto ops = getBodyBlock().getOps<IntegrateOp>();
  return ops.empty() ? IntegrateOp() : *ops.begin();
}

int SynapseOp::getLastUpdateRow() {
  return hasDynamics() ? static_cast<int>(getStates().size()) : -1;
}

unsigned SynapseOp::getNumStateRows() {
  return getStates().size() + (hasDynamics() ? 1 : 0);
}

llvm::StringMap<double> SynapseOp::getParamValues() {
  return paramValuesOf(getBodyBlock());
}

LogicalResult SynapseOp::verify() {
  llvm::SmallSet<StringRef, 8> withOde;
  unsigned advances = 0, integrates = 0;
  for (Operation &op : getBodyBlock()) {
    if (auto ode = dyn_cast<OdeOp>(op))
      if (!withOde.insert(ode.getState()).second)
        return ode.emitOpError()
               << "state '" << ode.getState() << "' has more than one equation";
    advances += isa<AdvanceOp>(op);
    integrates += isa<IntegrateOp>(op);
    if (!isa<ParamOp, StateOp, OdeOp, AdvanceOp, IntegrateOp>(op))
      return op.emitOpError() << "is not allowed in a synapse model";
  }
  if (advances > 1 || integrates > 1 ||
      ((advances || integrates) && !withOde.empty()))
    return emitOpError() << "needs either nn.ode ops or at most one "
                            "nn.advance and one nn.integrate";
  if (std::optional<StringRef> solver = getSolver();
      solver && !isSolverName(*solver))
    return emitOpError() << "unknown solver '" << *solver << "'";
  if (lookupState(*this, "delay") && withOde.contains("delay"))
    return emitOpError() << "the delay cannot have an equation";
  return verifyOwnVariables(*this, getSymName());
}

/// The value and domain regions of nn.gather and nn.scatter.
static LogicalResult verifyCoverRegions(Operation *op, Region &value,
                                        Region &domain) {
  if (failed(verifyYieldsOne(op, value, Float64Type::get(op->getContext()),
                             "the value")))
    return failure();
  if (domain.empty())
    return success();
  Block &block = domain.front();
  if (block.getNumArguments() != 2 ||
      !llvm::all_of(block.getArgumentTypes(), [](Type t) { return t.isF64(); }))
    return op->emitOpError() << "domain must take the source and target "
                                "indices (two f64)";
  auto yield = dyn_cast<YieldOp>(block.getTerminator());
  if (!yield || yield.getValues().size() != 1 ||
      !yield.getValues()[0].getType().isF64())
    return op->emitOpError() << "domain must yield one f64 (the index)";
  return success();
}

LogicalResult GatherOp::verify() {
  if (getReduction() != "sum" && getReduction() != "mean")
    return emitOpError() << "reduction must be \"sum\" or \"mean\", not \""
                         << getReduction() << "\"";
  return verifyCoverRegions(*this, getValue(), getDomain());
}

LogicalResult ScatterOp::verify() {
  return verifyCoverRegions(*this, getValue(), getDomain());
}

LogicalResult AdvanceOp::verify() {
  Block &block = getBody().front();
  if (block.getNumArguments() != 1 || !block.getArgument(0).getType().isF64())
    return emitOpError() << "region must take the elapsed time (one f64)";
  if (!isa<YieldOp>(block.getTerminator()))
    return emitOpError() << "region must end with nn.yield";
  return success();
}

LogicalResult StateOp::verify() {
  return verifyYieldsOne(*this, getInit(), Float64Type::get(getContext()),
                         "the initial value");
}

LogicalResult OdeOp::verify() {
  if (!lookupState((*this)->getParentOp(), getState()))
    return emitOpError() << "'" << getState() << "' is not a state variable";
  return verifyYieldsOne(*this, getRhs(), Float64Type::get(getContext()),
                         "the derivative");
}

LogicalResult ThresholdOp::verify() {
  return verifyYieldsOne(*this, getCondition(),
                         IntegerType::get(getContext(), 1), "the condition");
}

LogicalResult RefractoryOp::verify() {
  if (getPeriod().has_value() == isConditional())
    return emitOpError() << "needs either a period or a 'while' condition";
  if (isConditional()) {
    if (failed(verifyYieldsOne(*this, getCondition(),
                               IntegerType::get(getContext(), 1),
                               "the condition")))
      return failure();
  } else if (getPeriod()->convertToDouble() < 0) {
    return emitOpError() << "period must not be negative";
  }
  auto neuron = (*this)->getParentOfType<NeuronOp>();
  for (Attribute attr : getClamped()) {
    auto ref = cast<FlatSymbolRefAttr>(attr);
    if (!lookupState(neuron, ref.getValue()))
      return emitOpError() << "clamps '" << ref.getValue()
                           << "', which is not a state variable";
  }
  return success();
}

LogicalResult NetworkOp::verify() {
  double dt = getDt().convertToDouble();
  if (!(dt > 0))
    return emitOpError() << "time step must be positive";
  return success();
}

LogicalResult TableOp::verify() {
  auto type = cast<ShapedType>(getValues().getType());
  if (type.getRank() != 2 || type.getDimSize(0) < 1 || type.getDimSize(1) < 1)
    return emitOpError() << "needs a non-empty rows x columns array";
  if (!(getPeriod().convertToDouble() > 0) || getUpsampling() < 1)
    return emitOpError() << "needs a period > 0 and an upsampling >= 1";
  return success();
}

LogicalResult PopulationOp::verify() {
  if (getSize() <= 0)
    return emitOpError() << "size must be positive";
  auto module = (*this)->getParentOfType<ModuleOp>();
  if (!module)
    return success();
  auto model = dyn_cast_or_null<NeuronOp>(
      mlir::SymbolTable::lookupSymbolIn(module, getModel()));
  if (!model)
    return emitOpError() << "model '" << getModel()
                         << "' is not a neuron model of this module";
  if (getInit().empty())
    return success();
  if (!isa<YieldOp>(getInit().front().getTerminator()))
    return emitOpError() << "init region must end with nn.yield";
  WalkResult result = getInit().walk([&](Operation *op) -> WalkResult {
    StringRef var;
    if (auto read = dyn_cast<ReadOp>(op))
      var = read.getVar();
    else if (auto write = dyn_cast<WriteOp>(op))
      var = write.getVar();
    else
      return WalkResult::advance();
    Operation *sym = mlir::SymbolTable::lookupSymbolIn(model, var);
    if (isa<WriteOp>(op) ? !isa_and_nonnull<StateOp>(sym)
                         : !isa_and_nonnull<ParamOp, StateOp>(sym))
      return op->emitOpError() << "'" << var << "' is not a "
                               << (isa<WriteOp>(op) ? "state" : "variable")
                               << " of model " << getModel();
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

NeuronOp PopulationOp::getNeuron() {
  auto module = (*this)->getParentOfType<ModuleOp>();
  return module ? dyn_cast_or_null<NeuronOp>(
                      mlir::SymbolTable::lookupSymbolIn(module, getModel()))
                : NeuronOp();
}

/// The population `name` of the network around `op`, or null.
static PopulationOp lookupPopulation(Operation *op, StringRef name) {
  auto network = op->getParentOfType<NetworkOp>();
  return network ? dyn_cast_or_null<PopulationOp>(
                       mlir::SymbolTable::lookupSymbolIn(network, name))
                 : PopulationOp();
}

LogicalResult RecordStateOp::verify() {
  int64_t first = getFirst(), last = getLast();
  if (getEverySteps() < 0)
    return emitOpError() << "every_steps must not be negative";
  auto network = (*this)->getParentOfType<NetworkOp>();
  if (auto proj = dyn_cast_or_null<ProjectionOp>(
          network ? mlir::SymbolTable::lookupSymbolIn(network, getPopulation())
                  : nullptr)) {
    if (first < 0 || (last != -1 && last <= first))
      return emitOpError() << "invalid synapse range [" << first << ", " << last
                           << ")";
    SynapseOp model = proj.getSynapseModel();
    for (Attribute attr : getVars())
      if (StringRef var = cast<FlatSymbolRefAttr>(attr).getValue();
          !lookupState(model, var) && var != "source" && var != "target")
        return emitOpError() << "'" << cast<FlatSymbolRefAttr>(attr).getValue()
                             << "' is not stored per synapse in projection "
                             << proj.getSymName();
    return success();
  }
  PopulationOp pop = lookupPopulation(*this, getPopulation());
  if (!pop)
    return emitOpError() << "'" << getPopulation()
                         << "' is not a population or projection of this "
                            "network";
  if (first < 0 || (last != -1 && (last <= first || last > pop.getSize())))
    return emitOpError() << "invalid neuron range [" << first << ", " << last
                         << ")";
  if (NeuronOp model = pop.getNeuron())
    for (Attribute attr : getVars())
      if (!lookupState(model, cast<FlatSymbolRefAttr>(attr).getValue()))
        return emitOpError()
               << "'" << cast<FlatSymbolRefAttr>(attr).getValue()
               << "' is not stored per neuron in model " << model.getSymName();
  return success();
}

/// Program ops live in nn.program, possibly inside scf control flow.
static LogicalResult verifyInProgram(Operation *op) {
  if (!op->getParentOfType<ProgramOp>())
    return op->emitOpError() << "must be inside nn.program";
  return success();
}

/// A population (with a model or a spike source) of the network around
/// `op`.
static bool isPopulation(Operation *op, StringRef name) {
  auto network = op->getParentOfType<NetworkOp>();
  return network && isa_and_nonnull<PopulationOp, SpikeSourceOp>(
                        mlir::SymbolTable::lookupSymbolIn(network, name));
}

/// nn.spike_count and nn.spike_rate: in a program, of a population.
static LogicalResult verifyObservable(Operation *op, StringRef population) {
  if (failed(verifyInProgram(op)))
    return failure();
  if (!isPopulation(op, population))
    return op->emitOpError()
           << "'" << population << "' is not a population of this network";
  return success();
}

LogicalResult SpikeCountOp::verify() {
  return verifyObservable(*this, getPopulation());
}

LogicalResult SpikeRateOp::verify() {
  return verifyObservable(*this, getPopulation());
}

LogicalResult PhaseOp::verify() {
  if (getName().empty())
    return emitOpError() << "needs a name";
  return verifyInProgram(*this);
}

LogicalResult SpikeArgmaxOp::verify() {
  return verifyObservable(*this, getPopulation());
}

LogicalResult StateMeanOp::verify() {
  if (failed(verifyObservable(*this, getPopulation())))
    return failure();
  auto network = (*this)->getParentOfType<NetworkOp>();
  auto pop = dyn_cast_or_null<PopulationOp>(
      mlir::SymbolTable::lookupSymbolIn(network, getPopulation()));
  NeuronOp model = pop ? pop.getNeuron() : NeuronOp();
  if (!model || model.getStateRow(getVar()) < 0)
    return emitOpError() << "'" << getVar()
                         << "' is not a state of population '"
                         << getPopulation() << "'";
  return success();
}

LogicalResult GateOp::verify() {
  if (failed(verifyInProgram(*this)))
    return failure();
  StringRef kind = getKind();
  auto network = (*this)->getParentOfType<NetworkOp>();
  Operation *target =
      network ? mlir::SymbolTable::lookupSymbolIn(network, getTarget())
              : nullptr;
  if (kind == "freeze" || kind == "thaw") {
    auto proj = dyn_cast_or_null<ProjectionOp>(target);
    if (!proj || !proj.getSynapseModel())
      return emitOpError() << "'" << getTarget()
                           << "' is not a projection with synapse state";
    return success();
  }
  if (kind != "disable" && kind != "enable")
    return emitOpError() << "unknown gate '" << kind << "'";
  if (!isa_and_nonnull<PopulationOp, SpikeSourceOp, ProjectionOp,
                       PoissonInputOp>(target))
    return emitOpError() << "'" << getTarget()
                         << "' is not a population, projection or input";
  return success();
}

LogicalResult SetOp::verify() {
  if (failed(verifyInProgram(*this)))
    return failure();
  PopulationOp pop = lookupPopulation(*this, getPopulation());
  if (!pop)
    return emitOpError() << "'" << getPopulation()
                         << "' is not a population of this network";
  if (NeuronOp model = pop.getNeuron())
    if (!lookupState(model, getVar()))
      return emitOpError() << "'" << getVar()
                           << "' is not stored per neuron in model "
                           << model.getSymName();
  return success();
}

LogicalResult ProjectionOp::verify() {
  StringRef rule = getRule();
  if (!llvm::is_contained(ArrayRef<StringRef>{"all_to_all", "one_to_one",
                                              "probability", "fixed_indegree",
                                              "fixed_outdegree", "from_list"},
                          rule))
    return emitOpError() << "unknown connection rule '" << rule << "'";
  if ((rule == "from_list") !=
          (getPairsPre().has_value() && getPairsPost().has_value()) ||
      (getPairsPre() && getPairsPre()->size() != getPairsPost()->size()))
    return emitOpError() << "needs source and target lists of equal length "
                            "exactly for rule 'from_list'";
  if (rule.starts_with("fixed_")) {
    double k = getParam().convertToDouble();
    if (!(k >= 0 && k == std::floor(k)))
      return emitOpError() << "degree must be a whole number >= 0";
  }
  if (std::optional<ArrayRef<int64_t>> ranges = getRanges()) {
    const ArrayRef<int64_t> &r = *ranges;
    if (!rule.starts_with("fixed_"))
      return emitOpError() << "has neuron ranges but rule '" << rule
                           << "' (only fixed degrees take them)";
    if (r.size() != 4 || r[0] < 0 || r[0] >= r[1] || r[2] < 0 || r[2] >= r[3])
      return emitOpError() << "needs ranges [pre_lo, pre_hi, post_lo, "
                              "post_hi] with lo < hi";
  }
  double p = getParam().convertToDouble();
  if (rule == "probability" && !(p >= 0 && p <= 1))
    return emitOpError() << "probability must be in [0, 1]";
  if (!(getDelay().convertToDouble() >= 0))
    return emitOpError() << "delay must not be negative";
  auto network = (*this)->getParentOfType<NetworkOp>();
  if (!isa_and_nonnull<PopulationOp, SpikeSourceOp>(
          mlir::SymbolTable::lookupSymbolIn(network, getPre())))
    return emitOpError() << "'" << getPre()
                         << "' is not a population of this network";
  if (!isa_and_nonnull<PopulationOp>(
          mlir::SymbolTable::lookupSymbolIn(network, getPost())))
    return emitOpError() << "'" << getPost()
                         << "' is not a population with a model in this "
                            "network";
  if (getSynapse() && !getSynapseModel())
    return emitOpError() << "'" << *getSynapse()
                         << "' is not a synapse model of this module";
  if (!getInit().empty() && !getSynapse())
    return emitOpError() << "has an init region but no synapse model";
  if (auto maxDelay = getMaxDelay()) {
    SynapseOp synapse = getSynapseModel();
    if (!synapse || synapse.getStateRow("delay") < 0 ||
        !(maxDelay->convertToDouble() > 0))
      return emitOpError() << "max_delay needs a positive bound and a synapse "
                              "model with a 'delay' state";
  }
  if (auto columns = getColumns()) {
    SynapseOp synapse = getSynapseModel();
    if (rule != "from_list" || !synapse)
      return emitOpError() << "has value columns but no connection list or "
                              "no synapse model";
    for (NamedAttribute column : *columns) {
      auto values = dyn_cast<DenseF64ArrayAttr>(column.getValue());
      if (!values ||
          values.size() != static_cast<int64_t>(getPairsPre()->size()))
        return emitOpError() << "column '" << column.getName().getValue()
                             << "' must be an array<f64> with one value per "
                                "listed pair";
      if (!llvm::any_of(synapse.getStates(), [&](StateOp s) {
            return s.getSymName() == column.getName().getValue();
          }))
        return emitOpError() << "column '" << column.getName().getValue()
                             << "' is not a state of synapse model '"
                             << synapse.getSymName() << "'";
    }
  }
  for (Region *region : {&getOnPost(), &getInit(), &getProbability()})
    if (!region->empty() && !isa<YieldOp>(region->front().getTerminator()))
      return emitOpError() << "regions must end with nn.yield";
  for (Region *region : {&getOnPre(), &getOnPost(), &getInit()})
    if (!region->empty() && region->front().getNumArguments() != 0)
      return emitOpError() << "region #" << region->getRegionNumber()
                           << " should have no arguments";
  if (!getProbability().empty()) {
    Block &block = getProbability().front();
    auto yield = cast<YieldOp>(block.getTerminator());
    if (rule != "probability" || block.getNumArguments() != 2 ||
        !llvm::all_of(block.getArgumentTypes(),
                      [](Type t) { return t.isF64(); }) ||
        yield.getValues().size() != 1 ||
        !yield.getValues()[0].getType().isF64())
      return emitOpError() << "probability region needs rule 'probability', "
                              "the source and target indices (f64, f64) "
                              "and yields one f64";
    bool readsSource = false;
    block.walk([&](ReadPreOp) { readsSource = true; });
    if (readsSource &&
        !isa_and_nonnull<PopulationOp>(
            mlir::SymbolTable::lookupSymbolIn(network, getPre())))
      return emitOpError() << "reads variables of '" << getPre()
                           << "', which has no neuron model";
  }
  WalkResult misplaced = (*this)->walk([&](Operation *op) {
    if (isa<ReadPreOp, ReadPostOp>(op) &&
        op->getParentRegion() != &getProbability())
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  if (misplaced.wasInterrupted())
    return emitOpError() << "nn.read_pre and nn.read_post belong in the "
                            "probability region";
  return success();
}

SynapseOp ProjectionOp::getSynapseModel() {
  auto module = (*this)->getParentOfType<ModuleOp>();
  if (!module || !getSynapse())
    return SynapseOp();
  return dyn_cast_or_null<SynapseOp>(
      mlir::SymbolTable::lookupSymbolIn(module, *getSynapse()));
}

LogicalResult PoissonInputOp::verify() {
  if (!lookupPopulation(*this, getPopulation()))
    return emitOpError() << "'" << getPopulation()
                         << "' is not a population of this network";
  if (!(getRate().convertToDouble() >= 0) ||
      !(getCount().convertToDouble() >= 0))
    return emitOpError() << "rate and count must not be negative";
  Block &block = getBody().front();
  if (block.getNumArguments() != 1 || !block.getArgument(0).getType().isF64())
    return emitOpError() << "body must take the number of events (one f64)";
  if (!isa<YieldOp>(block.getTerminator()))
    return emitOpError() << "body must end with nn.yield";
  if (!getRateOfTime().empty()) {
    Block &rate = getRateOfTime().front();
    auto yield = dyn_cast<YieldOp>(rate.getTerminator());
    if (rate.getNumArguments() != 0 || !yield ||
        yield.getValues().size() != 1 ||
        !yield.getValues()[0].getType().isF64())
      return emitOpError()
             << "rate_of_time must take no arguments and yield one f64";
  }
  return success();
}

LogicalResult SpikeSourceOp::verify() {
  ArrayRef<int64_t> steps = getSteps();
  ArrayRef<int32_t> indices = getIndices();
  if (getSize() <= 0)
    return emitOpError() << "size must be positive";
  if (steps.size() != indices.size())
    return emitOpError() << "needs as many steps as indices";
  for (size_t e = 0; e < steps.size(); ++e) {
    if (steps[e] < 0 || indices[e] < 0 || indices[e] >= getSize())
      return emitOpError() << "event " << e << " is out of range";
    if (e > 0 && std::make_pair(steps[e - 1], indices[e - 1]) >=
                     std::make_pair(steps[e], indices[e]))
      return emitOpError() << "events must be sorted by step, then neuron, "
                              "and unique";
  }
  return success();
}

LogicalResult SimulateOp::verify() {
  if (failed(verifyInProgram(*this)))
    return failure();
  if (!(getDuration().convertToDouble() > 0))
    return emitOpError() << "duration must be positive";
  if (!getUntil().empty()) {
    auto yield = dyn_cast<YieldOp>(getUntil().front().getTerminator());
    if (!yield || yield.getValues().size() != 1 ||
        !yield.getValues()[0].getType().isInteger(1))
      return emitOpError() << "until region must yield one i1";
  }
  return success();
}

LogicalResult RewireOp::verify() {
  if (!(getPeriod().convertToDouble() > 0))
    return emitOpError() << "period must be positive";
  if (failed(verifyYieldsOne(*this, getCondition(),
                             IntegerType::get(getContext(), 1),
                             "the condition")))
    return failure();
  auto yield = dyn_cast<YieldOp>(getReset().front().getTerminator());
  if (!yield || !yield.getValues().empty())
    return emitOpError() << "reset region must end with an empty nn.yield";
  auto network = (*this)->getParentOfType<NetworkOp>();
  auto proj = dyn_cast_or_null<ProjectionOp>(
      SymbolTable::lookupSymbolIn(network, getProjection()));
  if (!proj || !proj.getSynapseModel())
    return emitOpError() << "needs a projection with a synapse model";
  return success();
}

//===----------------------------------------------------------------------===//
// Cover passes
//===----------------------------------------------------------------------===//

std::optional<CoverStatement> nnc::nn::asCoverStatement(Operation *op) {
  if (auto g = dyn_cast<GatherOp>(op))
    return CoverStatement{op,
                          g.getSymName(),
                          g.getProjection(),
                          g.getPopulation(),
                          &g.getDomain(),
                          &g.getValue(),
                          g.getVar()};
  if (auto s = dyn_cast<ScatterOp>(op))
    return CoverStatement{op,
                          s.getSymName(),
                          s.getProjection(),
                          s.getPopulation(),
                          &s.getDomain(),
                          &s.getValue(),
                          StringRef()};
  return std::nullopt;
}

llvm::StringMap<SmallVector<std::string>>
nnc::nn::getStateRowNames(ModuleOp module) {
  llvm::StringMap<SmallVector<std::string>> names;
  for (NeuronOp neuron : module.getOps<NeuronOp>()) {
    SmallVector<std::string> &rows = names[neuron.getSymName()];
    for (StateOp state : neuron.getStates())
      rows.push_back(state.getSymName().str());
    if (neuron.getRefractory())
      rows.push_back("refractory");
  }
  return names;
}

SmallVector<SmallVector<Operation *, 4>>
nnc::nn::getCoverPasses(NetworkOp network) {
  SmallVector<SmallVector<Operation *, 4>> passes;
  std::optional<CoverStatement> first;
  llvm::SmallSet<StringRef, 4> gathered;
  for (Operation &op : network.getBody().front()) {
    std::optional<CoverStatement> stmt = asCoverStatement(&op);
    if (!stmt) {
      first.reset();
      continue;
    }
    bool joins =
        first && !first->domain->empty() && !stmt->domain->empty() &&
        stmt->projection == first->projection &&
        stmt->population == first->population &&
        OperationEquivalence::isRegionEquivalentTo(
            first->domain, stmt->domain, OperationEquivalence::IgnoreLocations);
    if (joins && isa<ScatterOp>(stmt->op))
      stmt->value->walk(
          [&](ReadOp read) { joins &= !gathered.contains(read.getVar()); });
    if (joins && !stmt->gathered.empty())
      joins = !gathered.contains(stmt->gathered);
    if (!joins) {
      passes.emplace_back();
      gathered.clear();
      first = stmt;
    }
    passes.back().push_back(stmt->op);
    if (!stmt->gathered.empty())
      gathered.insert(stmt->gathered);
  }
  return passes;
}

#define GET_OP_CLASSES
#include "nnc/Dialect/NN/IR/NNOps.cpp.inc"
