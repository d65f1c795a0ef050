# Shared by the MPI tests (sourced): the vrev binary, mpirun with the flags a 2-core CI box needs
# (--oversubscribe: more ranks than free cores; --allow-run-as-root: CI runs as root), a shrunk
# tiny config, and a work directory removed on exit.
set -euo pipefail
vrev=$1
mpirun_flags=(--oversubscribe --bind-to none)
if [ "$(id -u)" = 0 ]; then mpirun_flags+=(--allow-run-as-root); fi
mpi() {  # mpi NP vrev-args...: every rank with one thread
  local np=$1
  shift
  timeout 600 mpirun "${mpirun_flags[@]}" -np "$np" "$vrev" "$@"
}
# mpi_background NP vrev-args...: the same, in the background; $! is then timeout's pid, and a
# SIGTERM to it reaches mpirun, which ends its ranks (a TERM to a backgrounded shell function would
# end only the subshell and leave mpirun running).
mpi_background() {
  local np=$1
  shift
  timeout 600 mpirun "${mpirun_flags[@]}" -np "$np" "$vrev" "$@" >/dev/null 2>&1 &
}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tiny=(--config "$here/../../configs/tiny.json" --set pretrain.steps=120 --set pretrain.checkpoint_every=40
      --set align.steps=20 --set finetune.steps=6 --set "finetune.eval_steps=[0,3,6]")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The SHA-256 of every file under a run directory whose bits do not record time: checkpoints,
# captures, v_rev, geometry, samples. (metrics.jsonl, state.json and report.md hold seconds.)
result_sums() {
  (cd "$1" && find . -type f \( -name '*.safetensors' -o -name '*.npy' -o -name 'geometry.*' -o -name 'table.csv' \
     -o -name '*.png' \) | sort | xargs sha256sum)
}
# summary.json without its times (wall and training seconds).
summary_without_time() {
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); s.pop("wall_seconds",None); s.pop("training_seconds",None); print(json.dumps(s,sort_keys=True))' "$1"
}
