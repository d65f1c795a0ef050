#pragma once
// Reference fused softmax cross-entropy against hard (token) and soft (distribution) targets,
// templated on the scalar type; the exact yardstick for kernels/cpu/cross_entropy.cpp.
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace vrev::kernels::ref {

// p (V) = softmax(z (V)); maxv = max z, sum = sum of exp(z - maxv).
template <class S>
void softmax_row(S* p, const S* z, int V, S& maxv, S& sum) {
  maxv = z[0];
  for (int i = 1; i < V; i++) maxv = z[i] > maxv ? z[i] : maxv;
  sum = 0;
  for (int i = 0; i < V; i++) {
    p[i] = std::exp(z[i] - maxv);
    sum += p[i];
  }
  for (int i = 0; i < V; i++) p[i] /= sum;
}

// probs (N, V) = softmax(logits); losses (N) = logsumexp(logits[i]) - logits[i, targets[i]].
template <class S>
void cross_entropy_forward(S* losses, S* probs, const S* logits, const int32_t* targets, int N, int V) {
  for (int n = 0; n < N; n++) {
    const S* z = logits + (long)n * V;
    S* p = probs + (long)n * V;
    S maxv, sum;
    softmax_row(p, z, V, maxv, sum);
    losses[n] = maxv + std::log(sum) - z[targets[n]];
  }
}

// dlogits (N, V) (+)= (probs - onehot(targets)) * dlosses[i]
template <class S>
void cross_entropy_backward(S* dlogits, const S* probs, const int32_t* targets, const S* dlosses, int N, int V,
                            bool accumulate) {
  if (!accumulate) std::fill(dlogits, dlogits + (long)N * V, S(0));
  for (int n = 0; n < N; n++) {
    const S* p = probs + (long)n * V;
    S* dz = dlogits + (long)n * V;
    for (int i = 0; i < V; i++) {
      S indicator = i == targets[n] ? S(1) : S(0);
      dz[i] += (p[i] - indicator) * dlosses[n];
    }
  }
}

// probs (N, V) = softmax(logits); losses (N) = sum_j q[i, j] (logsumexp(logits[i]) - logits[i, j])
// = lse sum(q) - sum(q z) for q = target_probs (N, V), whose rows need not sum to 1.
template <class S>
void soft_cross_entropy_forward(S* losses, S* probs, const S* logits, const S* target_probs, int N, int V) {
  for (int n = 0; n < N; n++) {
    const S* z = logits + (long)n * V;
    const S* q = target_probs + (long)n * V;
    S* p = probs + (long)n * V;
    S maxv, sum;
    softmax_row(p, z, V, maxv, sum);
    S qsum = 0, qgap = 0;
    for (int i = 0; i < V; i++) {
      qsum += q[i];
      qgap += q[i] * (maxv - z[i]);
    }
    losses[n] = qgap + qsum * std::log(sum);
  }
}

// dlogits (N, V) (+)= (probs sum_j q[i, j] - q) * dlosses[i], q = target_probs
template <class S>
void soft_cross_entropy_backward(S* dlogits, const S* probs, const S* target_probs, const S* dlosses, int N, int V,
                                 bool accumulate) {
  if (!accumulate) std::fill(dlogits, dlogits + (long)N * V, S(0));
  for (int n = 0; n < N; n++) {
    const S* p = probs + (long)n * V;
    const S* q = target_probs + (long)n * V;
    S* dz = dlogits + (long)n * V;
    S qsum = 0;
    for (int i = 0; i < V; i++) qsum += q[i];
    for (int i = 0; i < V; i++) dz[i] += (p[i] * qsum - q[i]) * dlosses[n];
  }
}

}  // namespace vrev::kernels::ref
