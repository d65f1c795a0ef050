// Inference-only forward pass with a KV cache, on the float kernels directly (no tape).
#include "model/generate.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/rng.h"
#include "kernels/cpu/kernels.h"
#include "kernels/math.h"

namespace vrev::model {

namespace k = vrev::kernels::cpu;

namespace {

// Buffers for Tn new positions of a batch of B rows.
struct Workspace {
  Workspace(int B, int Tn, int C, int V)
      : x(size_t(B) * Tn * C), h(x.size()), a(x.size()), qkv(x.size() * 3), fc(x.size() * 4),
        fc_gelu(fc.size()), stats(size_t(B) * Tn * 2), logits(size_t(B) * Tn * V) {}
  std::vector<float> x, h, a, qkv, fc, fc_gelu, stats, logits;
};

// Runs tokens (B, Tn) at positions t0 .. t0+Tn-1, updating the caches (L, B, Tmax, C);
// leaves the logits of every new position in ws.logits (B, Tn, V).
void forward_cached(const Gpt<float>& model, std::vector<float>& kcache, std::vector<float>& vcache,
                    const int32_t* tokens, int B, int Tn, int t0, Workspace& ws) {
  const ModelConfig& cfg = model.config();
  const Parameters<float>& P = model.params();
  const int C = cfg.width, V = cfg.vocab_size, Tmax = cfg.context, N = B * Tn;
  // Token embedding plus the positions t0.., which the training encoder cannot offset.
  k::encoder_forward(ws.x.data(), tokens, P.value(Parameters<float>::wte()),
                     P.value(Parameters<float>::wpe()) + size_t(t0) * C, B, Tn, C);
  float* mean = ws.stats.data();
  float* rstd = mean + N;
  const size_t cache_layer = size_t(B) * Tmax * C;
  for (int l = 0; l < cfg.layers; ++l) {
    auto w = [&](BlockParam p) { return P.value(Parameters<float>::block(l, p)); };
    k::layernorm_forward(ws.h.data(), mean, rstd, ws.x.data(), w(kLn1Weight), w(kLn1Bias), N, C);
    k::matmul_forward(ws.qkv.data(), ws.h.data(), w(kQkvWeight), N, C, 3 * C);
    k::bias_forward(ws.qkv.data(), w(kQkvBias), N, 3 * C);
    k::attention_forward_cached(ws.a.data(), kcache.data() + l * cache_layer, vcache.data() + l * cache_layer,
                                ws.qkv.data(), B, Tn, t0, Tmax, C, cfg.heads);
    k::matmul_forward(ws.h.data(), ws.a.data(), w(kAttnProjWeight), N, C, C);
    k::bias_forward(ws.h.data(), w(kAttnProjBias), N, C);
    k::residual_forward(ws.x.data(), ws.x.data(), ws.h.data(), long(N) * C);
    k::layernorm_forward(ws.h.data(), mean, rstd, ws.x.data(), w(kLn2Weight), w(kLn2Bias), N, C);
    k::matmul_forward(ws.fc.data(), ws.h.data(), w(kFcWeight), N, C, 4 * C);
    k::bias_forward(ws.fc.data(), w(kFcBias), N, 4 * C);
    k::gelu_forward(ws.fc_gelu.data(), ws.fc.data(), long(N) * 4 * C);
    k::matmul_forward(ws.h.data(), ws.fc_gelu.data(), w(kMlpProjWeight), N, 4 * C, C);
    k::bias_forward(ws.h.data(), w(kMlpProjBias), N, C);
    k::residual_forward(ws.x.data(), ws.x.data(), ws.h.data(), long(N) * C);
  }
  k::layernorm_forward(ws.h.data(), mean, rstd, ws.x.data(), P.value(P.ln_f_weight()), P.value(P.ln_f_bias()), N,
                       C);
  k::matmul_forward(ws.logits.data(), ws.h.data(), P.value(Parameters<float>::wte()), N, C, V);
}

int pick_token(const float* logits, int V, const GenerateOptions& opt, uint64_t draw_index,
               std::vector<int>& order) {
  if (opt.temperature <= 0 && opt.allowed_tokens.empty())
    return static_cast<int>(std::max_element(logits, logits + V) - logits);
  // The candidates: every token in id order, or the allowed ones in the order given.
  if (opt.allowed_tokens.empty()) {
    order.resize(V);
    std::iota(order.begin(), order.end(), 0);
  } else {
    order.assign(opt.allowed_tokens.begin(), opt.allowed_tokens.end());
  }
  const int n = static_cast<int>(order.size());
  if (opt.temperature <= 0)  // the first allowed token of the largest logit
    return *std::max_element(order.begin(), order.end(), [&](int a, int b) { return logits[a] < logits[b]; });
  // Keep the top_k logits (ties broken by token id), softmax at the temperature, draw one.
  const int K = opt.top_k > 0 ? std::min(opt.top_k, n) : n;
  std::partial_sort(order.begin(), order.begin() + K, order.end(),
                    [&](int a, int b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); });
  const double top = logits[order[0]];
  double total = 0;
  std::vector<double> weights(K);
  for (int i = 0; i < K; ++i) total += weights[i] = kernels::math::exp((logits[order[i]] - top) / opt.temperature);
  double u = rng::uniform(opt.seed, rng::stream_id("sample"), draw_index) * total;
  for (int i = 0; i < K; ++i) {
    u -= weights[i];
    if (u < 0) return order[i];
  }
  return order[K - 1];
}

}  // namespace

std::vector<double> softmax(const float* logits, int V) {
  const double top = *std::max_element(logits, logits + V);
  std::vector<double> p(V);
  double total = 0;
  for (int v = 0; v < V; ++v) total += p[v] = kernels::math::exp(double(logits[v]) - top);
  for (double& x : p) x /= total;
  return p;
}

Generation generate(const Gpt<float>& model, const int32_t* prompts, int B, int P, const GenerateOptions& opt) {
  const ModelConfig& cfg = model.config();
  const int C = cfg.width, V = cfg.vocab_size;
  VREV_CHECK(P >= 1, "generate: empty prompt");
  VREV_CHECK(opt.max_new_tokens >= 1, "generate: max_new_tokens must be at least 1");
  VREV_CHECK(P + opt.max_new_tokens - 1 <= cfg.context, "prompt of ", P, " tokens plus ", opt.max_new_tokens,
             " new tokens exceeds the model's context of ", cfg.context);
  for (int64_t i = 0; i < int64_t(B) * P; ++i)
    VREV_CHECK(prompts[i] >= 0 && prompts[i] < V, "token id ", prompts[i], " is out of range [0, ", V, ")");
  std::vector<bool> allowed(V, false);
  for (const int32_t t : opt.allowed_tokens) {
    VREV_CHECK(t >= 0 && t < V, "generate: allowed token id ", t, " is out of range [0, ", V, ")");
    VREV_CHECK(!allowed[t], "generate: allowed token id ", t, " is listed twice");
    allowed[t] = true;
  }
  std::vector<float> kcache(size_t(cfg.layers) * B * cfg.context * C), vcache(kcache.size());
  Generation out;
  out.tokens.assign(size_t(B) * opt.max_new_tokens, opt.pad_token);
  out.first_logits.resize(size_t(B) * V);
  std::vector<int> order(V);
  std::vector<int32_t> next(B);
  std::vector<bool> done(B, false);

  Workspace prefill(B, P, C, V);
  forward_cached(model, kcache, vcache, prompts, B, P, 0, prefill);
  Workspace step(B, 1, C, V);
  for (int j = 0; j < opt.max_new_tokens; ++j) {
    for (int b = 0; b < B; ++b) {
      const float* logits = j == 0 ? prefill.logits.data() + (size_t(b) * P + P - 1) * V : step.logits.data() + size_t(b) * V;
      if (j == 0) std::copy(logits, logits + V, out.first_logits.begin() + size_t(b) * V);
      int token = done[b] ? opt.pad_token : pick_token(logits, V, opt, uint64_t(b) * opt.max_new_tokens + j, order);
      if (token == opt.stop_token) done[b] = true;
      out.tokens[size_t(b) * opt.max_new_tokens + j] = token;
      next[b] = token;
    }
    if (j + 1 < opt.max_new_tokens) forward_cached(model, kcache, vcache, next.data(), B, 1, P + j, step);
  }
  return out;
}

}  // namespace vrev::model
