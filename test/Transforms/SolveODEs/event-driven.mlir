// RUN: nnc-opt %s --nn-solve-odes --split-input-file -verify-diagnostics | FileCheck %s
// Synapse equations are event-driven: nn-solve-odes replaces them by one
// nn.advance whose block argument is the time since the synapse's last
// event s, with the closed-form solution of x' = a x + b over s:
// a trace decays (x e^{a s}), a resource recovers towards x_inf = -b/a
// (x_inf + (x - x_inf) e^{a s}), a constant drift adds b s.

nn.neuron @Cell {
  nn.state @g init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.synapse @Syn {
  nn.param @tau = 2.000000e-02
  nn.state @trace init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @res init {
    %c = arith.constant 1.0 : f64
    nn.yield %c : f64
  }
  nn.state @age init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @w init {
    %c = arith.constant 0.5 : f64
    nn.yield %c : f64
  }
  // trace' = -trace / tau: a = -50
  nn.ode @trace {
    %x = nn.read @trace
    %tau = nn.read @tau
    %d = arith.divf %x, %tau : f64
    %n = arith.negf %d : f64
    nn.yield %n : f64
  }
  // res' = (0.8 - res) / 0.5 s: a = -2, x_inf = 0.8
  nn.ode @res {
    %x = nn.read @res
    %c = arith.constant 0.8 : f64
    %t = arith.constant 0.5 : f64
    %d = arith.subf %c, %x : f64
    %r = arith.divf %d, %t : f64
    nn.yield %r : f64
  }
  // age' = 1: a = 0, b = 1
  nn.ode @age {
    %c = arith.constant 1.0 : f64
    nn.yield %c : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @p : @Cell[2]
  nn.projection @p_to_p from @p to @p "all_to_all"(0.0) delay 0.0 synapse @Syn on_pre {
    %w = nn.read @w
    %g = nn.read @g
    %s = arith.addf %g, %w : f64
    nn.write @g, %s
    nn.yield
  }
}

// CHECK-LABEL: nn.synapse @Syn
// CHECK-NOT: nn.ode
// CHECK: nn.advance {
// CHECK-NEXT: ^bb0(%[[S:.*]]: f64):
// CHECK: %[[X:.*]] = nn.read @trace
// CHECK: %[[A:.*]] = arith.constant -5.000000e+01 : f64
// CHECK: %[[AS:.*]] = arith.mulf %[[A]], %[[S]] : f64
// CHECK: %[[E:.*]] = math.exp %[[AS]] : f64
// CHECK: %[[XN:.*]] = arith.mulf %[[X]], %[[E]] : f64
// CHECK: nn.write @trace, %[[XN]]
// CHECK: %[[R:.*]] = nn.read @res
// CHECK: arith.constant -2.000000e+00 : f64
// CHECK: %[[ER:.*]] = math.exp
// CHECK: %[[INF:.*]] = arith.constant 8.000000e-01 : f64
// CHECK: %[[OFF:.*]] = arith.subf %[[R]], %[[INF]] : f64
// CHECK: %[[SC:.*]] = arith.mulf %[[OFF]], %[[ER]] : f64
// CHECK: %[[RN:.*]] = arith.addf %[[INF]], %[[SC]] : f64
// CHECK: nn.write @res, %[[RN]]
// CHECK: %[[G:.*]] = nn.read @age
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
// CHECK: %[[D:.*]] = arith.mulf %[[ONE]], %[[S]] : f64
// CHECK: %[[GN:.*]] = arith.addf %[[G]], %[[D]] : f64
// CHECK: nn.write @age, %[[GN]]
// CHECK-NOT: nn.write @w
// CHECK: nn.yield
