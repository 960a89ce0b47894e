// RUN: nnc-opt %s --convert-nn-to-kernels -verify-diagnostics
// Kernels need solved dynamics.

// expected-error @+1 {{model 'N' has unsolved equations; run nn-solve-odes first}}
nn.neuron @N {
  nn.state @x init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.ode @x {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @p : @N[10]
}
