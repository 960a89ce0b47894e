//===- NNDialect.td - The nn dialect -----------------------*- tablegen -*-===//

#ifndef NNC_DIALECT_NN_NNDIALECT_TD
#define NNC_DIALECT_NN_NNDIALECT_TD

include "mlir/IR/OpBase.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::nnc::nn";
  let summary = "nnc's high-level dialect of neuron models and networks";
  let description = [{
    The `nn` dialect is what the front end produces: neuron models as
    parameters, state variables and differential equations with spike
    conditions, resets and refractoriness; networks of populations and
    projections; and the program that runs them. Every quantity is an `f64`
    in SI base units. Passes solve the ODEs (`nn-solve-odes`) and lower
    models and networks to loops and runtime calls.
  }];
}

class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, traits>;

#endif // NNC_DIALECT_NN_NNDIALECT_TD
