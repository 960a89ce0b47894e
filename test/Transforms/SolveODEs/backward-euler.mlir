// RUN: nnc-opt %s --nn-solve-odes | FileCheck %s
// solver backward_euler on two coupled compartments and a gate:
//   a.v' = 2000 (b.v - a.v),  b.v' = 1000 (a.v - b.v),  m' = exp(100 a.v) (1 - m).
// The potentials solve (I - dt J) dv = dt f with J from a 1e-6 V difference
// (exact here: the couplings are linear), a forest with a.v as its root
// eliminated leaves first (b.v into a.v), then substituted back; the gate
// takes an exponential Euler step that reads the new a.v.
nn.neuron @Cable attributes {solver = "backward_euler"} {
  nn.state @a.v init {
    %c = arith.constant -6.5e-02 : f64
    nn.yield %c : f64
  }
  nn.state @b.v init {
    %c = arith.constant -6.5e-02 : f64
    nn.yield %c : f64
  }
  nn.state @m init {
    %c = arith.constant 5.0e-02 : f64
    nn.yield %c : f64
  }
  nn.ode @a.v {
    %a = nn.read @a.v
    %b = nn.read @b.v
    %d = arith.subf %b, %a : f64
    %g = arith.constant 2.0e+03 : f64
    %r = arith.mulf %g, %d : f64
    nn.yield %r : f64
  }
  nn.ode @b.v {
    %a = nn.read @a.v
    %b = nn.read @b.v
    %d = arith.subf %a, %b : f64
    %g = arith.constant 1.0e+03 : f64
    %r = arith.mulf %g, %d : f64
    nn.yield %r : f64
  }
  nn.ode @m {
    %v = nn.read @a.v
    %m = nn.read @m
    %s = arith.constant 1.0e+02 : f64
    %x = arith.mulf %s, %v : f64
    %alpha = math.exp %x : f64
    %one = arith.constant 1.0 : f64
    %om = arith.subf %one, %m : f64
    %up = arith.mulf %alpha, %om : f64
    nn.yield %up : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @p : @Cable[1]
}

// CHECK-LABEL: nn.neuron @Cable
// CHECK: nn.integrate "backward_euler" dt 1.000000e-04 {
// CHECK-NEXT: %[[A:.*]] = nn.read @a.v
// CHECK-NEXT: %[[B:.*]] = nn.read @b.v
// CHECK-NEXT: %[[M:.*]] = nn.read @m
// f at the start of the step, times dt:
// CHECK:      %[[FA:.*]] = arith.mulf %{{.*}}, %{{.*}} : f64
// CHECK:      %[[RA:.*]] = arith.mulf %{{.*}}, %[[FA]] : f64
// CHECK:      %[[FB:.*]] = arith.mulf %{{.*}}, %{{.*}} : f64
// CHECK:      %[[RB:.*]] = arith.mulf %{{.*}}, %[[FB]] : f64
// The difference step, and the Jacobian column of a.v (-dt/h times the
// change of each equation that reads a.v; 1 + that on the diagonal):
// CHECK:      %[[H:.*]] = arith.constant 9.9999999999999995E-7 : f64
// CHECK-NEXT: %[[AH:.*]] = arith.addf %[[A]], %[[H]] : f64
// CHECK:      arith.constant -100.00000000000001 : f64
// CHECK-NEXT: %[[JAA:.*]] = arith.mulf
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-NEXT: %[[MAA:.*]] = arith.addf %[[ONE]], %[[JAA]] : f64
// CHECK:      arith.constant -100.00000000000001 : f64
// CHECK-NEXT: %[[MBA:.*]] = arith.mulf
// Column of b.v:
// CHECK:      %[[BH:.*]] = arith.addf %[[B]], %{{.*}} : f64
// CHECK:      arith.constant -100.00000000000001 : f64
// CHECK-NEXT: %[[MAB:.*]] = arith.mulf
// CHECK:      arith.constant -100.00000000000001 : f64
// CHECK-NEXT: %[[JBB:.*]] = arith.mulf
// CHECK-NEXT: %[[ONE2:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-NEXT: %[[MBB:.*]] = arith.addf %[[ONE2]], %[[JBB]] : f64
// Eliminate b.v (the leaf) into a.v (the root):
// CHECK-NEXT: %[[F:.*]] = arith.divf %[[MAB]], %[[MBB]] : f64
// CHECK-NEXT: %[[T:.*]] = arith.mulf %[[F]], %[[RB]] : f64
// CHECK-NEXT: %[[RA2:.*]] = arith.subf %[[RA]], %[[T]] : f64
// CHECK-NEXT: %[[T2:.*]] = arith.mulf %[[F]], %[[MBA]] : f64
// CHECK-NEXT: %[[MAA2:.*]] = arith.subf %[[MAA]], %[[T2]] : f64
// Back-substitute, root first:
// CHECK-NEXT: %[[DA:.*]] = arith.divf %[[RA2]], %[[MAA2]] : f64
// CHECK-NEXT: %[[NA:.*]] = arith.addf %[[A]], %[[DA]] : f64
// CHECK-NEXT: %[[T3:.*]] = arith.mulf %[[MBA]], %[[DA]] : f64
// CHECK-NEXT: %[[T4:.*]] = arith.subf %[[RB]], %[[T3]] : f64
// CHECK-NEXT: %[[DB:.*]] = arith.divf %[[T4]], %[[MBB]] : f64
// CHECK-NEXT: %[[NB:.*]] = arith.addf %[[B]], %[[DB]] : f64
// The gate's exponential Euler step reads the new a.v:
// CHECK:      arith.mulf %{{.*}}, %[[NA]] : f64
// CHECK:      nn.write @a.v, %[[NA]]
// CHECK-NEXT: nn.write @b.v, %[[NB]]
// CHECK-NEXT: nn.write @m, %{{.*}}
