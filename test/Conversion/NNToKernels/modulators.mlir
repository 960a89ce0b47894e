// RUN: nnc-opt %s --nn-solve-odes --convert-nn-to-kernels | FileCheck %s
// Clock-driven synapse equations and modulators: `_update_synapses`
// integrates s' = c d every step over a (chunk of the) synapse state; the
// modulator d is read through an internal global holding a pointer to its
// state row (nnc_describe sets it), loaded once at the kernel's entry, in
// the update kernel and in on_pre alike. The event-driven trace is not
// touched by the per-step kernel.

nn.neuron @Cell {
  nn.state @g init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.neuron @Level {
  nn.state @base init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @level init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.synapse @ThreeFactor attributes {solver = "euler"} {
  nn.state @s init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @trace init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.ode @s {
    %d = nn.read_modulator @dopamine, @level
    nn.yield %d : f64
  }
  nn.ode @trace {
    %x = nn.read @trace
    %k = arith.constant -5.000000e+01 : f64
    %r = arith.mulf %x, %k : f64
    nn.yield %r : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @p : @Cell[2]
  nn.population modulator @dopamine : @Level[1]
  nn.projection @S from @p to @p "all_to_all"(0.0) delay 0.0 synapse @ThreeFactor on_pre {
    %s = nn.read @s
    %d = nn.read_modulator @dopamine, @level
    %sd = arith.mulf %s, %d : f64
    %g = nn.read @g
    %n = arith.addf %g, %sd : f64
    nn.write @g, %n
    nn.yield
  }
}

// The global for row 1 (level) of the modulator, null until set.
// CHECK: llvm.mlir.global internal @nnc_state_dopamine_1() {{.*}} : !llvm.ptr {
// CHECK-NEXT: %[[Z:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK-NEXT: llvm.return %[[Z]] : !llvm.ptr

// CHECK-LABEL: func.func @S_on_pre(
// CHECK-NEXT: %[[A:.*]] = llvm.mlir.addressof @nnc_state_dopamine_1 : !llvm.ptr
// CHECK-NEXT: %[[P:.*]] = llvm.load %[[A]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT: %[[D:.*]] = llvm.load %[[P]] : !llvm.ptr -> f64
// CHECK: scf.for
// CHECK: arith.mulf %{{.*}}, %[[D]] : f64

// CHECK-LABEL: func.func @S_update_synapses(
// CHECK-SAME: %[[STATE:.*]]: memref<3x?xf64, strided<[?, 1], offset: ?>>, %{{.*}}: i64)
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK-NEXT: %[[A:.*]] = llvm.mlir.addressof @nnc_state_dopamine_1 : !llvm.ptr
// CHECK-NEXT: %[[P:.*]] = llvm.load %[[A]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT: %[[D:.*]] = llvm.load %[[P]] : !llvm.ptr -> f64
// CHECK: scf.for %[[K:.*]] =
// CHECK: %[[S:.*]] = memref.load %[[STATE]][%{{.*}}, %[[K]]]
// CHECK: %[[DT:.*]] = arith.constant 1.000000e-04 : f64
// CHECK: %[[STEP:.*]] = arith.mulf %[[DT]], %[[D]] : f64
// CHECK: %[[SN:.*]] = arith.addf %[[S]], %[[STEP]] : f64
// CHECK: memref.store %[[SN]], %[[STATE]][%{{.*}}, %[[K]]]
// CHECK-NOT: memref.store
// CHECK: return
