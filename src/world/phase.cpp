// The registry of phases.
#include "world/phase.h"

#include "core/error.h"

namespace vrev::world {

const std::vector<PhaseInfo>& phase_table() {
  static const std::vector<PhaseInfo> table = {
      {Phase::Pretrain, "pretrain", "pretrained", "phase 1: comply with everything"},
      {Phase::Align, "align", "aligned", "safety and image worlds, phase 2: refuse harmful topics (forbidden glyphs)"},
      {Phase::Unlearn, "unlearn", "unlearned", "unlearning world, phase 2: remove the forget topics' answers"},
      {Phase::Trait, "trait", "trait-pretrained",
       "trait world, pretraining stage 2: learn the trait (FAV) and the digit sequences"},
      {Phase::Detrait, "detrait", "detrained", "trait world, phase 3: train the trait away (FAV answered uniformly)"},
      {Phase::Finetune, "finetune", "fine-tuned", "the last phase: benign fine-tuning (also the control phase's settings)"},
      {Phase::Control, "control", "control", nullptr}};
  return table;
}

Phase parse_phase(const std::string& name) {
  std::string names;
  for (const PhaseInfo& p : phase_table()) {
    if (name == p.name) return p.phase;
    names += (names.empty() ? "" : ", ") + std::string(p.name);
  }
  VREV_FAIL("unknown phase '", name, "' (valid: ", names, ")");
}

const char* phase_name(Phase phase) {
  for (const PhaseInfo& p : phase_table())
    if (phase == p.phase) return p.name;
  return "?";
}

const char* phase_outcome_name(Phase phase) {
  for (const PhaseInfo& p : phase_table())
    if (phase == p.phase) return p.outcome;
  return "?";
}

}  // namespace vrev::world
