// RUN: nnc-opt %s --nn-solve-odes --convert-nn-to-kernels --convert-nn-to-runtime | FileCheck %s
// A cover pass is added to the runtime once, by its first statement, with
// NNC_COVER_HAS_DOMAIN (1) when it has a domain: Y and Z share a pass, g
// (which reads Y) and W (no domain) have their own.

nn.neuron @Cell {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.neuron @Glia {
  nn.state @Y init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @Z init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @W init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.synapse @Release {
  nn.state @y init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @g init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.ode @y {
    %y = nn.read @y
    %k = arith.constant -4.000000e+01 : f64
    %r = arith.mulf %y, %k : f64
    nn.yield %r : f64
  }
}
nn.network @Net dt 1.000000e-03 {
  nn.population @p : @Cell[4]
  nn.population @glia : @Glia[2]
  nn.projection @S from @p to @p "all_to_all"(0.0) delay 0.0 synapse @Release on_pre {
    nn.yield
  }
  nn.gather @S_to_glia_Y : @glia, @Y = "mean" of @S value {
    %y = nn.read @y
    nn.yield %y : f64
  } domain {
  ^bb0(%source: f64, %target: f64):
    %two = arith.constant 2.0 : f64
    %a = arith.divf %target, %two : f64
    nn.yield %a : f64
  }
  nn.gather @S_to_glia_Z : @glia, @Z = "sum" of @S value {
    %y = nn.read @y
    %three = arith.constant 3.0 : f64
    %v = arith.mulf %y, %three : f64
    nn.yield %v : f64
  } domain {
  ^bb0(%source: f64, %target: f64):
    %two = arith.constant 2.0 : f64
    %a = arith.divf %target, %two : f64
    nn.yield %a : f64
  }
  nn.scatter @S_to_glia_g : @S, @g = from @glia value {
    %Y = nn.read @Y
    %two = arith.constant 2.0 : f64
    %v = arith.mulf %Y, %two : f64
    nn.yield %v : f64
  } domain {
  ^bb0(%source: f64, %target: f64):
    %two = arith.constant 2.0 : f64
    %a = arith.divf %target, %two : f64
    nn.yield %a : f64
  }
  nn.gather @S_to_glia_W : @glia, @W = "sum" of @S value {
    %y = nn.read @y
    nn.yield %y : f64
  }
}

// CHECK-DAG: llvm.mlir.global internal constant @[[Y:.*]]("S_to_glia_Y\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[G:.*]]("S_to_glia_g\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[W:.*]]("S_to_glia_W\00")
// CHECK-NOT: S_to_glia_Z
// CHECK-LABEL: func.func @nnc_describe(
// CHECK: %[[S:.*]] = call @nnc_rt_add_projection(
// CHECK: %[[YA:.*]] = llvm.mlir.addressof @[[Y]]
// CHECK: %[[YN:.*]] = llvm.getelementptr %[[YA]]
// CHECK: call @nnc_rt_add_cover(%{{.*}}, %[[YN]], %[[S]], %{{.*}}, %c1_i32{{.*}}) : (!llvm.ptr, !llvm.ptr, i32, i32, i32) -> i32
// CHECK: %[[GA:.*]] = llvm.mlir.addressof @[[G]]
// CHECK: %[[GN:.*]] = llvm.getelementptr %[[GA]]
// CHECK: call @nnc_rt_add_cover(%{{.*}}, %[[GN]], %[[S]], %{{.*}}, %c1_i32{{.*}})
// CHECK: %[[WA:.*]] = llvm.mlir.addressof @[[W]]
// CHECK: %[[WN:.*]] = llvm.getelementptr %[[WA]]
// CHECK: call @nnc_rt_add_cover(%{{.*}}, %[[WN]], %[[S]], %{{.*}}, %c0_i32{{.*}})
// CHECK-NOT: call @nnc_rt_add_cover(
// CHECK: return
