#pragma once
// Aggregating seeds: summary.json (the paper's figures, the reference implementation's, and ours
// as mean, sd, bootstrap interval and per-seed values, over the seeds that pass the pretraining
// gate; the verdicts tested over seeds, also over every seed) and table.csv.
#include <map>
#include <string>
#include <vector>

#include "core/settings.h"
#include "experiment/config.h"
#include "world/world.h"

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

// The keys of summary.json that record time (this invocation's, and the runs' own): the only
// values in it that differ between two runs of the same settings.
inline constexpr const char* kWallSecondsKey = "wall_seconds";
inline constexpr const char* kTrainingSecondsKey = "training_seconds";

// The named behaviour metrics at each evaluation step of a run: {"steps": [...], "<metric>": [...]}.
settings::Json read_behaviour_series(const std::string& run_dir, const std::vector<std::string>& metrics);

settings::Json summarize_runs(const Config& cfg, const world::World& world, const SeedResults& results,
                              double wall_seconds);
void write_table_csv(const std::string& path, const settings::Json& summary, const world::MetricRoles& roles);

// {"mean", "sd", "values", "ci95"} of values over seeds.
settings::Json seed_stats(const std::vector<double>& values);

}  // namespace vrev::experiment
