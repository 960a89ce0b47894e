// RUN: nnc-opt %s --convert-nn-to-kernels --convert-nn-to-runtime | FileCheck %s
// The run block becomes nnc_program: scf control flow stays, nn ops become
// runtime calls. `simulate T until C` starts a phase, then runs single
// steps while fewer than T/dt ran and C (evaluated after each step) is
// false; observables read the phase's spike counts (in total and per
// neuron: argmax) and the state (a mean); gates name the object kind and
// id.

nn.neuron @N {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.threshold {
    %v = nn.read @v
    %one = arith.constant 1.0 : f64
    %s = arith.cmpf ogt, %v, %one : f64
    nn.yield %s : i1
  }
}
nn.network @Net dt 1.000000e-03 {
  nn.population @a : @N[4]
  nn.population @b : @N[2]
  nn.program {
    nn.simulate 5.000000e-02 until {
      %n = nn.spike_count @b
      %three = arith.constant 3.0 : f64
      %done = arith.cmpf oge, %n, %three : f64
      nn.yield %done : i1
    }
    %r = nn.spike_rate @a
    %ten = arith.constant 10.0 : f64
    %high = arith.cmpf ogt, %r, %ten : f64
    scf.if %high {
      nn.gate "disable" @b
    }
    nn.simulate 1.000000e-02
    %winner = nn.spike_argmax @b
    %mean = nn.state_mean @a, @v
    nn.phase "test" {
      nn.simulate 2.000000e-02
    }
  }
}

// CHECK-LABEL: func.func @nnc_program(
// CHECK-SAME: %[[SIM:.*]]: !llvm.ptr)
// CHECK: call @nnc_rt_begin_phase(%[[SIM]])
// CHECK: %[[STEPS:.*]] = arith.constant 50 : i64
// CHECK: scf.while (%[[DONE:.*]] = %{{.*}}) : (i64) -> i64 {
// CHECK:   %[[MORE:.*]] = arith.cmpi slt, %[[DONE]], %[[STEPS]] : i64
// CHECK:   scf.condition(%[[MORE]]) %[[DONE]] : i64
// CHECK: } do {
// CHECK: ^bb0(%[[K:.*]]: i64):
// CHECK:   call @nnc_rt_step(%[[SIM]])
// CHECK:   %[[NEXT:.*]] = arith.addi %[[K]], %{{.*}} : i64
// Population b is number 1.
// CHECK:   %[[N:.*]] = func.call @nnc_rt_spike_count(%[[SIM]], %c1_i32{{.*}})
// CHECK:   %[[STOP:.*]] = arith.cmpf oge, %[[N]], %{{.*}} : f64
// CHECK:   %[[R:.*]] = arith.select %[[STOP]], %[[STEPS]], %[[NEXT]] : i64
// CHECK:   scf.yield %[[R]] : i64
// CHECK: call @nnc_rt_spike_rate(%[[SIM]], %c0_i32{{.*}})
// CHECK: scf.if
// Gate 2 = disable, target kind 0 = population, id 1.
// CHECK:   call @nnc_rt_gate(%[[SIM]], %c2_i32{{.*}}, %c0_i32{{.*}}, %c1_i32{{.*}})
// CHECK: call @nnc_rt_simulate(%[[SIM]], %{{.*}})
// argmax of population 1; the mean of row 0 (v) of population 0.
// CHECK: call @nnc_rt_spike_argmax(%[[SIM]], %c1_i32{{.*}})
// CHECK: call @nnc_rt_state_mean(%[[SIM]], %c0_i32{{.*}}, %c0_i64{{.*}})
// A named phase: its body between the two calls.
// CHECK: call @nnc_rt_phase_begin(%[[SIM]], %{{.*}}) : (!llvm.ptr, !llvm.ptr) -> ()
// CHECK-NEXT: %{{.*}} = arith.constant 2.000000e-02 : f64
// CHECK-NEXT: call @nnc_rt_simulate(%[[SIM]], %{{.*}})
// CHECK-NEXT: call @nnc_rt_phase_end(%[[SIM]])
// CHECK-NOT: nn.
