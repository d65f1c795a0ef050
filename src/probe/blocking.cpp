// The three blocking modes.
#include "probe/blocking.h"

#include <algorithm>
#include <cmath>

#include "model/sites.h"

namespace vrev::probe {

int BlockingConfig::site_index(int probe_site, int layers) const {
  if (site == "probe") return probe_site;
  return site == "last" ? model::site_resid_post(layers - 1) : model::site_index(site, layers);
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
  const kernels::Backend& backend = model_.backend();
  tape_ = autograd::Tape<float>(backend);
  if (cfg_.mode == BlockingMode::act_grad) {
    if (!backend.is_host)
      for (const std::vector<double>& d : directions_)
        device_directions_.emplace_back(backend, d.size()).upload(d.data());
    std::vector<model::ScopedHook<float>> hooks;  // all sites or, on an error, none
    hooks.reserve(sites_.size());
    for (size_t i = 0; i < sites_.size(); ++i) {
      const double* u = backend.is_host ? directions_[i].data() : device_directions_[i].data();
      const double strength = cfg_.strength;
      hooks.emplace_back(model_, model::HookKind::Backward, sites_[i],
                         [&backend, u, strength](float* grad, const Shape& shape) {
                           const int64_t C = shape[shape.rank - 1];
                           backend.ops.project_rows(grad, u, shape.numel() / C, C, strength);
                         });
    }
    hooks_.swap(hooks);
  } else if (cfg_.mode == BlockingMode::param_update) {
    VREV_CHECK(!trainer.after_update, "blocking: the trainer already has an after_update hook (it is not replaced)");
    upload_probe_tokens(backend);
    trainer.after_update = [this](const float* before, float* after, size_t n) { project_update(before, after, n); };
    trainer_ = &trainer;
  } else {
    VREV_CHECK(aligned_.size() == sites_.size(), "blocking: the penalty needs the aligned activations");
    VREV_CHECK(!trainer.extra_gradient,
               "blocking: the trainer already has an extra_gradient hook (it is not replaced)");
    upload_probe_tokens(backend);
    trainer.extra_gradient = [this] { return add_penalty_gradient(); };
    trainer_ = &trainer;
  }
}

void Blocker::upload_probe_tokens(const kernels::Backend& backend) {
  if (backend.is_host) return;
  device_tokens_ = kernels::Buffer<int32_t>(backend, probe_.tokens.size());
  device_tokens_.upload(probe_.tokens.data());
}

void Blocker::functional_gradient(int i, float* out) {
  const kernels::Backend& backend = model_.backend();
  const long n = static_cast<long>(model_.params().size());
  const int N = probe_.count, T = probe_.length, C = model_.config().width;
  backend.ops.fill(model_.training_grads(), n, 0.0f);
  tape_.reset();
  const int32_t* tokens = backend.is_host ? probe_.tokens.data() : device_tokens_.data();
  autograd::Var h = model_.forward_to_site(tape_, tokens, N, T, sites_[i]);
  float* seed = tape_.seed(h);
  const size_t count = size_t(N) * T * C;
  float* host_seed = tape_.write(seed, count);
  std::fill(host_seed, host_seed + count, 0.0f);
  for (int b = 0; b < N; ++b)
    for (int c = 0; c < C; ++c)
      host_seed[(size_t(b) * T + probe_.position(b)) * C + c] = static_cast<float>(directions_[i][c] / N);
  tape_.upload(seed, host_seed, count);
  tape_.run_backward();
  backend.ops.copy(out, model_.training_grads(), n);
}

void Blocker::project_update(const float* before, float* after, size_t n) {
  const kernels::Backend& backend = model_.backend();
  const long len = static_cast<long>(n);
  if (delta_.size() != n) {
    delta_ = kernels::Buffer<float>(backend, n);
    basis_.clear();
    for (size_t i = 0; i < sites_.size(); ++i) basis_.emplace_back(backend, n);
  }
  // The update is applied from `before`: evaluate the functional's gradient there.
  float* delta = delta_.data();
  backend.ops.difference(delta, after, before, len);
  backend.ops.copy(after, before, len);
  for (size_t i = 0; i < sites_.size(); ++i) {
    float* g = basis_[i].data();
    functional_gradient(static_cast<int>(i), g);
    for (size_t p = 0; p < i; ++p)  // Gram-Schmidt against the earlier sites
      backend.ops.subtract_scaled(g, basis_[p].data(), backend.kernels.dot(g, basis_[p].data(), len), len);
    const double norm = std::sqrt(backend.kernels.squared_norm(g, len));
    if (norm == 0) continue;
    backend.ops.divide(g, len, norm);
    backend.ops.subtract_scaled(delta, g, cfg_.strength * backend.kernels.dot(delta, g, len), len);
  }
  backend.kernels.residual_forward(after, before, delta, len);
}

double Blocker::add_penalty_gradient() {
  const kernels::Backend& backend = model_.backend();
  const int N = probe_.count, T = probe_.length, C = model_.config().width;
  const int32_t* tokens = backend.is_host ? probe_.tokens.data() : device_tokens_.data();
  const size_t count = size_t(N) * T * C;
  double value = 0;
  for (size_t i = 0; i < sites_.size(); ++i) {
    tape_.reset();
    autograd::Var h = model_.forward_to_site(tape_, tokens, N, T, sites_[i]);
    // The activations and the seed on the host: the projections are host loops in double.
    const float* act = tape_.read(tape_.value(h), count);
    float* device_seed = tape_.seed(h);
    float* seed = tape_.write(device_seed, count);
    if (seed != device_seed) std::fill(seed, seed + count, 0.0f);  // seed() zeroed the tape's own
    const std::vector<double>& u = directions_[i];
    for (int b = 0; b < N; ++b) {
      const size_t row = (size_t(b) * T + probe_.position(b)) * C;
      double proj = 0;
      for (int c = 0; c < C; ++c) proj += u[c] * (double(act[row + c]) - aligned_[i][size_t(b) * C + c]);
      value += cfg_.penalty_weight * proj * proj / N;
      for (int c = 0; c < C; ++c) seed[row + c] = static_cast<float>(2 * cfg_.penalty_weight * proj * u[c] / N);
    }
    tape_.upload(device_seed, seed, count);
    tape_.run_backward();  // accumulates into the parameter gradients, beside the task loss's
  }
  return value;
}

}  // namespace vrev::probe
