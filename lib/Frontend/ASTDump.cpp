//===- ASTDump.cpp - Textual dump of the AST for --emit=ast ---------------===//

#include "nnc/Frontend/AST.h"

#include "llvm/ADT/StringRef.h"

#include <sstream>

using namespace nnc;
using namespace nnc::ast;

namespace {

class Dumper {
public:
  std::string run(const File &file) {
    os << "File '" << file.path << "'\n";
    for (auto &imp : file.imports)
      line(1, imp.loc) << "Import \"" << imp.path << "\"\n";
    for (auto &c : file.constants)
      var(1, "Const", c);
    for (auto &n : file.neurons)
      neuron(*n);
    for (auto &m : file.synapses) {
      line(1, m->loc) << "Synapse " << m->name << "\n";
      synapseMembers(2, *m);
    }
    for (auto &n : file.networks)
      network(*n);
    return os.str();
  }

private:
  std::ostream &line(unsigned depth, Loc loc) {
    for (unsigned i = 0; i < depth; ++i)
      os << "  ";
    os << "<" << loc.line << ":" << loc.col << "> ";
    return os;
  }

  void var(unsigned depth, const char *what, const VarDecl &v) {
    line(depth, v.loc) << what << " " << v.name << " : " << v.dim.str() << " = "
                       << expr(*v.value) << "\n";
  }

  static const char *opText(Expr::Op op) {
    switch (op) {
    case Expr::Op::Add:
      return "+";
    case Expr::Op::Sub:
      return "-";
    case Expr::Op::Mul:
      return "*";
    case Expr::Op::Div:
      return "/";
    case Expr::Op::Pow:
      return "^";
    case Expr::Op::Neg:
      return "-";
    case Expr::Op::Plus:
      return "+";
    case Expr::Op::Lt:
      return "<";
    case Expr::Op::Le:
      return "<=";
    case Expr::Op::Gt:
      return ">";
    case Expr::Op::Ge:
      return ">=";
    case Expr::Op::Eq:
      return "==";
    case Expr::Op::Ne:
      return "!=";
    case Expr::Op::And:
      return "and";
    case Expr::Op::Or:
      return "or";
    case Expr::Op::Not:
      return "not";
    case Expr::Op::None:
      return "?";
    }
    return "?";
  }

  /// Expressions print fully parenthesised, with the folded SI value of
  /// constants in brackets.
  std::string expr(const Expr &e) {
    std::ostringstream s;
    switch (e.kind) {
    case Expr::Kind::Number:
      s << e.number << (e.name.empty() ? "" : " ") << e.name;
      break;
    case Expr::Kind::Name:
      s << e.name;
      break;
    case Expr::Kind::Unary:
      s << "(" << opText(e.op) << " " << expr(*e.operands[0]) << ")";
      break;
    case Expr::Kind::Binary:
      s << "(" << expr(*e.operands[0]) << " " << opText(e.op) << " "
        << expr(*e.operands[1]) << ")";
      break;
    case Expr::Kind::Call:
      if (e.regionRead) {
        auto [name, state] = llvm::StringRef(e.name).split('.');
        s << name.str() << "[" << expr(*e.operands[0]) << "]"
          << (state.empty() ? "" : "." + state.str());
        break;
      }
      s << e.name << "(";
      for (size_t i = 0; i < e.operands.size(); ++i)
        s << (i ? ", " : "") << expr(*e.operands[i]);
      s << ")";
      break;
    }
    if (e.constValue && e.kind != Expr::Kind::Number)
      s << " [= " << *e.constValue << "]";
    else if (e.constValue && !e.name.empty())
      s << " [= " << *e.constValue << "]";
    return s.str();
  }

  void block(unsigned depth, const std::vector<Assign> &stmts) {
    static const char *ops[] = {"=", "+=", "-=", "*=", "/="};
    for (auto &a : stmts) {
      if (a.cond) {
        line(depth, a.loc) << "If " << expr(*a.cond) << "\n";
        block(depth + 1, a.then);
        if (!a.otherwise.empty()) {
          line(depth, a.loc) << "Else\n";
          block(depth + 1, a.otherwise);
        }
        continue;
      }
      line(depth, a.loc) << a.target << " " << ops[static_cast<int>(a.op)]
                         << " " << expr(*a.value) << "\n";
    }
  }

  void neuron(const Neuron &n) {
    line(1, n.loc) << "Neuron " << n.name
                   << (n.solver.empty() ? "" : " solver=" + n.solver) << "\n";
    for (auto &p : n.params)
      var(2, "Parameter", p);
    for (auto &s : n.states)
      var(2, "State", s);
    for (auto &a : n.aliases)
      var(2, "Alias", a);
    for (auto &o : n.odes)
      line(2, o.loc) << "ODE " << o.state << "' = " << expr(*o.rhs) << "\n";
    if (n.threshold) {
      line(2, n.thresholdLoc) << "Spike when " << expr(*n.threshold) << "\n";
      block(3, n.reset);
    }
    if (n.onSpikeLoc.line) {
      line(2, n.onSpikeLoc) << "OnSpike\n";
      block(3, n.onSpike);
    }
    for (auto &port : n.ports) {
      line(2, port.loc) << "Port " << port.name << " : " << port.dim.str()
                        << (port.sign == Port::Sign::Excitatory ? " excitatory"
                            : port.sign == Port::Sign::Inhibitory
                                ? " inhibitory"
                                : "")
                        << "\n";
    }
    for (auto &handler : n.portHandlers) {
      line(2, handler.loc) << "OnInput " << handler.port << "\n";
      block(3, handler.body);
    }
    if (n.refractory)
      line(2, n.refractoryLoc)
          << "Refractory " << (n.refractoryWhile ? "while " : "")
          << expr(*n.refractory) << "\n";
  }

  /// A synapse model's members, or those of a `connect` body.
  void synapseMembers(unsigned depth, const SynapseModel &m) {
    for (auto &p : m.params)
      var(depth, "Parameter", p);
    for (auto &s : m.states)
      var(depth, "State", s);
    for (auto &a : m.aliases)
      var(depth, "Alias", a);
    for (auto &o : m.odes)
      line(depth, o.loc) << "ODE " << o.state << "' = " << expr(*o.rhs) << "\n";
    if (m.onPreLoc.line) {
      line(depth, m.onPreLoc) << "On pre\n";
      block(depth + 1, m.onPre);
    }
    if (m.onPostLoc.line) {
      line(depth, m.onPostLoc) << "On post\n";
      block(depth + 1, m.onPost);
    }
    if (!m.values.empty()) {
      line(depth, m.values.front().loc) << "Values\n";
      block(depth + 1, m.values);
    }
    if (m.rewireLoc.line) {
      line(depth, m.rewireLoc) << "Rewire every " << expr(*m.rewireEvery)
                               << " when " << expr(*m.rewireWhen) << "\n";
      block(depth + 1, m.rewireBlock);
    }
  }

  void network(const Network &n) {
    line(1, n.loc) << "Network " << n.name << "\n";
    if (n.dt)
      line(2, n.dtLoc) << "dt = " << expr(*n.dt) << "\n";
    for (auto &p : n.populations) {
      line(2, p.loc) << "Population " << p.name << " = " << p.model << "["
                     << expr(*p.size) << "]\n";
      block(3, p.overrides);
    }
    static const char *rules[] = {"all_to_all",      "one_to_one",
                                  "probability",     "fixed_indegree",
                                  "fixed_outdegree", "from_file"};
    for (auto &p : n.projections) {
      auto &l = line(2, p.loc) << "Connect";
      if (!p.name.empty())
        l << " " << p.name << " =";
      for (auto &pre : p.pre)
        l << " " << pre.first;
      l << " ->";
      for (auto &post : p.post)
        l << " " << post.first;
      l << " " << rules[static_cast<int>(p.rule)];
      if (p.ruleParam)
        l << " " << expr(*p.ruleParam);
      if (p.delay)
        l << " delay " << expr(*p.delay);
      if (!p.model.empty())
        l << " synapse " << p.model;
      l << "\n";
      synapseMembers(3, p.body);
    }
    for (auto &r : n.recorded)
      line(2, r.second) << "Record spikes of " << r.first << "\n";
    for (auto &r : n.recordedStates) {
      auto &l = line(2, r.loc) << "Record";
      for (auto &v : r.variables)
        l << " " << v.first;
      l << " of";
      for (auto &s : r.selections) {
        l << " " << s.population;
        if (s.first)
          l << "[" << expr(*s.first)
            << (s.last ? ":" + expr(*s.last) : std::string()) << "]";
      }
      if (r.every)
        l << " every " << expr(*r.every);
      if (r.atEnd)
        l << " at end";
      l << "\n";
    }
    program(2, n.program);
  }

  void program(unsigned depth, const std::vector<ProgramStmt> &stmts) {
    for (auto &s : stmts) {
      switch (s.kind) {
      case ProgramStmt::Kind::Simulate: {
        auto &l = line(depth, s.loc) << "Simulate " << expr(*s.duration);
        if (s.until)
          l << " until " << expr(*s.until);
        l << "\n";
        break;
      }
      case ProgramStmt::Kind::Assign:
        line(depth, s.loc) << "Set " << s.population << "." << s.variable
                           << " = " << expr(*s.value) << "\n";
        break;
      case ProgramStmt::Kind::If:
        line(depth, s.loc) << "If " << expr(*s.cond) << "\n";
        program(depth + 1, s.body);
        if (!s.elseBody.empty()) {
          line(depth, s.loc) << "Else\n";
          program(depth + 1, s.elseBody);
        }
        break;
      case ProgramStmt::Kind::While:
        line(depth, s.loc) << "While " << expr(*s.cond) << "\n";
        program(depth + 1, s.body);
        break;
      case ProgramStmt::Kind::For:
        line(depth, s.loc) << "For " << s.loopVar << " in " << expr(*s.range)
                           << "\n";
        program(depth + 1, s.body);
        break;
      case ProgramStmt::Kind::Phase:
        line(depth, s.loc) << "Phase " << s.phase << "\n";
        program(depth + 1, s.body);
        break;
      case ProgramStmt::Kind::Gate: {
        auto &l = line(depth, s.loc) << "Gate " << s.gate;
        for (auto &t : s.targets)
          l << " " << t.first;
        l << "\n";
        break;
      }
      }
    }
  }

  std::ostringstream os;
};

} // namespace

std::string nnc::ast::dump(const File &file) { return Dumper().run(file); }
