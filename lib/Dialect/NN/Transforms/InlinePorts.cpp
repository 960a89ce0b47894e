//===- InlinePorts.cpp - Run port handlers where synapses deliver ---------===//
//
// Clones each neuron model's `nn.on_input` handler at every `nn.deliver` to
// its port (see Passes.td), so a handler runs once per event inside the
// delivery loop that the projection lowers to.
//
//===----------------------------------------------------------------------===//

#include "nnc/Dialect/NN/IR/NNOps.h"
#include "nnc/Dialect/NN/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace nnc::nn {
#define GEN_PASS_DEF_NNINLINEPORTS
#include "nnc/Dialect/NN/Transforms/Passes.h.inc"
} // namespace nnc::nn

using namespace mlir;
using namespace nnc::nn;

namespace {

/// The neuron model of population `name` of the network around `op`.
NeuronOp targetModel(Operation *op, StringRef name) {
  auto network = op->getParentOfType<NetworkOp>();
  auto pop = network ? dyn_cast_or_null<PopulationOp>(
                           SymbolTable::lookupSymbolIn(network, name))
                     : PopulationOp();
  return pop ? pop.getNeuron() : NeuronOp();
}

/// Replaces `deliver` by a clone of `handler`'s body.
void inlineHandler(DeliverOp deliver, OnInputOp handler) {
  OpBuilder builder(deliver);
  Block &body = handler.getHandler().front();
  IRMapping mapping;
  mapping.map(body.getArgument(0), deliver.getValue());
  Value when = deliver.getWhen();
  for (Operation &op : body.without_terminator()) {
    auto write = dyn_cast<WriteOp>(op);
    if (!when || !write) {
      builder.clone(op, mapping);
      continue;
    }
    // A guarded event: the state keeps its value where `when` is false.
    Location loc = write.getLoc();
    Value old = ReadOp::create(builder, loc, write.getVar());
    Value updated = arith::SelectOp::create(
        builder, loc, when, mapping.lookupOrDefault(write.getValue()), old);
    WriteOp::create(builder, loc, write.getVar(), updated);
  }
  deliver.erase();
}

class InlinePortsPass
    : public nnc::nn::impl::NNInlinePortsBase<InlinePortsPass> {
public:
  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool ok = true;
    auto inlineIn = [&](Operation *owner, StringRef population) {
      SmallVector<DeliverOp> delivers;
      owner->walk([&](DeliverOp d) { delivers.push_back(d); });
      if (delivers.empty())
        return;
      NeuronOp model = targetModel(owner, population);
      for (DeliverOp deliver : delivers) {
        auto handler =
            model ? dyn_cast_or_null<OnInputOp>(SymbolTable::lookupSymbolIn(
                        model, deliver.getPortAttr().getAttr()))
                  : OnInputOp();
        if (!handler) {
          deliver.emitOpError()
              << "target population '" << population << "' has no input port '"
              << deliver.getPort() << "'";
          ok = false;
          continue;
        }
        inlineHandler(deliver, handler);
      }
    };
    module.walk([&](ProjectionOp proj) { inlineIn(proj, proj.getPost()); });
    module.walk(
        [&](PoissonInputOp input) { inlineIn(input, input.getPopulation()); });
    if (!ok)
      return signalPassFailure();
    module.walk([](OnInputOp handler) { handler.erase(); });
  }
};

} // namespace
