// LayerNorm on the CPU (eps 1e-5), OpenMP over rows; the plain-loop yardstick is
// kernels/ref/layernorm.h.
// Accumulation (policy: kernels.h): out, mean and rstd are overwritten; dweight and dbias are accumulated
// (+=), dinp as asked.
#include <algorithm>
#include <cmath>

#include "kernels/cpu/detail.h"
#include "kernels/cpu/kernels.h"

namespace vrev::kernels::cpu {

using detail::kParallelMin;
using detail::kRowChunk;

void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* weight, const float* bias,
                       int N, int C) {
#pragma omp parallel for schedule(static) if ((long)N * C >= kParallelMin)
  for (int n = 0; n < N; n++) {
    const float* x = inp + (long)n * C;  // (C)
    const float m = detail::lane_sum<float>(C, [=](long c) { return x[c]; }) / C;
    // Two passes: no cancellation from E[x^2] - E[x]^2.
    const float var = detail::lane_sum<float>(C, [=](long c) { return (x[c] - m) * (x[c] - m); }) / C;
    const float s = 1.0f / std::sqrt(var + 1e-5f);
    float* y = out + (long)n * C;  // (C)
#pragma omp simd
    for (int c = 0; c < C; c++) y[c] = (x[c] - m) * s * weight[c] + bias[c];
    mean[n] = m;
    rstd[n] = s;
  }
}

void layernorm_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                        const float* weight, const float* mean, const float* rstd, int N, int C, bool accumulate) {
  if (N <= 0 || C <= 0) return;
  // dinp row by row; dweight and dbias as column sums over fixed chunks of kRowChunk rows, kept
  // in partial (nchunk, 2C) = [dweight | dbias] in double and combined in chunk order.
  const int nchunk = (N + kRowChunk - 1) / kRowChunk;
  const long C2 = 2L * C;
  double* partial = detail::scratch<double>(detail::kSlotShared0, nchunk * C2);
#pragma omp parallel for schedule(static) if ((long)N * C >= kParallelMin)
  for (int k = 0; k < nchunk; k++) {
    double* dw = partial + k * C2;  // (C)
    double* db = dw + C;            // (C)
    for (long c = 0; c < C2; c++) dw[c] = 0.0;
    const int n1 = std::min(N, (k + 1) * kRowChunk);
    for (int n = k * kRowChunk; n < n1; n++) {
      const float* x = inp + (long)n * C;
      const float* dy = dout + (long)n * C;
      float* dx = dinp + (long)n * C;
      const float m = mean[n], s = rstd[n];
      // dx = s * (dnorm - mean(dnorm) - norm * mean(dnorm * norm)), dnorm = dy * weight
      const float dnorm_mean = detail::lane_sum<float>(C, [=](long c) { return dy[c] * weight[c]; }) / C;
      const float dnorm_norm_mean =
          detail::lane_sum<float>(C, [=](long c) { return dy[c] * weight[c] * ((x[c] - m) * s); }) / C;
      detail::write_gradient(dx, 0, C, accumulate, [=](long c) {
        const float norm = (x[c] - m) * s;
        const float dnorm = dy[c] * weight[c];
        return (dnorm - dnorm_mean - norm * dnorm_norm_mean) * s;
      });
#pragma omp simd
      for (int c = 0; c < C; c++) {
        const float norm = (x[c] - m) * s;
        dw[c] += (double)(norm * dy[c]);
        db[c] += (double)dy[c];
      }
    }
  }
  detail::sum_partials(partial, nchunk, C2);
  for (int c = 0; c < C; c++) {
    dweight[c] += (float)partial[c];
    dbias[c] += (float)partial[C + c];
  }
}

}  // namespace vrev::kernels::cpu
