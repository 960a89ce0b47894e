//===- Sema.cpp - Names, physical dimensions and rules --------------------===//
//
// Annotates the AST in place: resolves every name, computes the physical
// dimension of every expression, folds compile-time constants to SI values
// and enforces the language's rules. Every problem is reported at its exact
// location; checking continues after an error so one run shows them all, and
// an expression that already failed does not produce follow-up errors.
//
//===----------------------------------------------------------------------===//

#include "nnc/Dialect/NN/IR/Solvers.h"
#include "nnc/Frontend/Frontend.h"
#include "nnc/Frontend/Npy.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <set>
#include <sstream>
#include <tuple>

using namespace nnc;
using ast::Expr;
using ast::NameKind;

namespace {

/// What a name can refer to inside an expression.
struct Symbol {
  NameKind kind;
  Dim dim;
  std::optional<double> value; // for constants, parameters and units
  ast::Loc loc;                // declaration, for notes
  /// A modulator's state as `modulator.state` (also for the bare name of a
  /// modulator with one state).
  std::string target;
  /// A modulator's number of regions (read as `NAME[k].state` when > 1).
  long long regions = 1;
};

/// The context an expression is checked in: which names are visible and
/// what may appear.
struct Scope {
  llvm::StringMap<Symbol> names;
  bool allowRandom = false; // random distributions (initial values)
  bool allowTime = false;   // the simulation time `t`
  bool allowIndex = false;  // the neuron index `i` (population values)
  bool allowNoise = false;  // white noise `xi` (a neuron's equations)
  bool unitsOnly = false;   // a declared unit: only unit names
  /// Assignments may deliver to the target's input ports (`exc += w` in a
  /// synapse's or input's handler).
  bool allowDeliver = false;
  /// The input port whose handler is being checked: the one port a name
  /// may read.
  llvm::StringRef readablePort;
  const Scope *parent = nullptr;

  const Symbol *lookup(llvm::StringRef name) const {
    for (const Scope *s = this; s; s = s->parent) {
      auto it = s->names.find(name);
      if (it != s->names.end())
        return &it->second;
    }
    return nullptr;
  }
  /// True if this scope or an enclosing one sets `flag`.
  bool lookupFlag(bool Scope::*flag) const {
    for (const Scope *s = this; s; s = s->parent)
      if (s->*flag)
        return true;
    return false;
  }
  llvm::StringRef lookupReadablePort() const {
    for (const Scope *s = this; s; s = s->parent)
      if (!s->readablePort.empty())
        return s->readablePort;
    return {};
  }
  void collectNames(std::vector<std::string> &out) const {
    for (const Scope *s = this; s; s = s->parent)
      for (auto &entry : s->names)
        out.push_back(entry.getKey().str());
  }
};

/// Builtin functions: name, arity, and how the result's dimension follows
/// from the arguments'.
enum class FnKind {
  DimensionlessMath, // exp, log, tanh, sigmoid, sin, cos: dimensionless in/out
  SameDim,           // abs, min, max, clip: all args same dim, result same
  Sqrt,
  Random, // uniform(lo, hi), normal(mean, std): same dim
  Sign,   // sign(x): any dimension in, dimensionless -1, 0 or 1 out
};
struct Builtin {
  const char *name;
  unsigned minArgs, maxArgs;
  FnKind kind;
};
const Builtin kBuiltins[] = {
    {"exp", 1, 1, FnKind::DimensionlessMath},
    {"log", 1, 1, FnKind::DimensionlessMath},
    {"tanh", 1, 1, FnKind::DimensionlessMath},
    {"sigmoid", 1, 1, FnKind::DimensionlessMath},
    {"sin", 1, 1, FnKind::DimensionlessMath},
    {"cos", 1, 1, FnKind::DimensionlessMath},
    {"abs", 1, 1, FnKind::SameDim},
    {"min", 2, 2, FnKind::SameDim},
    {"max", 2, 2, FnKind::SameDim},
    {"clip", 3, 3, FnKind::SameDim},
    {"sqrt", 1, 1, FnKind::Sqrt},
    {"sign", 1, 1, FnKind::Sign},
    {"floor", 1, 1, FnKind::DimensionlessMath},
    {"uniform", 2, 2, FnKind::Random},
    {"normal", 2, 2, FnKind::Random},
    {"exponential", 1, 1, FnKind::Random},
    {"lognormal", 2, 2, FnKind::Random},
    {"poisson", 1, 1, FnKind::Random},
};

const Builtin *findBuiltin(llvm::StringRef name) {
  for (const Builtin &b : kBuiltins)
    if (name == b.name)
      return &b;
  return nullptr;
}

} // namespace

double nnc::applyMathFunction(llvm::StringRef name,
                              const std::vector<double> &args) {
  if (name == "exp")
    return std::exp(args[0]);
  if (name == "log")
    return std::log(args[0]);
  if (name == "tanh")
    return std::tanh(args[0]);
  if (name == "sigmoid")
    return 1.0 / (1.0 + std::exp(-args[0]));
  if (name == "sin")
    return std::sin(args[0]);
  if (name == "cos")
    return std::cos(args[0]);
  if (name == "abs")
    return std::fabs(args[0]);
  if (name == "min")
    return std::min(args[0], args[1]);
  if (name == "max")
    return std::max(args[0], args[1]);
  if (name == "clip")
    return std::min(std::max(args[0], args[1]), args[2]);
  if (name == "sign")
    return args[0] > 0 ? 1.0 : args[0] < 0 ? -1.0 : 0.0;
  if (name == "floor")
    return std::floor(args[0]);
  return std::sqrt(args[0]); // sqrt
}

namespace {

/// Closest candidate by edit distance, if it is close enough to be a typo
/// (as in clang: at most a third of the name's length, so a swap of two
/// letters in a five-letter name counts). Candidates that differ only in
/// case win, the one with the fewest changed letters first ('mv' is 'mV',
/// not 'MV'); ties go to the alphabetically first, so hints are stable.
std::optional<std::string> suggest(llvm::StringRef name,
                                   const std::vector<std::string> &candidates) {
  std::optional<std::string> best;
  unsigned bestCaseChanges = ~0u;
  for (const std::string &candidate : candidates) {
    if (!name.equals_insensitive(candidate) || name == candidate)
      continue;
    unsigned changes = 0;
    for (size_t i = 0; i < name.size(); ++i)
      changes += name[i] != candidate[i];
    if (changes < bestCaseChanges ||
        (changes == bestCaseChanges && candidate < *best)) {
      bestCaseChanges = changes;
      best = candidate;
    }
  }
  if (best)
    return best;
  unsigned bestDistance = std::max<size_t>(1, (name.size() + 2) / 3) + 1;
  for (const std::string &candidate : candidates) {
    unsigned d = name.edit_distance(candidate, true, bestDistance);
    if (d < bestDistance || (d == bestDistance && best && candidate < *best)) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best;
}

/// A number for a message: "0.5", "1e+12", never MLIR's "5.000000e-01".
std::string fmt(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.15g", value);
  return buffer;
}

class Sema {
public:
  Sema(ast::File &file, mlir::MLIRContext *context)
      : file(file), context(context) {}

  mlir::LogicalResult run() {
    checkConstants();
    // Compartments become ordinary (qualified) members first: parameters
    // the program sets per neuron may live in a compartment.
    for (auto &neuron : file.neurons) {
      if (neuron->isModulator && !neuron->compartments.empty())
        error(neuron->compartments[0].loc)
            << "a modulator is one signal; it cannot have compartments";
      else if (neuron->isModulator && !neuron->couplings.empty())
        error(neuron->couplings[0].loc)
            << "a modulator is one signal; it cannot couple compartments";
      flattenCompartments(*neuron);
      expandAliases(*neuron);
    }
    for (auto &synapse : file.synapses)
      expandAliases(*synapse, nullptr);
    for (auto &net : file.networks) {
      for (auto &proj : net->projections) {
        const ast::SynapseModel *model = nullptr;
        for (auto &synapse : file.synapses)
          if (synapse->name == proj.model && !model)
            model = synapse.get();
        expandAliases(proj.body, model);
      }
      for (auto &input : net->inputs)
        expandAliases(input.body, nullptr);
    }
    markPerNeuronParameters();
    for (auto &neuron : file.neurons)
      checkNeuron(*neuron);
    for (auto &synapse : file.synapses)
      checkSynapseModel(*synapse);
    if (file.networks.empty() && !file.neurons.empty()) {
      // A library of models is fine for `nnc check`; nothing to run.
    }
    // Models and networks share one namespace (they become symbols of the
    // same module).
    llvm::StringMap<ast::Loc> networks;
    for (auto &net : file.networks) {
      if (auto it = models.find(net->name); it != models.end()) {
        auto diag = error(net->loc);
        diag << "network '" << net->name
             << "' has the same name as a neuron model";
        diag.attachNote(makeLoc(context, file, it->second->loc))
            << "the neuron model is defined here";
      } else if (auto it = networks.find(net->name); it != networks.end()) {
        auto diag = error(net->loc);
        diag << "redefinition of network '" << net->name << "'";
        diag.attachNote(makeLoc(context, file, it->second))
            << "previous definition is here";
      } else {
        networks[net->name] = net->loc;
      }
      checkNetwork(*net);
    }
    return mlir::failure(hadError);
  }

private:
  mlir::InFlightDiagnostic error(ast::Loc loc) {
    hadError = true;
    return mlir::emitError(makeLoc(context, file, loc));
  }

  //===--- Declarations --------------------------------------------------===//

  /// Reports a second declaration of `name` in `names`; true if it is new.
  bool declareOnce(Scope &scope, const std::string &name, ast::Loc loc,
                   Symbol symbol, llvm::StringRef what) {
    auto it = scope.names.find(name);
    if (it != scope.names.end()) {
      auto diag = error(loc);
      diag << "redefinition of " << what << " '" << name << "'";
      diag.attachNote(makeLoc(context, file, it->second.loc))
          << "previous definition is here";
      return false;
    }
    scope.names[name] = symbol;
    return true;
  }

  /// A parameter folds into the code unless it is set per neuron.
  static Symbol parameterSymbol(const ast::VarDecl &p) {
    return {NameKind::Parameter, p.dim,
            p.perNeuron ? std::nullopt : p.value->constValue, p.loc};
  }

  /// Parameters that the program sets, or that a population sets to a
  /// value that differs between its neurons (uses `i`, a random
  /// distribution or another such parameter), are stored per neuron. A
  /// population value that is the same for all its neurons instead
  /// specialises the model for that population (MLIRGen), so it still folds
  /// into the code and the exact solver. This must be known before the
  /// models are checked, since other parameters fold to constants.
  void markPerNeuronParameters() {
    auto findParam = [&](const std::string &model,
                         const std::string &name) -> ast::VarDecl * {
      for (auto &neuron : file.neurons)
        if (neuron->name == model)
          for (auto &p : neuron->params)
            if (p.name == name)
              return &p;
      return nullptr;
    };
    std::function<bool(const Expr &, const std::string &)> varies =
        [&](const Expr &e, const std::string &model) {
          if (e.kind == Expr::Kind::Name) {
            if (e.name == "i")
              return true;
            ast::VarDecl *p = findParam(model, e.name);
            return p && p->perNeuron;
          }
          if (e.kind == Expr::Kind::Call && findBuiltin(e.name) &&
              findBuiltin(e.name)->kind == FnKind::Random)
            return true;
          for (auto &operand : e.operands)
            if (varies(*operand, model))
              return true;
          return false;
        };
    // Iterate: a value may read a parameter that only becomes per-neuron
    // through another population's value.
    for (bool changed = true; changed;) {
      changed = false;
      auto mark = [&](ast::VarDecl *p) {
        if (p && !p->perNeuron)
          p->perNeuron = changed = true;
      };
      for (auto &net : file.networks) {
        llvm::StringMap<std::string> modelOf;
        // A value that reads a table or a region of a modulator is
        // computed in every step (a binding), even where it reads `i`
        // (`I = drive(t, i)`, `m = da[i / 10]`): not stored.
        std::function<bool(const Expr &)> readsTable = [&](const Expr &e) {
          if (e.regionRead)
            return true;
          if (e.kind == Expr::Kind::Call)
            for (auto &table : net->tables)
              if (table.name == e.name)
                return true;
          return llvm::any_of(e.operands, [&](const ast::ExprPtr &operand) {
            return readsTable(*operand);
          });
        };
        for (auto &pop : net->populations) {
          modelOf.try_emplace(pop.name, pop.model);
          for (auto &a : pop.overrides)
            if (varies(*a.value, pop.model) && !readsTable(*a.value))
              mark(findParam(pop.model, a.target));
        }
        forEachStmt(net->program, [&](ast::ProgramStmt &stmt) {
          if (stmt.kind == ast::ProgramStmt::Kind::Assign)
            if (auto it = modelOf.find(stmt.population); it != modelOf.end())
              mark(findParam(it->second, stmt.variable));
        });
      }
    }
  }

  /// Calls `fn` on every statement of a program, nested ones included.
  template <typename Fn>
  static void forEachStmt(std::vector<ast::ProgramStmt> &stmts, Fn &&fn) {
    for (auto &stmt : stmts) {
      fn(stmt);
      forEachStmt(stmt.body, fn);
      forEachStmt(stmt.elseBody, fn);
    }
  }

  void checkConstants() {
    for (auto &c : file.constants) {
      checkExpr(*c.value, globals);
      std::optional<Dim> declared = declaredDim(c);
      if (!c.value->constValue && !failed(*c.value)) {
        error(c.value->loc) << "the value of constant '" << c.name
                            << "' must be known at compile time";
      }
      c.dim = declared ? *declared : c.value->dim;
      declareOnce(globals, c.name, c.loc,
                  {NameKind::Constant, c.dim, c.value->constValue, c.loc},
                  "constant");
    }
  }

  /// Checks a `name : unit = value` declaration's unit against its value.
  /// The dimension of a declared unit (`: mV`), or nothing after reporting
  /// an error in it.
  std::optional<Dim> checkDeclaredUnit(Expr &unit) {
    Scope unitsOnly;
    unitsOnly.unitsOnly = true;
    checkExpr(unit, unitsOnly);
    if (failed(unit))
      return std::nullopt;
    if (!unit.constValue) {
      error(unit.loc) << "expected a unit after ':'";
      return std::nullopt;
    }
    return unit.dim;
  }

  std::optional<Dim> declaredDim(ast::VarDecl &decl) {
    if (!decl.unit || !checkDeclaredUnit(*decl.unit))
      return std::nullopt;
    if (!failed(*decl.value) && decl.value->dim != decl.unit->dim &&
        !isZeroLiteral(*decl.value)) {
      error(decl.value->loc)
          << "'" << decl.name << "' is declared with dimension "
          << decl.unit->dim.str() << " but its value has dimension "
          << decl.value->dim.str();
    }
    return decl.unit->dim;
  }

  /// A bare `0` fits any dimension, as in Brian2.
  static bool isZeroLiteral(const Expr &e) {
    return e.kind == Expr::Kind::Number && e.name.empty() && e.number == 0.0;
  }

  static ast::ExprPtr makeName(const std::string &name, ast::Loc loc) {
    auto e = std::make_unique<Expr>(Expr::Kind::Name, loc);
    e->name = name;
    return e;
  }
  static ast::ExprPtr makeBinary(Expr::Op op, ast::ExprPtr lhs,
                                 ast::ExprPtr rhs, ast::Loc loc) {
    auto e = std::make_unique<Expr>(Expr::Kind::Binary, loc);
    e->op = op;
    e->operands.push_back(std::move(lhs));
    e->operands.push_back(std::move(rhs));
    return e;
  }

  /// Moves the members of the neuron's compartments into the neuron as
  /// `comp.name` (inside a compartment its own names come first), and adds
  /// each coupling current g (v_b - v_a) / C_a to the compartments' `v'`.
  void flattenCompartments(ast::Neuron &neuron) {
    llvm::StringMap<ast::Loc> compartments;
    for (auto &comp : neuron.compartments) {
      if (auto [it, inserted] = compartments.try_emplace(comp.name, comp.loc);
          !inserted) {
        auto diag = error(comp.loc);
        diag << "redefinition of compartment '" << comp.name << "'";
        diag.attachNote(makeLoc(context, file, it->second))
            << "previous definition is here";
        continue; // its members would only repeat the error
      }
      llvm::StringSet<> own;
      for (auto &p : comp.params)
        own.insert(p.name);
      for (auto &s : comp.states)
        own.insert(s.name);
      for (auto &a : comp.aliases)
        own.insert(a.name);
      std::function<void(Expr &)> qualify = [&](Expr &e) {
        if (e.kind == Expr::Kind::Name && own.contains(e.name))
          e.name = comp.name + "." + e.name;
        for (auto &operand : e.operands)
          qualify(*operand);
      };
      for (auto &p : comp.params) {
        qualify(*p.value);
        p.name = comp.name + "." + p.name;
        neuron.params.push_back(std::move(p));
      }
      for (auto &s : comp.states) {
        qualify(*s.value);
        s.name = comp.name + "." + s.name;
        neuron.states.push_back(std::move(s));
      }
      for (auto &a : comp.aliases) {
        qualify(*a.value);
        a.name = comp.name + "." + a.name;
        neuron.aliases.push_back(std::move(a));
      }
      for (auto &ode : comp.odes) {
        qualify(*ode.rhs);
        if (own.contains(ode.state))
          ode.state = comp.name + "." + ode.state;
        neuron.odes.push_back(std::move(ode));
      }
    }
    neuron.compartments.clear();
    for (auto &c : neuron.couplings) {
      bool ok = true;
      for (auto [name, loc] :
           {std::pair{c.a, c.aLoc}, std::pair{c.b, c.bLoc}}) {
        if (!compartments.count(name)) {
          auto diag = error(loc);
          diag << "unknown compartment '" << name << "'";
          std::vector<std::string> names;
          for (auto &entry : compartments)
            names.push_back(entry.getKey().str());
          if (auto hint = suggest(name, names))
            diag << "; did you mean '" << *hint << "'?";
          ok = false;
          continue;
        }
        bool hasV = false, hasC = false;
        for (auto &s : neuron.states)
          hasV |= s.name == name + ".v";
        for (auto &p : neuron.params)
          hasC |= p.name == name + ".C";
        if (!hasV || !hasC) {
          error(loc) << "compartment '" << name
                     << "' is coupled, so it needs a state 'v' (its "
                        "membrane potential) and a parameter 'C' (its "
                        "capacitance)";
          ok = false;
        }
      }
      if (!ok || c.a == c.b) {
        if (ok)
          error(c.bLoc) << "a compartment cannot be coupled to itself";
        continue;
      }
      auto current = [&](const std::string &self,
                         const std::string &other) -> ast::ExprPtr {
        // g * (other.v - self.v) / self.C
        return makeBinary(
            Expr::Op::Div,
            makeBinary(Expr::Op::Mul, cloneExpr(*c.conductance),
                       makeBinary(Expr::Op::Sub, makeName(other + ".v", c.loc),
                                  makeName(self + ".v", c.loc), c.loc),
                       c.loc),
            makeName(self + ".C", c.loc), c.loc);
      };
      for (auto [self, other] : {std::pair{c.a, c.b}, std::pair{c.b, c.a}}) {
        ast::Ode *ode = nullptr;
        for (auto &o : neuron.odes)
          if (o.state == self + ".v")
            ode = &o;
        if (!ode) {
          neuron.odes.push_back({self + ".v", c.loc, current(self, other)});
          continue;
        }
        ode->rhs = makeBinary(Expr::Op::Add, std::move(ode->rhs),
                              current(self, other), c.loc);
      }
    }
  }

  //===--- Aliases -------------------------------------------------------===//

  /// The aliases visible in one model, and how far each is expanded.
  struct AliasSet {
    enum class State { New, Expanding, Expanded, Failed };
    llvm::StringMap<ast::VarDecl *> byName;
    llvm::StringMap<State> state;
    /// Terms of each expanded alias, and all terms its uses have copied.
    llvm::StringMap<size_t> terms;
    size_t termsCopied = 0;
    bool reportedTooLarge = false;
    void add(std::vector<ast::VarDecl> &aliases, State initial) {
      for (auto &a : aliases)
        if (byName.try_emplace(a.name, &a).second)
          state[a.name] = initial;
    }
  };

  /// The uses of a model's aliases may copy at most this many terms in
  /// all: a chain of aliases that each use the previous one grows
  /// quadratically (twice: exponentially).
  static constexpr size_t kMaxAliasTerms = 1000000;
  /// An expanded alias may nest at most this deep, the parser's limit for
  /// one expression, so that the recursive passes after Sema stay within
  /// their stack.
  static constexpr size_t kMaxAliasDepth = 1000;

  static size_t countTerms(const Expr &e) {
    size_t n = 1;
    for (auto &operand : e.operands)
      n += countTerms(*operand);
    return n;
  }
  static size_t exprDepth(const Expr &e) {
    size_t deepest = 0;
    for (auto &operand : e.operands)
      deepest = std::max(deepest, exprDepth(*operand));
    return deepest + 1;
  }

  /// Expands the aliases of a neuron model in all of its expressions.
  void expandAliases(ast::Neuron &neuron) {
    AliasSet set;
    set.add(neuron.aliases, AliasSet::State::New);
    if (set.byName.empty())
      return;
    expandAliasesInMembers(set, neuron.aliases, neuron.params, neuron.states,
                           neuron.odes);
    for (auto *e : {neuron.threshold.get(), neuron.refractory.get()})
      if (e)
        expandAliasUses(*e, set);
    expandAliasUses(neuron.reset, set);
    expandAliasUses(neuron.onSpike, set);
    for (auto &handler : neuron.portHandlers)
      expandAliasUses(handler.body, set);
  }

  /// Expands the aliases of a synapse model, or of a `connect` body (which
  /// also sees those of its model, already expanded).
  void expandAliases(ast::SynapseModel &synapse,
                     const ast::SynapseModel *model) {
    AliasSet set;
    if (model)
      set.add(const_cast<ast::SynapseModel *>(model)->aliases,
              AliasSet::State::Expanded);
    set.add(synapse.aliases, AliasSet::State::New);
    if (set.byName.empty())
      return;
    expandAliasesInMembers(set, synapse.aliases, synapse.params, synapse.states,
                           synapse.odes);
    for (auto *block : {&synapse.onPre, &synapse.onPost, &synapse.values})
      expandAliasUses(*block, set);
  }

  /// Expands the aliases of `set` in a model's own aliases, its parameters'
  /// and states' values and its equations.
  void expandAliasesInMembers(AliasSet &set, std::vector<ast::VarDecl> &aliases,
                              std::vector<ast::VarDecl> &params,
                              std::vector<ast::VarDecl> &states,
                              std::vector<ast::Ode> &odes) {
    for (auto &a : aliases)
      expandAlias(a, set);
    for (auto *vars : {&params, &states})
      for (auto &v : *vars)
        expandAliasUses(*v.value, set);
    for (auto &ode : odes)
      expandAliasUses(*ode.rhs, set);
  }

  void expandAlias(ast::VarDecl &alias, AliasSet &set) {
    if (set.byName.lookup(alias.name) != &alias ||
        set.state[alias.name] != AliasSet::State::New)
      return; // a redefinition (reported by Sema), or expanded already
    set.state[alias.name] = AliasSet::State::Expanding;
    bool ok = expandAliasUses(*alias.value, set);
    if (ok && exprDepth(*alias.value) > kMaxAliasDepth) {
      error(alias.loc) << "alias '" << alias.name
                       << "' nests expressions (with the aliases it uses) "
                          "more than "
                       << kMaxAliasDepth << " deep";
      ok = false;
    }
    set.state[alias.name] =
        ok ? AliasSet::State::Expanded : AliasSet::State::Failed;
  }

  /// Gives every use of an alias in `e` (a name without operands that
  /// `set` holds) the alias's expanded expression as its one operand, so
  /// errors inside the expression point at the alias and errors about its
  /// value at the use. A use that cannot be expanded is poisoned (its
  /// error is reported here, once). False if one could not.
  bool expandAliasUses(Expr &e, AliasSet &set) {
    if (e.kind == Expr::Kind::Name && e.operands.empty()) {
      auto it = set.byName.find(e.name);
      if (it == set.byName.end())
        return true;
      ast::VarDecl &alias = *it->second;
      if (set.state.lookup(e.name) == AliasSet::State::New)
        expandAlias(alias, set);
      AliasSet::State &state = set.state[e.name];
      if (state == AliasSet::State::Expanding) {
        auto diag = error(e.loc);
        diag << "alias '" << alias.name << "' is defined in terms of itself";
        diag.attachNote(makeLoc(context, file, alias.loc))
            << "'" << alias.name << "' is defined here";
        state = AliasSet::State::Failed;
      }
      if (state == AliasSet::State::Failed) {
        poison(e);
        return false;
      }
      auto [terms, fresh] = set.terms.try_emplace(e.name, 0);
      if (fresh)
        terms->second = countTerms(*alias.value);
      set.termsCopied += terms->second;
      if (set.termsCopied > kMaxAliasTerms) {
        if (!set.reportedTooLarge)
          error(e.loc) << "the aliases of this model expand to more than "
                       << kMaxAliasTerms << " terms";
        set.reportedTooLarge = true;
        poison(e);
        return false;
      }
      e.operands.push_back(cloneExpr(*alias.value));
      return true;
    }
    bool ok = true;
    for (auto &operand : e.operands)
      ok &= expandAliasUses(*operand, set);
    return ok;
  }

  void expandAliasUses(std::vector<ast::Assign> &block, AliasSet &set) {
    for (auto &stmt : block) {
      for (auto *e : {stmt.cond.get(), stmt.value.get()})
        if (e)
          expandAliasUses(*e, set);
      expandAliasUses(stmt.then, set);
      expandAliasUses(stmt.otherwise, set);
    }
  }

  /// Declares the aliases of a model in `scope` (so an assignment to one is
  /// reported as such) after checking their expressions in `exprScope`
  /// against their declared units.
  void checkAliases(std::vector<ast::VarDecl> &aliases, Scope &scope,
                    const Scope *exprScope) {
    for (auto &a : aliases) {
      if (exprScope)
        checkExpr(*a.value, *exprScope);
      std::optional<Dim> declared =
          exprScope ? declaredDim(a) : std::optional<Dim>();
      a.dim = declared ? *declared : a.value->dim;
      declareOnce(scope, a.name, a.loc,
                  Symbol{NameKind::Alias, a.dim, std::nullopt, a.loc}, "alias");
    }
  }

  static ast::ExprPtr cloneExpr(const Expr &e) {
    auto copy = std::make_unique<Expr>(e.kind, e.loc);
    copy->op = e.op;
    copy->number = e.number;
    copy->name = e.name;
    copy->unitLoc = e.unitLoc;
    copy->regionRead = e.regionRead;
    for (auto &operand : e.operands)
      copy->operands.push_back(cloneExpr(*operand));
    return copy;
  }

  void checkNeuron(ast::Neuron &neuron) {
    if (auto it = models.find(neuron.name); it != models.end()) {
      auto diag = error(neuron.loc);
      if (neuron.isModulator || it->second->isModulator)
        diag << "modulator '" << neuron.name
             << "' has the same name as another modulator or a neuron "
                "model";
      else
        diag << "redefinition of neuron model '" << neuron.name << "'";
      diag.attachNote(makeLoc(context, file, it->second->loc))
          << "previous definition is here";
      // Still check the body, so one run reports all of its errors too.
    } else {
      models[neuron.name] = &neuron;
    }

    Scope scope;
    scope.parent = &globals;
    checkVariables(neuron.params, neuron.states, scope);
    declarePorts(neuron, scope);

    Scope dynScope;
    dynScope.parent = &scope;
    dynScope.allowTime = true;
    checkAliases(neuron.aliases, scope, &dynScope);
    // Only equations may hold white noise: it has no value at an instant.
    Scope odeScope;
    odeScope.parent = &dynScope;
    odeScope.allowNoise = true;
    checkOdes(neuron.odes, scope, odeScope);

    if (neuron.isModulator && neuron.threshold)
      error(neuron.thresholdLoc)
          << "a modulator has no spikes; its value changes through its "
             "equations, projections onto it and the program";
    if (neuron.isModulator && neuron.refractory)
      error(neuron.refractoryLoc) << "a modulator has no refractory period";
    if (neuron.threshold) {
      // Spike conditions and resets may draw random numbers (a Poisson
      // source: `spike when uniform(0, 1) < rate * dt`).
      Scope eventScope;
      eventScope.parent = &dynScope;
      eventScope.allowRandom = true;
      checkExpr(*neuron.threshold, eventScope);
      if (!failed(*neuron.threshold) && !neuron.threshold->isBool)
        error(neuron.threshold->loc)
            << "the spike condition must be a comparison, e.g. 'v > v_th'";
      checkBlock(neuron.reset, eventScope, scope, nullptr);
      checkBlock(neuron.onSpike, eventScope, scope, nullptr);
    } else if (neuron.onSpikeLoc.line) {
      error(neuron.onSpikeLoc)
          << "'on spike' needs a spike condition ('spike when COND')";
    }
    checkPortHandlers(neuron, scope, dynScope);
    if (neuron.refractory && neuron.refractoryWhile) {
      // Evaluated on the state at the start of every step, like the
      // equations' right-hand sides.
      checkExpr(*neuron.refractory, dynScope);
      if (!failed(*neuron.refractory) && !neuron.refractory->isBool)
        error(neuron.refractory->loc)
            << "'refractory while' needs a condition, e.g. 'C > C_th'; a "
               "refractory period is written without 'while'";
    } else if (neuron.refractory) {
      checkExpr(*neuron.refractory, scope);
      if (!failed(*neuron.refractory)) {
        if (neuron.refractory->dim != dims::time())
          error(neuron.refractory->loc)
              << "the refractory period must be a time, not "
              << neuron.refractory->dim.str();
        else if (!neuron.refractory->constValue)
          error(neuron.refractory->loc)
              << "the refractory period must be known at compile time";
        else if (*neuron.refractory->constValue < 0)
          error(neuron.refractory->loc)
              << "the refractory period must not be negative";
      }
      if (!neuron.threshold)
        error(neuron.refractoryLoc)
            << "a refractory period needs a spike condition ('spike when')";
      for (auto &[name, loc] : neuron.clamped) {
        const Symbol *sym = scope.lookup(name);
        if (!sym || sym->kind != NameKind::State)
          reportNotAState(name, loc, scope, "'clamp'");
      }
    }
    checkSolverName(neuron.solver, neuron.solverLoc);
  }

  /// `port NAME [: UNIT] [excitatory | inhibitory];`: names a synapse can
  /// deliver to and only the port's handler reads.
  void declarePorts(ast::Neuron &neuron, Scope &scope) {
    if (neuron.isModulator && !neuron.ports.empty())
      error(neuron.ports[0].loc)
          << "a modulator has no input ports; projections onto it change "
             "its states directly";
    const ast::Port *signed_[2] = {nullptr, nullptr};
    for (auto &port : neuron.ports) {
      std::optional<Dim> dim =
          port.unit ? checkDeclaredUnit(*port.unit) : Dim::dimensionless();
      port.dim = dim.value_or(Dim::dimensionless());
      declareOnce(scope, port.name, port.loc,
                  Symbol{NameKind::Port, port.dim, std::nullopt, port.loc},
                  "input port");
      if (port.sign == ast::Port::Sign::Any)
        continue;
      bool excitatory = port.sign == ast::Port::Sign::Excitatory;
      const ast::Port *&previous = signed_[excitatory ? 0 : 1];
      if (previous) {
        auto diag = error(port.signLoc);
        diag << "model '" << neuron.name << "' already has an "
             << (excitatory ? "excitatory" : "inhibitory")
             << " port; a synapse's weight goes to one of each by its sign";
        diag.attachNote(makeLoc(context, file, previous->loc))
            << "the other one is here";
      }
      previous = &port;
    }
    if (signed_[0] && signed_[1] && signed_[0]->dim != signed_[1]->dim &&
        !failed(signed_[0]->dim) && !failed(signed_[1]->dim))
      error(signed_[1]->loc)
          << "the excitatory and inhibitory ports receive the same weights, "
             "so they need the same dimension, not "
          << signed_[0]->dim.str() << " and " << signed_[1]->dim.str();
  }

  /// `on NAME { ... }`: exactly one per port. The block sees the port's
  /// value and the neuron's variables, and changes its states.
  void checkPortHandlers(ast::Neuron &neuron, Scope &scope,
                         const Scope &dynScope) {
    for (auto &handler : neuron.portHandlers) {
      ast::Port *port = nullptr;
      for (auto &p : neuron.ports)
        if (p.name == handler.port && !port)
          port = &p;
      if (!port) {
        auto diag = error(handler.loc);
        diag << "unknown input port '" << handler.port << "'";
        std::vector<std::string> names;
        for (auto &p : neuron.ports)
          names.push_back(p.name);
        if (auto hint = suggest(handler.port, names))
          diag << "; did you mean '" << *hint << "'?";
        else if (handler.port == "pre" || handler.port == "post")
          diag << "; 'on " << handler.port
               << "' belongs in a synapse model or a 'connect' body";
        else
          diag << "; declare it with 'port " << handler.port << " : UNIT;'";
        continue;
      }
      if (port->handler) {
        auto diag = error(handler.loc);
        diag << "input port '" << port->name << "' already has a handler";
        diag.attachNote(makeLoc(context, file, port->handler->loc))
            << "the first handler is here";
        continue;
      }
      port->handler = &handler;
      Scope handlerScope;
      handlerScope.parent = &dynScope;
      handlerScope.readablePort = port->name;
      checkBlock(handler.body, handlerScope, scope, nullptr);
    }
    for (auto &port : neuron.ports)
      if (!port.handler)
        error(port.loc) << "input port '" << port.name
                        << "' has no handler; add 'on " << port.name
                        << " { ... }' saying what each delivered value does";
  }

  /// `solver NAME;` of a neuron or synapse model (empty: none given).
  void checkSolverName(const std::string &solver, ast::Loc loc) {
    if (solver.empty())
      return;
    if (!nn::isSolverName(solver))
      error(loc) << "unknown solver '" << solver << "'; expected one of "
                 << llvm::join(nn::getSolverNames(), ", ");
  }

  /// Checks equations `x' = rhs`: x is a state of `scope`, at most one
  /// equation each, the right-hand side (seen in `rhsScope`) has x's
  /// dimension per second.
  void checkOdes(std::vector<ast::Ode> &odes, const Scope &scope,
                 const Scope &rhsScope) {
    llvm::StringMap<ast::Loc> odeFor;
    for (auto &ode : odes) {
      checkExpr(*ode.rhs, rhsScope);
      const Symbol *target = scope.lookup(ode.state);
      if (!target || target->kind != NameKind::State) {
        reportNotAState(ode.state, ode.loc, scope, "a differential equation");
        continue;
      }
      if (odeFor.count(ode.state)) {
        auto diag = error(ode.loc);
        diag << "state '" << ode.state
             << "' already has a differential equation";
        diag.attachNote(makeLoc(context, file, odeFor[ode.state]))
            << "previous equation is here";
        continue;
      }
      odeFor[ode.state] = ode.loc;
      if (failed(*ode.rhs) || failed(target->dim))
        continue;
      Dim expected = target->dim / dims::time();
      if (ode.rhs->dim != expected && !isZeroLiteral(*ode.rhs))
        error(ode.rhs->loc)
            << "dimension mismatch in the equation for " << ode.state
            << "': the right-hand side has dimension " << ode.rhs->dim.str()
            << " but " << ode.state << "' needs " << expected.str() << " ("
            << target->dim.str() << " per second)";
    }
  }

  //===--- Synapse models ------------------------------------------------===//

  void checkSynapseModel(ast::SynapseModel &model) {
    if (auto it = synapseModels.find(model.name); it != synapseModels.end()) {
      auto diag = error(model.loc);
      diag << "redefinition of synapse model '" << model.name << "'";
      diag.attachNote(makeLoc(context, file, it->second->loc))
          << "previous definition is here";
    } else if (auto it = models.find(model.name); it != models.end()) {
      auto diag = error(model.loc);
      diag << "synapse model '" << model.name
           << "' has the same name as a neuron model";
      diag.attachNote(makeLoc(context, file, it->second->loc))
          << "the neuron model is defined here";
    } else {
      synapseModels[model.name] = &model;
    }
    for (auto &v : model.values)
      error(v.loc) << "a synapse model cannot set '" << v.target
                   << "' directly; declare it with 'parameter' or 'state', "
                      "or give per-synapse values in a 'connect' body";
    Scope scope;
    scope.parent = &globals;
    checkSynapseMembers(model, scope);
    // The handlers name the target neuron's variables too, so they are
    // checked where the model is used (checkProjectionSynapses).
  }

  /// Checks the parameters, states and equations of a synapse model or
  /// `connect` body and declares them in `scope`. Equations are
  /// event-driven: they see only the synapse's own variables and constants.
  void checkSynapseMembers(ast::SynapseModel &model, Scope &scope) {
    checkVariables(model.params, model.states, scope);
    // Aliases may read the target neuron: checked with the handlers.
    checkAliases(model.aliases, scope, nullptr);
    checkOdes(model.odes, scope, scope);
    checkSolverName(model.solver, model.solverLoc);
    if (!model.precision.empty() && model.precision != "f32" &&
        model.precision != "f64")
      error(model.precisionLoc)
          << "unknown precision '" << model.precision
          << "'; expected f32 (32-bit floats) or f64 (the default)";
  }

  /// Parameters (compile-time defaults) and states (initial values, which
  /// may be random and see the parameters) of a neuron or synapse model,
  /// declared in `scope` in that order.
  void checkVariables(std::vector<ast::VarDecl> &params,
                      std::vector<ast::VarDecl> &states, Scope &scope) {
    for (auto &p : params) {
      checkExpr(*p.value, scope);
      if (!failed(*p.value) && !p.value->constValue)
        error(p.value->loc) << "the default value of parameter '" << p.name
                            << "' must be known at compile time";
      std::optional<Dim> declared = declaredDim(p);
      p.dim = declared ? *declared : p.value->dim;
      declareOnce(scope, p.name, p.loc, parameterSymbol(p), "parameter");
    }
    // States see parameters (and each other's names for equations).
    Scope initScope;
    initScope.parent = &scope;
    initScope.allowRandom = true;
    for (auto &s : states) {
      checkExpr(*s.value, initScope);
      std::optional<Dim> declared = declaredDim(s);
      s.dim = declared ? *declared : s.value->dim;
      if (!declared && isZeroLiteral(*s.value))
        s.dim = Dim::dimensionless();
    }
    for (auto &s : states)
      declareOnce(scope, s.name, s.loc,
                  {NameKind::State, s.dim, std::nullopt, s.loc}, "state");
  }

  /// A projection's synapses: the model it names, its own members and
  /// per-synapse values, and the `on pre` / `on post` handlers, which see
  /// the synapse's variables first and then the target neuron's.
  void checkProjectionSynapses(ast::Projection &proj,
                               const std::vector<const ast::Neuron *> &posts,
                               double dt) {
    const ast::SynapseModel *model = nullptr;
    if (!proj.model.empty()) {
      auto it = synapseModels.find(proj.model);
      if (it == synapseModels.end()) {
        auto diag = error(proj.modelLoc);
        diag << "unknown synapse model '" << proj.model << "'";
        std::vector<std::string> names;
        for (auto &m : synapseModels)
          names.push_back(m.getKey().str());
        if (auto hint = suggest(proj.model, names))
          diag << "; did you mean '" << *hint << "'?";
      } else {
        model = it->second;
      }
    }
    proj.resolvedModel = model;

    // The synapse's own variables: the model's, then the body's. A
    // `connect` body also sees the network's modulators.
    Scope synScope;
    synScope.parent = modulators ? modulators : &globals;
    if (model) {
      for (auto &p : model->params)
        synScope.names[p.name] = parameterSymbol(p);
      for (auto &s : model->states)
        synScope.names[s.name] =
            Symbol{NameKind::State, s.dim, std::nullopt, s.loc};
      for (auto &a : model->aliases)
        synScope.names[a.name] =
            Symbol{NameKind::Alias, a.dim, std::nullopt, a.loc};
    }
    // Per-synapse delays are a state handlers can read (and, with `up_to`,
    // change).
    if (proj.perSynapseDelay)
      synScope.names.try_emplace(
          "delay",
          Symbol{NameKind::State, dims::time(), std::nullopt,
                 proj.delay ? proj.delay->loc : proj.connectionFileLoc});
    checkSynapseMembers(proj.body, synScope);

    // Per-synapse values: initial values of states, or parameter values.
    Scope valueScope;
    valueScope.parent = &synScope;
    valueScope.allowRandom = true;
    llvm::StringMap<ast::Loc> valueFor;
    for (auto &v : proj.body.values) {
      checkExpr(*v.value, valueScope);
      warnHiddenConstants(*v.value, synScope);
      auto it = synScope.names.find(v.target);
      if (it == synScope.names.end()) {
        auto diag = error(v.loc);
        diag << "the synapses of this projection have no parameter or state '"
             << v.target << "'";
        std::vector<std::string> names;
        for (auto &entry : synScope.names)
          names.push_back(entry.getKey().str());
        if (auto hint = suggest(v.target, names))
          diag << "; did you mean '" << *hint << "'?";
        continue;
      }
      if (auto [prev, inserted] = valueFor.try_emplace(v.target, v.loc);
          !inserted) {
        auto diag = error(v.loc);
        diag << "'" << v.target << "' is already given a value";
        diag.attachNote(makeLoc(context, file, prev->second))
            << "previous value is here";
        continue;
      }
      if (failed(*v.value) ||
          !checkAssignedValue(*v.value, v.target, it->second.dim))
        continue;
      // A parameter may follow a modulator (`reward = dopamine;`): every
      // read of it then reads the modulator's current value.
      bool readsMod = readsModulator(*v.value);
      if (readsMod &&
          (it->second.kind != NameKind::Parameter || usesRandom(*v.value)))
        error(v.value->loc)
            << (it->second.kind == NameKind::Parameter
                    ? "a parameter that follows a modulator cannot also be "
                      "random"
                    : "the initial value of a synapse state cannot read a "
                      "modulator; bind a parameter to it instead");
      else if (it->second.kind == NameKind::Parameter && !v.value->constValue &&
               !readsMod)
        error(v.value->loc)
            << "the value of parameter '" << v.target
            << "' must be known at compile time or follow a modulator; make "
               "it a 'state' to give each synapse its own value";
    }

    // Handlers: one `on pre` (required) and at most one `on post`.
    auto pick = [&](bool pre) -> std::vector<ast::Assign> * {
      ast::Loc bodyLoc = pre ? proj.body.onPreLoc : proj.body.onPostLoc;
      ast::Loc modelLoc =
          model ? (pre ? model->onPreLoc : model->onPostLoc) : ast::Loc{};
      if (bodyLoc.line && modelLoc.line) {
        auto diag = error(bodyLoc);
        diag << "synapse model '" << model->name << "' already has an 'on "
             << (pre ? "pre" : "post") << "' handler";
        diag.attachNote(makeLoc(context, file, modelLoc))
            << "the model's handler is here";
        return nullptr;
      }
      if (bodyLoc.line)
        return pre ? &proj.body.onPre : &proj.body.onPost;
      if (modelLoc.line)
        return const_cast<std::vector<ast::Assign> *>(pre ? &model->onPre
                                                          : &model->onPost);
      return nullptr;
    };
    if (!posts.empty() && !proj.body.onPreLoc.line &&
        !(model && model->onPreLoc.line))
      addDefaultDelivery(proj, *posts[0], synScope);
    std::vector<ast::Assign> *onPre = pick(true), *onPost = pick(false);
    if (posts.empty())
      return;
    Scope postScope;
    postScope.parent = modulators ? modulators : &globals;
    declareTargetNames(*posts[0], postScope);
    Scope handlerScope;
    handlerScope.names = synScope.names;
    handlerScope.parent = &postScope;
    handlerScope.allowTime = true; // `t`: the step the event happens in
    // The aliases' own errors and units, where they see the target too.
    Scope aliasScope;
    aliasScope.parent = &handlerScope;
    for (auto *m : {const_cast<ast::SynapseModel *>(model), &proj.body})
      if (m)
        checkAliases(m->aliases, aliasScope, &handlerScope);
    for (std::vector<ast::Assign> *handler : {onPre, onPost}) {
      if (!handler)
        continue;
      checkBlock(*handler, handlerScope, handlerScope, &posts);
      checkSameInAllTargets(*handler, posts, handlerScope);
      checkPortHandlersVisible(*handler, posts, synScope);
      if (const ast::Assign *write = findWrite(*handler, "delay");
          write && !proj.delayMax)
        error(write->loc)
            << "this handler changes the delays: give their upper bound, "
               "e.g. 'delay "
            << (proj.delay ? "D" : "1 ms") << " up_to 10 ms'";
    }
    checkRewire(proj, model, synScope, dt);
  }

  /// `connect p[a:b] -> q[c:d] ...`: constant bounds within the population;
  /// every rule but a connection file takes ranges.
  void checkSlices(ast::Projection &proj, const Scope &scope,
                   const llvm::StringMap<ast::Population *> &pops) {
    bool any = false;
    auto check = [&](std::vector<std::pair<std::string, ast::Loc>> &refs,
                     std::vector<ast::Projection::Slice> &slices) {
      for (auto [ref, slice] : llvm::zip(refs, slices)) {
        if (slice.whole())
          continue;
        any = true;
        std::optional<long long> lo = checkIndex(*slice.first, scope, "neuron");
        std::optional<long long> hi = checkIndex(*slice.last, scope, "neuron");
        if (!lo || !hi)
          continue;
        if (*hi <= *lo) {
          error(slice.last->loc)
              << "empty neuron range [" << *lo << ":" << *hi << "]";
          continue;
        }
        auto it = pops.find(ref.first);
        if (it != pops.end() && it->second->resolvedSize &&
            *hi > it->second->resolvedSize) {
          error(slice.last->loc)
              << "neuron index " << *hi << " is out of range: population '"
              << ref.first << "' has " << it->second->resolvedSize
              << " neurons";
          continue;
        }
        slice.lo = *lo;
        slice.hi = *hi;
      }
    };
    check(proj.pre, proj.preSlices);
    check(proj.post, proj.postSlices);
    using Rule = ast::Projection::Rule;
    if (any && proj.rule == Rule::FromFile)
      error(proj.ruleLoc) << "a connection file names neurons itself: connect "
                             "the whole populations";
  }

  /// `population p = M[n] every T;`: T a time known at compile time, a
  /// whole number (at least 1) of the network's steps.
  void checkUpdatePeriod(ast::Population &pop, double dt) {
    ast::Expr &every = *pop.every;
    checkExpr(every, globals);
    if (failed(every))
      return;
    if (pop.isSpikeSource) {
      error(every.loc) << "a spike source has no update period; its spikes "
                          "come at the times in its file";
      return;
    }
    if (every.dim != dims::time()) {
      error(every.loc) << "the update period must be a time, not "
                       << every.dim.str();
      return;
    }
    if (!every.constValue) {
      error(every.loc) << "the update period must be known at compile time";
      return;
    }
    if (dt <= 0)
      return;
    double steps = *every.constValue / dt;
    if (!(steps >= 1 - 1e-9) || steps > 0x1.0p40 ||
        std::fabs(steps - std::round(steps)) > 1e-6 * steps) {
      error(every.loc) << "the update period " << fmt(*every.constValue * 1e3)
                       << " ms is not a whole multiple of the time step dt = "
                       << fmt(dt * 1e3) << " ms";
      return;
    }
    pop.updateEvery = std::llround(steps);
  }

  /// `rewire every T when COND { ... }` (from the model or the body, not
  /// both): T a whole number of steps known at compile time; COND a
  /// condition on the synapse's own variables; the block assigns synapse
  /// states.
  void checkRewire(ast::Projection &proj, const ast::SynapseModel *model,
                   const Scope &synScope, double dt) {
    ast::SynapseModel *rule = nullptr;
    if (proj.body.rewireLoc.line)
      rule = &proj.body;
    if (model && model->rewireLoc.line) {
      if (rule) {
        auto diag = error(proj.body.rewireLoc);
        diag << "synapse model '" << model->name
             << "' already has a 'rewire' rule";
        diag.attachNote(makeLoc(context, file, model->rewireLoc))
            << "the model's rule is here";
        return;
      }
      rule = const_cast<ast::SynapseModel *>(model);
    }
    if (!rule)
      return;
    proj.rewire = rule;
    ast::Expr &every = *rule->rewireEvery;
    checkExpr(every, synScope);
    if (!failed(every)) {
      if (every.dim != dims::time())
        error(every.loc) << "the rewiring period must be a time, not "
                         << every.dim.str();
      else if (!every.constValue)
        error(every.loc) << "the rewiring period must be known at compile time";
      else if (dt > 0) {
        double steps = *every.constValue / dt;
        if (!(steps >= 1 - 1e-9) || steps > 0x1.0p40 ||
            std::fabs(steps - std::round(steps)) > 1e-6 * steps)
          error(every.loc) << "the rewiring period "
                           << fmt(*every.constValue * 1e3)
                           << " ms is not a whole multiple of the time step "
                              "dt = "
                           << fmt(dt * 1e3) << " ms";
      }
    }
    auto noteRule = [&](auto &&diag) {
      if (rule != &proj.body)
        diag.attachNote(makeLoc(context, file, rule->rewireLoc))
            << "the rewiring rule is here";
    };
    if (proj.rule == ast::Projection::Rule::OneToOne)
      noteRule(error(proj.ruleLoc)
               << "a 'one_to_one' projection cannot be rewired (its targets "
                  "are fixed); use 'fixed_outdegree 1'");
    if (proj.pre.size() != 1 || proj.post.size() != 1)
      noteRule(error(proj.loc) << "a rewired projection connects one "
                                  "population to one population");
    // The condition and block see the synapse alone: no target, no `t`.
    ast::Expr &when = *rule->rewireWhen;
    checkExpr(when, synScope);
    if (!failed(when) && !when.isBool)
      error(when.loc) << "the rewiring condition must be a comparison, e.g. "
                         "'w < 0.01 * w_max'";
    checkBlock(rule->rewireBlock, synScope, synScope, nullptr);
    if (const ast::Assign *write = findWrite(rule->rewireBlock, "delay"))
      error(write->loc) << "a rewired synapse keeps its delay";
  }

  /// The first assignment to `name` in `block`, inside conditions too.
  static const ast::Assign *findWrite(const std::vector<ast::Assign> &block,
                                      llvm::StringRef name) {
    for (const ast::Assign &a : block) {
      if (!a.cond && a.target == name)
        return &a;
      if (a.cond)
        for (auto *branch : {&a.then, &a.otherwise})
          if (const ast::Assign *w = findWrite(*branch, name))
            return w;
    }
    return nullptr;
  }

  /// `cover S with astro (all | by DOMAIN) { x = sum(e); ... }`: S is a
  /// named projection whose synapses have a model, astro a population of
  /// neurons; the domain is a dimensionless expression of the synapse's
  /// `source` and `target` indices; each statement sets a state of the
  /// astrocyte model without an equation to the sum or mean of a synapse
  /// expression over the synapses the astrocyte covers.
  void checkCover(ast::Cover &cover,
                  const llvm::StringMap<ast::Population *> &pops,
                  const llvm::StringMap<ast::Projection *> &projections,
                  llvm::StringMap<ast::Loc> &setStates) {
    ast::Projection *proj = nullptr;
    if (auto it = projections.find(cover.projection); it != projections.end())
      proj = it->second;
    else
      error(cover.projectionLoc)
          << "'" << cover.projection
          << "' is not a named projection; name the synapses to cover with "
             "'connect "
          << cover.projection << " = ...'";
    ast::Population *astro = nullptr;
    if (auto it = pops.find(cover.astrocytes); it != pops.end())
      astro = it->second;
    else
      error(cover.astrocytesLoc)
          << "unknown population '" << cover.astrocytes << "'";
    if (astro && (astro->isSpikeSource || astro->isModulator)) {
      error(cover.astrocytesLoc)
          << "'" << cover.astrocytes
          << "' has no state per neuron to cover synapses with; use a "
             "population of a neuron model";
      astro = nullptr;
    }
    cover.name = cover.projection + "_to_" + cover.astrocytes;

    if (cover.domain) {
      Scope domainScope;
      domainScope.parent = &globals;
      domainScope.names["source"] = {
          NameKind::SourceIndex, Dim::dimensionless(), std::nullopt, cover.loc};
      domainScope.names["target"] = {
          NameKind::TargetIndex, Dim::dimensionless(), std::nullopt, cover.loc};
      checkExpr(*cover.domain, domainScope);
      if (!failed(*cover.domain) &&
          (cover.domain->isBool || !cover.domain->dim.isDimensionless()))
        error(cover.domain->loc)
            << "the domain must be a dimensionless astrocyte index, e.g. "
               "'floor(target / 4)'";
    }

    // The synapse's variables, as its handlers see them.
    Scope synScope;
    synScope.parent = modulators ? modulators : &globals;
    if (proj) {
      for (const ast::SynapseModel *m :
           {proj->resolvedModel, (const ast::SynapseModel *)&proj->body})
        if (m) {
          for (auto &p : m->params)
            synScope.names[p.name] = parameterSymbol(p);
          for (auto &st : m->states)
            synScope.names[st.name] =
                Symbol{NameKind::State, st.dim, std::nullopt, st.loc};
        }
      if (synScope.names.empty())
        error(cover.projectionLoc)
            << "the synapses of '" << cover.projection
            << "' have no model (no parameters or states) to read";
    }
    // The covering neuron's variables, for statements into the synapses.
    Scope astroScope;
    astroScope.parent = &globals;
    if (astro && astro->neuron) {
      for (auto &p : astro->neuron->params)
        astroScope.names[p.name] = parameterSymbol(p);
      for (auto &st : astro->neuron->states)
        astroScope.names[st.name] =
            Symbol{NameKind::State, st.dim, std::nullopt, st.loc};
    }
    cover.intoSynapses.assign(cover.body.size(), false);
    for (auto [index, stmt] : llvm::enumerate(cover.body)) {
      if (stmt.cond) {
        error(stmt.loc) << "a 'cover' body holds 'x = sum(...);', "
                           "'x = mean(...);' and 'y = ...;' statements, not "
                           "'if'";
        continue;
      }
      if (stmt.op != ast::Assign::Op::Set) {
        error(stmt.loc) << "a 'cover' body sets states with '=', not an "
                           "update operator";
        continue;
      }
      const ast::Expr &value = *stmt.value;
      bool reduction = value.kind == Expr::Kind::Call &&
                       (value.name == "sum" || value.name == "mean") &&
                       value.operands.size() == 1;
      if (!reduction) {
        cover.intoSynapses[index] = true;
        checkCoverIntoSynapses(cover, stmt, proj, astroScope, setStates);
        continue;
      }
      Expr &arg = *stmt.value->operands[0];
      checkExpr(arg, synScope);
      if (!astro || !astro->neuron)
        continue;
      const ast::VarDecl *target = nullptr;
      for (auto &st : astro->neuron->states)
        if (st.name == stmt.target)
          target = &st;
      if (!target) {
        reportNotAState(stmt.target, stmt.loc, Scope(), "a 'cover' body");
        continue;
      }
      if (!setOnce(setStates, cover.astrocytes + "." + stmt.target, stmt.loc))
        continue;
      for (auto &ode : astro->neuron->odes)
        if (ode.state == stmt.target) {
          auto diag = error(stmt.loc);
          diag << "'" << stmt.target
               << "' has a differential equation; a 'cover' body sets "
                  "states without one";
          diag.attachNote(makeLoc(context, file, ode.loc))
              << "the equation is here";
        }
      if (failed(arg) || failed(target->dim))
        continue;
      if (arg.isBool)
        error(arg.loc) << "cannot sum a condition";
      else if (arg.dim != target->dim && !isZeroLiteral(arg))
        error(arg.loc) << "cannot assign a value of dimension " << arg.dim.str()
                       << " to '" << stmt.target << "' of dimension "
                       << target->dim.str();
      stmt.value->dim = arg.dim;
    }
  }

  /// One cover statement per state: each sets it anew every step.
  bool setOnce(llvm::StringMap<ast::Loc> &setStates, const std::string &name,
               ast::Loc loc) {
    auto [it, inserted] = setStates.try_emplace(name, loc);
    if (inserted)
      return true;
    auto diag = error(loc);
    diag << "'" << name << "' is already set by a cover";
    diag.attachNote(makeLoc(context, file, it->second))
        << "previous cover statement is here";
    return false;
  }

  /// `y = EXPR;` in a cover body (gliotransmission): y is a state without
  /// an equation of the covered synapses; EXPR is evaluated on the
  /// covering neuron (summed over all of them for `all`).
  void checkCoverIntoSynapses(ast::Cover &cover, ast::Assign &stmt,
                              ast::Projection *proj, const Scope &astroScope,
                              llvm::StringMap<ast::Loc> &setStates) {
    checkExpr(*stmt.value, astroScope);
    if (!proj)
      return;
    const ast::VarDecl *target = nullptr;
    const ast::Ode *ode = nullptr;
    for (const ast::SynapseModel *m :
         {proj->resolvedModel, (const ast::SynapseModel *)&proj->body}) {
      if (!m)
        continue;
      for (auto &st : m->states)
        if (st.name == stmt.target)
          target = &st;
      for (auto &o : m->odes)
        if (o.state == stmt.target)
          ode = &o;
    }
    if (!target) {
      auto diag = error(stmt.loc);
      diag << "the synapses of '" << cover.projection << "' have no state '"
           << stmt.target
           << "'; a 'cover' body sets a synapse state to a value of the "
              "covering neuron, or a state of the covering neuron to the "
              "'sum(...)' or 'mean(...)' of a synapse expression";
      return;
    }
    if (ode) {
      auto diag = error(stmt.loc);
      diag << "'" << stmt.target
           << "' has a differential equation; a 'cover' body sets states "
              "without one";
      diag.attachNote(makeLoc(context, file, ode->loc))
          << "the equation is here";
      return;
    }
    if (!setOnce(setStates, cover.projection + "." + stmt.target, stmt.loc))
      return;
    if (failed(*stmt.value) || failed(target->dim))
      return;
    if (stmt.value->isBool)
      error(stmt.value->loc)
          << "cannot assign a condition to '" << stmt.target << "'";
    else if (usesRandom(*stmt.value))
      error(stmt.value->loc) << "a cover's value cannot be random";
    else if (stmt.value->dim != target->dim && !isZeroLiteral(*stmt.value))
      error(stmt.value->loc)
          << "cannot assign a value of dimension " << stmt.value->dim.str()
          << " to '" << stmt.target << "' of dimension " << target->dim.str();
  }

  /// In a `connect` body, `w = 0.5 * w_max;` reads the synapse model's
  /// parameter `w_max`, not a global constant of the same name; say so
  /// when the two differ, since that is rarely what was meant.
  void warnHiddenConstants(const Expr &e, const Scope &synapse) {
    if (e.kind == Expr::Kind::Name && e.nameKind == NameKind::Parameter) {
      auto own = synapse.names.find(e.name);
      auto global = globals.names.find(e.name);
      if (own != synapse.names.end() && global != globals.names.end() &&
          global->second.kind == NameKind::Constant &&
          own->second.value != global->second.value) {
        auto diag = mlir::emitWarning(makeLoc(context, file, e.loc));
        diag << "'" << e.name << "' is the synapse model's parameter ("
             << (own->second.value ? fmt(*own->second.value) : "?")
             << "), not the constant '" << e.name << "' ("
             << (global->second.value ? fmt(*global->second.value) : "?")
             << "); set the parameter in this body ('" << e.name
             << " = ...;') to change it";
        diag.attachNote(makeLoc(context, file, global->second.loc))
            << "the constant is declared here";
      }
    }
    for (auto &operand : e.operands)
      warnHiddenConstants(*operand, synapse);
  }

  void reportNotAState(const std::string &name, ast::Loc loc,
                       const Scope &scope, llvm::StringRef where) {
    const Symbol *sym = scope.lookup(name);
    if (sym && sym->kind == NameKind::Alias) {
      auto diag = error(loc);
      diag << "'" << name << "' in " << where
           << " is an alias, which its expression defines; only state "
              "variables change";
      diag.attachNote(makeLoc(context, file, sym->loc))
          << "the alias is defined here";
      return;
    }
    if (sym) {
      error(loc) << "'" << name << "' in " << where
                 << " is not a state variable";
      return;
    }
    auto diag = error(loc);
    diag << "unknown state variable '" << name << "' in " << where;
    std::vector<std::string> states;
    for (const Scope *s = &scope; s; s = s->parent)
      for (auto &entry : s->names)
        if (entry.second.kind == NameKind::State)
          states.push_back(entry.getKey().str());
    if (auto hint = suggest(name, states))
      diag << "; did you mean '" << *hint << "'?";
  }

  /// Checks assignments in a reset or `on pre` block. `targets` holds the
  /// assignable states; `postModels`, if given, lists every model whose
  /// states the block writes (projections onto several populations).
  void checkBlock(std::vector<ast::Assign> &stmts, const Scope &exprScope,
                  const Scope &targets,
                  const std::vector<const ast::Neuron *> *postModels) {
    for (auto &stmt : stmts) {
      if (stmt.cond) {
        checkExpr(*stmt.cond, exprScope);
        if (!failed(*stmt.cond) && !stmt.cond->isBool)
          error(stmt.cond->loc)
              << "the condition of 'if' must be a comparison, e.g. 'v > 0 mV'";
        checkBlock(stmt.then, exprScope, targets, postModels);
        checkBlock(stmt.otherwise, exprScope, targets, postModels);
        continue;
      }
      checkExpr(*stmt.value, exprScope);
      const Symbol *sym = targets.lookup(stmt.target);
      if (sym && sym->kind == NameKind::Port) {
        checkDelivery(stmt, *sym, targets, postModels);
        continue;
      }
      if (!sym || sym->kind != NameKind::State) {
        reportNotAState(stmt.target, stmt.loc, targets, "an assignment");
        continue;
      }
      // Targets of the synapse's own (names of `targets` itself) are not
      // the neuron's.
      if (postModels && !targets.names.count(stmt.target)) {
        for (const ast::Neuron *model : *postModels) {
          bool found = false;
          for (auto &s : model->states)
            found |= s.name == stmt.target;
          if (!found)
            error(stmt.loc)
                << "target model '" << model->name
                << "' has no state variable '" << stmt.target << "'";
        }
      }
      if (failed(*stmt.value) || failed(sym->dim))
        continue;
      bool scales =
          stmt.op == ast::Assign::Op::Mul || stmt.op == ast::Assign::Op::Div;
      Dim expected = scales ? Dim::dimensionless() : sym->dim;
      if (stmt.value->isBool)
        error(stmt.value->loc)
            << "cannot assign a condition to '" << stmt.target << "'";
      else if (stmt.value->dim != expected && !isZeroLiteral(*stmt.value))
        error(stmt.value->loc)
            << "cannot assign a value of dimension " << stmt.value->dim.str()
            << " to '" << stmt.target << "' of dimension "
            << (scales ? std::string("dimensionless (a scale factor)")
                       : sym->dim.str());
    }
  }

  /// `exc += value` onto an input port of the target neuron.
  void checkDelivery(ast::Assign &stmt, const Symbol &port,
                     const Scope &targets,
                     const std::vector<const ast::Neuron *> *postModels) {
    if (!targets.lookupFlag(&Scope::allowDeliver)) {
      auto diag = error(stmt.loc);
      diag << "'" << stmt.target
           << "' is an input port: synapses deliver to it ('" << stmt.target
           << " += w' in 'on pre'); assign states here";
      diag.attachNote(makeLoc(context, file, port.loc))
          << "the port is declared here";
      return;
    }
    if (stmt.op != ast::Assign::Op::Add && stmt.op != ast::Assign::Op::Sub) {
      error(stmt.loc) << "deliver to input port '" << stmt.target
                      << "' with '+=' (or '-=' for the negated value)";
      return;
    }
    stmt.toPort = true;
    if (postModels)
      for (const ast::Neuron *model : *postModels)
        if (!findPort(*model, stmt.target))
          error(stmt.loc) << "target model '" << model->name
                          << "' has no input port '" << stmt.target << "'";
    if (failed(*stmt.value) || failed(port.dim))
      return;
    if (stmt.value->isBool)
      error(stmt.value->loc)
          << "cannot deliver a condition to port '" << stmt.target << "'";
    else if (stmt.value->dim != port.dim && !isZeroLiteral(*stmt.value))
      error(stmt.value->loc)
          << "cannot deliver a value of dimension " << stmt.value->dim.str()
          << " to input port '" << stmt.target << "' of dimension "
          << port.dim.str();
  }

  static const ast::Port *findPort(const ast::Neuron &model,
                                   llvm::StringRef name) {
    for (auto &port : model.ports)
      if (port.name == name)
        return &port;
    return nullptr;
  }

  /// The deliveries to ports in a block, nested `if`s included.
  static void collectDeliveries(const std::vector<ast::Assign> &stmts,
                                std::vector<const ast::Assign *> &out) {
    for (auto &stmt : stmts) {
      collectDeliveries(stmt.then, out);
      collectDeliveries(stmt.otherwise, out);
      if (stmt.toPort)
        out.push_back(&stmt);
    }
  }

  /// The names a block reads or writes.
  static void collectNames(const Expr &e, llvm::StringSet<> &out) {
    if (e.kind == Expr::Kind::Name)
      out.insert(e.name);
    for (auto &operand : e.operands)
      collectNames(*operand, out);
  }
  static void collectNames(const std::vector<ast::Assign> &stmts,
                           llvm::StringSet<> &out) {
    for (auto &stmt : stmts) {
      if (!stmt.target.empty())
        out.insert(stmt.target);
      for (auto *e : {stmt.cond.get(), stmt.value.get()})
        if (e)
          collectNames(*e, out);
      collectNames(stmt.then, out);
      collectNames(stmt.otherwise, out);
    }
  }

  /// A port's handler runs inside the synapse's handler, where the
  /// synapse's names come first: none may hide a name the handler uses.
  void checkPortHandlersVisible(const std::vector<ast::Assign> &handler,
                                const std::vector<const ast::Neuron *> &posts,
                                const Scope &synScope) {
    std::vector<const ast::Assign *> deliveries;
    collectDeliveries(handler, deliveries);
    for (const ast::Assign *delivery : deliveries)
      for (const ast::Neuron *model : posts) {
        const ast::Port *port = findPort(*model, delivery->target);
        if (!port || !port->handler)
          continue;
        llvm::StringSet<> used;
        collectNames(port->handler->body, used);
        for (auto &name : used) {
          if (!synScope.names.count(name.getKey()))
            continue;
          auto diag = error(delivery->loc);
          diag << "the synapse's '" << name.getKey() << "' hides the target's '"
               << name.getKey() << "', which the handler of port '"
               << port->name << "' uses; rename one of them";
          diag.attachNote(makeLoc(context, file, port->handler->loc))
              << "the handler is here";
          break;
        }
      }
  }

  /// `exc * c` (c free of `exc`): k events of a Poisson input deliver k
  /// times the value at once, which is exact only for such handlers.
  static bool isMultipleOf(const Expr &e, llvm::StringRef port) {
    using Op = Expr::Op;
    auto free = [&](const Expr &x) {
      llvm::StringSet<> names;
      collectNames(x, names);
      return !names.count(port);
    };
    if (e.kind == Expr::Kind::Name)
      return e.name == port || (e.nameKind == NameKind::Alias &&
                                isMultipleOf(*e.operands[0], port));
    if (e.kind == Expr::Kind::Unary && (e.op == Op::Neg || e.op == Op::Plus))
      return isMultipleOf(*e.operands[0], port);
    if (e.kind != Expr::Kind::Binary)
      return false;
    const Expr &a = *e.operands[0], &b = *e.operands[1];
    switch (e.op) {
    case Op::Add:
    case Op::Sub:
      return isMultipleOf(a, port) && isMultipleOf(b, port);
    case Op::Mul:
      return (isMultipleOf(a, port) && free(b)) ||
             (free(a) && isMultipleOf(b, port));
    case Op::Div:
      return isMultipleOf(a, port) && free(b);
    default:
      return false;
    }
  }

  void checkNetwork(ast::Network &net) {
    Scope scope;
    scope.parent = &globals;
    if (!net.dt) {
      error(net.loc) << "network '" << net.name
                     << "' needs a time step, e.g. 'dt = 0.1 ms;'";
    } else {
      checkExpr(*net.dt, scope);
      if (!failed(*net.dt))
        requirePositiveTime(*net.dt, "the time step 'dt'");
    }
    double dt = net.dt && net.dt->constValue ? *net.dt->constValue : 0.0;

    llvm::StringMap<ast::Population *> pops;
    for (auto &pop : net.populations) {
      if (auto it = pops.find(pop.name); it != pops.end()) {
        auto diag = error(pop.loc);
        diag << "redefinition of population '" << pop.name << "'";
        diag.attachNote(makeLoc(context, file, it->second->loc))
            << "previous definition is here";
        continue;
      }
      pops[pop.name] = &pop;
      auto it = models.find(pop.model);
      checkSolverName(pop.solver, pop.solverLoc);
      if (pop.isSpikeSource && !pop.solver.empty())
        error(pop.solverLoc) << "a spike source has no equations to solve";
      if (pop.every)
        checkUpdatePeriod(pop, dt);
      if (pop.isSpikeSource) {
        if (pop.model != "spike_times")
          error(pop.modelLoc) << "unknown spike source '" << pop.model
                              << "'; expected spike_times(\"FILE.csv\")";
        if (!pop.overrides.empty())
          error(pop.overrides[0].loc)
              << "a spike source has no parameters or states to set";
      } else if (it == models.end()) {
        auto diag = error(pop.modelLoc);
        diag << "unknown neuron model '" << pop.model << "'";
        std::vector<std::string> names;
        for (auto &m : models)
          names.push_back(m.getKey().str());
        if (auto hint = suggest(pop.model, names))
          diag << "; did you mean '" << *hint << "'?";
      } else {
        pop.neuron = it->second;
      }
      checkExpr(*pop.size, scope);
      if (failed(*pop.size))
        continue;
      double size = pop.size->constValue.value_or(-1);
      if (!pop.size->dim.isDimensionless() || !pop.size->constValue ||
          size != std::floor(size))
        error(pop.size->loc) << "population size must be a whole number "
                                "known at compile time";
      else if (size <= 0)
        error(pop.size->loc)
            << "population size must be positive, not " << fmt(size);
      else if (size > 2147483647.0)
        error(pop.size->loc) << "population size " << fmt(size)
                             << " exceeds the limit of 2^31-1 neurons";
      else
        pop.resolvedSize = static_cast<long long>(size);
      if (pop.isSpikeSource && pop.resolvedSize && dt > 0 &&
          pop.model == "spike_times")
        loadSpikeFile(pop, dt);
    }

    // `connect` bodies read the modulators as `name.state`, or `name` for
    // one with a single state.
    Scope modulatorScope;
    modulatorScope.parent = &globals;
    for (auto &pop : net.populations) {
      if (!pop.isModulator || !pop.neuron)
        continue;
      for (auto &s : pop.neuron->states) {
        Symbol sym{NameKind::Modulator,
                   s.dim,
                   std::nullopt,
                   s.loc,
                   pop.name + "." + s.name,
                   std::max(pop.resolvedSize, 1LL)};
        modulatorScope.names[sym.target] = sym;
        if (pop.neuron->states.size() == 1)
          modulatorScope.names[pop.name] = sym;
      }
    }
    // Tables are read like modulators, and through the same scope.
    for (auto &table : net.tables) {
      checkTable(table, dt);
      if (pops.count(table.name) || modulatorScope.names.count(table.name) ||
          !tables.try_emplace(table.name, &table).second) {
        error(table.nameLoc)
            << "'" << table.name << "' is already declared in network '"
            << net.name << "'";
        continue;
      }
      modulatorScope.names[table.name] = Symbol{
          NameKind::Table, table.dim, std::nullopt, table.nameLoc, table.name};
    }
    modulators = &modulatorScope;
    auto restoreModulators = llvm::make_scope_exit([&] {
      modulators = nullptr;
      tables.clear();
    });

    auto resolvePop =
        [&](const std::pair<std::string, ast::Loc> &ref) -> ast::Population * {
      auto it = pops.find(ref.first);
      if (it != pops.end())
        return it->second;
      auto diag = error(ref.second);
      diag << "unknown population '" << ref.first << "'";
      std::vector<std::string> names;
      for (auto &p : pops)
        names.push_back(p.getKey().str());
      if (auto hint = suggest(ref.first, names))
        diag << "; did you mean '" << *hint << "'?";
      return nullptr;
    };

    llvm::StringMap<ast::Projection *> namedProjections;
    for (auto &proj : net.projections) {
      if (!proj.name.empty()) {
        if (pops.count(proj.name) || namedProjections.count(proj.name)) {
          auto diag = error(proj.nameLoc);
          diag << "redefinition of '" << proj.name << "'";
          ast::Loc prev = pops.count(proj.name)
                              ? pops[proj.name]->loc
                              : namedProjections[proj.name]->nameLoc;
          diag.attachNote(makeLoc(context, file, prev))
              << "previous definition is here";
        } else if (proj.pre.size() != 1 || proj.post.size() != 1) {
          error(proj.nameLoc)
              << "a named projection connects one population to one "
                 "population; write one 'connect' per pair";
        } else {
          namedProjections[proj.name] = &proj;
        }
      }
      for (auto &ref : proj.pre)
        resolvePop(ref);
      std::vector<const ast::Neuron *> postModels;
      for (auto &ref : proj.post)
        if (ast::Population *p = resolvePop(ref)) {
          rejectSpikeSource(*p, ref.second, "the target of a projection");
          if (p->neuron && std::find(postModels.begin(), postModels.end(),
                                     p->neuron) == postModels.end())
            postModels.push_back(p->neuron);
        }
      checkSlices(proj, scope, pops);
      bool inDegree = proj.rule == ast::Projection::Rule::InDegree;
      if (inDegree || proj.rule == ast::Projection::Rule::OutDegree) {
        checkExpr(*proj.ruleParam, scope);
        double k = proj.ruleParam->constValue.value_or(-1);
        if (!failed(*proj.ruleParam)) {
          if (!proj.ruleParam->dim.isDimensionless() ||
              !proj.ruleParam->constValue || k != std::floor(k) || k < 0)
            error(proj.ruleParam->loc)
                << "the " << (inDegree ? "in" : "out")
                << "-degree must be a whole number >= 0 known at compile time";
          // Each source (target) picks distinct targets (sources), within
          // the range when there is one.
          auto &refs = inDegree ? proj.pre : proj.post;
          auto &slices = inDegree ? proj.preSlices : proj.postSlices;
          for (auto [ref, slice] : llvm::zip(refs, slices)) {
            auto it = pops.find(ref.first);
            if (it == pops.end() || !it->second->resolvedSize)
              continue;
            long long among =
                slice.whole() ? it->second->resolvedSize : slice.hi - slice.lo;
            if (among > 0 && k > among)
              error(proj.ruleParam->loc)
                  << (inDegree ? "in" : "out") << "-degree " << fmt(k)
                  << " exceeds the " << among << " neurons of '" << ref.first
                  << (slice.whole() ? "'" : "' in the range");
          }
        }
      }
      if (proj.rule == ast::Projection::Rule::Probability)
        checkConnectionProbability(proj, scope, pops);
      if (proj.rule == ast::Projection::Rule::OneToOne)
        for (auto [preIndex, preRef] : llvm::enumerate(proj.pre))
          for (auto [postIndex, postRef] : llvm::enumerate(proj.post)) {
            const std::string &preName = preRef.first;
            const std::string &postName = postRef.first;
            auto a = pops.find(preName), b = pops.find(postName);
            if (a == pops.end() || b == pops.end() ||
                !a->second->resolvedSize || !b->second->resolvedSize)
              continue;
            // A range counts its own neurons.
            auto length = [](const ast::Projection::Slice &s, long long all) {
              return s.whole() ? all : s.hi - s.lo;
            };
            long long preSize =
                length(proj.preSlices[preIndex], a->second->resolvedSize);
            long long postSize =
                length(proj.postSlices[postIndex], b->second->resolvedSize);
            if (preSize == postSize || preSize <= 0 || postSize <= 0)
              continue;
            auto diag = error(proj.ruleLoc);
            diag << "one_to_one needs populations of equal size, but '"
                 << preName << "' has " << preSize << " neurons and '"
                 << postName << "' has " << postSize;
            diag.attachNote(makeLoc(context, file, a->second->loc))
                << "'" << preName << "' is declared here";
            diag.attachNote(makeLoc(context, file, b->second->loc))
                << "'" << postName << "' is declared here";
          }
      if (proj.delay) {
        // A delay drawn from a distribution is per synapse; `dt` is the
        // network's time step (`max(dt, normal(1.5 ms, 0.75 ms))`).
        Scope delayScope;
        delayScope.parent = &scope;
        delayScope.allowRandom = true;
        delayScope.names["dt"] =
            Symbol{NameKind::Constant, dims::time(), dt, net.dtLoc};
        checkExpr(*proj.delay, delayScope);
        proj.perSynapseDelay = !failed(*proj.delay) && !proj.delay->constValue;
        if (proj.perSynapseDelay) {
          if (proj.delay->dim != dims::time())
            error(proj.delay->loc)
                << "delay must be a time, not " << proj.delay->dim.str();
        } else if (!failed(*proj.delay)) {
          if (proj.delay->dim != dims::time() || !proj.delay->constValue)
            error(proj.delay->loc)
                << "delay must be a time known at compile time";
          else if (*proj.delay->constValue < 0)
            error(proj.delay->loc) << "delay must not be negative";
          else if (*proj.delay->constValue > 0 && dt > 0 &&
                   *proj.delay->constValue < dt * (1 - 1e-9))
            error(proj.delay->loc)
                << "delay " << fmt(*proj.delay->constValue * 1e3)
                << " ms is shorter than the time step dt = " << fmt(dt * 1e3)
                << " ms; use 0 ms (same step) or at least dt";
        }
      }
      if (proj.delayMax)
        checkDelayBound(proj, scope, dt);
      bool convOk = checkLayerOptions(proj, scope);
      for (auto [e, out] : {std::pair{proj.convHeight.get(), &proj.convH},
                            std::pair{proj.convWidth.get(), &proj.convW},
                            std::pair{proj.poolSize.get(), &proj.poolK}}) {
        if (!e)
          continue;
        if (e == proj.poolSize.get()) {
          std::optional<long long> k =
              checkLayerNumber(*e, scope, 1, "the pooling window's size", "1");
          convOk &= k.has_value();
          *out = k.value_or(0);
          continue;
        }
        checkExpr(*e, scope);
        double v = e->constValue.value_or(0);
        if (failed(*e))
          convOk = false;
        else if (!e->dim.isDimensionless() || !e->constValue ||
                 v != std::floor(v) || v < 1 || v > 1e6) {
          error(e->loc) << "the input's height and width must be whole "
                           "numbers from 1 to 10^6 known at compile time";
          convOk = false;
        } else {
          *out = static_cast<long long>(v);
        }
      }
      if (proj.rule == ast::Projection::Rule::FromFile && convOk) {
        if (proj.pre.size() != 1 || proj.post.size() != 1) {
          error(proj.ruleLoc) << "a connection file connects one population "
                                 "to one population";
        } else {
          auto preIt = pops.find(proj.pre[0].first);
          auto postIt = pops.find(proj.post[0].first);
          if (preIt != pops.end() && postIt != pops.end() &&
              preIt->second->resolvedSize && postIt->second->resolvedSize) {
            if (proj.poolSize)
              makePoolPairs(proj, *preIt->second, *postIt->second);
            else
              loadConnectionFile(proj, *preIt->second, *postIt->second, dt);
          }
        }
      }
      checkProjectionSynapses(proj, postModels, dt);
      checkConnectionColumns(proj);
    }

    llvm::StringMap<ast::Loc> inputNames;
    for (auto &input : net.inputs) {
      if (input.name.empty()) {
        // Unnamed: poisson_to_p, poisson_to_p_1, ...
        std::string base = input.kind + "_to_" + input.target;
        input.name = base;
        for (unsigned k = 1;
             pops.count(input.name) || namedProjections.count(input.name) ||
             inputNames.count(input.name);
             ++k)
          input.name = base + "_" + std::to_string(k);
      }
      ast::Loc prev;
      if (auto it = pops.find(input.name); it != pops.end())
        prev = it->second->loc;
      else if (auto it = namedProjections.find(input.name);
               it != namedProjections.end())
        prev = it->second->nameLoc;
      else if (auto it = inputNames.find(input.name); it != inputNames.end())
        prev = it->second;
      if (prev.line) {
        auto diag = error(input.loc);
        diag << "redefinition of '" << input.name << "'";
        diag.attachNote(makeLoc(context, file, prev))
            << "previous definition is here";
      } else {
        inputNames[input.name] = input.loc;
      }
      checkInput(input, scope, resolvePop({input.target, input.targetLoc}));
    }

    llvm::StringMap<ast::Loc> coveredStates;
    for (auto &cover : net.covers)
      checkCover(cover, pops, namedProjections, coveredStates);

    for (auto &pop : net.populations)
      if (pop.neuron)
        checkPopulationValues(pop);

    for (auto &ref : net.recorded)
      resolvePop(ref);
    for (auto &rec : net.recordedStates)
      checkStateRecord(rec, scope, dt, resolvePop, namedProjections);

    // The run block: observables of this network's populations, the time
    // `t`, and loop variables.
    Scope programScope;
    programScope.parent = &scope;
    programScope.allowTime = true;
    observablePops = &pops;
    checkProgram(net.program, programScope, resolvePop, namedProjections,
                 inputNames);
    observablePops = nullptr;
    if (!net.hasRun)
      error(net.loc) << "network '" << net.name
                     << "' has no 'run { ... }' block saying what to simulate";
  }

  template <typename ResolvePop>
  void checkProgram(std::vector<ast::ProgramStmt> &stmts, Scope &scope,
                    ResolvePop &resolvePop,
                    const llvm::StringMap<ast::Projection *> &projections,
                    const llvm::StringMap<ast::Loc> &inputs) {
    using Kind = ast::ProgramStmt::Kind;
    auto condition = [&](Expr &cond, llvm::StringRef what) {
      checkExpr(cond, scope);
      if (!failed(cond) && !cond.isBool)
        error(cond.loc) << "the condition of " << what
                        << " must be a comparison, e.g. 'count(out) > 10'";
    };
    for (auto &stmt : stmts) {
      switch (stmt.kind) {
      case Kind::Simulate:
        checkExpr(*stmt.duration, scope);
        if (!failed(*stmt.duration))
          requirePositiveTime(*stmt.duration, "the simulated duration");
        if (stmt.until)
          condition(*stmt.until, "'until'");
        break;
      case Kind::Assign: {
        ast::Population *pop = resolvePop({stmt.population, stmt.loc});
        checkExpr(*stmt.value, scope);
        if (pop)
          rejectSpikeSource(*pop, stmt.loc, "assigned to");
        if (!pop || !pop->neuron)
          break;
        const ast::VarDecl *var =
            findVariable(*pop->neuron, stmt.variable, stmt.variableLoc,
                         "a program assignment");
        if (var && !failed(*stmt.value))
          checkAssignedValue(*stmt.value, stmt.variable, var->dim);
        break;
      }
      case Kind::If:
        condition(*stmt.cond, "'if'");
        checkProgram(stmt.body, scope, resolvePop, projections, inputs);
        checkProgram(stmt.elseBody, scope, resolvePop, projections, inputs);
        break;
      case Kind::While:
        condition(*stmt.cond, "'while'");
        checkProgram(stmt.body, scope, resolvePop, projections, inputs);
        break;
      case Kind::Phase:
        checkProgram(stmt.body, scope, resolvePop, projections, inputs);
        break;
      case Kind::For: {
        Expr &range = *stmt.range;
        if (range.kind != Expr::Kind::Call || range.name != "range" ||
            range.operands.empty() || range.operands.size() > 2) {
          error(range.loc) << "expected 'range(first, last)' or "
                              "'range(count)' after 'in'";
        } else {
          for (auto &bound : range.operands) {
            checkExpr(*bound, scope);
            if (!failed(*bound) && !bound->dim.isDimensionless())
              error(bound->loc) << "the bounds of 'range' must be "
                                   "dimensionless, not "
                                << bound->dim.str();
          }
        }
        Scope loopScope;
        loopScope.parent = &scope;
        loopScope.names[stmt.loopVar] =
            Symbol{NameKind::LoopVar, Dim::dimensionless(), std::nullopt,
                   stmt.loopVarLoc};
        checkProgram(stmt.body, loopScope, resolvePop, projections, inputs);
        break;
      }
      case Kind::Gate: {
        bool plasticity = stmt.gate == "freeze" || stmt.gate == "thaw";
        for (auto &[name, loc] : stmt.targets) {
          auto proj = projections.find(name);
          if (plasticity) {
            if (proj == projections.end()) {
              error(loc) << "'" << stmt.gate << "' needs a named projection "
                         << "('connect " << name << " = a -> b ...'), not '"
                         << name << "'";
            } else {
              bool hasState = proj->second->perSynapseDelay ||
                              !proj->second->body.states.empty() ||
                              (proj->second->resolvedModel &&
                               !proj->second->resolvedModel->states.empty());
              if (!hasState)
                error(loc) << "projection '" << name
                           << "' has no synapse state to freeze";
            }
            continue;
          }
          if (proj != projections.end() || inputs.count(name))
            continue;
          resolvePop({name, loc});
        }
        break;
      }
      }
    }
  }

  /// `count(p)` and `rate(p)` in the run block: the spikes of population
  /// `p` during the latest (or, in `until`, the current) `simulate`.
  void checkObservable(Expr &e, const Scope &scope) {
    if (!observablePops) {
      error(e.loc) << "'" << e.name
                   << "' is an observable of the run block; it is not "
                      "available here";
      return poison(e);
    }
    if (e.name == "mean")
      return checkStateMean(e);
    if (e.operands.size() != 1 || e.operands[0]->kind != Expr::Kind::Name ||
        llvm::StringRef(e.operands[0]->name).contains('.')) {
      error(e.loc) << "'" << e.name << "' takes a population, e.g. '" << e.name
                   << "(exc)'";
      return poison(e);
    }
    Expr &arg = *e.operands[0];
    if (!observablePops->count(arg.name)) {
      auto diag = error(arg.loc);
      diag << "unknown population '" << arg.name << "'";
      std::vector<std::string> names;
      for (auto &p : *observablePops)
        names.push_back(p.getKey().str());
      if (auto hint = suggest(arg.name, names))
        diag << "; did you mean '" << *hint << "'?";
      return poison(e);
    }
    e.dim = e.name == "rate" ? Dim::dimensionless() / dims::time()
                             : Dim::dimensionless();
  }

  /// `mean(p.x)`: the mean of state x over population p (a modulator's
  /// state too), now.
  void checkStateMean(Expr &e) {
    auto [pop, var] =
        e.operands.size() == 1 && e.operands[0]->kind == Expr::Kind::Name
            ? llvm::StringRef(e.operands[0]->name).split('.')
            : std::pair<llvm::StringRef, llvm::StringRef>();
    if (var.empty() || var.contains('.')) {
      error(e.loc) << "'mean' takes a population's state, e.g. 'mean(exc.v)'";
      return poison(e);
    }
    Expr &arg = *e.operands[0];
    auto it = observablePops->find(pop);
    if (it == observablePops->end()) {
      auto diag = error(arg.loc);
      diag << "unknown population '" << pop << "'";
      std::vector<std::string> names;
      for (auto &p : *observablePops)
        names.push_back(p.getKey().str());
      if (auto hint = suggest(pop, names))
        diag << "; did you mean '" << *hint << "'?";
      return poison(e);
    }
    const ast::Neuron *model = it->second->neuron;
    if (!model) {
      error(arg.loc) << "population '" << pop
                     << "' has no state variables to average";
      return poison(e);
    }
    for (auto &s : model->states)
      if (s.name == var) {
        e.dim = s.dim;
        return;
      }
    for (auto &p : model->params)
      if (p.name == var && p.perNeuron) {
        e.dim = p.dim;
        return;
      }
    auto diag = error(arg.loc);
    diag << "model '" << model->name << "' has no state '" << var << "'";
    std::vector<std::string> names;
    for (auto &s : model->states)
      names.push_back(s.name);
    if (auto hint = suggest(var, names))
      diag << "; did you mean '" << *hint << "'?";
    poison(e);
  }

  /// The parameter or state `name` of `model`, or null after reporting it.
  const ast::VarDecl *findVariable(const ast::Neuron &model,
                                   const std::string &name, ast::Loc loc,
                                   llvm::StringRef where) {
    for (auto &p : model.params)
      if (p.name == name)
        return &p;
    for (auto &st : model.states)
      if (st.name == name)
        return &st;
    auto diag = error(loc);
    diag << "model '" << model.name << "' has no parameter or state '" << name
         << "' (in " << where << ")";
    std::vector<std::string> names;
    for (auto &p : model.params)
      names.push_back(p.name);
    for (auto &st : model.states)
      names.push_back(st.name);
    if (auto hint = suggest(name, names))
      diag << "; did you mean '" << *hint << "'?";
    return nullptr;
  }

  /// `population p = M[n] { name = value; ... }`: per-neuron parameter and
  /// initial values. They see the model's parameters, the neuron index `i`
  /// and random distributions.
  void checkPopulationValues(ast::Population &pop) {
    Scope scope;
    scope.parent = modulators ? modulators : &globals;
    scope.allowRandom = true;
    scope.allowIndex = true;
    for (auto &p : pop.neuron->params)
      scope.names.try_emplace(p.name, parameterSymbol(p));
    llvm::StringMap<ast::Loc> seen;
    for (auto &a : pop.overrides) {
      checkExpr(*a.value, scope);
      if (a.op != ast::Assign::Op::Set) {
        error(a.loc) << "a population sets values with '=', not a compound "
                        "assignment";
        continue;
      }
      if (auto [it, inserted] = seen.try_emplace(a.target, a.loc); !inserted) {
        auto diag = error(a.loc);
        diag << "'" << a.target << "' is set twice for population '" << pop.name
             << "'";
        diag.attachNote(makeLoc(context, file, it->second)) << "first set here";
        continue;
      }
      const ast::VarDecl *var = findVariable(*pop.neuron, a.target, a.loc,
                                             "population '" + pop.name + "'");
      if (!var || failed(*a.value))
        continue;
      if (!checkAssignedValue(*a.value, a.target, var->dim) ||
          !readsModulator(*a.value))
        continue;
      // A parameter may follow a modulator (`I_mod = 2 nA * dopamine;`):
      // the model reads the modulator wherever it reads the parameter.
      bool isParam = false;
      for (auto &p : pop.neuron->params)
        isParam |= &p == var;
      if (!isParam)
        error(a.value->loc) << "the initial value of a state cannot read a "
                               "modulator; bind a parameter to it instead";
      else if (usesRandom(*a.value))
        error(a.value->loc) << "a parameter that follows a modulator or a "
                               "table is computed in every step: it cannot "
                               "draw random numbers";
      else if (var->perNeuron)
        error(a.value->loc)
            << "'" << a.target
            << "' is set per neuron (by a population value or the program), "
               "so it cannot follow a modulator";
    }
  }

  static bool usesIndex(const Expr &e) {
    if (e.kind == Expr::Kind::Name && e.nameKind == NameKind::NeuronIndex)
      return true;
    for (auto &operand : e.operands)
      if (usesIndex(*operand))
        return true;
    return false;
  }

  /// Reports a value that cannot be assigned to `target` (of dimension
  /// `dim`); true if it can.
  bool checkAssignedValue(const Expr &value, const std::string &target,
                          const Dim &dim) {
    if (failed(dim)) // the target's declaration was reported
      return false;
    if (value.isBool) {
      error(value.loc) << "cannot assign a condition to '" << target << "'";
      return false;
    }
    if (value.dim != dim && !isZeroLiteral(value)) {
      error(value.loc) << "cannot assign a value of dimension "
                       << value.dim.str() << " to '" << target
                       << "' of dimension " << dim.str();
      return false;
    }
    return true;
  }

  template <typename ResolvePop>
  void checkStateRecord(ast::StateRecord &rec, const Scope &scope, double dt,
                        ResolvePop &resolvePop,
                        const llvm::StringMap<ast::Projection *> &projections) {
    if (rec.atEnd)
      rec.everySteps = 0;
    if (rec.every) {
      checkExpr(*rec.every, scope);
      if (!failed(*rec.every)) {
        requirePositiveTime(*rec.every, "the recording period");
        if (rec.every->constValue && dt > 0 && rec.every->dim == dims::time() &&
            *rec.every->constValue > 0) {
          double steps = *rec.every->constValue / dt;
          if (std::fabs(steps - std::round(steps)) > 1e-6 * steps ||
              std::round(steps) < 1)
            error(rec.every->loc)
                << "the recording period " << fmt(*rec.every->constValue * 1e3)
                << " ms is not a whole multiple of the time step dt = "
                << fmt(dt * 1e3) << " ms";
          else if (steps > 0x1.0p62)
            error(rec.every->loc)
                << "the recording period " << fmt(*rec.every->constValue * 1e3)
                << " ms is too long for the time step dt = " << fmt(dt * 1e3)
                << " ms";
          else
            rec.everySteps = static_cast<long long>(std::round(steps));
        }
      }
    }
    for (auto &sel : rec.selections) {
      if (auto it = projections.find(sel.population); it != projections.end()) {
        checkSynapseRecord(rec, sel, *it->second, scope);
        continue;
      }
      ast::Population *pop = resolvePop({sel.population, sel.loc});
      if (pop)
        rejectSpikeSource(*pop, sel.loc, "recorded with state monitors");
      auto bound = [&](ast::ExprPtr &e, long long &out) {
        if (!e)
          return;
        std::optional<long long> v = checkIndex(*e, scope, "neuron");
        if (!v)
          return;
        if (pop && pop->resolvedSize && *v > pop->resolvedSize)
          error(e->loc) << "neuron index " << *v
                        << " is out of range: population '" << pop->name
                        << "' has " << pop->resolvedSize << " neurons";
        else
          out = *v;
      };
      bound(sel.first, sel.resolvedFirst);
      if (sel.single) {
        sel.resolvedLast = sel.resolvedFirst + 1;
        if (pop && pop->resolvedSize && sel.resolvedFirst >= pop->resolvedSize)
          error(sel.first->loc) << "neuron index " << sel.resolvedFirst
                                << " is out of range: population '" << pop->name
                                << "' has " << pop->resolvedSize << " neurons";
      } else {
        bound(sel.last, sel.resolvedLast);
        if (sel.last && sel.resolvedLast >= 0 &&
            sel.resolvedLast <= sel.resolvedFirst)
          error(sel.last->loc) << "empty neuron range [" << sel.resolvedFirst
                               << ":" << sel.resolvedLast << "]";
      }
      if (!pop || !pop->neuron)
        continue;
      for (auto &[name, loc] : rec.variables) {
        const ast::VarDecl *var =
            findVariable(*pop->neuron, name, loc, "'record'");
        if (var && !var->perNeuron &&
            std::any_of(pop->neuron->params.begin(), pop->neuron->params.end(),
                        [&](const ast::VarDecl &p) { return &p == var; }))
          error(loc) << "parameter '" << name << "' of model '"
                     << pop->neuron->name
                     << "' is the same constant for every neuron; only "
                        "state variables and per-neuron parameters can be "
                        "recorded";
      }
    }
  }

  /// A spike source has no state: it can only send spikes.
  void rejectSpikeSource(const ast::Population &pop, ast::Loc loc,
                         llvm::StringRef what) {
    if (!pop.isSpikeSource)
      return;
    auto diag = error(loc);
    diag << "spike source '" << pop.name << "' cannot be " << what
         << "; it only sends the spikes of its file";
    diag.attachNote(makeLoc(context, file, pop.loc))
        << "'" << pop.name << "' is declared here";
  }

  /// A data file (CSV) read at compile time: where it is, which fields a
  /// row has, and how errors point into it.
  struct CsvFile {
    unsigned fileIndex = 0;
    unsigned errors = 0;
  };

  /// Splits a CSV line into its fields and their 1-based start columns.
  static void splitCsvLine(llvm::StringRef line,
                           llvm::SmallVectorImpl<llvm::StringRef> &fields,
                           llvm::SmallVectorImpl<unsigned> &starts) {
    unsigned col = 1;
    for (llvm::StringRef rest = line;;) {
      auto [field, tail] = rest.split(',');
      fields.push_back(field);
      starts.push_back(col);
      col += static_cast<unsigned>(field.size()) + 1;
      if (field.size() == rest.size())
        break;
      rest = tail;
    }
  }

  /// Reads the CSV file `name` (relative to the file that declares it at
  /// `declLoc`): the first non-empty line must be `header`, and every other
  /// non-empty line must have as many comma-separated fields. Each data row
  /// goes to `row(line, fields, columns)`, which reports its own errors
  /// through `fail`. Errors point into the CSV file, with a note at
  /// `declLoc` saying `what` it is; reading stops after 10. Returns false
  /// if the file is missing or had an error.
  template <typename RowFn>
  bool readCsv(const std::string &name, ast::Loc declLoc,
               llvm::StringRef header, const std::string &what, RowFn row,
               CsvFile &csv) {
    auto exactHeader =
        [&](unsigned line, llvm::StringRef text,
            llvm::ArrayRef<llvm::StringRef>,
            llvm::ArrayRef<unsigned>) -> std::optional<std::string> {
      if (text.trim() == header)
        return header.str();
      fail(csv, declLoc, what, line, 1)
          << "expected the header '" << header << "' on the first line of '"
          << name << "'";
      return std::nullopt;
    };
    return readCsvWithHeader(name, declLoc, what, exactHeader, row, csv);
  }

  /// As `readCsv`, with the header checked by `header(line, text, fields,
  /// columns)`: it reports its own errors and returns the header the rows
  /// must follow (its fields give their number), or nothing to stop.
  template <typename HeaderFn, typename RowFn>
  bool readCsvWithHeader(const std::string &name, ast::Loc declLoc,
                         const std::string &what, HeaderFn header, RowFn row,
                         CsvFile &csv) {
    std::string path = dataFilePath(name, declLoc);
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
    if (!buffer) {
      error(declLoc) << "cannot read '" << path << "' (the " << what
                     << "): " << buffer.getError().message();
      return false;
    }
    csv.fileIndex = static_cast<unsigned>(file.sourcePaths.size());
    file.sourcePaths.push_back(std::string(path));
    std::string expected;
    unsigned columns = 0;
    llvm::StringRef text = (*buffer)->getBuffer();
    unsigned lineNo = 0;
    while (!text.empty() && csv.errors < 10) {
      auto [line, rest] = text.split('\n');
      text = rest;
      ++lineNo;
      line = line.rtrim("\r");
      if (line.trim().empty())
        continue;
      llvm::SmallVector<llvm::StringRef, 4> fields;
      llvm::SmallVector<unsigned, 4> starts;
      splitCsvLine(line, fields, starts);
      if (!columns) {
        std::optional<std::string> accepted =
            header(lineNo, line, fields, starts);
        if (!accepted)
          return false;
        expected = *accepted;
        columns = static_cast<unsigned>(llvm::count(expected, ',')) + 1;
        continue;
      }
      if (fields.size() != columns) {
        unsigned col =
            starts.back() + static_cast<unsigned>(fields.back().size()) + 1;
        auto diag = fail(csv, declLoc, what, lineNo,
                         fields.size() > columns ? starts[columns] - 1 : col);
        diag << "expected " << columns << " fields '" << expected << "', found "
             << fields.size();
        continue;
      }
      row(lineNo, fields, starts);
    }
    if (csv.errors >= 10 && !text.empty())
      error(declLoc) << "too many errors in " << what << " '" << name
                     << "'; stopped reading it";
    return csv.errors == 0;
  }

  /// An error at `line`:`col` of a CSV file, with a note at its declaration.
  mlir::InFlightDiagnostic fail(CsvFile &csv, ast::Loc declLoc,
                                const std::string &what, unsigned line,
                                unsigned col) {
    ++csv.errors;
    auto diag = error(ast::Loc{line, col, csv.fileIndex});
    diag.attachNote(makeLoc(context, file, declLoc))
        << what << " declared here";
    return diag;
  }

  /// Reads the spikes of `pop = spike_times("FILE")[n]`: a CSV file with
  /// the header `index,time_ms` and one row per spike, found next to the
  /// file that declares the population. Times are rounded to the nearest
  /// step.
  void loadSpikeFile(ast::Population &pop, double dt) {
    struct Row {
      long long step;
      int index;
      unsigned line;
      double timeMs;
    };
    std::vector<Row> rows;
    std::string what = "spike file of population '" + pop.name + "'";
    CsvFile csv;
    auto row = [&](unsigned line, llvm::ArrayRef<llvm::StringRef> fields,
                   llvm::ArrayRef<unsigned> cols) {
      long long index;
      double timeMs;
      if (fields[0].trim().getAsInteger(10, index) || index < 0 ||
          index >= pop.resolvedSize) {
        fail(csv, pop.spikeFileLoc, what, line, cols[0])
            << "neuron index '" << fields[0].trim()
            << "' is not a whole number in [0, " << pop.resolvedSize
            << ") (population '" << pop.name << "' has " << pop.resolvedSize
            << " neurons)";
        return;
      }
      if (fields[1].trim().getAsDouble(timeMs) || !std::isfinite(timeMs) ||
          timeMs < 0) {
        fail(csv, pop.spikeFileLoc, what, line, cols[1])
            << "spike time '" << fields[1].trim()
            << "' is not a number of milliseconds >= 0";
        return;
      }
      rows.push_back({std::llround(timeMs * 1e-3 / dt), static_cast<int>(index),
                      line, timeMs});
    };
    if (!readCsv(pop.spikeFile, pop.spikeFileLoc, "index,time_ms", what, row,
                 csv))
      return;
    std::stable_sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) {
      return std::tie(a.step, a.index) < std::tie(b.step, b.index);
    });
    for (size_t k = 1; k < rows.size(); ++k)
      if (rows[k].step == rows[k - 1].step &&
          rows[k].index == rows[k - 1].index) {
        const Row &later =
            rows[k].line > rows[k - 1].line ? rows[k] : rows[k - 1];
        const Row &earlier =
            rows[k].line > rows[k - 1].line ? rows[k - 1] : rows[k];
        fail(csv, pop.spikeFileLoc, what, later.line, 1)
            << "neuron " << later.index << " spikes twice in step "
            << later.step << " (" << fmt(earlier.timeMs) << " ms on line "
            << earlier.line << " and " << fmt(later.timeMs)
            << " ms round to the same step of " << fmt(dt * 1e3) << " ms)";
        return;
      }
    for (const Row &r : rows)
      pop.spikeEvents.push_back({r.step, r.index});
  }

  /// The path of data file `name` named at `declLoc`: relative paths are
  /// next to the file that declares it.
  std::string dataFilePath(const std::string &name, ast::Loc declLoc) {
    llvm::SmallString<256> path(name);
    if (!llvm::sys::path::is_absolute(path) &&
        declLoc.file < file.sourcePaths.size()) {
      path = llvm::sys::path::parent_path(file.sourcePaths[declLoc.file]);
      llvm::sys::path::append(path, name);
    }
    return std::string(path);
  }

  /// Reads the NumPy array `name` named at `declLoc` (`what` says what it
  /// is, for messages). Errors are reported at `declLoc`.
  std::optional<NpyArray> readNpyFile(const std::string &name, ast::Loc declLoc,
                                      const std::string &what) {
    std::string path = dataFilePath(name, declLoc);
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
    if (!buffer) {
      error(declLoc) << "cannot read '" << path << "' (the " << what
                     << "): " << buffer.getError().message();
      return std::nullopt;
    }
    NpyArray array;
    std::string why;
    if (!parseNpy((*buffer)->getBuffer(), array, why)) {
      error(declLoc) << "'" << name << "' (the " << what << "): " << why;
      return std::nullopt;
    }
    return array;
  }

  /// `delay D up_to MAX`: handlers may change the synapses' delays, which
  /// are then per synapse; MAX (a time known at compile time, at least dt
  /// and D) bounds them and sizes the spike queue.
  void checkDelayBound(ast::Projection &proj, const Scope &scope, double dt) {
    ast::Expr &bound = *proj.delayMax;
    checkExpr(bound, scope);
    if (failed(bound))
      return;
    if (bound.dim != dims::time() || !bound.constValue) {
      error(bound.loc)
          << "the bound of the delays must be a time known at compile time";
      return;
    }
    double max = *bound.constValue;
    if (dt > 0 && max < dt * (1 - 1e-9)) {
      error(bound.loc) << "the bound of the delays, " << fmt(max * 1e3)
                       << " ms, is shorter than the time step dt = "
                       << fmt(dt * 1e3) << " ms";
      return;
    }
    // The queue holds one slot per step up to the bound.
    if (dt > 0 && max / dt > 1e6) {
      error(bound.loc) << "the bound of the delays, " << fmt(max * 1e3)
                       << " ms, is " << fmt(std::round(max / dt))
                       << " steps; at most 1000000 steps are supported";
      return;
    }
    if (proj.delay && !failed(*proj.delay) && proj.delay->constValue) {
      double d = *proj.delay->constValue;
      if (d > max * (1 + 1e-9))
        error(proj.delay->loc)
            << "delay " << fmt(d * 1e3) << " ms exceeds its bound (up_to "
            << fmt(max * 1e3) << " ms)";
      else if (d == 0)
        error(proj.delay->loc)
            << "a delay that changes must start at dt or more, not 0 ms";
    }
    proj.perSynapseDelay = true;
  }

  /// `probability P`: a number in [0, 1], or an expression evaluated for
  /// every (source, target) pair when the network is built (Brian2's
  /// `connect(p=...)`): it may read `i` and `j`, the source's and target's
  /// indices, and `NAME_pre` / `NAME_post`, a parameter or (initial) state
  /// of the source's or target's neurons, e.g. a position.
  void
  checkConnectionProbability(ast::Projection &proj, const Scope &scope,
                             const llvm::StringMap<ast::Population *> &pops) {
    auto modelOf = [&](const std::string &name) -> const ast::Neuron * {
      auto it = pops.find(name);
      return it != pops.end() ? it->second->neuron : nullptr;
    };
    // The variables of the first source and target; the others must have
    // them too (checked below).
    Scope pairScope;
    pairScope.parent = &scope;
    pairScope.names["i"] =
        Symbol{NameKind::SourceIndex, Dim::dimensionless(), std::nullopt, {}};
    pairScope.names["j"] =
        Symbol{NameKind::TargetIndex, Dim::dimensionless(), std::nullopt, {}};
    auto addVariables = [&](const ast::Neuron *model, NameKind kind,
                            const char *suffix) {
      if (!model)
        return;
      for (auto *vars : {&model->params, &model->states})
        for (const ast::VarDecl &v : *vars)
          pairScope.names[v.name + suffix] =
              Symbol{kind, v.dim, std::nullopt, v.loc, v.name};
    };
    addVariables(modelOf(proj.pre[0].first), NameKind::PreValue, "_pre");
    addVariables(modelOf(proj.post[0].first), NameKind::PostValue, "_post");
    ast::Expr &p = *proj.ruleParam;
    checkExpr(p, pairScope);
    if (failed(p))
      return;
    if (!p.dim.isDimensionless() || p.isBool) {
      error(p.loc) << "connection probability must be a dimensionless number"
                   << (p.isBool ? "" : ", not " + p.dim.str());
      return;
    }
    if (p.constValue) {
      if (*p.constValue < 0 || *p.constValue > 1)
        error(p.loc) << "connection probability must be in [0, 1], not "
                     << fmt(*p.constValue);
      return;
    }
    // Every source and target population has the variables read.
    std::function<void(const ast::Expr &)> checkOthers =
        [&](const ast::Expr &e) {
          for (auto &operand : e.operands)
            checkOthers(*operand);
          bool pre = e.nameKind == NameKind::PreValue;
          if (e.kind != ast::Expr::Kind::Name ||
              (!pre && e.nameKind != NameKind::PostValue))
            return;
          for (auto &[pop, popLoc] : pre ? proj.pre : proj.post) {
            const ast::Neuron *model = modelOf(pop);
            bool found = false;
            if (model)
              for (auto *vars : {&model->params, &model->states})
                for (const ast::VarDecl &v : *vars)
                  found |= v.name == e.name && v.dim == e.dim;
            auto it = pops.find(pop);
            if (!found && it != pops.end() && it->second->neuron != nullptr &&
                model != modelOf((pre ? proj.pre : proj.post)[0].first))
              error(e.loc) << "'" << e.name << (pre ? "_pre" : "_post")
                           << "' is not a variable of '" << pop << "' (model '"
                           << model->name << "') with the same dimension";
            if (!model && it != pops.end() && it->second->isSpikeSource)
              error(e.loc) << "'" << e.name << "_pre' reads the neurons of '"
                           << pop
                           << "', which are a spike source without variables";
          }
        };
    checkOthers(p);
  }

  /// Splits a value column's name `NAME` or `NAME:UNIT` (a unit's name)
  /// into `column`; returns why it cannot, or nothing.
  std::optional<std::string> parseColumnSpec(llvm::StringRef specRef,
                                             ast::Projection::Column &column) {
    std::string spec = specRef.str(); // may be `column.name` itself
    auto [name, unit] = llvm::StringRef(spec).trim().split(':');
    name = name.trim();
    unit = unit.trim();
    bool identifier =
        !name.empty() && !llvm::isDigit(name.front()) &&
        llvm::all_of(name, [](char c) { return llvm::isAlnum(c) || c == '_'; });
    if (!identifier)
      return "value column '" + spec +
             "' does not start with a name (expected 'NAME' or 'NAME:UNIT', "
             "e.g. 'w:nS')";
    column.name = name.str();
    column.unit = unit.str();
    if (unit.empty() && llvm::StringRef(spec).contains(':'))
      return "value column '" + spec + "' has no unit after ':'";
    if (!unit.empty()) {
      std::optional<Unit> u = lookupUnit(unit.str());
      if (!u) {
        std::string message =
            "unknown unit '" + unit.str() + "' in value column '" + spec + "'";
        if (auto hint = suggest(unit, allUnitNames()))
          message += "; did you mean '" + *hint + "'?";
        return message;
      }
      column.scale = u->scale;
      column.dim = u->dim;
    }
    return std::nullopt;
  }

  /// A NumPy shape as Python prints it: "(3, 4)", "(5,)".
  static std::string shapeText(const std::vector<int64_t> &shape) {
    std::string text;
    for (int64_t d : shape)
      text += (text.empty() ? "" : ", ") + std::to_string(d);
    return "(" + text + (shape.size() == 1 ? ",)" : ")");
  }

  /// Reads `connect a -> b from_csv("FILE")` (the header `pre,post`, maybe
  /// followed by value columns `w:nS,delay:ms`, and one row per synapse) or
  /// `from_npy("FILE", "w:nS", ...)` (an array of shape (N, 2 + columns),
  /// one row per synapse): indices within the two populations, no pair
  /// twice; values finite, delays at least `dt`. The columns' names are
  /// checked against the synapses' states later, in
  /// `checkConnectionColumns`.
  void loadConnectionFile(ast::Projection &proj, const ast::Population &pre,
                          const ast::Population &post, double dt) {
    struct Row {
      int pre, post;
      unsigned line; // the CSV line, or the array row
      size_t first;  // where its values start in `values`
    };
    std::vector<Row> rows;
    std::vector<double> values; // rows x columns, in file order
    std::vector<ast::Projection::Column> &columns = proj.connectionColumns;
    std::string what =
        "connection file of '" + pre.name + " -> " + post.name + "'";
    bool npy = proj.connectionFileIsNpy;
    CsvFile csv;
    auto outOfRange = [&](const ast::Population &pop) {
      return "is not a whole number in [0, " +
             std::to_string(pop.resolvedSize) + ") (population '" + pop.name +
             "' has " + std::to_string(pop.resolvedSize) + " neurons)";
    };
    // Why a value in column `c` cannot be used, if it cannot.
    auto badValue = [&](double v, size_t c) -> std::optional<std::string> {
      const ast::Projection::Column &column = columns[c];
      std::ostringstream message;
      if (!std::isfinite(v)) {
        message << "value " << fmt(v) << " in column '" << column.name
                << "' is not a finite number";
        return message.str();
      }
      if (column.name == "delay" && dt > 0 &&
          v * column.scale < dt * (1 - 1e-9)) {
        message << "delay " << fmt(v * column.scale * 1e3)
                << " ms is shorter than the time step dt = " << fmt(dt * 1e3)
                << " ms";
        return message.str();
      }
      return std::nullopt;
    };
    if (npy) {
      bool specsOk = true;
      for (auto &column : columns)
        if (auto why = parseColumnSpec(column.name, column)) {
          error(column.loc) << *why;
          specsOk = false;
        }
      if (!specsOk) {
        columns.clear(); // checked no further
        return;
      }
      std::optional<NpyArray> array =
          readNpyFile(proj.connectionFile, proj.connectionFileLoc, what);
      if (!array)
        return;
      if (proj.convHeight) {
        // A convolution (torch.nn.Conv2d): output (k, y, x) sums input
        // (c, s y + dy - p, s x + dx - p) weighted by K[k, c, dy, dx], zero
        // outside the input (padding p, stride s); neurons are numbered
        // channel by channel, row by row.
        const std::vector<int64_t> &shape = array->shape;
        long long h = proj.convH, w = proj.convW;
        long long s = proj.layerStride, p = proj.layerPadding;
        if (shape.size() != 4 || shape[2] > h + 2 * p || shape[3] > w + 2 * p) {
          error(proj.connectionFileLoc)
              << "'" << proj.connectionFile << "' (the " << what
              << ") has shape " << shapeText(shape)
              << "; a conv2d kernel needs (out channels, in channels, "
                 "height <= "
              << h + 2 * p << ", width <= " << w + 2 * p << ")";
          return;
        }
        long long outH = (h + 2 * p - shape[2]) / s + 1;
        long long outW = (w + 2 * p - shape[3]) / s + 1;
        long long inSize = shape[1] * h * w, outSize = shape[0] * outH * outW;
        if (pre.resolvedSize != inSize || post.resolvedSize != outSize) {
          error(proj.connectionFileLoc)
              << "conv2d of a " << shape[1] << " x " << h << " x " << w
              << " input with " << shape[0] << " kernels of " << shape[2]
              << " x " << shape[3] << layerText(proj) << " needs " << inSize
              << " source and " << outSize << " target neurons (" << shape[0]
              << " x " << outH << " x " << outW << "), but '" << pre.name
              << "' has " << pre.resolvedSize << " and '" << post.name
              << "' has " << post.resolvedSize;
          return;
        }
        for (int64_t k = 0; k < shape[0]; ++k)
          for (long long y = 0; y < outH; ++y)
            for (long long x = 0; x < outW; ++x)
              for (int64_t c = 0; c < shape[1]; ++c)
                for (int64_t dy = 0; dy < shape[2]; ++dy)
                  for (int64_t dx = 0; dx < shape[3]; ++dx) {
                    int64_t at =
                        ((k * shape[1] + c) * shape[2] + dy) * shape[3] + dx;
                    double v = array->values[at];
                    if (auto why = badValue(v, 0)) {
                      error(proj.connectionFileLoc)
                          << "'" << proj.connectionFile << "' (the " << what
                          << "): entry [" << k << ", " << c << ", " << dy
                          << ", " << dx << "]: " << *why;
                      return;
                    }
                    long long iy = s * y + dy - p, ix = s * x + dx - p;
                    if (v == 0 || iy < 0 || iy >= h || ix < 0 || ix >= w)
                      continue;
                    long long i = (c * h + iy) * w + ix;
                    long long j = (k * outH + y) * outW + x;
                    rows.push_back({static_cast<int>(i), static_cast<int>(j),
                                    static_cast<unsigned>(at), values.size()});
                    values.push_back(v);
                  }
      } else if (proj.connectionFileIsDense) {
        // A dense layer: W[i, j] is the value of synapse i -> j; zeros are
        // absent synapses.
        if (array->shape.size() != 2 || array->shape[0] != pre.resolvedSize ||
            array->shape[1] != post.resolvedSize) {
          error(proj.connectionFileLoc)
              << "'" << proj.connectionFile << "' (the " << what
              << ") has shape " << shapeText(array->shape)
              << "; a dense layer needs (" << pre.resolvedSize << ", "
              << post.resolvedSize << "): one row per neuron of '" << pre.name
              << "', one column per neuron of '" << post.name << "'";
          return;
        }
        for (int64_t i = 0; i < array->shape[0]; ++i)
          for (int64_t j = 0; j < array->shape[1]; ++j) {
            double v = array->values[i * array->shape[1] + j];
            if (auto why = badValue(v, 0)) {
              error(proj.connectionFileLoc)
                  << "'" << proj.connectionFile << "' (the " << what
                  << "): entry [" << i << ", " << j << "]: " << *why;
              return;
            }
            if (v == 0)
              continue;
            rows.push_back({static_cast<int>(i), static_cast<int>(j),
                            static_cast<unsigned>(i * array->shape[1] + j),
                            values.size()});
            values.push_back(v);
          }
      }
      // Otherwise a list of (pre, post, values...) rows.
      bool pairs = !proj.connectionFileIsDense && !proj.convHeight;
      size_t width = 2 + columns.size();
      if (pairs && (array->shape.size() != 2 ||
                    array->shape[1] != static_cast<int64_t>(width))) {
        auto diag = error(proj.connectionFileLoc);
        diag << "'" << proj.connectionFile << "' (the " << what
             << ") has shape " << shapeText(array->shape) << "; expected (N, "
             << width << "): one (pre, post";
        for (auto &column : columns)
          diag << ", " << column.name;
        diag << ") row per synapse";
        if (array->shape.size() == 2 &&
            array->shape[1] > static_cast<int64_t>(width))
          diag << "; name the value columns after the file, e.g. "
                  "from_npy(\""
               << proj.connectionFile << "\", \"w:nS\")";
        return;
      }
      if (pairs && !array->isInteger && columns.empty()) {
        error(proj.connectionFileLoc)
            << "'" << proj.connectionFile << "' (the " << what << ") holds "
            << array->dtype
            << " numbers; neuron indices must have an integer dtype";
        return;
      }
      for (int64_t k = 0; pairs && k < array->shape[0]; ++k) {
        const double *row = array->values.data() + width * k;
        for (int side = 0; side < 2; ++side) {
          double v = row[side];
          const ast::Population &pop = side == 0 ? pre : post;
          if (!(v >= 0 && v < static_cast<double>(pop.resolvedSize) &&
                v == std::floor(v))) {
            error(proj.connectionFileLoc)
                << "'" << proj.connectionFile << "' (the " << what << "): row "
                << k << ", column " << side << " ("
                << (side == 0 ? "pre" : "post") << "): neuron index " << fmt(v)
                << " " << outOfRange(pop);
            return;
          }
        }
        for (size_t c = 0; c < columns.size(); ++c)
          if (auto why = badValue(row[2 + c], c)) {
            error(proj.connectionFileLoc)
                << "'" << proj.connectionFile << "' (the " << what << "): row "
                << k << ", column " << 2 + c << ": " << *why;
            return;
          }
        rows.push_back({static_cast<int>(row[0]), static_cast<int>(row[1]),
                        static_cast<unsigned>(k), values.size()});
        values.insert(values.end(), row + 2, row + width);
      }
    } else {
      auto header =
          [&](unsigned line, llvm::StringRef text,
              llvm::ArrayRef<llvm::StringRef> fields,
              llvm::ArrayRef<unsigned> starts) -> std::optional<std::string> {
        if (fields.size() < 2 || fields[0].trim() != "pre" ||
            fields[1].trim() != "post") {
          fail(csv, proj.connectionFileLoc, what, line, 1)
              << "expected the header 'pre,post' (then any value columns, "
                 "e.g. 'pre,post,w:nS,delay:ms') on the first line of '"
              << proj.connectionFile << "'";
          return std::nullopt;
        }
        bool ok = true;
        for (size_t f = 2; f < fields.size(); ++f) {
          ast::Projection::Column column;
          column.loc = ast::Loc{line, starts[f], csv.fileIndex};
          if (auto why = parseColumnSpec(fields[f], column)) {
            fail(csv, proj.connectionFileLoc, what, line, starts[f]) << *why;
            ok = false;
          }
          columns.push_back(std::move(column));
        }
        if (!ok) {
          columns.clear(); // checked no further
          return std::nullopt;
        }
        return text.trim().str();
      };
      auto index = [&](llvm::StringRef field, const ast::Population &pop,
                       unsigned line, unsigned col) -> std::optional<int> {
        long long v;
        if (field.trim().getAsInteger(10, v) || v < 0 ||
            v >= pop.resolvedSize) {
          fail(csv, proj.connectionFileLoc, what, line, col)
              << "neuron index '" << field.trim() << "' " << outOfRange(pop);
          return std::nullopt;
        }
        return static_cast<int>(v);
      };
      auto row = [&](unsigned line, llvm::ArrayRef<llvm::StringRef> fields,
                     llvm::ArrayRef<unsigned> cols) {
        std::optional<int> i = index(fields[0], pre, line, cols[0]);
        std::optional<int> j = index(fields[1], post, line, cols[1]);
        bool ok = i && j;
        size_t first = values.size();
        for (size_t c = 0; c < columns.size(); ++c) {
          double v;
          llvm::StringRef field = fields[2 + c].trim();
          std::optional<std::string> why;
          if (field.getAsDouble(v))
            why = "'" + field.str() + "' in column '" + columns[c].name +
                  "' is not a number";
          else
            why = badValue(v, c);
          if (why) {
            fail(csv, proj.connectionFileLoc, what, line, cols[2 + c]) << *why;
            ok = false;
          }
          values.push_back(v);
        }
        if (ok)
          rows.push_back({*i, *j, line, first});
      };
      if (!readCsvWithHeader(proj.connectionFile, proj.connectionFileLoc, what,
                             header, row, csv))
        return;
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) {
      return std::tie(a.pre, a.post) < std::tie(b.pre, b.post);
    });
    for (size_t k = 1; k < rows.size(); ++k)
      if (rows[k].pre == rows[k - 1].pre && rows[k].post == rows[k - 1].post) {
        unsigned first = std::min(rows[k].line, rows[k - 1].line);
        unsigned second = std::max(rows[k].line, rows[k - 1].line);
        std::ostringstream message;
        message << "the pair " << rows[k].pre << " -> " << rows[k].post
                << " appears twice (" << (npy ? "rows " : "lines ") << first
                << " and " << second << "); nnc has one synapse per pair";
        if (npy)
          error(proj.connectionFileLoc)
              << "'" << proj.connectionFile << "' (the " << what
              << "): " << message.str();
        else
          fail(csv, proj.connectionFileLoc, what, second, 1) << message.str();
        return;
      }
    // A `delay` column makes the delays per synapse (checked further in
    // checkConnectionColumns, with the synapse states).
    for (auto &column : columns)
      if (column.name == "delay" && !proj.delay && column.dim == dims::time())
        proj.perSynapseDelay = true;
    for (const Row &r : rows) {
      proj.connectionPairs.push_back({r.pre, r.post});
      for (size_t c = 0; c < columns.size(); ++c)
        columns[c].values.push_back(values[r.first + c] * columns[c].scale);
    }
  }

  /// `stride = S` / `padding = P` of conv2d and pool2d: whole numbers
  /// known at compile time, each given once. False after an error.
  bool checkLayerOptions(ast::Projection &proj, const Scope &scope) {
    proj.layerStride = proj.poolSize ? 0 : 1; // pool2d: its window, later
    proj.layerPadding = 0;
    bool ok = true;
    llvm::StringMap<ast::Loc> seen;
    for (auto &option : proj.layerOptions) {
      bool stride = option.name == "stride";
      if (!stride && option.name != "padding") {
        auto diag = error(option.loc);
        diag << "unknown option '" << option.name << "' of "
             << (proj.poolSize ? "pool2d" : "conv2d")
             << "; expected 'stride' or 'padding'";
        if (auto hint = suggest(option.name, {"stride", "padding"}))
          diag << " (did you mean '" << *hint << "'?)";
        ok = false;
        continue;
      }
      if (auto [it, fresh] = seen.try_emplace(option.name, option.loc);
          !fresh) {
        auto diag = error(option.loc);
        diag << "'" << option.name << "' is given twice";
        diag.attachNote(makeLoc(context, file, it->second))
            << "first given here";
        ok = false;
        continue;
      }
      std::optional<long long> v = checkLayerNumber(
          *option.value, scope, stride ? 1 : 0,
          stride ? "the stride" : "the padding", stride ? "1" : "0");
      if (!v)
        ok = false;
      else
        (stride ? proj.layerStride : proj.layerPadding) = *v;
    }
    return ok;
  }

  /// A layer's size, stride or padding: a whole number from `min` to 10^6
  /// known at compile time.
  std::optional<long long> checkLayerNumber(Expr &e, const Scope &scope,
                                            long long min, llvm::StringRef what,
                                            llvm::StringRef minText) {
    checkExpr(e, scope);
    if (failed(e))
      return std::nullopt;
    double v = e.constValue.value_or(-1);
    if (!e.dim.isDimensionless() || !e.constValue || v != std::floor(v) ||
        v < double(min) || v > 1e6) {
      error(e.loc) << what << " must be a whole number from " << minText
                   << " to 10^6 known at compile time";
      return std::nullopt;
    }
    return static_cast<long long>(v);
  }

  /// ", stride 2, padding 1" (what differs from the defaults), for errors.
  static std::string layerText(const ast::Projection &proj) {
    std::string text;
    long long defaultStride = proj.poolSize ? proj.poolK : 1;
    if (proj.layerStride != defaultStride)
      text += ", stride " + std::to_string(proj.layerStride);
    if (proj.layerPadding)
      text += ", padding " + std::to_string(proj.layerPadding);
    return text;
  }

  /// `pool2d(K, H, W)`: output (c, y, x) receives from the inputs (c, s y +
  /// dy - p, s x + dx - p), 0 <= dy, dx < K, that exist (torch.nn's
  /// AvgPool2d windows; the body's values weigh them, e.g. w = 1/K^2).
  void makePoolPairs(ast::Projection &proj, const ast::Population &pre,
                     const ast::Population &post) {
    long long k = proj.poolK, h = proj.convH, w = proj.convW;
    if (!proj.layerStride)
      proj.layerStride = k;
    long long s = proj.layerStride, p = proj.layerPadding;
    if (p > k / 2) {
      error(proj.ruleLoc) << "the padding of a " << k << " x " << k
                          << " pooling window must be at most " << k / 2
                          << " (half the window), as in torch.nn.AvgPool2d";
      return;
    }
    if (k > h + 2 * p || k > w + 2 * p) {
      error(proj.ruleLoc) << "a " << k << " x " << k
                          << " pooling window does not fit a " << h << " x "
                          << w << " input" << layerText(proj);
      return;
    }
    long long outH = (h + 2 * p - k) / s + 1, outW = (w + 2 * p - k) / s + 1;
    long long channels = pre.resolvedSize / (h * w);
    if (channels * h * w != pre.resolvedSize ||
        post.resolvedSize != channels * outH * outW) {
      auto diag = error(proj.ruleLoc);
      diag << "pool2d of " << k << " x " << k << layerText(proj) << " over ";
      if (channels * h * w != pre.resolvedSize)
        diag << "a C x " << h << " x " << w << " input needs a multiple of "
             << h * w << " source neurons, but '" << pre.name << "' has "
             << pre.resolvedSize;
      else
        diag << "a " << channels << " x " << h << " x " << w << " input needs "
             << channels * outH * outW << " target neurons (" << channels
             << " x " << outH << " x " << outW << "), but '" << post.name
             << "' has " << post.resolvedSize;
      return;
    }
    for (long long c = 0; c < channels; ++c)
      for (long long y = 0; y < outH; ++y)
        for (long long x = 0; x < outW; ++x)
          for (long long dy = 0; dy < k; ++dy)
            for (long long dx = 0; dx < k; ++dx) {
              long long iy = s * y + dy - p, ix = s * x + dx - p;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                continue;
              proj.connectionPairs.push_back(
                  {static_cast<int>((c * h + iy) * w + ix),
                   static_cast<int>((c * outH + y) * outW + x)});
            }
    llvm::sort(proj.connectionPairs);
  }

  /// The value columns of a connection file set synapse states (or, named
  /// `delay`, give every synapse its own delay): each names a state of the
  /// projection's synapses in a unit of its dimension, once, and nothing
  /// else gives that state a value.
  void checkConnectionColumns(ast::Projection &proj) {
    if (proj.connectionColumns.empty())
      return;
    std::string fileNote = "connection file of '" + proj.pre[0].first + " -> " +
                           proj.post[0].first + "'";
    llvm::StringMap<ast::Loc> seen;
    for (auto &column : proj.connectionColumns) {
      if (column.name.empty())
        continue; // a malformed name, reported
      auto where = [&] {
        auto diag = error(column.loc);
        if (column.loc.file != proj.connectionFileLoc.file)
          diag.attachNote(makeLoc(context, file, proj.connectionFileLoc))
              << fileNote << " declared here";
        return diag;
      };
      if (!seen.try_emplace(column.name, column.loc).second) {
        where() << "value column '" << column.name << "' appears twice";
        continue;
      }
      if (column.name == "delay") {
        if (proj.delay) {
          where() << "the delays come from this column and from 'delay' at "
                  << proj.delay->loc.line << ":" << proj.delay->loc.col
                  << "; keep one";
          continue;
        }
        if (column.dim != dims::time()) {
          where() << "value column 'delay' must be in a unit of time (e.g. "
                     "'delay:ms'), not "
                  << (column.unit.empty() ? "a plain number"
                                          : "'" + column.unit + "'");
          continue;
        }
        continue;
      }
      const ast::VarDecl *state = nullptr;
      bool isParam = false;
      std::vector<std::string> names{"delay"};
      const ast::SynapseModel *body = &proj.body;
      for (const ast::SynapseModel *m : {proj.resolvedModel, body})
        if (m) {
          for (auto &s : m->states) {
            names.push_back(s.name);
            if (s.name == column.name)
              state = &s;
          }
          for (auto &p : m->params)
            isParam |= p.name == column.name;
        }
      if (!state) {
        auto diag = where();
        diag << "value column '" << column.name << "' names no state of the "
             << "synapses";
        if (isParam)
          diag << "; '" << column.name
               << "' is a parameter (one value for all synapses): declare it "
                  "as a state to give each synapse its own";
        else if (auto hint = suggest(column.name, names))
          diag << "; did you mean '" << *hint << "'?";
        else
          diag << "; declare it in the connect body, e.g. 'state "
               << column.name << " : nS = 0 nS;'";
        continue;
      }
      if (column.dim != state->dim) {
        auto diag = where();
        if (column.unit.empty())
          diag << "value column '" << column.name
               << "' has no unit, but state '" << column.name
               << "' has dimension " << state->dim.str()
               << "; name its unit, e.g. '" << column.name << ":"
               << state->dim.symbol() << "'";
        else
          diag << "value column '" << column.name << ":" << column.unit
               << "' has dimension " << column.dim.str() << ", but state '"
               << column.name << "' has dimension " << state->dim.str();
        continue;
      }
      for (auto &value : proj.body.values)
        if (value.target == column.name)
          where() << "state '" << column.name
                  << "' gets its values from this column and from the "
                     "assignment at "
                  << value.loc.line << ":" << value.loc.col << "; keep one";
    }
  }

  /// `input name = poisson(rate, count) -> target { x += w; }`.
  void checkInput(ast::Input &input, const Scope &scope,
                  ast::Population *target) {
    if (input.kind != "poisson") {
      error(input.kindLoc) << "unknown input '" << input.kind
                           << "'; expected 'poisson(rate, count)'";
      return;
    }
    if (input.args.size() != 2) {
      error(input.kindLoc) << "a Poisson input takes a rate and a number of "
                              "sources, e.g. 'poisson(8 Hz, 1600)'";
      return;
    }
    Expr &rate = *input.args[0], &count = *input.args[1];
    // The rate may follow the time, tables and modulators (evaluated once
    // per step); the number of sources is fixed.
    Scope rateScope;
    rateScope.parent = modulators ? modulators : &scope;
    rateScope.allowTime = true;
    checkExpr(rate, rateScope);
    checkExpr(count, scope);
    bool ok = true;
    if (!failed(rate)) {
      if (rate.dim != Dim::dimensionless() / dims::time() || rate.isBool) {
        error(rate.loc) << "the rate of a Poisson input must be a frequency, "
                           "not "
                        << (rate.isBool ? "a condition" : rate.dim.str());
        ok = false;
      } else if (rate.constValue && *rate.constValue < 0) {
        error(rate.loc) << "the rate of a Poisson input must not be "
                           "negative, not "
                        << fmt(*rate.constValue) << " Hz";
        ok = false;
      }
      input.rateVaries = ok && !rate.constValue;
    }
    if (!failed(count)) {
      double n = count.constValue.value_or(-1);
      if (!count.dim.isDimensionless() || n < 0 || n != std::floor(n)) {
        error(count.loc) << "the number of sources of a Poisson input must "
                            "be a whole number >= 0 known at compile time";
        ok = false;
      }
    }
    if (ok && !failed(rate) && !failed(count)) {
      input.rate = input.rateVaries ? 0.0 : *rate.constValue;
      input.count = *count.constValue;
    }
    if (target)
      rejectSpikeSource(*target, input.targetLoc, "the target of an input");
    if (!target || !target->neuron)
      return;
    Scope postScope;
    postScope.parent = &globals;
    declareTargetNames(*target->neuron, postScope);
    ast::SynapseModel &body = input.body;
    if (!body.params.empty() || !body.states.empty() || !body.odes.empty() ||
        !body.values.empty() || body.onPostLoc.line) {
      ast::Loc where = !body.params.empty()   ? body.params[0].loc
                       : !body.states.empty() ? body.states[0].loc
                       : !body.odes.empty()   ? body.odes[0].loc
                       : !body.values.empty() ? body.values[0].loc
                                              : body.onPostLoc;
      error(where) << "a Poisson input has no synapses of its own: only an "
                      "'on pre' handler is allowed here";
    }
    if (!body.onPreLoc.line)
      error(input.kindLoc) << "a Poisson input needs an 'on pre' handler "
                              "saying what each event adds";
    for (auto &stmt : body.onPre)
      if (stmt.cond)
        error(stmt.loc) << "each event of a Poisson input adds to its "
                           "target; 'if' is not supported here";
      else if (stmt.op != ast::Assign::Op::Add &&
               stmt.op != ast::Assign::Op::Sub)
        error(stmt.loc) << "each event of a Poisson input adds to its "
                           "target: use '+=' or '-='";
    checkBlock(body.onPre, postScope, postScope, nullptr);
    // k events delivered as one value k * x: exact for handlers that add
    // multiples of the port's value.
    std::vector<const ast::Assign *> deliveries;
    collectDeliveries(body.onPre, deliveries);
    for (const ast::Assign *delivery : deliveries) {
      const ast::Port *port = findPort(*target->neuron, delivery->target);
      if (!port || !port->handler)
        continue;
      for (auto &stmt : port->handler->body) {
        bool additive = !stmt.cond && (stmt.op == ast::Assign::Op::Add ||
                                       stmt.op == ast::Assign::Op::Sub);
        if (additive && isMultipleOf(*stmt.value, port->name))
          continue;
        auto diag = error(delivery->loc);
        diag << "a Poisson input delivers the k events of a step at once, as "
                "k times the value: the handler of port '"
             << port->name << "' must only add multiples of '" << port->name
             << "' to states";
        diag.attachNote(makeLoc(context, file, stmt.loc))
            << "this statement is not of the form 'x += c * " << port->name
            << "'";
        break;
      }
    }
  }

  /// The names a synapse or input handler sees on its target: parameters,
  /// states and input ports (which it may deliver to).
  void declareTargetNames(const ast::Neuron &target, Scope &scope) {
    for (auto &p : target.params)
      scope.names.try_emplace(p.name, parameterSymbol(p));
    for (auto &s : target.states)
      scope.names.try_emplace(
          s.name, Symbol{NameKind::State, s.dim, std::nullopt, s.loc});
    for (auto &port : target.ports)
      scope.names.try_emplace(
          port.name, Symbol{NameKind::Port, port.dim, std::nullopt, port.loc});
    scope.allowDeliver = true;
  }

  /// A projection without `on pre` onto a model with input ports delivers
  /// the synapse's `w`: by its sign to the excitatory and inhibitory ports
  /// (NEST's convention: the inhibitory port gets -w), or to the only port.
  void addDefaultDelivery(ast::Projection &proj, const ast::Neuron &target,
                          const Scope &synScope) {
    if (target.ports.empty())
      return;
    const ast::Port *excitatory = nullptr, *inhibitory = nullptr;
    for (auto &port : target.ports) {
      if (port.sign == ast::Port::Sign::Excitatory && !excitatory)
        excitatory = &port;
      if (port.sign == ast::Port::Sign::Inhibitory && !inhibitory)
        inhibitory = &port;
    }
    auto note = [&](const std::string &why) {
      auto diag = error(proj.loc);
      diag << "this projection has no 'on pre' handler: " << why;
      diag.attachNote(makeLoc(context, file, target.ports[0].loc))
          << "model '" << target.name << "' declares its ports here";
    };
    if ((excitatory != nullptr) != (inhibitory != nullptr))
      return note("routing a weight by its sign needs both an 'excitatory' "
                  "and an 'inhibitory' port; write 'on pre { PORT += w; }'");
    if (!excitatory && target.ports.size() > 1)
      return note("say which port each spike goes to, e.g. 'on pre { " +
                  target.ports[0].name + " += w; }'");
    const Symbol *w =
        synScope.names.count("w") ? &synScope.names.find("w")->second : nullptr;
    if (!w || (w->kind != NameKind::State && w->kind != NameKind::Parameter))
      return note("give the synapses a weight 'w' to deliver to the target's "
                  "ports, or write 'on pre { ... }'");
    ast::Loc loc = proj.loc;
    auto deliver = [&](const ast::Port &port, ast::Assign::Op op) {
      ast::Assign stmt;
      stmt.target = port.name;
      stmt.loc = loc;
      stmt.op = op;
      stmt.value = makeName("w", loc);
      return stmt;
    };
    std::vector<ast::Assign> &onPre = proj.body.onPre;
    if (!excitatory) {
      onPre.push_back(deliver(target.ports[0], ast::Assign::Op::Add));
    } else {
      // if w >= 0 { exc += w; } else { inh -= w; }
      ast::Assign route;
      route.loc = loc;
      route.cond = std::make_unique<Expr>(Expr::Kind::Binary, loc);
      route.cond->op = Expr::Op::Ge;
      route.cond->operands.push_back(makeName("w", loc));
      auto zero = std::make_unique<Expr>(Expr::Kind::Number, loc);
      route.cond->operands.push_back(std::move(zero));
      route.then.push_back(deliver(*excitatory, ast::Assign::Op::Add));
      route.otherwise.push_back(deliver(*inhibitory, ast::Assign::Op::Sub));
      onPre.push_back(std::move(route));
    }
    proj.body.onPreLoc = loc;
  }

  /// A neuron or synapse index in a monitor's range: a whole number >= 0
  /// known at compile time, or nothing after reporting it.
  std::optional<long long> checkIndex(Expr &e, const Scope &scope,
                                      llvm::StringRef kind) {
    checkExpr(e, scope);
    if (failed(e))
      return std::nullopt;
    double v = e.constValue.value_or(-1);
    if (!e.dim.isDimensionless() || !e.constValue || v != std::floor(v) ||
        v < 0) {
      error(e.loc) << "a " << kind
                   << " index must be a whole number >= 0 known at compile "
                      "time";
      return std::nullopt;
    }
    if (v > 0x1.0p62) {
      error(e.loc) << kind << " index " << fmt(v) << " is too large";
      return std::nullopt;
    }
    return static_cast<long long>(v);
  }

  /// `record w of S[0:10];` for a named projection S: synapse states of
  /// synapses [first, last) in storage order.
  void checkSynapseRecord(ast::StateRecord &rec,
                          ast::StateRecord::Selection &sel,
                          const ast::Projection &proj, const Scope &scope) {
    auto bound = [&](ast::ExprPtr &e, long long &out) {
      if (e)
        if (std::optional<long long> v = checkIndex(*e, scope, "synapse"))
          out = *v;
    };
    bound(sel.first, sel.resolvedFirst);
    if (sel.single)
      sel.resolvedLast = sel.resolvedFirst + 1;
    else
      bound(sel.last, sel.resolvedLast);
    if (sel.last && sel.resolvedLast >= 0 &&
        sel.resolvedLast <= sel.resolvedFirst)
      error(sel.last->loc) << "empty synapse range [" << sel.resolvedFirst
                           << ":" << sel.resolvedLast << "]";
    for (auto &[name, loc] : rec.variables) {
      std::vector<std::string> states;
      for (auto *m : {proj.resolvedModel, &proj.body})
        if (m)
          for (auto &st : m->states)
            states.push_back(st.name);
      if (proj.perSynapseDelay)
        states.push_back("delay");
      // The synapse's neurons (which structural plasticity changes).
      states.push_back("source");
      states.push_back("target");
      if (std::find(states.begin(), states.end(), name) != states.end())
        continue;
      auto diag = error(loc);
      diag << "the synapses of projection '" << proj.name << "' have no state '"
           << name << "'";
      if (auto hint = suggest(name, states))
        diag << "; did you mean '" << *hint << "'?";
    }
  }

  /// The code of an `on pre` block is generated once, from the first target
  /// model's point of view (its parameters folded to constants). With
  /// several target models, every parameter or state the block uses must
  /// therefore be the same in all of them.
  void checkSameInAllTargets(const std::vector<ast::Assign> &stmts,
                             const std::vector<const ast::Neuron *> &models,
                             const Scope &synapseScope) {
    if (models.size() < 2)
      return;
    auto find = [](const ast::Neuron *model,
                   llvm::StringRef name) -> std::optional<Symbol> {
      for (auto &p : model->params)
        if (p.name == name)
          return parameterSymbol(p);
      for (auto &s : model->states)
        if (s.name == name)
          return Symbol{NameKind::State, s.dim, std::nullopt, s.loc};
      return std::nullopt;
    };
    llvm::StringSet<> reported;
    auto compare = [&](llvm::StringRef name, ast::Loc loc) {
      if (synapseScope.names.count(name))
        return; // the synapse's own variable
      std::optional<Symbol> first = find(models[0], name);
      for (const ast::Neuron *model : llvm::ArrayRef(models).drop_front()) {
        std::optional<Symbol> other = find(model, name);
        if (!first && !other)
          continue;
        if (!reported.insert(name).second)
          return;
        if (first && !other) {
          // A missing assignment target is reported by checkBlock.
          if (first->kind == NameKind::Parameter ||
              !llvm::any_of(stmts, [&](const ast::Assign &a) {
                return a.target == name;
              }))
            error(loc) << "target model '" << model->name
                       << "' has no parameter or state '" << name << "'";
          return;
        }
        if (!first || first->kind != other->kind || first->dim != other->dim ||
            first->value != other->value) {
          error(loc) << "'" << name << "' differs between target models '"
                     << models[0]->name << "' and '" << model->name
                     << "'; connect them in separate 'connect' statements";
          return;
        }
      }
    };
    std::function<void(const Expr &)> walk = [&](const Expr &e) {
      if (e.kind == Expr::Kind::Name && e.nameKind != NameKind::Unresolved &&
          e.nameKind != NameKind::Alias)
        compare(e.name, e.loc);
      for (auto &operand : e.operands)
        walk(*operand);
    };
    std::function<void(const std::vector<ast::Assign> &)> visit =
        [&](const std::vector<ast::Assign> &block) {
          for (auto &stmt : block) {
            if (stmt.cond) {
              walk(*stmt.cond);
              visit(stmt.then);
              visit(stmt.otherwise);
              continue;
            }
            compare(stmt.target, stmt.loc);
            walk(*stmt.value);
          }
        };
    visit(stmts);
  }

  void requirePositiveTime(Expr &e, llvm::StringRef what) {
    if (e.dim != dims::time())
      error(e.loc) << what << " must be a time, not " << e.dim.str();
    else if (!e.constValue)
      error(e.loc) << what << " must be known at compile time";
    else if (!(*e.constValue > 0) || !std::isfinite(*e.constValue))
      error(e.loc) << what << " must be positive";
  }

  //===--- Expressions ---------------------------------------------------===//

  /// Expressions that already produced an error are marked with this
  /// (impossible) dimension exponent so callers stay quiet about them.
  static constexpr int kPoison = 1 << 20;
  /// A variable whose declaration failed has the marker as its dimension;
  /// values assigned to it are not checked against it.
  static bool failed(const Dim &dim) { return dim.exp[6] == kPoison; }
  static bool failed(const Expr &e) { return failed(e.dim); }
  static void poison(Expr &e) { e.dim.exp[6] = kPoison; }

  /// Dimension exponents beyond this are rejected: they mean nothing
  /// physical, and the bound keeps the arithmetic on them from overflowing
  /// (`((x^16)^16)^16...` multiplies them by 16 each time).
  static constexpr int kMaxExponent = 1000;

  void checkExpr(Expr &e, const Scope &scope) {
    if (e.regionRead)
      return checkRegionRead(e, scope);
    if (e.kind == Expr::Kind::Call &&
        (e.name == "count" || e.name == "rate" || e.name == "argmax" ||
         (e.name == "mean" && observablePops)))
      return checkObservable(e, scope);
    if (e.kind == Expr::Kind::Call)
      if (const Symbol *sym = scope.lookup(e.name);
          sym && sym->kind == NameKind::Table)
        return checkTableCall(e, scope);
    // `pow(x, y)` is `x ^ y`, with the same dimension rules.
    if (e.kind == Expr::Kind::Call && e.name == "pow") {
      if (e.operands.size() != 2) {
        error(e.loc) << "'pow' takes 2 arguments, not " << e.operands.size();
        return poison(e);
      }
      e.kind = Expr::Kind::Binary;
      e.op = Expr::Op::Pow;
      e.name.clear();
    }
    for (auto &operand : e.operands)
      checkExpr(*operand, scope);
    for (auto &operand : e.operands)
      if (failed(*operand)) {
        poison(e);
        return;
      }
    switch (e.kind) {
    case Expr::Kind::Number:
      checkNumber(e);
      break;
    case Expr::Kind::Name:
      checkName(e, scope);
      break;
    case Expr::Kind::Unary:
      checkUnary(e);
      break;
    case Expr::Kind::Binary:
      checkBinary(e);
      break;
    case Expr::Kind::Call:
      checkCall(e, scope);
      break;
    }
    if (!failed(e) && llvm::any_of(e.dim.exp, [](int x) {
          return x > 2 * kMaxExponent || x < -2 * kMaxExponent;
        })) {
      error(e.loc) << "dimension " << e.dim.str()
                   << " is out of range: exponents are limited to "
                   << kMaxExponent << " in magnitude";
      return poison(e);
    }
    // Folding can overflow or leave the domain (exp(1000), sqrt(-1)); such a
    // value would slip past every range check below (NaN compares false).
    if (e.constValue && !std::isfinite(*e.constValue) && !failed(e)) {
      error(e.loc) << "this expression evaluates to "
                   << (std::isnan(*e.constValue) ? "NaN (not a number)"
                       : *e.constValue > 0       ? "infinity"
                                                 : "-infinity")
                   << " at compile time";
      poison(e);
    }
  }

  void checkNumber(Expr &e) {
    if (!std::isfinite(e.number)) {
      error(e.loc) << "number is too large";
      return poison(e);
    }
    if (e.name.empty()) {
      e.constValue = e.number;
      return;
    }
    std::optional<Unit> unit = lookupUnit(e.name);
    if (!unit) {
      auto diag = error(e.unitLoc);
      diag << "unknown unit '" << e.name << "'";
      if (auto hint = suggest(e.name, allUnitNames()))
        diag << "; did you mean '" << *hint << "'?";
      return poison(e);
    }
    e.dim = unit->dim;
    e.constValue = e.number * unit->scale;
  }

  void checkName(Expr &e, const Scope &scope) {
    if (failed(e))
      return; // an alias that could not be expanded (reported there)
    if (e.operands.size() == 1) { // a use of an alias (expandAliasUses)
      const Expr &value = *e.operands[0];
      e.nameKind = NameKind::Alias;
      e.dim = value.dim;
      e.isBool = value.isBool;
      e.constValue = value.constValue;
      return;
    }
    if (const Symbol *sym = scope.lookup(e.name)) {
      if (sym->kind == NameKind::Alias) {
        auto diag = error(e.loc);
        diag << "alias '" << e.name
             << "' is only known inside the model that defines it";
        diag.attachNote(makeLoc(context, file, sym->loc))
            << "the alias is defined here";
        return poison(e);
      }
      if (sym->kind == NameKind::Port && scope.lookupReadablePort() != e.name) {
        auto diag = error(e.loc);
        diag << "input port '" << e.name
             << "' has a value only in its handler 'on " << e.name
             << " { ... }'";
        if (scope.lookupFlag(&Scope::allowDeliver))
          diag << "; a synapse delivers to it with '" << e.name << " += ...'";
        diag.attachNote(makeLoc(context, file, sym->loc))
            << "the port is declared here";
        return poison(e);
      }
      if (sym->kind == NameKind::Modulator && sym->regions > 1) {
        auto [name, state] = llvm::StringRef(sym->target).split('.');
        error(e.loc) << "modulator '" << name << "' has " << sym->regions
                     << " regions: read one as '" << name << "[k]." << state
                     << "' (k from 0 to " << sym->regions - 1 << ")";
        return poison(e);
      }
      e.nameKind = sym->kind;
      e.dim = sym->dim;
      if (sym->kind == NameKind::Modulator || sym->kind == NameKind::PreValue ||
          sym->kind == NameKind::PostValue)
        e.name = sym->target;
      if (sym->kind == NameKind::Constant || sym->kind == NameKind::Parameter)
        e.constValue = sym->value;
      return;
    }
    if (e.name == "i" && scope.lookupFlag(&Scope::allowIndex)) {
      e.nameKind = NameKind::NeuronIndex;
      e.dim = Dim::dimensionless();
      return;
    }
    if (e.name == "xi") {
      if (!scope.lookupFlag(&Scope::allowNoise)) {
        error(e.loc) << "white noise 'xi' can only appear in the right-hand "
                        "side of a neuron's or modulator's equation (x' = "
                        "... + sigma * xi)";
        return poison(e);
      }
      e.nameKind = NameKind::Noise;
      e.dim = *(dims::time().pow(-1).sqrt());
      return;
    }
    if (e.name == "dt" && scope.lookupFlag(&Scope::allowTime)) {
      e.nameKind = NameKind::TimeStep;
      e.dim = dims::time();
      return;
    }
    if (e.name == "t") {
      if (!scope.lookupFlag(&Scope::allowTime)) {
        error(e.loc) << "the simulation time 't' is not available here";
        return poison(e);
      }
      e.nameKind = NameKind::Time;
      e.dim = dims::time();
      return;
    }
    if (std::optional<Unit> unit = lookupUnit(e.name)) {
      e.nameKind = NameKind::Unit;
      e.dim = unit->dim;
      e.constValue = unit->scale;
      return;
    }
    auto diag = error(e.loc);
    if (scope.unitsOnly) {
      diag << "unknown unit '" << e.name << "'";
      if (auto hint = suggest(e.name, allUnitNames()))
        diag << "; did you mean '" << *hint << "'?";
      return poison(e);
    }
    diag << "use of undeclared name '" << e.name << "'";
    std::vector<std::string> names;
    scope.collectNames(names);
    if (auto hint = suggest(e.name, names))
      diag << "; did you mean '" << *hint << "'?";
    poison(e);
  }

  void checkUnary(Expr &e) {
    Expr &x = *e.operands[0];
    if (e.op == Expr::Op::Not) {
      if (!x.isBool) {
        error(e.loc) << "'not' needs a condition";
        return poison(e);
      }
      e.isBool = true;
      return;
    }
    if (x.isBool) {
      error(e.loc) << "arithmetic on a condition";
      return poison(e);
    }
    e.dim = x.dim;
    if (x.constValue)
      e.constValue = e.op == Expr::Op::Neg ? -*x.constValue : *x.constValue;
  }

  void checkBinary(Expr &e) {
    using Op = Expr::Op;
    Expr &l = *e.operands[0], &r = *e.operands[1];
    if (e.op == Op::And || e.op == Op::Or) {
      if (!l.isBool || !r.isBool) {
        error(e.loc) << "'" << (e.op == Op::And ? "and" : "or")
                     << "' needs conditions on both sides";
        return poison(e);
      }
      e.isBool = true;
      return;
    }
    if (l.isBool || r.isBool) {
      error(e.loc) << "arithmetic or comparison on a condition";
      return poison(e);
    }
    auto fold = [&](auto fn) {
      if (l.constValue && r.constValue)
        e.constValue = fn(*l.constValue, *r.constValue);
    };
    switch (e.op) {
    case Op::Add:
    case Op::Sub:
      if (!sameDim(e, l, r, e.op == Op::Add ? "add" : "subtract"))
        return;
      e.dim = isZeroLiteral(l) ? r.dim : l.dim;
      fold([&](double a, double b) { return e.op == Op::Add ? a + b : a - b; });
      return;
    case Op::Mul:
      e.dim = l.dim * r.dim;
      fold([](double a, double b) { return a * b; });
      return;
    case Op::Div:
      e.dim = l.dim / r.dim;
      if (r.constValue && *r.constValue == 0.0) {
        error(e.loc) << "division by zero";
        return poison(e);
      }
      fold([](double a, double b) { return a / b; });
      return;
    case Op::Pow: {
      if (!r.dim.isDimensionless()) {
        error(r.loc) << "the exponent must be dimensionless, not "
                     << r.dim.str();
        return poison(e);
      }
      if (!l.dim.isDimensionless()) {
        if (!r.constValue || *r.constValue != std::round(*r.constValue) ||
            std::fabs(*r.constValue) > 16) {
          error(r.loc) << "a quantity with dimension " << l.dim.str()
                       << " can only be raised to a small whole-number "
                          "power known at compile time";
          return poison(e);
        }
        e.dim = l.dim.pow(static_cast<int>(*r.constValue));
      }
      fold([](double a, double b) { return std::pow(a, b); });
      return;
    }
    default: // comparisons
      if (!sameDim(e, l, r, "compare"))
        return;
      e.isBool = true;
      return;
    }
  }

  bool sameDim(Expr &e, Expr &l, Expr &r, llvm::StringRef verb) {
    if (l.dim == r.dim || isZeroLiteral(l) || isZeroLiteral(r))
      return true;
    error(e.loc) << "cannot " << verb
                 << " quantities of different dimensions: " << l.dim.str()
                 << " and " << r.dim.str();
    poison(e);
    return false;
  }

  void checkCall(Expr &e, const Scope &scope) {
    const Builtin *fn = findBuiltin(e.name);
    if (!fn) {
      auto diag = error(e.loc);
      diag << "unknown function '" << e.name << "'";
      std::vector<std::string> names = {"pow"};
      for (const Builtin &b : kBuiltins)
        names.push_back(b.name);
      if (auto hint = suggest(e.name, names))
        diag << "; did you mean '" << *hint << "'?";
      return poison(e);
    }
    unsigned n = e.operands.size();
    if (n < fn->minArgs || n > fn->maxArgs) {
      error(e.loc) << "'" << fn->name << "' takes " << fn->minArgs
                   << " argument" << (fn->minArgs == 1 ? "" : "s") << ", not "
                   << n;
      return poison(e);
    }
    for (auto &arg : e.operands)
      if (arg->isBool) {
        error(arg->loc) << "a condition cannot be a function argument";
        return poison(e);
      }
    switch (fn->kind) {
    case FnKind::DimensionlessMath:
      if (!e.operands[0]->dim.isDimensionless()) {
        error(e.operands[0]->loc)
            << "the argument of '" << fn->name
            << "' must be dimensionless, not " << e.operands[0]->dim.str();
        return poison(e);
      }
      break;
    case FnKind::Random:
      // lognormal(mu, sigma) and poisson(mean) are dimensionless.
      if (e.name == "lognormal" || e.name == "poisson") {
        for (auto &arg : e.operands)
          if (!arg->dim.isDimensionless()) {
            error(arg->loc)
                << "the arguments of '" << fn->name
                << "' must be dimensionless, not " << arg->dim.str();
            return poison(e);
          }
        if (e.name == "poisson" && e.operands[0]->constValue &&
            !(*e.operands[0]->constValue >= 0 &&
              *e.operands[0]->constValue <= 100)) {
          error(e.operands[0]->loc)
              << "the mean of 'poisson' must be in [0, 100], not "
              << fmt(*e.operands[0]->constValue);
          return poison(e);
        }
      }
      [[fallthrough]];
    case FnKind::SameDim:
      for (unsigned i = 1; i < n; ++i)
        if (e.operands[i]->dim != e.operands[0]->dim &&
            !isZeroLiteral(*e.operands[i]) && !isZeroLiteral(*e.operands[0])) {
          error(e.operands[i]->loc)
              << "arguments of '" << fn->name
              << "' must have the same dimension: " << e.operands[0]->dim.str()
              << " and " << e.operands[i]->dim.str();
          return poison(e);
        }
      e.dim = isZeroLiteral(*e.operands[0]) && n > 1 ? e.operands[1]->dim
                                                     : e.operands[0]->dim;
      break;
    case FnKind::Sign:
      e.dim = Dim::dimensionless();
      break;
    case FnKind::Sqrt: {
      std::optional<Dim> root = e.operands[0]->dim.sqrt();
      if (!root) {
        error(e.operands[0]->loc) << "cannot take the square root of dimension "
                                  << e.operands[0]->dim.str();
        return poison(e);
      }
      e.dim = *root;
      break;
    }
    }
    if (fn->kind == FnKind::Random) {
      if (!scope.allowRandom && !inheritsRandom(scope)) {
        error(e.loc) << "random function '" << fn->name
                     << "' is only allowed in initial values, spike "
                        "conditions and resets";
        return poison(e);
      }
      return; // never a compile-time constant
    }
    std::vector<double> args;
    for (auto &arg : e.operands) {
      if (!arg->constValue)
        return;
      args.push_back(*arg->constValue);
    }
    e.constValue = applyMathFunction(e.name, args);
  }

  /// `drive(t)` or `drive(t, column)`: the first argument is a time (the
  /// only place outside models where `t` may appear), the second a
  /// dimensionless column index for a two-dimensional table.
  void checkTableCall(Expr &e, const Scope &scope) {
    const ast::Table *table = tables.lookup(e.name);
    if (!table)
      return poison(e); // its declaration was reported
    unsigned want = table->twoDimensional ? 2 : 1;
    if (e.operands.size() != want) {
      error(e.loc) << "table '" << e.name << "' is "
                   << (want == 2
                           ? "two-dimensional: read it as '" + e.name +
                                 "(t, column)'"
                           : "one-dimensional: read it as '" + e.name + "(t)'");
      return poison(e);
    }
    Scope timeScope;
    timeScope.parent = &scope;
    timeScope.allowTime = true;
    checkExpr(*e.operands[0], timeScope);
    if (want == 2)
      checkExpr(*e.operands[1], scope);
    for (auto &operand : e.operands)
      if (failed(*operand))
        return poison(e);
    if (e.operands[0]->dim != dims::time() || e.operands[0]->isBool) {
      error(e.operands[0]->loc)
          << "the first argument of table '" << e.name << "' is a time, not "
          << e.operands[0]->dim.str();
      return poison(e);
    }
    if (want == 2 &&
        (!e.operands[1]->dim.isDimensionless() || e.operands[1]->isBool)) {
      error(e.operands[1]->loc)
          << "the column of table '" << e.name
          << "' is a dimensionless index, not " << e.operands[1]->dim.str();
      return poison(e);
    }
    e.nameKind = NameKind::Table;
    e.dim = table->dim;
  }

  /// `da[k].level` (or `da[k]` for a modulator with one state): region k
  /// of a regional modulator. k is dimensionless; a constant one must be a
  /// region, another is truncated and clamped where it is read.
  void checkRegionRead(Expr &e, const Scope &scope) {
    Expr &index = *e.operands[0];
    checkExpr(index, scope);
    const Symbol *sym = scope.lookup(e.name);
    auto [name, state] = llvm::StringRef(e.name).split('.');
    if (!sym || sym->kind != NameKind::Modulator) {
      auto diag = error(e.loc);
      if (sym)
        diag << "'" << e.name
             << "' is not a modulator: only a regional modulator is read "
                "with '[region]'";
      else {
        diag << "use of undeclared modulator '" << e.name << "'";
        std::vector<std::string> names;
        for (const Scope *s = &scope; s; s = s->parent)
          for (auto &entry : s->names)
            if (entry.second.kind == NameKind::Modulator)
              names.push_back(entry.getKey().str());
        if (auto hint = suggest(e.name, names))
          diag << "; did you mean '" << *hint << "'?";
      }
      return poison(e);
    }
    if (sym->regions <= 1) {
      error(e.loc) << "modulator '" << name
                   << "' is one global signal: read it as '" << sym->target
                   << "', or declare regions with 'modulator " << name
                   << "[n] { ... }'";
      return poison(e);
    }
    if (failed(index))
      return poison(e);
    if (index.isBool || !index.dim.isDimensionless()) {
      error(index.loc) << "a region index is a dimensionless number, not "
                       << (index.isBool ? "a condition" : index.dim.str());
      return poison(e);
    }
    if (index.constValue) {
      double k = *index.constValue;
      if (k != std::floor(k) || k < 0 || k >= double(sym->regions)) {
        error(index.loc) << "region " << fmt(k) << " of modulator '" << name
                         << "' does not exist: it has regions 0 to "
                         << sym->regions - 1;
        return poison(e);
      }
    }
    e.nameKind = NameKind::Modulator;
    e.dim = sym->dim;
    e.name = sym->target;
  }

  /// `table NAME = [...] every T;` / `table NAME = load("F.npy") every T;`.
  void checkTable(ast::Table &table, double dt) {
    checkExpr(*table.every, globals);
    if (!failed(*table.every)) {
      if (table.every->dim != dims::time() || !table.every->constValue ||
          *table.every->constValue <= 0) {
        error(table.every->loc) << "the period of a table must be a time > 0 "
                                   "known at compile time";
      } else {
        table.period = *table.every->constValue;
        double steps = table.period / dt;
        if (dt > 0 && (std::fabs(steps - std::round(steps)) > 1e-6 * steps ||
                       std::round(steps) < 1))
          error(table.every->loc)
              << "the period " << fmt(table.period * 1e3) << " ms of table '"
              << table.name
              << "' is not a whole multiple of the time step dt = "
              << fmt(dt * 1e3) << " ms";
      }
    }
    if (findBuiltin(table.name) || table.name == "count" ||
        table.name == "rate")
      error(table.nameLoc) << "a table cannot be named '" << table.name
                           << "': that is a built-in function";
    if (!table.file.empty()) {
      std::optional<NpyArray> array = readNpyFile(
          table.file, table.fileLoc, "values of table '" + table.name + "'");
      if (!array)
        return;
      if (array->shape.empty() || array->shape.size() > 2 ||
          array->values.empty()) {
        error(table.fileLoc)
            << "'" << table.file << "' (the values of table '" << table.name
            << "') must be a non-empty array of one dimension (time) or two "
               "(time, column), not of "
            << array->shape.size() << " dimension"
            << (array->shape.size() == 1 ? "" : "s");
        return;
      }
      table.rows = array->shape[0];
      table.columns = array->shape.size() == 2 ? array->shape[1] : 1;
      table.twoDimensional = array->shape.size() == 2;
      for (double v : array->values)
        if (!std::isfinite(v)) {
          error(table.fileLoc)
              << "'" << table.file << "' (the values of table '" << table.name
              << "') holds NaN or infinity";
          return;
        }
      table.data = std::move(array->values);
      table.dim = Dim::dimensionless();
      return;
    }
    const Expr *first = nullptr;
    for (auto &v : table.values) {
      checkExpr(*v, globals);
      if (failed(*v))
        continue;
      if (!v->constValue || v->isBool) {
        error(v->loc) << "the values of a table must be numbers known at "
                         "compile time";
        continue;
      }
      if (first && v->dim != first->dim && !isZeroLiteral(*v) &&
          !isZeroLiteral(*first)) {
        error(v->loc) << "the values of table '" << table.name
                      << "' must have one dimension: " << first->dim.str()
                      << " and " << v->dim.str();
        continue;
      }
      if (!first || isZeroLiteral(*first))
        first = v.get();
      table.data.push_back(*v->constValue);
    }
    table.rows = static_cast<long long>(table.data.size());
    table.dim = first ? first->dim : Dim::dimensionless();
  }

  static bool readsModulator(const Expr &e) {
    if ((e.kind == Expr::Kind::Name && e.nameKind == NameKind::Modulator) ||
        (e.kind == Expr::Kind::Call &&
         (e.nameKind == NameKind::Table || e.nameKind == NameKind::Modulator)))
      return true;
    for (auto &operand : e.operands)
      if (readsModulator(*operand))
        return true;
    return false;
  }

  static bool usesRandom(const Expr &e) {
    if (e.kind == Expr::Kind::Call) {
      const Builtin *fn = findBuiltin(e.name);
      if (fn && fn->kind == FnKind::Random)
        return true;
    }
    for (auto &operand : e.operands)
      if (usesRandom(*operand))
        return true;
    return false;
  }

  static bool inheritsRandom(const Scope &scope) {
    for (const Scope *s = &scope; s; s = s->parent)
      if (s->allowRandom)
        return true;
    return false;
  }

  ast::File &file;
  mlir::MLIRContext *context;
  Scope globals;
  llvm::StringMap<ast::Neuron *> models;
  llvm::StringMap<ast::SynapseModel *> synapseModels;
  /// The populations of the network whose run block is being checked.
  const llvm::StringMap<ast::Population *> *observablePops = nullptr;
  /// The modulators of the network being checked (`dopamine.level`), seen
  /// by its `connect` bodies; its parent is `globals`.
  const Scope *modulators = nullptr;
  /// The tables of the network being checked (`drive(t)`).
  llvm::StringMap<const ast::Table *> tables;
  bool hadError = false;
};

} // namespace

mlir::LogicalResult nnc::checkFile(ast::File &file,
                                   mlir::MLIRContext *context) {
  // An expression checked more than once (an alias at each use, a synapse
  // model's handler for each projection) reports each of its problems once.
  std::set<std::string> reported;
  mlir::ScopedDiagnosticHandler dedupe(context, [&](mlir::Diagnostic &diag) {
    std::string key;
    llvm::raw_string_ostream os(key);
    os << diag.getLocation() << '\0' << diag.str();
    return mlir::success(!reported.insert(os.str()).second);
  });
  return Sema(file, context).run();
}
