// RUN: nnc-opt %s --nn-solve-odes | FileCheck %s
// Brian2's exponential Euler on a gating variable m' = alpha(v) (1 - m) -
// beta m, which is linear in m with coefficients depending on v:
//   B = f(m = 0) = alpha,  A = f(m = 1) - B = -(alpha + beta),
//   m <- -B/A + (m + B/A) exp(A dt).
// v's equation does not contain v, so it takes an Euler step (A = 0).

nn.neuron @Gate attributes {solver = "exponential_euler"} {
  nn.state @v init {
    %c = arith.constant -6.5e-02 : f64
    nn.yield %c : f64
  }
  nn.state @m init {
    %c = arith.constant 5.0e-02 : f64
    nn.yield %c : f64
  }
  nn.ode @m {
    %v = nn.read @v
    %m = nn.read @m
    %s = arith.constant 1.0e+02 : f64
    %x = arith.mulf %s, %v : f64
    %alpha = math.exp %x : f64
    %one = arith.constant 1.0 : f64
    %om = arith.subf %one, %m : f64
    %up = arith.mulf %alpha, %om : f64
    %beta = arith.constant 4.0e+03 : f64
    %down = arith.mulf %beta, %m : f64
    %r = arith.subf %up, %down : f64
    nn.yield %r : f64
  }
  nn.ode @v {
    %c = arith.constant 1.0 : f64
    nn.yield %c : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @p : @Gate[1]
}

// CHECK-LABEL: nn.neuron @Gate
// CHECK: nn.integrate "exponential_euler" dt 1.000000e-04 {
// CHECK-NEXT: %[[V:.*]] = nn.read @v
// CHECK-NEXT: %[[M:.*]] = nn.read @m
// CHECK-NOT: nn.time
// v: an Euler step, v + dt * 1.
// CHECK:      %[[DT:.*]] = arith.constant 1.000000e-04 : f64
// CHECK-NEXT: %[[STEP:.*]] = arith.mulf %[[DT]], %{{.*}} : f64
// CHECK-NEXT: %[[NEWV:.*]] = arith.addf %[[V]], %[[STEP]] : f64
// m's equation at m = 0 gives B, at m = 1 gives A + B:
// CHECK:      %[[M0:.*]] = arith.constant 0.000000e+00 : f64
// CHECK:      arith.subf %{{.*}}, %[[M0]] : f64
// CHECK:      %[[B:.*]] = arith.subf
// CHECK:      %[[M1:.*]] = arith.constant 1.000000e+00 : f64
// CHECK:      arith.subf %{{.*}}, %[[M1]] : f64
// CHECK:      %[[F1:.*]] = arith.subf
// CHECK-NEXT: %[[A:.*]] = arith.subf %[[F1]], %[[B]] : f64
// CHECK-NEXT: %[[BA:.*]] = arith.divf %[[B]], %[[A]] : f64
// CHECK-NEXT: %[[DT2:.*]] = arith.constant 1.000000e-04 : f64
// CHECK-NEXT: %[[ADT:.*]] = arith.mulf %[[A]], %[[DT2]] : f64
// CHECK-NEXT: %[[E:.*]] = math.exp %[[ADT]] : f64
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[M]], %[[BA]] : f64
// CHECK-NEXT: %[[PROD:.*]] = arith.mulf %[[SUM]], %[[E]] : f64
// CHECK-NEXT: %[[NEWM:.*]] = arith.subf %[[PROD]], %[[BA]] : f64
// CHECK-NEXT: nn.write @v, %[[NEWV]]
// CHECK-NEXT: nn.write @m, %[[NEWM]]
// CHECK-NOT: nn.ode
