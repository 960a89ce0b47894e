// RUN: nnc-opt %s -split-input-file -verify-diagnostics | FileCheck %s
// nn.rewire: round trip, and what its verifier rejects.

nn.neuron @Cell {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.synapse @W {
  nn.state @w init {
    %c = arith.constant 1.0 : f64
    nn.yield %c : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @a : @Cell[10]
  nn.projection @S from @a to @a "fixed_outdegree"(2.0) delay 0.0 synapse @W on_pre {
    nn.yield
  }
  // CHECK: nn.rewire @S_rewire : @S every 1.000000e-01 when {
  // CHECK:   nn.read @w
  // CHECK:   nn.yield %{{.*}} : i1
  // CHECK: } reset {
  // CHECK:   nn.write @w
  nn.rewire @S_rewire : @S every 1.000000e-01 when {
    %w = nn.read @w
    %min = arith.constant 1.0e-03 : f64
    %weak = arith.cmpf olt, %w, %min : f64
    nn.yield %weak : i1
  } reset {
    %one = arith.constant 1.0 : f64
    nn.write @w, %one
    nn.yield
  }
}

// -----

nn.neuron @Cell {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @a : @Cell[10]
  nn.projection @S from @a to @a "fixed_outdegree"(2.0) delay 0.0 on_pre {
    nn.yield
  }
  // expected-error @+1 {{needs a projection with a synapse model}}
  nn.rewire @S_rewire : @S every 1.000000e-01 when {
    %t = arith.constant true
    nn.yield %t : i1
  } reset {
    nn.yield
  }
}

// -----

nn.neuron @Cell {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.synapse @W {
  nn.state @w init {
    %c = arith.constant 1.0 : f64
    nn.yield %c : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @a : @Cell[10]
  nn.projection @S from @a to @a "fixed_outdegree"(2.0) delay 0.0 synapse @W on_pre {
    nn.yield
  }
  // expected-error @+1 {{region must yield one 'i1' (the condition)}}
  nn.rewire @S_rewire : @S every 1.000000e-01 when {
    %w = nn.read @w
    nn.yield %w : f64
  } reset {
    nn.yield
  }
}

// -----

nn.neuron @Cell {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.synapse @W {
  nn.state @w init {
    %c = arith.constant 1.0 : f64
    nn.yield %c : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @a : @Cell[10]
  nn.projection @S from @a to @a "fixed_outdegree"(2.0) delay 0.0 synapse @W on_pre {
    nn.yield
  }
  // expected-error @+1 {{period must be positive}}
  nn.rewire @S_rewire : @S every 0.000000e+00 when {
    %t = arith.constant true
    nn.yield %t : i1
  } reset {
    nn.yield
  }
}
