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
// The largest register tile (MR * NR) and MR of any micro-kernel.
constexpr int kMaxTile = 8 * 32;
constexpr int kMaxPanelRows = 8;

int ceil_div(int a, int b) { return (a + b - 1) / b; }

// Rows of k packed per work item: a thread packs kKPack rows of k for many panels in a row, so
// the rows it reads stay in cache. (A panel packed alone would walk every row of X, a page apart
// when X is transposed.)
constexpr int kKPack = 64;

// One work item of packing X's panels of width w: rows k0 .. k1-1 of panel p, where
// X(k, idx) = x[k * sk + idx * si] and dst holds the panels (k-major, width w, K rows each):
// dst[p][k][r] = X(k, p * w + r), zero past idx = extent.
void pack_item(float* dst, const float* x, long sk, long si, int w, int extent, int K, int p, int k0, int k1) {
  const int i0 = p * w, n = std::min(w, extent - i0);
  float* d = dst + (long)p * w * K;
  if (si == 1) {  // a panel's row of w values is contiguous in X
    for (int k = k0; k < k1; k++) {
      const float* src = x + (long)k * sk + i0;
      float* row = d + (long)k * w;
      int r = 0;
      for (; r < n; r++) row[r] = src[r];
      for (; r < w; r++) row[r] = 0.0f;
    }
    return;
  }
  for (int r = 0; r < w; r++) {  // each of the panel's w lines is contiguous in X along k
    const float* src = x + (long)(i0 + r) * si;
    if (r < n)
      for (int k = k0; k < k1; k++) d[(long)k * w + r] = src[(long)k * sk];
    else
      for (int k = k0; k < k1; k++) d[(long)k * w + r] = 0.0f;
  }
}

// Asks for the rows x cols tile at c to be brought into cache: the micro-kernel starts each
// chain from C's old value, and without this every tile would wait for its C to arrive.
void prefetch_tile(const float* c, long ldc, int rows, int cols) {
  for (int r = 0; r < rows; r++) {
    __builtin_prefetch(c + r * ldc);
    __builtin_prefetch(c + r * ldc + cols - 1);
  }
}

// A tile at the edge of C: computed in a full-size buffer, of which the rows x cols corner is
// copied in and out, so that the micro-kernel always sees a whole tile. A read in place is first
// copied into a zero-padded panel, since the kernel reads all MR of its rows.
void edge_tile(const Tile& t, int kc, const float* a, long rs_a, long cs_a, const float* b, float* c, long ldc,
               int rows, int cols, bool load_c) {
  alignas(64) float buf[kMaxTile];
  alignas(64) float panel[kMaxPanelRows * kKC];
  if (rs_a != 1) {
    for (int k = 0; k < kc; k++)
      for (int r = 0; r < t.mr; r++) panel[k * t.mr + r] = r < rows ? a[r * rs_a + k * cs_a] : 0.0f;
    a = panel;
    rs_a = 1;
    cs_a = t.mr;
  }
  for (int r = 0; r < rows; r++)
    for (int j = 0; j < cols; j++) buf[r * t.nr + j] = load_c ? c[r * ldc + j] : 0.0f;
  t.kernel(kc, a, rs_a, cs_a, b, buf, t.nr, true);
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
  const int kc_max = std::min(K, kKC);
  // Untransposed A is read in place (its rows run along k); transposed A is packed.
  const bool pack_a = trans_a;
  float* pa = pack_a ? detail::scratch<float>(detail::kSlotGemmA, (long)mpanels * t.mr * kc_max) : nullptr;  // (mpanels, kc, MR)
  float* pb = detail::scratch<float>(detail::kSlotGemmB, (long)npanels * t.nr * kc_max);  // (npanels, kc, NR)
  const int mblocks = ceil_div(M, kMC), nblocks = ceil_div(N, kNC);
  // op(A)[i][k] and op(B)[k][j] as X(k, idx) = x[k * sk + idx * si].
  const long a_sk = trans_a ? lda : 1, a_si = trans_a ? 1 : lda;
  const long b_sk = trans_b ? 1 : ldb, b_si = trans_b ? ldb : 1;
#pragma omp parallel if ((long)M * N * K >= kParallelWork)
  // One K block at a time: its slices of A and B are packed together, then every block of C
  // takes its next stretch of chains from them while they are still in cache.
  for (int k0 = 0; k0 < K; k0 += kKC) {
    const int kc = std::min(kKC, K - k0);
    const int kpacks = ceil_div(kc, kKPack);
#pragma omp for schedule(static) nowait
    for (int item = 0; item < (pack_a ? kpacks * mpanels : 0); item++) {
      const int p = item % mpanels, k1 = item / mpanels * kKPack;
      pack_item(pa, A + k0 * a_sk, a_sk, a_si, t.mr, M, kc, p, k1, std::min(kc, k1 + kKPack));
    }
#pragma omp for schedule(static)
    for (int item = 0; item < kpacks * npanels; item++) {
      const int p = item % npanels, k1 = item / npanels * kKPack;
      pack_item(pb, B + k0 * b_sk, b_sk, b_si, t.nr, N, kc, p, k1, std::min(kc, k1 + kKPack));
    }
    const bool load_c = accumulate || k0 > 0;  // later K blocks continue the chains in C
    // Which thread takes which block changes nothing in the result, so blocks are handed out
    // dynamically for balance. The loop's closing barrier keeps the packed slices until all
    // blocks are done.
#pragma omp for schedule(dynamic)
    for (int block = 0; block < mblocks * nblocks; block++) {
      const int i0 = block / nblocks * kMC, i1 = std::min(M, i0 + kMC);
      const int j0 = block % nblocks * kNC, j1 = std::min(N, j0 + kNC);
      for (int j = j0; j < j1; j += t.nr) {
        const float* b = pb + (long)(j / t.nr) * t.nr * kc;
        const int cols = std::min(t.nr, N - j);
        for (int i = i0; i < i1; i += t.mr) {
          const float* a = pack_a ? pa + (long)(i / t.mr) * t.mr * kc : A + (long)i * lda + k0;
          const long rs_a = pack_a ? 1 : lda, cs_a = pack_a ? t.mr : 1;
          const int rows = std::min(t.mr, M - i);
          float* c = C + (long)i * ldc + j;
          if (load_c) prefetch_tile(c + (long)t.mr * ldc, ldc, std::min(t.mr, M - i - t.mr), cols);
          if (rows == t.mr && cols == t.nr)
            t.kernel(kc, a, rs_a, cs_a, b, c, ldc, load_c);
          else
            edge_tile(t, kc, a, rs_a, cs_a, b, c, ldc, rows, cols, load_c);
        }
      }
    }
  }
}

}  // namespace vrev::kernels::cpu::gemm
