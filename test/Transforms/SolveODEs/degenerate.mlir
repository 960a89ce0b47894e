// RUN: nnc-opt %s --split-input-file --nn-solve-odes | FileCheck %s
// Degenerate linear systems the propagator must still get exactly right.

// Equal time constants (tau_m = tau_s = 20 ms): the coupling term becomes
// (dt/tau) exp(-dt/tau) = 0.0049750623959634...
nn.neuron @Equal {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @s init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.ode @v {
    %s = nn.read @s
    %v = nn.read @v
    %d = arith.subf %s, %v : f64
    %tau = arith.constant 2.000000e-02 : f64
    %r = arith.divf %d, %tau : f64
    nn.yield %r : f64
  }
  nn.ode @s {
    %s = nn.read @s
    %n = arith.negf %s : f64
    %tau = arith.constant 2.000000e-02 : f64
    %r = arith.divf %n, %tau : f64
    nn.yield %r : f64
  }
}
nn.network @N dt 1.000000e-04 {
  nn.population @p : @Equal[1]
}
// CHECK-LABEL: nn.neuron @Equal
// CHECK: nn.integrate "exact"
// CHECK-DAG: arith.constant 0.004975062395963{{[0-9]*}} : f64
// CHECK-DAG: arith.constant 0.9950124791926{{[0-9]*}} : f64

// -----

// A singular system (a pure integrator driven by a constant): x' = 2 V/s
// gives x <- x + 2 * dt = x + 2.0e-4, with a coefficient of exactly 1.
nn.neuron @Integrator {
  nn.state @x init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.ode @x {
    %c = arith.constant 2.0 : f64
    nn.yield %c : f64
  }
}
nn.network @N dt 1.000000e-04 {
  nn.population @p : @Integrator[1]
}
// CHECK-LABEL: nn.neuron @Integrator
// CHECK: nn.integrate "exact"
// CHECK-DAG: %[[X:.*]] = nn.read @x
// CHECK-DAG: arith.constant 1.000000e+00 : f64
// CHECK-DAG: arith.constant 2.000000e-04 : f64
