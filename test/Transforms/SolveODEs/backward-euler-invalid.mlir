// RUN: nnc-opt %s --nn-solve-odes -split-input-file -verify-diagnostics
// solver backward_euler needs membrane potentials whose couplings form a
// tree (Hines elimination has no fill-in only then), and the other states
// must suit exponential Euler; each error says which.

// expected-error @+1 {{solver 'backward_euler' needs a membrane potential with an equation: a state named 'v' (or 'COMPARTMENT.v')}}
nn.neuron @NoPotential attributes {solver = "backward_euler"} {
  nn.state @x init {
    %c = arith.constant 1.0 : f64
    nn.yield %c : f64
  }
  nn.ode @x {
    %x = nn.read @x
    nn.yield %x : f64
  }
}
nn.network @N dt 1.000000e-03 {
  nn.population @p : @NoPotential[1]
}

// -----

// Three compartments coupled in a ring.
// expected-error @+1 {{solver 'backward_euler' needs the coupled compartments to form a tree, but b.v and c.v close a loop}}
nn.neuron @Ring attributes {solver = "backward_euler"} {
  nn.state @a.v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @b.v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.state @c.v init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
  nn.ode @a.v {
    %b = nn.read @b.v
    %c = nn.read @c.v
    %s = arith.addf %b, %c : f64
    nn.yield %s : f64
  }
  nn.ode @b.v {
    %a = nn.read @a.v
    %c = nn.read @c.v
    %s = arith.addf %a, %c : f64
    nn.yield %s : f64
  }
  nn.ode @c.v {
    %a = nn.read @a.v
    %b = nn.read @b.v
    %s = arith.addf %a, %b : f64
    nn.yield %s : f64
  }
}
nn.network @N dt 1.000000e-03 {
  nn.population @p : @Ring[1]
}

// -----

// A gate that is not linear in itself.
// expected-error @+1 {{solver 'backward_euler' integrates the states other than membrane potentials by exponential Euler, but the equation for w' is not linear in w}}
nn.neuron @SquareGate attributes {solver = "backward_euler"} {
  nn.state @v init {
    %c = arith.constant -6.5e-02 : f64
    nn.yield %c : f64
  }
  nn.state @w init {
    %c = arith.constant 0.5 : f64
    nn.yield %c : f64
  }
  nn.ode @v {
    %v = nn.read @v
    %w = nn.read @w
    %d = arith.mulf %v, %w : f64
    nn.yield %d : f64
  }
  nn.ode @w {
    %w = nn.read @w
    %sq = arith.mulf %w, %w : f64
    nn.yield %sq : f64
  }
}
nn.network @N dt 1.000000e-03 {
  nn.population @p : @SquareGate[1]
}
