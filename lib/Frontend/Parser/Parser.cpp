//===- Parser.cpp - ANTLR4 parse tree to nnc AST --------------------------===//
//
// The only translation unit that sees ANTLR types. It is built with
// exceptions (the ANTLR runtime needs them); nothing ANTLR-specific escapes
// through Frontend.h.
//
//===----------------------------------------------------------------------===//

#include "nnc/Frontend/Frontend.h"

#include "NNLexer.h"
#include "NNParser.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/SourceMgr.h"

#include <cstdlib>

using namespace nnc;
using namespace nnc_antlr;

mlir::Location nnc::makeLoc(mlir::MLIRContext *context, const ast::File &file,
                            ast::Loc loc) {
  return mlir::FileLineColLoc::get(context, file.path, loc.line, loc.col);
}

namespace {

/// Deeper nesting than this is rejected before parsing: ANTLR and the tree
/// walkers recurse, and no sane model nests brackets this deep.
constexpr unsigned kMaxNesting = 256;

ast::Loc locOf(antlr4::Token *token) {
  // ANTLR columns are 0-based, MLIR's (and clang's) 1-based.
  return {static_cast<unsigned>(token->getLine()),
          static_cast<unsigned>(token->getCharPositionInLine()) + 1};
}

ast::Loc locOf(antlr4::ParserRuleContext *ctx) { return locOf(ctx->getStart()); }

/// Routes ANTLR's syntax errors into MLIR's diagnostic engine.
class DiagnosticErrorListener : public antlr4::BaseErrorListener {
public:
  DiagnosticErrorListener(mlir::MLIRContext *context, llvm::StringRef path)
      : context(context), path(path) {}

  void syntaxError(antlr4::Recognizer *, antlr4::Token *offending, size_t line,
                   size_t column, const std::string &msg,
                   std::exception_ptr) override {
    ++numErrors;
    auto loc = mlir::FileLineColLoc::get(context, path, line, column + 1);
    if (offending && offending->getType() == NNLexer::INVALID) {
      mlir::emitError(loc) << "invalid character '" << offending->getText()
                           << "'";
      return;
    }
    mlir::emitError(loc) << rewordMessage(msg);
  }

  unsigned numErrors = 0;

private:
  /// ANTLR's messages mention "<EOF>" and token sets; keep them but make the
  /// end of file readable.
  static std::string rewordMessage(std::string msg) {
    const std::string eof = "'<EOF>'";
    for (size_t pos = msg.find(eof); pos != std::string::npos;
         pos = msg.find(eof))
      msg.replace(pos, eof.size(), "end of file");
    const std::string eofBare = "<EOF>";
    for (size_t pos = msg.find(eofBare); pos != std::string::npos;
         pos = msg.find(eofBare))
      msg.replace(pos, eofBare.size(), "end of file");
    return msg;
  }

  mlir::MLIRContext *context;
  std::string path;
};

/// Builds the AST from a parse tree that had no syntax errors.
class ASTBuilder {
public:
  explicit ASTBuilder(ast::File &file) : file(file) {}

  void build(NNParser::FileContext *ctx) {
    for (auto *item : ctx->item()) {
      if (auto *imp = item->importDecl()) {
        std::string text = imp->STRING()->getText();
        file.imports.push_back({text.substr(1, text.size() - 2),
                                locOf(imp->STRING()->getSymbol())});
      } else if (auto *c = item->constDecl()) {
        file.constants.push_back(varDecl(c->name, c->unit, c->value));
      } else if (auto *n = item->neuronDecl()) {
        file.neurons.push_back(neuron(n));
      } else if (auto *n = item->networkDecl()) {
        file.networks.push_back(network(n));
      }
    }
  }

private:
  ast::VarDecl varDecl(antlr4::Token *name, NNParser::ExprContext *unit,
                       NNParser::ExprContext *value) {
    ast::VarDecl decl;
    decl.name = name->getText();
    decl.loc = locOf(name);
    if (unit)
      decl.unit = expr(unit);
    decl.value = expr(value);
    return decl;
  }

  std::unique_ptr<ast::Neuron> neuron(NNParser::NeuronDeclContext *ctx) {
    auto neuron = std::make_unique<ast::Neuron>();
    neuron->name = ctx->name->getText();
    neuron->loc = locOf(ctx->name);
    for (auto *member : ctx->neuronMember()) {
      if (auto *p = dynamic_cast<NNParser::ParamMemberContext *>(member)) {
        neuron->params.push_back(varDecl(p->name, p->unit, p->value));
      } else if (auto *s =
                     dynamic_cast<NNParser::StateMemberContext *>(member)) {
        neuron->states.push_back(varDecl(s->name, s->unit, s->value));
      } else if (auto *o = dynamic_cast<NNParser::OdeMemberContext *>(member)) {
        neuron->odes.push_back({o->name->getText(), locOf(o->name),
                                expr(o->value)});
      } else if (auto *s =
                     dynamic_cast<NNParser::SpikeMemberContext *>(member)) {
        if (neuron->threshold) {
          duplicates.push_back({"spike condition", locOf(s)});
          continue;
        }
        neuron->threshold = expr(s->cond);
        neuron->thresholdLoc = locOf(s);
        neuron->reset = block(s->block());
      } else if (auto *r =
                     dynamic_cast<NNParser::RefractoryMemberContext *>(member)) {
        if (neuron->refractory) {
          duplicates.push_back({"refractory period", locOf(r)});
          continue;
        }
        neuron->refractory = expr(r->period);
        neuron->refractoryLoc = locOf(r);
        if (r->idList()) {
          neuron->hasClampList = true;
          neuron->clamped = idList(r->idList());
        }
      } else if (auto *s =
                     dynamic_cast<NNParser::SolverMemberContext *>(member)) {
        neuron->solver = s->method->getText();
        neuron->solverLoc = locOf(s->method);
      }
    }
    return neuron;
  }

  std::vector<ast::Assign> block(NNParser::BlockContext *ctx) {
    std::vector<ast::Assign> stmts;
    for (auto *s : ctx->stmt()) {
      ast::Assign assign;
      assign.target = s->target->getText();
      assign.loc = locOf(s->target);
      std::string op = s->op->getText();
      assign.op = op == "+="   ? ast::Assign::Op::Add
                  : op == "-=" ? ast::Assign::Op::Sub
                  : op == "*=" ? ast::Assign::Op::Mul
                  : op == "/=" ? ast::Assign::Op::Div
                               : ast::Assign::Op::Set;
      assign.value = expr(s->value);
      stmts.push_back(std::move(assign));
    }
    return stmts;
  }

  std::vector<std::pair<std::string, ast::Loc>>
  idList(NNParser::IdListContext *ctx) {
    std::vector<std::pair<std::string, ast::Loc>> ids;
    for (auto *id : ctx->ID())
      ids.push_back({id->getText(), locOf(id->getSymbol())});
    return ids;
  }

  std::unique_ptr<ast::Network> network(NNParser::NetworkDeclContext *ctx) {
    auto net = std::make_unique<ast::Network>();
    net->name = ctx->name->getText();
    net->loc = locOf(ctx->name);
    for (auto *member : ctx->networkMember()) {
      if (auto *d = dynamic_cast<NNParser::DtMemberContext *>(member)) {
        if (net->dt) {
          duplicates.push_back({"time step 'dt'", locOf(d)});
          continue;
        }
        net->dt = expr(d->value);
        net->dtLoc = locOf(d);
      } else if (auto *p =
                     dynamic_cast<NNParser::PopulationMemberContext *>(member)) {
        ast::Population pop;
        pop.name = p->name->getText();
        pop.loc = locOf(p->name);
        pop.model = p->model->getText();
        pop.modelLoc = locOf(p->model);
        pop.size = expr(p->size);
        net->populations.push_back(std::move(pop));
      } else if (auto *c =
                     dynamic_cast<NNParser::ConnectMemberContext *>(member)) {
        net->projections.push_back(projection(c));
      } else if (auto *r =
                     dynamic_cast<NNParser::RecordMemberContext *>(member)) {
        for (auto &id : idList(r->idList()))
          net->recorded.push_back(id);
      } else if (auto *r = dynamic_cast<NNParser::RunMemberContext *>(member)) {
        if (net->hasRun) {
          duplicates.push_back({"'run' block", locOf(r)});
          continue;
        }
        net->hasRun = true;
        net->runLoc = locOf(r);
        for (auto *s : r->programStmt()) {
          ast::ProgramStmt stmt;
          stmt.loc = locOf(s);
          stmt.duration = expr(s->duration);
          net->program.push_back(std::move(stmt));
        }
      }
    }
    return net;
  }

  ast::Projection projection(NNParser::ConnectMemberContext *ctx) {
    ast::Projection proj;
    proj.loc = locOf(ctx);
    proj.pre = idList(ctx->pre);
    proj.post = idList(ctx->post);
    auto *rule = ctx->connectRule();
    proj.ruleLoc = locOf(rule);
    if (dynamic_cast<NNParser::OneToOneRuleContext *>(rule)) {
      proj.rule = ast::Projection::Rule::OneToOne;
    } else if (auto *p = dynamic_cast<NNParser::ProbabilityRuleContext *>(rule)) {
      proj.rule = ast::Projection::Rule::Probability;
      proj.probability = expr(p->p);
    }
    if (ctx->delay)
      proj.delay = expr(ctx->delay);
    for (auto *member : ctx->synapseBody()->synapseMember()) {
      if (!proj.onPre.empty() || proj.onPreLoc.line != 0) {
        duplicates.push_back({"'on pre' handler", locOf(member)});
        continue;
      }
      proj.onPreLoc = locOf(member);
      proj.onPre = block(member->block());
    }
    return proj;
  }

  ast::ExprPtr expr(NNParser::ExprContext *ctx) {
    using Kind = ast::Expr::Kind;
    using Op = ast::Expr::Op;
    if (auto *p = dynamic_cast<NNParser::ParenExprContext *>(ctx))
      return expr(p->inner);
    if (auto *n = dynamic_cast<NNParser::NumberExprContext *>(ctx)) {
      auto e = std::make_unique<ast::Expr>(Kind::Number, locOf(ctx));
      e->number = std::strtod(n->NUMBER()->getText().c_str(), nullptr);
      if (n->unit) {
        e->name = n->unit->getText();
        e->unitLoc = locOf(n->unit);
      }
      return e;
    }
    if (auto *n = dynamic_cast<NNParser::NameExprContext *>(ctx)) {
      auto e = std::make_unique<ast::Expr>(Kind::Name, locOf(ctx));
      e->name = n->ID()->getText();
      return e;
    }
    if (auto *c = dynamic_cast<NNParser::CallExprContext *>(ctx)) {
      auto e = std::make_unique<ast::Expr>(Kind::Call, locOf(ctx));
      e->name = c->callee->getText();
      for (auto *arg : c->expr())
        e->operands.push_back(expr(arg));
      return e;
    }
    if (auto *u = dynamic_cast<NNParser::UnaryExprContext *>(ctx)) {
      auto e = std::make_unique<ast::Expr>(Kind::Unary, locOf(u->op));
      std::string op = u->op->getText();
      e->op = op == "-" ? Op::Neg : op == "+" ? Op::Plus : Op::Not;
      e->operands.push_back(expr(u->operand));
      return e;
    }
    if (auto *p = dynamic_cast<NNParser::PowerExprContext *>(ctx)) {
      auto e = std::make_unique<ast::Expr>(Kind::Binary, locOf(p->op));
      e->op = Op::Pow;
      e->operands.push_back(expr(p->lhs));
      e->operands.push_back(expr(p->rhs));
      return e;
    }
    auto *b = static_cast<NNParser::BinaryExprContext *>(ctx);
    auto e = std::make_unique<ast::Expr>(Kind::Binary, locOf(b->op));
    static const std::pair<const char *, Op> ops[] = {
        {"+", Op::Add}, {"-", Op::Sub}, {"*", Op::Mul},   {"/", Op::Div},
        {"<", Op::Lt},  {"<=", Op::Le}, {">", Op::Gt},    {">=", Op::Ge},
        {"==", Op::Eq}, {"!=", Op::Ne}, {"and", Op::And}, {"or", Op::Or}};
    std::string op = b->op->getText();
    for (auto &[text, value] : ops)
      if (op == text)
        e->op = value;
    e->operands.push_back(expr(b->lhs));
    e->operands.push_back(expr(b->rhs));
    return e;
  }

public:
  /// Members given twice (reported by the caller with a location).
  std::vector<std::pair<std::string, ast::Loc>> duplicates;

private:
  ast::File &file;
};

/// Returns the location of the first bracket nested deeper than kMaxNesting.
std::optional<std::pair<unsigned, unsigned>>
findExcessiveNesting(llvm::StringRef text) {
  unsigned depth = 0, line = 1, col = 0;
  for (char c : text) {
    ++col;
    if (c == '\n') {
      ++line;
      col = 0;
    } else if (c == '(' || c == '{' || c == '[') {
      if (++depth > kMaxNesting)
        return std::make_pair(line, col);
    } else if ((c == ')' || c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

} // namespace

std::unique_ptr<ast::File> nnc::parseFile(llvm::SourceMgr &sourceMgr,
                                          unsigned bufferId,
                                          mlir::MLIRContext *context) {
  const llvm::MemoryBuffer *buffer = sourceMgr.getMemoryBuffer(bufferId);
  auto file = std::make_unique<ast::File>();
  file->path = buffer->getBufferIdentifier().str();
  llvm::StringRef text = buffer->getBuffer();

  if (text.find('\0') != llvm::StringRef::npos) {
    size_t offset = text.find('\0');
    auto lineCol = sourceMgr.getLineAndColumn(
        llvm::SMLoc::getFromPointer(text.data() + offset), bufferId);
    mlir::emitError(mlir::FileLineColLoc::get(context, file->path,
                                              lineCol.first, lineCol.second))
        << "file contains a NUL byte; is this a binary file?";
    return nullptr;
  }
  if (auto deep = findExcessiveNesting(text)) {
    mlir::emitError(mlir::FileLineColLoc::get(context, file->path, deep->first,
                                              deep->second))
        << "brackets nested more than " << kMaxNesting << " levels deep";
    return nullptr;
  }

  DiagnosticErrorListener listener(context, file->path);
  ASTBuilder builder(*file);
  try {
    // Invalid UTF-8 makes the input stream throw; ANTLR recovers from syntax
    // errors itself. Anything thrown is still reported, never a crash.
    antlr4::ANTLRInputStream input(text.data(), text.size());
    NNLexer lexer(&input);
    antlr4::CommonTokenStream tokens(&lexer);
    NNParser parser(&tokens);
    lexer.removeErrorListeners();
    lexer.addErrorListener(&listener);
    parser.removeErrorListeners();
    parser.addErrorListener(&listener);
    NNParser::FileContext *tree = parser.file();
    if (listener.numErrors > 0)
      return nullptr;
    builder.build(tree);
  } catch (const std::range_error &) {
    mlir::emitError(mlir::FileLineColLoc::get(context, file->path, 1, 1))
        << "file is not valid UTF-8 text";
    return nullptr;
  } catch (const std::exception &e) {
    mlir::emitError(mlir::FileLineColLoc::get(context, file->path, 1, 1))
        << "internal parser error: " << e.what();
    return nullptr;
  }
  for (auto &[what, loc] : builder.duplicates)
    mlir::emitError(makeLoc(context, *file, loc))
        << "duplicate " << what << "; only one is allowed here";
  if (!builder.duplicates.empty())
    return nullptr;
  return file;
}
