// RUN: nnc-opt %s --convert-nn-to-kernels | FileCheck %s
// RUN: nnc-opt %s --convert-nn-to-kernels | FileCheck %s --check-prefix=KEEP
// A solved model with a refractory period and a reset, and one projection.

nn.neuron @N {
  nn.state @v init {
    %lo = arith.constant -6.0e-02 : f64
    %hi = arith.constant -5.0e-02 : f64
    %r = nn.uniform %lo, %hi
    nn.yield %r : f64
  }
  nn.state @g init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.integrate "exact" dt 1.000000e-04 {
    %v = nn.read @v
    %g = nn.read @g
    %a = arith.constant 0.5 : f64
    %nv = arith.mulf %a, %v : f64
    %ng = arith.addf %g, %v : f64
    nn.write @v, %nv
    nn.write @g, %ng
    nn.yield
  }
  nn.threshold {
    %v = nn.read @v
    %th = arith.constant -5.0e-02 : f64
    %c = arith.cmpf ogt, %v, %th : f64
    nn.yield %c : i1
  }
  nn.on_spike {
    %r = arith.constant -6.0e-02 : f64
    nn.write @v, %r
    nn.yield
  }
  nn.refractory 2.000000e-03 clamp [@v]
}
nn.network @Net dt 1.000000e-04 {
  nn.population @p : @N[10]
  nn.projection @p_to_p from @p to @p "probability"(1.000000e-01) delay 0.0 on_pre {
    %g = nn.read @g
    %w = arith.constant 2.0e-03 : f64
    %n = arith.addf %g, %w : f64
    nn.write @g, %n
    nn.yield
  }
}

// The update: integrate, clamp refractory states, threshold, reset, all as
// selects; no branches in the loop body.
// CHECK-LABEL: func.func @N_update(
// Strided views: the runtime hands each thread a chunk of the population.
// CHECK-SAME: %[[S:.*]]: memref<3x?xf64, strided<[?, 1], offset: ?>>, %[[SPK:.*]]: memref<?xi32, strided<[1], offset: ?>>, %[[STEP:[^:]*]]: i64, %{{.*}}: i64) -> i64 attributes {llvm.emit_c_interface}
// CHECK: %[[STEPF:.*]] = arith.sitofp %[[STEP]] : i64 to f64
// CHECK: %[[N:.*]] = memref.dim %[[S]], %c1{{.*}}
// CHECK: scf.for %[[I:.*]] = %c0{{.*}} to %[[N]] step %c1{{.*}} {
// CHECK-NOT: scf.if
// CHECK:   %[[OLDV:.*]] = memref.load %[[S]][%c0{{.*}}, %[[I]]]
// CHECK:   %[[UNTIL:.*]] = memref.load %[[S]][%c2{{.*}}, %[[I]]]
// CHECK:   %[[REF:.*]] = arith.cmpf olt, %[[STEPF]], %[[UNTIL]] : f64
// CHECK:   %[[INTV:.*]] = arith.mulf %{{.*}}, %[[OLDV]] : f64
// CHECK:   %[[CLAMPED:.*]] = arith.select %[[REF]], %[[OLDV]], %[[INTV]] : f64
// CHECK:   %[[ABOVE:.*]] = arith.cmpf ogt, %[[CLAMPED]], %{{.*}} : f64
// CHECK:   %[[NOTREF:.*]] = arith.xori %[[REF]], %true{{.*}} : i1
// CHECK:   %[[SPIKE:.*]] = arith.andi %[[ABOVE]], %[[NOTREF]] : i1
// CHECK:   %[[RESET:.*]] = arith.select %[[SPIKE]], %{{.*}}, %[[CLAMPED]] : f64
// 20 steps of refractoriness (2 ms at 0.1 ms).
// CHECK:   arith.constant 2.000000e+01 : f64
// CHECK:   memref.store %{{.*}}, %[[S]][%c2{{.*}}, %[[I]]]
// CHECK:   memref.store %[[RESET]], %[[S]][%c0{{.*}}, %[[I]]]
// CHECK:   memref.store %{{.*}}, %[[S]][%c1{{.*}}, %[[I]]]
// A 0/1 flag per neuron, so that this loop has no loop-carried state.
// CHECK:   %[[FLAG:.*]] = arith.extui %[[SPIKE]] : i1 to i32
// CHECK:   memref.store %[[FLAG]], %[[SPK]][%[[I]]]
// CHECK: }
// Then the flags are compacted in place into spike indices: blocks of 8
// flags are ORed, and only a block with a spike is compacted.
// CHECK: %[[BLOCKS:.*]] = scf.for %[[B:.*]] = %c0{{.*}} to %[[END:.*]] step %c8{{.*}} iter_args(%[[BCOUNT:.*]] = %c0_i64{{.*}}) -> (i64) {
// CHECK-COUNT-7: arith.ori
// CHECK:   %[[ANY:.*]] = arith.cmpi ne, %{{.*}}, %c0_i32{{.*}} : i32
// CHECK:   scf.if %[[ANY]] -> (i64) {
// CHECK:     scf.for %[[K:.*]] = %[[B]] to %{{.*}} step %c1{{.*}} iter_args(%{{.*}} = %[[BCOUNT]]) -> (i64) {
// CHECK:   } else {
// CHECK:     scf.yield %[[BCOUNT]] : i64
// The remaining flags one by one.
// CHECK: %[[NUM:.*]] = scf.for %[[J:.*]] = %[[END]] to %[[N]] step %c1{{.*}} iter_args(%[[COUNT:.*]] = %[[BLOCKS]]) -> (i64) {
// CHECK:   %[[F:.*]] = memref.load %[[SPK]][%[[J]]]
// CHECK:   %[[SLOT:.*]] = arith.index_cast %[[COUNT]] : i64 to index
// CHECK:   memref.store %{{.*}}, %[[SPK]][%[[SLOT]]]
// CHECK:   %[[INC:.*]] = arith.extui %[[F]] : i32 to i64
// CHECK:   %[[NEXT:.*]] = arith.addi %[[COUNT]], %[[INC]] : i64
// CHECK:   scf.yield %[[NEXT]] : i64
// CHECK: return %[[NUM]] : i64


// Initial values, one kernel per population: one counter-based draw per
// neuron, scaled to [lo, hi);
// the refractory row (row 2) starts at step 0 (not refractory).
// CHECK-LABEL: func.func @p_init(
// CHECK-SAME: %{{.*}}: memref<3x?xf64>, %[[KEY:.*]]: i64) attributes {llvm.emit_c_interface}
// CHECK: scf.for %[[I:.*]] =
// CHECK:   %[[CTR:.*]] = arith.addi
// CHECK:   arith.trunci %[[CTR]] : i64 to i32
// CHECK:   arith.trunci %[[KEY]] : i64 to i32
// CHECK:   %[[U:.*]] = arith.mulf %{{.*}}, %{{.*}} : f64
// CHECK:   arith.mulf %[[U]]
// CHECK:   memref.store

// Delivery: for each range [begin, end) of synapses due now, for each
// synapse in it, g += w on its target.
// CHECK-LABEL: func.func @p_to_p_on_pre(
// CHECK-SAME: %[[POST:.*]]: memref<3x?xf64>, %{{.*}}: memref<0x?xf64>, %[[RANGES:.*]]: memref<?xi64>, %{{.*}}: i64, %[[COL:.*]]: memref<?xi32>, %{{.*}}: i64) attributes {llvm.emit_c_interface}
// CHECK: scf.for
// CHECK:   memref.load %[[RANGES]]
// CHECK:   memref.load %[[RANGES]]
// CHECK:   scf.for
// CHECK:     %[[T:.*]] = memref.load %[[COL]]
// CHECK:     %[[TI:.*]] = arith.index_cast %[[T]] : i32 to index
// CHECK:     %[[G:.*]] = memref.load %[[POST]][%c1{{.*}}, %[[TI]]]
// CHECK:     %[[NG:.*]] = arith.addf %[[G]], %{{.*}} : f64
// CHECK:     memref.store %[[NG]], %[[POST]][%c1{{.*}}, %[[TI]]]

// The nn ops stay for convert-nn-to-runtime.
// KEEP: nn.neuron @N
// KEEP: nn.network @Net
