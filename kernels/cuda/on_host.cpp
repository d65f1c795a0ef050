// The host launcher of kernels/cuda/grid.h: a grid is a loop over its threads' indices.
#include "kernels/cuda/on_host.h"

#include <vector>

#include "kernels/cuda/grid.h"

namespace vrev::kernels::cuda {

namespace {

struct HostLauncher {
  template <class F>
  static void run(long count, F f) {
    for (long i = 0; i < count; i++) f(i);
  }
  template <class T>
  static T* scratch(long n) {
    thread_local std::vector<T> buffer;
    if ((long)buffer.size() < n) buffer.resize(n);
    return buffer.data();
  }
  static double read(const double* p) { return *p; }
};

}  // namespace

KernelSet kernels_on_host() { return grid::kernel_set<HostLauncher>("cuda arithmetic on the host"); }

}  // namespace vrev::kernels::cuda
