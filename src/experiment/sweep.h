#pragma once
// `vrev sweep`: the main track over a grid of settings. A sweep is a config key and a list of
// values; one or two of them make a grid, and every point of the grid is a `vrev reproduce` run
// (all its seeds and arms) in OUT/<key>=<value>[,<key>=<value>]/. Phases whose inputs are the
// same at every point (the history, when only fine-tuning settings vary) are trained once and
// shared through OUT/phases/. Then OUT/summary.json, table.csv, report.md and plots/: the world's
// reversion metric and the final alignment with v_rev against the swept value, per arm.
// Resumable like reproduce; under mpirun the ranks share each point's units, and --jobs runs
// several of a process's units at once.
#include <string>
#include <vector>

#include "core/communicator.h"
#include "core/settings.h"

namespace vrev::experiment {

struct Sweep {
  std::string key;                  // a config key, e.g. finetune.schedule.lr
  std::vector<std::string> values;  // as --set would take them, e.g. 1e-5
};

// "key=v1,v2,..." -> Sweep; the error names what is wrong.
Sweep parse_sweep(const std::string& text);

struct SweepOptions {
  std::string config_path;
  std::vector<std::string> overrides;  // --set, applied at every point before the point's own
  std::string out_dir = "runs/sweep";
  bool quiet = false;
  const comm::Communicator* ranks = &comm::Communicator::self();
  int jobs = 1;  // units each point's reproduce runs at once (ReproduceOptions::jobs)
};

// Runs every point and returns the sweep's summary on rank 0 (null on the others).
settings::Json sweep(const std::vector<Sweep>& sweeps, const SweepOptions& options);

}  // namespace vrev::experiment
