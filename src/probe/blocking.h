#pragma once
// Blocking motion along a direction during fine-tuning (one unit direction per site, strength
// lambda >= 0: 1 = full block, above 1 over-projects and so moves against the direction), in
// three modes:
//   act-grad      in backward, remove lambda * the component along the direction from the
//                 gradient flowing into the site, at every position (a backward hook);
//   param-update  each step, g = grad_theta of (direction . mean over the probe batch of the site's
//                 activation at the probe position, ASST in the safety world); remove lambda * the
//                 component of the optimizer's final update along g (after AdamW, so the block
//                 is exact to first order). Several sites' g are orthogonalised in site order first;
//   penalty       add weight * mean over the probe batch of (direction . (h - h_aligned))^2 to the loss.
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "core/settings.h"
#include "kernels/backend.h"
#include "model/gpt.h"
#include "model/prompt_set.h"
#include "model/scoped_hook.h"
#include "train/trainer.h"

namespace vrev::probe {

enum class BlockingMode { param_update, act_grad, penalty };
constexpr std::array<std::pair<BlockingMode, const char*>, 3> enum_names(BlockingMode) {
  return {{{BlockingMode::param_update, "param-update"},
           {BlockingMode::act_grad, "act-grad"},
           {BlockingMode::penalty, "penalty"}}};
}

struct BlockingConfig {
  BlockingMode mode = BlockingMode::param_update;
  std::string site = "probe";         // where the block acts: the probe site, or any activation site
  double strength = 1.0;              // lambda
  double penalty_weight = 10.0;       // penalty mode only

  template <class V>
  void visit(V& v) {
    v(mode, "mode", "how motion along the direction is blocked");
    v(site, "site",
      "where the blocked arms act: probe (probe.site), or embed, blocks.i.resid_mid, blocks.i.resid_post, ln_f, last");
    v(strength, "strength", "lambda: the share of the component removed (1 = full block, above 1 reverses it)", 0.0,
      10.0);
    v(penalty_weight, "penalty_weight", "weight of the penalty term (penalty mode)", 0.0, 1e9);
  }
  // The site's index for a model of `layers` blocks whose probe site is probe_site; the error
  // lists the valid names.
  int site_index(int probe_site, int layers) const;
};

// x <- x - strength * (x . u) u for a unit vector u (the dot product in double, in index order).
using kernels::buffer_ops::project_out;

// The blocker owns the hooks it installs: destroying it removes them, so it must not outlive the
// model or the trainer (in a phase, return it from PhaseCallbacks::attach). It never replaces a
// hook the caller set: installing where one is already set is an error naming it. It acts where
// the model trains (Gpt::backend: the CPU, or a device the trainer placed it on before install),
// with the backend's kernels and buffer operations, so a device gives the CPU's bits; the penalty
// runs on the CPU only.
class Blocker {
 public:
  // directions[i] (C) for sites[i]; probe prompts (the world's blocking set); aligned[i] (N, C) the
  // aligned model's activations of the probe prompts at sites[i] at their probe position (penalty mode).
  Blocker(const BlockingConfig& cfg, model::Gpt<float>& model, std::vector<int> sites,
          std::vector<std::vector<double>> directions, model::PromptSet probe, std::vector<std::vector<float>> aligned);
  Blocker(const Blocker&) = delete;
  Blocker& operator=(const Blocker&) = delete;
  ~Blocker();
  // Installs the mode's hooks on the model (act-grad: a backward hook per site) or the trainer
  // (param-update: after_update; penalty: extra_gradient), all or none; at most once.
  void install(train::Trainer& trainer);

 private:
  // d/dtheta of (direction . mean activation at the probe position at site i), into out (the
  // model's parameter count, in the memory of the backend it trains on).
  void functional_gradient(int i, float* out);
  // The probe prompts into device_tokens_ when the model trains on a device.
  void upload_probe_tokens(const kernels::Backend& backend);
  void project_update(const float* before, float* after, size_t n);
  double add_penalty_gradient();

  BlockingConfig cfg_;
  model::Gpt<float>& model_;
  std::vector<int> sites_;
  std::vector<std::vector<double>> directions_;  // unit vectors
  std::vector<kernels::Buffer<double>> device_directions_;  // their copies where the model trains
  std::vector<std::vector<float>> aligned_;
  model::PromptSet probe_;
  kernels::Buffer<int32_t> device_tokens_;  // the probe prompts where the model trains (param-update, penalty)
  autograd::Tape<float> tape_;  // on the backend the model trains on, from install()
  std::vector<kernels::Buffer<float>> basis_;  // orthonormalised functional gradients
  kernels::Buffer<float> delta_;
  std::vector<model::ScopedHook<float>> hooks_;  // act-grad
  train::Trainer* trainer_ = nullptr;            // param-update, penalty: the trainer whose hook is ours
};

}  // namespace vrev::probe
