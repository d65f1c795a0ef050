#!/usr/bin/env bash
# Every #include points down the layer order (docs/architecture.md):
#   kernels <- core <- autograd <- model <- train <- world, probe <- plot <- experiment <- cli
# world and probe are siblings: neither includes the other; plot knows only core (and kernels).
# vrev/version.h is the generated version header (any layer may include it); vrev/vrev.h, the
# public header, is for users and no layer's.
# Prints each include that points the wrong way and exits 1 if there is one.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

allowed() {  # the layers a layer may include, itself among them
  case $1 in
    kernels) echo "kernels" ;;
    core) echo "kernels core version" ;;
    autograd) echo "kernels core autograd" ;;
    model) echo "kernels core autograd model" ;;
    train) echo "kernels core autograd model train version" ;;
    world) echo "kernels core autograd model train world" ;;
    probe) echo "kernels core autograd model train probe" ;;
    plot) echo "kernels core plot" ;;
    experiment) echo "kernels core autograd model train world probe plot experiment version" ;;
    cli) echo "kernels core autograd model train world probe plot experiment cli version" ;;
  esac
}

bad=0
for layer in kernels core autograd model train world probe plot experiment cli; do
  dir="$root/src/$layer"
  [ "$layer" = kernels ] && dir="$root/kernels"
  ok=" $(allowed "$layer") "
  while IFS=: read -r file line include; do
    target=$(sed -E 's/.*#include "([^/"]+)\/.*/\1/' <<<"$include")
    [[ "$include" == *'"vrev/version.h"'* ]] && target=version
    if [[ "$ok" != *" $target "* ]]; then
      echo "${file#"$root"/}:$line: $layer includes $target (${include#*#include })"
      bad=1
    fi
  done < <(grep -rn --include='*.h' --include='*.cpp' -E '^#include "[^/"]+/' "$dir" || true)
done
if [ "$bad" = 0 ]; then echo "layering: every include points down"; fi
exit $bad
