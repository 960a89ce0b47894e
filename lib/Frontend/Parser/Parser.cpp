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
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/SourceMgr.h"

#include <cstdlib>

using namespace nnc;
using namespace nnc_antlr;

mlir::Location nnc::makeLoc(mlir::MLIRContext *context, const ast::File &file,
                            ast::Loc loc) {
  const std::string &path = loc.file < file.sourcePaths.size()
                                ? file.sourcePaths[loc.file]
                                : file.path;
  return mlir::FileLineColLoc::get(context, path, loc.line, loc.col);
}

namespace {

/// Deeper nesting than this is rejected before parsing: ANTLR and the tree
/// walkers recurse, and no sane model nests brackets this deep.
constexpr unsigned kMaxNesting = 256;

/// Expressions nested deeper than this are rejected, long before the
/// recursive parser and tree walkers could overflow the stack. Operator
/// chains nest without brackets: `- - - 1` and `2 ^ 2 ^ 2` make the parser
/// recurse (DepthGuard stops it), `1 + 1 + ... + 1` is parsed in a loop but
/// still builds a deep tree (ASTBuilder::expr stops there).
constexpr unsigned kMaxParseDepth = 1000;

/// Maps ANTLR's positions (code point indices into the decoded input) to
/// 1-based lines and byte columns, as LLVM's SourceMgr counts them, so carets
/// stay right on lines with non-ASCII characters.
class SourcePositions {
public:
  SourcePositions(const llvm::SourceMgr &sourceMgr, unsigned bufferId,
                  unsigned fileIndex, size_t base, llvm::StringRef text)
      : fileIndex(fileIndex), sourceMgr(sourceMgr), bufferId(bufferId),
        bufferStart(sourceMgr.getMemoryBuffer(bufferId)->getBuffer().data()) {
    offsets.reserve(text.size() + 1);
    for (size_t i = 0; i < text.size(); ++i)
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
        offsets.push_back(base + i);
    offsets.push_back(base + text.size());
  }

  /// The location of byte `offset` of the buffer.
  ast::Loc atByte(size_t offset) const {
    auto [line, col] = sourceMgr.getLineAndColumn(
        llvm::SMLoc::getFromPointer(bufferStart + offset), bufferId);
    return {line, col, fileIndex};
  }

  /// The location of code point `index` of the decoded input.
  ast::Loc atCodePoint(size_t index) const {
    return atByte(offsets[std::min(index, offsets.size() - 1)]);
  }

  ast::Loc start(antlr4::Token *token) const {
    if (token->getStartIndex() == INVALID_INDEX) // conjured by recovery
      return {static_cast<unsigned>(token->getLine()),
              static_cast<unsigned>(token->getCharPositionInLine()) + 1,
              fileIndex};
    return atCodePoint(token->getStartIndex());
  }

  /// Just past the last character of `token`.
  ast::Loc end(antlr4::Token *token) const {
    if (token->getStopIndex() == INVALID_INDEX)
      return start(token);
    return atCodePoint(token->getStopIndex() + 1);
  }

private:
public:
  const unsigned fileIndex;

private:
  const llvm::SourceMgr &sourceMgr;
  unsigned bufferId;
  const char *bufferStart;
  std::vector<size_t> offsets; // byte offset of each code point, and the end
};

/// Emits syntax errors and counts them.
class SyntaxErrors {
public:
  SyntaxErrors(mlir::MLIRContext *context, const ast::File &file)
      : context(context), file(file) {}

  mlir::InFlightDiagnostic report(ast::Loc loc) {
    ++count;
    return mlir::emitError(makeLoc(context, file, loc));
  }
  mlir::Location location(ast::Loc loc) const {
    return makeLoc(context, file, loc);
  }

  unsigned count = 0;

private:
  mlir::MLIRContext *context;
  const ast::File &file;
};

/// Quotes token text for a message; control characters are escaped so they
/// never reach the terminal raw.
std::string quote(llvm::StringRef text) {
  std::string out = "'";
  for (unsigned char c : text) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (c < 0x20 || c == 0x7f)
      out += llvm::formatv("\\x{0:x-2}", static_cast<unsigned>(c)).str();
    else
      out += static_cast<char>(c);
  }
  return out + "'";
}

/// Whether `token` is a keyword: a literal token spelled like a name.
bool isKeyword(antlr4::Token *token,
               const antlr4::dfa::Vocabulary &vocabulary) {
  if (!token || token->getType() == NNLexer::ID ||
      token->getType() == antlr4::Token::EOF)
    return false;
  std::string text = token->getText();
  if (text.empty() ||
      !(std::isalpha(static_cast<unsigned char>(text[0])) || text[0] == '_'))
    return false;
  return vocabulary.getLiteralName(token->getType()) == "'" + text + "'";
}

/// The error for keyword `token` used where a name belongs.
std::string keywordAsName(antlr4::Token *token, antlr4::TokenStream *tokens) {
  size_t index = token->getTokenIndex();
  if (token->getText() == "spike" && index > 0 && index != INVALID_INDEX &&
      tokens->get(index - 1)->getText() == "on")
    return "'on spike' belongs in a neuron model; a synapse handles 'on pre' "
           "and 'on post'";
  return quote(token->getText()) +
         " is a keyword and cannot be used as a name; choose another name";
}

/// Replaces ANTLR's messages ("extraneous input '<EOF>' expecting {...}")
/// with clang-style ones ("unexpected end of file; expected '}'"), puts
/// "expected ';'" right after the token it should follow, and points at the
/// opening bracket that a missing closing one would match.
class ErrorStrategy : public antlr4::DefaultErrorStrategy {
public:
  ErrorStrategy(SyntaxErrors &errors, const SourcePositions &positions)
      : errors(errors), positions(positions) {}

protected:
  // A keyword where only a name fits (`state on = 0;`, `{ spikes += 1; }`)
  // is reported once and parsed as the name, so the rest of the block
  // parses normally. Not where a ';' could also come (`x = 0 spike when`
  // misses the ';': `spike` is no unit).
  void sync(antlr4::Parser *parser) override {
    takeKeywordAsName(parser);
    DefaultErrorStrategy::sync(parser);
  }

  antlr4::Token *recoverInline(antlr4::Parser *parser) override {
    if (!takeKeywordAsName(parser))
      return DefaultErrorStrategy::recoverInline(parser);
    antlr4::Token *token = parser->getCurrentToken();
    parser->consume();
    return token;
  }

  void
  reportNoViableAlternative(antlr4::Parser *parser,
                            const antlr4::NoViableAltException &e) override {
    reportUnexpected(parser, e.getOffendingToken(), e.getExpectedTokens());
  }

  void reportInputMismatch(antlr4::Parser *parser,
                           const antlr4::InputMismatchException &e) override {
    reportUnexpected(parser, e.getOffendingToken(), e.getExpectedTokens());
  }

  void
  reportFailedPredicate(antlr4::Parser *parser,
                        const antlr4::FailedPredicateException &e) override {
    reportUnexpected(parser, e.getOffendingToken(), e.getExpectedTokens());
  }

  void reportUnwantedToken(antlr4::Parser *parser) override {
    if (inErrorRecoveryMode(parser))
      return;
    beginErrorCondition(parser);
    reportUnexpected(parser, parser->getCurrentToken(),
                     getExpectedTokens(parser));
  }

  void reportMissingToken(antlr4::Parser *parser) override {
    if (inErrorRecoveryMode(parser))
      return;
    beginErrorCondition(parser);
    antlr4::Token *current = parser->getCurrentToken();
    antlr4::misc::IntervalSet expected = getExpectedTokens(parser);
    antlr4::Token *previous = previousToken(parser, current);
    if (!previous) {
      report(parser, current, errors.report(positions.start(current)),
             "expected " + describe(expected, parser) + " before " +
                 describe(current),
             expected);
      return;
    }
    report(parser, current, errors.report(positions.end(previous)),
           "expected " + describe(expected, parser) + " after " +
               describe(previous),
           expected);
  }

private:
  /// The token type of ';' (ANTLR numbers literals in grammar order).
  size_t semicolonType(antlr4::Parser *parser) {
    if (!semicolon) {
      const antlr4::dfa::Vocabulary &vocabulary = parser->getVocabulary();
      for (size_t type = 1; type <= vocabulary.getMaxTokenType(); ++type)
        if (vocabulary.getLiteralName(type) == "';'")
          semicolon = type;
    }
    return semicolon;
  }

  bool takeKeywordAsName(antlr4::Parser *parser) {
    auto *token =
        dynamic_cast<antlr4::CommonToken *>(parser->getCurrentToken());
    if (!token || !isKeyword(token, parser->getVocabulary()))
      return false;
    antlr4::misc::IntervalSet expected = getExpectedTokens(parser);
    if (expected.contains(token->getType()) ||
        !expected.contains(static_cast<size_t>(NNLexer::ID)) ||
        expected.contains(semicolonType(parser)))
      return false;
    errors.report(positions.start(token))
        << keywordAsName(token, parser->getTokenStream());
    token->setType(NNLexer::ID);
    return true;
  }

  void reportUnexpected(antlr4::Parser *parser, antlr4::Token *token,
                        const antlr4::misc::IntervalSet &expected) {
    auto diag = errors.report(positions.start(token));
    if (token->getType() == NNLexer::INVALID) {
      // Name the code point: a no-break space or a zero-width space looks
      // like nothing at all.
      std::string text = token->getText();
      diag << "invalid character " << quote(text);
      const auto *begin = reinterpret_cast<const llvm::UTF8 *>(text.data());
      llvm::UTF32 codePoint = 0, *out = &codePoint;
      if (static_cast<unsigned char>(text[0]) >= 0x80 &&
          llvm::ConvertUTF8toUTF32(&begin, begin + text.size(), &out, out + 1,
                                   llvm::strictConversion) ==
              llvm::conversionOK)
        diag << llvm::formatv(" (U+{0:X-4})", codePoint).str();
      return;
    }
    if (expected.contains(static_cast<size_t>(NNLexer::ID)) &&
        isKeyword(token, parser->getVocabulary())) {
      report(parser, token, std::move(diag),
             keywordAsName(token, parser->getTokenStream()), expected);
      return;
    }
    std::string message = "unexpected " + describe(token);
    if (!expected.isEmpty())
      message += "; expected " + describe(expected, parser);
    report(parser, token, std::move(diag), message, expected);
  }

  /// Adds the message and, if a closing bracket is expected, a note at the
  /// opening bracket it would close.
  void report(antlr4::Parser *parser, antlr4::Token *at,
              mlir::InFlightDiagnostic diag, const std::string &message,
              const antlr4::misc::IntervalSet &expected) {
    diag << message;
    antlr4::Token *open = unclosedBracket(parser, at);
    if (!open)
      return;
    std::string closing = open->getText() == "("   ? "')'"
                          : open->getText() == "[" ? "']'"
                                                   : "'}'";
    for (ssize_t type : expected.toList())
      if (type > 0 && parser->getVocabulary().getLiteralName(type) == closing) {
        diag.attachNote(errors.location(positions.start(open)))
            << "to match this " << quote(open->getText());
        return;
      }
  }

  /// The innermost bracket still open before `at`. Errors come in token
  /// order, so the scan goes on from where the last one stopped: a file
  /// with thousands of errors stays linear.
  antlr4::Token *unclosedBracket(antlr4::Parser *parser, antlr4::Token *at) {
    if (bracketKinds.empty()) {
      const antlr4::dfa::Vocabulary &vocabulary = parser->getVocabulary();
      bracketKinds.resize(vocabulary.getMaxTokenType() + 1, 0);
      for (size_t type = 1; type < bracketKinds.size(); ++type) {
        std::string name = vocabulary.getLiteralName(type);
        if (name == "'('" || name == "'['" || name == "'{'")
          bracketKinds[type] = 1;
        else if (name == "')'" || name == "']'" || name == "'}'")
          bracketKinds[type] = -1;
      }
    }
    auto *stream = parser->getTokenStream();
    size_t end = std::min(at->getTokenIndex(), stream->size());
    if (end < scanned) {
      scanned = 0;
      openBrackets.clear();
    }
    for (; scanned < end; ++scanned) {
      antlr4::Token *token = stream->get(scanned);
      size_t type = token->getType();
      int kind = type < bracketKinds.size() ? bracketKinds[type] : 0;
      if (kind > 0)
        openBrackets.push_back(token);
      else if (kind < 0 && !openBrackets.empty())
        openBrackets.pop_back();
    }
    return openBrackets.empty() ? nullptr : openBrackets.back();
  }

  static antlr4::Token *previousToken(antlr4::Parser *parser,
                                      antlr4::Token *token) {
    size_t index = token->getTokenIndex();
    if (index == INVALID_INDEX || index == 0)
      return nullptr;
    return parser->getTokenStream()->get(index - 1);
  }

  static std::string describe(antlr4::Token *token) {
    if (token->getType() == antlr4::Token::EOF)
      return "end of file";
    if (token->getType() == NNLexer::PRIME)
      return "\"'\"";
    return quote(token->getText());
  }

  static std::string describe(size_t type, antlr4::Parser *parser) {
    switch (type) {
    case antlr4::Token::EOF:
      return "end of file";
    case NNLexer::ID:
      return "a name";
    case NNLexer::NUMBER:
      return "a number";
    case NNLexer::STRING:
      return "a string";
    case NNLexer::PRIME:
      return "\"'\"";
    default:
      return parser->getVocabulary().getDisplayName(type);
    }
  }

  /// "';'", "')' or ','", "one of 'a', 'b' or a name".
  static std::string describe(const antlr4::misc::IntervalSet &set,
                              antlr4::Parser *parser) {
    std::vector<std::string> items;
    for (ssize_t type : set.toList()) {
      std::string item = describe(static_cast<size_t>(type), parser);
      // `dt` and `delay` are keywords only for the grammar; in an
      // expression they are names like any other, so "a name" covers them.
      if ((item == "'dt'" || item == "'delay'") &&
          set.contains(static_cast<size_t>(NNLexer::ID)))
        continue;
      items.push_back(item);
    }
    // Literal tokens first, then "a name", "a number", "end of file".
    std::stable_partition(items.begin(), items.end(), [](const std::string &s) {
      return !s.empty() && (s[0] == '\'' || s[0] == '"');
    });
    if (items.empty())
      return "something else";
    if (items.size() == 1)
      return items[0];
    std::string out = items.size() > 2 ? "one of " : "";
    for (size_t i = 0; i < items.size(); ++i) {
      if (i)
        out += i + 1 == items.size() ? " or " : ", ";
      out += items[i];
    }
    return out;
  }

  SyntaxErrors &errors;
  const SourcePositions &positions;
  std::vector<int> bracketKinds; // by token type: +1 opens, -1 closes
  size_t scanned = 0;            // tokens looked at by unclosedBracket
  std::vector<antlr4::Token *> openBrackets;
  size_t semicolon = 0; // the token type of ';', once looked up
};

/// Reports whatever the error strategy does not (lexer errors cannot
/// happen: the INVALID token matches any other character).
class DiagnosticErrorListener : public antlr4::BaseErrorListener {
public:
  DiagnosticErrorListener(SyntaxErrors &errors,
                          const SourcePositions &positions)
      : errors(errors), positions(positions) {}

  void syntaxError(antlr4::Recognizer *, antlr4::Token *offending, size_t line,
                   size_t column, const std::string &msg,
                   std::exception_ptr) override {
    ast::Loc loc = offending ? positions.start(offending)
                             : ast::Loc{static_cast<unsigned>(line),
                                        static_cast<unsigned>(column) + 1,
                                        positions.fileIndex};
    errors.report(loc) << msg;
  }

private:
  SyntaxErrors &errors;
  const SourcePositions &positions;
};

/// Thrown to stop parsing a tree deeper than kMaxParseDepth.
struct TooDeep {
  antlr4::Token *token;
};

/// Tracks how deeply the parser's rules are nested, which is how deeply the
/// parser recurses. (ANTLR leaves and re-enters the rule for each operator of
/// a left-associative chain, so those do not count here.)
class DepthGuard : public antlr4::tree::ParseTreeListener {
public:
  explicit DepthGuard(antlr4::Parser &parser) : parser(parser) {}

  void enterEveryRule(antlr4::ParserRuleContext *) override {
    if (++depth > kMaxParseDepth)
      throw TooDeep{parser.getCurrentToken()};
  }
  void exitEveryRule(antlr4::ParserRuleContext *) override { --depth; }
  void visitTerminal(antlr4::tree::TerminalNode *) override {}
  void visitErrorNode(antlr4::tree::ErrorNode *) override {}

private:
  antlr4::Parser &parser;
  unsigned depth = 0;
};

/// Builds the AST from a parse tree that had no syntax errors.
class ASTBuilder {
public:
  ASTBuilder(ast::File &file, const SourcePositions &positions)
      : file(file), positions(positions) {}

  void build(NNParser::FileContext *ctx) {
    for (auto *item : ctx->item()) {
      if (auto *imp = item->importDecl()) {
        file.imports.push_back({unquote(imp->STRING()->getSymbol()),
                                locOf(imp->STRING()->getSymbol())});
      } else if (auto *c = item->constDecl()) {
        file.constants.push_back(varDecl(c->name, c->unit, c->value));
      } else if (auto *n = item->neuronDecl()) {
        file.neurons.push_back(neuron(n));
      } else if (auto *s = item->synapseDecl()) {
        auto model = std::make_unique<ast::SynapseModel>();
        synapseModel(s->synapseBody(), *model);
        model->name = s->name->getText();
        model->loc = locOf(s->name);
        file.synapses.push_back(std::move(model));
      } else if (auto *n = item->networkDecl()) {
        file.networks.push_back(network(n));
      }
    }
  }

private:
  ast::Loc locOf(antlr4::Token *token) const { return positions.start(token); }
  /// The text of a STRING token without its quotes.
  static std::string unquote(antlr4::Token *token) {
    std::string text = token->getText();
    return text.substr(1, text.size() - 2);
  }
  ast::Loc locOf(antlr4::ParserRuleContext *ctx) const {
    return positions.start(ctx->getStart());
  }

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
    return neuron(ctx->name, ctx->neuronMember());
  }

  /// A neuron model, or the dynamics of a modulator (Sema rejects the
  /// members a modulator cannot have).
  std::unique_ptr<ast::Neuron>
  neuron(antlr4::Token *name,
         const std::vector<NNParser::NeuronMemberContext *> &members) {
    auto neuron = std::make_unique<ast::Neuron>();
    neuron->name = name->getText();
    neuron->loc = locOf(name);
    for (auto *member : members) {
      if (auto *c =
              dynamic_cast<NNParser::CompartmentMemberContext *>(member)) {
        ast::Compartment comp;
        comp.name = c->name->getText();
        comp.loc = locOf(c->name);
        for (auto *inner : c->neuronMember()) {
          if (auto *p = dynamic_cast<NNParser::ParamMemberContext *>(inner))
            comp.params.push_back(varDecl(p->name, p->unit, p->value));
          else if (auto *s =
                       dynamic_cast<NNParser::StateMemberContext *>(inner))
            comp.states.push_back(varDecl(s->name, s->unit, s->value));
          else if (auto *a =
                       dynamic_cast<NNParser::AliasMemberContext *>(inner))
            comp.aliases.push_back(varDecl(a->name, a->unit, a->value));
          else if (auto *o = dynamic_cast<NNParser::OdeMemberContext *>(inner))
            comp.odes.push_back(
                {o->name->getText(), locOf(o->name), expr(o->value)});
          else
            notInCompartment.push_back(locOf(inner));
        }
        neuron->compartments.push_back(std::move(comp));
        continue;
      }
      if (auto *c = dynamic_cast<NNParser::CoupleMemberContext *>(member)) {
        ast::Coupling coupling;
        coupling.a = c->a->getText();
        coupling.b = c->b->getText();
        coupling.aLoc = locOf(c->a);
        coupling.bLoc = locOf(c->b);
        coupling.loc = locOf(c);
        coupling.conductance = expr(c->g);
        neuron->couplings.push_back(std::move(coupling));
        continue;
      }
      if (auto *p = dynamic_cast<NNParser::ParamMemberContext *>(member)) {
        neuron->params.push_back(varDecl(p->name, p->unit, p->value));
      } else if (auto *s =
                     dynamic_cast<NNParser::StateMemberContext *>(member)) {
        neuron->states.push_back(varDecl(s->name, s->unit, s->value));
      } else if (auto *a =
                     dynamic_cast<NNParser::AliasMemberContext *>(member)) {
        neuron->aliases.push_back(varDecl(a->name, a->unit, a->value));
      } else if (auto *o = dynamic_cast<NNParser::OdeMemberContext *>(member)) {
        neuron->odes.push_back(
            {o->name->getText(), locOf(o->name), expr(o->value)});
      } else if (auto *s =
                     dynamic_cast<NNParser::SpikeMemberContext *>(member)) {
        if (neuron->threshold) {
          duplicates.push_back({"spike condition", locOf(s)});
          continue;
        }
        neuron->threshold = expr(s->cond);
        neuron->thresholdLoc = locOf(s);
        neuron->reset = block(s->block());
      } else if (auto *r = dynamic_cast<NNParser::RefractoryMemberContext *>(
                     member)) {
        if (neuron->refractory) {
          duplicates.push_back({"refractory period", locOf(r)});
          continue;
        }
        neuron->refractory = expr(r->period);
        neuron->refractoryLoc = locOf(r);
        neuron->refractoryWhile = r->whileKw != nullptr;
        if (r->idList()) {
          neuron->hasClampList = true;
          neuron->clamped = idList(r->idList());
        }
      } else if (auto *s =
                     dynamic_cast<NNParser::SolverMemberContext *>(member)) {
        neuron->solver = s->method->getText();
        neuron->solverLoc = locOf(s->method);
      } else if (auto *p =
                     dynamic_cast<NNParser::PortMemberContext *>(member)) {
        ast::Port port;
        port.name = p->name->getText();
        port.loc = locOf(p->name);
        if (p->unit)
          port.unit = expr(p->unit);
        if (p->sign) {
          std::string sign = p->sign->getText();
          port.signLoc = locOf(p->sign);
          if (sign == "excitatory")
            port.sign = ast::Port::Sign::Excitatory;
          else if (sign == "inhibitory")
            port.sign = ast::Port::Sign::Inhibitory;
          else
            badPortSigns.push_back({sign, port.signLoc});
        }
        neuron->ports.push_back(std::move(port));
      } else if (auto *o =
                     dynamic_cast<NNParser::OnSpikeMemberContext *>(member)) {
        if (neuron->onSpikeLoc.line) {
          duplicates.push_back({"'on spike' handler", locOf(o)});
          continue;
        }
        neuron->onSpikeLoc = locOf(o);
        neuron->onSpike = block(o->block());
      } else if (auto *o =
                     dynamic_cast<NNParser::OnInputMemberContext *>(member)) {
        neuron->portHandlers.push_back(
            {o->event->getText(), locOf(o->event), block(o->block())});
      }
    }
    return neuron;
  }

  std::vector<ast::Assign> block(NNParser::BlockContext *ctx,
                                 unsigned depth = 0) {
    std::vector<ast::Assign> stmts;
    for (auto *s : ctx->stmt())
      if (std::optional<ast::Assign> assign = statement(s, depth))
        stmts.push_back(std::move(*assign));
    return stmts;
  }

  std::optional<ast::Assign> statement(NNParser::StmtContext *s,
                                       unsigned depth) {
    if (depth > kMaxParseDepth) {
      if (!tooDeep)
        tooDeep = locOf(s);
      return std::nullopt;
    }
    ast::Assign assign;
    if (auto *c = dynamic_cast<NNParser::ConditionalContext *>(s)) {
      assign.loc = locOf(c);
      assign.cond = expr(c->cond);
      assign.then = block(c->then, depth + 1);
      if (c->otherwise)
        assign.otherwise = block(c->otherwise, depth + 1);
      else if (c->elseIf)
        if (std::optional<ast::Assign> inner = statement(c->elseIf, depth + 1))
          assign.otherwise.push_back(std::move(*inner));
      return assign;
    }
    auto *a = dynamic_cast<NNParser::AssignmentContext *>(s);
    if (!a)
      return std::nullopt; // a syntax error, already reported
    assign.target = a->target->getText();
    assign.loc = locOf(a->target);
    std::string op = a->op->getText();
    assign.op = op == "+="   ? ast::Assign::Op::Add
                : op == "-=" ? ast::Assign::Op::Sub
                : op == "*=" ? ast::Assign::Op::Mul
                : op == "/=" ? ast::Assign::Op::Div
                             : ast::Assign::Op::Set;
    assign.value = expr(a->value);
    return assign;
  }

  std::vector<std::pair<std::string, ast::Loc>>
  idList(NNParser::IdListContext *ctx) {
    std::vector<std::pair<std::string, ast::Loc>> ids;
    for (auto *id : ctx->ID())
      ids.push_back({id->getText(), locOf(id->getSymbol())});
    return ids;
  }

  void endpoints(NNParser::EndpointListContext *ctx,
                 std::vector<std::pair<std::string, ast::Loc>> &names,
                 std::vector<ast::Projection::Slice> &slices) {
    for (auto *e : ctx->endpoint()) {
      names.push_back({e->ID()->getText(), locOf(e->ID()->getSymbol())});
      ast::Projection::Slice slice;
      if (e->first) {
        slice.first = expr(e->first);
        slice.last = expr(e->last);
        slice.loc = locOf(e->first);
      }
      slices.push_back(std::move(slice));
    }
  }

  void
  layerOptions(ast::Projection &proj,
               const std::vector<NNParser::LayerOptionContext *> &options) {
    for (auto *option : options)
      proj.layerOptions.push_back(
          {option->name->getText(), locOf(option->name), expr(option->value)});
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
      } else if (auto *p = dynamic_cast<NNParser::PopulationMemberContext *>(
                     member)) {
        ast::Population pop;
        pop.name = p->name->getText();
        pop.loc = locOf(p->name);
        pop.model = p->model->getText();
        pop.modelLoc = locOf(p->model);
        pop.size = expr(p->size);
        if (p->spikeFile) {
          pop.isSpikeSource = true;
          pop.spikeFile = unquote(p->spikeFile);
          pop.spikeFileLoc = locOf(p->spikeFile);
        }
        if (p->block())
          pop.overrides = block(p->block());
        if (p->method) {
          pop.solver = p->method->getText();
          pop.solverLoc = locOf(p->method);
        }
        if (p->every)
          pop.every = expr(p->every);
        net->populations.push_back(std::move(pop));
      } else if (auto *m =
                     dynamic_cast<NNParser::ModulatorMemberContext *>(member)) {
        // A population of one neuron of its own model, named alike.
        auto model = neuron(m->name, m->neuronMember());
        model->isModulator = true;
        ast::Population pop;
        pop.name = model->name;
        pop.loc = model->loc;
        pop.model = model->name;
        pop.modelLoc = model->loc;
        if (m->regions) {
          pop.size = expr(m->regions);
        } else {
          pop.size =
              std::make_unique<ast::Expr>(ast::Expr::Kind::Number, model->loc);
          pop.size->number = 1;
        }
        pop.isModulator = true;
        file.neurons.push_back(std::move(model));
        net->populations.push_back(std::move(pop));
      } else if (auto *t =
                     dynamic_cast<NNParser::TableMemberContext *>(member)) {
        ast::Table table;
        table.loc = locOf(t);
        table.name = t->name->getText();
        table.nameLoc = locOf(t->name);
        for (auto *v : t->values)
          table.values.push_back(expr(v));
        if (t->npy) {
          table.file = unquote(t->npy);
          table.fileLoc = locOf(t->npy);
        }
        table.every = expr(t->every);
        net->tables.push_back(std::move(table));
      } else if (auto *c =
                     dynamic_cast<NNParser::ConnectMemberContext *>(member)) {
        net->projections.push_back(projection(c));
      } else if (auto *c =
                     dynamic_cast<NNParser::CoverMemberContext *>(member)) {
        ast::Cover cover;
        cover.loc = locOf(c);
        cover.projection = c->proj->getText();
        cover.projectionLoc = locOf(c->proj);
        cover.astrocytes = c->astro->getText();
        cover.astrocytesLoc = locOf(c->astro);
        cover.all = c->all != nullptr;
        if (c->domain)
          cover.domain = expr(c->domain);
        if (c->block())
          cover.body = block(c->block());
        net->covers.push_back(std::move(cover));
      } else if (auto *r =
                     dynamic_cast<NNParser::RecordMemberContext *>(member)) {
        for (auto &id : idList(r->idList()))
          net->recorded.push_back(id);
      } else if (auto *in =
                     dynamic_cast<NNParser::InputMemberContext *>(member)) {
        ast::Input input;
        input.loc = locOf(in);
        if (in->name) {
          input.name = in->name->getText();
          input.loc = locOf(in->name);
        }
        input.kind = in->kind->getText();
        input.kindLoc = locOf(in->kind);
        for (auto *arg : in->args)
          input.args.push_back(expr(arg));
        input.target = in->target->getText();
        input.targetLoc = locOf(in->target);
        synapseModel(in->synapseBody(), input.body);
        net->inputs.push_back(std::move(input));
      } else if (auto *r = dynamic_cast<NNParser::RecordStateMemberContext *>(
                     member)) {
        net->recordedStates.push_back(stateRecord(r));
      } else if (auto *r = dynamic_cast<NNParser::RunMemberContext *>(member)) {
        if (net->hasRun) {
          duplicates.push_back({"'run' block", locOf(r)});
          continue;
        }
        net->hasRun = true;
        net->runLoc = locOf(r);
        net->program = programStmts(r->programStmt());
      }
    }
    return net;
  }

  std::vector<ast::ProgramStmt>
  programStmts(const std::vector<NNParser::ProgramStmtContext *> &ctxs,
               unsigned depth = 0) {
    std::vector<ast::ProgramStmt> out;
    for (auto *s : ctxs)
      if (std::optional<ast::ProgramStmt> stmt = programStmt(s, depth))
        out.push_back(std::move(*stmt));
    return out;
  }

  std::optional<ast::ProgramStmt> programStmt(NNParser::ProgramStmtContext *s,
                                              unsigned depth) {
    using Kind = ast::ProgramStmt::Kind;
    ast::ProgramStmt stmt;
    stmt.loc = locOf(s);
    if (depth > kMaxParseDepth) {
      if (!tooDeep)
        tooDeep = locOf(s);
      return std::nullopt;
    }
    if (auto *sim = dynamic_cast<NNParser::SimulateStmtContext *>(s)) {
      stmt.duration = expr(sim->duration);
      if (sim->until)
        stmt.until = expr(sim->until);
    } else if (auto *a = dynamic_cast<NNParser::AssignStmtContext *>(s)) {
      stmt.kind = Kind::Assign;
      stmt.population = a->pop->getText();
      stmt.variable = a->var->getText();
      stmt.variableLoc = locOf(a->var);
      stmt.value = expr(a->value);
    } else if (auto *i = dynamic_cast<NNParser::IfStmtContext *>(s)) {
      stmt.kind = Kind::If;
      stmt.cond = expr(i->cond);
      stmt.body = programStmts(i->then->programStmt(), depth + 1);
      if (i->otherwise)
        stmt.elseBody = programStmts(i->otherwise->programStmt(), depth + 1);
      else if (i->elseIf)
        stmt.elseBody = programStmts({i->elseIf}, depth + 1);
    } else if (auto *w = dynamic_cast<NNParser::WhileStmtContext *>(s)) {
      stmt.kind = Kind::While;
      stmt.cond = expr(w->cond);
      stmt.body = programStmts(w->programBlock()->programStmt(), depth + 1);
    } else if (auto *f = dynamic_cast<NNParser::ForStmtContext *>(s)) {
      stmt.kind = Kind::For;
      stmt.loopVar = f->var->getText();
      stmt.loopVarLoc = locOf(f->var);
      stmt.range = expr(f->range);
      stmt.body = programStmts(f->programBlock()->programStmt(), depth + 1);
    } else if (auto *g = dynamic_cast<NNParser::GateStmtContext *>(s)) {
      stmt.kind = Kind::Gate;
      stmt.gate = g->gate->getText();
      stmt.targets = idList(g->idList());
    } else if (auto *p = dynamic_cast<NNParser::PhaseStmtContext *>(s)) {
      stmt.kind = Kind::Phase;
      stmt.phase = p->name->getText();
      stmt.body = programStmts(p->programBlock()->programStmt(), depth + 1);
    } else {
      return std::nullopt; // a syntax error, already reported
    }
    return stmt;
  }

  ast::StateRecord stateRecord(NNParser::RecordStateMemberContext *ctx) {
    ast::StateRecord rec;
    rec.loc = locOf(ctx);
    for (auto *var : ctx->vars->recordVar())
      rec.variables.push_back({var->getText(), locOf(var)});
    for (auto *sel : ctx->popSelection()) {
      ast::StateRecord::Selection s;
      s.population = sel->pop->getText();
      s.loc = locOf(sel->pop);
      if (sel->first)
        s.first = expr(sel->first);
      if (sel->last)
        s.last = expr(sel->last);
      s.single = sel->first && !sel->last;
      rec.selections.push_back(std::move(s));
    }
    if (ctx->every)
      rec.every = expr(ctx->every);
    rec.atEnd = ctx->atEnd != nullptr;
    return rec;
  }

  /// The members of a synapse model or of a `connect` body.
  void synapseModel(NNParser::SynapseBodyContext *ctx,
                    ast::SynapseModel &model) {
    for (auto *member : ctx->synapseMember()) {
      if (auto *p = dynamic_cast<NNParser::SynParamMemberContext *>(member)) {
        model.params.push_back(varDecl(p->name, p->unit, p->value));
      } else if (auto *s =
                     dynamic_cast<NNParser::SynStateMemberContext *>(member)) {
        model.states.push_back(varDecl(s->name, s->unit, s->value));
      } else if (auto *a =
                     dynamic_cast<NNParser::SynAliasMemberContext *>(member)) {
        model.aliases.push_back(varDecl(a->name, a->unit, a->value));
      } else if (auto *o =
                     dynamic_cast<NNParser::SynOdeMemberContext *>(member)) {
        model.odes.push_back(
            {o->name->getText(), locOf(o->name), expr(o->value)});
      } else if (auto *h = dynamic_cast<NNParser::SynHandlerMemberContext *>(
                     member)) {
        std::string event = h->event->getText();
        if (event != "pre" && event != "post") {
          badEvents.push_back({event, locOf(h->event)});
          continue;
        }
        bool pre = event == "pre";
        ast::Loc &loc = pre ? model.onPreLoc : model.onPostLoc;
        if (loc.line != 0) {
          duplicates.push_back(
              {pre ? "'on pre' handler" : "'on post' handler", locOf(h)});
          continue;
        }
        loc = locOf(h);
        (pre ? model.onPre : model.onPost) = block(h->block());
      } else if (auto *v =
                     dynamic_cast<NNParser::SynValueMemberContext *>(member)) {
        ast::Assign value;
        value.target = v->name->getText();
        value.loc = locOf(v->name);
        value.value = expr(v->value);
        model.values.push_back(std::move(value));
      } else if (auto *s =
                     dynamic_cast<NNParser::SynSolverMemberContext *>(member)) {
        if (!model.solver.empty()) {
          duplicates.push_back({"solver", locOf(s)});
          continue;
        }
        model.solver = s->method->getText();
        model.solverLoc = locOf(s->method);
      } else if (auto *p = dynamic_cast<NNParser::SynPrecisionMemberContext *>(
                     member)) {
        if (!model.precision.empty()) {
          duplicates.push_back({"precision", locOf(p)});
          continue;
        }
        model.precision = p->type->getText();
        model.precisionLoc = locOf(p->type);
      } else if (auto *r =
                     dynamic_cast<NNParser::SynRewireMemberContext *>(member)) {
        if (model.rewireLoc.line != 0) {
          duplicates.push_back({"'rewire' rule", locOf(r)});
          continue;
        }
        model.rewireLoc = locOf(r);
        model.rewireEvery = expr(r->period);
        model.rewireWhen = expr(r->cond);
        if (r->block())
          model.rewireBlock = block(r->block());
      }
    }
  }

  ast::Projection projection(NNParser::ConnectMemberContext *ctx) {
    ast::Projection proj;
    proj.loc = locOf(ctx);
    endpoints(ctx->pre, proj.pre, proj.preSlices);
    endpoints(ctx->post, proj.post, proj.postSlices);
    auto *rule = ctx->connectRule();
    proj.ruleLoc = locOf(rule);
    if (dynamic_cast<NNParser::OneToOneRuleContext *>(rule)) {
      proj.rule = ast::Projection::Rule::OneToOne;
    } else if (auto *p =
                   dynamic_cast<NNParser::ProbabilityRuleContext *>(rule)) {
      proj.rule = ast::Projection::Rule::Probability;
      proj.ruleParam = expr(p->p);
    } else if (auto *d = dynamic_cast<NNParser::InDegreeRuleContext *>(rule)) {
      proj.rule = ast::Projection::Rule::InDegree;
      proj.ruleParam = expr(d->k);
    } else if (auto *d = dynamic_cast<NNParser::OutDegreeRuleContext *>(rule)) {
      proj.rule = ast::Projection::Rule::OutDegree;
      proj.ruleParam = expr(d->k);
    } else if (auto *c = dynamic_cast<NNParser::CsvRuleContext *>(rule)) {
      proj.rule = ast::Projection::Rule::FromFile;
      proj.connectionFile = unquote(c->csv);
      proj.connectionFileLoc = locOf(c->csv);
    } else if (auto *c = dynamic_cast<NNParser::NpyRuleContext *>(rule)) {
      proj.rule = ast::Projection::Rule::FromFile;
      proj.connectionFile = unquote(c->npy);
      proj.connectionFileLoc = locOf(c->npy);
      proj.connectionFileIsNpy = true;
      for (antlr4::Token *column : c->columns)
        proj.connectionColumns.push_back(
            ast::Projection::Column{unquote(column), "", locOf(column)});
    } else if (auto *c = dynamic_cast<NNParser::DenseRuleContext *>(rule)) {
      proj.rule = ast::Projection::Rule::FromFile;
      proj.connectionFile = unquote(c->npy);
      proj.connectionFileLoc = locOf(c->npy);
      proj.connectionFileIsNpy = true;
      proj.connectionFileIsDense = true;
      proj.connectionColumns.push_back(
          ast::Projection::Column{unquote(c->column), "", locOf(c->column)});
    } else if (auto *c = dynamic_cast<NNParser::Conv2dRuleContext *>(rule)) {
      proj.rule = ast::Projection::Rule::FromFile;
      proj.connectionFile = unquote(c->npy);
      proj.connectionFileLoc = locOf(c->npy);
      proj.connectionFileIsNpy = true;
      proj.convHeight = expr(c->height);
      proj.convWidth = expr(c->width);
      proj.connectionColumns.push_back(
          ast::Projection::Column{unquote(c->column), "", locOf(c->column)});
      layerOptions(proj, c->options);
    } else if (auto *p = dynamic_cast<NNParser::Pool2dRuleContext *>(rule)) {
      proj.rule = ast::Projection::Rule::FromFile;
      proj.poolSize = expr(p->size);
      proj.convHeight = expr(p->height);
      proj.convWidth = expr(p->width);
      layerOptions(proj, p->options);
    }
    if (ctx->delay)
      proj.delay = expr(ctx->delay);
    if (ctx->delayMax)
      proj.delayMax = expr(ctx->delayMax);
    if (ctx->name) {
      proj.name = ctx->name->getText();
      proj.nameLoc = locOf(ctx->name);
    }
    if (ctx->model) {
      proj.model = ctx->model->getText();
      proj.modelLoc = locOf(ctx->model);
    }
    if (ctx->synapseBody())
      synapseModel(ctx->synapseBody(), proj.body);
    proj.body.loc = proj.loc;
    return proj;
  }

  ast::ExprPtr expr(NNParser::ExprContext *ctx, unsigned depth = 0) {
    // Operator chains such as `1 + 1 + ... + 1` build deep trees without
    // deep recursion in the parser; stop before the walkers recurse too far.
    if (depth > kMaxParseDepth) {
      if (!tooDeep)
        tooDeep = locOf(ctx);
      return std::make_unique<ast::Expr>(ast::Expr::Kind::Number, locOf(ctx));
    }
    using Kind = ast::Expr::Kind;
    using Op = ast::Expr::Op;
    if (auto *p = dynamic_cast<NNParser::ParenExprContext *>(ctx))
      return expr(p->inner, depth + 1);
    if (auto *n = dynamic_cast<NNParser::NumberExprContext *>(ctx)) {
      auto e = std::make_unique<ast::Expr>(Kind::Number, locOf(ctx));
      e->number = std::strtod(n->NUMBER()->getText().c_str(), nullptr);
      if (n->unit) {
        e->name = n->unit->getText();
        e->unitLoc = locOf(n->unit);
      }
      return e;
    }
    if (dynamic_cast<NNParser::DtExprContext *>(ctx) ||
        dynamic_cast<NNParser::DelayExprContext *>(ctx)) {
      auto e = std::make_unique<ast::Expr>(Kind::Name, locOf(ctx));
      e->name = ctx->getText();
      return e;
    }
    if (auto *n = dynamic_cast<NNParser::NameExprContext *>(ctx)) {
      auto e = std::make_unique<ast::Expr>(Kind::Name, locOf(ctx));
      e->name = n->ID()->getText();
      return e;
    }
    if (auto *r = dynamic_cast<NNParser::RegionExprContext *>(ctx)) {
      auto e = std::make_unique<ast::Expr>(Kind::Call, locOf(ctx));
      e->name = r->ID(0)->getText();
      if (r->ID().size() > 1)
        e->name += "." + r->ID(1)->getText();
      e->regionRead = true;
      e->operands.push_back(expr(r->region, depth + 1));
      return e;
    }
    if (auto *q = dynamic_cast<NNParser::QualifiedNameExprContext *>(ctx)) {
      auto e = std::make_unique<ast::Expr>(Kind::Name, locOf(ctx));
      e->name = q->ID(0)->getText() + "." + q->ID(1)->getText();
      return e;
    }
    if (auto *c = dynamic_cast<NNParser::CallExprContext *>(ctx)) {
      auto e = std::make_unique<ast::Expr>(Kind::Call, locOf(ctx));
      e->name = c->callee->getText();
      for (auto *arg : c->expr())
        e->operands.push_back(expr(arg, depth + 1));
      return e;
    }
    if (auto *u = dynamic_cast<NNParser::UnaryExprContext *>(ctx)) {
      auto e = std::make_unique<ast::Expr>(Kind::Unary, locOf(u->op));
      std::string op = u->op->getText();
      e->op = op == "-" ? Op::Neg : op == "+" ? Op::Plus : Op::Not;
      e->operands.push_back(expr(u->operand, depth + 1));
      return e;
    }
    if (auto *p = dynamic_cast<NNParser::PowerExprContext *>(ctx)) {
      auto e = std::make_unique<ast::Expr>(Kind::Binary, locOf(p->op));
      e->op = Op::Pow;
      e->operands.push_back(expr(p->lhs, depth + 1));
      e->operands.push_back(expr(p->rhs, depth + 1));
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
    e->operands.push_back(expr(b->lhs, depth + 1));
    e->operands.push_back(expr(b->rhs, depth + 1));
    return e;
  }

public:
  /// Members given twice (reported by the caller with a location).
  std::vector<std::pair<std::string, ast::Loc>> duplicates;
  /// `on X` with X other than pre or post.
  std::vector<std::pair<std::string, ast::Loc>> badEvents;
  /// Members other than parameters, states and equations in a compartment.
  std::vector<ast::Loc> notInCompartment;
  /// `port p : nS WORD;` with WORD neither excitatory nor inhibitory.
  std::vector<std::pair<std::string, ast::Loc>> badPortSigns;
  /// The first expression nested deeper than kMaxParseDepth.
  std::optional<ast::Loc> tooDeep;

private:
  ast::File &file;
  const SourcePositions &positions;
};

/// Problems found by scanning the raw text before lexing.
struct TextProblem {
  size_t offset;
  std::string message;
};

/// Finds the first bracket nested deeper than kMaxNesting, outside comments
/// and strings, and a block comment that is never closed.
std::optional<TextProblem> scanText(llvm::StringRef text) {
  unsigned depth = 0;
  for (size_t i = 0, e = text.size(); i < e; ++i) {
    char c = text[i];
    if (c == '/' && text.substr(i).starts_with("//")) {
      i = std::min(text.find('\n', i), e);
    } else if (c == '/' && text.substr(i).starts_with("/*")) {
      size_t close = text.find("*/", i + 2);
      if (close == llvm::StringRef::npos)
        return TextProblem{i, "unterminated '/*' comment"};
      i = close + 1;
    } else if (c == '"') {
      // A string ends on the same line; a lone quote is an invalid character
      // that the parser reports.
      size_t j = i + 1;
      while (j < e && text[j] != '"' && text[j] != '\n' && text[j] != '\r')
        j += text[j] == '\\' ? 2 : 1;
      if (j < e && text[j] == '"')
        i = j;
    } else if (c == '(' || c == '{' || c == '[') {
      if (++depth > kMaxNesting)
        return TextProblem{i, "brackets nested more than " +
                                  std::to_string(kMaxNesting) + " levels deep"};
    } else if ((c == ')' || c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

} // namespace

std::unique_ptr<ast::File> nnc::parseFile(llvm::SourceMgr &sourceMgr,
                                          unsigned bufferId,
                                          mlir::MLIRContext *context,
                                          unsigned fileIndex) {
  const llvm::MemoryBuffer *buffer = sourceMgr.getMemoryBuffer(bufferId);
  auto file = std::make_unique<ast::File>();
  file->path = buffer->getBufferIdentifier().str();
  file->sourcePaths.resize(fileIndex + 1);
  file->sourcePaths[fileIndex] = file->path;
  llvm::StringRef text = buffer->getBuffer();

  auto errorAt = [&](size_t offset) {
    auto [line, col] = sourceMgr.getLineAndColumn(
        llvm::SMLoc::getFromPointer(text.data() + offset), bufferId);
    return mlir::emitError(
        mlir::FileLineColLoc::get(context, file->path, line, col));
  };
  size_t nul = text.find('\0');
  if (nul != llvm::StringRef::npos) {
    errorAt(nul) << "file contains a NUL byte; is this a binary file?";
    return nullptr;
  }
  const auto *begin = reinterpret_cast<const llvm::UTF8 *>(text.begin());
  const auto *end = reinterpret_cast<const llvm::UTF8 *>(text.end());
  const llvm::UTF8 *bad = begin;
  if (!llvm::isLegalUTF8String(&bad, end)) {
    errorAt(bad - begin) << "file is not valid UTF-8 text";
    return nullptr;
  }
  if (std::optional<TextProblem> problem = scanText(text)) {
    errorAt(problem->offset) << problem->message;
    return nullptr;
  }

  // A byte order mark is not part of the text.
  size_t base = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  llvm::StringRef source = text.drop_front(base);
  SourcePositions positions(sourceMgr, bufferId, fileIndex, base, source);
  SyntaxErrors errors(context, *file);
  DiagnosticErrorListener listener(errors, positions);
  ASTBuilder builder(*file, positions);
  try {
    antlr4::ANTLRInputStream input(source.data(), source.size());
    NNLexer lexer(&input);
    antlr4::CommonTokenStream tokens(&lexer);
    NNParser parser(&tokens);
    lexer.removeErrorListeners();
    lexer.addErrorListener(&listener);
    parser.removeErrorListeners();
    parser.addErrorListener(&listener);
    DepthGuard guard(parser);
    parser.addParseListener(&guard);
    NNParser::FileContext *tree = nullptr;
    std::optional<ast::Loc> tooDeep;
    parser.setErrorHandler(std::make_shared<ErrorStrategy>(errors, positions));
    try {
      tree = parser.file();
    } catch (const TooDeep &deep) {
      tooDeep = positions.start(deep.token);
    }
    parser.removeParseListener(&guard);
    if (!tooDeep && errors.count == 0) {
      builder.build(tree);
      tooDeep = builder.tooDeep;
    }
    if (tooDeep)
      errors.report(*tooDeep)
          << "expression nested more than " << kMaxParseDepth
          << " levels deep; split it up using constants or parameters";
    if (errors.count > 0)
      return nullptr;
  } catch (const std::exception &e) {
    // The text is valid UTF-8 and ANTLR recovers from syntax errors itself;
    // anything thrown is still reported, never a crash.
    mlir::emitError(mlir::FileLineColLoc::get(context, file->path, 1, 1))
        << "internal parser error: " << e.what();
    return nullptr;
  }
  for (auto &[what, loc] : builder.duplicates)
    mlir::emitError(makeLoc(context, *file, loc))
        << "duplicate " << what << "; only one is allowed here";
  for (auto &[event, loc] : builder.badEvents)
    mlir::emitError(makeLoc(context, *file, loc))
        << "unknown synaptic event '" << event
        << "'; expected 'on pre' or 'on post'";
  for (ast::Loc loc : builder.notInCompartment)
    mlir::emitError(makeLoc(context, *file, loc))
        << "a compartment holds parameters, states and equations only; "
           "spike conditions, refractory periods, solvers, ports and "
           "handlers belong to the neuron";
  for (auto &[sign, loc] : builder.badPortSigns)
    mlir::emitError(makeLoc(context, *file, loc))
        << "unknown port kind '" << sign
        << "'; expected 'excitatory' or 'inhibitory' (or nothing)";
  if (!builder.duplicates.empty() || !builder.badEvents.empty() ||
      !builder.notInCompartment.empty() || !builder.badPortSigns.empty())
    return nullptr;
  return file;
}
