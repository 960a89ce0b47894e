// RUN: nnc-opt %s --convert-nn-to-kernels | FileCheck %s
// A Poisson input whose rate changes over time: the kernel evaluates the
// rate_of_time region once per call at t = step * dt, forms
// lambda = max(count * dt * rate, 0), and per neuron draws the events by
// inversion (lambda <= 100) or from the normal approximation.

nn.neuron @Counter {
  nn.state @n init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.network @N dt 1.0e-04 {
  nn.table @drive every 1.0e-01 upsampling 1 : dense<[[0.0], [1.0e+03]]> : tensor<2x1xf64>
  nn.population @p : @Counter[4]
  nn.poisson_input @bg to @p rate 0.0 count 10.0 {
  ^bb0(%k: f64):
    %old = nn.read @n
    %new = arith.addf %old, %k : f64
    nn.write @n, %new
    nn.yield
  } rate_of_time {
    %t = nn.time
    %r = nn.table_lookup @drive(%t)
    nn.yield %r : f64
  }
  nn.program {
    nn.simulate 1.0e-03
  }
}

// CHECK-LABEL: func.func @bg_apply(
// CHECK-SAME:    %[[STATE:.*]]: memref<1x?xf64>, %[[STEP:.*]]: i64, %[[KEY:.*]]: i64)
// CHECK:         %[[STEPF:.*]] = arith.sitofp %[[STEP]] : i64 to f64
// CHECK:         %[[T:.*]] = arith.mulf %[[STEPF]], %{{.*}} : f64
// CHECK:         memref.get_global @nnc_table_drive
// CHECK:         arith.divf %[[T]]
// CHECK:         %[[RATE:.*]] = memref.load
// CHECK:         %[[CDT:.*]] = arith.constant 1.000000e-03 : f64
// CHECK:         %[[SCALED:.*]] = arith.mulf %[[RATE]], %[[CDT]] : f64
// CHECK:         %[[LAMBDA:.*]] = arith.maxnumf %[[SCALED]], %{{.*}} : f64
// CHECK:         scf.for
// CHECK:           %[[LARGE:.*]] = arith.cmpf ogt, %[[LAMBDA]], %{{.*}} : f64
// CHECK:           scf.if %[[LARGE]] -> (f64) {
// CHECK:             math.sqrt %[[LAMBDA]]
// CHECK:             math.floor
// CHECK:           } else {
// CHECK:             math.exp
// CHECK:             scf.while
// CHECK:           }
// CHECK:           memref.store
