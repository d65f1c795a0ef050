// AdamW and SGD with momentum over the parameter arena, and global-norm clipping, on the backend
// where the model trains.
#include "train/optimizer.h"

#include <cmath>

namespace vrev::train {

Optimizer::Optimizer(const OptimizerConfig& cfg, size_t num_params)
    : cfg_(cfg), m_(num_params, 0.0f), v_(cfg.name == OptimizerKind::adamw ? num_params : 0, 0.0f) {}

void Optimizer::place_on(const kernels::Backend& device) {
  backend_ = &device;
  if (device.is_host) return;
  device_m_ = kernels::Buffer<float>(device, m_.size());
  device_v_ = kernels::Buffer<float>(device, v_.size());
}

void Optimizer::upload() {
  if (backend_->is_host) return;
  device_m_.upload(m_.data());
  device_v_.upload(v_.data());
}

void Optimizer::download() {
  if (backend_->is_host) return;
  device_m_.download(m_.data());
  device_v_.download(v_.data());
}

void Optimizer::step(model::Gpt<float>& model, double lr) {
  VREV_ASSERT(&model.backend() == backend_);
  ++t_;
  const kernels::Backend& b = *backend_;
  float* values = model.training_values();
  float* grads = model.training_grads();
  float* m = b.is_host ? m_.data() : device_m_.data();
  float* v = b.is_host ? v_.data() : device_v_.data();
  for (const model::ParamView& view : model.params().views()) {
    const float decay = view.decay ? static_cast<float>(cfg_.weight_decay) : 0.0f;
    float* p = values + view.offset;
    const float* g = grads + view.offset;
    const long n = static_cast<long>(view.numel());
    if (cfg_.name == OptimizerKind::adamw) {
      b.kernels.adamw_update(p, g, m + view.offset, v + view.offset, n, static_cast<float>(lr),
                             static_cast<float>(cfg_.beta1), static_cast<float>(cfg_.beta2),
                             static_cast<float>(cfg_.eps), decay, static_cast<int>(t_));
    } else {
      b.ops.sgd_update(p, g, m + view.offset, n, static_cast<float>(lr), static_cast<float>(cfg_.beta1), decay);
    }
  }
}

double clip_grad_norm(model::Gpt<float>& model, double max_norm) {
  const kernels::Backend& b = model.backend();
  float* g = model.training_grads();
  const long n = static_cast<long>(model.params().size());
  const double norm = std::sqrt(b.kernels.squared_norm(g, n));
  if (max_norm > 0 && norm > max_norm) b.ops.scale(g, n, static_cast<float>(max_norm / (norm + 1e-6)));
  return norm;
}

}  // namespace vrev::train
