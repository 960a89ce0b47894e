// RUN: nnc-opt %s --convert-nn-to-kernels | FileCheck %s
// A connection file's value columns (`columns = {w = ...}`) are constant
// arrays read by synapse index in init_synapses; they replace the model's
// initial value for `w`, while `delay` (not a column) keeps its own.

nn.neuron @Cell {
  nn.state @g init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.synapse @Syn {
  nn.state @w init {
    %c = arith.constant 5.0 : f64
    nn.yield %c : f64
  }
  nn.state @delay init {
    %c = arith.constant 2.0e-03 : f64
    nn.yield %c : f64
  }
}
nn.network @N dt 1.0e-04 {
  nn.population @p : @Cell[3]
  nn.projection @S from @p to @p "from_list"(0.0) delay 0.0 synapse @Syn attributes {pairs_pre = array<i32: 0, 0, 2>, pairs_post = array<i32: 1, 2, 0>, columns = {w = array<f64: 1.5, 2.5, 3.5>}} on_pre {
    %w = nn.read @w
    %g = nn.read @g
    %s = arith.addf %g, %w : f64
    nn.write @g, %s
    nn.yield
  }
}

// CHECK: memref.global "private" constant @nnc_column_S_w : memref<3xf64> = dense<[1.500000e+00, 2.500000e+00, 3.500000e+00]>
// CHECK-LABEL: func.func @S_init_synapses(
// CHECK-SAME: %[[SYN:[^:]*]]: memref<2x?xf64>, %{{[^:]*}}: i64)
// CHECK-NOT: 5.0
// CHECK: scf.for %[[K:.*]] =
// CHECK-DAG: %[[DELAY:.*]] = arith.constant 2.000000e-03 : f64
// CHECK-DAG: %[[COLUMN:.*]] = memref.get_global @nnc_column_S_w : memref<3xf64>
// CHECK:     %[[W:.*]] = memref.load %[[COLUMN]][%[[K]]]
// CHECK:     memref.store %[[W]], %[[SYN]][%c0{{.*}}, %[[K]]]
// CHECK:     memref.store %[[DELAY]], %[[SYN]][%c1{{.*}}, %[[K]]]
