// RUN: nnc-opt %s --nnc-lower-to-llvm | FileCheck %s
// The whole pipeline: only LLVM dialect ops remain, and every kernel has a
// C-interface wrapper the runtime looks up by name.

nn.neuron @N {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.ode @v {
    %v = nn.read @v
    %tau = arith.constant 1.0e-02 : f64
    %d = arith.divf %v, %tau : f64
    %n = arith.negf %d : f64
    nn.yield %n : f64
  }
  nn.threshold {
    %v = nn.read @v
    %th = arith.constant 1.0 : f64
    %c = arith.cmpf ogt, %v, %th : f64
    nn.yield %c : i1
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @p : @N[4]
  nn.program {
    nn.simulate 1.0
  }
}

// CHECK-NOT: nn.
// CHECK-NOT: func.func
// CHECK-NOT: scf.
// CHECK-NOT: memref.
// CHECK-DAG: llvm.func @N_update(
// CHECK-DAG: llvm.func @_mlir_ciface_N_update(
// CHECK-DAG: llvm.func @_mlir_ciface_p_init(
// CHECK-DAG: llvm.func @nnc_describe(
// CHECK-DAG: llvm.func @nnc_program(
// CHECK-DAG: llvm.func @nnc_abi_version(
// exp(-dt/tau) = exp(-0.01)
// CHECK-DAG: llvm.mlir.constant(0.99004983374916{{[0-9]*}} : f64)
