#!/usr/bin/env bash
# A shrunk tiny history (pretrain -> align -> finetune, seed 7) whose checkpoint bits are pinned:
# every machine, build target (VREV_MARCH), instruction set and thread count must reproduce the
# SHA-256 sums in pinned.sha256 exactly. A mismatch means a result depends on the machine.
#
#   pinned_history.sh VREV_BINARY ISA THREADS [--print]
#
# ISA is auto, avx512, avx2, neon or portable; exits 77 (a skip, for ctest) when the CPU lacks it.
# VREV_EMULATOR, when set, is the command that runs the binary (qemu-aarch64 for an AArch64 build
# on an x86-64 machine: make test-arm64).
# --print writes the sums instead of checking them (to pin a deliberate change of results).
set -euo pipefail
isa=$2 threads=$3 mode=${4:-check}
read -r -a vrev <<< "${VREV_EMULATOR:-}"
vrev+=("$1")
here=$(cd "$(dirname "$0")" && pwd)
config="$here/../../configs/tiny.json"

if ! "${vrev[@]}" version | grep -q "^isa:.* $isa\b"; then
  echo "skip: this CPU does not run kernels.isa=$isa"
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
common=(--config "$config" --seed 7 --threads "$threads" --set "kernels.isa=$isa"
        --set pretrain.steps=120 --set pretrain.checkpoint_every=0 --set align.steps=20
        --set finetune.steps=6 --set "finetune.eval_steps=[0,3,6]")
"${vrev[@]}" train "${common[@]}" --phase pretrain --out "$work/pretrain" >/dev/null
"${vrev[@]}" train "${common[@]}" --phase align --init "$work/pretrain" --out "$work/align" >/dev/null
"${vrev[@]}" train "${common[@]}" --phase finetune --init "$work/align" --out "$work/finetune" >/dev/null

sums=$(cd "$work" && sha256sum pretrain/model.safetensors align/model.safetensors finetune/model.safetensors \
                               finetune/optim.safetensors)
if [ "$mode" = --print ]; then
  echo "$sums"
  exit 0
fi
if diff <(echo "$sums") "$here/pinned.sha256"; then
  echo "pinned history: identical bits (isa=$isa, threads=$threads, OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset})"
else
  echo "pinned history: the checkpoints differ from tests/determinism/pinned.sha256 (isa=$isa, threads=$threads)"
  exit 1
fi
