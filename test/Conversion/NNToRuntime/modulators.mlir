// RUN: nnc-opt %s --nn-solve-odes --convert-nn-to-kernels --convert-nn-to-runtime | FileCheck %s
// A modulator is added with nnc_rt_add_modulator; right after, nnc_describe
// points the global through which kernels read its state row at that row
// (nnc_rt_state_row). A projection with clock-driven synapse equations is
// announced with nnc_rt_add_clock_driven.

nn.neuron @Cell {
  nn.state @g init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.neuron @Level {
  nn.state @level init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.synapse @Follow {
  nn.state @s init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.ode @s {
    %d = nn.read_modulator @dopamine, @level
    nn.yield %d : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @p : @Cell[2]
  nn.population modulator @dopamine : @Level[1]
  nn.projection @S from @p to @p "all_to_all"(0.0) delay 0.0 synapse @Follow on_pre {
    nn.yield
  }
  nn.program {
    nn.simulate 1.000000e-01
  }
}

// CHECK-LABEL: func.func @nnc_describe(
// CHECK-SAME: %[[SIM:.*]]: !llvm.ptr)
// CHECK: call @nnc_rt_add_population(%[[SIM]],
// CHECK: %[[MOD:.*]] = call @nnc_rt_add_modulator(%[[SIM]], %{{.*}}, %{{.*}}, %c1_i64{{.*}}, %c1_i64{{.*}}) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64) -> i32
// CHECK: %[[ROW:.*]] = call @nnc_rt_state_row(%[[SIM]], %[[MOD]], %c0_i64{{.*}}) : (!llvm.ptr, i32, i64) -> !llvm.ptr
// CHECK: %[[G:.*]] = llvm.mlir.addressof @nnc_state_dopamine_0 : !llvm.ptr
// CHECK: llvm.store %[[ROW]], %[[G]] : !llvm.ptr, !llvm.ptr
// CHECK: %[[PROJ:.*]] = call @nnc_rt_add_projection(
// CHECK: call @nnc_rt_add_clock_driven(%[[SIM]], %[[PROJ]]) : (!llvm.ptr, i32) -> ()
