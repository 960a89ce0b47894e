// RUN: nnc-opt %s --convert-nn-to-kernels --convert-nn-to-runtime | FileCheck %s
// Delays that change (max_delay) are a delay row (row 0 of 1) plus
// a call that bounds them, in steps (5 ms / 0.1 ms = 50); a probability
// that depends on the pair is rule 6 (NNC_CONNECT_PROBABILITY_FN).

nn.neuron @N {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.synapse @Syn {
  nn.state @delay init {
    %c = arith.constant 1.0e-03 : f64
    nn.yield %c : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @a : @N[3]
  nn.projection @G from @a to @a "all_to_all"(0.0) delay 0.0 synapse @Syn attributes {max_delay = 5.0e-03 : f64} on_pre {
    %d = nn.read @delay
    %one = arith.constant 1.0e-03 : f64
    %n = arith.addf %d, %one : f64
    nn.write @delay, %n
    nn.yield
  }
  nn.projection @P from @a to @a "probability"(0.0) delay 0.0 on_pre {
    nn.yield
  } probability {
  ^bb0(%i: f64, %j: f64):
    nn.yield %i : f64
  }
}

// CHECK-LABEL: func.func @nnc_describe(
// CHECK: %[[G:.*]] = call @nnc_rt_add_projection(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %c0_i32{{.*}}, %{{.*}}, %c0_i64{{.*}}, %c1_i64{{.*}}, %c0_i64{{.*}}, %c0_i32{{.*}}
// CHECK: call @nnc_rt_set_plastic_delays(%{{.*}}, %[[G]], %c50_i64{{.*}})
// CHECK: call @nnc_rt_add_projection(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %c6_i32{{.*}}
