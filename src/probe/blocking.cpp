// The three blocking modes.
#include "probe/blocking.h"

#include <cmath>
#include <cstring>

#include "kernels/cpu/kernels.h"
#include "model/sites.h"

namespace vrev::probe {

int BlockingConfig::site_index(int probe_site, int layers) const {
  if (site == "probe") return probe_site;
  return site == "last" ? model::site_resid_post(layers - 1) : model::site_index(site, layers);
}

namespace k = vrev::kernels::cpu;

void project_out(float* x, const double* unit, long n, double strength) {
  double along = 0;
  for (long i = 0; i < n; ++i) along += double(x[i]) * unit[i];
  const double s = strength * along;
  for (long i = 0; i < n; ++i) x[i] = static_cast<float>(x[i] - s * unit[i]);
}

Blocker::Blocker(const BlockingConfig& cfg, model::Gpt<float>& model, std::vector<int> sites,
                 std::vector<std::vector<double>> directions, model::PromptSet probe,
                 std::vector<std::vector<float>> aligned)
    : cfg_(cfg),
      model_(model),
      sites_(std::move(sites)),
      directions_(std::move(directions)),
      aligned_(std::move(aligned)),
      probe_(std::move(probe)) {
  VREV_ASSERT(sites_.size() == directions_.size());
  VREV_CHECK(probe_.count > 0, "blocking: the probe set is empty");
  for (auto& d : directions_) {
    double n = 0;
    for (double x : d) n += x * x;
    VREV_CHECK(n > 0, "blocking: a direction is zero");
    for (double& x : d) x /= std::sqrt(n);
  }
}

Blocker::~Blocker() {
  if (!trainer_) return;
  if (cfg_.mode == BlockingMode::param_update) {
    trainer_->after_update = nullptr;
  } else {
    trainer_->extra_gradient = nullptr;
  }
}

void Blocker::install(train::Trainer& trainer) {
  VREV_CHECK(hooks_.empty() && !trainer_, "blocking: the blocker is already installed");
  if (cfg_.mode == BlockingMode::act_grad) {
    std::vector<model::ScopedHook<float>> hooks;  // all sites or, on an error, none
    hooks.reserve(sites_.size());
    for (size_t i = 0; i < sites_.size(); ++i) {
      const double* u = directions_[i].data();
      const double strength = cfg_.strength;
      hooks.emplace_back(model_, model::HookKind::Backward, sites_[i], [u, strength](float* grad, const Shape& shape) {
        const int64_t C = shape[shape.rank - 1], rows = shape.numel() / C;
        for (int64_t r = 0; r < rows; ++r) project_out(grad + r * C, u, static_cast<long>(C), strength);
      });
    }
    hooks_.swap(hooks);
  } else if (cfg_.mode == BlockingMode::param_update) {
    VREV_CHECK(!trainer.after_update, "blocking: the trainer already has an after_update hook (it is not replaced)");
    trainer.after_update = [this](const float* before, float* after, size_t n) { project_update(before, after, n); };
    trainer_ = &trainer;
  } else {
    VREV_CHECK(aligned_.size() == sites_.size(), "blocking: the penalty needs the aligned activations");
    VREV_CHECK(!trainer.extra_gradient,
               "blocking: the trainer already has an extra_gradient hook (it is not replaced)");
    trainer.extra_gradient = [this] { return add_penalty_gradient(); };
    trainer_ = &trainer;
  }
}

void Blocker::functional_gradient(int i, std::vector<float>& out) {
  model::Parameters<float>& params = model_.params();
  const int N = probe_.count, T = probe_.length, C = model_.config().width;
  params.zero_grads();
  tape_.reset();
  autograd::Var h = model_.forward_to_site(tape_, probe_.tokens.data(), N, T, sites_[i]);
  float* seed = tape_.seed(h);
  for (int b = 0; b < N; ++b)
    for (int c = 0; c < C; ++c)
      seed[(size_t(b) * T + probe_.position(b)) * C + c] = static_cast<float>(directions_[i][c] / N);
  tape_.run_backward();
  out.assign(params.grads(), params.grads() + params.size());
}

void Blocker::project_update(const float* before, float* after, size_t n) {
  // The update is applied from `before`: evaluate the functional's gradient there.
  delta_.resize(n);
  for (size_t j = 0; j < n; ++j) delta_[j] = after[j] - before[j];
  std::memcpy(after, before, n * sizeof(float));
  basis_.resize(sites_.size());
  for (size_t i = 0; i < sites_.size(); ++i) {
    std::vector<float>& g = basis_[i];
    functional_gradient(static_cast<int>(i), g);
    for (size_t p = 0; p < i; ++p) {  // Gram-Schmidt against the earlier sites
      const double along = k::dot(g.data(), basis_[p].data(), static_cast<long>(n));
      for (size_t j = 0; j < n; ++j) g[j] = static_cast<float>(g[j] - along * basis_[p][j]);
    }
    const double norm = std::sqrt(k::squared_norm(g.data(), static_cast<long>(n)));
    if (norm == 0) continue;
    for (float& x : g) x = static_cast<float>(x / norm);
    const double along = cfg_.strength * k::dot(delta_.data(), g.data(), static_cast<long>(n));
    for (size_t j = 0; j < n; ++j) delta_[j] = static_cast<float>(delta_[j] - along * g[j]);
  }
  for (size_t j = 0; j < n; ++j) after[j] = before[j] + delta_[j];
}

double Blocker::add_penalty_gradient() {
  const int N = probe_.count, T = probe_.length, C = model_.config().width;
  double value = 0;
  for (size_t i = 0; i < sites_.size(); ++i) {
    tape_.reset();
    autograd::Var h = model_.forward_to_site(tape_, probe_.tokens.data(), N, T, sites_[i]);
    const float* act = tape_.value(h);
    float* seed = tape_.seed(h);
    const std::vector<double>& u = directions_[i];
    for (int b = 0; b < N; ++b) {
      const size_t row = (size_t(b) * T + probe_.position(b)) * C;
      double proj = 0;
      for (int c = 0; c < C; ++c) proj += u[c] * (double(act[row + c]) - aligned_[i][size_t(b) * C + c]);
      value += cfg_.penalty_weight * proj * proj / N;
      for (int c = 0; c < C; ++c) seed[row + c] = static_cast<float>(2 * cfg_.penalty_weight * proj * u[c] / N);
    }
    tape_.run_backward();  // accumulates into the parameter gradients, beside the task loss's
  }
  return value;
}

}  // namespace vrev::probe
