#pragma once
// Batched autoregressive generation with a key/value cache: the prompt is run once (prefill),
// then each new token costs one position of work. Greedy, or temperature / top-k sampling from
// the counter RNG (token j of row b is drawn with index b * max_new_tokens + j, so a batch gives
// the same tokens on any thread count and in any batch composition of equal seed). The forward
// passes run where the model's generation_backend() is (model/cached_forward.h), with the CPU's
// bits; the choice of each token runs on the host.
#include <cstdint>
#include <vector>

#include "model/gpt.h"

namespace vrev::model {

struct GenerateOptions {
  int max_new_tokens = 1;
  double temperature = 0.0;  // 0: greedy (argmax)
  int top_k = 0;             // 0: the whole vocabulary
  std::vector<int32_t> allowed_tokens;  // empty: every token; else only these are picked
  uint64_t seed = 0;
  int stop_token = -1;       // after a row emits it, the row emits pad_token
  int pad_token = 0;
};

struct Generation {
  std::vector<int32_t> tokens;       // (B, max_new_tokens) the new tokens only
  std::vector<float> first_logits;   // (B, V) logits at the last prompt position
};

// softmax(logits) in double, computed stably (V entries).
std::vector<double> softmax(const float* logits, int V);

// prompts (B, P): all rows share the prompt length P; P + max_new_tokens <= context.
Generation generate(const Gpt<float>& model, const int32_t* prompts, int B, int P, const GenerateOptions& opt);

}  // namespace vrev::model
