#!/usr/bin/env bash
# Installs exactly the Debian packages nnc needs that are missing on this
# machine, then the npm packages of the editor-grammar test. Idempotent;
# works as root or through sudo; never prompts.
set -euo pipefail

# Build toolchain, LLVM/MLIR 22, ANTLR4, test tools and the peer simulators
# used by the benchmarks and reference tests (python-brian-doc ships the
# Brian2 examples that test/reference scripts follow). NEURON (neuron, python3-neuron)
# only regenerates test/reference/compartments_neuron.json
# (generate_compartment_reference.py); the tests read the stored JSON.
# clang-22 and its runtime libraries (libFuzzer, ASan, UBSan) build the
# front end's fuzz target (make fuzz, docs/fuzzing.md).
PACKAGES=(
  cmake ninja-build g++ make ccache
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  antlr4 libantlr4-runtime-dev
  libgtest-dev libeigen3-dev librandom123-dev
  python3-brian python-brian-doc time
  neuron python3-neuron
  clang-22 libclang-rt-22-dev
)
# Node.js runs the editor-grammar test (test/Editors/textmate.test). Checked
# by command rather than by package: NodeSource's nodejs ships its own npm
# and conflicts with Debian's npm package.
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      SUDO="sudo -n"
    else
      echo "install-deps: error: need root or sudo to install: ${missing[*]}" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The npm packages of the editor-grammar test (vscode-textmate and
# vscode-oniguruma, pinned by the committed package-lock.json), installed
# once as the calling user. Best effort: without them, e.g. offline, that
# test is UNSUPPORTED rather than failing.
vscode_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/editors/vscode"
if [ -f "$vscode_dir/node_modules/vscode-textmate/package.json" ] &&
   [ -f "$vscode_dir/node_modules/vscode-oniguruma/package.json" ]; then
  echo "install-deps: editor test packages present"
elif ! command -v npm >/dev/null 2>&1; then
  echo "install-deps: warning: no npm, the editor-grammar test will be skipped" >&2
elif npm ci --prefix "$vscode_dir" --prefer-offline --no-audit --no-fund \
       --loglevel=error --fetch-retries=1 --fetch-timeout=60000; then
  echo "install-deps: installed the editor test packages"
else
  echo "install-deps: warning: npm ci failed (offline?), the editor-grammar" \
    "test will be skipped" >&2
fi
