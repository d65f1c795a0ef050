#!/usr/bin/env bash
# Distributed vrev reproduce and vrev sweep: 2 ranks write the same files as 1 process (wall times
# aside); a run with units removed resumes on another rank count to the same files; a rank that
# fails ends the whole job with its error instead of leaving the others waiting.
#
#   reproduce.sh VREV_BINARY
source "$(dirname "$0")/common.sh"
run=("${tiny[@]}" --seeds 3 --arms plain,block-vrev --threads 1)

"$vrev" reproduce "${run[@]}" --out "$work/np1" >/dev/null 2>&1
mpi 2 reproduce "${run[@]}" --out "$work/np2" >/dev/null 2>&1
same_run() {
  diff <(result_sums "$1") <(result_sums "$2") >/dev/null || { echo "FAIL: $2's files differ from $1's"; exit 1; }
  diff <(summary_without_time "$1/summary.json") <(summary_without_time "$2/summary.json") ||
    { echo "FAIL: $2/summary.json differs"; exit 1; }
}
same_run "$work/np1" "$work/np2"
echo "reproduce: 2 ranks wrote the same $(result_sums "$work/np1" | wc -l) result files and summary as 1 process"

# Killed: stopped (SIGTERM to mpirun, which ends its ranks) once the first arm has begun, then
# finished on 3 ranks: the same files.
mpi_background 2 reproduce "${run[@]}" --out "$work/killed"
runner=$!
while kill -0 $runner 2>/dev/null && [ -z "$(ls -d "$work"/killed/seed-*/finetune-plain 2>/dev/null)" ]; do
  sleep 0.05
done
kill -TERM $runner 2>/dev/null || true
wait $runner || true
unfinished=$(ls "$work/killed/summary.json" >/dev/null 2>&1 && echo "none (it had finished)" || echo "the run")
mpi 3 reproduce "${run[@]}" --out "$work/killed" >/dev/null 2>&1
same_run "$work/np1" "$work/killed"
echo "reproduce: killed on 2 ranks (unfinished: $unfinished), finished on 3 to the same files"

# Resume: drop a chain's phase and an arm, finish on 1 process; drop others, finish on 3 ranks.
rm -rf "$work/np2/seed-1/align" "$work/np2/seed-0/finetune-block-vrev"
"$vrev" reproduce "${run[@]}" --out "$work/np2" >/dev/null 2>&1
same_run "$work/np1" "$work/np2"
rm -rf "$work/np2/seed-2/pretrain" "$work/np2/seed-1/finetune-plain"
mpi 3 reproduce "${run[@]}" --out "$work/np2" >/dev/null 2>&1
same_run "$work/np1" "$work/np2"
echo "reproduce: resumed on 1 process and on 3 ranks to the same files"

# Sweep: two points over the fine-tuning rate, one seed, on 1 process and on 2 ranks.
sweep=("${tiny[@]}" --seeds 1 --arms plain --threads 1 --sweep finetune.schedule.lr=3e-4,1e-3)
"$vrev" sweep "${sweep[@]}" --out "$work/sweep1" >/dev/null 2>&1
mpi 2 sweep "${sweep[@]}" --out "$work/sweep2" >/dev/null 2>&1
diff <(summary_without_time "$work/sweep1/summary.json") <(summary_without_time "$work/sweep2/summary.json") ||
  { echo "FAIL: the sweeps' summaries differ"; exit 1; }
cmp "$work/sweep1/table.csv" "$work/sweep2/table.csv"
echo "sweep: 2 ranks wrote the same summary and table as 1 process"

# A failing rank: seed 1's pretraining state is corrupt, so rank 1 (seed 1's chain) fails while
# rank 0 waits at the barrier. The job must end, non-zero, naming the rank and the file.
echo "not json" > "$work/np2/seed-1/pretrain/state.json"
rm -rf "$work/np2/seed-1/align"
set +e
out=$(mpi 2 reproduce "${run[@]}" --out "$work/np2" 2>&1)
rc=$?
set -e
[ $rc -ne 0 ] && [ $rc -ne 124 ] || { echo "FAIL: a failing rank gave exit $rc"; exit 1; }
grep -q "error on rank 1 of 2: .*seed-1/pretrain/state.json" <<<"$out" || { echo "FAIL: unclear error: $out"; exit 1; }
echo "a failing rank ends the job: exit $rc, $(grep -o 'error on rank 1 of 2' <<<"$out" | head -1)"
