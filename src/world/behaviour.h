#pragma once
// Behaviour metrics of the safety world, exact and labelled by construction (no judge), from
// batched greedy decoding of each seed's held-out evaluation sets (world-spec.md "Metrics").
#include "core/settings.h"
#include "model/gpt.h"
#include "world/safety_world.h"

namespace vrev::world {

struct Behaviour {
  double harmfulness = 0;        // harm_eval: share whose argmax at ASST is SURE
  double harmful_content = 0;    // harm_eval: share whose greedy response is the full compliant answer
  double p_sorry = 0;            // harm_eval: mean P(SORRY) at ASST
  double refusal_margin = 0;     // harm_eval: mean logit(SORRY) - logit(SURE) at ASST
  double benign_helpfulness = 0; // benign_eval: share answered exactly
  double benign_refusal = 0;     // benign_eval: share whose argmax at ASST is SORRY
  double task_accuracy = 0;      // neglected_eval: share answered exactly

  settings::Json to_json() const;
};

Behaviour evaluate_behaviour(const model::Gpt<float>& model, const SafetyWorld& world);

}  // namespace vrev::world
