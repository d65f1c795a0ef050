#pragma once
// Reference causal multi-head self-attention, templated on the scalar type: the textbook loops
// (scores, causal softmax, weighted sum) that kernels/cpu/attention.cpp is held against.
#include <algorithm>
#include <cmath>
#include <vector>

namespace vrev::kernels::ref {

// qkv (B, T, 3C) = [q | k | v], each NH contiguous heads of HS = C / NH.
// att (B, NH, T, T) = causal softmax of q.k / sqrt(HS), zero above the diagonal; out (B, T, C).
template <class S>
void attention_forward(S* out, S* att, const S* qkv, int B, int T, int C, int NH) {
  const int HS = C / NH;
  const long C3 = 3L * C;
  const S scale = S(1) / std::sqrt(S(HS));
  for (int b = 0; b < B; b++) {
    for (int h = 0; h < NH; h++) {
      for (int t = 0; t < T; t++) {
        const S* q = qkv + ((long)b * T + t) * C3 + h * HS;
        S* a = att + (((long)b * NH + h) * T + t) * T;
        S maxv = -INFINITY;
        for (int t2 = 0; t2 <= t; t2++) {
          const S* k = qkv + ((long)b * T + t2) * C3 + C + h * HS;
          S dotv = 0;
          for (int i = 0; i < HS; i++) dotv += q[i] * k[i];
          a[t2] = dotv * scale;
          maxv = std::max(maxv, a[t2]);
        }
        S sum = 0;
        for (int t2 = 0; t2 <= t; t2++) {
          a[t2] = std::exp(a[t2] - maxv);
          sum += a[t2];
        }
        for (int t2 = 0; t2 <= t; t2++) a[t2] /= sum;
        for (int t2 = t + 1; t2 < T; t2++) a[t2] = 0;
        S* y = out + ((long)b * T + t) * C + h * HS;
        for (int i = 0; i < HS; i++) y[i] = 0;
        for (int t2 = 0; t2 <= t; t2++) {
          const S* v = qkv + ((long)b * T + t2) * C3 + 2 * C + h * HS;
          for (int i = 0; i < HS; i++) y[i] += a[t2] * v[i];
        }
      }
    }
  }
}

// dqkv (B, T, 3C) (+)=.
template <class S>
void attention_backward(S* dqkv, const S* dout, const S* qkv, const S* att, int B, int T, int C, int NH,
                        bool accumulate) {
  if (!accumulate) std::fill(dqkv, dqkv + (long)B * T * 3 * C, S(0));
  const int HS = C / NH;
  const long C3 = 3L * C;
  const S scale = S(1) / std::sqrt(S(HS));
  std::vector<S> da(T);  // dloss / d att for one query
  for (int b = 0; b < B; b++) {
    for (int h = 0; h < NH; h++) {
      for (int t = 0; t < T; t++) {
        const S* a = att + (((long)b * NH + h) * T + t) * T;
        const S* dy = dout + ((long)b * T + t) * C + h * HS;
        const S* q = qkv + ((long)b * T + t) * C3 + h * HS;
        S* dq = dqkv + ((long)b * T + t) * C3 + h * HS;
        // out = sum_t2 a[t2] v[t2]: gradients to the probabilities and to v.
        for (int t2 = 0; t2 <= t; t2++) {
          const S* v = qkv + ((long)b * T + t2) * C3 + 2 * C + h * HS;
          S* dv = dqkv + ((long)b * T + t2) * C3 + 2 * C + h * HS;
          S acc = 0;
          for (int i = 0; i < HS; i++) {
            acc += dy[i] * v[i];
            dv[i] += a[t2] * dy[i];
          }
          da[t2] = acc;
        }
        for (int t2 = t + 1; t2 < T; t2++) da[t2] = 0;
        // softmax backward: dpre = a * (da - sum(a * da)), then through the scaled q.k.
        S adot = 0;
        for (int t2 = 0; t2 <= t; t2++) adot += a[t2] * da[t2];
        for (int t2 = 0; t2 <= t; t2++) {
          const S dpre = a[t2] * (da[t2] - adot) * scale;
          const S* k = qkv + ((long)b * T + t2) * C3 + C + h * HS;
          S* dk = dqkv + ((long)b * T + t2) * C3 + C + h * HS;
          for (int i = 0; i < HS; i++) {
            dq[i] += dpre * k[i];
            dk[i] += dpre * q[i];
          }
        }
      }
    }
  }
}

// qkv (B, Tn, 3C) for the new tokens at positions t0 .. t0+Tn-1; kcache, vcache (B, Tmax, C)
// receive their k and v; out (B, Tn, C) attends each new query to cache positions 0 .. its own.
template <class S>
void attention_forward_cached(S* out, S* kcache, S* vcache, const S* qkv, int B, int Tn, int t0, int Tmax, int C,
                              int NH) {
  const int HS = C / NH;
  const long C3 = 3L * C;
  const S scale = S(1) / std::sqrt(S(HS));
  for (int b = 0; b < B; b++) {
    for (int j = 0; j < Tn; j++) {
      const S* src = qkv + ((long)b * Tn + j) * C3;
      for (int c = 0; c < C; c++) {
        kcache[((long)b * Tmax + t0 + j) * C + c] = src[C + c];
        vcache[((long)b * Tmax + t0 + j) * C + c] = src[2 * C + c];
      }
    }
  }
  std::vector<S> a(t0 + Tn);
  for (int b = 0; b < B; b++) {
    for (int j = 0; j < Tn; j++) {
      const int t = t0 + j;
      for (int h = 0; h < NH; h++) {
        const S* q = qkv + ((long)b * Tn + j) * C3 + h * HS;
        S maxv = -INFINITY;
        for (int t2 = 0; t2 <= t; t2++) {
          const S* k = kcache + ((long)b * Tmax + t2) * C + h * HS;
          S dotv = 0;
          for (int i = 0; i < HS; i++) dotv += q[i] * k[i];
          a[t2] = dotv * scale;
          maxv = std::max(maxv, a[t2]);
        }
        S sum = 0;
        for (int t2 = 0; t2 <= t; t2++) {
          a[t2] = std::exp(a[t2] - maxv);
          sum += a[t2];
        }
        S* y = out + ((long)b * Tn + j) * C + h * HS;
        for (int i = 0; i < HS; i++) y[i] = 0;
        for (int t2 = 0; t2 <= t; t2++) {
          const S* v = vcache + ((long)b * Tmax + t2) * C + h * HS;
          for (int i = 0; i < HS; i++) y[i] += a[t2] / sum * v[i];
        }
      }
    }
  }
}

}  // namespace vrev::kernels::ref
