// AdamW on the CPU: one vectorised elementwise pass, OpenMP across fixed blocks; the yardstick is
// kernels/ref/adamw.h. Updates param, m and v in place.
#include <cmath>

#include "kernels/cpu/detail.h"
#include "kernels/cpu/kernels.h"
#include "kernels/math.h"

namespace vrev::kernels::cpu {

void adamw_update(float* param, const float* grad, float* m, float* v, long n, float lr, float beta1, float beta2,
                  float eps, float weight_decay, int t) {
  // Bias corrections 1 - beta^t, computed once in double.
  const float c1 = (float)(1.0 - math::powi(beta1, t));
  const float c2 = (float)(1.0 - math::powi(beta2, t));
  detail::for_blocks(n, [=](long i0, long i1) {
#pragma omp simd
    for (long i = i0; i < i1; i++) {
      const float g = grad[i];
      const float mi = beta1 * m[i] + (1.0f - beta1) * g;
      const float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      const float mhat = mi / c1;
      const float vhat = vi / c2;
      param[i] -= lr * (mhat / (std::sqrt(vhat) + eps) + weight_decay * param[i]);
    }
  });
}

}  // namespace vrev::kernels::cpu
