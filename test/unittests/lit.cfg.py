# -*- Python -*-
# lit configuration that runs nnc's GoogleTest binaries.

import os

import lit.formats

config.name = "nnc-unit"
config.suffixes = []
config.test_exec_root = os.path.join(config.nnc_obj_root, "test", "unittests")
config.test_source_root = config.test_exec_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
