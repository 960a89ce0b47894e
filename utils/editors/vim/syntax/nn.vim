" Vim syntax file
" Language:    nnc neural-modelling language (*.nn)
" Keep in step with ../vscode/syntaxes/nn.tmLanguage.json and grammar/NN.g4.

if exists("b:current_syntax")
  finish
endif
let s:cpo_save = &cpo
set cpo&vim

syn case match

" Lowest priority first: among matches starting at the same column the one
" defined last wins, and keywords beat matches.

" Any character the lexer rejects.
syn match nnError "[^[:space:]A-Za-z0-9_.,;:(){}\[\]+\-*/^<>=!\"']"
syn match nnError "!=\@!"

syn match nnOperator "->\|[-+*/]=\|[<>=!]=\|[-+*/^<>=]"

" x' is the time derivative of state x.
syn match nnDerivative "\<\h\w*\ze\s*'"
syn match nnPrime "\%(\w\s*\)\@<='"

" A number and the unit right after it (20 ms, 0.5 mV/ms); a keyword after a
" number is not a unit (probability 0.1 delay 1 ms).
syn match nnNumber "\w\@<!\%(\d\+\%(\.\d*\)\=\|\.\d\+\)\%([eE][+-]\=\d\+\)\=" nextgroup=nnUnit skipwhite
syn match nnUnit "\%(\<\%(import\|const\|neuron\|synapse\|parameter\|state\|spike\|when\|refractory\|rewire\|clamp\|solver\|alias\|compartment\|couple\|conductance\|port\|network\|dt\|population\|modulator\|cover\|with\|by\|all\|connect\|delay\|up_to\|record\|spikes\|of\|every\|at\|end\|run\|all_to_all\|one_to_one\|probability\|fixed_indegree\|fixed_outdegree\|from_csv\|from_npy\|dense\|conv2d\|pool2d\|table\|load\|on\|simulate\|until\|if\|else\|while\|for\|in\|freeze\|thaw\|phase\|enable\|disable\|not\|and\|or\)\>\)\@!\h\w*\%(/[kMGcmunpf]\=\%(mol\|ohm\|Hz\|s\|V\|A\|S\|F\|C\|m\|M\|g\|K\)\>\)\=" contained

" Built-in functions only before `(`: `count`, `rate`, `argmax`, `range` (run block)
" and `poisson` stay usable as names.
syn match nnBuiltin "\<\%(exp\|log\|sqrt\|pow\|sign\|floor\|sum\|mean\|tanh\|sigmoid\|abs\|min\|max\|clip\|sin\|cos\|uniform\|normal\|exponential\|lognormal\|poisson\|spike_times\|count\|rate\|argmax\|range\)\ze\s*("

" Declarations and the names they introduce.
syn keyword nnImport import
syn keyword nnStructure neuron network synapse modulator table nextgroup=nnTypeName skipwhite
syn keyword nnDeclaration parameter state alias const nextgroup=nnVarName skipwhite
syn keyword nnDeclaration population nextgroup=nnPopName skipwhite
syn match nnTypeName "\h\w*" contained
syn match nnVarName "\h\w*" contained nextgroup=nnUnitAnnotation skipwhite
syn match nnUnitAnnotation ":\s*\h\w*\%(\s*[*/]\s*\h\w*\)\=" contained contains=nnUnitName
syn match nnUnitName "\h\w*" contained
syn match nnPopName "\h\w*" contained nextgroup=nnPopAssign skipwhite
syn match nnPopAssign "=" contained nextgroup=nnTypeName,nnPopSource skipwhite
" A spike source: population s = spike_times("FILE.csv")[n].
syn match nnPopSource "\<spike_times\ze\s*(" contained
" A named projection: connect S = a -> b ...
syn keyword nnKeyword connect nextgroup=nnProjName skipwhite
syn match nnProjName "\h\w*\ze\s*==\@!" contained

syn keyword nnKeyword spike when refractory rewire clamp compartment couple conductance port excitatory inhibitory delay up_to record spikes of every at end run simulate until phase dt
" The run block's control flow and gates.
syn keyword nnConditional if else
syn keyword nnRepeat while for in
syn keyword nnGate freeze thaw enable disable
" `pre` and `post` are keywords only in `on pre` / `on post`; elsewhere names.
syn keyword nnKeyword on nextgroup=nnEvent skipwhite skipnl
syn match nnEvent "\<\%(pre\|post\)\>" contained
syn keyword nnRule all_to_all one_to_one probability fixed_indegree fixed_outdegree from_csv from_npy dense conv2d pool2d
syn keyword nnLogical and or not
syn keyword nnKeyword solver nextgroup=nnSolverName skipwhite
syn keyword nnSolverName exact exponential_euler backward_euler euler rk2 rk4 contained

" Strings end on their line; only " starts one (' is the derivative prime).
syn match nnEscape "\\." contained
syn region nnString start=+"+ skip=+\\.+ end=+"+ end=+$+ oneline contains=nnEscape

" Comments last: they win over everything; block comments do not nest.
syn keyword nnTodo TODO FIXME XXX NOTE contained
syn match nnLineComment "//.*$" contains=nnTodo,@Spell
syn region nnBlockComment start="/\*" end="\*/" contains=nnTodo,@Spell

hi def link nnError          Error
hi def link nnOperator       Operator
hi def link nnDerivative     Identifier
hi def link nnPrime          Special
hi def link nnNumber         Number
hi def link nnUnit           Type
hi def link nnUnitName       Type
hi def link nnBuiltin        Function
hi def link nnImport         Include
hi def link nnStructure      Structure
hi def link nnDeclaration    StorageClass
hi def link nnTypeName       Function
hi def link nnVarName        Identifier
hi def link nnPopName        Identifier
hi def link nnPopAssign      Operator
hi def link nnPopSource      Function
hi def link nnProjName       Identifier
hi def link nnKeyword        Keyword
hi def link nnEvent          Keyword
hi def link nnConditional    Conditional
hi def link nnRepeat         Repeat
hi def link nnGate           Statement
hi def link nnRule           Keyword
hi def link nnLogical        Operator
hi def link nnSolverName     Constant
hi def link nnEscape         SpecialChar
hi def link nnString         String
hi def link nnTodo           Todo
hi def link nnLineComment    Comment
hi def link nnBlockComment   Comment

let b:current_syntax = "nn"

let &cpo = s:cpo_save
unlet s:cpo_save
