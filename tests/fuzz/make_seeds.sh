#!/usr/bin/env bash
# Writes the seed inputs of the fuzz corpora (tests/fuzz/corpus/<target>/seed-*) from real files:
# a tiny model from `vrev init` and truncated variants of it, arrays saved by NumPy, the configs
# of configs/ with --set overrides, and prompts (Debian's python3-numpy, as make deps installs).
# Usage: tests/fuzz/make_seeds.sh build/vrev
set -euo pipefail
vrev=$(realpath "$1")
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p corpus/safetensors corpus/npy corpus/config corpus/prompt

# safetensors: a tiny model (12-token world, width 8, one block), its header alone, cut short.
tiny=(--set world.safety.benign_topics=1 --set world.safety.harmful_topics=1 --set world.safety.neglected_topics=1
      --set world.safety.objects=2 --set model.context=4 --set model.layers=1 --set model.width=8 --set model.heads=2)
"$vrev" init --config ../../configs/tiny.json "${tiny[@]}" --out "$tmp/model.safetensors" >/dev/null
st=corpus/safetensors
cp "$tmp/model.safetensors" $st/seed-model
header=$(( $(od -An -t u8 -N 8 "$tmp/model.safetensors") + 8 ))
head -c "$header" "$tmp/model.safetensors" >$st/seed-header-only
head -c $(( header + 100 )) "$tmp/model.safetensors" >$st/seed-truncated
/usr/bin/python3 - "$st" <<'PY'
import json, struct, sys
def save(name, header, data=b""):
    text = json.dumps(header).encode()
    open(f"{sys.argv[1]}/seed-{name}", "wb").write(struct.pack("<Q", len(text)) + text + data)
save("empty", {})
save("metadata", {"__metadata__": {"phase": "init", "step": "0"}})
save("dtypes", {"a": {"dtype": "F64", "shape": [], "data_offsets": [0, 8]},
                "b": {"dtype": "I32", "shape": [2, 0], "data_offsets": [8, 8]},
                "c": {"dtype": "I64", "shape": [1], "data_offsets": [8, 16]}}, bytes(16))
PY

# npy: what NumPy writes, in each dtype vrev reads and in header versions 1.0, 2.0 and 3.0.
/usr/bin/python3 - corpus/npy <<'PY'
import sys, numpy as np
out = sys.argv[1]
np.save(f"{out}/seed-f4", np.arange(6, dtype="<f4").reshape(2, 3))
np.save(f"{out}/seed-f8-scalar", np.array(1.5, dtype="<f8"))
np.save(f"{out}/seed-i4-empty", np.zeros((0,), dtype="<i4"))
np.save(f"{out}/seed-i8", np.arange(5, dtype="<i8"))
for v in [(2, 0), (3, 0)]:
    with open(f"{out}/seed-v{v[0]}", "wb") as f:
        np.lib.format.write_array(f, np.ones((2, 2), dtype="<i4"), version=v)
PY
for f in corpus/npy/seed-*.npy; do mv "$f" "${f%.npy}"; done

# config: the shipped configs, an empty one, and --set overrides after NUL bytes.
cp ../../configs/tiny.json corpus/config/seed-tiny
cp ../../configs/safety.json corpus/config/seed-safety
printf '{}' >corpus/config/seed-empty
printf '{}\0model.width=32\0world.objects=4\0reproduce.arms=["plain"]\0pretrain.schedule.kind=cosine' \
  >corpus/config/seed-overrides

# prompt: token names as `vrev sample --prompt` takes them.
printf 'USER h3 o12 o7 o1 o30 ASST' >corpus/prompt/seed-harmful
printf 'BOS USER b0 o1 o2 o3 o4 ASST SURE o5 o6 EOS' >corpus/prompt/seed-sequence
printf '  USER\tn7 o31\n ASST SORRY PAD ' >corpus/prompt/seed-whitespace
