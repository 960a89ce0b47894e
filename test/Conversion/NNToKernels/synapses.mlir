// RUN: nnc-opt %s --nn-solve-odes --convert-nn-to-kernels | FileCheck %s
// Synapses with state: init_synapses fills every synapse's state (the
// projection's value for w, the model's for the trace, 0 as the step of the
// last event); on_pre and on_post first advance the event-driven trace over
// the time since the synapse's last event, record this step as its last
// event, then run the handler on the synapse's and the target's variables.

nn.neuron @Cell {
  nn.state @g init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.synapse @Syn {
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
// CHECK-SAME: %[[POST:[^:]*]]: memref<1x?xf64>, %[[SYN:[^:]*]]: memref<3x?xf64>, %[[RANGES:[^:]*]]: memref<?xi64>, %{{[^:]*}}: i64, %[[COL:[^:]*]]: memref<?xi32>, %[[STEP:[^:]*]]: i64)
// CHECK: scf.for
// CHECK:   scf.for %[[K:.*]] = 
// CHECK:     %[[T:.*]] = memref.load %[[COL]][%[[K]]]
// CHECK-DAG: %[[W:.*]] = memref.load %[[SYN]][%c0{{.*}}, %[[K]]]
// CHECK-DAG: %[[TR:.*]] = memref.load %[[SYN]][%c1{{.*}}, %[[K]]]
// CHECK-DAG: %[[G:.*]] = memref.load %[[POST]][%c0{{.*}}, %{{.*}}]
// CHECK:     %[[STEPF:.*]] = arith.sitofp %[[STEP]] : i64 to f64
// CHECK:     %[[LAST:.*]] = memref.load %[[SYN]][%c2{{.*}}, %[[K]]]
// CHECK:     %[[DS:.*]] = arith.subf %[[STEPF]], %[[LAST]]
// CHECK:     %[[EL:.*]] = arith.mulf %[[DS]], %{{.*}} : f64
// CHECK:     %[[AS:.*]] = arith.mulf %{{.*}}, %[[EL]]
// CHECK:     %[[E:.*]] = math.exp %[[AS]]
// CHECK:     %[[TRD:.*]] = arith.mulf %[[TR]], %[[E]]
// CHECK:     memref.store %[[STEPF]], %[[SYN]][%c2{{.*}}, %[[K]]]
// CHECK:     %[[GN:.*]] = arith.addf %[[G]], %[[W]]
// CHECK:     %[[TRN:.*]] = arith.addf %[[TRD]], %{{.*}}
// CHECK:     memref.store %[[TRN]], %[[SYN]][%c1{{.*}}, %[[K]]]
// CHECK:     memref.store %[[GN]], %[[POST]]

// CHECK-LABEL: func.func @S_on_post(
// CHECK-SAME: %{{[^:]*}}: memref<1x?xf64>, %[[SYN:[^:]*]]: memref<3x?xf64>, %[[SP:[^:]*]]: memref<?xi32>, %{{[^:]*}}: i64, %[[PTR:[^:]*]]: memref<?xi64>, %[[IDS:[^:]*]]: memref<?xi64>, %{{[^:]*}}: i64)
// CHECK: scf.for
// CHECK:   memref.load %[[SP]]
// CHECK:   memref.load %[[PTR]]
// CHECK:   memref.load %[[PTR]]
// CHECK:   scf.for
// CHECK:     %[[ID:.*]] = memref.load %[[IDS]]
// CHECK:     %[[K:.*]] = arith.index_cast %[[ID]] : i64 to index
// CHECK:     math.exp
// CHECK:     %[[WN:.*]] = arith.addf
// CHECK:     memref.store %[[WN]], %[[SYN]][%c0{{.*}}, %[[K]]]

// CHECK-LABEL: func.func @S_init_synapses(
// CHECK-SAME: %[[SYN:[^:]*]]: memref<3x?xf64>, %[[KEY:[^:]*]]: i64)
// CHECK: scf.for %[[K:.*]] =
// CHECK:   arith.trunci %[[KEY]] : i64 to i32
// CHECK:   memref.store %{{.*}}, %[[SYN]][%c0{{.*}}, %[[K]]]
// CHECK:   memref.store %{{.*}}, %[[SYN]][%c1{{.*}}, %[[K]]]
// CHECK:   memref.store %{{.*}}, %[[SYN]][%c2{{.*}}, %[[K]]]
