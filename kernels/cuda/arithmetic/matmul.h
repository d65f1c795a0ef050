#pragma once
// The Linear layer's arithmetic besides its products (those are tiles: gemm_tile.h): the fused
// multiply-add chain, in the order of the CPU kernels (kernels/cpu/matmul.cpp,
// kernels/cpu/gemm/gemm.h), that attention's products run, and the bias gradient, which sums fixed
// chunks of rows in double and adds the chunks in order. Written once for the CPU and the GPU
// (VREV_HD); tests/test_cuda_arithmetic.cpp holds it to the CPU kernels bit for bit.
#include <cmath>

#include "kernels/host_device.h"
#include "kernels/sum_order.h"

namespace vrev::kernels::arithmetic {

// acc continued by K fused multiply-adds a[k * sa] * b[k * sb], k = 0 .. K-1 in order. A chain
// split into consecutive pieces (tiles of k) gives the same bits as one call over the whole.
VREV_HD inline float fma_chain(float acc, const float* a, long sa, const float* b, long sb, int K) {
  for (int k = 0; k < K; k++) acc = std::fma(a[k * sa], b[k * sb], acc);
  return acc;
}

// dbias[o] += the sum over rows of dout (N, OC)[., o]: chunks of kRowChunk rows summed in double,
// the chunk sums added in chunk order.
VREV_HD inline void bias_backward_at(float* dbias, const float* dout, int N, int OC, int o) {
  if (N <= 0) return;
  double total = 0.0;
  for (int n0 = 0; n0 < N; n0 += kRowChunk) {
    const int n1 = n0 + kRowChunk < N ? n0 + kRowChunk : N;
    double chunk = 0.0;
    for (int n = n0; n < n1; n++) chunk += dout[(long)n * OC + o];
    total = n0 == 0 ? chunk : total + chunk;
  }
  dbias[o] += (float)total;
}

}  // namespace vrev::kernels::arithmetic
