// RUN: nnc-opt %s --convert-nn-to-kernels | FileCheck %s
// `refractory while`: the refractory row holds a 0/1 flag. A neuron is
// refractory in a step if it was after its last step and the condition
// holds on the state at the start of the step (Brian2's not_refractory =
// not_refractory or not COND); a spike sets the flag. Nothing is clamped.

nn.neuron @Crossing {
  nn.state @c init {
    %z = arith.constant 0.0 : f64
    nn.yield %z : f64
  }
  nn.integrate "euler" dt 1.000000e-04 {
    %c = nn.read @c
    %k = arith.constant 1.0e-03 : f64
    %n = arith.addf %c, %k : f64
    nn.write @c, %n
    nn.yield
  }
  nn.threshold {
    %c = nn.read @c
    %th = arith.constant 5.0e-01 : f64
    %above = arith.cmpf ogt, %c, %th : f64
    nn.yield %above : i1
  }
  nn.refractory clamp [] while {
    %c = nn.read @c
    %th = arith.constant 4.0e-01 : f64
    %above = arith.cmpf ogt, %c, %th : f64
    nn.yield %above : i1
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @p : @Crossing[10]
}

// CHECK-LABEL: func.func @Crossing_update(
// CHECK: scf.for %[[I:.*]] = %c0{{.*}} to %{{.*}} step %c1{{.*}} {
// CHECK-NOT: scf.if
// CHECK:   %[[OLD:.*]] = memref.load %[[S:.*]][%c0{{.*}}, %[[I]]]
// CHECK:   %[[FLAG:.*]] = memref.load %[[S]][%c1{{.*}}, %[[I]]]
// CHECK:   %[[WAS:.*]] = arith.cmpf one, %[[FLAG]], %{{.*}} : f64
// The condition reads the state before the update.
// CHECK:   %[[HOLDS:.*]] = arith.cmpf ogt, %[[OLD]], %{{.*}} : f64
// CHECK:   %[[REF:.*]] = arith.andi %[[WAS]], %[[HOLDS]] : i1
// CHECK:   %[[NEW:.*]] = arith.addf %[[OLD]], %{{.*}} : f64
// CHECK-NOT: arith.select %[[REF]]
// CHECK:   %[[ABOVE:.*]] = arith.cmpf ogt, %[[NEW]], %{{.*}} : f64
// CHECK:   %[[NOTREF:.*]] = arith.xori %[[REF]], %true{{.*}} : i1
// CHECK:   %[[SPIKE:.*]] = arith.andi %[[ABOVE]], %[[NOTREF]] : i1
// CHECK:   %[[STAYS:.*]] = arith.ori %[[SPIKE]], %[[REF]] : i1
// CHECK:   %[[NEXT:.*]] = arith.select %[[STAYS]], %{{.*}}, %{{.*}} : f64
// CHECK:   memref.store %[[NEXT]], %[[S]][%c1{{.*}}, %[[I]]]
// CHECK:   memref.store %[[NEW]], %[[S]][%c0{{.*}}, %[[I]]]
