#pragma once
// Independent units of work run several at once in this process (vrev reproduce --jobs): each
// worker thread takes the next unit and runs it on its share of the threads. A unit's outputs
// depend on its inputs alone (counter-based randomness, reductions in an order fixed by the
// shapes, never by the thread count) and it writes only its own files, so the results are the
// bits a serial run writes, whatever order the units end in.
#include <functional>
#include <vector>

namespace vrev::experiment {

// Runs run(unit) for every unit of `units` on min(jobs, units) worker threads that share
// `threads` (at least one each; when a worker finds no unit left, the others' share grows, taken
// up at their next kernels::cpu::follow_thread_share(), which every training step calls);
// jobs == 1 runs them on this thread, in order. After an error no worker starts another unit; the
// first error is rethrown once the running units have ended.
void run_units(const std::vector<int>& units, int jobs, int threads, const std::function<void(int)>& run);

}  // namespace vrev::experiment
