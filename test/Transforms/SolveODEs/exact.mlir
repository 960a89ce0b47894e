// RUN: nnc-opt %s --nn-solve-odes | FileCheck %s
// The CUBA neuron: v' = (ge + gi - (v - E_L)) / tau_m, ge' = -ge / tau_e,
// gi' = -gi / tau_i, dt = 0.1 ms. Expected propagator entries, computed by
// hand from the closed-form solution (a = 1/tau_m, b = 1/tau_syn):
//   v <- v:  exp(-dt/tau_m)                          = 0.99501247919268...
//   v <- ge: a/(a-b) (exp(-b dt) - exp(-a dt))       = 0.0049379352953090...
//   v <- gi: same with tau_i                         = 0.0049626454435142...
//   v <- 1:  E_L (1 - exp(-dt/tau_m))                = -2.44388519558566...e-4
//   ge <- ge: exp(-dt/tau_e)                         = 0.98019867330675...
//   gi <- gi: exp(-dt/tau_i)                         = 0.99004983374916...
// The v column is structurally zero for ge and gi (no term at all).

nn.neuron @LIF {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @ge init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @gi init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.ode @v {
    %ge = nn.read @ge
    %gi = nn.read @gi
    %s = arith.addf %ge, %gi : f64
    %v = nn.read @v
    %el = arith.constant -4.900000e-02 : f64
    %d = arith.subf %v, %el : f64
    %n = arith.subf %s, %d : f64
    %tau = arith.constant 2.000000e-02 : f64
    %r = arith.divf %n, %tau : f64
    nn.yield %r : f64
  }
  nn.ode @ge {
    %ge = nn.read @ge
    %n = arith.negf %ge : f64
    %tau = arith.constant 5.000000e-03 : f64
    %r = arith.divf %n, %tau : f64
    nn.yield %r : f64
  }
  nn.ode @gi {
    %gi = nn.read @gi
    %n = arith.negf %gi : f64
    %tau = arith.constant 1.000000e-02 : f64
    %r = arith.divf %n, %tau : f64
    nn.yield %r : f64
  }
}
nn.network @N dt 1.000000e-04 {
  nn.population @p : @LIF[1]
}

// CHECK-LABEL: nn.neuron @LIF
// CHECK-NOT: nn.ode
// CHECK: nn.integrate "exact" dt 1.000000e-04 {
// CHECK-NEXT: %[[V:.*]] = nn.read @v
// CHECK-NEXT: %[[GE:.*]] = nn.read @ge
// CHECK-NEXT: %[[GI:.*]] = nn.read @gi
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0.9950124791926{{[0-9]*}} : f64
// CHECK-NEXT: arith.mulf %[[C0]], %[[V]]
// CHECK-NEXT: %[[C1:.*]] = arith.constant 0.004937935295309{{[0-9]*}} : f64
// CHECK-NEXT: arith.mulf %[[C1]], %[[GE]]
// CHECK-NEXT: arith.addf
// CHECK-NEXT: %[[C2:.*]] = arith.constant 0.004962645443514{{[0-9]*}} : f64
// CHECK-NEXT: arith.mulf %[[C2]], %[[GI]]
// CHECK-NEXT: arith.addf
// CHECK-NEXT: arith.constant -2.443885195585{{[0-9]*}}E-4 : f64
// CHECK-NEXT: %[[NV:.*]] = arith.addf
// CHECK-NEXT: %[[C3:.*]] = arith.constant 0.9801986733067{{[0-9]*}} : f64
// CHECK-NEXT: %[[NGE:.*]] = arith.mulf %[[C3]], %[[GE]] : f64
// CHECK-NEXT: %[[C4:.*]] = arith.constant 0.9900498337491{{[0-9]*}} : f64
// CHECK-NEXT: %[[NGI:.*]] = arith.mulf %[[C4]], %[[GI]] : f64
// CHECK-NEXT: nn.write @v, %[[NV]]
// CHECK-NEXT: nn.write @ge, %[[NGE]]
// CHECK-NEXT: nn.write @gi, %[[NGI]]
// CHECK-NEXT: nn.yield
