#pragma once
// The elementwise arithmetic (GELU, residual, AdamW, writing a gradient), one element at a time,
// in the order of the CPU kernels (kernels/cpu/elementwise.cpp, kernels/cpu/adamw.cpp). Written
// once for the CPU and the GPU (VREV_HD); tests/test_cuda_arithmetic.cpp holds it to the CPU
// kernels bit for bit.
#include <cmath>

#include "kernels/host_device.h"
#include "kernels/math.h"

namespace vrev::kernels::arithmetic {

// How a backward writes an activation's gradient (kernels/cpu/kernels.h, accumulation policy).
VREV_HD inline void write_gradient(float& dst, float value, bool accumulate) { dst = accumulate ? dst + value : value; }

// parts[0][i] + parts[1][i] + ... in that order, part k at parts + k stride.
VREV_HD inline float sum_parts_at(const float* parts, int count, long stride, long i) {
  float acc = parts[i];
  for (int k = 1; k < count; k++) acc += parts[k * stride + i];
  return acc;
}

inline constexpr float kGeluScale = 0.7978845608028654f;  // sqrt(2 / pi)
inline constexpr float kGeluCubic = 0.044715f;

// 0.5 x (1 + tanh(u)) = x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3).
VREV_HD inline float gelu(float x) {
  const float u = kGeluScale * (x + kGeluCubic * x * x * x);
  return x / (1.0f + math::exp_f(-2.0f * u));
}

// gelu'(x) dy: s + 2 x s (1 - s) u', with s = 1 / (1 + e), e = exp(-2u), s (1 - s) = e s^2.
VREV_HD inline float gelu_backward(float x, float dy) {
  const float u = kGeluScale * (x + kGeluCubic * x * x * x);
  const float du = kGeluScale * (1.0f + 3.0f * kGeluCubic * x * x);
  const float e = math::exp_f(-2.0f * u);
  const float s = 1.0f / (1.0f + e);
  const float es = e * s;
  return (s + 2.0f * x * du * (es * s)) * dy;
}

// One AdamW step's constants; c1 and c2 are the bias corrections 1 - beta^t, computed in double
// by the caller's CPU (adamw_constants) as the CPU kernel does.
struct AdamW {
  float lr, beta1, beta2, eps, weight_decay, c1, c2;
};

inline AdamW adamw_constants(float lr, float beta1, float beta2, float eps, float weight_decay, int t) {
  return {
      lr, beta1, beta2, eps, weight_decay, (float)(1.0 - math::powi(beta1, t)), (float)(1.0 - math::powi(beta2, t))};
}

// param[i], m[i], v[i] after one AdamW step with gradient grad[i].
VREV_HD inline void adamw_at(float* param, const float* grad, float* m, float* v, long i, const AdamW& a) {
  const float g = grad[i];
  const float mi = a.beta1 * m[i] + (1.0f - a.beta1) * g;
  const float vi = a.beta2 * v[i] + (1.0f - a.beta2) * g * g;
  m[i] = mi;
  v[i] = vi;
  const float mhat = mi / a.c1;
  const float vhat = vi / a.c2;
  param[i] -= a.lr * (mhat / (std::sqrt(vhat) + a.eps) + a.weight_decay * param[i]);
}

}  // namespace vrev::kernels::arithmetic
