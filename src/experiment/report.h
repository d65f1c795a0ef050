#pragma once
// report.md and plots/*.png of a reproduce run: the paper's table beside the reference
// implementation's and ours, a verdict per claim, per-seed values, the config and the wall time.
#include <string>

#include "experiment/summary.h"

namespace vrev::experiment {

void write_report(const std::string& out_dir, const Config& cfg, const std::string& config_path,
                  const settings::Json& summary, const SeedResults& results);

// The verdict on a significance claim from how many of `pairs` run-step pairs beat each null.
std::string significance_verdict(const settings::Json& nulls);

}  // namespace vrev::experiment
