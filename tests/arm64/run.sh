#!/usr/bin/env bash
# The AArch64 build under qemu-aarch64 (make test-arm64): the kernel tests, which compare the NEON
# and portable GEMMs bit for bit at 1, 2 and 3 threads and every kernel against its double
# reference, then the pinned tiny history with NEON on 2 threads, which must give the SHA-256 sums
# that x86-64 gives (tests/determinism/pinned.sha256). One emulated history takes minutes, so the
# other instruction sets and thread counts of the history are left to the kernel tests.
#
#   run.sh BUILD_DIR
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
export VREV_EMULATOR=qemu-aarch64
$VREV_EMULATOR "$build/vrev" version
$VREV_EMULATOR "$build/vrev_kernel_tests"
"$here/../determinism/pinned_history.sh" "$build/vrev" neon 2
