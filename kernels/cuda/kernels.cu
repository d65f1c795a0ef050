// The GPU launcher of the grids (kernels/cuda/grid.h, kernels/buffer_ops.h), and the CUDA backend.
// A grid is one CUDA thread per index, 256 to a block, on the default stream; a product is a
// block of 256 threads per 64 x 64 tile of its output (kernels/cuda/arithmetic/gemm_tile.h). Compiled with -fmad=false -prec-div=true -prec-sqrt=true -ftz=false
// (CMakeLists.txt), so the device fuses a multiply and an add only where the code calls an FMA,
// divides and takes square roots correctly rounded, and keeps subnormals: IEEE single precision,
// as the CPU computes it.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "kernels/cuda/device.h"
#include "kernels/buffer_ops.h"
#include "kernels/cuda/arithmetic/gemm_tile.h"
#include "kernels/cuda/grid.h"

namespace vrev::kernels::cuda {

namespace {

namespace a = arithmetic;

template <class F>
__global__ void run_indices(long count, F f) {
  const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
  if (i < count) f(i);
}

// Block (blockIdx.y, blockIdx.x) computes its tile of the product: each slab of k is staged by all
// its threads, then every thread continues its register tile's chains over it.
__global__ void gemm_tiles(a::GemmOperands g) {
  __shared__ float As[a::kTileK * a::kTileM], Bs[a::kTileK * a::kTileN];
  const int bm = blockIdx.y, bn = blockIdx.x, t = threadIdx.x;
  const int row = a::thread_row(bm, t), col = a::thread_col(bn, t);
  float acc[a::kThreadM][a::kThreadN];
  a::start_chains(acc, g, row, col);
  for (int k0 = 0; k0 < g.K; k0 += a::kTileK) {
    a::stage_slab(As, Bs, g, bm, bn, k0, t);
    __syncthreads();
    const int depth = g.K - k0 < a::kTileK ? g.K - k0 : a::kTileK;
    a::continue_chains(acc, As + row - bm * a::kTileM, Bs + col - bn * a::kTileN, depth);
    __syncthreads();
  }
  a::store_chains(acc, g, row, col);
}

void check_launch() {
  const cudaError_t status = cudaGetLastError();
  if (status != cudaSuccess)
    throw std::runtime_error(std::string("CUDA: a kernel launch: ") + cudaGetErrorString(status));
}

struct GpuLauncher {
  static constexpr int kThreads = 256;
  template <class F>
  static void run(long count, F f) {
    if (count <= 0) return;
    run_indices<<<(count + kThreads - 1) / kThreads, kThreads>>>(count, f);
    check_launch();
  }
  static void gemm(const a::GemmOperands& g) {
    if (g.M <= 0 || g.N <= 0) return;
    const dim3 blocks((g.N + a::kTileN - 1) / a::kTileN, (g.M + a::kTileM - 1) / a::kTileM);
    gemm_tiles<<<blocks, a::kTileThreads>>>(g);
    check_launch();
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
