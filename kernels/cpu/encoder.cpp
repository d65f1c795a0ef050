// Token + position embedding on the CPU, OpenMP over rows (forward) and over distinct tokens and
// positions (backward); the plain-loop yardstick is kernels/ref/encoder.h.
// Accumulation (policy: kernels.h): out is overwritten; dwte and dwpe are accumulated (+=).
#include <algorithm>

#include "kernels/cpu/detail.h"
#include "kernels/cpu/kernels.h"

namespace vrev::kernels::cpu {

using detail::kParallelMin;

void encoder_forward(float* out, const int32_t* tokens, const float* wte, const float* wpe, int B, int T, int C) {
  const int N = B * T;
#pragma omp parallel for schedule(static) if ((long)N * C >= kParallelMin)
  for (int n = 0; n < N; n++) {
    const float* e = wte + (long)tokens[n] * C;  // (C)
    const float* p = wpe + (long)(n % T) * C;    // (C)
    float* y = out + (long)n * C;                // (C)
#pragma omp simd
    for (int c = 0; c < C; c++) y[c] = e[c] + p[c];
  }
}

void encoder_backward(float* dwte, float* dwpe, const float* dout, const int32_t* tokens, int B, int T, int C) {
  const int N = B * T;
  if (N <= 0 || C <= 0) return;
  const bool parallel = (long)N * C >= kParallelMin;
  // dwpe (T, C): each position t sums its B rows in order of b.
#pragma omp parallel for schedule(static) if (parallel)
  for (int t = 0; t < T; t++) {
    float* dp = dwpe + (long)t * C;
    for (int b = 0; b < B; b++) {
      const float* dy = dout + ((long)b * T + t) * C;
#pragma omp simd
      for (int c = 0; c < C; c++) dp[c] += dy[c];
    }
  }
  // dwte (V, C): several rows may share a token, so group the rows by token (sorted by (token,
  // row), so each group stays in row order) and give each distinct token to one thread.
  int* order = detail::scratch<int>(detail::kSlotShared0, N);      // (N) row indices grouped by token
  int* start = detail::scratch<int>(detail::kSlotShared1, N + 1);  // group g: rows start[g] .. start[g+1]
  for (int i = 0; i < N; i++) order[i] = i;
  std::sort(order, order + N, [&](int i, int j) { return tokens[i] != tokens[j] ? tokens[i] < tokens[j] : i < j; });
  int ngroup = 0;
  for (int i = 0; i < N; i++)
    if (i == 0 || tokens[order[i]] != tokens[order[i - 1]]) start[ngroup++] = i;
  start[ngroup] = N;
#pragma omp parallel for schedule(static) if (parallel)
  for (int g = 0; g < ngroup; g++) {
    float* de = dwte + (long)tokens[order[start[g]]] * C;
    for (int i = start[g]; i < start[g + 1]; i++) {
      const float* dy = dout + (long)order[i] * C;
#pragma omp simd
      for (int c = 0; c < C; c++) de[c] += dy[c];
    }
  }
}

}  // namespace vrev::kernels::cpu
