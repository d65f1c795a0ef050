# Thin driver over CMake. `make test` and `make reproduce` are all a new machine needs: both
# install missing Debian packages first (make deps).
BUILD     ?= build
ASAN      ?= build-asan
JOBS      ?= $(shell nproc)
PACKAGES  := cmake g++ make pkg-config libopenblas-openmp-dev libcxxopts-dev catch2 libstb-dev nlohmann-json3-dev \
             python3-numpy
MPI_PACKAGES := libopenmpi-dev openmpi-bin
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# WERROR=ON stops every build below on a compiler warning (CI sets it; a newer compiler than
# Debian's may warn about more, so a user's build does not).
WERROR    ?= OFF
CMAKE_FLAGS := -DVREV_WERROR=$(WERROR)

.PHONY: all deps deps-mpi deps-arm64 build mpi cuda test test-fast test-mpi test-march test-arm64 test-extend asan check-clang reproduce laptop bench clean

all: build

deps:
	@$(MAKE) --no-print-directory install-packages WANT="$(PACKAGES)"

# Open MPI, for the optional MPI build only (docs/mpi.md).
deps-mpi: deps
	@$(MAKE) --no-print-directory install-packages WANT="$(MPI_PACKAGES)"

# The packages of WANT that dpkg lacks, from apt. Without dpkg and apt (Fedora, macOS) there is
# nothing to install from here: say so and let CMake find what README.md (Dependencies) installs.
.PHONY: install-packages
install-packages:
	@if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then \
	  echo "make deps: no apt here; install the dependencies as README.md (Dependencies) says for your system"; \
	  exit 0; \
	fi; \
	missing="$$(for p in $(WANT); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done)"; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The MPI build (-DVREV_MPI=ON) in the same build directory: only the communicator is compiled
# again, everything relinks, and build/vrev then runs under mpirun (`make build` keeps it; switch
# back with cmake -DVREV_MPI=OFF build). test-mpi runs the tests that start mpirun.
mpi: deps-mpi
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DVREV_MPI=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

test-mpi: mpi
	cd $(BUILD) && ctest --output-on-failure -L mpi

# The optional CUDA kernels (-DVREV_CUDA=ON, docs/cuda.md) in their own build directory: vrev with
# `vrev selftest --device cuda`, compiled and linked. nvcc from PATH, else CUDA's default place.
CUDA_BUILD ?= build-cuda
NVCC       ?= $(shell command -v nvcc || { [ -x /usr/local/cuda/bin/nvcc ] && echo /usr/local/cuda/bin/nvcc; })
cuda: deps
	@[ -n "$(NVCC)" ] || { echo "make cuda: no nvcc on PATH or at /usr/local/cuda/bin/nvcc: install the CUDA toolkit (docs/cuda.md)"; exit 1; }
	@cmake -S . -B $(CUDA_BUILD) -DCMAKE_BUILD_TYPE=Release -DVREV_CUDA=ON -DCMAKE_CUDA_COMPILER=$(NVCC) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(CUDA_BUILD) -j $(JOBS) --target vrev

# Tests run one at a time: each already uses every core, and OpenMP threads of two concurrent
# tests spin against each other. test-fast runs the unit tier alone, for the edit-compile-test loop;
# `make test` runs every tier (unit, e2e, pinned, docs: docs/architecture.md, Tests).
test: build
	cd $(BUILD) && ctest --output-on-failure

test-fast: build
	cd $(BUILD) && ctest --output-on-failure -L unit

# The pinned tiny history again, from a build for plain AVX2 (x86-64-v3) instead of this CPU:
# the compiler's own vectorisation changes, the checkpoint bits must not (docs/determinism.md).
# MARCH_CMAKE_FLAGS adds options to that build: CI builds it with the CUDA kernels compiled in
# (.ci/run), so that one build serves both checks.
MARCH_BUILD ?= build-x86-64-v3
MARCH_CMAKE_FLAGS ?=
test-march: deps
	@cmake -S . -B $(MARCH_BUILD) -DCMAKE_BUILD_TYPE=Release -DVREV_MARCH=x86-64-v3 $(MARCH_CMAKE_FLAGS) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(MARCH_BUILD) -j $(JOBS) --target vrev
	tests/determinism/pinned_history.sh $(MARCH_BUILD)/vrev auto 2
	tests/determinism/pinned_history.sh $(MARCH_BUILD)/vrev portable 1

# Adding a phase takes its registry row and its world's data alone: a toy phase patched into a
# copy of the tree, built at -O0 and trained (tests/extend/add_phase.sh, docs/world-interface.md).
EXTEND_BUILD ?= build-extend
test-extend: deps
	WERROR=$(WERROR) tests/extend/add_phase.sh $(CURDIR)/$(EXTEND_BUILD)

# The AArch64 build, cross-compiled with Debian's toolchain against Debian multiarch's arm64
# libraries, then run under qemu-aarch64: the kernel tests (NEON and portable) and the pinned
# history, which must give x86-64's bits (tests/arm64/run.sh, docs/determinism.md).
ARM64_BUILD    ?= build-arm64
ARM64_PACKAGES := qemu-user g++-aarch64-linux-gnu libopenblas-openmp-dev:arm64 libgomp1:arm64 libstdc++6:arm64
deps-arm64: deps
	@dpkg --print-foreign-architectures | grep -qx arm64 || $(SUDO) dpkg --add-architecture arm64
	@$(MAKE) --no-print-directory install-packages WANT="$(ARM64_PACKAGES)"

test-arm64: deps-arm64
	@cmake -S . -B $(ARM64_BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
	  -DVREV_MARCH=armv8-a $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ARM64_BUILD) -j $(JOBS) --target vrev vrev_kernel_tests
	tests/arm64/run.sh $(ARM64_BUILD)

asan: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVREV_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)
	cd $(ASAN) && ctest --output-on-failure

# Two units (seeds' chains, fine-tunes) at once, each on half the cores: the tiny model's matrix
# products use two cores less well than two runs use one each (README, Speed).
REPRODUCE_JOBS ?= 2
reproduce: build
	./$(BUILD)/vrev reproduce --jobs $(REPRODUCE_JOBS)

# The laptop path: the main track's first four seeds with plain, block-vrev and block-random. Its
# outputs are the same bits as those seeds and arms of `make reproduce`.
laptop: build
	./$(BUILD)/vrev reproduce --seeds 4 --arms plain,block-vrev,block-random --out runs/laptop --jobs $(REPRODUCE_JOBS)

# One table: vrev's GEMM, OpenBLAS's, and PyTorch eager when a python3 here imports torch, at every
# size, measured in the same run (tests/reference/bench_table.py).
bench: build
	python3 tests/reference/bench_table.py --vrev $(BUILD)/vrev

clean:
	rm -rf $(BUILD) $(ASAN) $(MARCH_BUILD) $(ARM64_BUILD) $(CUDA_BUILD) $(FUZZ)

# Fuzzing the parsers with libFuzzer (docs/fuzzing.md): clang builds $(FUZZ) with ASan and UBSan,
# then each target runs FUZZ_SECONDS on a working copy of its checked-in corpus (tests/fuzz/corpus)
# plus its regression inputs; findings land in $(FUZZ)/artifacts. `make fuzz-merge` minimises the
# working corpora back into tests/fuzz/corpus: a small set of inputs that reaches every edge they do.
FUZZ          ?= build-fuzz
FUZZ_SECONDS  ?= 600
FUZZ_TARGETS  ?= safetensors npy config prompt
FUZZ_PACKAGES := clang libclang-rt-14-dev libomp-dev
# -O1 with line tables: sanitizer reports keep file and line, and compiling everything (check-clang)
# is faster than at -O2 -g.
FUZZ_OPT      := -O1 -gline-tables-only -DNDEBUG

.PHONY: fuzz fuzz-build fuzz-merge fuzz-replay

fuzz-build:
	@$(MAKE) --no-print-directory deps PACKAGES="$(FUZZ_PACKAGES)"
	@$(MAKE) --no-print-directory deps
	@cmake -S . -B $(FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$(FUZZ_OPT)" \
	  -DCMAKE_CXX_COMPILER=clang++ -DVREV_SANITIZE=ON -DVREV_FUZZ=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(FUZZ) -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))

fuzz: fuzz-build
	@mkdir -p $(FUZZ)/artifacts
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ)/corpus/$$t && cp -n tests/fuzz/corpus/$$t/* $(FUZZ)/corpus/$$t/; \
	  regressions=$$([ -d tests/fuzz/regressions/$$t ] && echo tests/fuzz/regressions/$$t); \
	  echo "fuzz_$$t: $(FUZZ_SECONDS) s, log in $(FUZZ)/fuzz_$$t.log"; \
	  ./$(FUZZ)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -dict=tests/fuzz/$$t.dict \
	    -artifact_prefix=$(FUZZ)/artifacts/$$t- $(FUZZ)/corpus/$$t $$regressions >$(FUZZ)/fuzz_$$t.log 2>&1; \
	  rc=$$?; \
	  execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ)/fuzz_$$t.log); \
	  echo "fuzz_$$t: exit $$rc, $$execs executions, corpus $$(ls $(FUZZ)/corpus/$$t | wc -l) files," \
	       "$$(cat $(FUZZ)/corpus/$$t/* | wc -c) bytes"; \
	  [ $$rc = 0 ] || { tail -n 40 $(FUZZ)/fuzz_$$t.log; exit $$rc; }; \
	done

# Each checked-in corpus and regression input once through its target (-runs=0: no fuzzing).
fuzz-replay: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  regressions=$$([ -d tests/fuzz/regressions/$$t ] && echo tests/fuzz/regressions/$$t); \
	  ./$(FUZZ)/fuzz_$$t -runs=0 tests/fuzz/corpus/$$t $$regressions >$(FUZZ)/replay_$$t.log 2>&1 \
	    || { tail -n 40 $(FUZZ)/replay_$$t.log; exit 1; }; \
	  echo "fuzz_$$t: replayed $$(cat tests/fuzz/corpus/$$t/* | wc -c) bytes of corpus, no finding"; \
	done

# The whole project (library, CLI, tests, fuzz targets) compiled by clang with ASan and UBSan in
# $(FUZZ), then the fuzz corpora replayed: what CI runs so that a construct only GCC accepts, or
# a parser bug the corpus already reaches, cannot land (clang also fronts the CUDA and macOS builds).
check-clang:
	@$(MAKE) --no-print-directory fuzz-build
	@cmake --build $(FUZZ) -j $(JOBS)
	@$(MAKE) --no-print-directory fuzz-replay

fuzz-merge: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  rm -rf $(FUZZ)/merged/$$t && mkdir -p $(FUZZ)/merged/$$t && \
	  ./$(FUZZ)/fuzz_$$t -set_cover_merge=1 -use_counters=0 $(FUZZ)/merged/$$t tests/fuzz/corpus/$$t \
	    $(FUZZ)/corpus/$$t >$(FUZZ)/merge_$$t.log 2>&1 || { tail -n 20 $(FUZZ)/merge_$$t.log; exit 1; }; \
	  rm -rf tests/fuzz/corpus/$$t && cp -r $(FUZZ)/merged/$$t tests/fuzz/corpus/$$t; \
	  echo "tests/fuzz/corpus/$$t: $$(ls tests/fuzz/corpus/$$t | wc -l) files, $$(cat tests/fuzz/corpus/$$t/* | wc -c) bytes"; \
	done
