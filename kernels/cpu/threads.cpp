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

void set_this_thread_threads(int n) { omp_set_num_threads(n); }

int num_threads() { return omp_get_max_threads(); }

}  // namespace vrev::kernels::cpu
