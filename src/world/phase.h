#pragma once
// The registry of phases (phase.cpp): every other list of them (the config's phase sections, the
// phase parser and its message, the CLI's help, the main track's comparison) derives from this
// table, so adding a phase is a row here plus its own files (docs/world-interface.md).
#include <string>
#include <vector>

namespace vrev::world {

// The training phases; a world's history uses some of them. Base, Trait and Detrait are the trait
// world's second pretraining stage (its base model), its trait stage (the teacher) and its middle
// phase. Control is prompts drawn like
// fine-tuning's, from a stream of its own, with random answers (the null arm). Student is a
// teacher arm's training: the history's first model on a teacher's outputs (worlds with teacher
// data).
enum class Phase { Pretrain, Align, Unlearn, Base, Trait, Detrait, Finetune, Control, Student };

struct PhaseInfo {
  Phase phase;
  const char* name;     // the config section and `--phase` value
  const char* outcome;  // the model after it: pretrained, aligned, ...
  // What it trains: the help of its config section; none for control, which has fine-tuning's.
  const char* section_help;
};
const std::vector<PhaseInfo>& phase_table();

Phase parse_phase(const std::string& name);  // the error lists the phases
const char* phase_name(Phase p);
const char* phase_outcome_name(Phase p);

}  // namespace vrev::world
