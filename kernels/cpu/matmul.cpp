// Linear-layer kernels on the CPU: the three matrix products through vrev's GEMM (or OpenBLAS's
// sgemm when selected), the forward's bias added by the GEMM as it finishes each block, OpenMP for
// the bias gradient; the plain-loop yardstick is kernels/ref/matmul.h.
// Accumulation (policy: kernels.h): out is overwritten; dweight and dbias are accumulated (+=), dinp as asked.
#include <cblas.h>

#include <algorithm>

#include "kernels/cpu/detail.h"
#include "kernels/cpu/gemm/gemm.h"
#include "kernels/cpu/kernels.h"

namespace vrev::kernels::cpu {

using detail::kParallelMin;
using detail::kRowChunk;

namespace {

struct Selection {
  Isa isa;
  GemmBackend gemm;
  gemm::Tile tile;
};

Selection& selection() {
  static Selection s = [] {
    const Isa isa = gemm::widest_supported();
    return Selection{isa, GemmBackend::vrev, gemm::tile_for(isa)};
  }();
  return s;
}

// C (M, N) (+)= op(A) op(B), then + bias per column when given, through the selected backend;
// see gemm::multiply.
void product(bool trans_a, bool trans_b, int M, int N, int K, const float* A, long lda, const float* B, long ldb,
             float* C, long ldc, bool accumulate, const float* bias = nullptr) {
  const Selection& s = selection();
  if (s.gemm == GemmBackend::vrev) {
    gemm::multiply(s.tile, trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate, bias);
    return;
  }
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {  // not every BLAS honours beta = 0 when k = 0
    if (!accumulate)
      for (int i = 0; i < M; i++) std::fill(C + (long)i * ldc, C + (long)i * ldc + N, 0.0f);
  } else {
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, M, N, K,
                1.0f, A, lda, B, ldb, accumulate ? 1.0f : 0.0f, C, ldc);
  }
  if (!bias) return;
#pragma omp parallel for schedule(static) if ((long)M * N >= kParallelMin)
  for (int i = 0; i < M; i++) gemm::add_bias(C + (long)i * ldc, ldc, 1, N, bias);
}

}  // namespace

void select_kernels(Isa isa, GemmBackend gemm) {
  if (isa == Isa::automatic) isa = gemm::widest_supported();
  selection() = Selection{isa, gemm, gemm::tile_for(isa)};
}

Isa selected_isa() { return selection().isa; }
GemmBackend selected_gemm() { return selection().gemm; }

void matmul_forward(float* out, const float* inp, const float* weight, const float* bias, int N, int IC, int OC) {
  // out (N, OC) = inp (N, IC) @ weight (OC, IC)^T (+ bias)
  product(false, true, N, OC, IC, inp, IC, weight, IC, out, OC, false, bias);
}

void matmul_backward_input(float* dinp, const float* dout, const float* weight, int N, int IC, int OC,
                           bool accumulate) {
  // dinp (N, IC) (+)= dout (N, OC) @ weight (OC, IC)
  product(false, false, N, IC, OC, dout, OC, weight, IC, dinp, IC, accumulate);
}

void matmul_backward_weight(float* dweight, const float* dout, const float* inp, int N, int IC, int OC) {
  // dweight (OC, IC) += dout (N, OC)^T @ inp (N, IC)
  product(true, false, OC, IC, N, dout, OC, inp, IC, dweight, IC, true);
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
