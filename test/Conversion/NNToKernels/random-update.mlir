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
// Inline Philox4x32-10 of counter (C, 0) under KEY (no call, so the loop
// still vectorises): 32-bit halves, then 10 rounds of two 32x32->64-bit
// products by the Philox multipliers and 9 key bumps by the Weyl
// constants; the top 53 bits of the first two words give [0, 1).
// CHECK:   %[[CLO:.*]] = arith.trunci %[[C]] : i64 to i32
// CHECK:   %[[KLO:.*]] = arith.trunci %[[KEY]] : i64 to i32
// CHECK:   %[[X0:.*]] = arith.extui %[[CLO]] : i32 to i64
// CHECK:   %[[M0:.*]] = arith.constant 3528531795 : i64
// CHECK:   arith.muli %[[M0]], %[[X0]] : i64
// CHECK:   arith.constant 3449720151 : i64
// CHECK:   %[[W0:.*]] = arith.constant -1640531527 : i32
// CHECK:   arith.addi %[[KLO]], %[[W0]] : i32
// CHECK-COUNT-9: arith.constant 3528531795 : i64
// CHECK:   %[[SCALE:.*]] = arith.constant 1.1102230246251565E-16 : f64
// CHECK:   %[[F:.*]] = arith.uitofp %{{.*}} : i64 to f64
// CHECK:   arith.mulf %[[F]], %[[SCALE]] : f64
// CHECK-NOT: func.call
