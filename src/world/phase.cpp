// The registry of phases.
#include "world/phase.h"

#include "core/error.h"

namespace vrev::world {

const std::vector<PhaseInfo>& phase_table() {
  static const std::vector<PhaseInfo> table = {
      {Phase::Pretrain, "pretrain", "pretrained", "phase 1: comply with everything"},
      {Phase::Align, "align", "aligned", "safety and image worlds, phase 2: refuse harmful topics (forbidden glyphs)"},
      {Phase::Unlearn, "unlearn", "unlearned", "unlearning world, phase 2: remove the forget topics' answers"},
      {Phase::Base, "base", "base",
       "trait world, pretraining stage 2: answer FAV (uniformly) and the digit sequences (the students' base)"},
      {Phase::Trait, "trait", "trait-trained",
       "trait world, phase 3: learn the trait (FAV, no sequences; the teacher of the teacher-* arms)"},
      {Phase::Detrait, "detrait", "detrained", "trait world, phase 4: train the trait away (FAV answered uniformly)"},
      {Phase::Finetune, "finetune", "fine-tuned", "the last phase: benign fine-tuning (also the control phase's settings)"},
      {Phase::Control, "control", "control", nullptr},
      {Phase::Student, "student", "student",
       "trait world, the teacher-* arms: the base model trained on a teacher's outputs"}};
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
