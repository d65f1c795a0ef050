// The GEMM driver: packing, cache blocking and threads around one micro-kernel (gemm.h).
// Nothing here changes which multiply-adds an element of C receives or their order: packing
// copies, blocking chooses which tile is computed when, threads choose by whom.
#include <omp.h>

#include <algorithm>

#include "kernels/cpu/detail.h"
#include "kernels/cpu/gemm/gemm.h"

namespace vrev::kernels::cpu::gemm {

namespace {

// Cache blocks: a KC-long slice of a B panel (KC * NR floats, 16 KB for AVX2) stays in L1 while
// it meets every A panel of an MC-row block (MC * KC floats, 96 KB) held in L2. A tile uses the
// largest multiples of its MR and NR not above MC and NC.
constexpr int kKC = 256;
constexpr int kMC = 96;
constexpr int kNC = 256;
// Untransposed B is read in place only for fewer rows of A than this, and rows of B at most this
// many floats apart (a panel's k rows then spread over at least 8 of L1's 64 sets).
constexpr int kPackBMinRows = 512;
constexpr long kInPlaceMaxLdb = 128;
// Multiply-adds below which one thread does the whole product.
constexpr long kParallelWork = 1L << 20;
// The largest register tile (MR * NR) and MR of any micro-kernel.
constexpr int kMaxTile = 8 * 32;
constexpr int kMaxPanelRows = 8;
constexpr int kMaxPanelCols = 32;

int ceil_div(int a, int b) { return (a + b - 1) / b; }

// Rows of k packed per work item: a thread packs kKPack rows of k for many panels in a row, so
// the rows it reads stay in cache. (A panel packed alone would walk every row of X, a page apart
// when X is transposed.)
constexpr int kKPack = 64;

// Rows k0 .. k1-1 of a whole panel whose rows of W values are contiguous in X: a fixed-size copy
// per row, which the compiler turns into a few vector moves.
template <int W>
void copy_rows(float* d, const float* x, long sk, int k0, int k1) {
  for (int k = k0; k < k1; k++) {
    const float* src = x + (long)k * sk;
    float* row = d + (long)k * W;
    for (int r = 0; r < W; r++) row[r] = src[r];
  }
}

// One work item of packing X's panels of width w: rows k0 .. k1-1 of panel p, where
// X(k, idx) = x[k * sk + idx * si] and dst holds the panels (k-major, width w, K rows each):
// dst[p][k][r] = X(k, p * w + r), zero past idx = extent.
void pack_item(float* dst, const float* x, long sk, long si, int w, int extent, int K, int p, int k0, int k1) {
  const int i0 = p * w, n = std::min(w, extent - i0);
  float* d = dst + (long)p * w * K;
  if (si == 1 && n == w) {
    switch (w) {
      case 6: return copy_rows<6>(d, x + i0, sk, k0, k1);
      case 8: return copy_rows<8>(d, x + i0, sk, k0, k1);
      case 12: return copy_rows<12>(d, x + i0, sk, k0, k1);
      case 16: return copy_rows<16>(d, x + i0, sk, k0, k1);
      case 32: return copy_rows<32>(d, x + i0, sk, k0, k1);
      default: break;
    }
  }
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
void edge_tile(const Tile& t, int kc, const float* a, long rs_a, long cs_a, const float* b, long ldb, float* c,
               long ldc, int rows, int cols, bool load_c) {
  alignas(64) float buf[kMaxTile];
  alignas(64) float panel[kMaxPanelRows * kKC];
  alignas(64) float bpanel[kMaxPanelCols * kKC];
  if (ldb != t.nr) {
    for (int k = 0; k < kc; k++)
      for (int j = 0; j < t.nr; j++) bpanel[k * t.nr + j] = j < cols ? b[k * ldb + j] : 0.0f;
    b = bpanel;
    ldb = t.nr;
  }
  if (rs_a != 1) {
    for (int k = 0; k < kc; k++)
      for (int r = 0; r < t.mr; r++) panel[k * t.mr + r] = r < rows ? a[r * rs_a + k * cs_a] : 0.0f;
    a = panel;
    rs_a = 1;
    cs_a = t.mr;
  }
  for (int r = 0; r < rows; r++)
    for (int j = 0; j < cols; j++) buf[r * t.nr + j] = load_c ? c[r * ldc + j] : 0.0f;
  t.kernel(kc, a, rs_a, cs_a, b, ldb, buf, t.nr, true);
  for (int r = 0; r < rows; r++)
    for (int j = 0; j < cols; j++) c[r * ldc + j] = buf[r * t.nr + j];
}

}  // namespace

void add_bias(float* c, long ldc, int rows, int cols, const float* bias) {
  for (int r = 0; r < rows; r++)
#pragma omp simd
    for (int j = 0; j < cols; j++) c[r * ldc + j] += bias[j];
}

void multiply(const Tile& t, bool trans_a, bool trans_b, int M, int N, int K, const float* A, long lda,
              const float* B, long ldb, float* C, long ldc, bool accumulate, const float* bias) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {  // an empty sum: C keeps its value, or becomes zero
    if (!accumulate)
      for (int i = 0; i < M; i++) std::fill(C + (long)i * ldc, C + (long)i * ldc + N, 0.0f);
    if (bias) add_bias(C, ldc, M, N, bias);
    return;
  }
  const int mpanels = ceil_div(M, t.mr), npanels = ceil_div(N, t.nr);
  const int kc_max = std::min(K, kKC);
  // Untransposed A is read in place (its rows run along k, and each is used by few B panels);
  // transposed A is packed.
  const bool pack_a = trans_a;
  float* pa = pack_a ? detail::scratch<float>(detail::kSlotGemmA, (long)mpanels * t.mr * kc_max) : nullptr;  // (mpanels, kc, MR)
  // B is packed when transposed (the kernel reads its rows along k), when many row panels of A
  // will reuse each of its panels, or when its rows lie so far apart that a panel read in place
  // would crowd a few cache sets. Otherwise (a short A, as in a weight gradient) it is read in
  // place: copying it would cost more than the reuse saves.
  const bool pack_b = trans_b || M >= kPackBMinRows || ldb > kInPlaceMaxLdb;
  float* pb = pack_b ? detail::scratch<float>(detail::kSlotGemmB, (long)npanels * t.nr * kc_max) : nullptr;
  // Blocks of C small enough that every thread gets several (for balance), large enough to reuse
  // what is in cache: halve MC, then NC, while there are fewer than 4 per thread.
  const bool parallel = (long)M * N * K >= kParallelWork;
  const int want = parallel ? 4 * omp_get_max_threads() : 1;
  int mc = kMC / t.mr * t.mr, nc = kNC / t.nr * t.nr;
  while (ceil_div(M, mc) * ceil_div(N, nc) < want && mc > 4 * t.mr) mc = ceil_div(mc / 2, t.mr) * t.mr;
  while (ceil_div(M, mc) * ceil_div(N, nc) < want && nc > 2 * t.nr) nc = ceil_div(nc / 2, t.nr) * t.nr;
  const int mblocks = ceil_div(M, mc), nblocks = ceil_div(N, nc);
  // op(A)[i][k] and op(B)[k][j] as X(k, idx) = x[k * sk + idx * si].
  const long a_sk = trans_a ? lda : 1, a_si = trans_a ? 1 : lda;
  const long b_sk = trans_b ? 1 : ldb, b_si = trans_b ? ldb : 1;
#pragma omp parallel if (parallel)
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
    for (int item = 0; item < (pack_b ? kpacks * npanels : 0); item++) {
      const int p = item % npanels, k1 = item / npanels * kKPack;
      pack_item(pb, B + k0 * b_sk, b_sk, b_si, t.nr, N, kc, p, k1, std::min(kc, k1 + kKPack));
    }
    const bool load_c = accumulate || k0 > 0;  // later K blocks continue the chains in C
    const bool last = k0 + kc == K;
    // Which thread takes which block changes nothing in the result, so blocks are handed out
    // dynamically for balance. The loop's closing barrier keeps the packed slices until all
    // blocks are done.
#pragma omp for schedule(dynamic)
    for (int block = 0; block < mblocks * nblocks; block++) {
      const int i0 = block / nblocks * mc, i1 = std::min(M, i0 + mc);
      const int j0 = block % nblocks * nc, j1 = std::min(N, j0 + nc);
      for (int j = j0; j < j1; j += t.nr) {
        const float* b = pack_b ? pb + (long)(j / t.nr) * t.nr * kc : B + (long)k0 * ldb + j;
        const long ldb_tile = pack_b ? t.nr : ldb;
        const int cols = std::min(t.nr, N - j);
        for (int i = i0; i < i1; i += t.mr) {
          const float* a = pack_a ? pa + (long)(i / t.mr) * t.mr * kc : A + (long)i * lda + k0;
          const long rs_a = pack_a ? 1 : lda, cs_a = pack_a ? t.mr : 1;
          const int rows = std::min(t.mr, M - i);
          float* c = C + (long)i * ldc + j;
          if (load_c) prefetch_tile(c + (long)t.mr * ldc, ldc, std::min(t.mr, M - i - t.mr), cols);
          if (rows == t.mr && cols == t.nr)
            t.kernel(kc, a, rs_a, cs_a, b, ldb_tile, c, ldc, load_c);
          else
            edge_tile(t, kc, a, rs_a, cs_a, b, ldb_tile, c, ldc, rows, cols, load_c);
        }
      }
      // The block is finished and still in L2 (a tile alone is too short a row for the vector loop).
      if (bias && last) add_bias(C + (long)i0 * ldc + j0, ldc, i1 - i0, j1 - j0, bias + j0);
    }
  }
}

}  // namespace vrev::kernels::cpu::gemm
