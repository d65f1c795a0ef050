#pragma once
// `vrev reproduce`: the paper's main track, in the config's world. For every seed: train the
// world's history once (safety: pretrain, align); capture the reference activations and estimate
// v_rev; fine-tune each arm (plain, block-vrev, block-random, block-pc1) and a control run
// (random-token answers, for the control null), capturing at the evaluation steps; measure
// geometry and nulls. Then summary.json, table.csv, report.md, plots.
// Every phase is resumable and skipped when its outputs exist with the same inputs.
#include <string>

#include "experiment/config.h"
#include "probe/files.h"
#include "world/world.h"

namespace vrev::experiment {

struct ReproduceOptions {
  std::string config_path;   // recorded in the report
  std::string out_dir = "runs/main";
  bool quiet = false;        // no progress output
};

// Returns the summary (also written to out_dir/summary.json).
settings::Json reproduce(const Config& cfg, const ReproduceOptions& options);

// Which prompts the probe position reads: prompts ending at ASST, or followed by SURE (answer).
world::ProbePoint probe_point(const probe::ProbeConfig& cfg);
// The names of a world's reference checkpoints and probe sets, as the probe's files use them.
probe::ProbeNames probe_names(const world::World& world);

}  // namespace vrev::experiment
