// Elementwise kernels on the CPU (GELU, residual add, sums of parts): vectorised loops over fixed blocks, OpenMP
// across blocks; the plain-loop yardstick is kernels/ref/elementwise.h.
// Accumulation (policy: kernels.h): out is overwritten; dinp, da and db are accumulated or overwritten as asked.
#include "kernels/cpu/detail.h"
#include "kernels/cpu/kernels.h"
#include "kernels/math.h"

namespace vrev::kernels::cpu {

using math::exp_f;

namespace {
constexpr float kGeluScale = 0.7978845608028654f;  // sqrt(2 / pi)
constexpr float kGeluCubic = 0.044715f;
}  // namespace

// 0.5 x (1 + tanh(u)) = x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3). The sigmoid form is
// accurate on both tails (no 1 + tanh(u) cancellation) and needs only one exp.
void gelu_forward(float* out, const float* inp, long n) {
  detail::for_blocks(n, [=](long i0, long i1) {
#pragma omp simd
    for (long i = i0; i < i1; i++) {
      const float x = inp[i];
      const float u = kGeluScale * (x + kGeluCubic * x * x * x);
      out[i] = x / (1.0f + exp_f(-2.0f * u));
    }
  });
}

// d/dx [x sigmoid(2u)] = s + 2 x s (1 - s) u', with s = 1 / (1 + e), e = exp(-2u), s (1 - s) = e s^2.
void gelu_backward(float* dinp, const float* inp, const float* dout, long n, bool accumulate) {
  detail::for_blocks(n, [=](long i0, long i1) {
    detail::write_gradient(dinp, i0, i1, accumulate, [=](long i) {
      const float x = inp[i];
      const float u = kGeluScale * (x + kGeluCubic * x * x * x);
      const float du = kGeluScale * (1.0f + 3.0f * kGeluCubic * x * x);
      const float e = exp_f(-2.0f * u);
      const float s = 1.0f / (1.0f + e);
      const float es = e * s;  // 1 - s without cancellation; e s first, as e alone may be huge
      return (s + 2.0f * x * du * (es * s)) * dout[i];
    });
  });
}

void residual_forward(float* out, const float* a, const float* b, long n) {
  detail::for_blocks(n, [=](long i0, long i1) {
#pragma omp simd
    for (long i = i0; i < i1; i++) out[i] = a[i] + b[i];
  });
}

void sum_parts(float* out, const float* parts, int count, long n, long stride) {
  detail::for_blocks(n, [=](long i0, long i1) {
    for (long i = i0; i < i1; i++) out[i] = parts[i];
    for (int k = 1; k < count; k++) {
      const float* part = parts + k * stride;
#pragma omp simd
      for (long i = i0; i < i1; i++) out[i] += part[i];
    }
  });
}

void residual_backward(float* da, float* db, const float* dout, long n, bool accumulate_a, bool accumulate_b) {
  detail::for_blocks(n, [=](long i0, long i1) {
    detail::write_gradient(da, i0, i1, accumulate_a, [=](long i) { return dout[i]; });
    detail::write_gradient(db, i0, i1, accumulate_b, [=](long i) { return dout[i]; });
  });
}

}  // namespace vrev::kernels::cpu
