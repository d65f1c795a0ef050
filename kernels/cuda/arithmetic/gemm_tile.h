#pragma once
// The Linear layer's three products as tiles (kernels/cuda/gemm_tiles.h runs them): a block of
// threads computes a kTileM x kTileN tile of the output; slabs of kTileK columns of A and rows of B
// are staged in shared memory in k order, and each thread keeps a kThreadM x kThreadN tile of
// outputs in registers. Each output element is still ONE fused multiply-add chain over k = 0 .. K-1
// in order, started from zero (or from the old value when accumulating), continued slab after
// slab, with a bias added once to the finished chain: the order of matmul.h and of the CPU's GEMM
// (kernels/sum_order.h). A slab past K's end is cut short, never padded: fma(0, 0, -0.0f) is +0.0f,
// so a padded step could change a bit. Rows and columns past the output's edge are staged as
// zeros and never stored. Written once for the CPU and the GPU (VREV_HD);
// tests/test_cuda_arithmetic.cpp holds the tiles to the CPU kernels bit for bit.
#include <cmath>

#include "kernels/host_device.h"

namespace vrev::kernels::arithmetic {

inline constexpr int kTileM = 64, kTileN = 64, kTileK = 8;                      // a block's output tile, a slab's depth
inline constexpr int kThreadM = 4, kThreadN = 4;                                // a thread's register tile
inline constexpr int kTileThreads = (kTileM / kThreadM) * (kTileN / kThreadN);  // 256 to a block

// C (M, N) = init + A (M, K) @ B (K, N), every operand addressed through its strides, so that one
// tile code serves the three products: A(m, k) = a[m * a_m + k * a_k], B(k, n) = b[k * b_k + n *
// b_n], C(m, n) = c[m * c_m + n]. init is C's old value when accumulating, else zero; bias (N), when
// not null, is added to each finished chain.
struct GemmOperands {
  const float* a;
  long a_m, a_k;
  const float* b;
  long b_k, b_n;
  float* c;
  long c_m;
  const float* bias;
  bool accumulate;
  int M, N, K;
};

// out (N, OC) = inp (N, IC) @ weight (OC, IC)^T (+ bias)
VREV_HD inline GemmOperands forward_operands(float* out, const float* inp, const float* weight, const float* bias,
                                             int N, int IC, int OC) {
  return {inp, IC, 1, weight, 1, IC, out, OC, bias, false, N, OC, IC};
}

// dinp (N, IC) (+)= dout (N, OC) @ weight (OC, IC)
VREV_HD inline GemmOperands backward_input_operands(float* dinp, const float* dout, const float* weight, int N, int IC,
                                                    int OC, bool accumulate) {
  return {dout, OC, 1, weight, IC, 1, dinp, IC, nullptr, accumulate, N, IC, OC};
}

// dweight (OC, IC) += dout (N, OC)^T @ inp (N, IC)
VREV_HD inline GemmOperands backward_weight_operands(float* dweight, const float* dout, const float* inp, int N, int IC,
                                                     int OC) {
  return {dout, 1, OC, inp, IC, 1, dweight, IC, nullptr, true, OC, IC, N};
}

// The first row and column of the tile of block (bm, bn), and of thread t's register tile in it.
VREV_HD inline int thread_row(int bm, int t) { return bm * kTileM + (t / (kTileN / kThreadN)) * kThreadM; }
VREV_HD inline int thread_col(int bn, int t) { return bn * kTileN + (t % (kTileN / kThreadN)) * kThreadN; }

// Thread t's share of staging the slab from k0 of block (bm, bn): As (kTileK, kTileM) holds
// A(bm * kTileM + m, k0 + k) at As[k * kTileM + m], Bs (kTileK, kTileN) holds B(k0 + k, bn * kTileN + n)
// at Bs[k * kTileN + n]; zeros past the output's edge and past K.
VREV_HD inline void stage_slab(float* As, float* Bs, const GemmOperands& g, int bm, int bn, int k0, int t) {
  for (int i = t; i < kTileK * kTileM; i += kTileThreads) {
    const int k = i / kTileM, m = bm * kTileM + i % kTileM;
    As[i] = m < g.M && k0 + k < g.K ? g.a[m * g.a_m + (k0 + k) * g.a_k] : 0.0f;
  }
  for (int i = t; i < kTileK * kTileN; i += kTileThreads) {
    const int k = i / kTileN, n = bn * kTileN + i % kTileN;
    Bs[i] = n < g.N && k0 + k < g.K ? g.b[(k0 + k) * g.b_k + n * g.b_n] : 0.0f;
  }
}

// The register tile's chains before the first slab: the old values when accumulating, else zero.
VREV_HD inline void start_chains(float (&acc)[kThreadM][kThreadN], const GemmOperands& g, int row, int col) {
  for (int r = 0; r < kThreadM; r++)
    for (int c = 0; c < kThreadN; c++) {
      const int m = row + r, n = col + c;
      acc[r][c] = g.accumulate && m < g.M && n < g.N ? g.c[m * g.c_m + n] : 0.0f;
    }
}

// The chains continued over the slab's first `depth` steps of k, in order. As and Bs point at the
// thread's first row and column of the staged slab.
VREV_HD inline void continue_chains(float (&acc)[kThreadM][kThreadN], const float* As, const float* Bs, int depth) {
  for (int k = 0; k < depth; k++)
    for (int r = 0; r < kThreadM; r++)
      for (int c = 0; c < kThreadN; c++) acc[r][c] = std::fma(As[k * kTileM + r], Bs[k * kTileN + c], acc[r][c]);
}

// The finished chains into C, each plus its bias when there is one; nothing past the edge.
VREV_HD inline void store_chains(const float (&acc)[kThreadM][kThreadN], const GemmOperands& g, int row, int col) {
  for (int r = 0; r < kThreadM; r++)
    for (int c = 0; c < kThreadN; c++) {
      const int m = row + r, n = col + c;
      if (m < g.M && n < g.N) g.c[m * g.c_m + n] = g.bias ? acc[r][c] + g.bias[n] : acc[r][c];
    }
}

}  // namespace vrev::kernels::arithmetic
