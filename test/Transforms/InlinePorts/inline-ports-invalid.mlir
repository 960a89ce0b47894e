// RUN: nnc-opt %s --nn-inline-ports -split-input-file -verify-diagnostics
// A delivery names a port of the target population's model, and a handler
// takes the delivered value.

nn.neuron @NoPorts {
  nn.state @x init {
    %c = arith.constant 0.0 : f64
    nn.yield %c : f64
  }
}
nn.network @Net dt 1.000000e-04 {
  nn.population @c : @NoPorts[2]
  nn.projection @S from @c to @c "all_to_all"(0.0) delay 0.0 on_pre {
    %c = arith.constant 1.0 : f64
    // expected-error @+1 {{target population 'c' has no input port 'exc'}}
    nn.deliver @exc, %c
    nn.yield
  }
}

// -----

nn.neuron @NoArgument {
  // expected-error @+1 {{handler must take one f64 (the delivered value)}}
  nn.on_input @exc {
    nn.yield
  }
}

// -----

nn.neuron @BadSign {
  // expected-error @+1 {{sign must be 'excitatory' or 'inhibitory', not 'both'}}
  nn.on_input @exc attributes {sign = "both"} {
  ^bb0(%x: f64):
    nn.yield
  }
}
