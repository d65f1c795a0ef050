// gpt_forward's op set for generation: float kernels writing into an arena, attention over the
// key/value cache.
#include "model/cached_forward.h"

#include "kernels/cpu/kernels.h"
#include "model/architecture.h"

namespace vrev::model {

namespace k = vrev::kernels::cpu;

struct CachedForward::Ops {
  // An activation: B * Tn rows of `width` floats in the arena.
  struct Value {
    float* data;
    int width;
  };
  const Parameters<float>& params;
  autograd::Arena<float>& arena;
  float* kcache;
  float* vcache;
  const int32_t* tokens;
  const ModelConfig& cfg;
  int B, Tn, t0;  // Tn new positions from position t0 on

  int rows() const { return B * Tn; }
  const float* value(int index) const { return params.value(index); }
  Value output(int width) { return {arena.alloc(size_t(rows()) * width), width}; }

  Value embed() {
    const int C = cfg.width;
    Value x = output(C);
    // The positions start at t0: the encoder reads wpe from row t0 on.
    k::encoder_forward(x.data, tokens, value(Parameters<float>::wte()),
                       value(Parameters<float>::wpe()) + size_t(t0) * C, B, Tn, C);
    return x;
  }
  Value layernorm(Value x, int w, int b) {
    Value y = output(x.width);
    float* mean = arena.alloc(rows());
    float* rstd = arena.alloc(rows());
    k::layernorm_forward(y.data, mean, rstd, x.data, value(w), value(b), rows(), x.width);
    return y;
  }
  Value linear(Value x, int w, int b) {
    Value y = output(static_cast<int>(params.views()[w].shape[0]));  // W is (OC, IC)
    k::matmul_forward(y.data, x.data, value(w), b == kNoBias ? nullptr : value(b), rows(), x.width, y.width);
    return y;
  }
  // Appends this call's keys and values to the layer's cache and attends over positions 0 .. t0+Tn-1.
  Value attention(Value qkv, int layer) {
    Value y = output(qkv.width / 3);
    const size_t cache_layer = size_t(B) * cfg.context * y.width;
    k::attention_forward_cached(y.data, kcache + layer * cache_layer, vcache + layer * cache_layer, qkv.data, B, Tn, t0,
                                cfg.context, y.width, cfg.heads);
    return y;
  }
  Value gelu(Value x) {
    Value y = output(x.width);
    k::gelu_forward(y.data, x.data, long(rows()) * x.width);
    return y;
  }
  Value add(Value a, Value b) {
    Value y = output(a.width);
    k::residual_forward(y.data, a.data, b.data, long(rows()) * a.width);
    return y;
  }
  Value site(int /*index*/, Value x) { return x; }  // generation runs without hooks
};

CachedForward::CachedForward(const Gpt<float>& model, int B) : model_(model), B_(B), arena_(kernels::cpu_backend()) {
  const ModelConfig& cfg = model.config();
  const size_t cache = size_t(cfg.layers) * B * cfg.context * cfg.width;
  kcache_ = std::make_unique_for_overwrite<float[]>(cache);
  vcache_ = std::make_unique_for_overwrite<float[]>(cache);
}

const float* CachedForward::forward(const int32_t* tokens, int Tn) {
  const ModelConfig& cfg = model_.config();
  VREV_ASSERT(Tn >= 1 && positions_ + Tn <= cfg.context);
  arena_.reset();  // rewound, not freed: the prompt's call sizes it, the one-token calls reuse it
  Ops ops{model_.params(), arena_, kcache_.get(), vcache_.get(), tokens, cfg, B_, Tn, positions_};
  const Ops::Value logits = gpt_forward(ops, model_);
  positions_ += Tn;
  return logits.data;
}

}  // namespace vrev::model
