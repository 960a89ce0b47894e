// RUN: nnc-opt %s --nn-solve-odes --convert-nn-to-kernels | FileCheck %s
// A cover's nn.gather becomes `_cover(astro, syn, rowPtr, colIdx)`: zero
// the astrocyte state, then for every synapse k of every source i (CSR
// order) add its value to the astrocyte the domain gives (floor, skipped
// when out of range), counting synapses for a mean, then divide (0 for an
// astrocyte without synapses). The synapse state a gather reads is
// clock-driven (nn-solve-odes), so it is current every step. An
// nn.scatter (gliotransmission) is the reverse: every synapse's state g
// becomes the value on its covering neuron, 0 where none covers it.

nn.neuron @Cell {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.neuron @Glia {
  nn.state @Y init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.synapse @Release {
  nn.state @y init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @g init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.ode @y {
    %y = nn.read @y
    %k = arith.constant -4.000000e+01 : f64
    %r = arith.mulf %y, %k : f64
    nn.yield %r : f64
  }
}
nn.network @Net dt 1.000000e-03 {
  nn.population @p : @Cell[4]
  nn.population @glia : @Glia[2]
  nn.projection @S from @p to @p "all_to_all"(0.0) delay 0.0 synapse @Release on_pre {
    nn.yield
  }
  nn.gather @S_to_glia_Y : @glia, @Y = "mean" of @S value {
    %y = nn.read @y
    nn.yield %y : f64
  } domain {
  ^bb0(%source: f64, %target: f64):
    %two = arith.constant 2.0 : f64
    %a = arith.divf %target, %two : f64
    nn.yield %a : f64
  }
  nn.scatter @S_to_glia_g : @S, @g = from @glia value {
    %Y = nn.read @Y
    %two = arith.constant 2.0 : f64
    %v = arith.mulf %Y, %two : f64
    nn.yield %v : f64
  } domain {
  ^bb0(%source: f64, %target: f64):
    nn.yield %source : f64
  }
}

// y is read by the gather: clock-driven (exact), no nn.advance.
// CHECK-LABEL: nn.synapse @Release
// CHECK: nn.integrate "exact"
// CHECK-NOT: nn.advance

// CHECK-LABEL: func.func @S_update_synapses(

// CHECK-LABEL: func.func @S_to_glia_Y_cover(
// CHECK-SAME: %[[ASTRO:[^:]*]]: memref<1x?xf64>, %[[SYN:[^:]*]]: memref<2x?xf64>, %[[ROWPTR:[^:]*]]: memref<?xi64>, %[[COLIDX:[^:]*]]: memref<?xi32>)
// CHECK: %[[COUNTS:.*]] = memref.alloc(%{{.*}}) : memref<?xf64>
// CHECK: scf.for
// CHECK: memref.store %{{.*}}, %[[ASTRO]]
// CHECK: memref.store %{{.*}}, %[[COUNTS]]
// CHECK: scf.for %[[I:.*]] =
// CHECK: memref.load %[[ROWPTR]][%[[I]]]
// CHECK: scf.for %[[K:.*]] =
// CHECK: %[[Y:.*]] = memref.load %[[SYN]][%{{.*}}, %[[K]]]
// CHECK: memref.load %[[COLIDX]][%[[K]]]
// CHECK: arith.divf
// CHECK: %[[AT:.*]] = math.floor
// CHECK-DAG: arith.cmpf oge, %[[AT]]
// CHECK-DAG: arith.cmpf olt, %[[AT]]
// CHECK: scf.if
// CHECK: arith.addf %{{.*}}, %[[Y]] : f64
// CHECK: memref.dealloc %[[COUNTS]]

// CHECK-LABEL: func.func @S_to_glia_g_cover(
// CHECK-SAME: %[[ASTRO:[^:]*]]: memref<1x?xf64>, %[[SYN:[^:]*]]: memref<2x?xf64>, %{{[^:]*}}: memref<?xi64>, %{{[^:]*}}: memref<?xi32>)
// CHECK: scf.for
// CHECK: scf.for %[[K:.*]] =
// CHECK: %[[AT:.*]] = math.floor
// CHECK: %[[IN:.*]] = arith.andi
// CHECK: %[[A:.*]] = arith.index_cast
// CHECK: %[[V:.*]] = scf.if %[[IN]] -> (f64) {
// CHECK: %[[Y:.*]] = memref.load %[[ASTRO]][%{{.*}}, %[[A]]]
// CHECK: %[[TWO:.*]] = arith.mulf %[[Y]], %{{.*}} : f64
// CHECK: scf.yield %[[TWO]] : f64
// CHECK: } else {
// CHECK: scf.yield %{{.*}} : f64
// CHECK: memref.store %[[V]], %[[SYN]][%{{.*}}, %[[K]]]
