#pragma once
// LayerNorm's arithmetic (eps 1e-5), a row or a column at a time, in the order of the CPU kernel
// (kernels/cpu/layernorm.cpp): row statistics as lane sums, the weight and bias gradients as
// chunks of rows summed in double and added in chunk order. Written once for the CPU and the GPU
// (VREV_HD); tests/test_cuda_arithmetic.cpp holds it to the CPU kernel bit for bit.
#include <cmath>

#include "kernels/host_device.h"
#include "kernels/sum_order.h"

namespace vrev::kernels::arithmetic {

// Row n of out (N, C), and mean[n], rstd[n].
VREV_HD inline void layernorm_forward_row(float* out, float* mean, float* rstd, const float* inp, const float* weight,
                                          const float* bias, int C, int n) {
  const float* x = inp + (long)n * C;
  const float m = lane_sum<float>(C, [=](long c) { return x[c]; }) / C;
  const float var = lane_sum<float>(C, [=](long c) { return (x[c] - m) * (x[c] - m); }) / C;
  const float s = 1.0f / std::sqrt(var + 1e-5f);
  float* y = out + (long)n * C;
  for (int c = 0; c < C; c++) y[c] = (x[c] - m) * s * weight[c] + bias[c];
  mean[n] = m;
  rstd[n] = s;
}

// Row n of dinp (N, C) (+)= s (dnorm - mean(dnorm) - norm mean(dnorm norm)), dnorm = dout weight.
VREV_HD inline void layernorm_backward_input_row(float* dinp, const float* dout, const float* inp, const float* weight,
                                                 const float* mean, const float* rstd, int C, int n, bool accumulate) {
  const float* x = inp + (long)n * C;
  const float* dy = dout + (long)n * C;
  float* dx = dinp + (long)n * C;
  const float m = mean[n], s = rstd[n];
  const float dnorm_mean = lane_sum<float>(C, [=](long c) { return dy[c] * weight[c]; }) / C;
  const float dnorm_norm_mean = lane_sum<float>(C, [=](long c) { return dy[c] * weight[c] * ((x[c] - m) * s); }) / C;
  for (int c = 0; c < C; c++) {
    const float norm = (x[c] - m) * s;
    const float dnorm = dy[c] * weight[c];
    const float value = (dnorm - dnorm_mean - norm * dnorm_norm_mean) * s;
    dx[c] = accumulate ? dx[c] + value : value;
  }
}

// dweight[c] += sum over rows of norm * dout, dbias[c] += sum over rows of dout (column c).
VREV_HD inline void layernorm_backward_params_at(float* dweight, float* dbias, const float* dout, const float* inp,
                                                 const float* mean, const float* rstd, int N, int C, int c) {
  if (N <= 0) return;
  double dw = 0.0, db = 0.0;
  for (int n0 = 0; n0 < N; n0 += kRowChunk) {
    const int n1 = n0 + kRowChunk < N ? n0 + kRowChunk : N;
    double dw_chunk = 0.0, db_chunk = 0.0;
    for (int n = n0; n < n1; n++) {
      const float norm = (inp[(long)n * C + c] - mean[n]) * rstd[n];
      const float dy = dout[(long)n * C + c];
      dw_chunk += (double)(norm * dy);
      db_chunk += (double)dy;
    }
    dw = n0 == 0 ? dw_chunk : dw + dw_chunk;
    db = n0 == 0 ? db_chunk : db + db_chunk;
  }
  dweight[c] += (float)dw;
  dbias[c] += (float)db;
}

}  // namespace vrev::kernels::arithmetic
