#pragma once
// Optimizers over the whole parameter arena: AdamW (decoupled weight decay on 2-D weights only,
// bias-corrected moments) and SGD with momentum. Their state is two arena-sized vectors and a
// step count, saved in optim.safetensors for exact resume. Training on a device, the moments have
// a copy there too (place_on, as model::Gpt's), which the updates use.
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/settings.h"
#include "kernels/backend.h"
#include "model/gpt.h"

namespace vrev::train {

enum class OptimizerKind { adamw, sgd };
constexpr std::array<std::pair<OptimizerKind, const char*>, 2> enum_names(OptimizerKind) {
  return {{{OptimizerKind::adamw, "adamw"}, {OptimizerKind::sgd, "sgd"}}};
}

struct OptimizerConfig {
  OptimizerKind name = OptimizerKind::adamw;
  double beta1 = 0.9;  // AdamW first-moment decay; SGD momentum
  double beta2 = 0.95;
  double eps = 1e-8;
  double weight_decay = 0.1;  // on 2-D weights only
  double grad_clip = 1.0;     // global-norm clipping; 0 disables

  template <class V>
  void visit(V& v) {
    v(name, "name", "the update rule");
    v(beta1, "beta1", "AdamW beta1 / SGD momentum", 0.0, 0.999999);
    v(beta2, "beta2", "AdamW beta2", 0.0, 0.999999);
    v(eps, "eps", "AdamW epsilon", 0.0, 1.0);
    v(weight_decay, "weight_decay", "decoupled weight decay on 2-D weights", 0.0, 10.0);
    v(grad_clip, "grad_clip", "clip the global gradient norm to this (0: off)", 0.0, 1e9);
  }
};

class Optimizer {
 public:
  Optimizer(const OptimizerConfig& cfg, size_t num_params);
  // One update with learning rate lr of the model's parameters where it trains, from their
  // gradients there; the model must train where the moments are.
  void step(model::Gpt<float>& model, double lr);

  // The moments' copy on a device: upload() sends first_moment() and second_moment() there,
  // download() brings them back.
  void place_on(const kernels::Backend& device);
  void upload();
  void download();

  const OptimizerConfig& config() const { return cfg_; }
  int64_t steps_taken() const { return t_; }
  // State for checkpoints: first and second moments (SGD uses only the first) and the step.
  std::vector<float>& first_moment() { return m_; }
  std::vector<float>& second_moment() { return v_; }
  const std::vector<float>& first_moment() const { return m_; }
  const std::vector<float>& second_moment() const { return v_; }
  void set_steps_taken(int64_t t) { t_ = t; }

 private:
  OptimizerConfig cfg_;
  std::vector<float> m_, v_;
  int64_t t_ = 0;
  const kernels::Backend* backend_ = &kernels::cpu_backend();
  kernels::Buffer<float> device_m_, device_v_;  // placed on a device: its copy
};

// Scales every gradient of the model, where it trains, so the global L2 norm is at most max_norm;
// returns the norm before.
double clip_grad_norm(model::Gpt<float>& model, double max_norm);

}  // namespace vrev::train
