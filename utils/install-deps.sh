#!/usr/bin/env bash
# Installs exactly the Debian packages nnc needs that are missing on this
# machine. Idempotent; works as root or through sudo; never prompts.
set -euo pipefail

# Build toolchain, LLVM/MLIR 22, ANTLR4, test tools and the peer simulator
# used by the benchmarks and reference tests.
PACKAGES=(
  cmake ninja-build g++ make ccache
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  antlr4 libantlr4-runtime-dev
  libgtest-dev libeigen3-dev librandom123-dev
  python3-brian time
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

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
