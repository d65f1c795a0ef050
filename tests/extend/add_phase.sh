#!/usr/bin/env bash
# Adding a phase takes its registry row and its world's files, nothing else. This applies
# toy_phase.patch (a toy phase, rehearse, after align in the safety world's history) to a copy of
# the tree, checks that the patch touches only the phase registry, the world registry's history row
# and the safety world's data, builds vrev from the copy with warnings as errors (so a switch over
# every phase elsewhere would fail here), and checks that everything derived from the tables knows
# the new phase: the config section, the phase parser's message, the commands' help, the world's
# data, and the training chain pretrain -> align -> rehearse -> finetune with its parents checked.
#
#   tests/extend/add_phase.sh [WORK_DIR]    (make test-extend; WORK_DIR defaults to a temp dir)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-$(mktemp -d)}
src="$work/src"
fail() { echo "add_phase: $*" >&2; exit 1; }

expected="src/world/phase.cpp
src/world/phase.h
src/world/safety_world.cpp
src/world/world.cpp"
touched=$(sed -n 's|^+++ b/||p' "$here/toy_phase.patch" | sort)
[ "$touched" = "$expected" ] || fail "toy_phase.patch touches $(echo $touched); adding a phase may touch only $(echo $expected)"

# The tree as it is (tracked and new files, as CI's clean clone has them), then the patch.
rm -rf "$src" && mkdir -p "$src"
git -C "$root" ls-files -z --cached --others --exclude-standard |
  tar -C "$root" --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$src" -xf -
# A repository of its own, so that git apply reads the patch's paths from the copy's root.
git init -q "$src"
(cd "$src" && git apply --check "$here/toy_phase.patch" 2>/dev/null && git apply "$here/toy_phase.patch") ||
  fail "toy_phase.patch no longer applies: update it to what adding a phase takes now (docs/world-interface.md)"

# -O0: this build checks that the tree compiles and the phase is wired, not speed.
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 \
  -DVREV_WERROR="${WERROR:-ON}" >/dev/null
cmake --build "$work/build" -j "$(nproc)" --target vrev >/dev/null
vrev="$work/build/vrev"
cd "$src"

has() {  # has TEXT WHAT COMMAND...: COMMAND's output (stdout and stderr) contains TEXT
  local text=$1 what=$2 output
  shift 2
  output=$("$@" 2>&1 || true)
  grep -qF -- "$text" <<<"$output" || fail "$what does not mention '$text': $*"
}
has "rehearse.steps" "vrev config's key list" "$vrev" config --config configs/tiny.json
has "safety: pretrain, align, rehearse;" "vrev train --help's histories" "$vrev" train --help
has "rehearse, unlearn" "vrev world --help's phases" "$vrev" world --help
has "safety: pretrain, align, rehearse;" "vrev reproduce --help's histories" "$vrev" reproduce --help
has "valid: pretrain, align, rehearse, unlearn" "the phase parser's message" \
  "$vrev" world --config configs/tiny.json --phase nosuch
"$vrev" world --config configs/tiny.json --phase rehearse -n 2 >/dev/null || fail "vrev world --phase rehearse failed"

# The chain: each phase from its parent, 3 steps each; rehearse refuses pretrain's checkpoint, and
# fine-tuning now starts from the history's last phase, rehearse.
runs="$work/runs"
rm -rf "$runs"
train() { "$vrev" train --config configs/tiny.json --threads 1 "$@" >/dev/null; }
steps=(--set pretrain.steps=3 --set align.steps=3 --set rehearse.steps=3 --set finetune.steps=3
       --set "finetune.eval_steps=[0,3]")
train "${steps[@]}" --phase pretrain --out "$runs/pretrain"
train "${steps[@]}" --phase align --init "$runs/pretrain" --out "$runs/align"
has "but rehearse starts from phase align" "rehearse from the pretrained checkpoint's error" \
  "$vrev" train --config configs/tiny.json "${steps[@]}" --phase rehearse --init "$runs/pretrain" --out "$runs/wrong"
train "${steps[@]}" --phase rehearse --init "$runs/align" --out "$runs/rehearse"
grep -q '"phase": *"rehearse"' "$runs/rehearse/state.json" || fail "the rehearse checkpoint does not record its phase"
has "but finetune starts from phase rehearse" "finetune from the aligned checkpoint's error" \
  "$vrev" train --config configs/tiny.json "${steps[@]}" --phase finetune --init "$runs/align" --out "$runs/wrong"
echo "add_phase: a toy phase added by its registry row and its world's data alone: built, wired and trained"
