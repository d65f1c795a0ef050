#pragma once
// Greedy decoding of a fixed prompt set of the safety world (and the worlds built on it), in
// batches: the response tokens and the logits at ASST of every prompt, for behaviour metrics.
#include <vector>

#include "model/gpt.h"
#include "world/safety_world.h"

namespace vrev::world {

struct DecodedSet {
  int count = 0, V = 0;
  std::vector<int32_t> responses;   // (count, kAnswerLen) greedy
  std::vector<float> first_logits;  // (count, V) at ASST

  const int32_t* response(int i) const { return responses.data() + size_t(i) * kAnswerLen; }
  const float* logits(int i) const { return first_logits.data() + size_t(i) * V; }
};

DecodedSet decode_greedy(const model::Gpt<float>& model, const SafetyWorld& world, const std::vector<Prompt>& prompts);

}  // namespace vrev::world
