// Causal multi-head self-attention on the CPU: per (batch, head) pair, small matrix products over
// packed, zero-padded tiles with register-blocked loops; OpenMP over the pairs. The textbook
// yardstick is kernels/ref/attention.h. No flash-attention tiling: T is at most a few hundred
// here, so the (T, T) probabilities are stored and reused by the backward pass.
// Accumulation (policy: kernels.h): out and att are overwritten; dqkv is accumulated or overwritten as asked.
// Determinism: every sum runs over its index in an order fixed by the shapes, inside one thread:
// the tile products as FMA chains in increasing order, row sums in fixed lanes.
#include <algorithm>
#include <cmath>

#include "kernels/cpu/detail.h"
#include "kernels/cpu/kernels.h"
#include "kernels/math.h"

namespace vrev::kernels::cpu {

using math::exp_f;
using detail::kParallelMin;
using detail::kSlotThread0;
using detail::scratch;

namespace {

constexpr int kR = kAttentionRows;  // rows per register block (kernels/sum_order.h)
constexpr int kW = 16;  // columns per register block (one AVX-512 vector, two AVX2 vectors)

int round_up(int x, int m) { return (x + m - 1) / m * m; }

// S[r][j0 + j] = sum_{i < K} X[r][i] * YT[i][j0 + j], for r < kR, j < kW (overwritten).
inline void block_xyt(float* S, long lds, const float* X, long ldx, const float* YT, long ldy, int K, int j0) {
  float acc[kR][kW] = {};
  for (int i = 0; i < K; i++) {
    const float* y = YT + i * ldy + j0;
#pragma GCC unroll 8
    for (int r = 0; r < kR; r++) {
      const float x = X[r * ldx + i];
#pragma omp simd
      for (int j = 0; j < kW; j++) acc[r][j] = std::fma(x, y[j], acc[r][j]);
    }
  }
  for (int r = 0; r < kR; r++)
#pragma omp simd
    for (int j = 0; j < kW; j++) S[r * lds + j0 + j] = acc[r][j];
}

// Y[r][c0 + c] = sum_{k0 <= t < k1} P[r][t] * M[t][c0 + c], for r < kR, c < kW (overwritten).
inline void block_pm(float* Y, long ldy, const float* P, long ldp, const float* M, long ldm, int k0, int k1, int c0) {
  float acc[kR][kW] = {};
  for (int t = k0; t < k1; t++) {
    const float* m = M + t * ldm + c0;
#pragma GCC unroll 8
    for (int r = 0; r < kR; r++) {
      const float p = P[r * ldp + t];
#pragma omp simd
      for (int c = 0; c < kW; c++) acc[r][c] = std::fma(p, m[c], acc[r][c]);
    }
  }
  for (int r = 0; r < kR; r++)
#pragma omp simd
    for (int c = 0; c < kW; c++) Y[r * ldy + c0 + c] = acc[r][c];
}

// Y[r][c0 + c] = sum_{k0 <= t < k1} P[t][r] * M[t][c0 + c], for r < kR, c < kW (overwritten):
// the product with P transposed, read in place.
inline void block_ptm(float* Y, long ldy, const float* P, long ldp, const float* M, long ldm, int k0, int k1, int c0) {
  float acc[kR][kW] = {};
  for (int t = k0; t < k1; t++) {
    const float* m = M + t * ldm + c0;
#pragma GCC unroll 8
    for (int r = 0; r < kR; r++) {
      const float p = P[t * ldp + r];
#pragma omp simd
      for (int c = 0; c < kW; c++) acc[r][c] = std::fma(p, m[c], acc[r][c]);
    }
  }
  for (int r = 0; r < kR; r++)
#pragma omp simd
    for (int c = 0; c < kW; c++) Y[r * ldy + c0 + c] = acc[r][c];
}

// dst (rows, ld) = the n rows of src (w wide, stride apart), zero-padded to ld columns and rows.
inline void pack_rows(float* dst, long ld, int rows, const float* src, long stride, int n, int w) {
  for (int t = 0; t < rows; t++) {
    float* d = dst + t * ld;
    int i = 0;
    if (t < n)
      for (; i < w; i++) d[i] = src[t * stride + i];
    for (; i < ld; i++) d[i] = 0.0f;
  }
}

// dst (w, ld) = the n rows of src (w wide, stride apart) transposed, zero-padded to ld columns.
inline void pack_cols(float* dst, long ld, const float* src, long stride, int n, int w) {
  for (int i = 0; i < w; i++)
    for (int t = n; t < ld; t++) dst[i * ld + t] = 0.0f;
  for (int t0 = 0; t0 < n; t0 += kW) {  // kW source rows at a time: short contiguous stores
    const int t1 = std::min(n, t0 + kW);
    for (int i = 0; i < w; i++)
      for (int t = t0; t < t1; t++) dst[i * ld + t] = src[t * stride + i];
  }
}

// s[0 .. n) = softmax(scale * s[0 .. n)); s[n .. len) = 0. The loops run to n rounded up to kW
// (<= len) and mask the tail, so that short rows stay in whole vectors.
inline void softmax_row(float* s, int n, int len, float scale) {
  const int n_up = round_up(n, kW);
  float maxv = -INFINITY;
#pragma omp simd reduction(max : maxv)
  for (int t = 0; t < n_up; t++) {
    const float x = t < n ? s[t] * scale : -INFINITY;
    maxv = x > maxv ? x : maxv;
  }
#pragma omp simd
  for (int t = 0; t < n_up; t++) {
    const float e = exp_f(s[t] * scale - maxv);
    s[t] = t < n ? e : 0.0f;
  }
  const float sum = detail::lane_sum<float>(n_up, [=](long t) { return s[t]; });
  const float inv = 1.0f / sum;
#pragma omp simd
  for (int t = 0; t < n_up; t++) s[t] *= inv;
  for (int t = n_up; t < len; t++) s[t] = 0.0f;
}

// The forward core for one (batch, head) pair, shared by attention_forward and the cached variant
// so that both give the same numbers. Query r sits at position pos0 + r and sees keys 0 .. pos0 + r.
// Q (nq_pad, HSp) queries; KT (HS, nk_pad) keys transposed; V (nk_pad, HSp) values: packed,
// zero-padded. Writes P (nq_pad, nk_pad) probabilities (zero past each query's own position) and
// Y (nq_pad, HSp) outputs; rows past nq are padding.
void attend(float* Y, float* P, const float* Q, const float* KT, const float* V, int nq, int nq_pad, int nk_pad,
            int pos0, int HS, int HSp, float scale) {
  for (int r0 = 0; r0 < nq_pad; r0 += kR) {
    const int kend = std::min(pos0 + r0 + kR, pos0 + nq);  // keys any query of this block sees
    for (int j0 = 0; j0 < kend; j0 += kW)
      block_xyt(P + (long)r0 * nk_pad, nk_pad, Q + (long)r0 * HSp, HSp, KT, nk_pad, HS, j0);
    for (int r = r0; r < r0 + kR; r++) {
      if (r < nq)
        softmax_row(P + (long)r * nk_pad, pos0 + r + 1, nk_pad, scale);
      else
        for (int t = 0; t < nk_pad; t++) P[(long)r * nk_pad + t] = 0.0f;
    }
    for (int c0 = 0; c0 < HSp; c0 += kW)
      block_pm(Y + (long)r0 * HSp, HSp, P + (long)r0 * nk_pad, nk_pad, V, HSp, 0, kend, c0);
  }
}

}  // namespace

void attention_forward(float* out, float* att, const float* qkv, int B, int T, int C, int NH) {
  const int HS = C / NH, HSp = round_up(HS, kW), Tp = round_up(T, kW);
  const long C3 = 3L * C;
  const float scale = 1.0f / std::sqrt((float)HS);
  const int npair = B * NH;
#pragma omp parallel if ((long)npair * T * T * HS >= kParallelMin)
  {
    float* q = scratch<float>(kSlotThread0, (long)Tp * HSp);      // (Tp, HSp) packed queries
    float* kt = scratch<float>(kSlotThread0 + 1, (long)HS * Tp);  // (HS, Tp) keys, transposed
    float* v = scratch<float>(kSlotThread0 + 2, (long)Tp * HSp);  // (Tp, HSp) values
    float* p = scratch<float>(kSlotThread0 + 3, (long)Tp * Tp);   // (Tp, Tp) probabilities
    float* y = scratch<float>(kSlotThread0 + 4, (long)Tp * HSp);  // (Tp, HSp) outputs
#pragma omp for schedule(static)
    for (int pair = 0; pair < npair; pair++) {
      const int b = pair / NH, h = pair % NH;
      const float* base = qkv + (long)b * T * C3 + h * HS;  // q of (b, t=0, h)
      pack_rows(q, HSp, Tp, base, C3, T, HS);
      pack_cols(kt, Tp, base + C, C3, T, HS);
      pack_rows(v, HSp, Tp, base + 2 * C, C3, T, HS);
      attend(y, p, q, kt, v, T, Tp, Tp, 0, HS, HSp, scale);
      for (int t = 0; t < T; t++) {
        float* a = att + ((long)pair * T + t) * T;
        for (int t2 = 0; t2 < T; t2++) a[t2] = p[(long)t * Tp + t2];
        float* o = out + ((long)b * T + t) * C + h * HS;
        for (int i = 0; i < HS; i++) o[i] = y[(long)t * HSp + i];
      }
    }
  }
}

void attention_backward(float* dqkv, const float* dout, const float* qkv, const float* att, int B, int T, int C,
                        int NH, bool accumulate) {
  const int HS = C / NH, HSp = round_up(HS, kW), Tp = round_up(T, kW);
  const long C3 = 3L * C;
  const float scale = 1.0f / std::sqrt((float)HS);
  const int npair = B * NH;
#pragma omp parallel if ((long)npair * T * T * HS >= kParallelMin)
  {
    // Packed, zero-padded tiles of this pair: q, k, dout (Tp, HSp); v^T (HS, Tp); the
    // probabilities a and their gradient, then the pre-softmax gradient, d (Tp, Tp); one
    // gradient g (Tp, HSp) at a time.
    float* q = scratch<float>(kSlotThread0, (long)Tp * HSp);       // (Tp, HSp)
    float* k = scratch<float>(kSlotThread0 + 1, (long)Tp * HSp);   // (Tp, HSp)
    float* dy = scratch<float>(kSlotThread0 + 2, (long)Tp * HSp);  // (Tp, HSp)
    float* vt = scratch<float>(kSlotThread0 + 3, (long)HS * Tp);   // (HS, Tp)
    float* a = scratch<float>(kSlotThread0 + 4, (long)Tp * Tp);    // (Tp, Tp)
    float* d = scratch<float>(kSlotThread0 + 5, (long)Tp * Tp);    // (Tp, Tp)
    float* g = scratch<float>(kSlotThread0 + 6, (long)Tp * HSp);   // (Tp, HSp)
#pragma omp for schedule(static)
    for (int pair = 0; pair < npair; pair++) {
      const int b = pair / NH, h = pair % NH;
      const float* base = qkv + (long)b * T * C3 + h * HS;  // q of (b, t=0, h)
      float* dbase = dqkv + (long)b * T * C3 + h * HS;
      pack_rows(q, HSp, Tp, base, C3, T, HS);
      pack_rows(k, HSp, Tp, base + C, C3, T, HS);
      pack_cols(vt, Tp, base + 2 * C, C3, T, HS);
      pack_rows(dy, HSp, Tp, dout + (long)b * T * C + h * HS, C, T, HS);
      pack_rows(a, Tp, Tp, att + (long)pair * T * T, T, T, T);
      // d = dout v^T on and below the diagonal: the gradient of the probabilities.
      for (int r0 = 0; r0 < Tp; r0 += kR) {
        const int kend = std::min(r0 + kR, T);
        for (int j0 = 0; j0 < kend; j0 += kW)
          block_xyt(d + (long)r0 * Tp, Tp, dy + (long)r0 * HSp, HSp, vt, Tp, HS, j0);
      }
      // Softmax backward row by row: d = a (d - a . d) * scale, zero above the diagonal.
      for (int t = 0; t < Tp; t++) {
        float* dr = d + (long)t * Tp;
        if (t >= T) {
          for (int t2 = 0; t2 < Tp; t2++) dr[t2] = 0.0f;
          continue;
        }
        const float* ar = a + (long)t * Tp;
        const float adot = detail::lane_sum<float>(t + 1, [=](long t2) { return ar[t2] * dr[t2]; });
#pragma omp simd
        for (int t2 = 0; t2 <= t; t2++) dr[t2] = ar[t2] * (dr[t2] - adot) * scale;
        for (int t2 = t + 1; t2 < Tp; t2++) dr[t2] = 0.0f;
      }
      // dq = d k; query t sees keys 0 .. t.
      for (int r0 = 0; r0 < Tp; r0 += kR)
        for (int c0 = 0; c0 < HSp; c0 += kW)
          block_pm(g + (long)r0 * HSp, HSp, d + (long)r0 * Tp, Tp, k, HSp, 0, std::min(r0 + kR, T), c0);
      for (int t = 0; t < T; t++)
        detail::write_gradient(dbase + t * C3, 0, HS, accumulate, [=](long i) { return g[(long)t * HSp + i]; });
      // dk = d^T q; key t2 is seen by queries t2 .. T-1.
      for (int r0 = 0; r0 < Tp; r0 += kR)
        for (int c0 = 0; c0 < HSp; c0 += kW) block_ptm(g + (long)r0 * HSp, HSp, d + r0, Tp, q, HSp, r0, T, c0);
      for (int t = 0; t < T; t++)
        detail::write_gradient(dbase + t * C3 + C, 0, HS, accumulate, [=](long i) { return g[(long)t * HSp + i]; });
      // dv = a^T dout.
      for (int r0 = 0; r0 < Tp; r0 += kR)
        for (int c0 = 0; c0 < HSp; c0 += kW) block_ptm(g + (long)r0 * HSp, HSp, a + r0, Tp, dy, HSp, r0, T, c0);
      for (int t = 0; t < T; t++)
        detail::write_gradient(dbase + t * C3 + 2 * C, 0, HS, accumulate, [=](long i) { return g[(long)t * HSp + i]; });
    }
  }
}

void attention_forward_cached(float* out, float* kcache, float* vcache, const float* qkv, int B, int Tn, int t0,
                              int Tmax, int C, int NH) {
  const int HS = C / NH, HSp = round_up(HS, kW);
  const long C3 = 3L * C;
  const float scale = 1.0f / std::sqrt((float)HS);
  const int nk = t0 + Tn;  // cached positions after this call
  const int nk_pad = round_up(nk, kW), nq_pad = round_up(Tn, kR);
  const int npair = B * NH;
  const bool parallel = (long)npair * Tn * nk * HS >= kParallelMin;
  // Append the new tokens' k and v at positions t0 .. t0+Tn-1.
#pragma omp parallel for schedule(static) if (parallel)
  for (int r = 0; r < B * Tn; r++) {
    const int b = r / Tn, j = r % Tn;
    const float* src = qkv + (long)r * C3;
    float* kd = kcache + ((long)b * Tmax + t0 + j) * C;
    float* vd = vcache + ((long)b * Tmax + t0 + j) * C;
    for (int c = 0; c < C; c++) {
      kd[c] = src[C + c];
      vd[c] = src[2 * C + c];
    }
  }
#pragma omp parallel if (parallel)
  {
    float* q = scratch<float>(kSlotThread0, (long)nq_pad * HSp);         // (nq_pad, HSp) packed queries
    float* kt = scratch<float>(kSlotThread0 + 1, (long)HS * nk_pad);     // (HS, nk_pad) keys, transposed
    float* v = scratch<float>(kSlotThread0 + 2, (long)nk_pad * HSp);     // (nk_pad, HSp) values
    float* p = scratch<float>(kSlotThread0 + 3, (long)nq_pad * nk_pad);  // (nq_pad, nk_pad) probabilities
    float* y = scratch<float>(kSlotThread0 + 4, (long)nq_pad * HSp);     // (nq_pad, HSp) outputs
#pragma omp for schedule(static)
    for (int pair = 0; pair < npair; pair++) {
      const int b = pair / NH, h = pair % NH;
      pack_rows(q, HSp, nq_pad, qkv + (long)b * Tn * C3 + h * HS, C3, Tn, HS);
      pack_cols(kt, nk_pad, kcache + (long)b * Tmax * C + h * HS, C, nk, HS);
      pack_rows(v, HSp, nk_pad, vcache + (long)b * Tmax * C + h * HS, C, nk, HS);
      attend(y, p, q, kt, v, Tn, nq_pad, nk_pad, t0, HS, HSp, scale);
      for (int j = 0; j < Tn; j++) {
        float* o = out + ((long)b * Tn + j) * C + h * HS;
        for (int i = 0; i < HS; i++) o[i] = y[(long)j * HSp + i];
      }
    }
  }
}

}  // namespace vrev::kernels::cpu
