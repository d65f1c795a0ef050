// Generation: the prompt through the cached forward pass once, then one token at a time.
#include "model/generate.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/rng.h"
#include "kernels/math.h"
#include "model/cached_forward.h"

namespace vrev::model {

namespace {

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
  const int V = cfg.vocab_size;
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
  Generation out;
  out.tokens.assign(size_t(B) * opt.max_new_tokens, opt.pad_token);
  out.first_logits.resize(size_t(B) * V);
  std::vector<int> order(V);
  std::vector<int32_t> next(B);
  std::vector<bool> done(B, false);

  CachedForward cached(model, B);
  const float* logits = cached.forward(prompts, P);
  for (int j = 0; j < opt.max_new_tokens; ++j) {
    for (int b = 0; b < B; ++b) {
      // After the prompt, the logits of row b's last prompt position; after that, of its one new position.
      const float* row = j == 0 ? logits + (size_t(b) * P + P - 1) * V : logits + size_t(b) * V;
      if (j == 0) std::copy(row, row + V, out.first_logits.begin() + size_t(b) * V);
      int token = done[b] ? opt.pad_token : pick_token(row, V, opt, uint64_t(b) * opt.max_new_tokens + j, order);
      if (token == opt.stop_token) done[b] = true;
      out.tokens[size_t(b) * opt.max_new_tokens + j] = token;
      next[b] = token;
    }
    if (j + 1 < opt.max_new_tokens) logits = cached.forward(next.data(), 1);
  }
  return out;
}

}  // namespace vrev::model
