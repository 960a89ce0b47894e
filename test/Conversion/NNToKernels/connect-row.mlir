// RUN: nnc-opt %s --convert-nn-to-kernels | FileCheck %s
// A probability that depends on the pair becomes <projection>_connect_row:
// for source i, the region's value for every target j, reading the
// source's state row (a per-neuron parameter), the target's parameter as
// a constant, and the indices as f64.

nn.neuron @Placed {
  nn.state @x attributes {parameter} init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.neuron @Plain {
  nn.param @y = 2.5e-05
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.network @N dt 1.0e-04 {
  nn.population @a : @Placed[10]
  nn.population @b : @Plain[20]
  nn.projection @P from @a to @b "probability"(0.0) delay 0.0 on_pre {
    nn.yield
  } probability {
  ^bb0(%i: f64, %j: f64):
    %x = nn.read_pre @x
    %y = nn.read_post @y
    %d = arith.subf %x, %y : f64
    %s = arith.addf %d, %j : f64
    %p = arith.mulf %s, %i : f64
    nn.yield %p : f64
  }
}

// CHECK-LABEL: func.func @P_connect_row(
// CHECK-SAME: %[[PRE:[^:]*]]: memref<1x?xf64>, %{{[^:]*}}: memref<1x?xf64>, %[[I:[^:]*]]: i64, %[[OUT:[^:]*]]: memref<?xf64>)
// CHECK-DAG: %[[II:.*]] = arith.index_cast %[[I]] : i64 to index
// CHECK-DAG: %[[IF:.*]] = arith.sitofp %[[I]] : i64 to f64
// CHECK-DAG: %[[N:.*]] = memref.dim %[[OUT]], %c0
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %[[N]]
// CHECK:   %[[JI:.*]] = arith.index_cast %[[J]] : index to i64
// CHECK:   %[[JF:.*]] = arith.sitofp %[[JI]] : i64 to f64
// CHECK:   %[[X:.*]] = memref.load %[[PRE]][%c0{{.*}}, %[[II]]]
// CHECK:   %[[Y:.*]] = arith.constant 2.500000e-05 : f64
// CHECK:   %[[D:.*]] = arith.subf %[[X]], %[[Y]]
// CHECK:   %[[S:.*]] = arith.addf %[[D]], %[[JF]]
// CHECK:   %[[P:.*]] = arith.mulf %[[S]], %[[IF]]
// CHECK:   memref.store %[[P]], %[[OUT]][%[[J]]]
