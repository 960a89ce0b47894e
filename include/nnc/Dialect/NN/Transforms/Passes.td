//===- Passes.td - Transformations of the nn dialect -------*- tablegen -*-===//

#ifndef NNC_DIALECT_NN_TRANSFORMS_PASSES_TD
#define NNC_DIALECT_NN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def NNInlinePorts : Pass<"nn-inline-ports", "mlir::ModuleOp"> {
  let summary = "Run input-port handlers where synapses deliver to them";
  let description = [{
    A neuron model's `nn.on_input @port` handler runs once per synapse
    event (NESTML's `onReceive`). For every `nn.deliver @port, %value` in a
    projection's `on_pre` / `on_post` region or a Poisson input's body, this
    pass clones the handler of the target population's model in place, with
    `%value` for its argument; with `when %c`, every `nn.write` of the clone
    becomes `select(%c, new, old)`. The handlers' reads and writes name the
    target neuron's states, as the rest of these regions do. Afterwards the
    `nn.on_input` ops are erased, so later passes see plain writes.

    A delivery to a port the target model does not have is an error at the
    `nn.deliver`.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def NNSolveODEs : Pass<"nn-solve-odes", "mlir::ModuleOp"> {
  let summary = "Classify each model's ODE system and replace it by an update";
  let description = [{
    For every neuron model used by a network, analyses the system of
    `nn.ode` ops and replaces it by one `nn.integrate` op that advances the
    state by the network's time step:

    - linear time-invariant systems (x' = A x + b) are integrated exactly:
      the propagator exp([[A, b], [0, 0]] dt) is computed at compile time
      and emitted as constants;
    - `exponential_euler` (Brian2's definition) treats each equation as
      x_i' = A_i x_i + B_i with A_i, B_i depending on the other states:
      B_i = f_i(x_i = 0), A_i = f_i(x_i = 1) - B_i are emitted as clones of
      the right-hand side, and x_i <- -B_i/A_i + (x_i + B_i/A_i) e^{A_i dt}
      (x_i + dt B_i where x_i does not appear). Linearity in x_i is checked
      numerically near the initial state;
    - `backward_euler` (NEURON's fixed step) advances the membrane
      potentials (states `v` and `COMPARTMENT.v`) by linearly implicit
      Euler: the Jacobian of their equations with respect to the potentials
      is taken by finite differences (1e-6 V), and (I - dt J) dv = dt f is
      solved by Hines elimination along the tree of couplings, emitted as
      straight-line code (a loop of couplings is an error). The other
      states then take an exponential Euler step at the new potentials;
    - otherwise the model's `solver` (euler, rk2, rk4) is expanded, rk4 by
      default.

    `nn.timestep` (`dt` in a model) becomes the network's time step.

    Parameters stored per neuron (`nn.state ... parameter`) are states
    without an equation, so a per-neuron input current stays inside the
    exact propagator; a per-neuron time constant makes the system nonlinear.

    Linearity is decided by evaluating the right-hand sides: b = f(0),
    A e_j = f(e_j) - b, then f(x) = A x + b is confirmed at random points of
    both signs and several magnitudes, and independence of `t` is checked.
    Forcing `exact` on a system that fails this test is an error.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect"];
}

#endif // NNC_DIALECT_NN_TRANSFORMS_PASSES_TD
