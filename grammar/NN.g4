// NN.g4 - ANTLR4 grammar of the nnc language.
//
// The grammar only describes syntax; names, units and all semantic rules are
// checked in Sema. Keep parser rules free of actions so the generated code
// stays target-neutral.

grammar NN;

file : item* EOF ;

item
  : importDecl
  | constDecl
  | neuronDecl
  | synapseDecl
  | networkDecl
  ;

importDecl : 'import' STRING ';' ;
constDecl  : 'const' name=ID (':' unit=expr)? '=' value=expr ';' ;

// ---- neuron models --------------------------------------------------------

neuronDecl : 'neuron' name=ID '{' neuronMember* '}' ;

neuronMember
  : 'parameter' name=ID (':' unit=expr)? '=' value=expr ';'   # paramMember
  | 'state' name=ID (':' unit=expr)? '=' value=expr ';'       # stateMember
  // A name for an expression of the model (Brian2's subexpressions,
  // NESTML's inline expressions); Sema substitutes it where it is used.
  | 'alias' name=ID (':' unit=expr)? '=' value=expr ';'       # aliasMember
  | name=ID PRIME '=' value=expr ';'                          # odeMember
  | 'spike' 'when' cond=expr block                            # spikeMember
  // `refractory while COND`: after a spike, refractory until a step
  // starts with COND false (Brian2's boolean `refractory`).
  | 'refractory' (whileKw='while')? period=expr ('clamp' idList)? ';' # refractoryMember
  | 'solver' method=ID ';'                                    # solverMember
  // A compartment holds parameters, states and equations; its members are
  // `name` inside it and `comp.name` elsewhere.
  | 'compartment' name=ID '{' neuronMember* '}'               # compartmentMember
  | 'couple' a=ID ',' b=ID 'conductance' g=expr ';'           # coupleMember
  // An input port: synapses deliver values to it (`exc += w` in `on pre`)
  // and `on NAME { ... }` says what each delivery does. `excitatory` /
  // `inhibitory` (checked by Sema) route a synapse's signed weight.
  | 'port' name=ID (':' unit=expr)? (sign=ID)? ';'              # portMember
  | 'on' 'spike' block                                        # onSpikeMember
  | 'on' event=ID block                                       # onInputMember
  ;

block : '{' stmt* '}' ;

stmt
  : target=qualifiedName op=('=' | '+=' | '-=' | '*=' | '/=') value=expr ';'
                                                              # assignment
  | 'if' cond=expr then=block ('else' (otherwise=block | elseIf=stmt))?
                                                              # conditional
  ;

// ---- synapse models -------------------------------------------------------

// A synapse model; a `connect` body has the same members plus per-synapse
// values (`w = uniform(0, w_max);`), which Sema only accepts there.
synapseDecl : 'synapse' name=ID synapseBody ;

synapseBody : '{' synapseMember* '}' ;

// `on pre` / `on post` (checked by the parser, so that `pre` and `post`
// stay usable as names).
synapseMember
  : 'parameter' name=ID (':' unit=expr)? '=' value=expr ';'   # synParamMember
  | 'state' name=ID (':' unit=expr)? '=' value=expr ';'       # synStateMember
  | 'alias' name=ID (':' unit=expr)? '=' value=expr ';'       # synAliasMember
  | name=ID PRIME '=' value=expr ';'                          # synOdeMember
  | 'on' event=ID block                                       # synHandlerMember
  | 'solver' method=ID ';'                                    # synSolverMember
  // How the synapses' states are stored: f64 (default) or f32.
  | 'precision' type=ID ';'                                   # synPrecisionMember
  // Structural plasticity: every `period`, each synapse for which `cond`
  // holds is moved to a new target and starts afresh (then `block` runs).
  | 'rewire' 'every' period=expr 'when' cond=expr (block | ';') # synRewireMember
  | name=ID '=' value=expr ';'                                # synValueMember
  ;

// ---- networks -------------------------------------------------------------

networkDecl : 'network' name=ID '{' networkMember* '}' ;

networkMember
  : 'dt' '=' value=expr ';'                                     # dtMember
  | 'population' name=ID '=' model=ID
      ('(' spikeFile=STRING ')')? '[' size=expr ']'
      ('solver' method=ID)? ('every' every=expr)? (';' | block)  # populationMember
  // A modulator: one global signal with its own state and equations
  // (a population of one without spikes), read by synapses; with
  // `[n]`, one signal per region (read as `NAME[k].state`).
  | 'modulator' name=ID ('[' regions=expr ']')? '{' neuronMember* '}' # modulatorMember
  // A table of values over time (Brian2's TimedArray): row k holds from
  // k * every on; read as NAME(t), or NAME(t, column) for a 2-D table.
  | 'table' name=ID '=' ('[' values+=expr (',' values+=expr)* ']'
      | 'load' '(' npy=STRING ')') 'every' every=expr ';'        # tableMember
  | 'connect' (name=ID '=')? pre=endpointList '->' post=endpointList connectRule
      ('delay' delay=expr ('up_to' delayMax=expr)?)? ('synapse' model=ID)?
      (';' | synapseBody)                                       # connectMember
  | 'connect' (name=ID '=')? kind=ID
      '(' (args+=expr (',' args+=expr)*)? ')' '->' target=ID
      synapseBody                                               # inputMember
  // Astrocytes covering the synapses of a projection: every synapse is
  // covered by all of them, or by the one its source and target indices
  // give; the body sums synapse values into astrocyte states.
  | 'cover' proj=ID 'with' astro=ID (all='all' | 'by' domain=expr)
      (';' | block)                                             # coverMember
  | 'record' 'spikes' 'of' idList ';'                           # recordMember
  | 'record' vars=recordVars 'of' popSelection (',' popSelection)*
      ('every' every=expr | atEnd='at' 'end')? ';'              # recordStateMember
  | 'run' '{' programStmt* '}'                                  # runMember
  ;

connectRule
  : 'all_to_all'                  # allToAllRule
  | 'one_to_one'                  # oneToOneRule
  | 'probability' p=expr          # probabilityRule
  | 'fixed_indegree' k=expr       # inDegreeRule
  | 'fixed_outdegree' k=expr      # outDegreeRule
  | 'from_csv' '(' csv=STRING ')' # csvRule
  | 'from_npy' '(' npy=STRING (',' columns+=STRING)* ')' # npyRule
  | 'dense' '(' npy=STRING ',' column=STRING ')' # denseRule
  | 'conv2d' '(' npy=STRING ',' column=STRING ',' height=expr ',' width=expr
      (',' options+=layerOption)* ')'                          # conv2dRule
  | 'pool2d' '(' size=expr ',' height=expr ',' width=expr
      (',' options+=layerOption)* ')'                          # pool2dRule
  ;

// `stride = 2` or `padding = 1` of a conv2d or pool2d layer (Sema checks
// the names).
layerOption : name=ID '=' value=expr ;

// The program: phases, assignments and control flow, compiled into the
// host program (docs/semantics.md, "The program").
programStmt
  : 'simulate' duration=expr ('until' until=expr)? ';'          # simulateStmt
  | pop=ID '.' var=qualifiedName '=' value=expr ';'             # assignStmt
  | 'if' cond=expr then=programBlock
      ('else' (otherwise=programBlock | elseIf=programStmt))?   # ifStmt
  | 'while' cond=expr programBlock                              # whileStmt
  | 'for' var=ID 'in' range=expr programBlock                   # forStmt
  | gate=('freeze' | 'thaw' | 'enable' | 'disable') idList ';'  # gateStmt
  // A named part of the program: its time span and spikes are reported.
  | 'phase' name=ID programBlock                                # phaseStmt
  ;

programBlock : '{' programStmt* '}' ;

// Recorded variables; `delay` is a synapse's own (per-synapse) delay.
recordVars : recordVar (',' recordVar)* ;
recordVar : qualifiedName | 'delay' ;

// `v`, or `soma.v` for a member of a compartment.
// `delay` is a synapse's own delay where it has one (a keyword elsewhere).
qualifiedName : ID ('.' ID)? | 'delay' ;

// `p` or `p[first:last]` (half-open neuron range) or `p[k]`.
popSelection : pop=ID ('[' first=expr (':' last=expr)? ']')? ;

idList : ID (',' ID)* ;

// Populations a projection connects, each whole or a range of its neurons
// (`p[0:50]`: neurons 0 to 49).
endpointList : endpoint (',' endpoint)* ;
endpoint : ID ('[' first=expr ':' last=expr ']')? ;

// ---- expressions ----------------------------------------------------------

expr
  : '(' inner=expr ')'                                  # parenExpr
  | callee=ID '(' (expr (',' expr)*)? ')'               # callExpr
  | NUMBER unit=ID?                                     # numberExpr
  // `da[k].level` / `da[k]`: region k of a regional modulator.
  | ID '[' region=expr ']' ('.' ID)?                    # regionExpr
  | ID '.' ID                                           # qualifiedNameExpr
  | ID                                                  # nameExpr
  | 'dt'                                                # dtExpr
  | 'delay'                                             # delayExpr
  | <assoc=right> lhs=expr op='^' rhs=expr              # powerExpr
  | op=('-' | '+' | 'not') operand=expr                 # unaryExpr
  | lhs=expr op=('*' | '/') rhs=expr                    # binaryExpr
  | lhs=expr op=('+' | '-') rhs=expr                    # binaryExpr
  | lhs=expr op=('<' | '<=' | '>' | '>=' | '==' | '!=') rhs=expr  # binaryExpr
  | lhs=expr op='and' rhs=expr                          # binaryExpr
  | lhs=expr op='or' rhs=expr                           # binaryExpr
  ;

// ---- tokens ---------------------------------------------------------------

PRIME   : '\'' ;
NUMBER  : DIGITS ('.' DIGITS?)? EXPONENT? | '.' DIGITS EXPONENT? ;
ID      : [a-zA-Z_] [a-zA-Z_0-9]* ;
STRING  : '"' (~["\\\r\n] | '\\' .)* '"' ;

fragment DIGITS   : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;

LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS            : [ \t\r\n]+ -> skip ;

// Any other character is a lexical error reported by the parser's listener.
INVALID : . ;
