// The GPT's initialisation and forward pass, written as a sequence of autograd ops.
#include "model/gpt.h"

#include <cmath>

#include "core/rng.h"

namespace vrev::model {

using autograd::Var;

template <class T>
Gpt<T>::Gpt(const ModelConfig& cfg)
    : cfg_(cfg), params_(cfg), forward_hooks_(num_sites(cfg.layers)), backward_hooks_(num_sites(cfg.layers)) {
  cfg.validate();
}

template <class T>
void Gpt<T>::init(uint64_t seed) {
  const double residual_scale = 1.0 / std::sqrt(2.0 * cfg_.layers);
  for (size_t i = 0; i < params_.views().size(); ++i) {
    const ParamView& v = params_.views()[i];
    T* w = params_.value(static_cast<int>(i));
    const bool is_bias = v.name.ends_with(".bias");
    const bool is_norm = v.name.find("ln") != std::string::npos;  // ln1, ln2, ln_f
    if (is_bias) {
      std::fill(w, w + v.numel(), T(0));
    } else if (is_norm) {
      std::fill(w, w + v.numel(), T(1));
    } else {
      // GPT-2 scales the projections that write into the residual stream by 1/sqrt(2L).
      const bool residual = v.name.ends_with("attn.proj.weight") || v.name.ends_with("mlp.proj.weight");
      const double std = 0.02 * (residual ? residual_scale : 1.0);
      const uint64_t stream = rng::stream_id("init/" + v.name);
      for (size_t j = 0; j < v.numel(); ++j) w[j] = static_cast<T>(std * rng::normal(seed, stream, j));
    }
  }
}

template <class T>
Var Gpt<T>::param(autograd::Tape<T>& tape, int index) {
  return tape.leaf(params_.value(index), tape.recording() ? params_.grad(index) : nullptr,
                   params_.views()[index].shape);
}

template <class T>
Var Gpt<T>::site(autograd::Tape<T>& tape, int index, Var x) {
  if (forward_hooks_[index]) forward_hooks_[index](tape.value(x), tape.shape(x));
  if (backward_hooks_[index]) x = autograd::gradient_site(tape, x, &backward_hooks_[index]);
  return x;
}

template <class T>
Var Gpt<T>::run(autograd::Tape<T>& tape, const int32_t* tokens, int B, int Tn, int stop_site) {
  namespace ag = autograd;
  VREV_CHECK(Tn >= 1 && Tn <= cfg_.context, "sequence length ", Tn, " exceeds the model's context ",
             cfg_.context);
  using P = Parameters<T>;
  Var wte = param(tape, P::wte());
  Var x = ag::encoder(tape, tokens, B, Tn, wte, param(tape, P::wpe()));
  x = site(tape, site_embed(), x);
  if (stop_site == site_embed()) return x;
  for (int l = 0; l < cfg_.layers; ++l) {
    auto p = [&](BlockParam which) { return param(tape, P::block(l, which)); };
    Var h = ag::layernorm(tape, x, p(kLn1Weight), p(kLn1Bias));
    h = ag::linear(tape, h, p(kQkvWeight), p(kQkvBias));
    h = ag::attention(tape, h, cfg_.heads);
    h = ag::linear(tape, h, p(kAttnProjWeight), p(kAttnProjBias));
    x = site(tape, site_resid_mid(l), ag::add(tape, x, h));
    if (stop_site == site_resid_mid(l)) return x;
    h = ag::layernorm(tape, x, p(kLn2Weight), p(kLn2Bias));
    h = ag::linear(tape, h, p(kFcWeight), p(kFcBias));
    h = ag::gelu(tape, h);
    h = ag::linear(tape, h, p(kMlpProjWeight), p(kMlpProjBias));
    x = site(tape, site_resid_post(l), ag::add(tape, x, h));
    if (stop_site == site_resid_post(l)) return x;
  }
  x = ag::layernorm(tape, x, param(tape, params_.ln_f_weight()), param(tape, params_.ln_f_bias()));
  x = site(tape, site_ln_f(cfg_.layers), x);
  if (stop_site == site_ln_f(cfg_.layers)) return x;
  return ag::linear(tape, x, wte, Var{});  // head tied to the token embedding, no bias
}

template <class T>
Var Gpt<T>::forward(autograd::Tape<T>& tape, const int32_t* tokens, int B, int Tn) {
  return run(tape, tokens, B, Tn, -1);
}

template <class T>
Var Gpt<T>::forward_to_site(autograd::Tape<T>& tape, const int32_t* tokens, int B, int Tn, int site_index) {
  VREV_ASSERT(site_index >= 0 && site_index < num_sites(cfg_.layers));
  return run(tape, tokens, B, Tn, site_index);
}

template <class T>
void Gpt<T>::set_forward_hook(int index, ForwardHook<T> hook) {
  VREV_CHECK(!hook || !forward_hooks_.at(index), "model: site '", site_name(index, cfg_.layers),
             "' already has a forward hook (remove it first; hooks are not replaced)");
  forward_hooks_.at(index) = std::move(hook);
}

template <class T>
void Gpt<T>::set_backward_hook(int index, autograd::GradHook<T> hook) {
  VREV_CHECK(!hook || !backward_hooks_.at(index), "model: site '", site_name(index, cfg_.layers),
             "' already has a backward hook (remove it first; hooks are not replaced)");
  backward_hooks_.at(index) = std::move(hook);
}

template <class T>
void Gpt<T>::clear_hooks() {
  for (auto& h : forward_hooks_) h = nullptr;
  for (auto& h : backward_hooks_) h = nullptr;
}

template class Gpt<float>;
template class Gpt<double>;

}  // namespace vrev::model
