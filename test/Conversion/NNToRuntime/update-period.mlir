// RUN: nnc-opt %s --nn-solve-odes | FileCheck %s --check-prefix=SOLVE
// RUN: nnc-opt %s --nn-solve-odes --convert-nn-to-kernels --convert-nn-to-runtime | FileCheck %s
// A population with its own clock (update_every = 10): its model is solved
// for 10 dt, and the runtime is told to update it every 10 steps.

nn.neuron @Slow {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.ode @v {
    %v = nn.read @v
    %k = arith.constant -1.0e+02 : f64
    %d = arith.mulf %v, %k : f64
    nn.yield %d : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @p : @Slow[3] attributes {update_every = 10 : i64}
}

// SOLVE: nn.integrate "exact" dt 1.000000e-03

// CHECK-LABEL: func.func @nnc_describe(
// CHECK: %[[P:.*]] = call @nnc_rt_add_population(
// CHECK: call @nnc_rt_set_update_period(%{{.*}}, %[[P]], %c10_i64{{.*}}) : (!llvm.ptr, i32, i64) -> ()
