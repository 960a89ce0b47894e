//===- MLIRGen.cpp - Checked AST to the nn dialect ------------------------===//
//
// Runs only on an AST that Sema accepted, so it can rely on every name being
// resolved and every dimension being consistent. Values are f64 in SI base
// units; compile-time constants are emitted folded.
//
//===----------------------------------------------------------------------===//

#include "nnc/Frontend/Frontend.h"

#include "nnc/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>

using namespace nnc;
using namespace mlir;

namespace {

class MLIRGen {
public:
  MLIRGen(const ast::File &file, MLIRContext *context)
      : file(file), context(context), builder(context) {}

  OwningOpRef<ModuleOp> run() {
    auto module = ModuleOp::create(loc({1, 1}));
    builder.setInsertionPointToEnd(module.getBody());
    for (auto &neuron : file.neurons) {
      genNeuron(*neuron, neuron->name);
      modelNames.insert(neuron->name);
    }
    for (auto &net : file.networks)
      modelNames.insert(net->name);
    for (auto &net : file.networks)
      genNetwork(*net);
    if (failed(verify(module))) {
      module.erase();
      return nullptr;
    }
    return module;
  }

private:
  Location loc(ast::Loc l) { return makeLoc(context, file, l); }

  Value constant(double value, ast::Loc l) {
    return arith::ConstantOp::create(builder, loc(l),
                                     builder.getF64FloatAttr(value));
  }

  /// Creates `nn.yield` ending `region`'s single block.
  template <typename Fn> void fillRegion(Region &region, ast::Loc l, Fn body) {
    OpBuilder::InsertionGuard guard(builder);
    Block *block = builder.createBlock(&region);
    builder.setInsertionPointToStart(block);
    SmallVector<Value> results = body();
    nn::YieldOp::create(builder, loc(l), results);
  }

  //===--- Neuron models -------------------------------------------------===//

  /// Emits `neuron` as model `name`; `paramValues` replaces parameter
  /// defaults (a population's specialisation).
  void genNeuron(const ast::Neuron &neuron, StringRef name,
                 const llvm::StringMap<double> &overrides = {},
                 StringRef solver = {}) {
    // Sema folded every parameter to its default; a specialisation refolds
    // the expressions that read parameters with the population's values.
    llvm::StringMap<double> values;
    if (!overrides.empty()) {
      specialization = &values;
      for (auto &p : neuron.params) {
        if (p.perNeuron)
          continue;
        auto it = overrides.find(p.name);
        values[p.name] = it != overrides.end() ? it->second : fold(*p.value);
      }
    }
    auto restore = llvm::make_scope_exit([&] { specialization = nullptr; });
    if (solver.empty())
      solver = neuron.solver;
    auto op = nn::NeuronOp::create(
        builder, loc(neuron.loc), name,
        solver.empty() ? StringAttr() : builder.getStringAttr(solver));
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(builder.createBlock(&op.getBody()));

    for (auto &p : neuron.params) {
      if (p.perNeuron || bindings.count(p.name))
        continue;
      double value = specialization ? values[p.name] : *p.value->constValue;
      nn::ParamOp::create(builder, loc(p.loc), builder.getStringAttr(p.name),
                          builder.getF64FloatAttr(value),
                          builder.getStringAttr(p.dim.symbol()));
    }
    for (auto &s : neuron.states) {
      auto state = nn::StateOp::create(builder, loc(s.loc), s.name,
                                       builder.getStringAttr(s.dim.symbol()),
                                       /*parameter=*/false);
      fillRegion(state.getInit(), s.loc,
                 [&] { return SmallVector<Value>{genExpr(*s.value)}; });
    }
    // Parameters set per neuron are stored like states (after them, so the
    // states keep their rows); their default is the initial value.
    for (auto &p : neuron.params) {
      if (!p.perNeuron)
        continue;
      auto state = nn::StateOp::create(builder, loc(p.loc), p.name,
                                       builder.getStringAttr(p.dim.symbol()),
                                       /*parameter=*/true);
      fillRegion(state.getInit(), p.loc, [&] {
        return SmallVector<Value>{constant(*p.value->constValue, p.loc)};
      });
    }
    for (auto &ode : neuron.odes) {
      auto op = nn::OdeOp::create(builder, loc(ode.loc), ode.state);
      fillRegion(op.getRhs(), ode.loc, [&] {
        noise = Value();
        return SmallVector<Value>{genExpr(*ode.rhs)};
      });
    }
    if (neuron.threshold) {
      auto op = nn::ThresholdOp::create(builder, loc(neuron.thresholdLoc));
      fillRegion(op.getCondition(), neuron.thresholdLoc, [&] {
        return SmallVector<Value>{genExpr(*neuron.threshold)};
      });
      auto reset = nn::OnSpikeOp::create(builder, loc(neuron.thresholdLoc));
      fillRegion(reset.getBody(), neuron.thresholdLoc, [&] {
        genAssignments(neuron.reset);
        genAssignments(neuron.onSpike);
        return SmallVector<Value>{};
      });
    }
    for (auto &port : neuron.ports) {
      if (!port.handler)
        continue;
      auto op = nn::OnInputOp::create(
          builder, loc(port.loc), builder.getStringAttr(port.name),
          builder.getStringAttr(port.dim.symbol()),
          port.sign == ast::Port::Sign::Any
              ? StringAttr()
              : builder.getStringAttr(port.sign == ast::Port::Sign::Excitatory
                                          ? "excitatory"
                                          : "inhibitory"));
      OpBuilder::InsertionGuard guard(builder);
      Block *block = builder.createBlock(&op.getHandler());
      portValue = block->addArgument(builder.getF64Type(), loc(port.loc));
      genAssignments(port.handler->body);
      nn::YieldOp::create(builder, loc(port.handler->loc));
      portValue = Value();
    }
    if (neuron.refractory) {
      // Without an explicit clamp list, the states the reset assigns are
      // held during refractoriness (Brian2's `(unless refractory)` on v).
      llvm::SmallVector<Attribute> clamped;
      llvm::StringSet<> seen;
      auto addClamp = [&](const std::string &name) {
        if (seen.insert(name).second)
          clamped.push_back(FlatSymbolRefAttr::get(context, name));
      };
      // `refractory while` clamps nothing unless told: it gates the
      // threshold (Brian2's boolean refractory, used without `unless
      // refractory` equations).
      if (neuron.hasClampList)
        for (auto &[name, l] : neuron.clamped)
          addClamp(name);
      else if (!neuron.refractoryWhile) {
        std::vector<std::string> targets;
        collectTargets(neuron.reset, targets);
        for (auto &target : targets)
          addClamp(target);
      }
      if (neuron.refractoryWhile) {
        auto op = nn::RefractoryOp::create(builder, loc(neuron.refractoryLoc),
                                           FloatAttr(),
                                           builder.getArrayAttr(clamped));
        fillRegion(op.getCondition(), neuron.refractoryLoc, [&] {
          return SmallVector<Value>{genExpr(*neuron.refractory)};
        });
      } else {
        nn::RefractoryOp::create(
            builder, loc(neuron.refractoryLoc),
            builder.getF64FloatAttr(fold(*neuron.refractory)),
            builder.getArrayAttr(clamped));
      }
    }
  }

  /// Emits reads, arithmetic and writes for `target op= value` statements.
  void genAssignments(const std::vector<ast::Assign> &stmts) {
    std::vector<const ast::Assign *> all;
    for (auto &stmt : stmts)
      all.push_back(&stmt);
    genAssignments(all);
  }

  /// With `guard`, the statements only take effect where it holds: each
  /// write becomes select(guard, new, old), so `if` needs no branches.
  void genAssignments(const std::vector<const ast::Assign *> &stmts,
                      Value guard = {}) {
    for (const ast::Assign *stmtPtr : stmts) {
      const ast::Assign &stmt = *stmtPtr;
      if (stmt.cond) {
        Location l = loc(stmt.loc);
        Value cond = genExpr(*stmt.cond);
        auto branch = [&](const std::vector<ast::Assign> &body, Value c) {
          std::vector<const ast::Assign *> inner;
          for (auto &s : body)
            inner.push_back(&s);
          genAssignments(
              inner,
              guard ? Value(arith::AndIOp::create(builder, l, guard, c)) : c);
        };
        branch(stmt.then, cond);
        if (!stmt.otherwise.empty())
          branch(stmt.otherwise,
                 arith::XOrIOp::create(
                     builder, l, cond,
                     arith::ConstantOp::create(builder, l,
                                               builder.getBoolAttr(true))));
        continue;
      }
      Value value = genExpr(*stmt.value);
      if (stmt.toPort) {
        genDelivery(stmt, value, guard);
        continue;
      }
      if (stmt.op != ast::Assign::Op::Set) {
        Value old = nn::ReadOp::create(builder, loc(stmt.loc), stmt.target);
        switch (stmt.op) {
        case ast::Assign::Op::Add:
          value = arith::AddFOp::create(builder, loc(stmt.loc), old, value);
          break;
        case ast::Assign::Op::Sub:
          value = arith::SubFOp::create(builder, loc(stmt.loc), old, value);
          break;
        case ast::Assign::Op::Mul:
          value = arith::MulFOp::create(builder, loc(stmt.loc), old, value);
          break;
        case ast::Assign::Op::Div:
          value = arith::DivFOp::create(builder, loc(stmt.loc), old, value);
          break;
        case ast::Assign::Op::Set:
          break;
        }
      }
      if (guard)
        value = arith::SelectOp::create(
            builder, loc(stmt.loc), guard, value,
            nn::ReadOp::create(builder, loc(stmt.loc), stmt.target));
      nn::WriteOp::create(builder, loc(stmt.loc), stmt.target, value);
    }
  }

  /// `port += value` (or `-=`): runs the target's port handler with the
  /// value, where `guard` holds (nn-inline-ports).
  void genDelivery(const ast::Assign &stmt, Value value, Value guard = {}) {
    Location l = loc(stmt.loc);
    if (stmt.op == ast::Assign::Op::Sub)
      value = arith::NegFOp::create(builder, l, value);
    nn::DeliverOp::create(
        builder, l, FlatSymbolRefAttr::get(context, stmt.target), value, guard);
  }

  /// The states a block assigns, nested `if`s included.
  static void collectTargets(const std::vector<ast::Assign> &stmts,
                             std::vector<std::string> &out) {
    for (auto &stmt : stmts) {
      if (stmt.cond) {
        collectTargets(stmt.then, out);
        collectTargets(stmt.otherwise, out);
      } else {
        out.push_back(stmt.target);
      }
    }
  }

  //===--- Expressions ---------------------------------------------------===//

  /// The compile-time value of `e` (Sema found it constant), recomputed
  /// with the parameter values of the model being specialised.
  double fold(const ast::Expr &e) {
    using Kind = ast::Expr::Kind;
    using Op = ast::Expr::Op;
    if (!specialization || !readsParameter(e))
      return *e.constValue;
    switch (e.kind) {
    case Kind::Number:
      return *e.constValue;
    case Kind::Name: {
      if (e.nameKind == ast::NameKind::Alias)
        return fold(*e.operands[0]);
      auto it = specialization->find(e.name);
      return it != specialization->end() ? it->second : *e.constValue;
    }
    case Kind::Unary:
      return e.op == Op::Neg ? -fold(*e.operands[0]) : fold(*e.operands[0]);
    case Kind::Binary: {
      double a = fold(*e.operands[0]), b = fold(*e.operands[1]);
      switch (e.op) {
      case Op::Add:
        return a + b;
      case Op::Sub:
        return a - b;
      case Op::Mul:
        return a * b;
      case Op::Div:
        return a / b;
      case Op::Pow:
        return std::pow(a, b);
      default:
        return *e.constValue;
      }
    }
    case Kind::Call: {
      std::vector<double> args;
      for (auto &arg : e.operands)
        args.push_back(fold(*arg));
      return applyMathFunction(e.name, args);
    }
    }
    return *e.constValue;
  }

  static bool readsParameter(const ast::Expr &e) {
    if (e.kind == ast::Expr::Kind::Name &&
        e.nameKind == ast::NameKind::Parameter)
      return true;
    for (auto &operand : e.operands)
      if (readsParameter(*operand))
        return true;
    return false;
  }

  /// Whether `e` reads a parameter that follows a modulator in the
  /// projection being emitted (then it is not a compile-time constant).
  bool readsBoundParameter(const ast::Expr &e) {
    if (bindings.empty())
      return false;
    if (e.kind == ast::Expr::Kind::Name &&
        e.nameKind == ast::NameKind::Parameter && bindings.count(e.name))
      return true;
    for (auto &operand : e.operands)
      if (readsBoundParameter(*operand))
        return true;
    return false;
  }

  Value genExpr(const ast::Expr &e) {
    using Kind = ast::Expr::Kind;
    using Op = ast::Expr::Op;
    Location l = loc(e.loc);
    if (e.constValue && !e.isBool && !readsBoundParameter(e))
      return constant(fold(e), e.loc);
    switch (e.kind) {
    case Kind::Number:
      return constant(e.number, e.loc); // unreachable: numbers fold
    case Kind::Name:
      if (e.nameKind == ast::NameKind::Alias)
        return genExpr(*e.operands[0]);
      if (e.nameKind == ast::NameKind::Time)
        return nn::TimeOp::create(builder, l);
      if (e.nameKind == ast::NameKind::TimeStep)
        return nn::TimeStepOp::create(builder, l);
      if (e.nameKind == ast::NameKind::Noise)
        return genNoise(l);
      if (e.nameKind == ast::NameKind::Port)
        return portValue;
      if (e.nameKind == ast::NameKind::NeuronIndex)
        return nn::IndexOp::create(builder, l);
      if (e.nameKind == ast::NameKind::LoopVar)
        return loopVars.lookup(e.name);
      if (e.nameKind == ast::NameKind::SourceIndex)
        return synapseIndices.first;
      if (e.nameKind == ast::NameKind::TargetIndex)
        return synapseIndices.second;
      if (e.nameKind == ast::NameKind::PreValue)
        return nn::ReadPreOp::create(builder, l, builder.getF64Type(),
                                     FlatSymbolRefAttr::get(context, e.name));
      if (e.nameKind == ast::NameKind::PostValue)
        return nn::ReadPostOp::create(builder, l, builder.getF64Type(),
                                      FlatSymbolRefAttr::get(context, e.name));
      if (e.nameKind == ast::NameKind::Modulator)
        return genModulatorRead(e);
      if (e.nameKind == ast::NameKind::Parameter)
        if (const ast::Expr *bound = bindings.lookup(e.name))
          return genExpr(*bound);
      return nn::ReadOp::create(builder, l, e.name);
    case Kind::Unary: {
      Value x = genExpr(*e.operands[0]);
      if (e.op == Op::Not) {
        Value one =
            arith::ConstantOp::create(builder, l, builder.getBoolAttr(true));
        return arith::XOrIOp::create(builder, l, x, one);
      }
      if (e.op == Op::Neg)
        return arith::NegFOp::create(builder, l, x);
      return x;
    }
    case Kind::Binary:
      return genBinary(e);
    case Kind::Call:
      if (e.regionRead)
        return genModulatorRead(e);
      return genCall(e);
    }
    return {};
  }

  /// `dopamine.level`, or `da[k].level` (region k of a regional one).
  Value genModulatorRead(const ast::Expr &e) {
    auto [population, var] = StringRef(e.name).split('.');
    Value region = e.regionRead ? genExpr(*e.operands[0]) : Value();
    return nn::ReadModulatorOp::create(
        builder, loc(e.loc), builder.getF64Type(),
        FlatSymbolRefAttr::get(context, population),
        FlatSymbolRefAttr::get(context, var), region);
  }

  Value genBinary(const ast::Expr &e) {
    using Op = ast::Expr::Op;
    Location l = loc(e.loc);
    // Small whole powers become multiplications: exact and fast.
    if (e.op == Op::Pow && e.operands[1]->constValue) {
      double p = *e.operands[1]->constValue;
      if (p == std::round(p) && std::fabs(p) <= 16 && p != 0) {
        Value base = genExpr(*e.operands[0]);
        Value result = base;
        for (int i = 1; i < static_cast<int>(std::fabs(p)); ++i)
          result = arith::MulFOp::create(builder, l, result, base);
        if (p < 0)
          result =
              arith::DivFOp::create(builder, l, constant(1.0, e.loc), result);
        return result;
      }
    }
    Value a = genExpr(*e.operands[0]);
    Value b = genExpr(*e.operands[1]);
    auto cmp = [&](arith::CmpFPredicate pred) -> Value {
      return arith::CmpFOp::create(builder, l, pred, a, b);
    };
    switch (e.op) {
    case Op::Add:
      return arith::AddFOp::create(builder, l, a, b);
    case Op::Sub:
      return arith::SubFOp::create(builder, l, a, b);
    case Op::Mul:
      return arith::MulFOp::create(builder, l, a, b);
    case Op::Div:
      return arith::DivFOp::create(builder, l, a, b);
    case Op::Pow:
      return math::PowFOp::create(builder, l, a, b);
    case Op::Lt:
      return cmp(arith::CmpFPredicate::OLT);
    case Op::Le:
      return cmp(arith::CmpFPredicate::OLE);
    case Op::Gt:
      return cmp(arith::CmpFPredicate::OGT);
    case Op::Ge:
      return cmp(arith::CmpFPredicate::OGE);
    case Op::Eq:
      return cmp(arith::CmpFPredicate::OEQ);
    case Op::Ne:
      return cmp(arith::CmpFPredicate::ONE);
    case Op::And:
      return arith::AndIOp::create(builder, l, a, b);
    case Op::Or:
      return arith::OrIOp::create(builder, l, a, b);
    default:
      return a;
    }
  }

  Value genCall(const ast::Expr &e) {
    Location l = loc(e.loc);
    // Observables of the run block name a population, not a value.
    if (e.name == "count")
      return nn::SpikeCountOp::create(builder, l, e.operands[0]->name);
    if (e.name == "rate")
      return nn::SpikeRateOp::create(builder, l, e.operands[0]->name);
    if (e.name == "argmax")
      return nn::SpikeArgmaxOp::create(
          builder, l, builder.getF64Type(),
          FlatSymbolRefAttr::get(context, e.operands[0]->name));
    if (e.name == "mean" && e.nameKind != ast::NameKind::Table) {
      auto [population, var] = StringRef(e.operands[0]->name).split('.');
      return nn::StateMeanOp::create(
          builder, l, builder.getF64Type(),
          FlatSymbolRefAttr::get(context, population),
          FlatSymbolRefAttr::get(context, var));
    }
    if (e.nameKind == ast::NameKind::Table)
      return nn::TableLookupOp::create(
          builder, l, builder.getF64Type(),
          FlatSymbolRefAttr::get(context, e.name), genExpr(*e.operands[0]),
          e.operands.size() > 1 ? genExpr(*e.operands[1]) : Value());
    SmallVector<Value> args;
    for (auto &arg : e.operands)
      args.push_back(genExpr(*arg));
    const std::string &f = e.name;
    if (f == "exp")
      return math::ExpOp::create(builder, l, args[0]);
    if (f == "log")
      return math::LogOp::create(builder, l, args[0]);
    if (f == "tanh")
      return math::TanhOp::create(builder, l, args[0]);
    if (f == "sin")
      return math::SinOp::create(builder, l, args[0]);
    if (f == "cos")
      return math::CosOp::create(builder, l, args[0]);
    if (f == "sqrt")
      return math::SqrtOp::create(builder, l, args[0]);
    if (f == "abs")
      return math::AbsFOp::create(builder, l, args[0]);
    if (f == "floor")
      return math::FloorOp::create(builder, l, args[0]);
    if (f == "sign") { // -1, 0 or 1 (0 for 0 and NaN)
      Value zero = constant(0.0, e.loc);
      Value positive = arith::UIToFPOp::create(
          builder, l, builder.getF64Type(),
          arith::CmpFOp::create(builder, l, arith::CmpFPredicate::OGT, args[0],
                                zero));
      Value negative = arith::UIToFPOp::create(
          builder, l, builder.getF64Type(),
          arith::CmpFOp::create(builder, l, arith::CmpFPredicate::OLT, args[0],
                                zero));
      return arith::SubFOp::create(builder, l, positive, negative);
    }
    if (f == "min")
      return arith::MinimumFOp::create(builder, l, args[0], args[1]);
    if (f == "max")
      return arith::MaximumFOp::create(builder, l, args[0], args[1]);
    if (f == "clip") {
      Value lo = arith::MaximumFOp::create(builder, l, args[0], args[1]);
      return arith::MinimumFOp::create(builder, l, lo, args[2]);
    }
    if (f == "sigmoid") {
      Value neg = arith::NegFOp::create(builder, l, args[0]);
      Value ex = math::ExpOp::create(builder, l, neg);
      Value one = constant(1.0, e.loc);
      Value den = arith::AddFOp::create(builder, l, one, ex);
      return arith::DivFOp::create(builder, l, one, den);
    }
    if (f == "uniform")
      return nn::UniformOp::create(builder, l, args[0], args[1]);
    if (f == "exponential")
      return nn::ExponentialOp::create(builder, l, args[0]);
    if (f == "lognormal")
      return nn::LognormalOp::create(builder, l, args[0], args[1]);
    if (f == "poisson")
      return nn::PoissonOp::create(builder, l, args[0]);
    return nn::NormalOp::create(builder, l, args[0], args[1]); // normal
  }

  //===--- Networks ------------------------------------------------------===//

  void genNetwork(const ast::Network &net) {
    auto op = nn::NetworkOp::create(
        builder, loc(net.loc), builder.getStringAttr(net.name),
        builder.getF64FloatAttr(*net.dt->constValue));
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(builder.createBlock(&op.getBody()));

    for (auto &table : net.tables) {
      // Brian2's TimedArray upsampling factor K for this time step.
      double dt = *net.dt->constValue;
      int64_t upsampling =
          std::max<int64_t>(static_cast<int64_t>(std::exp2(
                                std::ceil(std::log2(8.0 / dt * table.period)))),
                            1);
      auto type = RankedTensorType::get({table.rows, table.columns},
                                        builder.getF64Type());
      nn::TableOp::create(builder, loc(table.loc),
                          builder.getStringAttr(table.name),
                          DenseElementsAttr::get(type, ArrayRef(table.data)),
                          builder.getF64FloatAttr(table.period),
                          builder.getI64IntegerAttr(upsampling));
    }

    // Modulators come last: they are updated after everything that reads
    // them, so every read in a step sees the value at its start.
    std::vector<const ast::Population *> ordered;
    for (auto &pop : net.populations)
      if (!pop.isModulator)
        ordered.push_back(&pop);
    for (auto &pop : net.populations)
      if (pop.isModulator)
        ordered.push_back(&pop);
    for (const ast::Population *popPtr : ordered) {
      const ast::Population &pop = *popPtr;
      if (pop.isSpikeSource) {
        SmallVector<int64_t> steps;
        SmallVector<int32_t> indices;
        for (auto [step, index] : pop.spikeEvents) {
          steps.push_back(step);
          indices.push_back(index);
        }
        nn::SpikeSourceOp::create(builder, loc(pop.loc),
                                  builder.getStringAttr(pop.name),
                                  builder.getI64IntegerAttr(pop.resolvedSize),
                                  builder.getDenseI64ArrayAttr(steps),
                                  builder.getDenseI32ArrayAttr(indices));
        continue;
      }
      // Parameters the population sets to one value for all its neurons
      // specialise the model; the rest are per-neuron values.
      llvm::StringMap<double> constants;
      std::vector<const ast::Assign *> perNeuron;
      for (auto &a : pop.overrides) {
        const ast::VarDecl *param = nullptr;
        for (auto &p : pop.neuron->params)
          if (p.name == a.target)
            param = &p;
        if (param && !param->perNeuron && !a.value->constValue)
          bindings[a.target] = a.value.get(); // follows a modulator
        else if (param && !param->perNeuron)
          constants[a.target] = *a.value->constValue;
        else
          perNeuron.push_back(&a);
      }
      std::string model = pop.model;
      // A population with its own clock gets its own model (solved for
      // its time step).
      if (!constants.empty() || !pop.solver.empty() || !bindings.empty() ||
          pop.updateEvery > 1) {
        model = pop.model + "_" + pop.name;
        for (unsigned k = 1; !modelNames.insert(model).second; ++k)
          model = pop.model + "_" + pop.name + "_" + std::to_string(k);
        OpBuilder::InsertionGuard guard(builder);
        builder.setInsertionPoint(op);
        genNeuron(*pop.neuron, model, constants, pop.solver);
      }
      // Initial values see parameter defaults: modulators do not exist yet
      // when a population is initialised.
      bindings.clear();
      auto popOp = nn::PopulationOp::create(
          builder, loc(pop.loc), pop.name, model,
          static_cast<int64_t>(pop.resolvedSize), pop.isModulator,
          pop.updateEvery > 1 ? builder.getI64IntegerAttr(pop.updateEvery)
                              : IntegerAttr());
      if (!perNeuron.empty())
        fillRegion(popOp.getInit(), pop.loc, [&] {
          genAssignments(perNeuron);
          return SmallVector<Value>{};
        });
    }

    // Projections are symbols next to the populations: `a_to_b` must not
    // clash with a population of that name.
    llvm::StringSet<> usedNames;
    for (auto &pop : net.populations)
      usedNames.insert(pop.name);
    for (auto &input : net.inputs)
      usedNames.insert(input.name);
    for (auto &proj : net.projections) {
      static const char *rules[] = {"all_to_all",      "one_to_one",
                                    "probability",     "fixed_indegree",
                                    "fixed_outdegree", "from_list"};
      StringRef rule = rules[static_cast<int>(proj.rule)];
      // A probability that depends on the pair is a region instead.
      double param = proj.ruleParam && proj.ruleParam->constValue
                         ? *proj.ruleParam->constValue
                         : 0.0;
      double delay =
          proj.delay && !proj.perSynapseDelay ? *proj.delay->constValue : 0.0;
      // `connect a, b -> c, d` is one projection per (pre, post) pair.
      for (auto [preIndex, preRef] : llvm::enumerate(proj.pre)) {
        for (auto [postIndex, postRef] : llvm::enumerate(proj.post)) {
          const std::string &pre = preRef.first, &post = postRef.first;
          std::string base =
              proj.name.empty() ? pre + "_to_" + post : proj.name;
          std::string name = base;
          for (unsigned i = 1; !usedNames.insert(name).second; ++i)
            name = base + "_" + std::to_string(i);
          const ast::Projection::Slice &preSlice = proj.preSlices[preIndex];
          const ast::Projection::Slice &postSlice = proj.postSlices[postIndex];
          bool sliced = !preSlice.whole() || !postSlice.whole();
          // Fixed degrees pick within the ranges at run time; the other
          // rules become a pair probability that is 0 outside them.
          bool fixedDegree = rule.starts_with("fixed_");
          bool asProbability = sliced && !fixedDegree;
          genProjection(proj, name, pre, post,
                        asProbability ? StringRef("probability") : rule, param,
                        delay, op, asProbability ? &preSlice : nullptr,
                        asProbability ? &postSlice : nullptr);
          if (sliced && fixedDegree) {
            auto bounds = [&](const ast::Projection::Slice &slice,
                              const std::string &population) {
              long long size = 0;
              for (auto &p : net.populations)
                if (p.name == population)
                  size = p.resolvedSize;
              return slice.whole() ? std::pair<long long, long long>{0, size}
                                   : std::pair{slice.lo, slice.hi};
            };
            auto [preLo, preHi] = bounds(preSlice, pre);
            auto [postLo, postHi] = bounds(postSlice, post);
            auto projOp = cast<nn::ProjectionOp>(op.getBody().front().back());
            projOp.setRangesAttr(
                builder.getDenseI64ArrayAttr({preLo, preHi, postLo, postHi}));
          }
          if (proj.rewire)
            genRewire(*proj.rewire, name, usedNames);
        }
      }
    }
    for (auto &input : net.inputs) {
      auto op = nn::PoissonInputOp::create(
          builder, loc(input.loc), builder.getStringAttr(input.name),
          FlatSymbolRefAttr::get(context, input.target),
          builder.getF64FloatAttr(input.rate),
          builder.getF64FloatAttr(input.count));
      OpBuilder::InsertionGuard guard(builder);
      Block *block = builder.createBlock(&op.getBody());
      Value events = block->addArgument(builder.getF64Type(), loc(input.loc));
      builder.setInsertionPointToStart(block);
      // x += w becomes x += k * w for the k events of the step.
      for (auto &stmt : input.body.onPre) {
        Location l = loc(stmt.loc);
        Value value =
            arith::MulFOp::create(builder, l, events, genExpr(*stmt.value));
        if (stmt.toPort) {
          genDelivery(stmt, value);
          continue;
        }
        Value old = nn::ReadOp::create(builder, l, stmt.target);
        Value updated =
            stmt.op == ast::Assign::Op::Sub
                ? Value(arith::SubFOp::create(builder, l, old, value))
                : Value(arith::AddFOp::create(builder, l, old, value));
        nn::WriteOp::create(builder, l, stmt.target, updated);
      }
      nn::YieldOp::create(builder, loc(input.loc));
      if (input.rateVaries) {
        const ast::Expr &rate = *input.args[0];
        builder.createBlock(&op.getRateOfTime());
        nn::YieldOp::create(builder, loc(rate.loc), ValueRange{genExpr(rate)});
      }
    }
    for (auto &cover : net.covers)
      for (auto [index, stmt] : llvm::enumerate(cover.body)) {
        std::string name = cover.name + "_" + stmt.target;
        for (unsigned k = 1; !usedNames.insert(name).second; ++k)
          name = cover.name + "_" + stmt.target + "_" + std::to_string(k);
        auto astro = FlatSymbolRefAttr::get(context, cover.astrocytes);
        auto proj = FlatSymbolRefAttr::get(context, cover.projection);
        auto var = FlatSymbolRefAttr::get(context, stmt.target);
        Region *value, *domain;
        const ast::Expr *valueExpr;
        if (cover.intoSynapses[index]) {
          auto scatter = nn::ScatterOp::create(builder, loc(stmt.loc),
                                               builder.getStringAttr(name),
                                               proj, var, astro);
          value = &scatter.getValue();
          domain = &scatter.getDomain();
          valueExpr = stmt.value.get();
        } else {
          auto gather = nn::GatherOp::create(
              builder, loc(stmt.loc), builder.getStringAttr(name), astro, var,
              builder.getStringAttr(stmt.value->name), proj);
          value = &gather.getValue();
          domain = &gather.getDomain();
          valueExpr = stmt.value->operands[0].get();
        }
        fillRegion(*value, stmt.loc,
                   [&] { return SmallVector<Value>{genExpr(*valueExpr)}; });
        if (cover.domain) {
          OpBuilder::InsertionGuard guard(builder);
          Block *block = builder.createBlock(domain);
          Location l = loc(cover.domain->loc);
          synapseIndices = {block->addArgument(builder.getF64Type(), l),
                            block->addArgument(builder.getF64Type(), l)};
          builder.setInsertionPointToStart(block);
          nn::YieldOp::create(builder, l, genExpr(*cover.domain));
          synapseIndices = {};
        }
      }
    for (auto &[name, l] : net.recorded)
      nn::RecordSpikesOp::create(builder, loc(l), name);
    for (auto &rec : net.recordedStates) {
      SmallVector<Attribute> vars;
      for (auto &v : rec.variables)
        vars.push_back(FlatSymbolRefAttr::get(context, v.first));
      for (auto &sel : rec.selections)
        nn::RecordStateOp::create(
            builder, loc(sel.loc),
            FlatSymbolRefAttr::get(context, sel.population),
            builder.getArrayAttr(vars),
            builder.getI64IntegerAttr(sel.resolvedFirst),
            builder.getI64IntegerAttr(sel.resolvedLast),
            builder.getI64IntegerAttr(rec.everySteps));
    }

    auto program = nn::ProgramOp::create(builder, loc(net.runLoc));
    builder.setInsertionPointToStart(builder.createBlock(&program.getBody()));
    genProgram(net.program);
  }

  /// The run block: nn program ops inside scf control flow.
  void genProgram(const std::vector<ast::ProgramStmt> &stmts) {
    using Kind = ast::ProgramStmt::Kind;
    for (auto &stmt : stmts) {
      Location l = loc(stmt.loc);
      switch (stmt.kind) {
      case Kind::Simulate: {
        auto op = nn::SimulateOp::create(
            builder, l, builder.getF64FloatAttr(*stmt.duration->constValue));
        if (stmt.until)
          fillRegion(op.getUntil(), stmt.until->loc,
                     [&] { return SmallVector<Value>{genExpr(*stmt.until)}; });
        break;
      }
      case Kind::Assign:
        nn::SetOp::create(builder, l,
                          FlatSymbolRefAttr::get(context, stmt.population),
                          FlatSymbolRefAttr::get(context, stmt.variable),
                          genExpr(*stmt.value));
        break;
      case Kind::If: {
        auto op = scf::IfOp::create(builder, l, genExpr(*stmt.cond),
                                    /*withElseRegion=*/!stmt.elseBody.empty());
        OpBuilder::InsertionGuard guard(builder);
        builder.setInsertionPointToStart(op.thenBlock());
        genProgram(stmt.body);
        if (!stmt.elseBody.empty()) {
          builder.setInsertionPointToStart(op.elseBlock());
          genProgram(stmt.elseBody);
        }
        break;
      }
      case Kind::While: {
        auto op = scf::WhileOp::create(builder, l, TypeRange{}, ValueRange{});
        OpBuilder::InsertionGuard guard(builder);
        builder.setInsertionPointToStart(builder.createBlock(&op.getBefore()));
        scf::ConditionOp::create(builder, l, genExpr(*stmt.cond), ValueRange{});
        builder.setInsertionPointToStart(builder.createBlock(&op.getAfter()));
        genProgram(stmt.body);
        scf::YieldOp::create(builder, l);
        break;
      }
      case Kind::For: {
        // range(first, last) or range(count): whole numbers, last exclusive.
        const ast::Expr &range = *stmt.range;
        auto bound = [&](const ast::Expr &e) -> Value {
          Value v = math::RoundEvenOp::create(builder, l, genExpr(e));
          Value i =
              arith::FPToSIOp::create(builder, l, builder.getI64Type(), v);
          return arith::IndexCastOp::create(builder, l, builder.getIndexType(),
                                            i);
        };
        Value first = range.operands.size() == 2
                          ? bound(*range.operands[0])
                          : arith::ConstantIndexOp::create(builder, l, 0);
        Value last = bound(*range.operands.back());
        auto op =
            scf::ForOp::create(builder, l, first, last,
                               arith::ConstantIndexOp::create(builder, l, 1));
        OpBuilder::InsertionGuard guard(builder);
        builder.setInsertionPoint(op.getBody()->getTerminator());
        Value iv = arith::IndexCastOp::create(builder, l, builder.getI64Type(),
                                              op.getInductionVar());
        loopVars[stmt.loopVar] =
            arith::SIToFPOp::create(builder, l, builder.getF64Type(), iv);
        genProgram(stmt.body);
        loopVars.erase(stmt.loopVar);
        break;
      }
      case Kind::Gate:
        for (auto &[target, targetLoc] : stmt.targets)
          nn::GateOp::create(builder, loc(targetLoc),
                             builder.getStringAttr(stmt.gate),
                             FlatSymbolRefAttr::get(context, target));
        break;
      case Kind::Phase: {
        auto op =
            nn::PhaseOp::create(builder, l, builder.getStringAttr(stmt.phase));
        OpBuilder::InsertionGuard guard(builder);
        builder.setInsertionPointToStart(builder.createBlock(&op.getBody()));
        genProgram(stmt.body);
        break;
      }
      }
    }
  }

  /// One projection op (and its synapse model, if the synapses have
  /// state) for the (pre, post) pair of `proj`.
  /// `rewire every T when COND { ... }` of projection `projName`.
  void genRewire(const ast::SynapseModel &rule, const std::string &projName,
                 llvm::StringSet<> &usedNames) {
    std::string name = projName + "_rewire";
    for (unsigned k = 1; !usedNames.insert(name).second; ++k)
      name = projName + "_rewire_" + std::to_string(k);
    auto op = nn::RewireOp::create(
        builder, loc(rule.rewireLoc), builder.getStringAttr(name),
        FlatSymbolRefAttr::get(context, projName),
        builder.getF64FloatAttr(fold(*rule.rewireEvery)));
    fillRegion(op.getCondition(), rule.rewireLoc,
               [&] { return SmallVector<Value>{genExpr(*rule.rewireWhen)}; });
    fillRegion(op.getReset(), rule.rewireLoc, [&] {
      genAssignments(rule.rewireBlock);
      return SmallVector<Value>{};
    });
  }

  /// With `preSlice` and `postSlice` (a range of either population), the
  /// rule becomes a probability region that is 0 outside the ranges.
  void genProjection(const ast::Projection &proj, const std::string &name,
                     const std::string &pre, const std::string &post,
                     StringRef rule, double param, double delay,
                     nn::NetworkOp network,
                     const ast::Projection::Slice *preSlice = nullptr,
                     const ast::Projection::Slice *postSlice = nullptr) {
    const ast::SynapseModel *model = proj.resolvedModel;
    const ast::SynapseModel &body = proj.body;
    // Parameter values the projection gives specialise its model.
    llvm::StringMap<double> values;
    auto restore = llvm::make_scope_exit([&] { specialization = nullptr; });
    std::vector<const ast::Assign *> perSynapse;
    for (auto *m : {model, &body})
      if (m)
        for (auto &p : m->params)
          values[p.name] = *p.value->constValue;
    // A parameter given a value that reads a modulator follows it: its
    // reads become that expression (bindings), not a constant.
    auto restoreBindings = llvm::make_scope_exit([&] { bindings.clear(); });
    llvm::StringMap<const ast::Expr *> given;
    for (auto &v : body.values) {
      if (values.count(v.target) && !v.value->constValue)
        bindings[v.target] = v.value.get();
      else if (values.count(v.target))
        given[v.target] = v.value.get();
      else
        perSynapse.push_back(&v);
    }
    // The given values and the defaults that depend on them (`A_pre =
    // 0.01 * w_max` after `w_max = 0.05;`) are refolded with the
    // projection's values; twice, so that either may depend on the other.
    specialization = &values;
    for (int round = 0; round < 2; ++round)
      for (auto *m : {model, &body})
        if (m)
          for (auto &p : m->params) {
            auto it = given.find(p.name);
            values[p.name] = fold(it != given.end() ? *it->second : *p.value);
          }

    bool hasState = proj.perSynapseDelay;
    for (auto *m : {model, &body})
      hasState |= m && !m->states.empty();
    FlatSymbolRefAttr synapseRef;
    if (hasState) {
      std::string modelName = name + "_synapse";
      for (unsigned k = 1; !modelNames.insert(modelName).second; ++k)
        modelName = name + "_synapse_" + std::to_string(k);
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPoint(network);
      genSynapseModel(proj, modelName, values);
      synapseRef = FlatSymbolRefAttr::get(context, modelName);
    }

    auto p = nn::ProjectionOp::create(
        builder, loc(proj.loc), builder.getStringAttr(name),
        FlatSymbolRefAttr::get(context, pre),
        FlatSymbolRefAttr::get(context, post), builder.getStringAttr(rule),
        builder.getF64FloatAttr(param), builder.getF64FloatAttr(delay),
        synapseRef, DenseI32ArrayAttr(), DenseI32ArrayAttr(), DictionaryAttr(),
        proj.delayMax ? builder.getF64FloatAttr(*proj.delayMax->constValue)
                      : FloatAttr(),
        DenseI64ArrayAttr());
    if (proj.rule == ast::Projection::Rule::FromFile) {
      SmallVector<int32_t> sources, targets;
      for (auto [i, j] : proj.connectionPairs) {
        sources.push_back(i);
        targets.push_back(j);
      }
      p.setPairsPreAttr(builder.getDenseI32ArrayAttr(sources));
      p.setPairsPostAttr(builder.getDenseI32ArrayAttr(targets));
      SmallVector<NamedAttribute> columns;
      for (auto &column : proj.connectionColumns)
        columns.push_back(builder.getNamedAttr(
            column.name, builder.getDenseF64ArrayAttr(column.values)));
      if (!columns.empty())
        p.setColumnsAttr(builder.getDictionaryAttr(columns));
    }
    auto handler = [&](bool isPre)
        -> std::pair<const std::vector<ast::Assign> *, ast::Loc> {
      ast::Loc bodyLoc = isPre ? body.onPreLoc : body.onPostLoc;
      if (bodyLoc.line)
        return {isPre ? &body.onPre : &body.onPost, bodyLoc};
      if (model && (isPre ? model->onPreLoc : model->onPostLoc).line)
        return {isPre ? &model->onPre : &model->onPost,
                isPre ? model->onPreLoc : model->onPostLoc};
      return {nullptr, proj.loc};
    };
    auto [onPre, onPreLoc] = handler(true);
    fillRegion(p.getOnPre(), onPreLoc, [&] {
      if (onPre)
        genAssignments(*onPre);
      return SmallVector<Value>{};
    });
    if (auto [onPost, onPostLoc] = handler(false); onPost)
      fillRegion(p.getOnPost(), onPostLoc, [&] {
        genAssignments(*onPost);
        return SmallVector<Value>{};
      });
    if (preSlice || (proj.rule == ast::Projection::Rule::Probability &&
                     !proj.ruleParam->constValue)) {
      OpBuilder::InsertionGuard guard(builder);
      Location l = loc(proj.ruleParam ? proj.ruleParam->loc : proj.ruleLoc);
      Block *block = builder.createBlock(&p.getProbability());
      synapseIndices = {block->addArgument(builder.getF64Type(), l),
                        block->addArgument(builder.getF64Type(), l)};
      builder.setInsertionPointToStart(block);
      auto constant = [&](double v) -> Value {
        return arith::ConstantOp::create(builder, l,
                                         builder.getF64FloatAttr(v));
      };
      auto [i, j] = synapseIndices;
      Value probability;
      if (proj.rule == ast::Projection::Rule::Probability)
        probability = genExpr(*proj.ruleParam);
      else if (proj.rule == ast::Projection::Rule::OneToOne)
        // The k-th neuron of one range to the k-th of the other.
        probability = arith::SelectOp::create(
            builder, l,
            arith::CmpFOp::create(
                builder, l, arith::CmpFPredicate::OEQ,
                arith::SubFOp::create(builder, l, i,
                                      constant(double(preSlice->lo))),
                arith::SubFOp::create(builder, l, j,
                                      constant(double(postSlice->lo)))),
            constant(1), constant(0));
      else
        probability = constant(1); // all_to_all
      // 0 outside the ranges.
      auto within = [&](Value x, const ast::Projection::Slice &slice) {
        if (slice.whole())
          return;
        Value inside = arith::AndIOp::create(
            builder, l,
            arith::CmpFOp::create(builder, l, arith::CmpFPredicate::OGE, x,
                                  constant(double(slice.lo))),
            arith::CmpFOp::create(builder, l, arith::CmpFPredicate::OLT, x,
                                  constant(double(slice.hi))));
        probability = arith::SelectOp::create(builder, l, inside, probability,
                                              constant(0));
      };
      if (preSlice) {
        within(i, *preSlice);
        within(j, *postSlice);
      }
      nn::YieldOp::create(builder, l, probability);
      synapseIndices = {};
    }
    if (!perSynapse.empty())
      fillRegion(p.getInit(), proj.loc, [&] {
        genAssignments(perSynapse);
        return SmallVector<Value>{};
      });
  }

  /// The synapse model of one projection: its named model's members, then
  /// those of the `connect` body, then (if it varies) the delay as a state.
  void genSynapseModel(const ast::Projection &proj, StringRef name,
                       const llvm::StringMap<double> &paramValues) {
    auto op = nn::SynapseOp::create(builder, loc(proj.loc), name,
                                    /*solver=*/StringAttr());
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(builder.createBlock(&op.getBody()));
    const ast::SynapseModel *parts[] = {proj.resolvedModel, &proj.body};
    // The body's solver overrides the model's.
    for (auto *m : parts)
      if (m && !m->solver.empty())
        op.setSolver(m->solver);
    // Likewise its precision.
    for (auto *m : parts)
      if (m && !m->precision.empty())
        op.setSinglePrecision(m->precision == "f32");
    for (auto *m : parts)
      if (m)
        for (auto &p : m->params)
          if (!bindings.count(p.name))
            nn::ParamOp::create(
                builder, loc(p.loc), builder.getStringAttr(p.name),
                builder.getF64FloatAttr(paramValues.lookup(p.name)),
                builder.getStringAttr(p.dim.symbol()));
    for (auto *m : parts)
      if (m)
        for (auto &s : m->states) {
          auto state = nn::StateOp::create(
              builder, loc(s.loc), s.name,
              builder.getStringAttr(s.dim.symbol()), /*parameter=*/false);
          fillRegion(state.getInit(), s.loc,
                     [&] { return SmallVector<Value>{genExpr(*s.value)}; });
        }
    if (proj.perSynapseDelay) {
      // Drawn from `delay EXPR`, or (without one) a connection file's
      // `delay` column, which replaces the initial value 0.
      ast::Loc delayLoc = proj.delay ? proj.delay->loc : proj.connectionFileLoc;
      auto state = nn::StateOp::create(builder, loc(delayLoc), "delay",
                                       builder.getStringAttr("s"),
                                       /*parameter=*/false);
      fillRegion(state.getInit(), delayLoc, [&] {
        return SmallVector<Value>{proj.delay ? genExpr(*proj.delay)
                                             : constant(0, delayLoc)};
      });
    }
    for (auto *m : parts)
      if (m)
        for (auto &ode : m->odes) {
          auto odeOp = nn::OdeOp::create(builder, loc(ode.loc), ode.state);
          fillRegion(odeOp.getRhs(), ode.loc,
                     [&] { return SmallVector<Value>{genExpr(*ode.rhs)}; });
        }
  }

  /// `xi` in the equation being emitted: a standard normal draw per neuron
  /// and step divided by sqrt(dt), so that an Euler step adds
  /// sigma * sqrt(dt) * N(0, 1) (Euler-Maruyama). Every `xi` of one
  /// equation is the same draw; different equations draw independently.
  Value genNoise(Location l) {
    if (noise)
      return noise;
    auto cst = [&](double v) -> Value {
      return arith::ConstantOp::create(builder, l, builder.getF64FloatAttr(v));
    };
    Value z = nn::NormalOp::create(builder, l, cst(0.0), cst(1.0));
    Value root =
        math::SqrtOp::create(builder, l, nn::TimeStepOp::create(builder, l));
    noise = arith::DivFOp::create(builder, l, z, root);
    return noise;
  }

  const ast::File &file;
  MLIRContext *context;
  OpBuilder builder;
  Value noise;
  /// The value delivered to the input port whose handler is being emitted.
  Value portValue;
  /// Names of the emitted models (specialisations must not clash).
  llvm::StringSet<> modelNames;
  /// While emitting a population's specialisation: its parameter values.
  const llvm::StringMap<double> *specialization = nullptr;
  /// A cover's domain: the synapse's source and target indices (f64).
  std::pair<Value, Value> synapseIndices;
  /// Loop variables of the run block in scope (f64 values).
  llvm::StringMap<Value> loopVars;
  /// While emitting a projection or a population's model: its parameters
  /// that follow a modulator, and the expressions they follow.
  llvm::StringMap<const ast::Expr *> bindings;
};

} // namespace

OwningOpRef<ModuleOp> nnc::generateMLIR(const ast::File &file,
                                        MLIRContext *context) {
  context->loadDialect<nn::NNDialect, arith::ArithDialect, math::MathDialect,
                       scf::SCFDialect>();
  return MLIRGen(file, context).run();
}
