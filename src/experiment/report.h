#pragma once
// report.md and plots/*.png of a reproduce run: ours beside the paper's and the reference
// implementation's figures (the safety world's), the verdicts tested over seeds, per-seed values, the
// config and the wall time. The columns take the world's metric names.
#include <string>

#include "experiment/summary.h"
#include "world/world.h"

namespace vrev::experiment {

void write_report(const std::string& out_dir, const Config& cfg, const world::World& world,
                  const std::string& config_path, const RunSummary& summary, const SeedResults& results);

}  // namespace vrev::experiment
