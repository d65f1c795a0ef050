#pragma once
// `vrev reproduce`: the paper's main track, in the config's world. For every seed: train the
// world's history once (safety: pretrain, align); capture the reference activations and estimate
// v_rev; fine-tune each arm (plain, block-vrev, block-random, block-pc1) and a control run
// (random-token answers, for the control null), capturing at the evaluation steps; measure
// geometry and nulls. Then summary.json, table.csv, report.md, plots.
// Every phase is resumable and skipped when its outputs exist with the same inputs. Under mpirun
// the ranks share the units (docs/mpi.md), and a process may run several of its units at once
// (jobs); the outputs are the same files as one process running one unit at a time writes.
#include <optional>
#include <string>

#include "core/communicator.h"
#include "experiment/config.h"
#include "experiment/run_summary.h"
#include "probe/files.h"
#include "world/world.h"

namespace vrev::experiment {

struct ReproduceOptions {
  std::string config_path;   // recorded in the report
  std::string out_dir = "runs/main";
  bool quiet = false;        // no progress output
  const comm::Communicator* ranks = &comm::Communicator::self();  // the processes sharing the units
  int jobs = 1;              // units a process runs at once, its threads split among them (unit_pool.h)
  // Finished history phases shared by hash (PhaseRun::store_dir; "" for none): a sweep's phases/.
  std::string phase_store;
};

// Returns the summary (also written to out_dir/summary.json) on rank 0, nothing on the others.
std::optional<RunSummary> reproduce(const Config& cfg, const ReproduceOptions& options);

// Which prompts the probe position reads: prompts ending at ASST, or followed by SURE (answer).
world::ProbePoint probe_point(const probe::ProbeConfig& cfg);
// The names of a world's reference checkpoints and probe sets, as the probe's files use them.
probe::ProbeNames probe_names(const world::World& world);

}  // namespace vrev::experiment
