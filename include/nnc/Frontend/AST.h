//===- AST.h - Abstract syntax tree of the nnc language ---------*- C++ -*-===//
//
// Plain C++ data produced by the parser and annotated by Sema. No ANTLR and
// no MLIR types appear here, so every library can include it.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_AST_H
#define NNC_FRONTEND_AST_H

#include "nnc/Frontend/Units.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nnc::ast {

/// A position in a source file: 1-based line and column, and which file of
/// the program (an index into File::sourcePaths; 0 is the main file).
struct Loc {
  unsigned line = 0;
  unsigned col = 0;
  unsigned file = 0;
};

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

/// What a name in an expression refers to, filled in by Sema.
enum class NameKind {
  Unresolved,
  Unit,
  Constant,
  Parameter,
  State,
  Time,
  TimeStep,    // `dt` in a model: the time step of the network that runs it
  NeuronIndex, // `i` in a population's per-neuron values
  LoopVar,     // `k` of `for k in range(...)` in the run block
  Modulator,   // `dopamine.level`: a state of a modulator of the network
  SourceIndex, // `source`, `target`: a synapse's neuron indices (a
  TargetIndex, // `cover`'s domain)
  Table,       // `drive(t)`: a call of a table of the network
  PreValue,    // `x_pre`, `x_post` in a connection probability: a
  PostValue,   // variable of the source or target neuron (`name` is `x`)
  Alias,       // a use of an alias: its expression is the one operand
  Noise,       // `xi` in a neuron's equation: white noise (s^-1/2)
  Port         // `exc` in `on exc { ... }`: the value one event delivers
};

struct Expr {
  enum class Kind { Number, Name, Unary, Binary, Call };
  enum class Op {
    None,
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Neg,
    Plus,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
    Not
  };

  Kind kind;
  Loc loc;
  Op op = Op::None;
  double number = 0.0; // Number: the literal as written
  std::string name;    // Name: identifier; Number: unit; Call: callee
  Loc unitLoc;         // Number: location of the unit, if any
  std::vector<ExprPtr> operands;
  /// Call: `NAME[k]` or `NAME[k].state`, region k (the one operand) of a
  /// regional modulator, not a function call.
  bool regionRead = false;

  // Sema annotations.
  Dim dim;             // physical dimension of the value
  bool isBool = false; // result of a comparison or logical operator
  std::optional<double> constValue; // SI value if known at compile time
  NameKind nameKind = NameKind::Unresolved;

  Expr(Kind kind, Loc loc) : kind(kind), loc(loc) {}
};

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

/// `parameter`, `state` and `const` declarations.
struct VarDecl {
  std::string name;
  Loc loc;
  ExprPtr unit;  // optional declared unit
  ExprPtr value; // default / initial value
  Dim dim;       // filled by Sema
  /// A parameter some population or program sets per neuron: it is stored
  /// per neuron like a state instead of folded into the code (Sema).
  bool perNeuron = false;
};

/// `target op value;` inside a block (reset, on pre).
struct Assign {
  enum class Op { Set, Add, Sub, Mul, Div };
  std::string target;
  Loc loc;
  Op op = Op::Set;
  ExprPtr value;
  /// `if cond { then } else { otherwise }` when set (then target, op and
  /// value are unused). Compiled without branches: each write becomes a
  /// select on the condition.
  ExprPtr cond;
  std::vector<Assign> then, otherwise;
  /// Sema: `target` is an input port of the target neuron (a synapse or
  /// input delivers `value`, negated for `-=`, to its handler).
  bool toPort = false;
};

struct Ode {
  std::string state;
  Loc loc;
  ExprPtr rhs;
};

/// `compartment soma { ... }` inside a neuron: Sema flattens its members
/// into the neuron as `soma.x`.
struct Compartment {
  std::string name;
  Loc loc;
  std::vector<VarDecl> params;
  std::vector<VarDecl> states;
  std::vector<VarDecl> aliases;
  std::vector<Ode> odes;
};

/// `couple a, b conductance g;`: adds g (v_b - v_a) / C_a to a's v' and
/// the mirror term to b's.
struct Coupling {
  std::string a, b;
  Loc aLoc, bLoc, loc;
  ExprPtr conductance;
};

/// `port NAME [: UNIT] [excitatory | inhibitory];` and its handler
/// `on NAME { ... }`, which runs once for every value a synapse delivers.
struct Port {
  enum class Sign { Any, Excitatory, Inhibitory };
  std::string name;
  Loc loc;
  ExprPtr unit;
  Sign sign = Sign::Any;
  Loc signLoc;
  Dim dim;                                     // Sema
  const struct PortHandler *handler = nullptr; // Sema
};

struct PortHandler {
  std::string port;
  Loc loc; // the port's name after `on`
  std::vector<Assign> body;
};

struct Neuron {
  std::string name;
  Loc loc;
  std::vector<Compartment> compartments;
  std::vector<Coupling> couplings;
  std::vector<VarDecl> params;
  std::vector<VarDecl> states;
  /// `alias NAME [: UNIT] = EXPR;`: Sema replaces every use of NAME in the
  /// model's equations, spike condition, reset and refractory period by
  /// EXPR, so later stages never see an alias.
  std::vector<VarDecl> aliases;
  std::vector<Ode> odes;
  ExprPtr threshold;
  Loc thresholdLoc;
  std::vector<Assign> reset;
  /// `on spike { ... }`: runs after the `spike when` block (its writes are
  /// not clamped by default).
  std::vector<Assign> onSpike;
  Loc onSpikeLoc;
  std::vector<Port> ports;
  std::vector<PortHandler> portHandlers;
  ExprPtr refractory;
  Loc refractoryLoc;
  /// `refractory while COND`: `refractory` is the condition, not a period.
  bool refractoryWhile = false;
  std::vector<std::pair<std::string, Loc>> clamped; // explicit clamp list
  bool hasClampList = false;
  std::string solver; // empty: automatic
  Loc solverLoc;
  /// The dynamics of a network's `modulator` (no spikes, no compartments).
  bool isModulator = false;
};

/// A synapse model (`synapse Name { ... }`), or the body of a `connect`,
/// which may add members to the projection's model and give per-synapse
/// values.
struct SynapseModel {
  std::string name; // empty for a connect body
  Loc loc;
  std::vector<VarDecl> params;
  std::vector<VarDecl> states;
  std::vector<VarDecl> aliases; // substituted by Sema, as in Neuron
  std::vector<Ode> odes;
  std::vector<Assign> onPre, onPost;
  Loc onPreLoc, onPostLoc; // line 0: no handler
  /// `name = value;`: per-synapse initial values or parameter values.
  std::vector<Assign> values;
  /// Solver of the clock-driven equations (empty: automatic).
  std::string solver;
  Loc solverLoc;
  /// `precision f32;`: the synapses' states (and per-synapse delays) are
  /// stored as 32-bit floats (computed in f64). Empty: f64.
  std::string precision;
  Loc precisionLoc;
  /// `rewire every T when COND { ... }` (structural plasticity): line 0 of
  /// rewireLoc means none.
  ExprPtr rewireEvery, rewireWhen;
  std::vector<Assign> rewireBlock;
  Loc rewireLoc;
};

struct Population {
  std::string name;
  Loc loc;
  std::string model;
  Loc modelLoc;
  ExprPtr size;
  /// `{ name = value; ... }`: per-neuron parameter and initial values.
  std::vector<Assign> overrides;
  /// `population p = M[n] solver euler;`: overrides the model's solver.
  std::string solver;
  Loc solverLoc;
  /// `population p = M[n] every 10 ms;`: updated only every T (its own
  /// clock, a whole number of the network's steps; Sema sets updateEvery).
  ExprPtr every;
  long long updateEvery = 1;
  const Neuron *neuron = nullptr; // resolved by Sema
  long long resolvedSize = 0;
  /// `population p = spike_times("file.csv")[n];`: spikes read from a file
  /// (the model name is then the source kind).
  bool isSpikeSource = false;
  std::string spikeFile; // as written, relative to the declaring file
  Loc spikeFileLoc;
  /// Sema: the file's spikes as (step, neuron), sorted.
  std::vector<std::pair<long long, int>> spikeEvents;
  /// `modulator name { ... }`: a population of one of the model `name`,
  /// updated after every other population in each step.
  bool isModulator = false;
};

struct Projection {
  enum class Rule {
    AllToAll,
    OneToOne,
    Probability,
    InDegree,
    OutDegree,
    FromFile
  };
  std::string name; // `connect name = a -> b ...`; empty: a_to_b
  Loc nameLoc;
  std::vector<std::pair<std::string, Loc>> pre, post;
  /// `p[a:b]`: neurons a .. b-1 of an endpoint (parallel to pre / post;
  /// null `first`: the whole population). Sema resolves the bounds.
  struct Slice {
    ExprPtr first, last;
    Loc loc;
    long long lo = 0, hi = -1;
    bool whole() const { return !first; }
  };
  std::vector<Slice> preSlices, postSlices;
  Loc loc;
  Rule rule = Rule::AllToAll;
  Loc ruleLoc;
  ExprPtr ruleParam; // the probability, or the in- or out-degree
  /// `from_csv("FILE")`: the file as written, and (Sema) its (pre, post)
  /// pairs sorted by pre, then post.
  std::string connectionFile;
  Loc connectionFileLoc;
  bool connectionFileIsNpy = false; // `from_npy("FILE")`
  /// `dense("FILE", "w:UNIT")`: a (pre size, post size) weight matrix; a
  /// synapse for every nonzero entry.
  bool connectionFileIsDense = false;
  /// `conv2d("FILE", "w:UNIT", H, W)`: a (K, C, kh, kw) kernel applied at
  /// every position of a C x H x W input (stride 1, no padding); Sema
  /// resolves H and W into convH, convW.
  ExprPtr convHeight, convWidth;
  long long convH = 0, convW = 0;
  /// `pool2d(K, H, W)`: every K x K window of each channel of a C x H x W
  /// input onto one output neuron (no file; values from the body).
  ExprPtr poolSize;
  long long poolK = 0;
  /// `stride = S`, `padding = P` of conv2d / pool2d, as written; Sema
  /// resolves them (stride: 1 for conv2d, K for pool2d; padding: 0).
  struct LayerOption {
    std::string name;
    Loc loc;
    ExprPtr value;
  };
  std::vector<LayerOption> layerOptions;
  long long layerStride = 1, layerPadding = 0;
  std::vector<std::pair<int, int>> connectionPairs;
  /// Per-synapse values from the connection file: the columns after `pre`
  /// and `post`, named `NAME` or `NAME:UNIT` (in the CSV header, or in
  /// `from_npy("FILE", "w:nS", ...)`), each a synapse state or `delay`.
  struct Column {
    std::string name, unit;
    Loc loc;          // the header field, or the string in the source
    double scale = 1; // Sema: the unit in SI, and its dimension
    Dim dim;
    std::vector<double> values; // Sema: in SI, in connectionPairs' order
  };
  std::vector<Column> connectionColumns;
  ExprPtr delay;
  /// `delay D up_to MAX`: the delays may change (handlers write `delay`),
  /// up to MAX.
  ExprPtr delayMax;
  /// `synapse Model` (empty: none), and the members of the `{ ... }` body.
  std::string model;
  Loc modelLoc;
  SynapseModel body;
  const SynapseModel *resolvedModel = nullptr; // Sema
  /// Sema: the model or body holding the `rewire` rule (null: none).
  const SynapseModel *rewire = nullptr;
  /// The delay differs between synapses (uses a random distribution).
  bool perSynapseDelay = false; // Sema
};

/// `connect bg = poisson(8 Hz, 1600) -> p { on pre { I_syn += w; } }`:
/// every neuron of `p` independently receives, each step, k ~ Poisson(count
/// * rate * dt) events, each applying the (additive) `on pre` handler. The
/// rate may change over time: `poisson(drive(t), 1600)`.
struct Input {
  std::string name; // empty: <kind>_to_<target>
  Loc loc;
  std::string kind; // "poisson"
  Loc kindLoc;
  std::vector<ExprPtr> args;
  std::string target;
  Loc targetLoc;
  SynapseModel body;          // only `on pre` is allowed
  double rate = 0, count = 0; // Sema
  /// Sema: the rate changes over time (it reads `t`, a table or a
  /// modulator); `args[0]` is then evaluated in every step.
  bool rateVaries = false;
};

struct ProgramStmt {
  enum class Kind { Simulate, Assign, If, While, For, Gate, Phase };
  Kind kind = Kind::Simulate;
  Loc loc;
  ExprPtr duration; // Simulate
  ExprPtr until;    // Simulate: `until COND` (optional)
  // Assign: `population.variable = value;`
  std::string population, variable;
  Loc variableLoc;
  ExprPtr value;
  ExprPtr cond;                            // If, While
  std::vector<ProgramStmt> body, elseBody; // If, While, For
  // For: `for var in range(from, to)`
  std::string loopVar;
  Loc loopVarLoc;
  ExprPtr range;
  // Gate: `freeze S;`, `thaw S;`, `enable x;`, `disable x;`
  std::string gate;
  // Phase: `phase NAME { ... }` (the statements are in `body`).
  std::string phase;
  std::vector<std::pair<std::string, Loc>> targets;
};

/// `cover S with astro by floor(target / 4) { Y_S = sum(Y_S); }`: the
/// astrocyte population `astro` covers the synapses of projection `S`,
/// each synapse by every astrocyte (`all`) or by the one `domain` gives
/// (an expression of the synapse's `source` and `target` indices; none if
/// it is out of range). At the start of every step each statement
/// `x = sum(expr);` / `x = mean(expr);` sets the astrocyte state x to the
/// sum / mean of expr over the synapses the astrocyte covers, and each
/// `y = expr;` sets the synapse state y of every covered synapse to expr
/// evaluated on its covering astrocyte (summed over all of them for
/// `all`; 0 for a synapse no astrocyte covers).
struct Cover {
  std::string projection, astrocytes;
  Loc projectionLoc, astrocytesLoc, loc;
  bool all = false;
  ExprPtr domain;
  std::vector<Assign> body;
  std::string name; // Sema: `<projection>_to_<astrocytes>`
  /// Sema, per statement: `y = EXPR;` sets a synapse state from the
  /// covering neuron (gliotransmission) rather than `x = sum(...)`.
  std::vector<bool> intoSynapses;
};

/// `record v, w of p[0:10] every 1 ms;`
struct StateRecord {
  struct Selection {
    std::string population;
    Loc loc;
    ExprPtr first, last; // optional neuron range [first, last)
    bool single = false; // `p[k]`
    long long resolvedFirst = 0, resolvedLast = -1; // Sema; -1: size
  };
  std::vector<std::pair<std::string, Loc>> variables;
  std::vector<Selection> selections;
  Loc loc;
  ExprPtr every;
  bool atEnd = false;       // `at end`: once, after the program
  long long everySteps = 1; // Sema; 0 for `at end`
};

/// `table NAME = [v, ...] every T;` or `table NAME = load("F.npy") every T;`
struct Table {
  std::string name;
  Loc loc, nameLoc;
  std::vector<ExprPtr> values; // inline values
  std::string file;            // or a NumPy file
  Loc fileLoc;
  ExprPtr every;
  // Sema: the values in SI units, row-major (rows x columns), their
  // dimension, and the period.
  long long rows = 0, columns = 1;
  bool twoDimensional = false;
  std::vector<double> data;
  Dim dim;
  double period = 0;
};

struct Network {
  std::string name;
  Loc loc;
  ExprPtr dt;
  Loc dtLoc;
  std::vector<Population> populations;
  std::vector<Projection> projections;
  std::vector<Input> inputs;
  std::vector<Cover> covers;
  std::vector<Table> tables;
  std::vector<std::pair<std::string, Loc>> recorded;
  std::vector<StateRecord> recordedStates;
  std::vector<ProgramStmt> program;
  Loc runLoc;
  bool hasRun = false;
};

struct Import {
  std::string path;
  Loc loc;
};

/// One parsed source file, with the models and constants of the files it
/// imports merged in.
struct File {
  std::string path;
  /// Paths of the main file (index 0) and of the imported files, for Loc.
  std::vector<std::string> sourcePaths;
  std::vector<Import> imports;
  std::vector<VarDecl> constants;
  std::vector<std::unique_ptr<Neuron>> neurons;
  std::vector<std::unique_ptr<SynapseModel>> synapses;
  std::vector<std::unique_ptr<Network>> networks;
};

/// Prints the AST (with Sema's annotations) for `nnc compile --emit=ast`.
std::string dump(const File &file);

} // namespace nnc::ast

#endif // NNC_FRONTEND_AST_H
