#!/usr/bin/env bash
# Data-parallel training under mpirun: the tiny pretraining with 4 micro-shards gives the same
# checkpoint bits (model and optimizer state) on 1 process, on 2 ranks and on 4 ranks; a rank
# count that does not divide the shard count is a one-line error on every rank, not a hang.
#
#   data_parallel.sh VREV_BINARY
source "$(dirname "$0")/common.sh"
train=("${tiny[@]}" --phase pretrain --set pretrain.shards=4 --threads 1)

"$vrev" train "${train[@]}" --out "$work/np1" >/dev/null
mpi 2 train "${train[@]}" --out "$work/np2" >/dev/null
mpi 4 train "${train[@]}" --out "$work/np4" >/dev/null
for np in np2 np4; do
  for f in model.safetensors optim.safetensors; do
    cmp "$work/np1/$f" "$work/$np/$f" || { echo "FAIL: $np/$f differs from the 1-process run"; exit 1; }
  done
done
echo "data-parallel pretraining: the same bits on 1, 2 and 4 ranks ($(sha256sum < "$work/np1/model.safetensors" | cut -c1-16))"

# Interrupted after its first checkpoint on 2 ranks, then resumed on 4: the same bits again.
mpi_background 2 train "${train[@]}" --out "$work/resume"
runner=$!
while kill -0 $runner 2>/dev/null && [ ! -f "$work/resume/state.json" ]; do sleep 0.02; done
kill -TERM $runner 2>/dev/null || true
wait $runner || true
stopped=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["step"], "of", s["total_steps"])' \
          "$work/resume/state.json")
mpi 4 train "${train[@]}" --out "$work/resume" >/dev/null
cmp "$work/np1/model.safetensors" "$work/resume/model.safetensors" || { echo "FAIL: the resumed run differs"; exit 1; }
echo "stopped at step $stopped on 2 ranks, resumed on 4: the same bits"

set +e
out=$(mpi 2 train "${tiny[@]}" --phase pretrain --threads 1 --out "$work/bad" 2>&1)
rc=$?
set -e
[ $rc -ne 0 ] && [ $rc -ne 124 ] || { echo "FAIL: 2 ranks with 1 shard exited $rc"; exit 1; }
grep -q "error.*needs a shard count they divide" <<<"$out" || { echo "FAIL: no clear error: $out"; exit 1; }
echo "2 ranks with pretrain.shards=1: a clear error (exit $rc)"
