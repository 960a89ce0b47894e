// RUN: nnc-opt %s --nn-solve-odes --convert-nn-to-kernels --convert-nn-to-runtime | FileCheck %s
// A fixed in-degree between parts of populations (`connect p[10:40] ->
// q[20:60] fixed_indegree 5`): the runtime is told the ranges right before
// the projection is added, so it picks the 5 sources among p[10:40] for
// each of q[20:60].

nn.neuron @Cell {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @p : @Cell[100]
  nn.population @q : @Cell[80]
  nn.projection @E from @p to @q "fixed_indegree"(5.0) delay 0.0
      attributes {ranges = array<i64: 10, 40, 20, 60>} on_pre {
    nn.yield
  }
}

// CHECK-LABEL: func.func @nnc_describe(
// CHECK: call @nnc_rt_set_connect_ranges(%{{.*}}, %c10_i64, %c40_i64, %c20_i64, %c60_i64) : (!llvm.ptr, i64, i64, i64, i64) -> ()
// CHECK-NOT: call
// CHECK: call @nnc_rt_add_projection(
