// RUN: nnc-opt %s --split-input-file --nn-solve-odes | FileCheck %s
// Nonlinear systems fall back to RK4, or the solver the model names.

// x' = -x*x: not linear, so the automatic choice is rk4: four evaluations
// of the right-hand side (four mulf x*x), combined with weights dt/6.
nn.neuron @Quadratic {
  nn.state @x init {
    %c = arith.constant 1.0 : f64
    nn.yield %c : f64
  }
  nn.ode @x {
    %x = nn.read @x
    %sq = arith.mulf %x, %x : f64
    %n = arith.negf %sq : f64
    nn.yield %n : f64
  }
}
nn.network @N dt 1.000000e-03 {
  nn.population @p : @Quadratic[1]
}
// CHECK-LABEL: nn.neuron @Quadratic
// CHECK: nn.integrate "rk4" dt 1.000000e-03
// CHECK-COUNT-4: arith.negf
// CHECK: arith.constant 1.6666666666666666E-4 : f64
// CHECK: nn.write @x

// -----

// Forward Euler, chosen by the model: x <- x + dt * f(x).
nn.neuron @Forward attributes {solver = "euler"} {
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
  nn.population @p : @Forward[1]
}
// CHECK-LABEL: nn.neuron @Forward
// CHECK: nn.integrate "euler" dt 1.000000e-03 {
// CHECK-NEXT: %[[X:.*]] = nn.read @x
// An unused time is not left behind.
// CHECK-NEXT: %[[F:.*]] = arith.mulf %[[X]], %[[X]] : f64
// CHECK-NEXT: %[[DT:.*]] = arith.constant 1.000000e-03 : f64
// CHECK-NEXT: %[[H:.*]] = arith.mulf %[[DT]], %[[F]] : f64
// CHECK-NEXT: %[[N:.*]] = arith.addf %[[X]], %[[H]] : f64
// CHECK-NEXT: nn.write @x, %[[N]]
