#!/usr/bin/env bash
# Runs every ```sh block of docs/tutorial.md after step 1 (make test: CI runs it already), in order,
# on the shrunk track: CONFIG=configs/tiny.json, SEEDS=1, output in a temporary directory.
# Usage: run_tutorial.sh <vrev binary>
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
vrev=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The sh blocks, minus `make test`; the tutorial's build/vrev is the binary under test.
awk '/^```sh$/ {on = 1; next} /^```$/ {on = 0} on' "$root/docs/tutorial.md" |
  grep -v '^make test' | sed "s#build/vrev#$vrev#g" >"$work/tutorial.sh"
[ -s "$work/tutorial.sh" ] || { echo "no commands found in docs/tutorial.md"; exit 1; }
cd "$root"
CONFIG=configs/tiny.json SEEDS=1 RUNS="$work/runs" bash -euo pipefail "$work/tutorial.sh" >"$work/out.txt" 2>&1 ||
  { cat "$work/out.txt"; echo "docs/tutorial.md: a command failed"; exit 1; }
grep -q "harmfulness after plain fine-tuning" "$work/out.txt"
echo "docs/tutorial.md: $(grep -c . "$work/tutorial.sh") lines ran"
