// The GPU launcher of the grids (kernels/cuda/grid.h, kernels/buffer_ops.h), and the CUDA backend.
// A grid is one CUDA thread per index, 256 to a block, on the default stream. Compiled with -fmad=false -prec-div=true -prec-sqrt=true -ftz=false
// (CMakeLists.txt), so the device fuses a multiply and an add only where the code calls an FMA,
// divides and takes square roots correctly rounded, and keeps subnormals: IEEE single precision,
// as the CPU computes it.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "kernels/cuda/device.h"
#include "kernels/buffer_ops.h"
#include "kernels/cuda/grid.h"

namespace vrev::kernels::cuda {

namespace {

template <class F>
__global__ void run_indices(long count, F f) {
  const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
  if (i < count) f(i);
}

struct GpuLauncher {
  static constexpr int kThreads = 256;
  template <class F>
  static void run(long count, F f) {
    if (count <= 0) return;
    run_indices<<<(count + kThreads - 1) / kThreads, kThreads>>>(count, f);
    const cudaError_t status = cudaGetLastError();
    if (status != cudaSuccess)
      throw std::runtime_error(std::string("CUDA: a kernel launch: ") + cudaGetErrorString(status));
  }
  template <class T>
  static T* scratch(long n) {
    return static_cast<T*>(cuda::scratch(n * sizeof(T)));
  }
  static double read(const double* p) {
    double x;
    copy_to_host(&x, p, sizeof x);
    return x;
  }
};

}  // namespace

KernelSet kernels() { return grid::kernel_set<GpuLauncher>("cuda"); }

const Backend& backend() {
  static const Backend b{"GPU",
                         false,
                         kernels(),
                         buffer_ops_of<GpuLauncher>(),
                         &allocate,
                         [](void* p) { release(p); },
                         &copy_to_device,
                         &copy_to_host};
  return b;
}

}  // namespace vrev::kernels::cuda
