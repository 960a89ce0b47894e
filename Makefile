# The README's two commands. Each one installs missing Debian packages,
# configures and builds nnc, then does its job:
#   make demo   - compile and run examples/cuba.nn, print a summary
#   make check  - run every test (lit regression tests + GoogleTest), then
#                 fuzz the front end for CHECK_FUZZ_SECONDS (default 60, with
#                 a fixed seed; 0 skips it), as `make fuzz` does
# Other targets: build, bench, fuzz, format, clean.
#   make bench  - nnc vs Brian2: CUBA and COBA at 4000 and 32000 neurons,
#                 1 and 2 threads (bench/run.sh $(BENCH_ARGS), e.g.
#                 BENCH_ARGS=--quick for 1 s runs), then bench/neurons.sh,
#                 bench/stdp.sh (STDP vs Brian2), bench/coba_astro.sh (COBA
#                 with astrocytes vs Brian2) and bench/microcircuit.sh
#   make fuzz   - build the front end's libFuzzer target with clang-22, ASan
#                 and UBSan in build-fuzz/ and run it for FUZZ_SECONDS
#                 (default 600) on the seed corpus (docs/fuzzing.md); fails
#                 on any crash, sanitizer report, leak or timeout

BUILD_DIR ?= build
LLVM_DIR  ?= /usr/lib/llvm-22
DEMO_OUT  ?= nnc-out
BENCH_ARGS ?=
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 600
FUZZ_ARGS ?=
CHECK_FUZZ_SECONDS ?= 60

.PHONY: all deps configure build demo check bench fuzz format clean

all: build

deps:
	@utils/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -G Ninja -S . -B $(BUILD_DIR) \
	  -DCMAKE_BUILD_TYPE=Release \
	  -DMLIR_DIR=$(LLVM_DIR)/lib/cmake/mlir \
	  -DLLVM_EXTERNAL_LIT=$(LLVM_DIR)/bin/lit

configure: deps
	@$(MAKE) --no-print-directory $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR)

demo: build
	$(BUILD_DIR)/bin/nnc run examples/cuba.nn --out=$(DEMO_OUT)

check: build
	cmake --build $(BUILD_DIR) --target NNCRuntimeTests
	utils/run-tests.sh $(BUILD_DIR)
	@if [ "$(CHECK_FUZZ_SECONDS)" != 0 ]; then \
	  $(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS) \
	    FUZZ_ARGS=-seed=1; \
	fi

bench: build
	NNC_BUILD=$(BUILD_DIR) bench/run.sh $(BENCH_ARGS)
	NNC_BUILD=$(BUILD_DIR) bench/neurons.sh
	NNC_BUILD=$(BUILD_DIR) bench/stdp.sh
	NNC_BUILD=$(BUILD_DIR) bench/coba_astro.sh
	NNC_BUILD=$(BUILD_DIR) bench/microcircuit.sh

$(FUZZ_BUILD_DIR)/build.ninja:
	CC=clang-22 CXX=clang++-22 cmake -G Ninja -S . -B $(FUZZ_BUILD_DIR) \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DMLIR_DIR=$(LLVM_DIR)/lib/cmake/mlir \
	  -DLLVM_EXTERNAL_LIT=$(LLVM_DIR)/bin/lit \
	  -DNNC_ENABLE_FUZZER=ON

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_BUILD_DIR)/build.ninja
	cmake --build $(FUZZ_BUILD_DIR) --target nnc-fuzz
	utils/fuzz/run-fuzz.sh $(FUZZ_BUILD_DIR) $(FUZZ_SECONDS) $(FUZZ_ARGS)

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_BUILD_DIR) $(DEMO_OUT)
