// A pool of worker threads over a list of units.
#include "experiment/unit_pool.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "kernels/cpu/kernels.h"

namespace vrev::experiment {

void run_units(const std::vector<int>& units, int jobs, int threads, const std::function<void(int)>& run) {
  VREV_CHECK(jobs >= 1, "--jobs must be >= 1, got ", jobs);
  const int workers = std::min(jobs, static_cast<int>(units.size()));
  if (workers <= 1) {
    for (const int unit : units) run(unit);
    return;
  }
  // Each running worker's share of the threads: raised as workers find no unit left, so the last
  // units run on the cores the finished workers free (from their next training step on).
  std::atomic<int> share{std::max(1, threads / workers)};
  std::atomic<int> running{workers};
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  auto work = [&] {
    kernels::cpu::set_thread_share(&share);
    while (!failed) {
      const size_t i = next++;
      if (i >= units.size()) break;
      kernels::cpu::follow_thread_share();
      try {
        run(units[i]);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(error_mutex);
        if (!first_error) first_error = std::current_exception();
        failed = true;
      }
    }
    const int left = --running;
    if (left > 0) share = std::max(1, threads / left);
  };
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w) pool.emplace_back(work);
  for (std::thread& t : pool) t.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace vrev::experiment
