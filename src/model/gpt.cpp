// The GPT's initialisation, and its forward pass (model/architecture.h) on the autograd tape.
#include "model/gpt.h"

#include <cmath>

#include "core/rng.h"
#include "model/architecture.h"

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

// gpt_forward's op set on the autograd tape: each op records its backward, parameters are leaves
// whose gradients land in the model's gradient arena, and sites run the model's hooks.
template <class T>
struct Gpt<T>::TapeOps {
  using Value = Var;
  Gpt& model;
  autograd::Tape<T>& tape;
  const int32_t* tokens;
  int B, Tn;

  Var param(int index) {
    const ParamView& view = model.params_.views()[index];
    const bool host = tape.backend().is_host;
    T* values = host ? model.params_.values() : model.device_values_.data();
    T* grads = host ? model.params_.grads() : model.device_grads_.data();
    return tape.leaf(values + view.offset, tape.recording() ? grads + view.offset : nullptr, view.shape);
  }
  Var embed() {
    return autograd::encoder(tape, tokens, B, Tn, param(Parameters<T>::wte()), param(Parameters<T>::wpe()));
  }
  Var layernorm(Var x, int w, int b) { return autograd::layernorm(tape, x, param(w), param(b)); }
  Var linear(Var x, int w, int b) { return autograd::linear(tape, x, param(w), b == kNoBias ? Var{} : param(b)); }
  Var attention(Var qkv, int /*layer*/) { return autograd::attention(tape, qkv, model.cfg_.heads); }
  Var gelu(Var x) { return autograd::gelu(tape, x); }
  Var add(Var a, Var b) { return autograd::add(tape, a, b); }
  Var site(int index, Var x) {
    if (model.forward_hooks_[index]) model.forward_hooks_[index](tape.value(x), tape.shape(x));
    if (model.backward_hooks_[index]) x = autograd::gradient_site(tape, x, &model.backward_hooks_[index]);
    return x;
  }
};

template <class T>
Var Gpt<T>::run(autograd::Tape<T>& tape, const int32_t* tokens, int B, int Tn, int stop_site) {
  VREV_CHECK(Tn >= 1 && Tn <= cfg_.context, "sequence length ", Tn, " exceeds the model's context ",
             cfg_.context);
  VREV_ASSERT(tape.backend().is_host || &tape.backend() == backend_);
  TapeOps ops{*this, tape, tokens, B, Tn};
  return gpt_forward(ops, *this, stop_site);
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
void Gpt<T>::place_on(const kernels::Backend& device) {
  backend_ = &device;
  uploaded_ = false;
  if (device.is_host) return;
  device_values_ = kernels::Buffer<T>(device, params_.size());
  device_grads_ = kernels::Buffer<T>(device, params_.size());
}

template <class T>
void Gpt<T>::upload() {
  if (backend_->is_host) return;
  device_values_.upload(params_.values());
  uploaded_ = true;
}

template <class T>
void Gpt<T>::download() {
  if (!backend_->is_host) device_values_.download(params_.values());
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

template class Gpt<float>;
template class Gpt<double>;

}  // namespace vrev::model
