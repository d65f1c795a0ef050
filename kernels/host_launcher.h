#pragma once
// The host launcher of the grids (kernels/cuda/grid.h, kernels/buffer_ops.h): a grid is a loop over
// its threads' indices, in order. It runs the CUDA kernels' arithmetic on the CPU
// (kernels/cuda/on_host.h), and the buffer operations of the CPU backend (kernels/backend.h).
#include <vector>

namespace vrev::kernels {

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

}  // namespace vrev::kernels
