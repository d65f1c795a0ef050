#pragma once
// `vrev compare A B`: two `vrev reproduce` directories side by side, so that a student checks a run
// against a published one and a researcher reads a variant (another setting) against the main
// track: the config keys that differ, every arm's metrics at T and alignment at steps 1, 20 and T
// (means, differences and per-seed values), the nulls' counts, and which checkpoints have the
// same bits.
#include <optional>
#include <string>
#include <vector>

#include "probe/statistics.h"

namespace vrev::experiment {

struct ComparedValue {
  std::string quantity;  // e.g. "harmfulness at T", "alignment at step 20"
  std::string arm;
  std::optional<probe::SeedStats> a, b;  // each from summary.json; none where the run lacks it
};

struct ComparedCheckpoint {
  std::string path;  // relative to the run directory, e.g. seed-0/align/model.safetensors
  bool identical = false;
};

struct RunComparison {
  std::string a_dir, b_dir;
  std::vector<std::string> config_differences;  // "key: a -> b"
  std::vector<ComparedValue> values;
  std::vector<ComparedCheckpoint> checkpoints;  // those present in both runs
};

// The error names a directory that is not a finished `vrev reproduce` run.
RunComparison compare_runs(const std::string& a_dir, const std::string& b_dir);
std::string comparison_markdown(const RunComparison& c);

}  // namespace vrev::experiment
