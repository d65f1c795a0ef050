#pragma once
// Causal attention's arithmetic, one row or one element at a time, in the order of the CPU kernel
// (kernels/cpu/attention.cpp): each score and each output is one FMA chain over its index in
// increasing order from zero; softmax rows take the max, exp_f and a lane sum; the chains that
// multiply probabilities in run over whole blocks of kAttentionRows rows, as the CPU's register
// blocks do, so they also take in the zeros past the diagonal that the CPU takes in. Written once
// for the CPU and the GPU (VREV_HD); tests/test_cuda_arithmetic.cpp holds it to the CPU kernel
// bit for bit.
//
// Layout as in kernels/cpu/kernels.h: q, k, v of (b, t, head h) are HS values at qkv + (b T + t) 3C
// + h HS, + C, + 2C; probabilities att (B, NH, T, T).
#include <cmath>

#include "kernels/cuda/arithmetic/matmul.h"
#include "kernels/host_device.h"
#include "kernels/math.h"
#include "kernels/sum_order.h"

namespace vrev::kernels::arithmetic {

// The keys a chain over query r's probabilities runs to: the end of r's block of kAttentionRows
// queries, or of the nq queries, each query at position pos0 + its index.
VREV_HD inline int attention_key_end(int r, int pos0, int nq) {
  const int end = r / kAttentionRows * kAttentionRows + kAttentionRows;
  return pos0 + (end < nq ? end : nq);
}

// The queries a chain over key t2's column of probabilities starts at: the start of t2's block.
VREV_HD inline int attention_query_start(int t2) { return t2 / kAttentionRows * kAttentionRows; }

// p[0 .. n) = softmax(scale * (q . k_t2)) over keys t2 < n (key t2's HS values at k + t2 ldk),
// p[n .. len) = 0.
VREV_HD inline void attention_probs_row(float* p, int len, const float* q, const float* k, long ldk, int n, int HS,
                                        float scale) {
  float maxv = -INFINITY;
  for (int t2 = 0; t2 < n; t2++) {
    p[t2] = fma_chain(0.0f, q, 1, k + t2 * ldk, 1, HS);
    const float x = p[t2] * scale;
    maxv = x > maxv ? x : maxv;
  }
  for (int t2 = 0; t2 < n; t2++) p[t2] = math::exp_f(p[t2] * scale - maxv);
  const float sum = lane_sum<float>(n, [=](long t2) { return p[t2]; });
  const float inv = 1.0f / sum;
  for (int t2 = 0; t2 < n; t2++) p[t2] *= inv;
  for (int t2 = n; t2 < len; t2++) p[t2] = 0.0f;
}

// Output element c of a query with probabilities p over keys 0 .. kend-1 (key t2's values at
// v + t2 ldv): the chain over t2 of p[t2] v[t2][c].
VREV_HD inline float attention_output_at(const float* p, const float* v, long ldv, int kend, int c) {
  return fma_chain(0.0f, p, 1, v + c, ldv, kend);
}

// Row t of the gradient of the scores of one (batch, head) pair: dp[t2] = dout_t . v_t2 (chains
// over HS), then d[t2] = a[t2] (dp[t2] - a . dp) scale for t2 <= t, and 0 for t < t2 < T. a is
// row t of the probabilities, dy query t's output gradient, v key 0's values (key t2's at v + t2 ldv).
VREV_HD inline void attention_dscores_row(float* d, const float* a, const float* dy, const float* v, long ldv, int t,
                                          int T, int HS, float scale) {
  for (int t2 = 0; t2 <= t; t2++) d[t2] = fma_chain(0.0f, dy, 1, v + t2 * ldv, 1, HS);
  const float adot = lane_sum<float>(t + 1, [=](long t2) { return a[t2] * d[t2]; });
  for (int t2 = 0; t2 <= t; t2++) d[t2] = a[t2] * (d[t2] - adot) * scale;
  for (int t2 = t + 1; t2 < T; t2++) d[t2] = 0.0f;
}

// The three gradients of one (batch, head) pair, element c of position t; d (T, T) the score
// gradients (attention_dscores_row), a (T, T) the probabilities; q, k, dy the pair's first
// query, key and output gradient, rows ld apart (ld_dy for dy).
// dq[t][c] = chain over keys t2 of d[t][t2] k[t2][c].
VREV_HD inline float attention_dq_at(const float* d, const float* k, long ld, int t, int T, int c) {
  return fma_chain(0.0f, d + (long)t * T, 1, k + c, ld, attention_key_end(t, 0, T));
}
// dk[t][c] = chain over queries t2 of d[t2][t] q[t2][c].
VREV_HD inline float attention_dk_at(const float* d, const float* q, long ld, int t, int T, int c) {
  const int t0 = attention_query_start(t);
  return fma_chain(0.0f, d + (long)t0 * T + t, T, q + t0 * ld + c, ld, T - t0);
}
// dv[t][c] = chain over queries t2 of a[t2][t] dy[t2][c].
VREV_HD inline float attention_dv_at(const float* a, const float* dy, long ld_dy, int t, int T, int c) {
  const int t0 = attention_query_start(t);
  return fma_chain(0.0f, a + (long)t0 * T + t, T, dy + t0 * ld_dy + c, ld_dy, T - t0);
}

}  // namespace vrev::kernels::arithmetic
