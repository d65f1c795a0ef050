// Thread control for the cpu kernels: one setting drives both OpenMP and OpenBLAS's own pool.
#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "kernels/cpu/kernels.h"

namespace vrev::kernels::cpu {

namespace {

// The runnable tasks on the machine now, or -1 where /proc/stat cannot say.
int procs_running() {
  std::ifstream stat("/proc/stat");
  for (std::string key; stat >> key;) {
    if (key == "procs_running") {
      int n = -1;
      stat >> n;
      return n;
    }
    stat.ignore(1 << 20, '\n');
  }
  return -1;
}

}  // namespace

int idle_cores() {
  const int cores = omp_get_num_procs();
  // A busy program shows in every sample; a task that only wakes for a moment does not.
  int others = cores;
  for (int sample = 0; sample < 5; ++sample) {
    if (sample) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const int running = procs_running();
    if (running < 0) return cores;
    others = std::min(others, running - 1);  // less the thread that reads
  }
  return std::max(1, cores - std::max(0, others));
}

void set_num_threads(int n) {
  if (n <= 0) n = idle_cores();
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
}

namespace {
thread_local const std::atomic<int>* this_thread_share = nullptr;
}  // namespace

void set_thread_share(const std::atomic<int>* share) { this_thread_share = share; }

void follow_thread_share() {
  if (!this_thread_share) return;
  const int n = this_thread_share->load(std::memory_order_relaxed);
  if (n != omp_get_max_threads()) omp_set_num_threads(n);
}

int num_threads() { return omp_get_max_threads(); }

}  // namespace vrev::kernels::cpu
