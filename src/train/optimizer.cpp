// AdamW and SGD with momentum over the parameter arena, and global-norm clipping.
#include "train/optimizer.h"

#include <cmath>

#include "kernels/cpu/kernels.h"

namespace vrev::train {

namespace k = vrev::kernels::cpu;

Optimizer::Optimizer(const OptimizerConfig& cfg, size_t num_params)
    : cfg_(cfg), m_(num_params, 0.0f), v_(cfg.name == OptimizerKind::adamw ? num_params : 0, 0.0f) {}

void Optimizer::step(model::Parameters<float>& params, double lr) {
  ++t_;
  for (size_t i = 0; i < params.views().size(); ++i) {
    const model::ParamView& view = params.views()[i];
    const float decay = view.decay ? static_cast<float>(cfg_.weight_decay) : 0.0f;
    float* p = params.value(static_cast<int>(i));
    const float* g = params.grad(static_cast<int>(i));
    float* m = m_.data() + view.offset;
    const long n = static_cast<long>(view.numel());
    if (cfg_.name == OptimizerKind::adamw) {
      k::adamw_update(p, g, m, v_.data() + view.offset, n, static_cast<float>(lr), static_cast<float>(cfg_.beta1),
                      static_cast<float>(cfg_.beta2), static_cast<float>(cfg_.eps), decay, static_cast<int>(t_));
    } else {
      const float mu = static_cast<float>(cfg_.beta1), lrf = static_cast<float>(lr);
      for (long j = 0; j < n; ++j) {
        m[j] = mu * m[j] + g[j];
        p[j] -= lrf * (m[j] + decay * p[j]);
      }
    }
  }
}

double clip_grad_norm(model::Parameters<float>& params, double max_norm) {
  const double norm = std::sqrt(k::squared_norm(params.grads(), static_cast<long>(params.size())));
  if (max_norm > 0 && norm > max_norm) {
    const float scale = static_cast<float>(max_norm / (norm + 1e-6));
    float* g = params.grads();
    for (size_t i = 0; i < params.size(); ++i) g[i] *= scale;
  }
  return norm;
}

}  // namespace vrev::train
