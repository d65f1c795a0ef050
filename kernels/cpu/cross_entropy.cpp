// Fused softmax cross-entropy against hard and soft targets on the CPU, OpenMP over rows; the
// plain-loop yardstick is kernels/ref/cross_entropy.h.
// Accumulation (policy: kernels.h): losses and probs are overwritten; dlogits is accumulated or overwritten as asked.
#include "kernels/cpu/detail.h"
#include "kernels/cpu/kernels.h"
#include "kernels/math.h"

namespace vrev::kernels::cpu {

using math::exp_f;
using detail::kParallelMin;

namespace {

struct RowMaxSum {
  float max, sum;  // max of the logits; sum of exp(z - max)
};

// p (V) = softmax(z (V)), in lanes of a fixed order (the same bits on every thread count).
inline RowMaxSum softmax_row(float* p, const float* z, int V) {
  float maxv = z[0];
#pragma omp simd reduction(max : maxv)
  for (int i = 0; i < V; i++) maxv = z[i] > maxv ? z[i] : maxv;
#pragma omp simd
  for (int i = 0; i < V; i++) p[i] = exp_f(z[i] - maxv);
  const float sum = detail::lane_sum<float>(V, [=](long i) { return p[i]; });
  const float inv = 1.0f / sum;
#pragma omp simd
  for (int i = 0; i < V; i++) p[i] *= inv;
  return {maxv, sum};
}

}  // namespace

void cross_entropy_forward(float* losses, float* probs, const float* logits, const int32_t* targets, int N, int V) {
#pragma omp parallel for schedule(static) if ((long)N * V >= kParallelMin)
  for (int n = 0; n < N; n++) {
    const float* z = logits + (long)n * V;  // (V)
    float* p = probs + (long)n * V;         // (V)
    const auto [maxv, sum] = softmax_row(p, z, V);
    // -log p[target] = logsumexp(z) - z[target], never the log of a tiny probability.
    losses[n] = (maxv - z[targets[n]]) + (float)math::log(sum);
  }
}

void cross_entropy_backward(float* dlogits, const float* probs, const int32_t* targets, const float* dlosses, int N,
                            int V, bool accumulate) {
#pragma omp parallel for schedule(static) if ((long)N * V >= kParallelMin)
  for (int n = 0; n < N; n++) {
    const float* p = probs + (long)n * V;  // (V)
    float* dz = dlogits + (long)n * V;     // (V)
    const float dl = dlosses[n];
    const int target = targets[n];
    detail::write_gradient(dz, 0, V, accumulate, [=](long i) { return (p[i] - (i == target ? 1.0f : 0.0f)) * dl; });
  }
}

void soft_cross_entropy_forward(float* losses, float* probs, const float* logits, const float* target_probs, int N,
                                int V) {
#pragma omp parallel for schedule(static) if ((long)N * V >= kParallelMin)
  for (int n = 0; n < N; n++) {
    const float* z = logits + (long)n * V;        // (V)
    const float* q = target_probs + (long)n * V;  // (V)
    float* p = probs + (long)n * V;               // (V)
    const RowMaxSum row = softmax_row(p, z, V);
    // -sum q log p = sum q (max - z) + sum(q) log(sum): logsumexp again, never the log of a
    // tiny probability, and each term shifted by the max so that no large lse sum(q) cancels
    // against a large sum(q z).
    const float qsum = detail::lane_sum<float>(V, [=](long i) { return q[i]; });
    const float qgap = detail::lane_sum<float>(V, [=](long i) { return q[i] * (row.max - z[i]); });
    losses[n] = qgap + qsum * (float)math::log(row.sum);
  }
}

void soft_cross_entropy_backward(float* dlogits, const float* probs, const float* target_probs, const float* dlosses,
                                 int N, int V, bool accumulate) {
#pragma omp parallel for schedule(static) if ((long)N * V >= kParallelMin)
  for (int n = 0; n < N; n++) {
    const float* p = probs + (long)n * V;         // (V)
    const float* q = target_probs + (long)n * V;  // (V)
    float* dz = dlogits + (long)n * V;            // (V)
    const float dl = dlosses[n];
    const float qsum = detail::lane_sum<float>(V, [=](long i) { return q[i]; });
    detail::write_gradient(dz, 0, V, accumulate, [=](long i) { return (p[i] * qsum - q[i]) * dl; });
  }
}

}  // namespace vrev::kernels::cpu
