#pragma once
// Aggregating seeds: the run's summary (the paper's figures, the reference implementation's, and
// ours as mean, sd, bootstrap interval and per-seed values, over the seeds that pass the
// pretraining gate; the verdicts tested over seeds, also over every seed) and table.csv.
#include <string>

#include "experiment/config.h"
#include "experiment/run_summary.h"
#include "experiment/seed_result.h"
#include "world/world.h"

namespace vrev::experiment {

// Every field of the summary but training_seconds, which the caller knows.
RunSummary summarize_runs(const Config& cfg, const world::World& world, const SeedResults& results,
                          double wall_seconds);
void write_table_csv(const std::string& path, const RunSummary& summary, const world::MetricRoles& roles);

}  // namespace vrev::experiment
