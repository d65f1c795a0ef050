// gpt_forward's op set for generation: a backend's float kernels writing into an arena, attention
// over the key/value cache.
#include "model/cached_forward.h"

#include "model/architecture.h"

namespace vrev::model {

struct CachedForward::Ops {
  // An activation: B * Tn rows of `width` floats in the arena.
  struct Value {
    float* data;
    int width;
  };
  const kernels::KernelSet& k;
  const Parameters<float>& params;  // the views: names, shapes, offsets
  const float* values;              // the parameters in the backend's memory
  autograd::Arena<float>& arena;
  float* kcache;
  float* vcache;
  const int32_t* tokens;  // in the backend's memory
  const ModelConfig& cfg;
  int B, Tn, t0;  // Tn new positions from position t0 on

  int rows() const { return B * Tn; }
  const float* value(int index) const { return values + params.views()[index].offset; }
  Value output(int width) { return {arena.alloc(size_t(rows()) * width), width}; }

  Value embed() {
    const int C = cfg.width;
    Value x = output(C);
    // The positions start at t0: the encoder reads wpe from row t0 on.
    k.encoder_forward(x.data, tokens, value(Parameters<float>::wte()),
                      value(Parameters<float>::wpe()) + size_t(t0) * C, B, Tn, C);
    return x;
  }
  Value layernorm(Value x, int w, int b) {
    Value y = output(x.width);
    float* mean = arena.alloc(rows());
    float* rstd = arena.alloc(rows());
    k.layernorm_forward(y.data, mean, rstd, x.data, value(w), value(b), rows(), x.width);
    return y;
  }
  Value linear(Value x, int w, int b) {
    Value y = output(static_cast<int>(params.views()[w].shape[0]));  // W is (OC, IC)
    k.matmul_forward(y.data, x.data, value(w), b == kNoBias ? nullptr : value(b), rows(), x.width, y.width);
    return y;
  }
  // Appends this call's keys and values to the layer's cache and attends over positions 0 .. t0+Tn-1.
  Value attention(Value qkv, int layer) {
    Value y = output(qkv.width / 3);
    const size_t cache_layer = size_t(B) * cfg.context * y.width;
    k.attention_forward_cached(y.data, kcache + layer * cache_layer, vcache + layer * cache_layer, qkv.data, B, Tn,
                               t0, cfg.context, y.width, cfg.heads);
    return y;
  }
  Value gelu(Value x) {
    Value y = output(x.width);
    k.gelu_forward(y.data, x.data, long(rows()) * x.width);
    return y;
  }
  Value add(Value a, Value b) {
    Value y = output(a.width);
    k.residual_forward(y.data, a.data, b.data, long(rows()) * a.width);
    return y;
  }
  Value site(int /*index*/, Value x) { return x; }  // generation runs without hooks
};

CachedForward::CachedForward(const Gpt<float>& model, int B)
    : model_(model), backend_(model.generation_backend()), B_(B), arena_(backend_) {
  const ModelConfig& cfg = model.config();
  const size_t cache = size_t(cfg.layers) * B * cfg.context * cfg.width;
  kcache_ = kernels::Buffer<float>(backend_, cache);
  vcache_ = kernels::Buffer<float>(backend_, cache);
  if (!backend_.is_host) device_tokens_ = kernels::Buffer<int32_t>(backend_, size_t(B) * cfg.context);
}

const float* CachedForward::forward(const int32_t* tokens, int Tn) {
  const ModelConfig& cfg = model_.config();
  VREV_ASSERT(Tn >= 1 && positions_ + Tn <= cfg.context);
  VREV_ASSERT(&model_.generation_backend() == &backend_);
  const size_t n_tokens = size_t(B_) * Tn;
  if (!backend_.is_host) {
    backend_.copy_up(device_tokens_.data(), tokens, n_tokens * sizeof(int32_t));
    tokens = device_tokens_.data();
  }
  arena_.reset();  // rewound, not freed: the prompt's call sizes it, the one-token calls reuse it
  Ops ops{backend_.kernels, model_.params(), model_.generation_values(), arena_, kcache_.data(), vcache_.data(),
          tokens,           cfg,             B_,                          Tn,     positions_};
  const Ops::Value logits = gpt_forward(ops, model_);
  positions_ += Tn;
  if (backend_.is_host) return logits.data;
  host_logits_.resize(n_tokens * cfg.vocab_size);
  backend_.copy_down(host_logits_.data(), logits.data, host_logits_.size() * sizeof(float));
  return host_logits_.data();
}

}  // namespace vrev::model
