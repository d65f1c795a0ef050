#!/usr/bin/env bash
# vrev as a library, as a user gets it: install the build into a temporary prefix, then
#   1. configure examples/ against it with find_package(vrev), build it and run its Catch2 test;
#   2. compile a one-file program with nothing but `pkg-config --cflags --libs vrev`.
# Usage: check_example.sh <vrev build dir>
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$root/examples" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" -j "$(nproc)" >/dev/null
(cd "$work/build" && ctest --output-on-failure)

cat >"$work/version.cpp" <<'CPP'
#include <cstdio>
#include <vrev/vrev.h>
int main() {
  const auto world = vrev::world::make_world(vrev::world::WorldConfig{}, 0);
  std::printf("vrev %s: the safety world has %d tokens\n", vrev::kVersion, world->vocab().size());
}
CPP
# shellcheck disable=SC2046  # pkg-config's output is meant to split into words
c++ "$work/version.cpp" -o "$work/version" $(PKG_CONFIG_PATH="$(dirname "$(find "$work/prefix" -name vrev.pc)")" pkg-config --cflags --libs vrev)
"$work/version" | grep -q "the safety world has 79 tokens"
echo "example project and pkg-config program: OK"
