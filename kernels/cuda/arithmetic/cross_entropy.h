#pragma once
// Softmax cross-entropy's arithmetic against hard and soft targets, one row (or one element) at a
// time, in the order of the CPU kernel (kernels/cpu/cross_entropy.cpp): the row's max, exp_f of
// the shifted logits, their lane sum, and the loss through logsumexp with vrev's own log. Written
// once for the CPU and the GPU (VREV_HD); tests/test_cuda_arithmetic.cpp holds it to the CPU
// kernel bit for bit.
#include <cstdint>

#include "kernels/host_device.h"
#include "kernels/math.h"
#include "kernels/sum_order.h"

namespace vrev::kernels::arithmetic {

struct RowMaxSum {
  float max, sum;  // max of the logits; sum of exp(z - max)
};

// p (V) = softmax(z (V)).
VREV_HD inline RowMaxSum softmax_row(float* p, const float* z, int V) {
  float maxv = z[0];
  for (int i = 0; i < V; i++) maxv = z[i] > maxv ? z[i] : maxv;
  for (int i = 0; i < V; i++) p[i] = math::exp_f(z[i] - maxv);
  const float sum = lane_sum<float>(V, [=](long i) { return p[i]; });
  const float inv = 1.0f / sum;
  for (int i = 0; i < V; i++) p[i] *= inv;
  return {maxv, sum};
}

// Row n: probs = softmax(logits), losses[n] = logsumexp(z) - z[target].
VREV_HD inline void cross_entropy_forward_row(float* losses, float* probs, const float* logits, const int32_t* targets,
                                              int V, int n) {
  const float* z = logits + (long)n * V;
  const RowMaxSum row = softmax_row(probs + (long)n * V, z, V);
  losses[n] = (row.max - z[targets[n]]) + (float)math::log(row.sum);
}

// dlogits[n][i] (+)= (probs[n][i] - onehot(targets[n])[i]) dlosses[n].
VREV_HD inline void cross_entropy_backward_at(float* dlogits, const float* probs, const int32_t* targets,
                                              const float* dlosses, int V, int n, int i, bool accumulate) {
  const long at = (long)n * V + i;
  const float value = (probs[at] - (i == targets[n] ? 1.0f : 0.0f)) * dlosses[n];
  dlogits[at] = accumulate ? dlogits[at] + value : value;
}

// Row n against soft targets q: probs = softmax(logits), losses[n] = sum q (max - z) + sum(q) log(sum).
VREV_HD inline void soft_cross_entropy_forward_row(float* losses, float* probs, const float* logits,
                                                   const float* target_probs, int V, int n) {
  const float* z = logits + (long)n * V;
  const float* q = target_probs + (long)n * V;
  const RowMaxSum row = softmax_row(probs + (long)n * V, z, V);
  const float qsum = lane_sum<float>(V, [=](long i) { return q[i]; });
  const float qgap = lane_sum<float>(V, [=](long i) { return q[i] * (row.max - z[i]); });
  losses[n] = qgap + qsum * (float)math::log(row.sum);
}

// Row n of dlogits (+)= (probs sum(q) - q) dlosses[n].
VREV_HD inline void soft_cross_entropy_backward_row(float* dlogits, const float* probs, const float* target_probs,
                                                    const float* dlosses, int V, int n, bool accumulate) {
  const float* p = probs + (long)n * V;
  const float* q = target_probs + (long)n * V;
  float* dz = dlogits + (long)n * V;
  const float dl = dlosses[n];
  const float qsum = lane_sum<float>(V, [=](long i) { return q[i]; });
  for (int i = 0; i < V; i++) {
    const float value = (p[i] * qsum - q[i]) * dl;
    dz[i] = accumulate ? dz[i] + value : value;
  }
}

}  // namespace vrev::kernels::arithmetic
