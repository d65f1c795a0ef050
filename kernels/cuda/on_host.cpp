// The CUDA kernels' grids (kernels/cuda/grid.h) run on the CPU: the host launcher, with the tiled
// products run block after block as the GPU's blocks run them.
#include "kernels/cuda/on_host.h"

#include "kernels/cuda/arithmetic/gemm_tile.h"
#include "kernels/cuda/grid.h"
#include "kernels/host_launcher.h"

namespace vrev::kernels::cuda {

namespace {

namespace a = arithmetic;

// A block's threads between two barriers run here one after another: first each stages its share
// of the slab, then each continues its chains over it, as kernels.cu's gemm_tiles does.
void gemm_tiles_on_host(const a::GemmOperands& g) {
  struct Chains {
    float acc[a::kThreadM][a::kThreadN];
  };
  // A block's shared memory and its threads' registers (20 KB), on the stack: a step allocates nothing.
  float As[a::kTileK * a::kTileM], Bs[a::kTileK * a::kTileN];
  Chains threads[a::kTileThreads];
  for (int bm = 0; bm * a::kTileM < g.M; bm++)
    for (int bn = 0; bn * a::kTileN < g.N; bn++) {
      for (int t = 0; t < a::kTileThreads; t++)
        a::start_chains(threads[t].acc, g, a::thread_row(bm, t), a::thread_col(bn, t));
      for (int k0 = 0; k0 < g.K; k0 += a::kTileK) {
        for (int t = 0; t < a::kTileThreads; t++) a::stage_slab(As, Bs, g, bm, bn, k0, t);
        const int depth = g.K - k0 < a::kTileK ? g.K - k0 : a::kTileK;
        for (int t = 0; t < a::kTileThreads; t++)
          a::continue_chains(threads[t].acc, As + a::thread_row(bm, t) - bm * a::kTileM,
                             Bs + a::thread_col(bn, t) - bn * a::kTileN, depth);
      }
      for (int t = 0; t < a::kTileThreads; t++)
        a::store_chains(threads[t].acc, g, a::thread_row(bm, t), a::thread_col(bn, t));
    }
}

struct OnHostLauncher : HostLauncher {
  static void gemm(const a::GemmOperands& g) { gemm_tiles_on_host(g); }
};

}  // namespace

KernelSet kernels_on_host() { return grid::kernel_set<OnHostLauncher>("cuda arithmetic on the host"); }

}  // namespace vrev::kernels::cuda
