// RUN: nnc-opt %s --nn-solve-odes --convert-nn-to-kernels | FileCheck %s
// RUN: nnc-opt %s --nn-solve-odes --convert-nn-to-kernels --convert-nn-to-runtime | FileCheck %s --check-prefix=RT
// Structural plasticity: nn.rewire becomes `<name>_rewire(syn, flags, step,
// key)`, which flags the synapses whose condition holds and, for those
// only (selects, no branches), stores their initial values (a fresh random
// draw of w from the projection's values, keyed by `key`), runs the reset
// block (n = 0) and sets the last event to `step`. The runtime moves them:
// nnc_rt_add_rewire gets the period in steps (10 ms / 0.1 ms = 100).

nn.neuron @Cell {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.synapse @Trace {
  nn.state @w init {
    %c = arith.constant 1.0 : f64
    nn.yield %c : f64
  }
  nn.state @n init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @x init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.ode @x {
    %x = nn.read @x
    %k = arith.constant -5.0e+01 : f64
    %y = arith.mulf %x, %k : f64
    nn.yield %y : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @a : @Cell[10]
  nn.population @b : @Cell[20]
  nn.projection @S from @a to @b "fixed_outdegree"(3.0) delay 0.0 synapse @Trace on_pre {
    nn.yield
  } init {
    %lo = arith.constant 0.5 : f64
    %hi = arith.constant 1.0 : f64
    %w = nn.uniform %lo, %hi
    nn.write @w, %w
    nn.yield
  }
  nn.rewire @S_rewire : @S every 1.000000e-02 when {
    %w = nn.read @w
    %min = arith.constant 2.000000e-01 : f64
    %weak = arith.cmpf olt, %w, %min : f64
    nn.yield %weak : i1
  } reset {
    %zero = arith.constant 0.0 : f64
    nn.write @n, %zero
    nn.yield
  }
}

// CHECK-LABEL: func.func @S_rewire_rewire(
// CHECK-SAME: %[[SYN:[^:]*]]: memref<4x?xf64>, %[[FLAGS:[^:]*]]: memref<?xi32>, %[[STEP:[^:]*]]: i64, %[[KEY:[^:]*]]: i64)
// CHECK: scf.for %[[K:.*]] =
// CHECK-NOT: scf.if
// CHECK: %[[W:.*]] = memref.load %[[SYN]][%c0{{.*}}, %[[K]]]
// CHECK: %[[N:.*]] = memref.load %[[SYN]][%c1{{.*}}, %[[K]]]
// CHECK: %[[X:.*]] = memref.load %[[SYN]][%c2{{.*}}, %[[K]]]
// CHECK: %[[MOVES:.*]] = arith.cmpf olt, %[[W]]
// The fresh w: one uniform draw from the key (Philox rounds).
// CHECK: arith.trunci %[[KEY]] : i64 to i32
// CHECK: %[[NEWW:.*]] = arith.select %[[MOVES]], %{{.*}}, %[[W]] : f64
// CHECK: memref.store %[[NEWW]], %[[SYN]][%c0{{.*}}, %[[K]]]
// CHECK: %[[NEWN:.*]] = arith.select %[[MOVES]], %{{.*}}, %[[N]] : f64
// CHECK: memref.store %[[NEWN]], %[[SYN]][%c1{{.*}}, %[[K]]]
// CHECK: %[[NEWX:.*]] = arith.select %[[MOVES]], %{{.*}}, %[[X]] : f64
// CHECK: memref.store %[[NEWX]], %[[SYN]][%c2{{.*}}, %[[K]]]
// The last event (row 3) becomes this step.
// CHECK: %[[LAST:.*]] = memref.load %[[SYN]][%c3{{.*}}, %[[K]]]
// CHECK: %[[STEPF:.*]] = arith.sitofp %[[STEP]]
// CHECK: arith.select %[[MOVES]], %[[STEPF]], %[[LAST]] : f64
// CHECK: memref.store %{{.*}}, %[[SYN]][%c3{{.*}}, %[[K]]]
// CHECK: %[[FLAG:.*]] = arith.extui %[[MOVES]] : i1 to i32
// CHECK: memref.store %[[FLAG]], %[[FLAGS]][%[[K]]]

// RT-LABEL: func.func @nnc_describe(
// RT: %[[S:.*]] = call @nnc_rt_add_projection(
// RT: call @nnc_rt_add_rewire(%{{.*}}, %{{.*}}, %[[S]], %c100_i64{{.*}}) : (!llvm.ptr, !llvm.ptr, i32, i64) -> ()
