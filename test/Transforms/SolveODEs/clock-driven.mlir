// RUN: nnc-opt %s --nn-solve-odes --split-input-file -verify-diagnostics | FileCheck %s
// Synapse equations that are not x' = a x + b with constants (they read
// another state, a modulator or the time, or are nonlinear) are
// clock-driven: nn-solve-odes integrates them every step in one
// nn.integrate with the model's solver. So is every equation whose state
// a clock-driven one reads (c below: s' reads it); the rest (the trace)
// stay event-driven in nn.advance.

nn.neuron @Cell {
  nn.state @g init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.neuron @Level {
  nn.state @level init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.synapse @ThreeFactor attributes {solver = "euler"} {
  nn.state @s init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @c init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @trace init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  // c' = -c / 1 s: event-drivable alone, but s' reads it.
  nn.ode @c {
    %c = nn.read @c
    %n = arith.negf %c : f64
    nn.yield %n : f64
  }
  // s' = c * d / 1 ms
  nn.ode @s {
    %c = nn.read @c
    %d = nn.read_modulator @dopamine, @level
    %p = arith.mulf %c, %d : f64
    %k = arith.constant 1.000000e+03 : f64
    %r = arith.mulf %p, %k : f64
    nn.yield %r : f64
  }
  // trace' = -trace / 20 ms
  nn.ode @trace {
    %x = nn.read @trace
    %k = arith.constant -5.000000e+01 : f64
    %r = arith.mulf %x, %k : f64
    nn.yield %r : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @p : @Cell[2]
  nn.population modulator @dopamine : @Level[1]
  nn.projection @S from @p to @p "all_to_all"(0.0) delay 0.0 synapse @ThreeFactor on_pre {
    %s = nn.read @s
    %g = nn.read @g
    %n = arith.addf %g, %s : f64
    nn.write @g, %n
    nn.yield
  }
}

// CHECK-LABEL: nn.synapse @ThreeFactor
// CHECK-NOT: nn.ode
// CHECK: nn.integrate "euler" dt 1.000000e-04 {
// CHECK-DAG: %[[S:.*]] = nn.read @s
// CHECK-DAG: %[[C:.*]] = nn.read @c
// CHECK: %[[D:.*]] = nn.read_modulator @dopamine, @level
// CHECK: %[[CD:.*]] = arith.mulf %[[C]], %[[D]] : f64
// CHECK: %[[SP:.*]] = arith.mulf %[[CD]], %{{.*}} : f64
// CHECK: %[[CP:.*]] = arith.negf %[[C]] : f64
// CHECK: %[[DT:.*]] = arith.constant 1.000000e-04 : f64
// CHECK: %[[DS:.*]] = arith.mulf %[[DT]], %[[SP]] : f64
// CHECK: %[[SN:.*]] = arith.addf %[[S]], %[[DS]] : f64
// CHECK: %[[DC:.*]] = arith.mulf %{{.*}}, %[[CP]] : f64
// CHECK: %[[CN:.*]] = arith.addf %[[C]], %[[DC]] : f64
// CHECK: nn.write @s, %[[SN]]
// CHECK: nn.write @c, %[[CN]]
// CHECK-NOT: nn.write @trace
// CHECK: nn.yield
// CHECK: nn.advance {
// CHECK: nn.read @trace
// CHECK: math.exp
// CHECK: nn.write @trace
// CHECK-NOT: nn.write @c
// CHECK: nn.yield

// -----

// A nonlinear equation is clock-driven too; without a solver, rk4 (the
// system is not linear). A linear one that reads a state without an
// equation (x' = y) is integrated exactly, every step.

nn.neuron @Cell {
}
nn.synapse @Mixed {
  nn.state @q init {
    %c = arith.constant 1.0 : f64
    nn.yield %c : f64
  }
  nn.ode @q {
    %q = nn.read @q
    %sq = arith.mulf %q, %q : f64
    nn.yield %sq : f64
  }
}
nn.synapse @Drift {
  nn.state @x init {
    %c = arith.constant 1.0 : f64
    nn.yield %c : f64
  }
  nn.state @y init {
    %c = arith.constant 2.0 : f64
    nn.yield %c : f64
  }
  nn.ode @x {
    %y = nn.read @y
    nn.yield %y : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @p : @Cell[1]
  nn.projection @a from @p to @p "one_to_one"(0.0) delay 0.0 synapse @Mixed on_pre {
    nn.yield
  }
  nn.projection @b from @p to @p "one_to_one"(0.0) delay 0.0 synapse @Drift on_pre {
    nn.yield
  }
}

// CHECK-LABEL: nn.synapse @Mixed
// CHECK: nn.integrate "rk4"
// CHECK-NOT: nn.advance
// CHECK-LABEL: nn.synapse @Drift
// CHECK: nn.integrate "exact"
// CHECK-DAG: %[[X:.*]] = nn.read @x
// CHECK-DAG: %[[Y:.*]] = nn.read @y
// CHECK: %[[K:.*]] = arith.constant 1.000000e-04 : f64
// CHECK: %[[KY:.*]] = arith.mulf %[[K]], %[[Y]] : f64
// CHECK: nn.write @x
// CHECK-NOT: nn.advance

// -----

nn.neuron @Cell {
}
// expected-error @+1 {{solver 'exact' needs a linear, time-invariant system of equations, but the equation for q' is nonlinear; use 'solver rk4;' or 'solver euler;'}}
nn.synapse @Forced attributes {solver = "exact"} {
  nn.state @q init {
    %c = arith.constant 1.0 : f64
    nn.yield %c : f64
  }
  nn.ode @q {
    %q = nn.read @q
    %sq = arith.mulf %q, %q : f64
    nn.yield %sq : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @p : @Cell[1]
  nn.projection @a from @p to @p "one_to_one"(0.0) delay 0.0 synapse @Forced on_pre {
    nn.yield
  }
}
