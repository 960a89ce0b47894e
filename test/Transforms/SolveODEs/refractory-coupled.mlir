// RUN: nnc-opt %s --nn-solve-odes | FileCheck %s
// While refractory, a clamped state has zero derivative (Brian2's
// `unless refractory`). An adaptation current w' = (a v - w)/tau_w coupled to
// the clamped v then evolves with v held constant: its exact update selects
// between two propagators. With dt/tau_w = 0.01:
//   normal:     w <- exp(-0.01) w + (coupling through v's dynamics) ...
//   refractory: w <- exp(-0.01) w + a (1 - exp(-0.01)) v
//                  = 0.99004983374916... w + 0.0099501662508319... v (a = 1)
// and every RK stage zeroes v's derivative while refractory.

nn.neuron @Adapt attributes {solver = "exact"} {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @w init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.ode @v {
    %v = nn.read @v
    %w = nn.read @w
    %s = arith.addf %v, %w : f64
    %n = arith.negf %s : f64
    %tau = arith.constant 1.0e-02 : f64
    %r = arith.divf %n, %tau : f64
    nn.yield %r : f64
  }
  nn.ode @w {
    %v = nn.read @v
    %w = nn.read @w
    %d = arith.subf %v, %w : f64
    %tau = arith.constant 1.0e-02 : f64
    %r = arith.divf %d, %tau : f64
    nn.yield %r : f64
  }
  nn.threshold {
    %v = nn.read @v
    %c = arith.constant 1.0 : f64
    %t = arith.cmpf ogt, %v, %c : f64
    nn.yield %t : i1
  }
  nn.on_spike {
    %c = arith.constant 0.0 : f64
    nn.write @v, %c
    nn.yield
  }
  nn.refractory 2.000000e-03 clamp [@v]
}

nn.neuron @AdaptRK attributes {solver = "rk2"} {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.ode @v {
    %v = nn.read @v
    %n = arith.negf %v : f64
    nn.yield %n : f64
  }
  nn.threshold {
    %v = nn.read @v
    %c = arith.constant 1.0 : f64
    %t = arith.cmpf ogt, %v, %c : f64
    nn.yield %t : i1
  }
  nn.refractory 2.000000e-03 clamp [@v]
}

nn.network @Net dt 1.000000e-04 {
  nn.population @p : @Adapt[1]
  nn.population @q : @AdaptRK[1]
}

// CHECK-LABEL: nn.neuron @Adapt
// CHECK: nn.integrate "exact"
// CHECK: %[[REF:.*]] = nn.refractory_now
// CHECK-DAG: arith.constant 0.99004983374916{{[0-9]*}} : f64
// CHECK-DAG: arith.constant 0.0099501662508319{{[0-9]*}} : f64
// CHECK: %[[W:.*]] = arith.select %[[REF]], %{{.*}}, %{{.*}} : f64
// CHECK: nn.write @w, %[[W]]

// Both RK2 stages zero v's derivative while refractory.
// CHECK-LABEL: nn.neuron @AdaptRK
// CHECK: %[[REF2:.*]] = nn.refractory_now
// CHECK: arith.select %[[REF2]], %{{.*}}, %{{.*}} : f64
// CHECK: arith.select %[[REF2]], %{{.*}}, %{{.*}} : f64
// CHECK: nn.write @v
