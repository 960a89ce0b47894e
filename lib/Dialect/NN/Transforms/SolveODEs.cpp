//===- SolveODEs.cpp - Choose and apply an ODE solver per model -----------===//
//
// Replaces each used model's nn.ode ops by one nn.integrate op. See
// Passes.td for the analysis; the propagator of a linear system is computed
// here, at compile time, with Eigen's matrix exponential.
//
//===----------------------------------------------------------------------===//

#include "nnc/Dialect/NN/IR/NNOps.h"
#include "nnc/Dialect/NN/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <Eigen/Dense>
#include <unsupported/Eigen/MatrixFunctions>

#include <cmath>
#include <limits>
#include <map>
#include <random>

namespace nnc::nn {
#define GEN_PASS_DEF_NNSOLVEODES
#include "nnc/Dialect/NN/Transforms/Passes.h.inc"
} // namespace nnc::nn

using namespace mlir;
using namespace nnc::nn;

namespace {

//===----------------------------------------------------------------------===//
// Numeric evaluation of right-hand sides (for the linearity analysis)
//===----------------------------------------------------------------------===//

/// A modulator read or table lookup whose arguments do not depend on the
/// state (`drive(t)`, `drive(t, i)`) is constant during a step: the key
/// identifies it across equations (the same read in two equations is one
/// input). Anything else has no key.
std::optional<std::string> stepInputKey(Operation *op) {
  std::string key;
  llvm::raw_string_ostream os(key);
  std::function<bool(Operation *)> describe = [&](Operation *o) -> bool {
    if (!o || o->getNumRegions() || o->getNumResults() != 1 || isa<ReadOp>(o) ||
        (!isa<ReadModulatorOp, TableLookupOp, TimeOp, IndexOp>(o) &&
         !isPure(o)))
      return false;
    os << o->getName() << o->getAttrDictionary() << "(";
    for (Value operand : o->getOperands())
      if (!describe(operand.getDefiningOp()))
        return false;
    os << ")";
    return true;
  };
  if (!isa<ReadModulatorOp, TableLookupOp>(op) || !describe(op))
    return std::nullopt;
  return key;
}

/// Evaluates an nn.ode region for given state values and time. Fails on any
/// op it does not know, which makes the analysis treat the system as
/// nonlinear (safe: a numerical solver is then used).
class RhsEvaluator {
public:
  /// With `modulatorValue`, reads of modulators and tables evaluate to it
  /// (they are constant within a step, which is all exponential Euler needs);
  /// without, they fail (a system that reads one is not time-invariant).
  explicit RhsEvaluator(llvm::StringMap<double> params,
                        std::optional<double> modulatorValue = std::nullopt)
      : params(std::move(params)), modulatorValue(modulatorValue) {}

  /// Values of step-constant inputs by key (stepInputKey), for the exact
  /// solver, which treats each input as a variable held during the step.
  const llvm::StringMap<double> *inputs = nullptr;

  FailureOr<double> eval(OdeOp ode, const llvm::StringMap<double> &state,
                         double time) {
    return eval(ode.getRhs(), state, time);
  }

  /// Evaluates a region that yields one value (an equation, an initial
  /// value without random numbers).
  FailureOr<double> eval(Region &region, const llvm::StringMap<double> &state,
                         double time) {
    llvm::DenseMap<Value, double> values;
    for (Operation &op : region.front()) {
      if (auto yield = dyn_cast<YieldOp>(op))
        return values.lookup(yield.getValues()[0]);
      FailureOr<double> v = evalOp(op, values, state, time);
      if (failed(v))
        return failure();
      if (op.getNumResults() == 1)
        values[op.getResult(0)] = *v;
    }
    return failure();
  }

private:
  FailureOr<double> evalOp(Operation &op, llvm::DenseMap<Value, double> &v,
                           const llvm::StringMap<double> &state, double time) {
    auto arg = [&](unsigned i) { return v.lookup(op.getOperand(i)); };
    if (auto c = dyn_cast<arith::ConstantOp>(op)) {
      if (auto f = dyn_cast<FloatAttr>(c.getValue()))
        return f.getValueAsDouble();
      return failure();
    }
    if (auto read = dyn_cast<ReadOp>(op)) {
      auto it = state.find(read.getVar());
      if (it != state.end())
        return it->second;
      auto p = params.find(read.getVar());
      if (p != params.end())
        return p->second;
      return failure();
    }
    if (isa<TimeOp>(op))
      return time;
    // The neuron's index only selects a table's column (a lookup ignores
    // its operands' values); used anywhere else, NaN fails the analysis.
    if (isa<IndexOp>(op))
      return std::numeric_limits<double>::quiet_NaN();
    if (isa<ReadModulatorOp, TableLookupOp>(op)) {
      if (inputs) {
        std::optional<std::string> key = stepInputKey(&op);
        auto it = key ? inputs->find(*key) : inputs->end();
        if (it != inputs->end())
          return it->second;
      }
      if (modulatorValue)
        return *modulatorValue;
      return failure();
    }
    if (isa<arith::AddFOp>(op))
      return arg(0) + arg(1);
    if (isa<arith::SubFOp>(op))
      return arg(0) - arg(1);
    if (isa<arith::MulFOp>(op))
      return arg(0) * arg(1);
    if (isa<arith::DivFOp>(op))
      return arg(0) / arg(1);
    if (isa<arith::NegFOp>(op))
      return -arg(0);
    if (isa<arith::MinimumFOp>(op))
      return std::min(arg(0), arg(1));
    if (isa<arith::MaximumFOp>(op))
      return std::max(arg(0), arg(1));
    if (isa<math::ExpOp>(op))
      return std::exp(arg(0));
    if (isa<math::LogOp>(op))
      return std::log(arg(0));
    if (isa<math::TanhOp>(op))
      return std::tanh(arg(0));
    if (isa<math::SqrtOp>(op))
      return std::sqrt(arg(0));
    if (isa<math::AbsFOp>(op))
      return std::fabs(arg(0));
    if (isa<math::SinOp>(op))
      return std::sin(arg(0));
    if (isa<math::CosOp>(op))
      return std::cos(arg(0));
    if (isa<math::PowFOp>(op))
      return std::pow(arg(0), arg(1));
    return failure();
  }

  llvm::StringMap<double> params;
  std::optional<double> modulatorValue;
};

/// x' = A x + b, if the system is linear and time-invariant.
struct LinearSystem {
  Eigen::MatrixXd A;
  Eigen::VectorXd b;
};

/// The ODE system of one model: states in row order, and each state's
/// equation (null for states without one: their derivative is zero).
struct OdeSystem {
  SmallVector<StateOp, 4> states;
  SmallVector<OdeOp> odes;
  /// States the refractory period clamps, and (while emitting) the i1 that
  /// says the neuron is refractory; null without a refractory period.
  SmallVector<bool> clamped;
  Value refractory;
};

/// Returns A and b if the system is linear and time-invariant; otherwise
/// says why in `whyNotLinear` (for the diagnostic).
///
/// Step-constant inputs (`inputKeys`: modulators, tables) are variables
/// n, n+1, ... after the n states, with zero derivative: the propagator
/// holds them during the step, as Brian2's exact solver does with a
/// TimedArray.
std::optional<LinearSystem> analyzeLinear(const llvm::StringMap<double> &params,
                                          OdeSystem &sys,
                                          ArrayRef<std::string> inputKeys,
                                          std::string &whyNotLinear) {
  RhsEvaluator evaluator(params);
  llvm::StringMap<double> inputValues;
  evaluator.inputs = &inputValues;
  unsigned numStates = sys.states.size();
  unsigned n = numStates + inputKeys.size();
  auto evalAll = [&](const Eigen::VectorXd &x,
                     double time) -> std::optional<Eigen::VectorXd> {
    llvm::StringMap<double> state;
    for (unsigned i = 0; i < numStates; ++i)
      state[sys.states[i].getSymName()] = x[i];
    for (auto [k, key] : llvm::enumerate(inputKeys))
      inputValues[key] = x[numStates + k];
    Eigen::VectorXd f = Eigen::VectorXd::Zero(n);
    for (unsigned i = 0; i < numStates; ++i) {
      if (!sys.odes[i])
        continue;
      FailureOr<double> v = evaluator.eval(sys.odes[i], state, time);
      if (failed(v) || !std::isfinite(*v))
        return std::nullopt;
      f[i] = *v;
    }
    return f;
  };

  auto b = evalAll(Eigen::VectorXd::Zero(n), 0.0);
  if (!b) {
    whyNotLinear = "its right-hand side is not defined at zero";
    return std::nullopt;
  }
  LinearSystem sys2{Eigen::MatrixXd::Zero(n, n), *b};
  for (unsigned j = 0; j < n; ++j) {
    Eigen::VectorXd e = Eigen::VectorXd::Zero(n);
    e[j] = 1.0;
    auto f = evalAll(e, 0.0);
    if (!f) {
      whyNotLinear = "its right-hand side cannot be evaluated";
      return std::nullopt;
    }
    sys2.A.col(j) = *f - *b;
  }
  // Confirm f(x, t) = A x + b at random points of both signs and several
  // magnitudes (voltages are ~1e-2 in SI, concentrations ~1e-3, ...).
  std::mt19937_64 rng(12345);
  std::uniform_real_distribution<double> uni(-1.0, 1.0);
  for (double scale : {1e-3, 1e-1, 1.0, 1e2}) {
    for (int trial = 0; trial < 2; ++trial) {
      Eigen::VectorXd x(n);
      for (unsigned i = 0; i < n; ++i)
        x[i] = scale * uni(rng);
      double time = trial == 0 ? 0.0 : 0.37;
      auto f = evalAll(x, time);
      if (!f) {
        whyNotLinear = "its right-hand side cannot be evaluated everywhere";
        return std::nullopt;
      }
      Eigen::VectorXd expect = sys2.A * x + sys2.b;
      for (unsigned i = 0; i < numStates; ++i) {
        double tol = 1e-9 * (std::fabs(expect[i]) + std::fabs((*f)[i]) +
                             sys2.A.row(i).cwiseAbs().dot(x.cwiseAbs()) +
                             std::fabs(sys2.b[i])) +
                     1e-300;
        if (std::fabs((*f)[i] - expect[i]) > tol) {
          whyNotLinear =
              trial == 0
                  ? "the equation for " + sys.states[i].getSymName().str() +
                        "' is nonlinear"
                  : "the equation for " + sys.states[i].getSymName().str() +
                        "' depends on time or is nonlinear";
          return std::nullopt;
        }
      }
    }
  }
  return sys2;
}

/// How exponential Euler treats each equation x_i' = A_i x_i + B_i, where
/// A_i and B_i may depend on the other states: `Linear` if A_i can be
/// nonzero, `Constant` if x_i does not appear (then A_i = 0 and the step
/// is x_i + dt B_i, as in Brian2).
enum class OwnDependence { None, Linear, Constant };

/// Checks that every equation is linear in its own variable, numerically,
/// around the initial state (where the model is meant to be valid; HH's
/// rate functions overflow far from it). On failure names the equation in
/// `why`.
std::optional<SmallVector<OwnDependence>>
analyzeConditionallyLinear(const llvm::StringMap<double> &params,
                           OdeSystem &sys, std::string &why) {
  RhsEvaluator evaluator(params, /*modulatorValue=*/0.731);
  unsigned n = sys.states.size();
  llvm::StringMap<double> initial;
  for (StateOp s : sys.states) {
    FailureOr<double> v = evaluator.eval(s.getInit(), initial, 0.0);
    initial[s.getSymName()] = succeeded(v) && std::isfinite(*v) ? *v : 0.0;
  }
  std::mt19937_64 rng(4242);
  std::uniform_real_distribution<double> uni(-1.0, 1.0);
  SmallVector<OwnDependence> result(n, OwnDependence::None);
  for (unsigned i = 0; i < n; ++i) {
    if (!sys.odes[i])
      continue;
    StringRef name = sys.states[i].getSymName();
    bool dependsOnSelf = false;
    for (int trial = 0; trial < 6; ++trial) {
      llvm::StringMap<double> x;
      for (StateOp s : sys.states) {
        double x0 = initial[s.getSymName()];
        x[s.getSymName()] =
            x0 * (1.0 + 0.2 * uni(rng)) + 1e-3 * uni(rng) * (trial % 3);
      }
      double base = x[name];
      double step = 0.5 * std::max(std::fabs(base), 1e-3);
      double f[3];
      for (int k = 0; k < 3; ++k) {
        x[name] = base + k * step;
        FailureOr<double> v = evaluator.eval(sys.odes[i], x, 0.013 * trial);
        if (failed(v) || !std::isfinite(*v)) {
          why = "the equation for " + name.str() +
                "' cannot be evaluated near the initial state";
          return std::nullopt;
        }
        f[k] = *v;
      }
      double scale = std::fabs(f[0]) + 2 * std::fabs(f[1]) + std::fabs(f[2]);
      if (std::fabs(f[2] - 2 * f[1] + f[0]) > 1e-9 * scale + 1e-300) {
        why = "the equation for " + name.str() + "' is not linear in " +
              name.str();
        return std::nullopt;
      }
      dependsOnSelf |= f[1] != f[0];
    }
    result[i] = dependsOnSelf ? OwnDependence::Linear : OwnDependence::Constant;
  }
  return result;
}

/// How solver 'backward_euler' advances a model: the membrane potentials
/// (states named `v` or `COMPARTMENT.v`) by linearly implicit Euler, their
/// coupling a forest solved by Hines elimination; every other state by
/// exponential Euler at the new potentials (NEURON's fixed-step method).
struct BackwardEulerPlan {
  /// Rows of the potentials.
  SmallVector<unsigned> voltages;
  /// Per potential k: the potentials (indices into `voltages`) its
  /// equation reads, itself included.
  SmallVector<SmallVector<unsigned>> reads;
  /// Elimination order, leaves first (a parent after its children), and
  /// each potential's parent in the forest (-1 for a root).
  SmallVector<unsigned> order;
  SmallVector<int> parent;
  /// Exponential Euler's treatment of the other rows.
  SmallVector<OwnDependence> others;
};

bool isMembranePotential(StringRef name) {
  return name == "v" || name.ends_with(".v");
}

/// Plans solver 'backward_euler' for `sys`; on failure says why in `why`.
std::optional<BackwardEulerPlan>
planBackwardEuler(const llvm::StringMap<double> &params, OdeSystem &sys,
                  std::string &why) {
  BackwardEulerPlan plan;
  llvm::StringMap<unsigned> voltageIndex;
  for (auto [row, state] : llvm::enumerate(sys.states))
    if (sys.odes[row] && isMembranePotential(state.getSymName())) {
      voltageIndex[state.getSymName()] = plan.voltages.size();
      plan.voltages.push_back(row);
    }
  if (plan.voltages.empty()) {
    why = "needs a membrane potential with an equation: a state named 'v' "
          "(or 'COMPARTMENT.v')";
    return std::nullopt;
  }
  unsigned m = plan.voltages.size();
  SmallVector<SmallVector<unsigned>> neighbours(m);
  for (unsigned k = 0; k < m; ++k) {
    llvm::SmallSetVector<unsigned, 4> read;
    read.insert(k);
    sys.odes[plan.voltages[k]].walk([&](ReadOp op) {
      auto it = voltageIndex.find(op.getVar());
      if (it != voltageIndex.end())
        read.insert(it->second);
    });
    plan.reads.push_back(SmallVector<unsigned>(read.begin(), read.end()));
    for (unsigned j : read)
      if (j != k) {
        if (!llvm::is_contained(neighbours[k], j))
          neighbours[k].push_back(j);
        if (!llvm::is_contained(neighbours[j], k))
          neighbours[j].push_back(k);
      }
  }
  // Breadth-first from each root; an edge back to a visited potential
  // other than the parent closes a loop, which Hines elimination cannot
  // solve without fill-in.
  plan.parent.assign(m, -1);
  SmallVector<bool> visited(m, false);
  SmallVector<unsigned> bfs;
  for (unsigned root = 0; root < m; ++root) {
    if (visited[root])
      continue;
    visited[root] = true;
    size_t first = bfs.size();
    bfs.push_back(root);
    for (size_t q = first; q < bfs.size(); ++q) {
      unsigned k = bfs[q];
      for (unsigned j : neighbours[k]) {
        if (static_cast<int>(j) == plan.parent[k])
          continue;
        if (visited[j]) {
          why = "needs the coupled compartments to form a tree, but " +
                sys.states[plan.voltages[k]].getSymName().str() + " and " +
                sys.states[plan.voltages[j]].getSymName().str() +
                " close a loop";
          return std::nullopt;
        }
        visited[j] = true;
        plan.parent[j] = k;
        bfs.push_back(j);
      }
    }
  }
  plan.order.assign(bfs.rbegin(), bfs.rend());
  OdeSystem rest = sys;
  for (unsigned row : plan.voltages)
    rest.odes[row] = nullptr;
  std::optional<SmallVector<OwnDependence>> others =
      analyzeConditionallyLinear(params, rest, why);
  if (!others) {
    why = "integrates the states other than membrane potentials by "
          "exponential Euler, but " +
          why;
    return std::nullopt;
  }
  plan.others = std::move(*others);
  return plan;
}

/// exp(m) after a diagonal similarity that balances row and column norms
/// (Parlett-Reinsch, powers of two so the scaling is exact). SI values mix
/// scales (1/C ~ 1e10 next to 1/tau ~ 1e2); unbalanced, the scaling and
/// squaring in expm loses about nine digits on such matrices.
Eigen::MatrixXd balancedExp(const Eigen::MatrixXd &m) {
  unsigned n = m.rows();
  Eigen::MatrixXd b = m;
  Eigen::VectorXd d = Eigen::VectorXd::Ones(n);
  for (bool converged = false; !converged;) {
    converged = true;
    for (unsigned i = 0; i < n; ++i) {
      double c = 0, r = 0;
      for (unsigned j = 0; j < n; ++j)
        if (j != i) {
          c += std::fabs(b(j, i));
          r += std::fabs(b(i, j));
        }
      if (c == 0 && r == 0)
        continue;
      if (c == 0 || r == 0) {
        // One-sided coupling (an input held constant during the step, the
        // affine column): only the norm matters, so shrink the nonzero side
        // to about 1.
        double side = c + r;
        if (side <= 2)
          continue;
        double f = std::exp2(-std::ceil(std::log2(side)));
        if (r != 0)
          f = 1 / f;
        converged = false;
        d[i] *= f;
        b.col(i) *= f;
        b.row(i) /= f;
        continue;
      }
      double s = c + r, f = 1;
      while (c < r / 2) {
        c *= 2;
        r /= 2;
        f *= 2;
      }
      while (c >= r * 2) {
        c /= 2;
        r *= 2;
        f /= 2;
      }
      if (c + r < 0.95 * s) {
        converged = false;
        d[i] *= f;
        b.col(i) *= f;
        b.row(i) /= f;
      }
    }
  }
  Eigen::MatrixXd e = b.exp();
  // b = D^-1 m D, so exp(m) = D exp(b) D^-1.
  for (unsigned i = 0; i < n; ++i)
    for (unsigned j = 0; j < n; ++j)
      e(i, j) *= d[i] / d[j];
  return e;
}

//===----------------------------------------------------------------------===//
// Emitting the update
//===----------------------------------------------------------------------===//

class SolveODEsPass : public nnc::nn::impl::NNSolveODEsBase<SolveODEsPass> {
public:
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Each used model is solved for the time step of its network.
    llvm::StringMap<std::pair<double, Location>> dtOfModel;
    bool ok = true;
    // `dt` in a network's own regions (synapse handlers, inputs) is its
    // time step.
    for (NetworkOp network : module.getOps<NetworkOp>())
      replaceTimeStep(network, network.getDt().convertToDouble());
    module.walk([&](PopulationOp pop) {
      // A population with its own clock steps m dt at a time.
      double dt = pop->getParentOfType<NetworkOp>().getDt().convertToDouble() *
                  static_cast<double>(pop.getUpdateEvery().value_or(1));
      auto [it, inserted] =
          dtOfModel.try_emplace(pop.getModel(), dt, pop.getLoc());
      if (!inserted && it->second.first != dt) {
        pop.emitError() << "model '" << pop.getModel()
                        << "' is used with different time steps";
        ok = false;
      }
    });
    for (NeuronOp neuron : llvm::to_vector(module.getOps<NeuronOp>())) {
      auto it = dtOfModel.find(neuron.getSymName());
      if (it == dtOfModel.end() ||
          !neuron.getBodyBlock().getOps<IntegrateOp>().empty())
        continue;
      ok &= succeeded(solve(neuron, it->second.first));
    }
    module.walk([&](ProjectionOp proj) {
      SynapseOp synapse = proj.getSynapseModel();
      if (!synapse || synapse.getBodyBlock().getOps<OdeOp>().empty())
        return;
      // States a cover sums every step must be current every step.
      auto network = proj->getParentOfType<NetworkOp>();
      llvm::StringSet<> gathered;
      network.walk([&](GatherOp gather) {
        if (gather.getProjection() == proj.getSymName())
          gather.getValue().walk(
              [&](ReadOp read) { gathered.insert(read.getVar()); });
      });
      ok &= succeeded(
          solveSynapse(synapse, network.getDt().convertToDouble(), gathered));
    });
    if (!ok)
      signalPassFailure();
  }

private:
  /// Splits a synapse model's equations into event-driven and clock-driven
  /// ones. An equation x' = a x + b with constants a and b (a decaying
  /// trace, a recovering resource) is event-driven: advanced exactly over
  /// the time since the synapse's last event, x(t + s) = x_inf + (x(t) -
  /// x_inf) exp(a s), at no cost between events (Brian2's
  /// `(event-driven)`). Any other equation (one that reads another state, a
  /// modulator or the time, or is nonlinear) is clock-driven: integrated
  /// every step with the model's solver, like a neuron's. So is every
  /// equation whose state a clock-driven one reads, since it must be
  /// current at every step, and every equation whose state a cover sums
  /// (`readEveryStep`).
  LogicalResult solveSynapse(SynapseOp synapse, double dt,
                             const llvm::StringSet<> &readEveryStep) {
    replaceTimeStep(synapse, dt);
    OdeSystem all = collectOdes(synapse.getBodyBlock(), synapse.getStates());
    llvm::StringMap<double> params = synapse.getParamValues();
    unsigned n = all.states.size();
    SmallVector<bool> clockDriven(n, false);
    for (unsigned i = 0; i < n; ++i) {
      if (!all.odes[i])
        continue;
      OdeSystem own;
      own.states = {all.states[i]};
      own.odes = {all.odes[i]};
      std::string why;
      clockDriven[i] = readEveryStep.contains(all.states[i].getSymName()) ||
                       !analyzeLinear(params, own, {}, why);
    }
    for (bool changed = true; changed;) {
      changed = false;
      for (unsigned i = 0; i < n; ++i) {
        if (!clockDriven[i])
          continue;
        all.odes[i].walk([&](ReadOp read) {
          int j = synapse.getStateRow(read.getVar());
          if (j >= 0 && all.odes[j] && !clockDriven[j]) {
            clockDriven[j] = true;
            changed = true;
          }
        });
      }
    }
    OdeSystem eventSys = all, clockSys = all;
    for (unsigned i = 0; i < n; ++i)
      (clockDriven[i] ? eventSys : clockSys).odes[i] = nullptr;
    if (llvm::is_contained(clockDriven, true)) {
      std::string method =
          synapse.getSolver() ? synapse.getSolver()->str() : "";
      if (failed(emitIntegrate(synapse, params, clockSys, method, dt)))
        return failure();
    }
    if (llvm::any_of(eventSys.odes, [](OdeOp ode) { return bool(ode); }))
      return emitAdvance(synapse, params, eventSys);
    return success();
  }

  /// Replaces the event-driven equations of `sys` (each x' = a x + b) by
  /// one nn.advance.
  LogicalResult emitAdvance(SynapseOp synapse,
                            const llvm::StringMap<double> &params,
                            OdeSystem &sys) {
    std::string why;
    std::optional<LinearSystem> linear = analyzeLinear(params, sys, {}, why);
    if (!linear)
      return synapse.emitError() << "internal error: event-driven synapse "
                                    "equations are not linear: "
                                 << why;
    unsigned n = sys.states.size();
    OpBuilder b(synapse.getContext());
    Operation *anchor = nullptr;
    for (OdeOp ode : sys.odes)
      if (ode && (!anchor || ode->isBeforeInBlock(anchor)))
        anchor = ode;
    b.setInsertionPoint(anchor);
    Location loc = anchor->getLoc();
    auto advance = AdvanceOp::create(b, loc);
    Block *block = b.createBlock(&advance.getBody());
    Value elapsed = block->addArgument(b.getF64Type(), loc);
    b.setInsertionPointToStart(block);
    auto constant = [&](double v) -> Value {
      return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
    };
    for (unsigned i = 0; i < n; ++i) {
      double a = linear->A(i, i), c = linear->b[i];
      if (!sys.odes[i] || (a == 0 && c == 0))
        continue;
      Location l = sys.odes[i].getLoc();
      Value x = ReadOp::create(b, l, sys.states[i].getSymName());
      Value next;
      if (a == 0) { // x + c s
        next = arith::AddFOp::create(
            b, l, x, arith::MulFOp::create(b, l, constant(c), elapsed));
      } else {
        Value decay = math::ExpOp::create(
            b, l, arith::MulFOp::create(b, l, constant(a), elapsed));
        double xInf = -c / a;
        if (xInf == 0) {
          next = arith::MulFOp::create(b, l, x, decay);
        } else {
          Value inf = constant(xInf);
          Value offset = arith::SubFOp::create(b, l, x, inf);
          next = arith::AddFOp::create(
              b, l, inf, arith::MulFOp::create(b, l, offset, decay));
        }
      }
      WriteOp::create(b, l, sys.states[i].getSymName(), next);
    }
    YieldOp::create(b, loc);
    for (OdeOp ode : sys.odes)
      if (ode)
        ode.erase();
    return success();
  }

  /// `dt` in a model is the time step of the network that runs it.
  static void replaceTimeStep(Operation *model, double dt) {
    model->walk([&](TimeStepOp op) {
      OpBuilder b(op);
      op.replaceAllUsesWith(
          arith::ConstantOp::create(b, op.getLoc(), b.getF64FloatAttr(dt))
              .getResult());
      op.erase();
    });
  }

  /// The states of a model's body in row order with their equations.
  static OdeSystem collectOdes(Block &body, SmallVector<StateOp, 4> states) {
    OdeSystem sys;
    sys.states = std::move(states);
    for (StateOp s : sys.states) {
      OdeOp found;
      for (OdeOp ode : body.getOps<OdeOp>())
        if (ode.getState() == s.getSymName())
          found = ode;
      sys.odes.push_back(found);
    }
    return sys;
  }

  LogicalResult solve(NeuronOp neuron, double dt) {
    emittedRows.clear();
    replaceTimeStep(neuron, dt);
    OdeSystem sys = collectOdes(neuron.getBodyBlock(), neuron.getStates());
    sys.clamped.assign(sys.states.size(), false);
    if (RefractoryOp refractory = neuron.getRefractory())
      for (Attribute attr : refractory.getClamped()) {
        int row = neuron.getStateRow(cast<FlatSymbolRefAttr>(attr).getValue());
        if (row >= 0)
          sys.clamped[row] = true;
      }

    std::string method = neuron.getSolver() ? neuron.getSolver()->str() : "";
    return emitIntegrate(neuron, neuron.getParamValues(), sys, method, dt);
  }

  /// Replaces the equations of `sys` by one nn.integrate that advances
  /// them by `dt` with `method` (empty: exact for a linear time-invariant
  /// system, otherwise rk4), in the neuron or synapse model `model`.
  LogicalResult emitIntegrate(Operation *model,
                              const llvm::StringMap<double> &params,
                              OdeSystem &sys, std::string method, double dt) {
    emittedRows.clear();
    std::optional<LinearSystem> linear;
    std::string whyNotLinear;
    // Modulator reads and table lookups held during the step.
    SmallVector<std::string> inputKeys;
    SmallVector<Operation *> inputOps;
    for (OdeOp ode : sys.odes)
      if (ode)
        ode.getRhs().walk([&](Operation *op) {
          if (std::optional<std::string> key = stepInputKey(op);
              key && !llvm::is_contained(inputKeys, *key)) {
            inputKeys.push_back(*key);
            inputOps.push_back(op);
          }
        });
    // White noise (`xi`, a normal draw per step in the equation) needs
    // Euler-Maruyama, which is `euler` with the draw scaled by 1/sqrt(dt):
    // any other method would draw once per stage.
    bool noisy = llvm::any_of(sys.odes, [](OdeOp ode) {
      bool random = false;
      if (ode)
        ode.walk([&](Operation *op) { random |= isRandomOp(op); });
      return random;
    });
    if (noisy && method.empty())
      method = "euler";
    if (noisy && method != "euler")
      return model->emitError()
             << "equations with white noise 'xi' need 'solver euler;' "
                "(Euler-Maruyama), not '"
             << method << "'";
    if (method.empty() || method == "exact") {
      linear = analyzeLinear(params, sys, inputKeys, whyNotLinear);
      if (!linear && method == "exact")
        return model->emitError()
               << "solver 'exact' needs a linear, time-invariant system of "
                  "equations, but "
               << whyNotLinear << "; use 'solver rk4;' or 'solver euler;'";
      if (method.empty())
        method = linear ? "exact" : "rk4";
    }
    std::optional<BackwardEulerPlan> backwardEuler;
    if (method == "backward_euler") {
      backwardEuler = planBackwardEuler(params, sys, whyNotLinear);
      if (!backwardEuler)
        return model->emitError() << "solver 'backward_euler' " << whyNotLinear;
    }
    std::optional<SmallVector<OwnDependence>> ownDependence;
    if (method == "exponential_euler") {
      ownDependence = analyzeConditionallyLinear(params, sys, whyNotLinear);
      if (!ownDependence)
        return model->emitError()
               << "solver 'exponential_euler' needs every equation to be "
                  "linear in its own variable, but "
               << whyNotLinear << "; use 'solver rk4;'";
    }

    // The integrate op goes where the first equation was.
    OpBuilder builder(model->getContext());
    Operation *anchor = nullptr;
    for (OdeOp ode : sys.odes)
      if (ode && (!anchor || ode->isBeforeInBlock(anchor)))
        anchor = ode;
    if (!anchor)
      return success(); // no dynamics: nothing to integrate
    builder.setInsertionPoint(anchor);
    Location loc = anchor->getLoc();
    auto integrate =
        IntegrateOp::create(builder, loc, builder.getStringAttr(method),
                            builder.getF64FloatAttr(dt));
    builder.setInsertionPointToStart(builder.createBlock(&integrate.getBody()));

    SmallVector<Value> x;
    for (StateOp s : sys.states)
      x.push_back(ReadOp::create(builder, s.getLoc(), s.getSymName()));
    // Exponential Euler updates each state from values at the start of the
    // step only, so restoring a clamped state afterwards (the kernel does)
    // is the same as zeroing its derivative; the others need the flag.
    if (llvm::is_contained(sys.clamped, true) && method != "exponential_euler")
      sys.refractory = RefractoryNowOp::create(builder, loc);

    SmallVector<Value> next;
    if (method == "exact") {
      // The inputs' values at this step follow the states in x.
      for (Operation *op : inputOps) {
        IRMapping mapping;
        std::function<Value(Operation *)> cloneTree = [&](Operation *o) {
          for (Value operand : o->getOperands())
            if (!mapping.contains(operand))
              mapping.map(operand, cloneTree(operand.getDefiningOp()));
          return builder.clone(*o, mapping)->getResult(0);
        };
        x.push_back(cloneTree(op));
      }
      next = emitExact(builder, *linear, sys, x, dt);
    } else if (method == "exponential_euler")
      next = emitExponentialEuler(builder, sys, *ownDependence, x, dt);
    else if (method == "backward_euler")
      next = emitBackwardEuler(builder, sys, *backwardEuler, x, dt);
    else
      next = emitRungeKutta(builder, method, sys, x, dt);

    for (unsigned i = 0; i < sys.states.size(); ++i)
      if (sys.odes[i])
        WriteOp::create(builder, sys.odes[i].getLoc(),
                        sys.states[i].getSymName(), next[i]);
    YieldOp::create(builder, loc);

    for (OdeOp ode : sys.odes)
      if (ode)
        ode.erase();
    // Reads of states no update uses are dead.
    for (Value v : ArrayRef<Value>(x).take_front(sys.states.size()))
      if (v.use_empty())
        v.getDefiningOp()->erase();
    if (sys.refractory && sys.refractory.use_empty())
      sys.refractory.getDefiningOp()->erase();
    for (TimeOp time : llvm::make_early_inc_range(
             integrate.getBody().front().getOps<TimeOp>()))
      if (time.use_empty())
        time.erase();
    return success();
  }

  /// x(t + dt) = P x(t) + c with [[P, c], [0, 1]] = exp([[A, b], [0, 0]] dt).
  /// While refractory, clamped states have zero derivative: the rows of the
  /// other states whose propagator differs then (they depend on a clamped
  /// state) select between the two propagators.
  SmallVector<Value> emitExact(OpBuilder &builder, const LinearSystem &sys,
                               OdeSystem &ode, ArrayRef<Value> x, double dt) {
    unsigned n = x.size();
    Eigen::MatrixXd m = Eigen::MatrixXd::Zero(n + 1, n + 1);
    m.topLeftCorner(n, n) = sys.A * dt;
    m.topRightCorner(n, 1) = sys.b * dt;
    SmallVector<Value> next = emitPropagator(builder, m, ode, x);
    if (!ode.refractory)
      return next;
    Eigen::MatrixXd clampedM = m;
    unsigned numStates = ode.states.size();
    for (unsigned i = 0; i < numStates; ++i)
      if (ode.clamped[i])
        clampedM.row(i).setZero();
    SmallVector<Value> whileRefractory =
        emitPropagator(builder, clampedM, ode, x);
    for (unsigned i = 0; i < numStates; ++i) {
      if (!next[i] || ode.clamped[i])
        continue; // the kernel restores clamped states itself
      if (whileRefractory[i] == next[i])
        continue;
      next[i] =
          arith::SelectOp::create(builder, ode.odes[i].getLoc(), ode.refractory,
                                  whileRefractory[i], next[i]);
    }
    return next;
  }

  /// Emits x_i(t + dt) = sum_j P_ij x_j + P_i,n for the augmented matrix
  /// m = [[A, b], [0, 0]] dt, with P = exp(m). Identical rows are emitted
  /// once (callers compare the returned values).
  SmallVector<Value> emitPropagator(OpBuilder &builder,
                                    const Eigen::MatrixXd &m, OdeSystem &ode,
                                    ArrayRef<Value> x) {
    unsigned n = x.size();
    Eigen::MatrixXd p = balancedExp(m);

    // Entries that are structurally zero (j cannot influence i through A)
    // are exactly zero; this keeps e.g. a clamped v out of ge's update.
    std::vector<std::vector<bool>> reach(n + 1, std::vector<bool>(n + 1));
    for (unsigned i = 0; i <= n; ++i)
      for (unsigned j = 0; j <= n; ++j)
        reach[i][j] = i == j || m(i, j) != 0.0;
    for (unsigned k = 0; k <= n; ++k)
      for (unsigned i = 0; i <= n; ++i)
        for (unsigned j = 0; j <= n; ++j)
          if (reach[i][k] && reach[k][j])
            reach[i][j] = true;

    SmallVector<Value> next(n);
    for (unsigned i = 0; i < ode.states.size(); ++i) {
      if (!ode.odes[i])
        continue;
      // Reuse the row if an earlier propagator emitted the same one.
      std::vector<double> row;
      for (unsigned j = 0; j <= n; ++j)
        row.push_back(reach[i][j] ? p(i, j) : 0.0);
      auto key = std::make_pair(i, row);
      if (auto it = emittedRows.find(key); it != emittedRows.end()) {
        next[i] = it->second;
        continue;
      }
      Location loc = ode.odes[i].getLoc();
      Value sum;
      auto add = [&](Value term) {
        sum =
            sum ? Value(arith::AddFOp::create(builder, loc, sum, term)) : term;
      };
      for (unsigned j = 0; j < n; ++j) {
        if (row[j] == 0.0)
          continue;
        Value coeff = arith::ConstantOp::create(
            builder, loc, builder.getF64FloatAttr(row[j]));
        add(arith::MulFOp::create(builder, loc, coeff, x[j]));
      }
      if (row[n] != 0.0)
        add(arith::ConstantOp::create(builder, loc,
                                      builder.getF64FloatAttr(row[n])));
      if (!sum)
        sum = arith::ConstantOp::create(builder, loc,
                                        builder.getF64FloatAttr(0.0));
      next[i] = sum;
      emittedRows[key] = sum;
    }
    return next;
  }

  /// Rows emitted by emitPropagator for the model being solved.
  std::map<std::pair<unsigned, std::vector<double>>, Value> emittedRows;

  /// Clones equation `i`'s right-hand side at the given state and time.
  Value emitRhs(OpBuilder &builder, OdeSystem &sys, unsigned i,
                ArrayRef<Value> x, Value time) {
    IRMapping mapping;
    for (Operation &op : sys.odes[i].getRhs().front()) {
      if (auto yield = dyn_cast<YieldOp>(op)) {
        Value f = mapping.lookup(yield.getValues()[0]);
        if (!sys.refractory || !sys.clamped[i])
          return f;
        Location loc = yield.getLoc();
        Value zero = arith::ConstantOp::create(builder, loc,
                                               builder.getF64FloatAttr(0.0));
        return arith::SelectOp::create(builder, loc, sys.refractory, zero, f);
      }
      if (auto read = dyn_cast<ReadOp>(op)) {
        int row = -1;
        for (unsigned k = 0; k < sys.states.size(); ++k)
          if (sys.states[k].getSymName() == read.getVar())
            row = k;
        if (row >= 0) {
          mapping.map(read.getResult(), x[row]);
          continue;
        }
      }
      if (isa<TimeOp>(op) && time) {
        mapping.map(op.getResult(0), time);
        continue;
      }
      builder.clone(op, mapping);
    }
    return {};
  }

  /// Clones each equation's right-hand side at the given state and time.
  SmallVector<Value> emitDerivatives(OpBuilder &builder, OdeSystem &sys,
                                     ArrayRef<Value> x, Value time) {
    SmallVector<Value> f(x.size());
    for (unsigned i = 0; i < x.size(); ++i)
      if (sys.odes[i])
        f[i] = emitRhs(builder, sys, i, x, time);
    return f;
  }

  /// Brian2's exponential Euler: with x_i' = A x_i + B (A, B evaluated at
  /// the state at the start of the step), x_i <- -B/A + (x_i + B/A) e^{A dt};
  /// x_i <- x_i + dt B where x_i does not appear in its own equation.
  SmallVector<Value> emitExponentialEuler(OpBuilder &builder, OdeSystem &sys,
                                          ArrayRef<OwnDependence> dependence,
                                          ArrayRef<Value> x, double dt) {
    SmallVector<Value> next(x.begin(), x.end());
    Value time;
    for (unsigned i = 0; i < x.size(); ++i) {
      if (!sys.odes[i])
        continue;
      Location loc = sys.odes[i].getLoc();
      if (!time)
        time = TimeOp::create(builder, loc);
      auto cst = [&](double v) -> Value {
        return arith::ConstantOp::create(builder, loc,
                                         builder.getF64FloatAttr(v));
      };
      SmallVector<Value> at(x.begin(), x.end());
      at[i] = cst(0.0);
      Value b = emitRhs(builder, sys, i, at, time);
      if (dependence[i] == OwnDependence::Constant) {
        next[i] = arith::AddFOp::create(
            builder, loc, x[i],
            arith::MulFOp::create(builder, loc, cst(dt), b));
        continue;
      }
      at[i] = cst(1.0);
      Value a = arith::SubFOp::create(builder, loc,
                                      emitRhs(builder, sys, i, at, time), b);
      Value ba = arith::DivFOp::create(builder, loc, b, a);
      Value decay = math::ExpOp::create(
          builder, loc, arith::MulFOp::create(builder, loc, a, cst(dt)));
      next[i] = arith::SubFOp::create(
          builder, loc,
          arith::MulFOp::create(builder, loc,
                                arith::AddFOp::create(builder, loc, x[i], ba),
                                decay),
          ba);
    }
    return next;
  }

  /// One step of solver 'backward_euler' (see BackwardEulerPlan). The
  /// potentials solve (I - dt J) dv = dt f(x), J the Jacobian of their
  /// equations with respect to the potentials at the start of the step,
  /// taken by finite differences as NEURON does (a step of 1e-6 V, its
  /// 0.001 mV): exact for the couplings and leaks, which are linear, and the
  /// channel conductances at the current gates. The forest's matrix is
  /// eliminated leaves first without fill-in (Hines 1984). The other states
  /// then take an exponential Euler step with the new potentials.
  SmallVector<Value> emitBackwardEuler(OpBuilder &builder, OdeSystem &sys,
                                       const BackwardEulerPlan &plan,
                                       ArrayRef<Value> x, double dt) {
    constexpr double step = 1e-6;
    unsigned m = plan.voltages.size();
    Location loc = sys.odes[plan.voltages.front()].getLoc();
    auto cst = [&](double v) -> Value {
      return arith::ConstantOp::create(builder, loc,
                                       builder.getF64FloatAttr(v));
    };
    auto add = [&](Value a, Value b) -> Value {
      return arith::AddFOp::create(builder, loc, a, b);
    };
    auto sub = [&](Value a, Value b) -> Value {
      return arith::SubFOp::create(builder, loc, a, b);
    };
    auto mul = [&](Value a, Value b) -> Value {
      return arith::MulFOp::create(builder, loc, a, b);
    };
    auto div = [&](Value a, Value b) -> Value {
      return arith::DivFOp::create(builder, loc, a, b);
    };
    Value time = TimeOp::create(builder, loc);
    SmallVector<Value> f(m), rhs(m);
    for (unsigned k = 0; k < m; ++k) {
      f[k] = emitRhs(builder, sys, plan.voltages[k], x, time);
      rhs[k] = mul(cst(dt), f[k]);
    }
    // matrix[{k, j}] = (I - dt J)_kj for the entries that can be nonzero.
    std::map<std::pair<unsigned, unsigned>, Value> matrix;
    for (unsigned j = 0; j < m; ++j) {
      SmallVector<Value> shifted(x.begin(), x.end());
      unsigned row = plan.voltages[j];
      shifted[row] = add(x[row], cst(step));
      for (unsigned k = 0; k < m; ++k) {
        if (!llvm::is_contained(plan.reads[k], j))
          continue;
        Value df =
            sub(emitRhs(builder, sys, plan.voltages[k], shifted, time), f[k]);
        Value entry = mul(cst(-dt / step), df);
        matrix[{k, j}] = k == j ? add(cst(1.0), entry) : entry;
      }
    }
    auto entry = [&](unsigned k, unsigned j) -> Value {
      auto it = matrix.find({k, j});
      return it == matrix.end() ? Value() : it->second;
    };
    for (unsigned k : plan.order) {
      int p = plan.parent[k];
      Value below = p < 0 ? Value() : entry(p, k);
      if (!below)
        continue;
      Value factor = div(below, entry(k, k));
      rhs[p] = sub(rhs[p], mul(factor, rhs[k]));
      if (Value above = entry(k, p))
        matrix[{p, p}] = sub(entry(p, p), mul(factor, above));
    }
    SmallVector<Value> next(x.begin(), x.end());
    SmallVector<Value> delta(m);
    for (unsigned k : llvm::reverse(plan.order)) {
      int p = plan.parent[k];
      Value r = rhs[k];
      if (Value above = p < 0 ? Value() : entry(k, p))
        r = sub(r, mul(above, delta[p]));
      delta[k] = div(r, entry(k, k));
      next[plan.voltages[k]] = add(x[plan.voltages[k]], delta[k]);
    }
    // The other states see the new potentials. Their clamped rows need no
    // select: the kernel restores clamped states after the update.
    OdeSystem rest = sys;
    rest.refractory = Value();
    for (unsigned row : plan.voltages)
      rest.odes[row] = nullptr;
    SmallVector<Value> others =
        emitExponentialEuler(builder, rest, plan.others, next, dt);
    for (unsigned i = 0; i < x.size(); ++i)
      if (rest.odes[i])
        next[i] = others[i];
    return next;
  }

  /// Euler, midpoint RK2 and classic RK4, as Brian2 defines them.
  SmallVector<Value> emitRungeKutta(OpBuilder &builder, StringRef method,
                                    OdeSystem &sys, ArrayRef<Value> x,
                                    double dt) {
    Location loc = builder.getUnknownLoc();
    for (OdeOp ode : sys.odes)
      if (ode) {
        loc = ode.getLoc();
        break;
      }
    auto cst = [&](double v) -> Value {
      return arith::ConstantOp::create(builder, loc,
                                       builder.getF64FloatAttr(v));
    };
    unsigned n = x.size();
    Value t0 = TimeOp::create(builder, loc);
    auto shifted = [&](double frac) -> Value {
      return arith::AddFOp::create(builder, loc, t0, cst(frac * dt));
    };
    // y = x + h * k (only for states with an equation).
    auto axpy = [&](ArrayRef<Value> k, double h) {
      SmallVector<Value> y(x.begin(), x.end());
      for (unsigned i = 0; i < n; ++i)
        if (k[i])
          y[i] = arith::AddFOp::create(
              builder, loc, x[i],
              arith::MulFOp::create(builder, loc, cst(h), k[i]));
      return y;
    };
    SmallVector<Value> k1 = emitDerivatives(builder, sys, x, t0);
    if (method == "euler")
      return axpy(k1, dt);
    SmallVector<Value> k2 =
        emitDerivatives(builder, sys, axpy(k1, dt / 2), shifted(0.5));
    if (method == "rk2")
      return axpy(k2, dt);
    SmallVector<Value> k3 =
        emitDerivatives(builder, sys, axpy(k2, dt / 2), shifted(0.5));
    SmallVector<Value> k4 =
        emitDerivatives(builder, sys, axpy(k3, dt), shifted(1.0));
    SmallVector<Value> result(x.begin(), x.end());
    for (unsigned i = 0; i < n; ++i) {
      if (!k1[i])
        continue;
      // x + dt/6 (k1 + 2 k2 + 2 k3 + k4)
      Value s = arith::AddFOp::create(builder, loc, k1[i], k4[i]);
      Value mid = arith::AddFOp::create(builder, loc, k2[i], k3[i]);
      s = arith::AddFOp::create(
          builder, loc, s, arith::MulFOp::create(builder, loc, cst(2.0), mid));
      result[i] = arith::AddFOp::create(
          builder, loc, x[i],
          arith::MulFOp::create(builder, loc, cst(dt / 6.0), s));
    }
    return result;
  }
};

} // namespace
