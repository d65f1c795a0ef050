// Batched greedy decoding of prompt sets.
#include "world/set_decoding.h"

#include <algorithm>

#include "model/generate.h"

namespace vrev::world {

namespace {
constexpr int kEvalBatch = 256;
}

DecodedSet decode_greedy(const model::Gpt<float>& model, const SafetyWorld& world, const std::vector<Prompt>& prompts) {
  DecodedSet d;
  d.count = static_cast<int>(prompts.size());
  d.V = model.config().vocab_size;
  d.responses.resize(size_t(d.count) * kAnswerLen);
  d.first_logits.resize(size_t(d.count) * d.V);
  model::GenerateOptions opt;
  opt.max_new_tokens = kAnswerLen;
  std::vector<int32_t> tokens;
  for (int start = 0; start < d.count; start += kEvalBatch) {
    const int B = std::min(kEvalBatch, d.count - start);
    tokens.resize(size_t(B) * kPromptLen);
    for (int b = 0; b < B; ++b) world.write_prompt(prompts[start + b], tokens.data() + size_t(b) * kPromptLen);
    const model::Generation gen = model::generate(model, tokens.data(), B, kPromptLen, opt);
    std::copy(gen.tokens.begin(), gen.tokens.end(), d.responses.begin() + size_t(start) * kAnswerLen);
    std::copy(gen.first_logits.begin(), gen.first_logits.end(), d.first_logits.begin() + size_t(start) * d.V);
  }
  return d;
}

}  // namespace vrev::world
