#pragma once
// The GPT (docs/architecture.md): token + learned position embeddings, pre-LayerNorm blocks (causal
// multi-head attention, GELU MLP of width 4C), final LayerNorm, output head tied to wte.
// Templated on the scalar type: float for training, double for gradient checks.
//
// Hooks: a forward hook at a site sees the activation (B, T, C) and may copy or overwrite it;
// a backward hook sees the gradient flowing into that site and may overwrite it. Sites without
// hooks cost one empty-function test per forward. A site holds at most one hook of each kind, and
// setting one where a hook is already set is an error naming the site: a caller's hook is never
// replaced behind its back. model::ScopedHook (model/scoped_hook.h) installs one for a scope.
//
// Training on a device (docs/cuda.md): place_on() gives the model a copy of its parameters and
// their gradients in the device's memory. A forward pass reads the parameters where its tape's
// backend keeps them: that copy on the device's tape, params() on a host tape. upload() sends
// params() to the device, download() brings the device's values back into params(); a hook sees
// its tape's memory. Generation (model/cached_forward.h) runs on the device once upload() has sent
// the parameters there, and on the CPU from params() before that.
#include <cstdint>
#include <functional>
#include <vector>

#include "autograd/ops.h"
#include "kernels/backend.h"
#include "model/config.h"
#include "model/parameters.h"
#include "model/sites.h"

namespace vrev::model {

template <class T>
using ForwardHook = std::function<void(T* activation, const Shape& shape)>;

template <class T>
class Gpt {
 public:
  explicit Gpt(const ModelConfig& cfg);

  // GPT-2 initialisation from the counter RNG keyed by (seed, parameter name).
  void init(uint64_t seed);

  const ModelConfig& config() const { return cfg_; }
  Parameters<T>& params() { return params_; }
  const Parameters<T>& params() const { return params_; }

  void place_on(const kernels::Backend& device);
  // Where the model trains: the CPU's unless placed on a device.
  const kernels::Backend& backend() const { return *backend_; }
  void upload();
  void download();
  // The parameters' values and gradients where the model trains: params()' arrays, or the device's.
  T* training_values() { return backend_->is_host ? params_.values() : device_values_.data(); }
  T* training_grads() { return backend_->is_host ? params_.grads() : device_grads_.data(); }
  // Where generation runs and the parameters it reads: the device and its copy once uploaded
  // (training keeps that copy current), else the CPU and params().
  const kernels::Backend& generation_backend() const { return uploaded_ ? *backend_ : kernels::cpu_backend(); }
  const T* generation_values() const { return uploaded_ ? device_values_.data() : params_.values(); }

  // Logits (B, T, V) for tokens (B, T), T <= context. tokens must outlive backward.
  autograd::Var forward(autograd::Tape<T>& tape, const int32_t* tokens, int B, int Tn);
  // The activation at `site` (B, T, C); the forward stops there.
  autograd::Var forward_to_site(autograd::Tape<T>& tape, const int32_t* tokens, int B, int Tn, int site);

  // An error if the site already has a hook of that kind; nullptr removes the site's hook.
  void set_forward_hook(int site, ForwardHook<T> hook);
  void set_backward_hook(int site, autograd::GradHook<T> hook);

 private:
  struct TapeOps;  // the forward pass's ops on the tape (gpt.cpp)
  autograd::Var run(autograd::Tape<T>& tape, const int32_t* tokens, int B, int Tn, int stop_site);

  ModelConfig cfg_;
  Parameters<T> params_;
  const kernels::Backend* backend_ = &kernels::cpu_backend();
  kernels::Buffer<T> device_values_, device_grads_;  // placed on a device: its copy
  bool uploaded_ = false;                             // device_values_ holds the parameters
  std::vector<ForwardHook<T>> forward_hooks_;             // one slot per site
  std::vector<autograd::GradHook<T>> backward_hooks_;     // one slot per site
};

}  // namespace vrev::model
