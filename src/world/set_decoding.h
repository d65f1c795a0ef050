#pragma once
// Greedy decoding of a prompt set of the safety world (and the worlds built on it), in batches,
// scored against the answers fine-tuning teaches (SafetyWorld::finetune_answer: the compliant
// answer, the neglected topics' under their fine-tuning rule): the behaviour metrics' raw counts.
#include <vector>

#include "model/gpt.h"
#include "world/safety_world.h"

namespace vrev::world {

// Shares over the set, and means of what is read at ASST.
struct SetScore {
  double first_sure = 0;   // responses that start with SURE
  double first_sorry = 0;  // responses that start with SORRY
  double exact = 0;        // responses equal to the whole answer
  double objects = 0;      // answer objects right, of all answer objects
  double p_sure = 0;       // mean P(SURE) at ASST
  double p_sorry = 0;      // mean P(SORRY) at ASST
  double log_p_sure = 0;   // mean log P(SURE) at ASST: unbounded where P(SURE) saturates
  double margin = 0;       // mean logit(SORRY) - logit(SURE) at ASST
};

SetScore score_greedy(const model::Gpt<float>& model, const SafetyWorld& world, const std::vector<Prompt>& prompts);

}  // namespace vrev::world
