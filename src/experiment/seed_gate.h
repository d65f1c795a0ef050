#pragma once
// The pretraining gate, declared in the config before any result (reproduce.gate): a seed whose
// history did not learn the world's task, its task metric below the gate at the end of the
// history's first phase, is reported apart and left out of the headline means and tests. The rule
// reads only the first phase, never an outcome of fine-tuning.
#include <string>
#include <vector>

#include "experiment/config.h"
#include "experiment/seed_result.h"
#include "world/world.h"

namespace vrev::experiment {

struct GateOutcome {
  std::string rule;                 // "task_accuracy >= 0.9 at the end of pretrain"
  std::vector<int> passed, failed;  // seeds
  std::vector<double> failed_values;
};

GateOutcome apply_gate(const Config& cfg, const world::World& world, const SeedResults& results);

// The seeds the headline uses: those that pass, or every seed when none does (the report says so).
SeedResults headline_seeds(const SeedResults& results, const GateOutcome& gate);

settings::Json to_json(const GateOutcome& gate);

}  // namespace vrev::experiment
