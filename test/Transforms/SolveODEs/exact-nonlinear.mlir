// RUN: nnc-opt %s --nn-solve-odes -verify-diagnostics
// Forcing exact integration on a nonlinear system is an error that says why.

// expected-error @+1 {{solver 'exact' needs a linear, time-invariant system of equations, but the equation for x' is nonlinear}}
nn.neuron @Quadratic attributes {solver = "exact"} {
  nn.state @x init {
    %c = arith.constant 1.0 : f64
    nn.yield %c : f64
  }
  nn.ode @x {
    %x = nn.read @x
    %sq = arith.mulf %x, %x : f64
    nn.yield %sq : f64
  }
}
nn.network @N dt 1.000000e-03 {
  nn.population @p : @Quadratic[1]
}
