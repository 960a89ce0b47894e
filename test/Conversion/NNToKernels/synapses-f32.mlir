// RUN: nnc-opt %s --nn-solve-odes --convert-nn-to-kernels | FileCheck %s
// A synapse model with `single_precision` (`precision f32;`): the kernels
// take an f32 synapse state array, widen every value they load to f64,
// compute in f64 and round on store; the last-event row holds the step as
// the bits of an i32, so it stays exact.

nn.neuron @Cell {
  nn.state @g init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.synapse @Syn attributes {single_precision} {
  nn.param @A = 1.000000e-02
  nn.state @w init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @trace init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.ode @trace {
    %x = nn.read @trace
    %c = arith.constant -5.000000e+01 : f64
    %d = arith.mulf %c, %x : f64
    nn.yield %d : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @p : @Cell[3]
  nn.projection @S from @p to @p "all_to_all"(0.0) delay 0.0 synapse @Syn on_pre {
    %w = nn.read @w
    %g = nn.read @g
    %s = arith.addf %g, %w : f64
    nn.write @g, %s
    %t = nn.read @trace
    %a = nn.read @A
    %tn = arith.addf %t, %a : f64
    nn.write @trace, %tn
    nn.yield
  } on_post {
    %w = nn.read @w
    %t = nn.read @trace
    %wn = arith.addf %w, %t : f64
    nn.write @w, %wn
    nn.yield
  } init {
    %lo = arith.constant 0.0 : f64
    %hi = arith.constant 1.0 : f64
    %u = nn.uniform %lo, %hi
    nn.write @w, %u
    nn.yield
  }
}

// CHECK-LABEL: func.func @S_on_pre(
// CHECK-SAME: %[[POST:[^:]*]]: memref<1x?xf64>, %[[SYN:[^:]*]]: memref<3x?xf32>, %{{[^:]*}}: memref<?xi64>, %{{[^:]*}}: i64, %{{[^:]*}}: memref<?xi32>, %[[STEP:[^:]*]]: i64)
// CHECK: %[[V:.*]] = memref.load %[[SYN]]
// CHECK-NEXT: arith.extf %[[V]] : f32 to f64
// CHECK: %[[LASTI:.*]] = arith.bitcast %{{.*}} : f32 to i32
// CHECK: arith.sitofp %[[LASTI]] : i32 to f64
// CHECK: %[[NOW:.*]] = arith.trunci %[[STEP]] : i64 to i32
// CHECK: %[[NOWF:.*]] = arith.bitcast %[[NOW]] : i32 to f32
// CHECK: memref.store %[[NOWF]], %[[SYN]]
// CHECK: arith.truncf %{{.*}} : f64 to f32

// CHECK-LABEL: func.func @S_init_synapses(
// CHECK-SAME: %[[SYN:[^:]*]]: memref<3x?xf32>, %{{[^:]*}}: i64)
// CHECK: %[[W:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK: memref.store %[[W]], %[[SYN]]
// CHECK: %[[ZERO:.*]] = arith.trunci %{{.*}} : i64 to i32
// CHECK: %[[BITS:.*]] = arith.bitcast %[[ZERO]] : i32 to f32
// CHECK: memref.store %[[BITS]], %[[SYN]]
