// RUN: nnc-opt %s --nn-solve-odes --convert-nn-to-kernels | FileCheck %s
// A regional modulator (a modulator population of 4) read per neuron with
// a region index (`da[i / 2]`): the row pointer is loaded once at the
// kernel's entry, and each read clamps the index to regions 0..3,
// truncates it and loads that element of the row.

nn.neuron @Follower attributes {solver = "euler"} {
  nn.state @x init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.ode @x {
    %i = nn.index
    %two = arith.constant 2.0 : f64
    %k = arith.divf %i, %two : f64
    %m = nn.read_modulator @da, @level [%k]
    nn.yield %m : f64
  }
}
nn.neuron @Level {
  nn.state @level init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @p : @Follower[8]
  nn.population modulator @da : @Level[4]
}

// CHECK-LABEL: func.func @Follower_update(
// CHECK:      %[[A:.*]] = llvm.mlir.addressof @nnc_state_da_0 : !llvm.ptr
// CHECK-NEXT: %[[ROW:.*]] = llvm.load %[[A]] : !llvm.ptr -> !llvm.ptr
// CHECK:      scf.for
// CHECK:        %[[HI:.*]] = arith.constant 3.000000e+00 : f64
// CHECK:        %[[LO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK:        %[[K0:.*]] = arith.maxnumf %{{.*}}, %[[LO]] : f64
// CHECK:        %[[K1:.*]] = arith.minnumf %[[K0]], %[[HI]] : f64
// CHECK:        %[[K:.*]] = arith.fptosi %[[K1]] : f64 to i64
// CHECK:        %[[E:.*]] = llvm.getelementptr %[[ROW]][%[[K]]] : (!llvm.ptr, i64) -> !llvm.ptr, f64
// CHECK:        llvm.load %[[E]] : !llvm.ptr -> f64
