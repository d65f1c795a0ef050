#pragma once
// The GPT's forward pass, written once (docs/architecture.md): token + position embedding,
// pre-LayerNorm blocks of causal attention and a GELU MLP, each added to the residual stream, a
// final LayerNorm and a head tied to wte. It is a template over an op set, so that training
// (Gpt::forward: autograd ops on a tape) and generation (CachedForward: float kernels with a
// key/value cache) run this one architecture, op for op in the same order.
//
// An op set is a class with a type Value (an activation) and these members; parameters are
// passed as their index in Parameters:
//   Value embed()                               tokens -> (B, T, C)
//   Value layernorm(Value x, int w, int b)
//   Value linear(Value x, int w, int b)         x W^T + b, or no bias where b == kNoBias
//   Value attention(Value qkv, int layer)       causal self-attention over the fused q, k, v
//   Value gelu(Value x)
//   Value add(Value a, Value b)
//   Value site(int site, Value x)               x at a named site (model/sites.h), where hooks act
// The calls are resolved at compile time: no virtual call in the forward pass.
#include "model/gpt.h"
#include "model/parameters.h"
#include "model/sites.h"

namespace vrev::model {

inline constexpr int kNoBias = -1;

// The logits (B, T, V); or, when stop_site is a site, the activation there (the forward stops).
template <class Ops, class T>
typename Ops::Value gpt_forward(Ops& ops, const Gpt<T>& model, int stop_site = -1) {
  using Value = typename Ops::Value;
  const Parameters<T>& P = model.params();
  const int L = model.config().layers;
  Value x = ops.site(site_embed(), ops.embed());
  if (stop_site == site_embed()) return x;
  for (int l = 0; l < L; ++l) {
    auto p = [&](BlockParam which) { return P.block(l, which); };
    Value h = ops.layernorm(x, p(kLn1Weight), p(kLn1Bias));
    h = ops.linear(h, p(kQkvWeight), p(kQkvBias));
    h = ops.attention(h, l);
    h = ops.linear(h, p(kAttnProjWeight), p(kAttnProjBias));
    x = ops.site(site_resid_mid(l), ops.add(x, h));
    if (stop_site == site_resid_mid(l)) return x;
    h = ops.layernorm(x, p(kLn2Weight), p(kLn2Bias));
    h = ops.linear(h, p(kFcWeight), p(kFcBias));
    h = ops.gelu(h);
    h = ops.linear(h, p(kMlpProjWeight), p(kMlpProjBias));
    x = ops.site(site_resid_post(l), ops.add(x, h));
    if (stop_site == site_resid_post(l)) return x;
  }
  x = ops.site(site_ln_f(L), ops.layernorm(x, P.ln_f_weight(), P.ln_f_bias()));
  if (stop_site == site_ln_f(L)) return x;
  return ops.linear(x, P.wte(), kNoBias);  // the head is tied to the token embedding
}

}  // namespace vrev::model
