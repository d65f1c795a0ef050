#pragma once
// Reference AdamW step (decoupled weight decay, bias-corrected moments), templated on the scalar
// type; the yardstick for kernels/cpu/adamw.cpp. The hyperparameters stay float, exactly as in the
// cpu signature.
#include <cmath>

namespace vrev::kernels::ref {

// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; with mhat = m / (1 - b1^t), vhat = v / (1 - b2^t):
// param -= lr (mhat / (sqrt(vhat) + eps) + weight_decay param). t is the 1-based step.
template <class S>
void adamw_update(S* param, const S* grad, S* m, S* v, long n, float lr, float beta1, float beta2, float eps,
                  float weight_decay, int t) {
  const S b1 = beta1, b2 = beta2;
  const S c1 = S(1) - std::pow(b1, S(t));
  const S c2 = S(1) - std::pow(b2, S(t));
  for (long i = 0; i < n; i++) {
    const S g = grad[i];
    m[i] = b1 * m[i] + (S(1) - b1) * g;
    v[i] = b2 * v[i] + (S(1) - b2) * g * g;
    const S mhat = m[i] / c1;
    const S vhat = v[i] / c2;
    param[i] -= S(lr) * (mhat / (std::sqrt(vhat) + S(eps)) + S(weight_decay) * param[i]);
  }
}

}  // namespace vrev::kernels::ref
