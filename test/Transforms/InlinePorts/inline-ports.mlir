// RUN: nnc-opt %s --nn-inline-ports | FileCheck %s
// Each nn.deliver becomes a copy of the target model's port handler with the
// delivered value for its argument; a guarded delivery writes through
// selects; the handlers are erased from the model afterwards.

// CHECK-LABEL: nn.neuron @Cell
// CHECK-NOT:     nn.on_input
nn.neuron @Cell {
  nn.state @ge attributes {unit = "S"} init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @n init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.on_input @exc attributes {sign = "excitatory", unit = "S"} {
  ^bb0(%x: f64):
    %g = nn.read @ge
    %s = arith.addf %g, %x : f64
    nn.write @ge, %s
    %n = nn.read @n
    %one = arith.constant 1.0 : f64
    %m = arith.addf %n, %one : f64
    nn.write @n, %m
    nn.yield
  }
}

// CHECK-LABEL: nn.network @Net
nn.network @Net dt 1.000000e-04 {
  nn.population @c : @Cell[2]
  // CHECK:      nn.projection @S
  // CHECK:        %[[W:.*]] = nn.read @w
  // CHECK:        %[[POS:.*]] = arith.cmpf oge, %[[W]]
  // CHECK:        %[[G:.*]] = nn.read @ge
  // CHECK:        %[[SUM:.*]] = arith.addf %[[G]], %[[W]]
  // CHECK:        %[[OLD:.*]] = nn.read @ge
  // CHECK:        %[[SEL:.*]] = arith.select %[[POS]], %[[SUM]], %[[OLD]]
  // CHECK:        nn.write @ge, %[[SEL]]
  // CHECK:        %[[N:.*]] = nn.read @n
  // CHECK:        %[[INC:.*]] = arith.addf %[[N]]
  // CHECK:        %[[OLDN:.*]] = nn.read @n
  // CHECK:        arith.select %[[POS]], %[[INC]], %[[OLDN]]
  // CHECK-NOT:    nn.deliver
  // CHECK:        nn.yield
  nn.projection @S from @c to @c "all_to_all"(0.0) delay 0.0 on_pre {
    %w = nn.read @w
    %zero = arith.constant 0.0 : f64
    %pos = arith.cmpf oge, %w, %zero : f64
    nn.deliver @exc, %w when %pos
    nn.yield
  }
  // CHECK:      nn.poisson_input @in
  // CHECK-NEXT: ^bb0(%[[K:.*]]: f64):
  // CHECK:        %[[V:.*]] = arith.mulf %[[K]]
  // CHECK-NEXT:   %[[G2:.*]] = nn.read @ge
  // CHECK-NEXT:   %[[S2:.*]] = arith.addf %[[G2]], %[[V]]
  // CHECK-NEXT:   nn.write @ge, %[[S2]]
  nn.poisson_input @in to @c rate 10.0 count 5.0 {
  ^bb0(%k: f64):
    %c = arith.constant 1.0e-09 : f64
    %v = arith.mulf %k, %c : f64
    nn.deliver @exc, %v
    nn.yield
  }
}
