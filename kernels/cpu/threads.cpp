// Thread control for the cpu kernels: one setting drives both OpenMP and OpenBLAS's own pool.
#include <cblas.h>
#include <omp.h>

#include "kernels/cpu/kernels.h"

namespace vrev::kernels::cpu {

void set_num_threads(int n) {
  if (n <= 0) n = omp_get_num_procs();
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
