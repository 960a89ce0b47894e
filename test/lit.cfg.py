# -*- Python -*-
# lit configuration for nnc's regression tests.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "nnc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".nn", ".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.nnc_obj_root, "test")
config.excludes = ["unittests", "reference", "lit.cfg.py", "Inputs", "extract_examples.py"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%nnc_src", config.nnc_src_root))
# Brian2 and the reference scripts run with Debian's Python, not a pyenv one.
config.substitutions.append(("%python", "/usr/bin/python3"))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.nnc_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["nnc", "nnc-opt"], tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.nnc_tools_dir, append_path=True)
# Runs in CI must not draw progress bars.
config.environment["CI"] = "true"

# Host features for tests of target-specific code generation.
import platform

if platform.machine() == "x86_64" and platform.system() == "Linux":
    config.available_features.add("x86_64-linux")

# The editor-grammar test runs VS Code's tokenizer under Node.js; the npm
# packages come from `npm ci` in utils/editors/vscode (utils/install-deps.sh).
import shutil

_vscode_dir = os.path.join(config.nnc_src_root, "utils", "editors", "vscode")
if shutil.which("node", path=config.environment.get("PATH")) and all(
    os.path.isfile(os.path.join(_vscode_dir, "node_modules", pkg, "package.json"))
    for pkg in ("vscode-textmate", "vscode-oniguruma")
):
    config.available_features.add("textmate")
