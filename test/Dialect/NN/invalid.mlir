// RUN: nnc-opt %s -split-input-file -verify-diagnostics

nn.neuron @A {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.ode @v {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  // expected-error @+1 {{state 'v' has more than one equation}}
  nn.ode @v {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}

// -----

nn.neuron @A {
  nn.param @tau = 1.0
  // expected-error @+1 {{'tau' is not a state variable}}
  nn.ode @tau {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}

// -----

nn.neuron @A {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  // expected-error @+1 {{region must yield one 'i1' (the condition)}}
  nn.threshold {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}

// -----

nn.neuron @A {
  // expected-error @+1 {{region must yield one 'f64' (the initial value)}}
  nn.state @v init {
    nn.yield
  }
}

// -----

// expected-error @+1 {{has a reset or refractory period but no threshold}}
nn.neuron @A {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.refractory 1.0e-03 clamp [@v]
}

// -----

nn.neuron @A {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.threshold {
    %t = arith.constant true
    nn.yield %t : i1
  }
  // expected-error @+1 {{clamps 'w', which is not a state variable}}
  nn.refractory 1.0e-03 clamp [@w]
}

// -----

nn.neuron @A {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.threshold {
    %t = arith.constant true
    nn.yield %t : i1
  }
  // expected-error @+1 {{needs either a period or a 'while' condition}}
  nn.refractory 1.0e-03 clamp [] while {
    %t = arith.constant true
    nn.yield %t : i1
  }
}

// -----

nn.neuron @A {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.threshold {
    %t = arith.constant true
    nn.yield %t : i1
  }
  // expected-error @+1 {{region must yield one 'i1' (the condition)}}
  nn.refractory clamp [] while {
    %v = nn.read @v
    nn.yield %v : f64
  }
}

// -----

// expected-error @+1 {{unknown solver 'magic'}}
nn.neuron @A attributes {solver = "magic"} {
}

// -----

nn.neuron @A {
  nn.state @v init {
    // expected-error @+1 {{'w' is not a parameter or state of A}}
    %w = nn.read @w
    nn.yield %w : f64
  }
}

// -----

nn.neuron @A {
}
// expected-error @+1 {{time step must be positive}}
nn.network @N dt 0.0 {
}

// -----

nn.neuron @A {
}
nn.network @N dt 1.0e-04 {
  // expected-error @+1 {{size must be positive}}
  nn.population @p : @A[0]
}

// -----

nn.network @N dt 1.0e-04 {
  // expected-error @+1 {{model 'B' is not a neuron model of this module}}
  nn.population @p : @B[10]
}

// -----

nn.neuron @A {
}
nn.network @N dt 1.0e-04 {
  nn.population @p : @A[10]
  // expected-error @+1 {{probability must be in [0, 1]}}
  nn.projection @x from @p to @p "probability"(1.5) delay 0.0 on_pre {
    nn.yield
  }
}

// -----

nn.neuron @A {
}
nn.network @N dt 1.0e-04 {
  nn.population @p : @A[10]
  // expected-error @+1 {{unknown connection rule 'sometimes'}}
  nn.projection @x from @p to @p "sometimes"(0.5) delay 0.0 on_pre {
    nn.yield
  }
}

// -----

nn.neuron @A {
}
nn.network @N dt 1.0e-04 {
  nn.population @p : @A[10]
  // expected-error @+1 {{has neuron ranges but rule 'all_to_all' (only fixed degrees take them)}}
  nn.projection @x from @p to @p "all_to_all"(0.0) delay 0.0 attributes {ranges = array<i64: 0, 5, 0, 5>} on_pre {
    nn.yield
  }
}

// -----

nn.neuron @A {
}
nn.network @N dt 1.0e-04 {
  nn.population @p : @A[10]
  // expected-error @+1 {{needs ranges [pre_lo, pre_hi, post_lo, post_hi] with lo < hi}}
  nn.projection @x from @p to @p "fixed_indegree"(2.0) delay 0.0 attributes {ranges = array<i64: 5, 5, 0, 5>} on_pre {
    nn.yield
  }
}

// -----

nn.neuron @A {
}
nn.network @N dt 1.0e-04 {
  nn.population @p : @A[10]
  // expected-error @+1 {{'q' is not a population with a model in this network}}
  nn.projection @x from @p to @q "all_to_all"(0.0) delay 0.0 on_pre {
    nn.yield
  }
}

// -----

nn.neuron @A {
}
nn.network @N dt 1.0e-04 {
  nn.program {
    // expected-error @+1 {{duration must be positive}}
    nn.simulate -1.0
  }
}

// -----

nn.neuron @A {
}
nn.synapse @Syn {
  nn.state @w init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.network @N dt 1.0e-04 {
  nn.population @p : @A[10]
  // expected-error @+1 {{column 'w' must be an array<f64> with one value per listed pair}}
  nn.projection @x from @p to @p "from_list"(0.0) delay 0.0 synapse @Syn attributes {pairs_pre = array<i32: 0, 1>, pairs_post = array<i32: 1, 0>, columns = {w = array<f64: 1.0>}} on_pre {
    nn.yield
  }
}

// -----

nn.neuron @A {
}
nn.synapse @Syn {
  nn.state @w init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.network @N dt 1.0e-04 {
  nn.population @p : @A[10]
  // expected-error @+1 {{column 'u' is not a state of synapse model 'Syn'}}
  nn.projection @x from @p to @p "from_list"(0.0) delay 0.0 synapse @Syn attributes {pairs_pre = array<i32: 0>, pairs_post = array<i32: 1>, columns = {u = array<f64: 1.0>}} on_pre {
    nn.yield
  }
}

// -----

nn.neuron @A {
}
nn.network @N dt 1.0e-04 {
  nn.population @p : @A[10]
  // expected-error @+1 {{probability region needs rule 'probability', the source and target indices (f64, f64) and yields one f64}}
  nn.projection @x from @p to @p "all_to_all"(0.0) delay 0.0 on_pre {
    nn.yield
  } probability {
  ^bb0(%i: f64, %j: f64):
    nn.yield %i : f64
  }
}

// -----

nn.neuron @A {
}
nn.network @N dt 1.0e-04 {
  nn.population @p : @A[10]
  // expected-error @+1 {{nn.read_pre and nn.read_post belong in the probability region}}
  nn.projection @x from @p to @p "all_to_all"(0.0) delay 0.0 on_pre {
    %x = nn.read_pre @x
    nn.yield
  }
}

// -----

nn.neuron @A {
}
nn.network @N dt 1.0e-04 {
  nn.population @p : @A[10]
  // expected-error @+1 {{rate_of_time must take no arguments and yield one f64}}
  nn.poisson_input @bg to @p rate 0.0 count 10.0 {
  ^bb0(%k: f64):
    nn.yield
  } rate_of_time {
  ^bb0(%x: f64):
    nn.yield %x : f64
  }
}

// -----

nn.neuron @A {
  nn.state @v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.network @N dt 1.0e-04 {
  nn.population @p : @A[10]
  nn.program {
    // expected-error @+1 {{'w' is not a state of population 'p'}}
    %m = nn.state_mean @p, @w
  }
}

// -----

nn.neuron @A {
}
nn.network @N dt 1.0e-04 {
  nn.population @p : @A[10]
  nn.program {
    // expected-error @+1 {{'q' is not a population of this network}}
    %w = nn.spike_argmax @q
  }
}

// -----

nn.neuron @A {
}
nn.network @N dt 1.0e-04 {
  nn.population @p : @A[10]
  nn.program {
    // expected-error @+1 {{'nn.phase' op needs a name}}
    nn.phase "" {
      nn.simulate 1.0e-03
    }
  }
}
