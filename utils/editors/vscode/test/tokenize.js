#!/usr/bin/env node
// Tokenizes .nn files with the extension's TextMate grammar, using the same
// engine as VS Code (vscode-textmate + vscode-oniguruma).
//
//   node tokenize.js [--grammar FILE] --check PATH...
//       Every file (or every *.nn below a directory) must tokenize cleanly:
//       no token scoped `invalid...`, no non-blank text left without a scope,
//       no string (or other construct, except a block comment) still open at
//       the end of a line, and nothing open at the end of the file. Prints
//       one line per problem and a summary; exits 1 if there were problems.
//
//   node tokenize.js [--grammar FILE] --dump PATH...
//       Prints every line, then each of its non-blank tokens with its scopes
//       (without the root `source.nn`), then the state the line ends in
//       (`code` or the scopes still open, e.g. `comment.block.nn`), for
//       FileCheck (see test/Editors/textmate.test).
//
// Needs `npm ci` in utils/editors/vscode (utils/install-deps.sh runs it).

'use strict';

const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const ROOT_SCOPE = 'source.nn';

function usage(message) {
  if (message) process.stderr.write(`tokenize: error: ${message}\n`);
  process.stderr.write(
    'usage: node tokenize.js [--grammar FILE] (--check | --dump) PATH...\n');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {
    grammar: path.join(__dirname, '..', 'syntaxes', 'nn.tmLanguage.json'),
    mode: null,
    paths: [],
  };
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    if (arg === '--grammar') {
      if (i + 1 >= argv.length) usage('--grammar needs a file');
      opts.grammar = argv[++i];
    } else if (arg === '--check' || arg === '--dump') {
      opts.mode = arg.slice(2);
    } else if (arg.startsWith('-')) {
      usage(`unknown option ${arg}`);
    } else {
      opts.paths.push(arg);
    }
  }
  if (!opts.mode) usage('give --check or --dump');
  if (opts.paths.length === 0) usage('no files given');
  return opts;
}

// Files named on the command line, and the *.nn files below directories,
// in a stable order.
function collectFiles(paths) {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.nn')) files.push(full);
    }
  };
  for (const p of paths) {
    if (!fs.existsSync(p)) usage(`no such file or directory: ${p}`);
    if (fs.statSync(p).isDirectory()) walk(p);
    else files.push(p);
  }
  return files;
}

async function loadGrammar(grammarPath) {
  const wasm = fs.readFileSync(
    require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(
    wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== ROOT_SCOPE) return null;
      return vsctm.parseRawGrammar(
        fs.readFileSync(grammarPath, 'utf8'), grammarPath);
    },
  });
  const grammar = await registry.loadGrammar(ROOT_SCOPE);
  if (!grammar) throw new Error(`cannot load ${ROOT_SCOPE} from ${grammarPath}`);
  return grammar;
}

// The scopes open after a line (besides the root): tokenizing an empty line
// in that state yields one token that carries exactly them.
function openScopes(grammar, ruleStack) {
  const probe = grammar.tokenizeLine('', ruleStack);
  return probe.tokens[0].scopes.filter((s) => s !== ROOT_SCOPE);
}

function tokenizeFile(grammar, file) {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let ruleStack = vsctm.INITIAL;
  return lines.map((text, index) => {
    const result = grammar.tokenizeLine(text, ruleStack);
    ruleStack = result.ruleStack;
    const tokens = result.tokens.map((t) => ({
      column: t.startIndex + 1,
      text: text.slice(t.startIndex, t.endIndex),
      scopes: t.scopes.filter((s) => s !== ROOT_SCOPE),
    })).filter((t) => t.text.length > 0);
    return { number: index + 1, text, tokens,
      open: openScopes(grammar, ruleStack) };
  });
}

function check(grammar, files) {
  let lineCount = 0;
  let tokenCount = 0;
  const problems = [];
  for (const file of files) {
    const lines = tokenizeFile(grammar, file);
    for (const line of lines) {
      ++lineCount;
      const where = (column) => `${file}:${line.number}:${column}`;
      for (const token of line.tokens) {
        if (/^\s*$/.test(token.text)) continue;
        ++tokenCount;
        const bad = token.scopes.find((s) => s.startsWith('invalid'));
        if (bad) {
          problems.push(`${where(token.column)}: ${JSON.stringify(token.text)} ` +
            `is scoped ${bad}`);
        } else if (token.scopes.length === 0) {
          problems.push(`${where(token.column)}: ${JSON.stringify(token.text)} ` +
            'has no scope');
        }
      }
      // Only a block comment may go on past the end of a line.
      const open = line.open.filter((s) => !s.startsWith('comment.block'));
      if (open.length > 0) {
        problems.push(`${where(line.text.length + 1)}: ${open.join(' ')} ` +
          'is still open at the end of the line');
      }
    }
    const last = lines[lines.length - 1];
    if (last && last.open.length > 0) {
      problems.push(`${file}:${last.number}:${last.text.length + 1}: ` +
        `${last.open.join(' ')} is still open at the end of the file`);
    }
  }
  for (const p of problems) console.log(p);
  console.log(`tokenize: ${files.length} files, ${lineCount} lines, ` +
    `${tokenCount} tokens checked, ${problems.length} problems`);
  return problems.length === 0;
}

function dump(grammar, files) {
  for (const file of files) {
    console.log(`file ${file}`);
    for (const line of tokenizeFile(grammar, file)) {
      console.log(`line ${line.number}: ${line.text}`);
      for (const token of line.tokens) {
        if (/^\s*$/.test(token.text)) continue;
        console.log(`  ${JSON.stringify(token.text)} ${token.scopes.join(' ')}`);
      }
      console.log(`  end: ${line.open.length ? line.open.join(' ') : 'code'}`);
    }
  }
  return true;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const files = collectFiles(opts.paths);
  const grammar = await loadGrammar(opts.grammar);
  const ok = opts.mode === 'check' ? check(grammar, files) : dump(grammar, files);
  process.exitCode = ok ? 0 : 1;
}

main().catch((err) => {
  process.stderr.write(`tokenize: error: ${err.stack || err}\n`);
  process.exit(2);
});
