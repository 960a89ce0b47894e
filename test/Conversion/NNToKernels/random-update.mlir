// RUN: nnc-opt %s --convert-nn-to-kernels | FileCheck %s
// A Poisson source: the spike condition draws one uniform number per neuron
// and step. The counter is (step * size + neuron) * draws + d, where size is
// the row stride and the chunk's first neuron the offset of the view, so the
// numbers do not depend on how the runtime splits the population.

nn.neuron @Poisson {
  nn.state @dummy init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.threshold {
    %lo = arith.constant 0.0 : f64
    %hi = arith.constant 1.0 : f64
    %u = nn.uniform %lo, %hi
    %p = arith.constant 1.0e-03 : f64
    %c = arith.cmpf olt, %u, %p : f64
    nn.yield %c : i1
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @p : @Poisson[100]
}

// CHECK-LABEL: func.func @Poisson_update(
// CHECK-SAME: %[[S:[^:]*]]: memref<1x?xf64, strided<[?, 1], offset: ?>>, %{{[^:]*}}: memref<?xi32, strided<[1], offset: ?>>, %[[STEP:[^:]*]]: i64, %[[KEY:[^:]*]]: i64)
// CHECK: %{{.*}}, %[[OFF:.*]], %{{.*}}:2, %[[STRIDES:.*]]:2 = memref.extract_strided_metadata %[[S]]
// CHECK: %[[SIZE:.*]] = arith.index_cast %[[STRIDES]]#0 : index to i64
// CHECK: %[[BEGIN:.*]] = arith.index_cast %[[OFF]] : index to i64
// CHECK: %[[BASE:.*]] = arith.muli %[[STEP]], %[[SIZE]] : i64
// CHECK: scf.for %[[I:.*]] =
// CHECK:   %[[II:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK:   %[[FIRST:.*]] = arith.addi %[[BASE]], %[[BEGIN]] : i64
// CHECK:   %[[N:.*]] = arith.addi %[[FIRST]], %[[II]] : i64
// CHECK:   %[[CTR:.*]] = arith.muli %[[N]], %{{.*}} : i64
// CHECK:   %[[C:.*]] = arith.addi %[[CTR]], %{{.*}} : i64
// CHECK:   func.call @nnc_rt_uniform(%[[KEY]], %[[C]])
