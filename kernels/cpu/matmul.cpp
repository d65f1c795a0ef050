// Linear-layer kernels on the CPU: OpenBLAS sgemm for the three matrix products, OpenMP for the
// bias; the plain-loop yardstick is kernels/ref/matmul.h.
// Accumulation policy: out is overwritten; dinp, dweight and dbias are accumulated (+=).
#include <cblas.h>

#include <algorithm>

#include "kernels/cpu/detail.h"
#include "kernels/cpu/kernels.h"

namespace vrev::kernels::cpu {

using detail::kParallelMin;
using detail::kRowChunk;

void matmul_forward(float* out, const float* inp, const float* weight, int N, int IC, int OC) {
  if (N <= 0 || OC <= 0) return;
  if (IC <= 0) {  // an empty product is zero; not every BLAS honours beta = 0 when k = 0
    for (long i = 0; i < (long)N * OC; i++) out[i] = 0.0f;
    return;
  }
  // out (N, OC) = inp (N, IC) @ weight (OC, IC)^T
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, OC, IC, 1.0f, inp, IC, weight, IC, 0.0f, out, OC);
}

void matmul_backward_input(float* dinp, const float* dout, const float* weight, int N, int IC, int OC) {
  if (N <= 0 || IC <= 0 || OC <= 0) return;
  // dinp (N, IC) += dout (N, OC) @ weight (OC, IC)
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, IC, OC, 1.0f, dout, OC, weight, IC, 1.0f, dinp, IC);
}

void matmul_backward_weight(float* dweight, const float* dout, const float* inp, int N, int IC, int OC) {
  if (N <= 0 || IC <= 0 || OC <= 0) return;
  // dweight (OC, IC) += dout (N, OC)^T @ inp (N, IC)
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, OC, IC, N, 1.0f, dout, OC, inp, IC, 1.0f, dweight, IC);
}

void bias_forward(float* out, const float* bias, int N, int OC) {
#pragma omp parallel for schedule(static) if ((long)N * OC >= kParallelMin)
  for (int n = 0; n < N; n++) {
    float* y = out + (long)n * OC;
#pragma omp simd
    for (int o = 0; o < OC; o++) y[o] += bias[o];
  }
}

void bias_backward(float* dbias, const float* dout, int N, int OC) {
  if (N <= 0 || OC <= 0) return;
  // Column sums over fixed chunks of kRowChunk rows (partials (nchunk, OC), in double), then the
  // partials are added in chunk order: the same sums in the same order for any thread count.
  const int nchunk = (N + kRowChunk - 1) / kRowChunk;
  double* partial = detail::scratch<double>(detail::kSlotShared0, (long)nchunk * OC);
#pragma omp parallel for schedule(static) if ((long)N * OC >= kParallelMin)
  for (int k = 0; k < nchunk; k++) {
    double* acc = partial + (long)k * OC;
    for (int o = 0; o < OC; o++) acc[o] = 0.0;
    const int n1 = std::min(N, (k + 1) * kRowChunk);
    for (int n = k * kRowChunk; n < n1; n++) {
      const float* dy = dout + (long)n * OC;
#pragma omp simd
      for (int o = 0; o < OC; o++) acc[o] += dy[o];
    }
  }
  detail::sum_partials(partial, nchunk, OC);
  for (int o = 0; o < OC; o++) dbias[o] += (float)partial[o];
}

}  // namespace vrev::kernels::cpu
