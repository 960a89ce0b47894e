// RUN: nnc-opt %s --nn-solve-odes --convert-nn-to-kernels | FileCheck %s
// Cover statements become passes over the synapses (nn::getCoverPasses).
// Consecutive statements with the same projection, population and domain
// share one: `<first>_domain(astro, syn, rowPtr, colIdx, owner)` runs once
// and stores every synapse's covering neuron (floor of the domain, -1 when
// out of range); `<first>_cover` (same arguments) then visits each synapse
// once per step: gathers add the synapse's value to one of four copies of
// an accumulator per neuron (k mod 4, so that neighbours sharing a neuron
// do not chain their additions), summed after the loop (a mean divides by
// the count, 0 without synapses), scatters (gliotransmission) store the value on the covering
// neuron into the synapse state, 0 where none covers it. A statement that
// reads a state an earlier gather of the pass computes starts a new pass,
// and a statement without a domain has a pass of its own. The synapse state
// a gather reads is clock-driven (nn-solve-odes), so it is current.

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
  nn.state @Z init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @W init {
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
  nn.gather @S_to_glia_Z : @glia, @Z = "sum" of @S value {
    %y = nn.read @y
    %three = arith.constant 3.0 : f64
    %v = arith.mulf %y, %three : f64
    nn.yield %v : f64
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
    %two = arith.constant 2.0 : f64
    %a = arith.divf %target, %two : f64
    nn.yield %a : f64
  }
  nn.gather @S_to_glia_W : @glia, @W = "sum" of @S value {
    %y = nn.read @y
    nn.yield %y : f64
  }
}

// y is read by the gather: clock-driven (exact), no nn.advance.
// CHECK-LABEL: nn.synapse @Release
// CHECK: nn.integrate "exact"
// CHECK-NOT: nn.advance

// CHECK-LABEL: func.func @S_update_synapses(

// The first pass: Y and Z share the domain.
// CHECK-LABEL: func.func @S_to_glia_Y_domain(
// CHECK-SAME: %{{[^:]*}}: memref<3x?xf64>, %{{[^:]*}}: memref<2x?xf64>, %[[ROWPTR:[^:]*]]: memref<?xi64>, %[[COLIDX:[^:]*]]: memref<?xi32>, %[[OWNER:[^:]*]]: memref<?xi32>)
// CHECK: scf.for %[[I:.*]] =
// CHECK: memref.load %[[ROWPTR]][%[[I]]]
// CHECK: scf.for %[[K:.*]] =
// CHECK: memref.load %[[COLIDX]][%[[K]]]
// CHECK: arith.divf
// CHECK: %[[AT:.*]] = math.floor
// CHECK-DAG: arith.cmpf oge, %[[AT]]
// CHECK-DAG: arith.cmpf olt, %[[AT]]
// CHECK: %[[NONE:.*]] = arith.constant -1 : i32
// CHECK: %[[ID:.*]] = arith.select %{{.*}}, %{{.*}}, %[[NONE]] : i32
// CHECK: memref.store %[[ID]], %[[OWNER]][%[[K]]]

// CHECK-LABEL: func.func @S_to_glia_Y_cover(
// CHECK-SAME: %[[ASTRO:[^:]*]]: memref<3x?xf64>, %[[SYN:[^:]*]]: memref<2x?xf64>, %{{[^:]*}}: memref<?xi64>, %{{[^:]*}}: memref<?xi32>, %[[OWNER:[^:]*]]: memref<?xi32>)
// Four copies of the accumulators for Y, Z and the count: 12 per neuron.
// CHECK: %[[NA:.*]] = memref.dim %[[ASTRO]], %c1
// CHECK: %[[SIZE:.*]] = arith.muli %[[NA]], %c12
// CHECK: %[[ACC:.*]] = memref.alloc(%[[SIZE]]) : memref<?xf64>
// CHECK: scf.for
// CHECK: memref.store %{{.*}}, %[[ACC]]
// CHECK: scf.for %[[K:.*]] =
// CHECK-NOT: scf.if
// CHECK: %[[A32:.*]] = memref.load %[[OWNER]][%[[K]]]
// CHECK: %[[COVERED:.*]] = arith.cmpi sge, %[[A32]]
// CHECK: %[[LANE:.*]] = arith.remui %[[K]], %c4
// CHECK: %[[Y:.*]] = memref.load %[[SYN]][%c0{{.*}}, %[[K]]]
// CHECK: %[[ADDY:.*]] = arith.select %[[COVERED]], %[[Y]]
// CHECK: arith.addf %{{.*}}, %[[ADDY]] : f64
// CHECK: %[[Y3:.*]] = arith.mulf %[[Y]], %{{.*}} : f64
// CHECK: %[[ADDZ:.*]] = arith.select %[[COVERED]], %[[Y3]]
// CHECK: arith.addf %{{.*}}, %[[ADDZ]] : f64
// CHECK: arith.select %[[COVERED]], %cst{{.*}}, %cst
// After the loop: the lanes' sums; Y is the mean (0 without synapses).
// CHECK: scf.for %[[A:.*]] =
// CHECK-COUNT-4: memref.load %[[ACC]]
// CHECK-COUNT-4: memref.load %[[ACC]]
// CHECK: %[[NONE:.*]] = arith.cmpf oeq
// CHECK: %[[MEAN:.*]] = arith.divf
// CHECK: %[[YV:.*]] = arith.select %[[NONE]], %{{.*}}, %[[MEAN]]
// CHECK: memref.store %[[YV]], %[[ASTRO]][%c0{{.*}}, %[[A]]]
// CHECK-COUNT-4: memref.load %[[ACC]]
// CHECK: memref.store %{{.*}}, %[[ASTRO]][%c1{{.*}}, %[[A]]]
// CHECK: memref.dealloc %[[ACC]]

// g reads Y, which the first pass computes: a second pass.
// CHECK-LABEL: func.func @S_to_glia_g_domain(
// CHECK-LABEL: func.func @S_to_glia_g_cover(
// CHECK: scf.for %[[K:.*]] =
// CHECK: %[[A32:.*]] = memref.load %[[OWNER:.*]][%[[K]]]
// CHECK: %[[COVERED:.*]] = arith.cmpi sge, %[[A32]]
// CHECK: %[[A:.*]] = arith.index_cast
// CHECK: %[[Y:.*]] = memref.load %[[ASTRO:.*]][%c0{{.*}}, %[[A]]]
// CHECK: %[[TWO:.*]] = arith.mulf %[[Y]], %{{.*}} : f64
// CHECK: %[[V:.*]] = arith.select %[[COVERED]], %[[TWO]], %{{.*}} : f64
// CHECK: memref.store %[[V]], %[[SYN:.*]][%c1{{.*}}, %[[K]]]

// Without a domain: one total for every covering neuron.
// CHECK-NOT: func.func @S_to_glia_W_domain(
// CHECK-LABEL: func.func @S_to_glia_W_cover(
// CHECK: %[[TOTAL:.*]] = scf.for {{.*}} iter_args
// CHECK: scf.for
// CHECK: memref.store %[[TOTAL]], %{{.*}}[%c2
