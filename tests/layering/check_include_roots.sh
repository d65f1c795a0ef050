#!/usr/bin/env bash
# The per-layer include roots at work: compiling a world-layer file that includes a train header
# succeeds; one that includes an experiment header fails because the header is not found (not
# for any other reason).
#
#   check_include_roots.sh CMAKE BUILD_DIR
set -uo pipefail
cmake=$1 build=$2

if ! "$cmake" --build "$build" --target layering_downward >/dev/null 2>&1; then
  echo "layering: world including train/batch.h did not compile"
  exit 1
fi
log=$("$cmake" --build "$build" --target layering_upward 2>&1)
if [ $? -eq 0 ]; then
  echo "layering: world including experiment/config.h compiled; the include roots let an upward include through"
  exit 1
fi
if ! grep -q 'experiment/config.h: No such file' <<<"$log"; then
  echo "layering: world including experiment/config.h failed, but not for the missing header:"
  echo "$log" | tail -20
  exit 1
fi
echo "layering: an upward include fails to compile, a downward one compiles"
