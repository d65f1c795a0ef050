#pragma once
// Reference LayerNorm over the last dimension (eps 1e-5), templated on the scalar type; the exact
// yardstick for kernels/cpu/layernorm.cpp, not a fast path.
#include <algorithm>
#include <cmath>

namespace vrev::kernels::ref {

// out (N, C) = (inp - mean) * rstd * weight + bias; mean, rstd (N) are saved for the backward.
template <class S>
void layernorm_forward(S* out, S* mean, S* rstd, const S* inp, const S* weight, const S* bias, int N, int C) {
  const S eps = S(1e-5);
  for (int n = 0; n < N; n++) {
    const S* x = inp + (long)n * C;
    S m = 0;
    for (int c = 0; c < C; c++) m += x[c];
    m /= C;
    S var = 0;
    for (int c = 0; c < C; c++) var += (x[c] - m) * (x[c] - m);
    var /= C;
    S s = S(1) / std::sqrt(var + eps);
    S* y = out + (long)n * C;
    for (int c = 0; c < C; c++) y[c] = (x[c] - m) * s * weight[c] + bias[c];
    mean[n] = m;
    rstd[n] = s;
  }
}

// dinp (N, C) (+)=, dweight (C) and dbias (C) +=, from dout (N, C) and the saved mean, rstd (N).
template <class S>
void layernorm_backward(S* dinp, S* dweight, S* dbias, const S* dout, const S* inp, const S* weight, const S* mean,
                        const S* rstd, int N, int C, bool accumulate) {
  if (!accumulate) std::fill(dinp, dinp + (long)N * C, S(0));
  for (int n = 0; n < N; n++) {
    const S* x = inp + (long)n * C;
    const S* dy = dout + (long)n * C;
    const S m = mean[n], s = rstd[n];
    // dnorm = dy * weight; dx = s * (dnorm - mean(dnorm) - norm * mean(dnorm * norm))
    S dnorm_mean = 0, dnorm_norm_mean = 0;
    for (int c = 0; c < C; c++) {
      S norm = (x[c] - m) * s;
      S dnorm = dy[c] * weight[c];
      dnorm_mean += dnorm;
      dnorm_norm_mean += dnorm * norm;
    }
    dnorm_mean /= C;
    dnorm_norm_mean /= C;
    S* dx = dinp + (long)n * C;
    for (int c = 0; c < C; c++) {
      S norm = (x[c] - m) * s;
      S dnorm = dy[c] * weight[c];
      dbias[c] += dy[c];
      dweight[c] += norm * dy[c];
      dx[c] += (dnorm - dnorm_mean - norm * dnorm_norm_mean) * s;
    }
  }
}

}  // namespace vrev::kernels::ref
