# Thin driver over CMake. `make test` and `make reproduce` are all a new machine needs: both
# install missing Debian packages first (make deps).
BUILD     ?= build
ASAN      ?= build-asan
JOBS      ?= $(shell nproc)
PACKAGES  := cmake g++ make pkg-config libopenblas-openmp-dev libcxxopts-dev catch2 libstb-dev nlohmann-json3-dev \
             python3-numpy
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build test test-march asan reproduce bench clean

all: build

deps:
	@missing="$$(for p in $(PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done)"; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Tests run one at a time: each already uses every core, and OpenMP threads of two concurrent
# tests spin against each other.
test: build
	cd $(BUILD) && ctest --output-on-failure

# The pinned tiny history again, from a build for plain AVX2 (x86-64-v3) instead of this CPU:
# the compiler's own vectorisation changes, the checkpoint bits must not (docs/determinism.md).
MARCH_BUILD ?= build-x86-64-v3
test-march: deps
	@cmake -S . -B $(MARCH_BUILD) -DCMAKE_BUILD_TYPE=Release -DVREV_MARCH=x86-64-v3 >/dev/null
	@cmake --build $(MARCH_BUILD) -j $(JOBS) --target vrev
	tests/determinism/pinned_history.sh $(MARCH_BUILD)/vrev auto 2
	tests/determinism/pinned_history.sh $(MARCH_BUILD)/vrev portable 1

asan: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVREV_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)
	cd $(ASAN) && ctest --output-on-failure

reproduce: build
	./$(BUILD)/vrev reproduce

bench: build
	@for size in tiny small medium; do ./$(BUILD)/vrev bench --model $$size; done

clean:
	rm -rf $(BUILD) $(ASAN) $(MARCH_BUILD)
