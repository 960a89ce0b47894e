//===- NNToKernels.cpp - Neuron models and synapses to loop kernels -------===//
//
// Lowers the per-neuron semantics of a solved model (integrate, refractory
// clamp, threshold, reset) and each projection's `on pre` body into loops
// over structure-of-arrays state. See Passes.td for the kernel signatures
// and docs/semantics.md for the order of operations within a step.
//
//===----------------------------------------------------------------------===//

#include "nnc/Conversion/Passes.h"
#include "nnc/Conversion/RuntimeABI.h"
#include "nnc/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <array>
#include <cmath>
#include <functional>
#include <map>

namespace nnc {
#define GEN_PASS_DEF_CONVERTNNTOKERNELS
#include "nnc/Conversion/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc;
using namespace nnc::nn;

namespace {

/// Values of a model's variables while lowering the body of a neuron loop:
/// state values (as they are now), parameter constants, the time, and the
/// random-number source for initial values.
struct Environment {
  llvm::MapVector<StringRef, Value> state;
  llvm::StringMap<double> params;
  Value time;
  /// The neuron's index (f64), in a population's init region.
  Value index;
  /// i1: the neuron is refractory in this step (nn.refractory_now).
  Value refractory;
  /// When set, nn.write becomes `select(guard, value, current)`.
  Value guard;
  /// When set, nn.read of a state sees these values instead of `state`
  /// (nn.integrate reads observe the state at the start of the step).
  const llvm::MapVector<StringRef, Value> *readSnapshot = nullptr;
  /// Random numbers: key argument, neuron counter base, next draw index.
  Value rngKey, rngCounterBase;
  unsigned nextDraw = 0;
  /// The value of an nn.read_modulator (set where modulators can be read),
  /// built at the builder's point; `region` is its mapped region index.
  std::function<Value(OpBuilder &, ReadModulatorOp, Value region)>
      readModulator;
  /// The value of an nn.table_lookup at a time and column (set where
  /// tables can be read: kernels that run every step).
  std::function<Value(OpBuilder &, TableLookupOp, Value, Value)> lookupTable;
  /// The value of an nn.read_pre or nn.read_post (in a projection's
  /// probability region).
  std::function<Value(OpBuilder &, Operation *)> readEndpoint;
};

/// Philox4x32-10 (Salmon et al., SC'11; Random123's philox4x32 with 10
/// rounds) of counter (counter, 0) under key `key`, inline, so that loops
/// drawing random numbers still vectorise. Bit-identical to the runtime's
/// nnc_rt_uniform/nnc_rt_normal (runtime/lib/Philox.h).
std::array<Value, 4> emitPhilox(OpBuilder &b, Location loc, Value key,
                                Value counter) {
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  auto c32 = [&](uint32_t v) -> Value {
    return arith::ConstantOp::create(
        b, loc, b.getI32IntegerAttr(static_cast<int32_t>(v)));
  };
  auto c64 = [&](uint64_t v) -> Value {
    return arith::ConstantOp::create(
        b, loc, b.getI64IntegerAttr(static_cast<int64_t>(v)));
  };
  auto lo32 = [&](Value v64) -> Value {
    return arith::TruncIOp::create(b, loc, i32, v64);
  };
  auto hi32 = [&](Value v64) -> Value {
    return arith::TruncIOp::create(
        b, loc, i32, arith::ShRUIOp::create(b, loc, v64, c64(32)));
  };
  std::array<Value, 4> ctr = {lo32(counter), hi32(counter), c32(0), c32(0)};
  Value k0 = lo32(key), k1 = hi32(key);
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 = arith::AddIOp::create(b, loc, k0, c32(0x9E3779B9u));
      k1 = arith::AddIOp::create(b, loc, k1, c32(0xBB67AE85u));
    }
    // 32 x 32 -> 64-bit products, split into high and low words.
    Value p0 = arith::MulIOp::create(
        b, loc, c64(0xD2511F53u), arith::ExtUIOp::create(b, loc, i64, ctr[0]));
    Value p1 = arith::MulIOp::create(
        b, loc, c64(0xCD9E8D57u), arith::ExtUIOp::create(b, loc, i64, ctr[2]));
    Value x0 = arith::XOrIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, hi32(p1), ctr[1]), k0);
    Value x2 = arith::XOrIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, hi32(p0), ctr[3]), k1);
    ctr = {x0, lo32(p1), x2, lo32(p0)};
  }
  return ctr;
}

/// The top 53 bits of (hi:lo) as a double in [0, 1).
Value emitUnit53(OpBuilder &b, Location loc, Value hi, Value lo) {
  Type i64 = b.getI64Type();
  Value bits = arith::OrIOp::create(
      b, loc,
      arith::ShLIOp::create(
          b, loc, arith::ExtUIOp::create(b, loc, i64, hi),
          arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(32))),
      arith::ExtUIOp::create(b, loc, i64, lo));
  Value top = arith::ShRUIOp::create(
      b, loc, bits, arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(11)));
  return arith::MulFOp::create(
      b, loc, arith::UIToFPOp::create(b, loc, b.getF64Type(), top),
      arith::ConstantOp::create(b, loc, b.getF64FloatAttr(0x1.0p-53)));
}

Value f64Constant(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
}

/// A standard normal deviate from one Philox block: Box-Muller on its two
/// halves, u1 in (0, 1] so that log(u1) is finite, u2 in [0, 1) for the
/// angle (as nnc_rt_normal).
Value emitStandardNormal(OpBuilder &b, Location loc,
                         const std::array<Value, 4> &w) {
  Value u1 = arith::SubFOp::create(b, loc, f64Constant(b, loc, 1.0),
                                   emitUnit53(b, loc, w[0], w[1]));
  Value u2 = emitUnit53(b, loc, w[2], w[3]);
  Value radius = math::SqrtOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, f64Constant(b, loc, -2.0),
                            math::LogOp::create(b, loc, u1)));
  Value angle = math::CosOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, f64Constant(b, loc, 6.283185307179586),
                            u2));
  return arith::MulFOp::create(b, loc, radius, angle);
}

/// A Poisson count (as f64) with mean `lambda` <= 100, by inversion of the
/// cumulative distribution with uniform `u`: the smallest k with
/// u < P(X <= k). The terms are summed in increasing k, so the loop runs
/// about lambda + 1 times.
Value emitPoisson(OpBuilder &b, Location loc, Value lambda, Value u) {
  Type f64 = b.getF64Type();
  Value p0 = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, lambda));
  // A safety bound far in the tail (lambda + 20 sqrt(lambda) + 40), so
  // rounding in the running sum can never loop forever.
  Value limit = arith::AddFOp::create(
      b, loc,
      arith::AddFOp::create(
          b, loc, lambda,
          arith::MulFOp::create(b, loc, f64Constant(b, loc, 20.0),
                                math::SqrtOp::create(b, loc, lambda))),
      f64Constant(b, loc, 40.0));
  // iter args: k, term p_k, cumulative F_k
  auto loop = scf::WhileOp::create(
      b, loc, TypeRange{f64, f64, f64},
      ValueRange{f64Constant(b, loc, 0.0), p0, p0},
      [&](OpBuilder &cb, Location cl, ValueRange args) {
        Value more = arith::AndIOp::create(
            cb, cl,
            arith::CmpFOp::create(cb, cl, arith::CmpFPredicate::OGE, u,
                                  args[2]),
            arith::CmpFOp::create(cb, cl, arith::CmpFPredicate::OLT, args[0],
                                  limit));
        scf::ConditionOp::create(cb, cl, more, args);
      },
      [&](OpBuilder &bb, Location bl, ValueRange args) {
        Value k =
            arith::AddFOp::create(bb, bl, args[0], f64Constant(bb, bl, 1.0));
        Value p = arith::MulFOp::create(
            bb, bl, args[1], arith::DivFOp::create(bb, bl, lambda, k));
        Value cumulative = arith::AddFOp::create(bb, bl, args[2], p);
        scf::YieldOp::create(bb, bl, ValueRange{k, p, cumulative});
      });
  return loop.getResult(0);
}

/// A Poisson count with compile-time mean `mean`, by the same inversion as
/// emitPoisson but branch-free: with the cumulative probabilities F_j
/// computed here, k = #{j : F_j <= u} (the smallest k with u < F_k), summed
/// over every j whose F_j can be <= a u < 1 - 2^-53. A fixed number of
/// compares, so the loop over neurons still vectorises.
Value emitPoissonConstantMean(OpBuilder &b, Location loc, double mean,
                              Value u) {
  Value count = f64Constant(b, loc, 0.0);
  long double term = std::exp(-static_cast<long double>(mean));
  long double cumulative = term;
  for (int j = 0; cumulative < 1.0L - 0x1.0p-54L && j < 1000; ++j) {
    Value reached = arith::CmpFOp::create(
        b, loc, arith::CmpFPredicate::OLE,
        f64Constant(b, loc, static_cast<double>(cumulative)), u);
    count = arith::AddFOp::create(
        b, loc, count,
        arith::UIToFPOp::create(
            b, loc, b.getF64Type(),
            arith::ExtUIOp::create(b, loc, b.getI32Type(), reached)));
    term *= mean / (j + 1);
    cumulative += term;
  }
  return count;
}

/// Above this mean a Poisson count is drawn from its normal approximation:
/// inversion would take ~mean steps, and exp(-mean) underflows past ~700.
constexpr double kMaxInvertedPoissonMean = 100.0;

/// A Poisson count with a large mean `lambda` (> kMaxInvertedPoissonMean),
/// from the normal approximation N(lambda, lambda), rounded and clipped at
/// 0 (as Brian2's PoissonInput does for large counts).
Value emitPoissonNormal(OpBuilder &b, Location loc, Value lambda,
                        const std::array<Value, 4> &w) {
  Value deviate =
      arith::MulFOp::create(b, loc, math::SqrtOp::create(b, loc, lambda),
                            emitStandardNormal(b, loc, w));
  Value k = math::FloorOp::create(
      b, loc,
      arith::AddFOp::create(b, loc,
                            arith::AddFOp::create(b, loc, lambda, deviate),
                            f64Constant(b, loc, 0.5)));
  return arith::MaxNumFOp::create(b, loc, k, f64Constant(b, loc, 0.0));
}

/// The value of random op `op` (nn.uniform, ...) with lowered operands
/// `args`, from the Philox block of (key, counter).
Value emitRandom(OpBuilder &b, Location loc, Operation *op, ValueRange args,
                 Value key, Value counter) {
  std::array<Value, 4> w = emitPhilox(b, loc, key, counter);
  if (isa<UniformOp>(op)) { // low + u (high - low)
    Value width = arith::SubFOp::create(b, loc, args[1], args[0]);
    return arith::AddFOp::create(
        b, loc, args[0],
        arith::MulFOp::create(b, loc, emitUnit53(b, loc, w[0], w[1]), width));
  }
  if (isa<NormalOp>(op)) // mean + z stddev
    return arith::AddFOp::create(
        b, loc, args[0],
        arith::MulFOp::create(b, loc, emitStandardNormal(b, loc, w), args[1]));
  if (isa<LognormalOp>(op)) // exp(mu + z sigma)
    return math::ExpOp::create(
        b, loc,
        arith::AddFOp::create(
            b, loc, args[0],
            arith::MulFOp::create(b, loc, emitStandardNormal(b, loc, w),
                                  args[1])));
  // u in (0, 1] for the exponential (log(u) finite), [0, 1) for Poisson.
  Value u = emitUnit53(b, loc, w[0], w[1]);
  if (isa<ExponentialOp>(op)) // -mean log(1 - u)
    return arith::MulFOp::create(
        b, loc, arith::NegFOp::create(b, loc, args[0]),
        math::LogOp::create(
            b, loc,
            arith::SubFOp::create(b, loc, f64Constant(b, loc, 1.0), u)));
  return emitPoisson(b, loc, args[0], u);
}

/// Clones the ops of `region` (a single block ending in nn.yield) at the
/// builder's insertion point, lowering nn ops against `env`. Returns the
/// yielded values.
SmallVector<Value> lowerRegion(OpBuilder &b, Region &region, Environment &env,
                               ValueRange args = {}) {
  IRMapping mapping;
  for (auto [arg, value] : llvm::zip(region.front().getArguments(), args))
    mapping.map(arg, value);
  for (Operation &op : region.front()) {
    Location loc = op.getLoc();
    if (auto yield = dyn_cast<YieldOp>(op)) {
      SmallVector<Value> results;
      for (Value v : yield.getValues())
        results.push_back(mapping.lookup(v));
      return results;
    }
    if (auto read = dyn_cast<ReadOp>(op)) {
      StringRef name = read.getVar();
      const auto &view = env.readSnapshot ? *env.readSnapshot : env.state;
      auto it = view.find(name);
      Value value;
      if (it != view.end()) {
        value = it->second;
      } else {
        // Parameters are compile-time constants of the model.
        value = arith::ConstantOp::create(
            b, loc, b.getF64FloatAttr(env.params.lookup(name)));
      }
      mapping.map(read.getResult(), value);
      continue;
    }
    if (auto write = dyn_cast<WriteOp>(op)) {
      Value value = mapping.lookup(write.getValue());
      Value &slot = env.state[write.getVar()];
      if (env.guard)
        value = arith::SelectOp::create(b, loc, env.guard, value, slot);
      slot = value;
      continue;
    }
    if (auto time = dyn_cast<TimeOp>(op)) {
      mapping.map(time.getResult(), env.time);
      continue;
    }
    if (auto read = dyn_cast<ReadModulatorOp>(op)) {
      Value region =
          read.getRegion() ? mapping.lookup(read.getRegion()) : Value();
      mapping.map(read.getResult(), env.readModulator(b, read, region));
      continue;
    }
    if (auto lookup = dyn_cast<TableLookupOp>(op)) {
      // The pass rejects lookups outside per-step kernels beforehand.
      Value column =
          lookup.getColumn() ? mapping.lookup(lookup.getColumn()) : Value();
      mapping.map(lookup.getResult(),
                  env.lookupTable
                      ? env.lookupTable(
                            b, lookup, mapping.lookup(lookup.getTime()), column)
                      : arith::ConstantOp::create(b, loc, b.getF64FloatAttr(0))
                            .getResult());
      continue;
    }
    if (isa<ReadPreOp, ReadPostOp>(op)) {
      mapping.map(op.getResult(0), env.readEndpoint(b, &op));
      continue;
    }
    if (auto flag = dyn_cast<RefractoryNowOp>(op)) {
      mapping.map(flag.getResult(), env.refractory);
      continue;
    }
    if (auto index = dyn_cast<IndexOp>(op)) {
      mapping.map(index.getResult(), env.index);
      continue;
    }
    if (isRandomOp(&op)) {
      // counter = neuron * draws-per-neuron + draw index (set by the caller)
      Value counter = arith::AddIOp::create(
          b, loc, env.rngCounterBase,
          arith::ConstantOp::create(b, loc,
                                    b.getI64IntegerAttr(env.nextDraw++)));
      SmallVector<Value, 2> args;
      for (Value operand : op.getOperands())
        args.push_back(mapping.lookup(operand));
      mapping.map(op.getResult(0),
                  emitRandom(b, loc, &op, args, env.rngKey, counter));
      continue;
    }
    b.clone(op, mapping);
  }
  return {};
}

unsigned countRandomDraws(Operation *op) {
  unsigned n = 0;
  op->walk([&](Operation *inner) { n += isRandomOp(inner); });
  return n;
}

class KernelBuilder {
public:
  KernelBuilder(ModuleOp module) : module(module), b(module.getContext()) {
    b.setInsertionPointToEnd(module.getBody());
    f64 = b.getF64Type();
    i64 = b.getI64Type();
    i32 = b.getI32Type();
  }

  MemRefType stateType(NeuronOp neuron) {
    return MemRefType::get(
        {static_cast<int64_t>(neuron.getNumStateRows()), ShapedType::kDynamic},
        f64);
  }

  /// The update kernel's state and spike buffers are views of a chunk of
  /// the population (the runtime splits large populations across threads):
  /// any offset, and a row stride that is the population's size.
  MemRefType chunkStateType(NeuronOp neuron) {
    return MemRefType::get(
        {static_cast<int64_t>(neuron.getNumStateRows()), ShapedType::kDynamic},
        f64,
        StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic,
                               {ShapedType::kDynamic, 1}));
  }
  MemRefType chunkSpikeType() {
    return MemRefType::get(
        {ShapedType::kDynamic}, i32,
        StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic, {1}));
  }

  func::FuncOp kernel(Location loc, StringRef name, TypeRange args,
                      TypeRange results) {
    auto fn =
        func::FuncOp::create(b, loc, name, b.getFunctionType(args, results));
    fn->setAttr("llvm.emit_c_interface", b.getUnitAttr());
    fn.addEntryBlock();
    currentKernel = fn;
    return fn;
  }

  Value index(Location loc, int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }

  /// `<population>_init(state, key)`: every row's initial value per neuron.
  /// Per-neuron parameters take their defaults, then the population's own
  /// values apply, then the states the population does not set are
  /// initialised (so their initial values see the population's parameters).
  void buildInit(PopulationOp pop, NeuronOp neuron) {
    Location loc = pop.getLoc();
    auto fn = kernel(loc, abi::initKernel(pop.getSymName()),
                     {stateType(neuron), i64}, {});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&fn.front());
    Value state = fn.getArgument(0), key = fn.getArgument(1);
    Value n = memref::DimOp::create(b, loc, state, 1);
    unsigned draws = countRandomDraws(neuron) + countRandomDraws(pop);
    int refractoryRow = neuron.getRefractoryRow();
    SmallVector<StateOp, 4> states = neuron.getStates();
    scf::ForOp::create(
        b, loc, index(loc, 0), n, index(loc, 1), ValueRange{},
        [&](OpBuilder &lb, Location l, Value i, ValueRange) {
          Environment env;
          env.params = neuron.getParamValues();
          env.rngKey = key;
          Value i64v = arith::IndexCastOp::create(lb, l, i64, i);
          env.index = arith::SIToFPOp::create(lb, l, f64, i64v);
          env.rngCounterBase = arith::MulIOp::create(
              lb, l, i64v,
              arith::ConstantOp::create(lb, l, lb.getI64IntegerAttr(draws)));
          for (StateOp s : states)
            if (s.getParameter())
              env.state[s.getSymName()] = lowerRegion(lb, s.getInit(), env)[0];
          llvm::StringSet<> setByPopulation;
          if (!pop.getInit().empty()) {
            pop.getInit().walk(
                [&](WriteOp w) { setByPopulation.insert(w.getVar()); });
            lowerRegion(lb, pop.getInit(), env);
          }
          for (StateOp s : states)
            if (!s.getParameter() && !setByPopulation.contains(s.getSymName()))
              env.state[s.getSymName()] = lowerRegion(lb, s.getInit(), env)[0];
          for (auto [row, s] : llvm::enumerate(states))
            memref::StoreOp::create(
                lb, s.getLoc(), env.state[s.getSymName()], state,
                ValueRange{arith::ConstantIndexOp::create(lb, l, row), i});
          if (refractoryRow >= 0) {
            // Not refractory at the first step: refractory while step < row.
            Value zero =
                arith::ConstantOp::create(lb, l, lb.getF64FloatAttr(0));
            memref::StoreOp::create(
                lb, l, zero, state,
                ValueRange{arith::ConstantIndexOp::create(lb, l, refractoryRow),
                           i});
          }
          scf::YieldOp::create(lb, l);
        });
    func::ReturnOp::create(b, loc);
  }

  /// `<model>_update(state, spikes, step, key) -> numSpikes`.
  void buildUpdate(NeuronOp neuron, double dt) {
    Location loc = neuron.getLoc();
    // The network of a population of the model (one network per module).
    Operation *network = nullptr;
    module.walk([&](PopulationOp pop) {
      if (pop.getModel() == neuron.getSymName())
        network = pop->getParentOp();
    });
    auto fn =
        kernel(loc, abi::updateKernel(neuron.getSymName()),
               {chunkStateType(neuron), chunkSpikeType(), i64, i64}, {i64});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&fn.front());
    Value state = fn.getArgument(0), spikes = fn.getArgument(1);
    Value stepIndex = fn.getArgument(2), key = fn.getArgument(3);
    Value step = arith::SIToFPOp::create(b, loc, f64, stepIndex);
    Value time = arith::MulFOp::create(
        b, loc, step, arith::ConstantOp::create(b, loc, b.getF64FloatAttr(dt)));
    Value n = memref::DimOp::create(b, loc, state, 1);
    Value zero = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0));

    auto integrate = neuron.getBodyBlock().getOps<IntegrateOp>();
    auto thresholds = neuron.getBodyBlock().getOps<ThresholdOp>();
    auto resets = neuron.getBodyBlock().getOps<OnSpikeOp>();
    RefractoryOp refractory = neuron.getRefractory();
    SmallVector<StateOp, 4> states = neuron.getStates();

    // Random numbers in equations (white noise), spike conditions and
    // resets: counter (step * size + neuron) * draws + d, with the
    // population's size and the chunk's first neuron read from the view
    // (Runtime.h).
    unsigned draws = 0;
    for (Operation &op : neuron.getBodyBlock())
      if (isa<IntegrateOp, ThresholdOp, OnSpikeOp>(op))
        draws += countRandomDraws(&op);
    // Equations may read the neuron's index (a parameter bound to a
    // column of a table: `I = drive(t, i)`): the chunk's first neuron
    // plus the loop index.
    bool readsIndex = false;
    neuron.walk([&](IndexOp) { readsIndex = true; });
    Value stepBase, chunkBegin;
    if (draws || readsIndex) {
      auto meta = memref::ExtractStridedMetadataOp::create(b, loc, state);
      Value size =
          arith::IndexCastOp::create(b, loc, i64, meta.getStrides()[0]);
      chunkBegin = arith::IndexCastOp::create(b, loc, i64, meta.getOffset());
      stepBase = arith::MulIOp::create(b, loc, stepIndex, size);
    }

    // Loop 1 updates every neuron and writes a 0/1 spike flag per neuron
    // into `spikes`; with no loop-carried state it vectorises.
    scf::ForOp::create(
        b, loc, index(loc, 0), n, index(loc, 1), ValueRange{},
        [&](OpBuilder &lb, Location l, Value i, ValueRange) {
          auto rowIndex = [&](int row) {
            return arith::ConstantIndexOp::create(lb, l, row);
          };
          Environment env;
          env.params = neuron.getParamValues();
          env.time = time;
          env.readModulator = modulatorReader(network);
          env.lookupTable = tableReader(network);
          if (readsIndex)
            env.index = arith::SIToFPOp::create(
                lb, l, f64,
                arith::AddIOp::create(
                    lb, l, chunkBegin,
                    arith::IndexCastOp::create(lb, l, i64, i)));
          if (draws) {
            env.rngKey = key;
            Value neuronIndex = arith::AddIOp::create(
                lb, l, arith::AddIOp::create(lb, l, stepBase, chunkBegin),
                arith::IndexCastOp::create(lb, l, i64, i));
            env.rngCounterBase = arith::MulIOp::create(
                lb, l, neuronIndex,
                arith::ConstantOp::create(lb, l, lb.getI64IntegerAttr(draws)));
          }
          for (auto [row, s] : llvm::enumerate(states))
            env.state[s.getSymName()] = memref::LoadOp::create(
                lb, s.getLoc(), state, ValueRange{rowIndex(row), i});
          llvm::MapVector<StringRef, Value> old = env.state;

          // Refractory during this step: decided by the state at its start.
          // The row holds the step until which the neuron is refractory
          // or, for `refractory while`, 1 while it is (Brian2:
          // not_refractory = not_refractory or not COND).
          Value refractoryUntil, isRefractory;
          if (refractory) {
            refractoryUntil = memref::LoadOp::create(
                lb, refractory.getLoc(), state,
                ValueRange{rowIndex(neuron.getRefractoryRow()), i});
            if (refractory.isConditional()) {
              Value wasRefractory = arith::CmpFOp::create(
                  lb, refractory.getLoc(), arith::CmpFPredicate::ONE,
                  refractoryUntil,
                  arith::ConstantOp::create(lb, l, lb.getF64FloatAttr(0)));
              Value holds = lowerRegion(lb, refractory.getCondition(), env)[0];
              isRefractory = arith::AndIOp::create(lb, refractory.getLoc(),
                                                   wasRefractory, holds);
            } else {
              isRefractory = arith::CmpFOp::create(lb, refractory.getLoc(),
                                                   arith::CmpFPredicate::OLT,
                                                   step, refractoryUntil);
            }
            env.refractory = isRefractory;
          }
          // 1. Integrate one step (reads see the state at step start).
          if (!integrate.empty()) {
            env.readSnapshot = &old;
            lowerRegion(lb, (*integrate.begin()).getBody(), env);
            env.readSnapshot = nullptr;
          }
          // 2. Refractory neurons keep their clamped states.
          if (refractory) {
            for (Attribute attr : refractory.getClamped()) {
              StringRef name = cast<FlatSymbolRefAttr>(attr).getValue();
              env.state[name] =
                  arith::SelectOp::create(lb, refractory.getLoc(), isRefractory,
                                          old[name], env.state[name]);
            }
          }
          // 3. Threshold, then 4. reset, as selects (no branches).
          Value spiked;
          if (!thresholds.empty()) {
            ThresholdOp threshold = *thresholds.begin();
            spiked = lowerRegion(lb, threshold.getCondition(), env)[0];
            if (refractory) {
              Value notRefractory = arith::XOrIOp::create(
                  lb, l, isRefractory,
                  arith::ConstantOp::create(lb, l, lb.getBoolAttr(true)));
              spiked = arith::AndIOp::create(lb, threshold.getLoc(), spiked,
                                             notRefractory);
            }
            if (!resets.empty()) {
              env.guard = spiked;
              lowerRegion(lb, (*resets.begin()).getBody(), env);
              env.guard = nullptr;
            }
            if (refractory) {
              Value next;
              if (refractory.isConditional()) {
                Value one =
                    arith::ConstantOp::create(lb, l, lb.getF64FloatAttr(1));
                Value zero =
                    arith::ConstantOp::create(lb, l, lb.getF64FloatAttr(0));
                next = arith::SelectOp::create(
                    lb, refractory.getLoc(),
                    arith::OrIOp::create(lb, l, spiked, isRefractory), one,
                    zero);
              } else {
                // Brian2's timestep(): whole steps, rounding down unless
                // within 1e-3 of the next one.
                double steps = std::floor(
                    refractory.getPeriod()->convertToDouble() / dt + 1e-3);
                Value until = arith::AddFOp::create(
                    lb, refractory.getLoc(), step,
                    arith::ConstantOp::create(lb, l,
                                              lb.getF64FloatAttr(steps)));
                next = arith::SelectOp::create(lb, refractory.getLoc(), spiked,
                                               until, refractoryUntil);
              }
              memref::StoreOp::create(
                  lb, refractory.getLoc(), next, state,
                  ValueRange{rowIndex(neuron.getRefractoryRow()), i});
            }
          }
          for (auto [row, s] : llvm::enumerate(states)) {
            Value v = env.state[s.getSymName()];
            if (v != old[s.getSymName()])
              memref::StoreOp::create(lb, s.getLoc(), v, state,
                                      ValueRange{rowIndex(row), i});
          }
          if (spiked)
            memref::StoreOp::create(lb, l,
                                    arith::ExtUIOp::create(lb, l, i32, spiked),
                                    spikes, ValueRange{i});
          scf::YieldOp::create(lb, l);
        });
    if (thresholds.empty()) {
      func::ReturnOp::create(b, loc, zero);
      return;
    }
    // Loop 2 compacts the flags in place into spike indices: it reads
    // flag i before writing slot count <= i, so no flag is lost. Spikes are
    // rare, so it looks at blocks of 8 flags at once (one vector OR) and
    // only compacts blocks with a spike; the store inside is unconditional,
    // so there is no branch to mispredict there.
    auto compactOne = [&](OpBuilder &lb, Location l, Value i, Value count) {
      Value flag = memref::LoadOp::create(lb, l, spikes, ValueRange{i});
      Value slot = arith::IndexCastOp::create(lb, l, lb.getIndexType(), count);
      Value id = arith::IndexCastOp::create(lb, l, i32, i);
      memref::StoreOp::create(lb, l, id, spikes, ValueRange{slot});
      return Value(arith::AddIOp::create(
          lb, l, count, arith::ExtUIOp::create(lb, l, i64, flag)));
    };
    constexpr int64_t kBlock = 8;
    Value blockEnd = arith::MulIOp::create(
        b, loc, arith::DivUIOp::create(b, loc, n, index(loc, kBlock)),
        index(loc, kBlock));
    auto blocks = scf::ForOp::create(
        b, loc, index(loc, 0), blockEnd, index(loc, kBlock), ValueRange{zero},
        [&](OpBuilder &lb, Location l, Value first, ValueRange iterArgs) {
          Value any;
          for (int64_t k = 0; k < kBlock; ++k) {
            Value i = arith::AddIOp::create(
                lb, l, first, arith::ConstantIndexOp::create(lb, l, k));
            Value flag = memref::LoadOp::create(lb, l, spikes, ValueRange{i});
            any = any ? Value(arith::OrIOp::create(lb, l, any, flag)) : flag;
          }
          Value hasSpike = arith::CmpIOp::create(
              lb, l, arith::CmpIPredicate::ne, any,
              arith::ConstantOp::create(lb, l, lb.getI32IntegerAttr(0)));
          auto ifOp = scf::IfOp::create(
              lb, l, hasSpike,
              [&](OpBuilder &tb, Location tl) {
                auto inner = scf::ForOp::create(
                    tb, tl, first,
                    arith::AddIOp::create(
                        tb, tl, first,
                        arith::ConstantIndexOp::create(tb, tl, kBlock)),
                    arith::ConstantIndexOp::create(tb, tl, 1),
                    ValueRange{iterArgs[0]},
                    [&](OpBuilder &ib, Location il, Value i, ValueRange c) {
                      scf::YieldOp::create(ib, il, compactOne(ib, il, i, c[0]));
                    });
                scf::YieldOp::create(tb, tl, inner.getResult(0));
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el, iterArgs[0]);
              });
          scf::YieldOp::create(lb, l, ifOp.getResult(0));
        });
    auto compact = scf::ForOp::create(
        b, loc, blockEnd, n, index(loc, 1), ValueRange{blocks.getResult(0)},
        [&](OpBuilder &lb, Location l, Value i, ValueRange iterArgs) {
          scf::YieldOp::create(lb, l, compactOne(lb, l, i, iterArgs[0]));
        });
    func::ReturnOp::create(b, loc, compact.getResult(0));
  }

  MemRefType synapseStateType(SynapseOp synapse) {
    return MemRefType::get(
        {synapse ? static_cast<int64_t>(synapse.getNumStateRows()) : 0,
         ShapedType::kDynamic},
        synapseElementType(synapse));
  }

  /// A synapse state array holds f64, or f32 for a model with
  /// `single_precision`; the kernels compute in f64 either way.
  Type synapseElementType(SynapseOp synapse) {
    return synapse && synapse.getSinglePrecision() ? Type(b.getF32Type())
                                                   : Type(f64);
  }

  /// A synapse state value as f64.
  static Value loadSynapseValue(OpBuilder &ib, Location l, Value array,
                                ValueRange at) {
    Value v = memref::LoadOp::create(ib, l, array, at);
    return v.getType().isF32()
               ? arith::ExtFOp::create(ib, l, ib.getF64Type(), v)
               : v;
  }

  /// Stores f64 `v` into a synapse state array (rounded to f32 there).
  static void storeSynapseValue(OpBuilder &ib, Location l, Value v, Value array,
                                ValueRange at) {
    if (cast<MemRefType>(array.getType()).getElementType().isF32())
      v = arith::TruncFOp::create(ib, l, ib.getF32Type(), v);
    memref::StoreOp::create(ib, l, v, array, at);
  }

  /// The step of a synapse's last event (i64 `step` in, f64 out). An f32
  /// array keeps it exact as the bits of a 32-bit integer.
  static Value loadLastStep(OpBuilder &ib, Location l, Value array,
                            ValueRange at) {
    Value v = memref::LoadOp::create(ib, l, array, at);
    if (!v.getType().isF32())
      return v;
    Value bits = arith::BitcastOp::create(ib, l, ib.getI32Type(), v);
    return arith::SIToFPOp::create(ib, l, ib.getF64Type(), bits);
  }
  /// Stores the step, given as i64 `step` and as f64 `stepF`.
  static void storeLastStep(OpBuilder &ib, Location l, Value step, Value stepF,
                            Value array, ValueRange at) {
    Value v = stepF;
    if (cast<MemRefType>(array.getType()).getElementType().isF32())
      v = arith::BitcastOp::create(
          ib, l, ib.getF32Type(),
          arith::TruncIOp::create(ib, l, ib.getI32Type(), step));
    memref::StoreOp::create(ib, l, v, array, at);
  }

  /// `<projection>_connect_row(preState, postState, i, probabilities)`: the
  /// probability region for source `i` and every target `j` (the size of
  /// `probabilities`), with the two neurons' variables read from their
  /// populations' state (as initialised) or model parameters. `pre` is
  /// null for a spike source (then the region reads no source variable).
  void buildConnectRow(ProjectionOp proj, NeuronOp pre, NeuronOp post) {
    Location loc = proj.getLoc();
    auto preType =
        pre ? stateType(pre) : MemRefType::get({0, ShapedType::kDynamic}, f64);
    auto rowType = MemRefType::get({ShapedType::kDynamic}, f64);
    auto fn = kernel(loc, abi::connectRowKernel(proj.getSymName()),
                     {preType, stateType(post), i64, rowType}, {});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&fn.front());
    Value preState = fn.getArgument(0), postState = fn.getArgument(1);
    Value source = fn.getArgument(2), out = fn.getArgument(3);
    Value sourceIndex =
        arith::IndexCastOp::create(b, loc, b.getIndexType(), source);
    Value sourceValue = arith::SIToFPOp::create(b, loc, f64, source);
    Value n = memref::DimOp::create(b, loc, out, 0);
    scf::ForOp::create(
        b, loc, index(loc, 0), n, index(loc, 1), ValueRange{},
        [&](OpBuilder &lb, Location l, Value j, ValueRange) {
          Environment env;
          env.readEndpoint = [&](OpBuilder &rb, Operation *op) -> Value {
            bool isPre = isa<ReadPreOp>(op);
            StringRef var = isPre ? cast<ReadPreOp>(op).getVar()
                                  : cast<ReadPostOp>(op).getVar();
            NeuronOp model = isPre ? pre : post;
            int row = model ? model.getStateRow(var) : -1;
            if (row >= 0)
              return memref::LoadOp::create(
                  rb, op->getLoc(), isPre ? preState : postState,
                  ValueRange{arith::ConstantIndexOp::create(rb, l, row),
                             isPre ? sourceIndex : j});
            llvm::StringMap<double> params =
                model ? model.getParamValues() : llvm::StringMap<double>();
            if (!params.count(var)) {
              op->emitError() << "'" << var << "' is not a variable of the "
                              << (isPre ? "source" : "target") << " neurons";
              failedLowering = true;
            }
            return f64Constant(rb, op->getLoc(), params.lookup(var));
          };
          Value targetValue = arith::SIToFPOp::create(
              lb, l, f64, arith::IndexCastOp::create(lb, l, i64, j));
          Value p = lowerRegion(lb, proj.getProbability(), env,
                                {sourceValue, targetValue})[0];
          memref::StoreOp::create(lb, l, p, out, ValueRange{j});
          scf::YieldOp::create(lb, l);
        });
    func::ReturnOp::create(b, loc);
  }

  /// `<projection>_init_synapses(synState, key)`: every synapse's initial
  /// state: the model's initial values, except those the projection gives.
  /// Random numbers a synapse draws for its initial state.
  unsigned countSynapseInitDraws(ProjectionOp proj, SynapseOp synapse) {
    unsigned draws = countRandomDraws(synapse);
    if (!proj.getInit().empty())
      for (Operation &op : proj.getInit().front())
        draws += countRandomDraws(&op);
    return draws;
  }

  /// Synapse `i`'s initial state into env.state (env's parameters and
  /// random-number counter set by the caller): the model's initial values,
  /// then the projection's own values and, with `withColumns`, a connection
  /// file's value columns.
  void emitSynapseInitialState(OpBuilder &lb, Location l, ProjectionOp proj,
                               SynapseOp synapse, Environment &env, Value i,
                               bool withColumns) {
    llvm::StringSet<> setByProjection;
    if (!proj.getInit().empty())
      proj.getInit().walk(
          [&](WriteOp w) { setByProjection.insert(w.getVar()); });
    DictionaryAttr columns;
    if (withColumns)
      if (auto given = proj.getColumns())
        columns = *given;
    if (columns)
      for (NamedAttribute column : columns)
        setByProjection.insert(column.getName().getValue());
    for (StateOp s : synapse.getStates())
      if (!setByProjection.contains(s.getSymName()))
        env.state[s.getSymName()] = lowerRegion(lb, s.getInit(), env)[0];
    if (!proj.getInit().empty())
      lowerRegion(lb, proj.getInit(), env);
    // A connection file's value columns, by synapse (= listed pair).
    if (columns)
      for (NamedAttribute column : columns) {
        auto values = cast<DenseF64ArrayAttr>(column.getValue());
        Value data = constantArray(
            lb, l,
            ("nnc_column_" + proj.getSymName() + "_" +
             column.getName().getValue())
                .str(),
            DenseElementsAttr::get(RankedTensorType::get({values.size()}, f64),
                                   values.asArrayRef()));
        env.state[column.getName().getValue()] =
            memref::LoadOp::create(lb, l, data, ValueRange{i});
      }
  }

  void buildSynapseInit(ProjectionOp proj, SynapseOp synapse) {
    Location loc = proj.getLoc();
    auto fn = kernel(loc, abi::synapseInitKernel(proj.getSymName()),
                     {synapseStateType(synapse), i64}, {});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&fn.front());
    Value state = fn.getArgument(0), key = fn.getArgument(1);
    Value n = memref::DimOp::create(b, loc, state, 1);
    unsigned draws = countSynapseInitDraws(proj, synapse);
    SmallVector<StateOp, 4> states = synapse.getStates();
    int lastUpdateRow = synapse.getLastUpdateRow();
    scf::ForOp::create(
        b, loc, index(loc, 0), n, index(loc, 1), ValueRange{},
        [&](OpBuilder &lb, Location l, Value i, ValueRange) {
          Environment env;
          env.params = synapse.getParamValues();
          env.rngKey = key;
          Value i64v = arith::IndexCastOp::create(lb, l, i64, i);
          env.rngCounterBase = arith::MulIOp::create(
              lb, l, i64v,
              arith::ConstantOp::create(lb, l, lb.getI64IntegerAttr(draws)));
          emitSynapseInitialState(lb, l, proj, synapse, env, i,
                                  /*withColumns=*/true);
          for (auto [row, s] : llvm::enumerate(states))
            storeSynapseValue(
                lb, s.getLoc(), env.state[s.getSymName()], state,
                ValueRange{arith::ConstantIndexOp::create(lb, l, row), i});
          if (lastUpdateRow >= 0)
            storeLastStep(
                lb, l,
                arith::ConstantOp::create(lb, l, lb.getI64IntegerAttr(0)),
                f64Constant(lb, l, 0.0), state,
                ValueRange{arith::ConstantIndexOp::create(lb, l, lastUpdateRow),
                           i});
          scf::YieldOp::create(lb, l);
        });
    func::ReturnOp::create(b, loc);
  }

  /// `<rewire>_rewire(synState, flags, step, key)`: flags[k] = the rewiring
  /// condition on synapse k; where it holds, the synapse's states take
  /// their initial values (drawn with `key`, which the runtime derives per
  /// rewiring), its last event becomes `step`, and the reset block runs.
  /// Branch-free: every state is stored as select(condition, new, old).
  /// The runtime then moves the flagged synapses (nn.rewire).
  void buildRewire(RewireOp rewire, ProjectionOp proj, SynapseOp synapse) {
    Location loc = rewire.getLoc();
    auto flagsType = MemRefType::get({ShapedType::kDynamic}, i32);
    auto fn = kernel(loc, abi::rewireKernel(rewire.getSymName()),
                     {synapseStateType(synapse), flagsType, i64, i64}, {});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&fn.front());
    Value state = fn.getArgument(0), flags = fn.getArgument(1);
    Value step = fn.getArgument(2), key = fn.getArgument(3);
    Value n = memref::DimOp::create(b, loc, flags, 0);
    unsigned draws = countSynapseInitDraws(proj, synapse);
    SmallVector<StateOp, 4> states = synapse.getStates();
    int lastUpdateRow = synapse.getLastUpdateRow();
    scf::ForOp::create(
        b, loc, index(loc, 0), n, index(loc, 1), ValueRange{},
        [&](OpBuilder &lb, Location l, Value k, ValueRange) {
          auto row = [&](int r) {
            return arith::ConstantIndexOp::create(lb, l, r);
          };
          Environment old;
          old.params = synapse.getParamValues();
          for (auto [r, s] : llvm::enumerate(states))
            old.state[s.getSymName()] =
                loadSynapseValue(lb, s.getLoc(), state, ValueRange{row(r), k});
          Value moves = lowerRegion(lb, rewire.getCondition(), old)[0];
          Environment fresh;
          fresh.params = old.params;
          fresh.rngKey = key;
          fresh.rngCounterBase = arith::MulIOp::create(
              lb, l, arith::IndexCastOp::create(lb, l, i64, k),
              arith::ConstantOp::create(lb, l, lb.getI64IntegerAttr(draws)));
          emitSynapseInitialState(lb, l, proj, synapse, fresh, k,
                                  /*withColumns=*/false);
          lowerRegion(lb, rewire.getReset(), fresh);
          for (auto [r, s] : llvm::enumerate(states))
            storeSynapseValue(lb, s.getLoc(),
                              arith::SelectOp::create(
                                  lb, l, moves, fresh.state[s.getSymName()],
                                  old.state[s.getSymName()]),
                              state, ValueRange{row(r), k});
          if (lastUpdateRow >= 0) {
            Value last =
                loadLastStep(lb, l, state, ValueRange{row(lastUpdateRow), k});
            Value stepF = arith::SIToFPOp::create(lb, l, f64, step);
            Value nextF = arith::SelectOp::create(lb, l, moves, stepF, last);
            storeLastStep(lb, l, arith::FPToSIOp::create(lb, l, i64, nextF),
                          nextF, state, ValueRange{row(lastUpdateRow), k});
          }
          memref::StoreOp::create(lb, l,
                                  arith::ExtUIOp::create(lb, l, i32, moves),
                                  flags, ValueRange{k});
          scf::YieldOp::create(lb, l);
        });
    func::ReturnOp::create(b, loc);
  }

  /// The body of a synapse event: synapse `k` (index into the synapse
  /// state) onto target neuron `target` runs `handler`. Synapse variables
  /// shadow the target's; event-driven synapse state is first advanced to
  /// step `step` (Brian2's `(event-driven)`: exact, lazily, at every pre-
  /// and postsynaptic event).
  void emitSynapseEvent(OpBuilder &ib, Location il, ProjectionOp proj,
                        NeuronOp post, SynapseOp synapse, Region &handler,
                        Value postState, Value synState, Value k, Value target,
                        Value step, double dt, bool frozen = false) {
    Environment env;
    env.params = post.getParamValues();
    if (synapse)
      for (auto &entry : synapse.getParamValues())
        env.params[entry.getKey()] = entry.getValue();
    env.readModulator = modulatorReader(proj);
    env.lookupTable = tableReader(proj);
    env.time = arith::MulFOp::create(ib, il,
                                     arith::SIToFPOp::create(ib, il, f64, step),
                                     f64Constant(ib, il, dt));
    auto synRow = [&](StringRef name) {
      return synapse ? synapse.getStateRow(name) : -1;
    };
    // Variables the handler touches; all synapse states with dynamics.
    llvm::SetVector<StringRef> synTouched, postTouched;
    auto touch = [&](StringRef name) {
      if (synapse && synapse.getParamValues().count(name))
        return;
      if (synRow(name) >= 0)
        synTouched.insert(name);
      else if (post.getStateRow(name) >= 0)
        postTouched.insert(name);
    };
    handler.walk([&](Operation *op) {
      if (auto r = dyn_cast<ReadOp>(op))
        touch(r.getVar());
      if (auto w = dyn_cast<WriteOp>(op))
        touch(w.getVar());
    });
    AdvanceOp advance;
    if (synapse && !synapse.getBodyBlock().getOps<AdvanceOp>().empty()) {
      advance = *synapse.getBodyBlock().getOps<AdvanceOp>().begin();
      for (StateOp s : synapse.getStates())
        synTouched.insert(s.getSymName());
    }
    auto rowIndex = [&](int row) {
      return arith::ConstantIndexOp::create(ib, il, row);
    };
    for (StringRef name : synTouched)
      env.state[name] = loadSynapseValue(ib, il, synState,
                                         ValueRange{rowIndex(synRow(name)), k});
    for (StringRef name : postTouched)
      env.state[name] = memref::LoadOp::create(
          ib, il, postState,
          ValueRange{rowIndex(post.getStateRow(name)), target});
    llvm::MapVector<StringRef, Value> old = env.state;
    Value stepF = arith::SIToFPOp::create(ib, il, f64, step);
    // A frozen synapse (plasticity off) still acts on its target, but its
    // own state stays exactly as it is: no advance, no stores.
    if (advance && !frozen) {
      Value lastRow = rowIndex(synapse.getLastUpdateRow());
      Value last = loadLastStep(ib, il, synState, ValueRange{lastRow, k});
      Value elapsed = arith::MulFOp::create(
          ib, il, arith::SubFOp::create(ib, il, stepF, last),
          arith::ConstantOp::create(ib, il, ib.getF64FloatAttr(dt)));
      lowerRegion(ib, advance.getBody(), env, {elapsed});
      storeLastStep(ib, il, step, stepF, synState, ValueRange{lastRow, k});
    }
    lowerRegion(ib, handler, env);
    for (StringRef name : synTouched)
      if (!frozen && env.state[name] != old[name])
        storeSynapseValue(ib, il, env.state[name], synState,
                          ValueRange{rowIndex(synRow(name)), k});
    for (StringRef name : postTouched)
      if (env.state[name] != old[name])
        memref::StoreOp::create(
            ib, il, env.state[name], postState,
            ValueRange{rowIndex(post.getStateRow(name)), target});
  }

  /// `<projection>_update_synapses(synState, step)`: one step of the
  /// clock-driven synapse equations of every synapse in the (chunk of the)
  /// synapse state.
  void buildUpdateSynapses(ProjectionOp proj, SynapseOp synapse, double dt) {
    Location loc = proj.getLoc();
    IntegrateOp integrate = synapse.getClockDriven();
    auto chunkType = MemRefType::get(
        {static_cast<int64_t>(synapse.getNumStateRows()), ShapedType::kDynamic},
        synapseElementType(synapse),
        StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic,
                               {ShapedType::kDynamic, 1}));
    auto fn = kernel(loc, abi::synapseUpdateKernel(proj.getSymName()),
                     {chunkType, i64}, {});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&fn.front());
    Value state = fn.getArgument(0);
    Value time = arith::MulFOp::create(
        b, loc, arith::SIToFPOp::create(b, loc, f64, fn.getArgument(1)),
        f64Constant(b, loc, dt));
    Value n = memref::DimOp::create(b, loc, state, 1);
    SmallVector<StateOp, 4> states = synapse.getStates();
    scf::ForOp::create(
        b, loc, index(loc, 0), n, index(loc, 1), ValueRange{},
        [&](OpBuilder &lb, Location l, Value k, ValueRange) {
          Environment env;
          env.params = synapse.getParamValues();
          env.time = time;
          env.readModulator = modulatorReader(proj);
          env.lookupTable = tableReader(proj);
          for (auto [row, s] : llvm::enumerate(states))
            env.state[s.getSymName()] = loadSynapseValue(
                lb, l, state,
                ValueRange{arith::ConstantIndexOp::create(lb, l, row), k});
          llvm::MapVector<StringRef, Value> old = env.state;
          env.readSnapshot = &old;
          lowerRegion(lb, integrate.getBody(), env);
          env.readSnapshot = nullptr;
          for (auto [row, s] : llvm::enumerate(states))
            if (env.state[s.getSymName()] != old[s.getSymName()])
              storeSynapseValue(
                  lb, l, env.state[s.getSymName()], state,
                  ValueRange{arith::ConstantIndexOp::create(lb, l, row), k});
          scf::YieldOp::create(lb, l);
        });
    func::ReturnOp::create(b, loc);
  }

  /// A cover kernel `<name>_cover(astroState, synState, rowPtr, colIdx,
  /// owner)` (Runtime.h), with its arguments; `<name>_domain` has the same
  /// signature.
  std::tuple<func::FuncOp, Value, Value, Value, Value, Value>
  coverKernel(Location loc, StringRef kernelName, NeuronOp astro,
              SynapseOp synapse) {
    auto i32Vec = MemRefType::get({ShapedType::kDynamic}, i32);
    auto i64Vec = MemRefType::get({ShapedType::kDynamic}, i64);
    auto fn = kernel(
        loc, kernelName,
        {stateType(astro), synapseStateType(synapse), i64Vec, i32Vec, i32Vec},
        {});
    return {fn,
            fn.getArgument(0),
            fn.getArgument(1),
            fn.getArgument(2),
            fn.getArgument(3),
            fn.getArgument(4)};
  }

  /// The kernels of one cover pass (nn::getCoverPasses): statements with a
  /// domain share `<first>_domain`, which the runtime runs once to store
  /// every synapse's covering neuron in `owner` (-1: none), and
  /// `<first>_cover`, which visits each synapse once per step and runs the
  /// statements in order on it.
  void buildCoverPass(ArrayRef<Operation *> pass, NeuronOp astro,
                      ProjectionOp proj) {
    if (auto gather = dyn_cast<GatherOp>(pass.front());
        gather && gather.getDomain().empty())
      return buildGatherAll(gather, astro, proj);
    if (auto scatter = dyn_cast<ScatterOp>(pass.front());
        scatter && scatter.getDomain().empty())
      return buildScatterAll(scatter, astro, proj);
    buildDomain(pass.front(), astro, proj);
    buildOwnedPass(pass, astro, proj);
  }

  /// `<first>_domain`: owner[k] = the neuron covering synapse k, or -1.
  void buildDomain(Operation *first, NeuronOp astro, ProjectionOp proj) {
    Location loc = first->getLoc();
    CoverStatement stmt = *asCoverStatement(first);
    func::FuncOp fn;
    Value astroState, synState, rowPtr, colIdx, owner;
    std::tie(fn, astroState, synState, rowPtr, colIdx, owner) = coverKernel(
        loc, abi::coverDomainKernel(stmt.name), astro, proj.getSynapseModel());
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&fn.front());
    Value numAstro = memref::DimOp::create(b, loc, astroState, 1);
    forEachSynapseBySource(
        loc, rowPtr, [&](OpBuilder &ib, Location il, Value source, Value k) {
          auto [inRange, at] = emitCoveringNeuron(ib, il, *stmt.domain, source,
                                                  colIdx, k, numAstro);
          Value id = arith::IndexCastOp::create(ib, il, i32, at);
          Value none =
              arith::ConstantOp::create(ib, il, ib.getI32IntegerAttr(-1));
          memref::StoreOp::create(
              ib, il, arith::SelectOp::create(ib, il, inRange, id, none), owner,
              ValueRange{k});
        });
    func::ReturnOp::create(b, loc);
  }

  /// `<first>_cover` of statements with a domain: one loop over the
  /// synapses (k), covering neuron a = owner[k]. A gather adds its value
  /// for neuron a; a scatter stores the value on a (0 if a < 0) into
  /// synapse state, which later statements of the pass then read. After
  /// the loop each gathered state gets its sum (a mean divides by the
  /// count, 0 without synapses).
  ///
  /// Neighbouring synapses often share a covering neuron, and adding to
  /// one accumulator would chain every addition through memory; synapse k
  /// adds to accumulator copy k mod kCoverLanes instead (summed after the
  /// loop, in a fixed order, so the result is reproducible).
  void buildOwnedPass(ArrayRef<Operation *> pass, NeuronOp astro,
                      ProjectionOp proj) {
    constexpr int64_t kCoverLanes = 4;
    Location loc = pass.front()->getLoc();
    SynapseOp synapse = proj.getSynapseModel();
    func::FuncOp fn;
    Value astroState, synState, rowPtr, colIdx, owner;
    std::tie(fn, astroState, synState, rowPtr, colIdx, owner) =
        coverKernel(loc, abi::coverKernel(asCoverStatement(pass.front())->name),
                    astro, synapse);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&fn.front());
    Value numAstro = memref::DimOp::create(b, loc, astroState, 1);
    Value numSynapses = memref::DimOp::create(b, loc, owner, 0);
    SmallVector<GatherOp, 4> gathers;
    for (Operation *op : pass)
      if (auto gather = dyn_cast<GatherOp>(op))
        gathers.push_back(gather);
    bool anyMean = llvm::any_of(
        gathers, [](GatherOp g) { return g.getReduction() == "mean"; });
    // Accumulators: kCoverLanes copies of a row per gather (and of the
    // counts, for means), as one array: acc[(slot * lanes + lane) * A + a].
    int64_t slots = static_cast<int64_t>(gathers.size()) + (anyMean ? 1 : 0);
    int64_t countSlot = static_cast<int64_t>(gathers.size());
    Value acc;
    if (slots) {
      Value size = arith::MulIOp::create(b, loc, numAstro,
                                         index(loc, slots * kCoverLanes));
      acc = memref::AllocOp::create(
          b, loc, MemRefType::get({ShapedType::kDynamic}, f64),
          ValueRange{size});
      scf::ForOp::create(
          b, loc, index(loc, 0), size, index(loc, 1), ValueRange{},
          [&](OpBuilder &lb, Location l, Value i, ValueRange) {
            memref::StoreOp::create(lb, l, f64Constant(lb, l, 0.0), acc,
                                    ValueRange{i});
            scf::YieldOp::create(lb, l);
          });
    }
    auto accIndex = [&](OpBuilder &ib, Location l, int64_t slot, Value lane,
                        Value a) {
      Value copy = arith::AddIOp::create(
          ib, l, arith::ConstantIndexOp::create(ib, l, slot * kCoverLanes),
          lane);
      return arith::AddIOp::create(
          ib, l, arith::MulIOp::create(ib, l, copy, numAstro), a);
    };
    auto astroRow = [&](StringRef var) {
      return index(loc, astro.getStateRow(var));
    };
    scf::ForOp::create(
        b, loc, index(loc, 0), numSynapses, index(loc, 1), ValueRange{},
        [&](OpBuilder &lb, Location l, Value k, ValueRange) {
          Value a32 = memref::LoadOp::create(lb, l, owner, ValueRange{k});
          Value covered = arith::CmpIOp::create(
              lb, l, arith::CmpIPredicate::sge, a32,
              arith::ConstantOp::create(lb, l, lb.getI32IntegerAttr(0)));
          // Uncovered synapses use neuron 0's row, and their results are
          // selected away: the loop has no branches.
          Value a = arith::IndexCastOp::create(
              lb, l, lb.getIndexType(),
              arith::MaxSIOp::create(
                  lb, l, a32,
                  arith::ConstantOp::create(lb, l, lb.getI32IntegerAttr(0))));
          Value lane = arith::RemUIOp::create(
              lb, l, k, arith::ConstantIndexOp::create(lb, l, kCoverLanes));
          Value zero = f64Constant(lb, l, 0.0);
          auto addTo = [&](int64_t slot, Value v) {
            Value at = accIndex(lb, l, slot, lane, a);
            Value old = memref::LoadOp::create(lb, l, acc, ValueRange{at});
            memref::StoreOp::create(
                lb, l,
                arith::AddFOp::create(
                    lb, l, old,
                    arith::SelectOp::create(lb, l, covered, v, zero)),
                acc, ValueRange{at});
          };
          // The synapse's state as the statements have left it.
          llvm::MapVector<StringRef, Value> synValues;
          int64_t slot = 0;
          for (Operation *op : pass) {
            Environment env;
            if (auto gather = dyn_cast<GatherOp>(op)) {
              env.params = synapse.getParamValues();
              env.readModulator = modulatorReader(proj);
              gather.getValue().walk([&](ReadOp read) {
                int r = synapse.getStateRow(read.getVar());
                if (r >= 0 && !synValues.count(read.getVar()))
                  synValues[read.getVar()] = loadSynapseValue(
                      lb, l, synState, ValueRange{index(loc, r), k});
              });
              env.state = synValues;
              addTo(slot++, lowerRegion(lb, gather.getValue(), env)[0]);
              continue;
            }
            auto scatter = cast<ScatterOp>(op);
            env.params = astro.getParamValues();
            scatter.getValue().walk([&](ReadOp read) {
              int r = astro.getStateRow(read.getVar());
              if (r >= 0 && !env.state.count(read.getVar()))
                env.state[read.getVar()] = memref::LoadOp::create(
                    lb, l, astroState, ValueRange{index(loc, r), a});
            });
            Value v = lowerRegion(lb, scatter.getValue(), env)[0];
            Value stored = arith::SelectOp::create(lb, l, covered, v, zero);
            Value row = index(loc, synapse.getStateRow(scatter.getVar()));
            storeSynapseValue(lb, l, stored, synState, ValueRange{row, k});
            // Later statements read it back as stored (f32 rounds).
            synValues[scatter.getVar()] =
                loadSynapseValue(lb, l, synState, ValueRange{row, k});
          }
          if (anyMean)
            addTo(countSlot, f64Constant(lb, l, 1.0));
          scf::YieldOp::create(lb, l);
        });
    if (!slots) {
      func::ReturnOp::create(b, loc);
      return;
    }
    scf::ForOp::create(
        b, loc, index(loc, 0), numAstro, index(loc, 1), ValueRange{},
        [&](OpBuilder &lb, Location l, Value a, ValueRange) {
          auto total = [&](int64_t slot) {
            Value sum = f64Constant(lb, l, 0.0);
            for (int64_t lane = 0; lane < kCoverLanes; ++lane)
              sum = arith::AddFOp::create(
                  lb, l, sum,
                  memref::LoadOp::create(
                      lb, l, acc,
                      ValueRange{accIndex(
                          lb, l, slot,
                          arith::ConstantIndexOp::create(lb, l, lane), a)}));
            return sum;
          };
          Value n = anyMean ? total(countSlot) : Value();
          for (auto [slot, gather] : llvm::enumerate(gathers)) {
            Value sum = total(static_cast<int64_t>(slot));
            if (gather.getReduction() == "mean") {
              Value zero = f64Constant(lb, l, 0.0);
              Value none = arith::CmpFOp::create(
                  lb, l, arith::CmpFPredicate::OEQ, n, zero);
              sum = arith::SelectOp::create(
                  lb, l, none, zero, arith::DivFOp::create(lb, l, sum, n));
            }
            memref::StoreOp::create(lb, l, sum, astroState,
                                    ValueRange{astroRow(gather.getVar()), a});
          }
          scf::YieldOp::create(lb, l);
        });
    memref::DeallocOp::create(b, loc, acc);
    func::ReturnOp::create(b, loc);
  }

  /// `<gather>_cover` without a domain: state `var` of every covering
  /// neuron becomes the sum (or mean) of the value over all synapses.
  /// Synapses are visited in storage order (by source), so sums are
  /// reproducible.
  void buildGatherAll(GatherOp gather, NeuronOp astro, ProjectionOp proj) {
    Location loc = gather.getLoc();
    SynapseOp synapse = proj.getSynapseModel();
    func::FuncOp fn;
    Value astroState, synState, rowPtr, colIdx, owner;
    std::tie(fn, astroState, synState, rowPtr, colIdx, owner) =
        coverKernel(loc, abi::coverKernel(gather.getSymName()), astro, synapse);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&fn.front());
    Value numAstro = memref::DimOp::create(b, loc, astroState, 1);
    Value row = index(loc, astro.getStateRow(gather.getVar()));
    // The sum over all synapses, then every neuron gets it (or the mean).
    Value numSynapses = arith::IndexCastOp::create(
        b, loc, b.getIndexType(),
        memref::LoadOp::create(
            b, loc, rowPtr,
            ValueRange{arith::SubIOp::create(
                b, loc, memref::DimOp::create(b, loc, rowPtr, 0),
                index(loc, 1))}));
    auto total = scf::ForOp::create(
        b, loc, index(loc, 0), numSynapses, index(loc, 1),
        ValueRange{f64Constant(b, loc, 0.0)},
        [&](OpBuilder &lb, Location l, Value k, ValueRange acc) {
          Environment env;
          env.params = synapse.getParamValues();
          env.readModulator = modulatorReader(proj);
          gather.getValue().walk([&](ReadOp read) {
            int r = synapse.getStateRow(read.getVar());
            if (r >= 0 && !env.state.count(read.getVar()))
              env.state[read.getVar()] = loadSynapseValue(
                  lb, l, synState, ValueRange{index(loc, r), k});
          });
          Value v = lowerRegion(lb, gather.getValue(), env)[0];
          scf::YieldOp::create(
              lb, l, ValueRange{arith::AddFOp::create(lb, l, acc[0], v)});
        });
    Value result = total.getResult(0);
    if (gather.getReduction() == "mean") {
      Value n = arith::SIToFPOp::create(
          b, loc, f64, arith::IndexCastOp::create(b, loc, i64, numSynapses));
      Value none = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, n,
                                         f64Constant(b, loc, 0.0));
      result =
          arith::SelectOp::create(b, loc, none, f64Constant(b, loc, 0.0),
                                  arith::DivFOp::create(b, loc, result, n));
    }
    scf::ForOp::create(b, loc, index(loc, 0), numAstro, index(loc, 1),
                       ValueRange{},
                       [&](OpBuilder &lb, Location l, Value a, ValueRange) {
                         memref::StoreOp::create(lb, l, result, astroState,
                                                 ValueRange{row, a});
                         scf::YieldOp::create(lb, l);
                       });
    func::ReturnOp::create(b, loc);
  }

  /// Calls body(builder, loc, source, k) for every synapse k of a CSR
  /// projection (source as f64), in storage order: sources in order, each
  /// one's synapses rowPtr[i] .. rowPtr[i+1]-1.
  void forEachSynapseBySource(
      Location loc, Value rowPtr,
      function_ref<void(OpBuilder &, Location, Value, Value)> body) {
    Value numSources = arith::SubIOp::create(
        b, loc, memref::DimOp::create(b, loc, rowPtr, 0), index(loc, 1));
    scf::ForOp::create(
        b, loc, index(loc, 0), numSources, index(loc, 1), ValueRange{},
        [&](OpBuilder &lb, Location l, Value i, ValueRange) {
          auto load = [&](Value at) {
            return arith::IndexCastOp::create(
                lb, l, lb.getIndexType(),
                memref::LoadOp::create(lb, l, rowPtr, ValueRange{at}));
          };
          Value begin = load(i);
          Value end = load(arith::AddIOp::create(lb, l, i, index(loc, 1)));
          Value source = arith::SIToFPOp::create(
              lb, l, f64, arith::IndexCastOp::create(lb, l, i64, i));
          scf::ForOp::create(
              lb, l, begin, end, index(loc, 1), ValueRange{},
              [&](OpBuilder &ib, Location il, Value k, ValueRange) {
                body(ib, il, source, k);
                scf::YieldOp::create(ib, il);
              });
          scf::YieldOp::create(lb, l);
        });
  }

  /// The neuron covering synapse k (source index `source` as f64): the
  /// floor of the cover's domain at (source, colIdx[k]), and whether it is
  /// one of the numCovering neurons. The index is only meaningful if so.
  std::pair<Value, Value> emitCoveringNeuron(OpBuilder &ib, Location il,
                                             Region &domain, Value source,
                                             Value colIdx, Value k,
                                             Value numCovering) {
    Value target = arith::SIToFPOp::create(
        ib, il, f64, memref::LoadOp::create(ib, il, colIdx, ValueRange{k}));
    Environment domainEnv;
    Value at = math::FloorOp::create(
        ib, il, lowerRegion(ib, domain, domainEnv, {source, target})[0]);
    Value upper = arith::SIToFPOp::create(
        ib, il, f64, arith::IndexCastOp::create(ib, il, i64, numCovering));
    Value inRange = arith::AndIOp::create(
        ib, il,
        arith::CmpFOp::create(ib, il, arith::CmpFPredicate::OGE, at,
                              f64Constant(ib, il, 0.0)),
        arith::CmpFOp::create(ib, il, arith::CmpFPredicate::OLT, at, upper));
    // Clamped so that the index is valid even where it is not used.
    Value clamped = arith::MinimumFOp::create(
        ib, il, arith::MaximumFOp::create(ib, il, at, f64Constant(ib, il, 0.0)),
        arith::SubFOp::create(ib, il, upper, f64Constant(ib, il, 1.0)));
    Value index = arith::IndexCastOp::create(
        ib, il, ib.getIndexType(),
        arith::FPToSIOp::create(ib, il, i64, clamped));
    return {inRange, index};
  }

  /// `<scatter>_cover` without a domain: synapse state `var` of every
  /// synapse becomes the sum of the value over all the covering
  /// population's neurons.
  void buildScatterAll(ScatterOp scatter, NeuronOp astro, ProjectionOp proj) {
    Location loc = scatter.getLoc();
    SynapseOp synapse = proj.getSynapseModel();
    func::FuncOp fn;
    Value astroState, synState, rowPtr, colIdx, owner;
    std::tie(fn, astroState, synState, rowPtr, colIdx, owner) = coverKernel(
        loc, abi::coverKernel(scatter.getSymName()), astro, synapse);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&fn.front());
    Value numAstro = memref::DimOp::create(b, loc, astroState, 1);
    Value row = index(loc, synapse.getStateRow(scatter.getVar()));
    auto sum = scf::ForOp::create(
        b, loc, index(loc, 0), numAstro, index(loc, 1),
        ValueRange{f64Constant(b, loc, 0.0)},
        [&](OpBuilder &lb, Location l, Value a, ValueRange acc) {
          Environment env;
          env.params = astro.getParamValues();
          scatter.getValue().walk([&](ReadOp read) {
            int r = astro.getStateRow(read.getVar());
            if (r >= 0 && !env.state.count(read.getVar()))
              env.state[read.getVar()] = memref::LoadOp::create(
                  lb, l, astroState,
                  ValueRange{arith::ConstantIndexOp::create(lb, l, r), a});
          });
          Value v = lowerRegion(lb, scatter.getValue(), env)[0];
          scf::YieldOp::create(
              lb, l, ValueRange{arith::AddFOp::create(lb, l, acc[0], v)});
        });
    Value numSynapses = memref::DimOp::create(b, loc, synState, 1);
    scf::ForOp::create(b, loc, index(loc, 0), numSynapses, index(loc, 1),
                       ValueRange{},
                       [&](OpBuilder &lb, Location l, Value k, ValueRange) {
                         storeSynapseValue(lb, l, sum.getResult(0), synState,
                                           ValueRange{row, k});
                         scf::YieldOp::create(lb, l);
                       });
    func::ReturnOp::create(b, loc);
  }

  /// Reads of the modulators of the network holding `inNetwork` (a
  /// projection, or the network itself), for its kernels. A modulator is read
  /// through an internal global holding a pointer to its state row (set by
  /// nnc_describe), once per kernel call at the kernel's entry: within a step
  /// its value does not change until every reader has run (modulators are
  /// updated last).
  ///
  /// A regional modulator's region (f64) selects an element of the row,
  /// truncated and clamped to the population (NaN reads region 0).
  std::function<Value(OpBuilder &, ReadModulatorOp, Value)>
  modulatorReader(Operation *inNetwork) {
    return [this, inNetwork](OpBuilder &use, ReadModulatorOp read,
                             Value region) -> Value {
      auto network = dyn_cast_or_null<NetworkOp>(inNetwork);
      if (!network && inNetwork)
        network = inNetwork->getParentOfType<NetworkOp>();
      if (!network) {
        read.emitError() << "a modulator can only be read by a model that a "
                            "population of the network uses";
        failedLowering = true;
        return f64Constant(b, read.getLoc(), 0.0);
      }
      auto pop = dyn_cast_or_null<PopulationOp>(
          SymbolTable::lookupSymbolIn(network, read.getPopulation()));
      NeuronOp model = pop ? pop.getNeuron() : NeuronOp();
      int row = model ? model.getStateRow(read.getVar()) : -1;
      if (!pop || !pop.getModulator() || row < 0) {
        read.emitError() << "'" << read.getPopulation() << "." << read.getVar()
                         << "' is not a state of a modulator of network '"
                         << network.getSymName() << "'";
        failedLowering = true;
        return f64Constant(b, read.getLoc(), 0.0);
      }
      std::string name = abi::stateRowGlobal(pop.getSymName(), row);
      auto ptrType = LLVM::LLVMPointerType::get(b.getContext());
      if (!module.lookupSymbol<LLVM::GlobalOp>(name)) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(module.getBody());
        auto global = LLVM::GlobalOp::create(
            b, read.getLoc(), ptrType, /*isConstant=*/false,
            LLVM::Linkage::Internal, name, Attribute());
        Block *init = b.createBlock(&global.getInitializerRegion());
        b.setInsertionPointToStart(init);
        LLVM::ReturnOp::create(b, read.getLoc(),
                               LLVM::ZeroOp::create(b, read.getLoc(), ptrType));
      }
      // One load per kernel and modulator row, at the kernel's entry (the
      // loops being built are not yet in the kernel's body).
      Location l = read.getLoc();
      auto rowKey = std::make_pair(currentKernel.getOperation(), name + "*");
      auto rowIt = modulatorLoads.find(rowKey);
      if (rowIt == modulatorLoads.end()) {
        OpBuilder entry(b.getContext());
        entry.setInsertionPointToStart(&currentKernel.getBody().front());
        Value address = LLVM::AddressOfOp::create(entry, l, ptrType, name);
        rowIt = modulatorLoads
                    .emplace(rowKey,
                             LLVM::LoadOp::create(entry, l, ptrType, address))
                    .first;
      }
      Value rowPtr = rowIt->second;
      if (region) {
        double last =
            static_cast<double>(std::max<int64_t>(pop.getSize(), 1) - 1);
        Value k = arith::MinNumFOp::create(
            use, l,
            arith::MaxNumFOp::create(use, l, region, f64Constant(use, l, 0.0)),
            f64Constant(use, l, last));
        Value index = arith::FPToSIOp::create(use, l, use.getI64Type(), k);
        Value element = LLVM::GEPOp::create(use, l, ptrType, f64, rowPtr,
                                            ArrayRef<LLVM::GEPArg>{index});
        return LLVM::LoadOp::create(use, l, f64, element);
      }
      auto key = std::make_pair(currentKernel.getOperation(), name);
      if (auto it = modulatorLoads.find(key); it != modulatorLoads.end())
        return it->second;
      // After the row pointer's load, which is at the entry too.
      OpBuilder entry(b.getContext());
      entry.setInsertionPointAfterValue(rowPtr);
      Value value = LLVM::LoadOp::create(entry, l, f64, rowPtr);
      modulatorLoads[key] = value;
      return value;
    };
  }

  /// The constant global array `name` (made on first use) holding the 1-D
  /// `values`, read in a kernel.
  Value constantArray(OpBuilder &lb, Location l, StringRef name,
                      DenseElementsAttr values) {
    auto type = MemRefType::get({values.getNumElements()}, f64);
    if (!module.lookupSymbol<memref::GlobalOp>(name)) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(module.getBody());
      memref::GlobalOp::create(b, l, name, b.getStringAttr("private"), type,
                               values, /*constant=*/true,
                               /*alignment=*/IntegerAttr());
    }
    return memref::GetGlobalOp::create(lb, l, type, name);
  }

  /// Lookups in the tables of the network holding `inNetwork`: each table
  /// is a constant global array (rows x columns, row-major); the row is
  /// Brian2's TimedArray index, computed with the same operations so that
  /// both pick the same row at every time.
  std::function<Value(OpBuilder &, TableLookupOp, Value, Value)>
  tableReader(Operation *inNetwork) {
    return [this, inNetwork](OpBuilder &lb, TableLookupOp lookup, Value time,
                             Value column) -> Value {
      Location l = lookup.getLoc();
      auto network = dyn_cast_or_null<NetworkOp>(inNetwork);
      if (!network && inNetwork)
        network = inNetwork->getParentOfType<NetworkOp>();
      auto table =
          network ? dyn_cast_or_null<TableOp>(
                        SymbolTable::lookupSymbolIn(network, lookup.getTable()))
                  : TableOp();
      if (!table) {
        lookup.emitError() << "'" << lookup.getTable()
                           << "' is not a table of the network that runs "
                              "this model";
        failedLowering = true;
        return f64Constant(lb, l, 0.0);
      }
      auto values = cast<DenseElementsAttr>(table.getValues());
      auto shape = cast<ShapedType>(values.getType()).getShape();
      int64_t rows = shape[0], columns = shape[1];
      Value data = constantArray(
          lb, l, ("nnc_table_" + table.getSymName()).str(),
          values.reshape(RankedTensorType::get({rows * columns}, f64)));
      double period = table.getPeriod().convertToDouble();
      double k = static_cast<double>(table.getUpsampling());
      // int((t / epsilon + 0.5) / K), epsilon = period / K, clamped.
      Value scaled =
          arith::DivFOp::create(lb, l, time, f64Constant(lb, l, period / k));
      scaled = arith::AddFOp::create(lb, l, scaled, f64Constant(lb, l, 0.5));
      scaled = arith::DivFOp::create(lb, l, scaled, f64Constant(lb, l, k));
      auto clampIndex = [&](Value v, int64_t size) {
        Value i = arith::FPToSIOp::create(lb, l, i64, v);
        i = arith::MaxSIOp::create(
            lb, l, i,
            arith::ConstantOp::create(lb, l, lb.getI64IntegerAttr(0)));
        return arith::MinSIOp::create(
            lb, l, i,
            arith::ConstantOp::create(lb, l, lb.getI64IntegerAttr(size - 1)));
      };
      Value at = arith::MulIOp::create(
          lb, l, clampIndex(scaled, rows),
          arith::ConstantOp::create(lb, l, lb.getI64IntegerAttr(columns)));
      if (column && columns > 1)
        at = arith::AddIOp::create(lb, l, at, clampIndex(column, columns));
      return memref::LoadOp::create(
          lb, l, data,
          ValueRange{arith::IndexCastOp::create(lb, l, lb.getIndexType(), at)});
    };
  }

  /// Set when a kernel could not be lowered (after reporting it).
  bool failedLowering = false;

  /// `<input>_apply(state, step, key)`: k ~ Poisson(count * rate * dt)
  /// events for every neuron (counter step * size + neuron), applied by the
  /// input's body.
  void buildPoissonInput(PoissonInputOp input, NeuronOp post, double dt) {
    Location loc = input.getLoc();
    auto fn = kernel(loc, abi::inputKernel(input.getSymName()),
                     {stateType(post), i64, i64}, {});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&fn.front());
    Value state = fn.getArgument(0), step = fn.getArgument(1);
    Value key = fn.getArgument(2);
    Value n = memref::DimOp::create(b, loc, state, 1);
    Value base = arith::MulIOp::create(
        b, loc, step, arith::IndexCastOp::create(b, loc, i64, n));
    double count = input.getCount().convertToDouble();
    double mean = count * input.getRate().convertToDouble() * dt;
    // Time, tables and modulators, for a rate that changes over time (and
    // for the body).
    Environment timeEnv;
    timeEnv.params = post.getParamValues();
    timeEnv.time = arith::MulFOp::create(
        b, loc, arith::SIToFPOp::create(b, loc, f64, step),
        f64Constant(b, loc, dt));
    timeEnv.readModulator = modulatorReader(input);
    timeEnv.lookupTable = tableReader(input);
    // lambda = count * rate * dt, once per step; a negative or NaN rate
    // gives no events.
    Value lambda;
    if (!input.getRateOfTime().empty()) {
      Value rate = lowerRegion(b, input.getRateOfTime(), timeEnv)[0];
      lambda = arith::MaxNumFOp::create(
          b, loc,
          arith::MulFOp::create(b, loc, rate, f64Constant(b, loc, count * dt)),
          f64Constant(b, loc, 0.0));
    }
    auto drawEvents = [&](OpBuilder &lb, Location l,
                          const std::array<Value, 4> &w) -> Value {
      if (!lambda)
        return mean <= kMaxInvertedPoissonMean
                   ? emitPoissonConstantMean(lb, l, mean,
                                             emitUnit53(lb, l, w[0], w[1]))
                   : emitPoissonNormal(lb, l, f64Constant(lb, l, mean), w);
      Value large =
          arith::CmpFOp::create(lb, l, arith::CmpFPredicate::OGT, lambda,
                                f64Constant(lb, l, kMaxInvertedPoissonMean));
      auto branch = scf::IfOp::create(
          lb, l, large,
          [&](OpBuilder &tb, Location tl) {
            scf::YieldOp::create(tb, tl, emitPoissonNormal(tb, tl, lambda, w));
          },
          [&](OpBuilder &eb, Location el) {
            scf::YieldOp::create(
                eb, el,
                emitPoisson(eb, el, lambda, emitUnit53(eb, el, w[0], w[1])));
          });
      return branch.getResult(0);
    };
    llvm::SetVector<StringRef> touched;
    input.getBody().walk([&](Operation *op) {
      if (auto r = dyn_cast<ReadOp>(op); r && post.getStateRow(r.getVar()) >= 0)
        touched.insert(r.getVar());
      if (auto w = dyn_cast<WriteOp>(op))
        touched.insert(w.getVar());
    });
    scf::ForOp::create(
        b, loc, index(loc, 0), n, index(loc, 1), ValueRange{},
        [&](OpBuilder &lb, Location l, Value i, ValueRange) {
          Value counter = arith::AddIOp::create(
              lb, l, base, arith::IndexCastOp::create(lb, l, i64, i));
          std::array<Value, 4> w = emitPhilox(lb, l, key, counter);
          Value events = drawEvents(lb, l, w);
          Environment env = timeEnv;
          for (StringRef name : touched)
            env.state[name] = memref::LoadOp::create(
                lb, l, state,
                ValueRange{arith::ConstantIndexOp::create(
                               lb, l, post.getStateRow(name)),
                           i});
          llvm::MapVector<StringRef, Value> old = env.state;
          lowerRegion(lb, input.getBody(), env, {events});
          for (StringRef name : touched)
            if (env.state[name] != old[name])
              memref::StoreOp::create(
                  lb, l, env.state[name], state,
                  ValueRange{arith::ConstantIndexOp::create(
                                 lb, l, post.getStateRow(name)),
                             i});
          scf::YieldOp::create(lb, l);
        });
    func::ReturnOp::create(b, loc);
  }

  /// `<projection>_on_pre(postState, synState, ranges, numRanges, colIdx,
  /// step)`: runs `on pre` for every synapse k in each range
  /// [ranges[2r], ranges[2r+1]) of synapses whose spikes arrive now.
  void buildOnPre(ProjectionOp proj, NeuronOp post, double dt,
                  bool frozen = false) {
    Location loc = proj.getLoc();
    SynapseOp synapse = proj.getSynapseModel();
    auto i32Vec = MemRefType::get({ShapedType::kDynamic}, i32);
    auto i64Vec = MemRefType::get({ShapedType::kDynamic}, i64);
    auto fn = kernel(
        loc,
        frozen ? abi::onPreFrozenKernel(proj.getSymName())
               : abi::onPreKernel(proj.getSymName()),
        {stateType(post), synapseStateType(synapse), i64Vec, i64, i32Vec, i64},
        {});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&fn.front());
    Value postState = fn.getArgument(0), synState = fn.getArgument(1);
    Value ranges = fn.getArgument(2), colIdx = fn.getArgument(4);
    Value step = fn.getArgument(5);
    Value numRanges =
        arith::IndexCastOp::create(b, loc, b.getIndexType(), fn.getArgument(3));
    scf::ForOp::create(
        b, loc, index(loc, 0), numRanges, index(loc, 1), ValueRange{},
        [&](OpBuilder &lb, Location l, Value r, ValueRange) {
          auto toIndex = [&](Value v) {
            return arith::IndexCastOp::create(lb, l, lb.getIndexType(), v);
          };
          Value first = arith::MulIOp::create(
              lb, l, r, arith::ConstantIndexOp::create(lb, l, 2));
          Value second = arith::AddIOp::create(
              lb, l, first, arith::ConstantIndexOp::create(lb, l, 1));
          Value begin =
              toIndex(memref::LoadOp::create(lb, l, ranges, ValueRange{first}));
          Value end = toIndex(
              memref::LoadOp::create(lb, l, ranges, ValueRange{second}));
          scf::ForOp::create(
              lb, l, begin, end, arith::ConstantIndexOp::create(lb, l, 1),
              ValueRange{},
              [&](OpBuilder &ib, Location il, Value k, ValueRange) {
                Value target = arith::IndexCastOp::create(
                    ib, il, ib.getIndexType(),
                    memref::LoadOp::create(ib, il, colIdx, ValueRange{k}));
                emitSynapseEvent(ib, il, proj, post, synapse, proj.getOnPre(),
                                 postState, synState, k, target, step, dt,
                                 frozen);
                scf::YieldOp::create(ib, il);
              });
          scf::YieldOp::create(lb, l);
        });
    func::ReturnOp::create(b, loc);
  }

  /// `<projection>_on_post(postState, synState, spikes, numSpikes, postPtr,
  /// synIds, step)`: runs `on post` for every synapse onto each target
  /// neuron that spiked; synIds[postPtr[j] .. postPtr[j+1]) are the
  /// synapses onto neuron j.
  void buildOnPost(ProjectionOp proj, NeuronOp post, double dt) {
    Location loc = proj.getLoc();
    SynapseOp synapse = proj.getSynapseModel();
    auto i32Vec = MemRefType::get({ShapedType::kDynamic}, i32);
    auto i64Vec = MemRefType::get({ShapedType::kDynamic}, i64);
    auto fn = kernel(loc, abi::onPostKernel(proj.getSymName()),
                     {stateType(post), synapseStateType(synapse), i32Vec, i64,
                      i64Vec, i64Vec, i64},
                     {});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&fn.front());
    Value postState = fn.getArgument(0), synState = fn.getArgument(1);
    Value spikes = fn.getArgument(2), postPtr = fn.getArgument(4);
    Value synIds = fn.getArgument(5), step = fn.getArgument(6);
    Value numSpikes =
        arith::IndexCastOp::create(b, loc, b.getIndexType(), fn.getArgument(3));
    scf::ForOp::create(
        b, loc, index(loc, 0), numSpikes, index(loc, 1), ValueRange{},
        [&](OpBuilder &lb, Location l, Value s, ValueRange) {
          auto toIndex = [&](Value v) {
            return arith::IndexCastOp::create(lb, l, lb.getIndexType(), v);
          };
          Value target =
              toIndex(memref::LoadOp::create(lb, l, spikes, ValueRange{s}));
          Value next = arith::AddIOp::create(
              lb, l, target, arith::ConstantIndexOp::create(lb, l, 1));
          Value begin = toIndex(
              memref::LoadOp::create(lb, l, postPtr, ValueRange{target}));
          Value end =
              toIndex(memref::LoadOp::create(lb, l, postPtr, ValueRange{next}));
          scf::ForOp::create(
              lb, l, begin, end, arith::ConstantIndexOp::create(lb, l, 1),
              ValueRange{},
              [&](OpBuilder &ib, Location il, Value j, ValueRange) {
                Value k = arith::IndexCastOp::create(
                    ib, il, ib.getIndexType(),
                    memref::LoadOp::create(ib, il, synIds, ValueRange{j}));
                emitSynapseEvent(ib, il, proj, post, synapse, proj.getOnPost(),
                                 postState, synState, k, target, step, dt);
                scf::YieldOp::create(ib, il);
              });
          scf::YieldOp::create(lb, l);
        });
    func::ReturnOp::create(b, loc);
  }

private:
  ModuleOp module;
  OpBuilder b;
  Type f64, i64, i32;
  /// The kernel being built (kernel() sets it).
  func::FuncOp currentKernel;
  /// Modulator values loaded at the entry of each kernel, by global name.
  std::map<std::pair<Operation *, std::string>, Value> modulatorLoads;
};

class ConvertNNToKernelsPass
    : public nnc::impl::ConvertNNToKernelsBase<ConvertNNToKernelsPass> {
public:
  void runOnOperation() override {
    ModuleOp module = getOperation();
    KernelBuilder builder(module);
    llvm::StringMap<double> dtOfModel;
    module.walk([&](PopulationOp pop) {
      dtOfModel[pop.getModel()] =
          pop->getParentOfType<NetworkOp>().getDt().convertToDouble();
    });
    bool ok = true;
    // Tables are read by the kernels that run every step; initial values
    // and covers have no time to read them at.
    module.walk([&](TableLookupOp lookup) {
      Operation *op = lookup;
      if (op->getParentOfType<StateOp>() ||
          op->getParentOfType<PopulationOp>() ||
          op->getParentOfType<GatherOp>() || op->getParentOfType<ScatterOp>() ||
          (op->getParentOfType<ProjectionOp>() &&
           op->getParentRegion() ==
               &op->getParentOfType<ProjectionOp>().getInit())) {
        lookup.emitError() << "table '" << lookup.getTable()
                           << "' can only be read by equations, conditions "
                              "and handlers, which run every step";
        ok = false;
      }
    });
    if (!ok)
      return signalPassFailure();
    for (NeuronOp neuron : llvm::to_vector(module.getOps<NeuronOp>())) {
      auto it = dtOfModel.find(neuron.getSymName());
      if (it == dtOfModel.end())
        continue; // unused model: nothing to run
      if (!neuron.getBodyBlock().getOps<OdeOp>().empty()) {
        neuron.emitError() << "model '" << neuron.getSymName()
                           << "' has unsolved equations; run nn-solve-odes "
                              "first";
        ok = false;
        continue;
      }
      builder.buildUpdate(neuron, it->second);
    }
    module.walk([&](PopulationOp pop) {
      if (NeuronOp neuron = pop.getNeuron())
        builder.buildInit(pop, neuron);
    });
    module.walk([&](ProjectionOp proj) {
      auto network = proj->getParentOfType<NetworkOp>();
      double dt = network.getDt().convertToDouble();
      auto pop = cast<PopulationOp>(
          SymbolTable::lookupSymbolIn(network, proj.getPost()));
      auto post = module.lookupSymbol<NeuronOp>(pop.getModel());
      SynapseOp synapse = proj.getSynapseModel();
      if (synapse && !synapse.getBodyBlock().getOps<OdeOp>().empty()) {
        synapse.emitError() << "synapse model '" << synapse.getSymName()
                            << "' has unsolved equations; run nn-solve-odes "
                               "first";
        ok = false;
        return;
      }
      builder.buildOnPre(proj, post, dt);
      if (!proj.getProbability().empty()) {
        auto source = dyn_cast_or_null<PopulationOp>(
            SymbolTable::lookupSymbolIn(network, proj.getPre()));
        builder.buildConnectRow(proj, source ? source.getNeuron() : NeuronOp(),
                                post);
      }
      if (!proj.getOnPost().empty())
        builder.buildOnPost(proj, post, dt);
      if (synapse) {
        builder.buildOnPre(proj, post, dt, /*frozen=*/true);
        builder.buildSynapseInit(proj, synapse);
        if (synapse.getClockDriven())
          builder.buildUpdateSynapses(proj, synapse, dt);
      }
    });
    // Every statement is checked, then each pass of statements becomes
    // its kernels (nn::getCoverPasses).
    auto checkStatement = [&](Operation *op) {
      CoverStatement stmt = *asCoverStatement(op);
      auto network = op->getParentOfType<NetworkOp>();
      auto pop = dyn_cast_or_null<PopulationOp>(
          SymbolTable::lookupSymbolIn(network, stmt.population));
      auto proj = dyn_cast_or_null<ProjectionOp>(
          SymbolTable::lookupSymbolIn(network, stmt.projection));
      NeuronOp astro = pop ? pop.getNeuron() : NeuronOp();
      SynapseOp synapse = proj ? proj.getSynapseModel() : SynapseOp();
      if (auto gather = dyn_cast<GatherOp>(op)) {
        if (!astro || !synapse || astro.getStateRow(gather.getVar()) < 0) {
          gather.emitError()
              << "needs a population with state '" << gather.getVar()
              << "' and a projection with a synapse model";
          return std::pair<NeuronOp, ProjectionOp>();
        }
      } else if (auto scatter = cast<ScatterOp>(op);
                 !astro || !synapse ||
                 synapse.getStateRow(scatter.getVar()) < 0) {
        scatter.emitError() << "needs a population of a neuron model and a "
                               "projection whose synapses have state '"
                            << scatter.getVar() << "'";
        return std::pair<NeuronOp, ProjectionOp>();
      }
      return std::make_pair(astro, proj);
    };
    module.walk([&](NetworkOp network) {
      for (auto &pass : getCoverPasses(network)) {
        bool passOk = true;
        std::pair<NeuronOp, ProjectionOp> target;
        for (Operation *op : pass) {
          target = checkStatement(op);
          passOk &= static_cast<bool>(target.first);
        }
        if (!passOk) {
          ok = false;
          continue;
        }
        builder.buildCoverPass(pass, target.first, target.second);
      }
    });
    module.walk([&](RewireOp rewire) {
      auto network = rewire->getParentOfType<NetworkOp>();
      auto proj = cast<ProjectionOp>(
          SymbolTable::lookupSymbolIn(network, rewire.getProjection()));
      builder.buildRewire(rewire, proj, proj.getSynapseModel());
    });
    module.walk([&](PoissonInputOp input) {
      auto network = input->getParentOfType<NetworkOp>();
      auto pop = cast<PopulationOp>(
          SymbolTable::lookupSymbolIn(network, input.getPopulation()));
      builder.buildPoissonInput(input, pop.getNeuron(),
                                network.getDt().convertToDouble());
    });
    if (!ok || builder.failedLowering)
      signalPassFailure();
  }
};

} // namespace
