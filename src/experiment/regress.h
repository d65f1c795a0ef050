#pragma once
// `vrev regress`: does the return of the decision follow the drift along v_rev, or the distance
// moved? Over fine-tuning runs of `vrev reproduce` (every arm and control run, every seed, every
// evaluation step after 0), the change of a continuous metric since step 0 (default log P(SURE)
// at ASST over harm_eval) is fitted, with a fixed effect per seed,
//   drift:    change ~ along v_rev + off v_rev      (reversion_fraction, orthogonal_fraction)
//   distance: change ~ L2 distance from the aligned weights
//   joint:    change ~ along + off + distance
// with bootstrap intervals over seeds, R² and a scatter plot coloured by arm (docs/mechanism.md).
#include <cstdint>
#include <string>
#include <vector>

#include "core/settings.h"
#include "probe/regression.h"

namespace vrev::experiment {

struct RegressOptions {
  std::vector<std::string> reproduce_dirs;  // every finetune-* run of every seed in each
  std::vector<std::string> run_dirs;        // single finetune-<arm> directories of a reproduce run
  std::string metric = "log_p_sure";
  int bootstrap = 2000;
  uint64_t bootstrap_seed = 0;
};

struct RegressPoint {
  int group = 0;       // one per (reproduce directory, seed)
  std::string label;   // the arm, prefixed by its directory's name when several are given
  std::string run;     // the run directory
  int64_t step = 0;
  double change = 0;   // metric at step - metric at step 0
  double along = 0, off = 0, distance = 0;
};

struct RegressModel {
  std::string name;
  std::vector<std::string> predictors;
  probe::FixedEffectsFit fit;
  probe::BootstrapInterval interval;
};

struct RegressResult {
  std::string metric;
  std::vector<RegressPoint> points;
  std::vector<RegressModel> models;  // drift, distance, joint
};

RegressResult regress(const RegressOptions& options);
// regress.json, points.csv, regress.md and regress.png in out_dir.
void write_regress(const std::string& out_dir, const RegressResult& result);

}  // namespace vrev::experiment
