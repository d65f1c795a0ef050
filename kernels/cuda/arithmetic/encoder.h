#pragma once
// The token + position embedding's arithmetic, one element at a time, in the order of the CPU
// kernel (kernels/cpu/encoder.cpp): each gradient element adds its rows one by one in row order.
// Written once for the CPU and the GPU (VREV_HD); tests/test_cuda_arithmetic.cpp holds it to the
// CPU kernel bit for bit.
#include <cstdint>

#include "kernels/host_device.h"

namespace vrev::kernels::arithmetic {

// out[n][c] of out (B * T, C) = wte[tokens[n]][c] + wpe[n % T][c].
VREV_HD inline void encoder_forward_at(float* out, const int32_t* tokens, const float* wte, const float* wpe, int T,
                                       int C, int n, int c) {
  out[(long)n * C + c] = wte[(long)tokens[n] * C + c] + wpe[(long)(n % T) * C + c];
}

// dwpe[t][c] += dout[b][t][c] for b = 0 .. B-1 in order.
VREV_HD inline void encoder_backward_wpe_at(float* dwpe, const float* dout, int B, int T, int C, int t, int c) {
  float acc = dwpe[(long)t * C + c];
  for (int b = 0; b < B; b++) acc += dout[((long)b * T + t) * C + c];
  dwpe[(long)t * C + c] = acc;
}

// dwte[v][c] += dout[m][c] for every row m (of N) whose token is v = tokens[n], in row order, when
// n is the first such row; nothing for a later row of the same token (its first row adds it). The
// rows of a token are the CPU's group of that token (kernels/cpu/encoder.cpp).
VREV_HD inline void encoder_backward_wte_at(float* dwte, const float* dout, const int32_t* tokens, int N, int C, int n,
                                            int c) {
  const int32_t v = tokens[n];
  for (int m = 0; m < n; m++)
    if (tokens[m] == v) return;
  float acc = dwte[(long)v * C + c];
  for (int m = n; m < N; m++)
    if (tokens[m] == v) acc += dout[(long)m * C + c];
  dwte[(long)v * C + c] = acc;
}

}  // namespace vrev::kernels::arithmetic
