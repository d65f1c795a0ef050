#pragma once
// What each seed's runs left on disk, read back for the summary: the behaviour after each phase of
// the world's history, and each fine-tuning arm's geometry and behaviour series.
#include <map>
#include <string>
#include <vector>

#include "core/settings.h"

namespace vrev::experiment {

// One fine-tuning arm of one seed, as its run left it.
struct ArmRun {
  settings::Json geometry;  // geometry.json (probe/run_geometry.h)
  settings::Json metrics;   // the behaviour series: {"steps": [...], "<metric>": [...]}
};

struct SeedResult {
  int seed = 0;
  std::vector<settings::Json> history;  // behaviour after each phase of the world's history
  std::map<std::string, ArmRun> arms;   // by arm name
};
using SeedResults = std::vector<SeedResult>;

// The named behaviour metrics at each evaluation step of a run: {"steps": [...], "<metric>": [...]}.
settings::Json read_behaviour_series(const std::string& run_dir, const std::vector<std::string>& metrics);

}  // namespace vrev::experiment
