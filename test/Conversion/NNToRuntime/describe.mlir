// RUN: nnc-opt %s --convert-nn-to-kernels --convert-nn-to-runtime | FileCheck %s
// The network becomes nnc_describe (builder calls into the runtime), the
// run block nnc_program; every nn op is gone afterwards.

nn.neuron @N {
  nn.state @v attributes {unit = "V"} init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @I attributes {parameter, unit = "A"} init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @a : @N[30]
  nn.population @b : @N[20]
  nn.projection @a_to_b from @a to @b "probability"(2.500000e-01) delay 1.500000e-03 on_pre {
    nn.yield
  }
  nn.projection @b_to_b from @b to @b "one_to_one"(0.0) delay 0.0 on_pre {
    nn.yield
  }
  nn.record_spikes @b
  nn.record_state @b [@v, @I] [2, 5] every 10
  nn.program {
    nn.simulate 5.000000e-01
    %current = arith.constant 2.0e-10 : f64
    nn.set @b, @I = %current
    nn.simulate 2.500000e-01
  }
}

// CHECK-NOT: nn.
// CHECK-DAG: llvm.mlir.global internal constant @{{.*}}("Net\00")
// CHECK-DAG: llvm.mlir.global internal constant @{{.*}}("a_to_b\00")
// CHECK-DAG: llvm.mlir.global internal constant @{{.*}}("A\00")
// CHECK-LABEL: func.func @nnc_abi_version() -> i32
// CHECK: arith.constant 11 : i32
// CHECK-LABEL: func.func @nnc_describe(
// CHECK-SAME: %[[SIM:.*]]: !llvm.ptr)
// CHECK: call @nnc_rt_set_network(%[[SIM]], %{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr, f64) -> ()
// Populations: size and number of state rows (a state and a per-neuron
// parameter, no refractory row).
// CHECK: %[[A:.*]] = call @nnc_rt_add_population(%[[SIM]], %{{.*}}, %{{.*}}, %c30_i64{{.*}}, %c2_i64{{.*}})
// CHECK: %[[B:.*]] = call @nnc_rt_add_population(%[[SIM]], %{{.*}}, %{{.*}}, %c20_i64{{.*}}, %c2_i64{{.*}})
// Rule 2 = fixed probability; 1.5 ms at 0.1 ms = 15 steps.
// CHECK: call @nnc_rt_add_projection(%[[SIM]], %{{.*}}, %[[A]], %[[B]], %c2_i32{{.*}}, %cst{{.*}}, %c15_i64{{.*}}, %c0_i64{{.*}}, %c-1_i64{{.*}}, %c0_i32{{.*}})
// Rule 1 = one-to-one, no delay.
// CHECK: call @nnc_rt_add_projection(%[[SIM]], %{{.*}}, %[[B]], %[[B]], %c1_i32{{.*}}, %{{.*}}, %c0_i64{{.*}}, %c0_i64{{.*}}, %c-1_i64{{.*}}, %c0_i32{{.*}})
// CHECK: call @nnc_rt_record_spikes(%[[SIM]], %[[B]])
// State monitors: one call per variable with its row, name, unit, period
// and neuron range.
// CHECK: call @nnc_rt_record_state(%[[SIM]], %[[B]], %c0_i64{{.*}}, %{{.*}}, %{{.*}}, %c10_i64{{.*}}, %c2_i64{{.*}}, %c5_i64{{.*}})
// CHECK: call @nnc_rt_record_state(%[[SIM]], %[[B]], %c1_i64{{.*}}, %{{.*}}, %{{.*}}, %c10_i64{{.*}}, %c2_i64{{.*}}, %c5_i64{{.*}})
// CHECK-LABEL: func.func @nnc_program(%{{.*}}: !llvm.ptr)
// CHECK: arith.constant 5.000000e-01 : f64
// CHECK: call @nnc_rt_simulate
// Population b is number 1; I is row 1.
// CHECK: %[[VAL:.*]] = arith.constant 2.000000e-10 : f64
// CHECK: call @nnc_rt_set_state_row(%{{.*}}, %c1_i32{{.*}}, %c1_i64{{.*}}, %[[VAL]])
// CHECK: arith.constant 2.500000e-01 : f64
// CHECK: call @nnc_rt_simulate
