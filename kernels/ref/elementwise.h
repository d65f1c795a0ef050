#pragma once
// Reference elementwise kernels (GELU in its tanh form, residual add), templated on the scalar
// type; the exact yardstick for kernels/cpu/elementwise.cpp.
#include <algorithm>
#include <cmath>
#include <numbers>

namespace vrev::kernels::ref {

// out = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
template <class S>
void gelu_forward(S* out, const S* inp, long n) {
  const S s = std::sqrt(S(2) / S(std::numbers::pi));
  for (long i = 0; i < n; i++) {
    S x = inp[i];
    S u = s * (x + S(0.044715) * x * x * x);
    out[i] = S(0.5) * x * (S(1) + std::tanh(u));
  }
}

// dinp (+)= gelu'(inp) * dout
template <class S>
void gelu_backward(S* dinp, const S* inp, const S* dout, long n, bool accumulate) {
  if (!accumulate) std::fill(dinp, dinp + n, S(0));
  const S s = std::sqrt(S(2) / S(std::numbers::pi));
  for (long i = 0; i < n; i++) {
    S x = inp[i];
    S u = s * (x + S(0.044715) * x * x * x);
    S th = std::tanh(u);
    S du = s * (S(1) + S(3) * S(0.044715) * x * x);
    S grad = S(0.5) * (S(1) + th) + S(0.5) * x * (S(1) - th * th) * du;
    dinp[i] += grad * dout[i];
  }
}

// out = a + b
template <class S>
void residual_forward(S* out, const S* a, const S* b, long n) {
  for (long i = 0; i < n; i++) out[i] = a[i] + b[i];
}

// da (+)= dout; db (+)= dout
template <class S>
void residual_backward(S* da, S* db, const S* dout, long n, bool accumulate_a, bool accumulate_b) {
  if (!accumulate_a) std::fill(da, da + n, S(0));
  if (!accumulate_b) std::fill(db, db + n, S(0));
  for (long i = 0; i < n; i++) {
    da[i] += dout[i];
    db[i] += dout[i];
  }
}

}  // namespace vrev::kernels::ref
