// RUN: nnc-opt %s | FileCheck %s
// RUN: nnc-opt %s | nnc-opt | FileCheck %s
// Round trip of every nn op through the printer and parser.

// CHECK-LABEL: nn.neuron @LIF attributes {solver = "exact"}
nn.neuron @LIF attributes {solver = "exact"} {
  // CHECK: nn.param @tau = 2.000000e-02 {unit = "s"}
  nn.param @tau = 2.000000e-02 {unit = "s"}
  // CHECK: nn.state @v attributes {unit = "V"} init {
  // CHECK:   nn.uniform
  nn.state @v attributes {unit = "V"} init {
    %lo = arith.constant -6.0e-02 : f64
    %hi = arith.constant -5.0e-02 : f64
    %r = nn.uniform %lo, %hi
    nn.yield %r : f64
  }
  // CHECK: nn.state @w init
  // CHECK:   nn.normal
  nn.state @w init {
    %m = arith.constant 1.0 : f64
    %s = arith.constant 0.1 : f64
    %r = nn.normal %m, %s
    nn.yield %r : f64
  }
  // CHECK: nn.ode @v {
  // CHECK:   nn.read @v
  // CHECK:   nn.read @tau
  // CHECK:   nn.time
  nn.ode @v {
    %v = nn.read @v
    %tau = nn.read @tau
    %t = nn.time
    %d = arith.divf %v, %tau : f64
    %n = arith.negf %d : f64
    nn.yield %n : f64
  }
  // CHECK: nn.threshold {
  nn.threshold {
    %v = nn.read @v
    %th = arith.constant -5.0e-02 : f64
    %c = arith.cmpf ogt, %v, %th : f64
    nn.yield %c : i1
  }
  // CHECK: nn.on_spike {
  // CHECK:   nn.write @v, %{{.*}}
  nn.on_spike {
    %r = arith.constant -6.0e-02 : f64
    nn.write @v, %r
    nn.yield
  }
  // CHECK: nn.refractory 5.000000e-03 clamp [@v]
  nn.refractory 5.000000e-03 clamp [@v]
}

// Boolean refractoriness: refractory after a spike until a step starts with
// the condition false.
// CHECK-LABEL: nn.neuron @Crossing
nn.neuron @Crossing {
  nn.state @c init {
    %z = arith.constant 0.0 : f64
    nn.yield %z : f64
  }
  nn.threshold {
    %c = nn.read @c
    %th = arith.constant 5.0e-01 : f64
    %above = arith.cmpf ogt, %c, %th : f64
    nn.yield %above : i1
  }
  // CHECK: nn.refractory clamp [] while {
  // CHECK:   nn.read @c
  // CHECK:   nn.yield %{{.*}} : i1
  nn.refractory clamp [] while {
    %c = nn.read @c
    %th = arith.constant 5.0e-01 : f64
    %above = arith.cmpf ogt, %c, %th : f64
    nn.yield %above : i1
  }
}

// CHECK-LABEL: nn.neuron @Solved
nn.neuron @Solved {
  nn.state @x init {
    %c = arith.constant 1.0 : f64
    nn.yield %c : f64
  }
  // CHECK: nn.integrate "exact" dt 1.000000e-04 {
  nn.integrate "exact" dt 1.000000e-04 {
    %x = nn.read @x
    %p = arith.constant 0.5 : f64
    %n = arith.mulf %x, %p : f64
    nn.write @x, %n
    nn.yield
  }
}

// CHECK-LABEL: nn.network @Net dt 1.000000e-04 {
nn.network @Net dt 1.000000e-04 {
  // CHECK: nn.population @a : @LIF[10]
  nn.population @a : @LIF[10]
  nn.population @b : @LIF[20]
  // CHECK: nn.projection @a_to_b from @a to @b "probability"(1.000000e-01) delay 1.000000e-03 on_pre {
  nn.projection @a_to_b from @a to @b "probability"(1.000000e-01) delay 1.000000e-03 on_pre {
    %v = nn.read @v
    nn.write @v, %v
    nn.yield
  }
  // CHECK: nn.projection @b_to_a from @b to @a "all_to_all"(0.000000e+00) delay 0.000000e+00 on_pre
  nn.projection @b_to_a from @b to @a "all_to_all"(0.0) delay 0.0 on_pre {
    nn.yield
  }
  // CHECK: nn.record_spikes @a
  nn.record_spikes @a
  // CHECK: nn.program {
  // CHECK-NEXT: nn.simulate 1.000000e+00
  nn.program {
    nn.simulate 1.0
  }
}

// Input ports, deliveries, regional modulators and the program's
// observables.
// CHECK-LABEL: nn.neuron @Ported
nn.neuron @Ported {
  nn.state @g init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  // CHECK: nn.on_input @exc attributes {sign = "excitatory", unit = "S"} {
  // CHECK-NEXT: ^bb0(%[[X:.*]]: f64):
  nn.on_input @exc attributes {sign = "excitatory", unit = "S"} {
  ^bb0(%x: f64):
    %g = nn.read @g
    %s = arith.addf %g, %x : f64
    nn.write @g, %s
    nn.yield
  }
}

// CHECK-LABEL: nn.network @Ports dt 1.000000e-04 {
nn.network @Ports dt 1.000000e-04 {
  nn.population @p : @Ported[4]
  // CHECK: nn.population modulator @da : @Solved[3]
  nn.population modulator @da : @Solved[3]
  nn.projection @p_to_p from @p to @p "all_to_all"(0.0) delay 0.0 on_pre {
    %k = arith.constant 2.0 : f64
    // CHECK: %[[D:.*]] = nn.read_modulator @da, @x[%{{.*}}]
    %d = nn.read_modulator @da, @x [%k]
    %zero = arith.constant 0.0 : f64
    %pos = arith.cmpf oge, %d, %zero : f64
    // CHECK: nn.deliver @exc, %[[D]] when %{{.*}}
    nn.deliver @exc, %d when %pos
    // CHECK: nn.deliver @exc, %[[D]]{{$}}
    nn.deliver @exc, %d
    nn.yield
  }
  nn.program {
    // CHECK: nn.spike_argmax @p
    %w = nn.spike_argmax @p
    // CHECK: nn.state_mean @p, @g
    %m = nn.state_mean @p, @g
    // CHECK: nn.phase "trial" {
    // CHECK-NEXT: nn.simulate
    nn.phase "trial" {
      nn.simulate 1.0e-03
    }
  }
}
