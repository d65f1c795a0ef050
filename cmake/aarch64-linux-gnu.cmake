# Cross-compiling for AArch64 Linux with Debian's toolchain (g++-aarch64-linux-gnu) and the arm64
# libraries of Debian multiarch (libopenblas-openmp-dev:arm64): `make test-arm64` builds with this
# and runs the result under qemu-aarch64 (docs/determinism.md).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)
# Libraries and headers of the target only; programs (cmake, pkg-config) of the host. The
# header-only packages (nlohmann-json, cxxopts, Catch2) are architecture-independent.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
