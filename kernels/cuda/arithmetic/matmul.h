#pragma once
// The Linear layer's arithmetic, one output element at a time, in the order of the CPU kernels
// (kernels/cpu/matmul.cpp, kernels/cpu/gemm/gemm.h): each element of a product is ONE fused
// multiply-add chain over k = 0 .. K-1 in order, started from zero (or from the old value when
// accumulating), and a bias is added to the finished chain, one rounding; the bias gradient sums
// fixed chunks of rows in double and adds the chunks in order. Written once for the CPU and the
// GPU (VREV_HD); tests/test_cuda_arithmetic.cpp holds it to the CPU kernels bit for bit.
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

// out[n][o] of out (N, OC) = inp (N, IC) @ weight (OC, IC)^T (+ bias (OC) when not null).
VREV_HD inline void matmul_forward_at(float* out, const float* inp, const float* weight, const float* bias, int IC,
                                      int OC, int n, int o) {
  const float chain = fma_chain(0.0f, inp + (long)n * IC, 1, weight + (long)o * IC, 1, IC);
  out[(long)n * OC + o] = bias ? chain + bias[o] : chain;
}

// dinp[n][i] of dinp (N, IC) (+)= dout (N, OC) @ weight (OC, IC).
VREV_HD inline void matmul_backward_input_at(float* dinp, const float* dout, const float* weight, int IC, int OC, int n,
                                             int i, bool accumulate) {
  float& d = dinp[(long)n * IC + i];
  d = fma_chain(accumulate ? d : 0.0f, dout + (long)n * OC, 1, weight + i, IC, OC);
}

// dweight[o][i] of dweight (OC, IC) += dout (N, OC)^T @ inp (N, IC).
VREV_HD inline void matmul_backward_weight_at(float* dweight, const float* dout, const float* inp, int N, int IC,
                                              int OC, int o, int i) {
  float& d = dweight[(long)o * IC + i];
  d = fma_chain(d, dout + o, OC, inp + i, IC, N);
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
