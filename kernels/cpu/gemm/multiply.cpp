// The GEMM driver: packing, cache blocking and threads around one micro-kernel (gemm.h).
// Nothing here changes which multiply-adds an element of C receives or their order: packing
// copies, blocking chooses which tile is computed when, threads choose by whom.
#include <algorithm>

#include "kernels/cpu/detail.h"
#include "kernels/cpu/gemm/gemm.h"

namespace vrev::kernels::cpu::gemm {

namespace {

// Cache blocks: a KC-long slice of a B panel (KC * NR floats, 16 KB for AVX2) stays in L1 while
// it meets every A panel of an MC-row block (MC * KC floats, 96 KB) held in L2. MC and NC are
// multiples of every tile's MR and NR.
constexpr int kKC = 256;
constexpr int kMC = 96;
constexpr int kNC = 256;
// Multiply-adds below which one thread does the whole product.
constexpr long kParallelWork = 1L << 20;
// The largest register tile (MR * NR) of any micro-kernel.
constexpr int kMaxTile = 8 * 32;

int ceil_div(int a, int b) { return (a + b - 1) / b; }

// Packed A panel p: dst[k * mr + r] = op(A)[p * mr + r][k], zero past row M.
void pack_a(float* dst, int p, int mr, bool trans, int M, int K, const float* A, long lda) {
  const int i0 = p * mr, rows = std::min(mr, M - i0);
  if (trans) {  // op(A)[i][k] = A[k][i]: rows of a panel are contiguous in A
    for (int k = 0; k < K; k++) {
      const float* src = A + (long)k * lda + i0;
      float* d = dst + (long)k * mr;
      int r = 0;
      for (; r < rows; r++) d[r] = src[r];
      for (; r < mr; r++) d[r] = 0.0f;
    }
    return;
  }
  for (int r = 0; r < mr; r++) {
    const float* src = A + (long)(i0 + r) * lda;
    if (r < rows)
      for (int k = 0; k < K; k++) dst[(long)k * mr + r] = src[k];
    else
      for (int k = 0; k < K; k++) dst[(long)k * mr + r] = 0.0f;
  }
}

// Packed B panel p: dst[k * nr + c] = op(B)[k][p * nr + c], zero past column N.
void pack_b(float* dst, int p, int nr, bool trans, int N, int K, const float* B, long ldb) {
  const int j0 = p * nr, cols = std::min(nr, N - j0);
  if (!trans) {  // op(B)[k][j] = B[k][j]: columns of a panel are contiguous in B
    for (int k = 0; k < K; k++) {
      const float* src = B + (long)k * ldb + j0;
      float* d = dst + (long)k * nr;
      int c = 0;
      for (; c < cols; c++) d[c] = src[c];
      for (; c < nr; c++) d[c] = 0.0f;
    }
    return;
  }
  for (int c = 0; c < nr; c++) {
    const float* src = B + (long)(j0 + c) * ldb;
    if (c < cols)
      for (int k = 0; k < K; k++) dst[(long)k * nr + c] = src[k];
    else
      for (int k = 0; k < K; k++) dst[(long)k * nr + c] = 0.0f;
  }
}

// A tile at the edge of C: computed in a full-size buffer, of which the rows x cols corner is
// copied in and out, so that the micro-kernel always sees a whole tile.
void edge_tile(const Tile& t, int kc, const float* a, const float* b, float* c, long ldc, int rows, int cols,
               bool load_c) {
  alignas(64) float buf[kMaxTile];
  for (int r = 0; r < rows; r++)
    for (int j = 0; j < cols; j++) buf[r * t.nr + j] = load_c ? c[r * ldc + j] : 0.0f;
  t.kernel(kc, a, b, buf, t.nr, true);
  for (int r = 0; r < rows; r++)
    for (int j = 0; j < cols; j++) c[r * ldc + j] = buf[r * t.nr + j];
}

}  // namespace

void multiply(const Tile& t, bool trans_a, bool trans_b, int M, int N, int K, const float* A, long lda,
              const float* B, long ldb, float* C, long ldc, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {  // an empty sum: C keeps its value, or becomes zero
    if (!accumulate)
      for (int i = 0; i < M; i++) std::fill(C + (long)i * ldc, C + (long)i * ldc + N, 0.0f);
    return;
  }
  const int mpanels = ceil_div(M, t.mr), npanels = ceil_div(N, t.nr);
  float* pa = detail::scratch<float>(detail::kSlotGemmA, (long)mpanels * t.mr * K);  // (mpanels, K, MR)
  float* pb = detail::scratch<float>(detail::kSlotGemmB, (long)npanels * t.nr * K);  // (npanels, K, NR)
  const int mblocks = ceil_div(M, kMC), nblocks = ceil_div(N, kNC);
#pragma omp parallel if ((long)M * N * K >= kParallelWork)
  {
#pragma omp for schedule(static)
    for (int p = 0; p < mpanels + npanels; p++) {
      if (p < mpanels)
        pack_a(pa + (long)p * t.mr * K, p, t.mr, trans_a, M, K, A, lda);
      else
        pack_b(pb + (long)(p - mpanels) * t.nr * K, p - mpanels, t.nr, trans_b, N, K, B, ldb);
    }
    // Which thread takes which block changes nothing in the result, so blocks are handed out
    // dynamically for balance.
#pragma omp for schedule(dynamic)
    for (int block = 0; block < mblocks * nblocks; block++) {
      const int i0 = block / nblocks * kMC, i1 = std::min(M, i0 + kMC);
      const int j0 = block % nblocks * kNC, j1 = std::min(N, j0 + kNC);
      for (int k0 = 0; k0 < K; k0 += kKC) {
        const int kc = std::min(kKC, K - k0);
        const bool load_c = accumulate || k0 > 0;  // later K blocks continue the chain in C
        for (int j = j0; j < j1; j += t.nr) {
          const float* b = pb + (long)(j / t.nr) * t.nr * K + (long)k0 * t.nr;
          const int cols = std::min(t.nr, N - j);
          for (int i = i0; i < i1; i += t.mr) {
            const float* a = pa + (long)(i / t.mr) * t.mr * K + (long)k0 * t.mr;
            const int rows = std::min(t.mr, M - i);
            float* c = C + (long)i * ldc + j;
            if (rows == t.mr && cols == t.nr)
              t.kernel(kc, a, b, c, ldc, load_c);
            else
              edge_tile(t, kc, a, b, c, ldc, rows, cols, load_c);
          }
        }
      }
    }
  }
}

}  // namespace vrev::kernels::cpu::gemm
