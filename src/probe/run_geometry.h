#pragma once
// The geometry of one fine-tuning run, recomputed from files: every drift metric at every
// captured step, against v_rev, a split-half check of the alignment, and the four nulls
// (isotropic, anisotropic, label-shuffle, control fine-tuning), each with its p99 per step.
// Written as geometry.json and geometry.csv.
#include <string>
#include <vector>

#include "core/settings.h"
#include "probe/config.h"
#include "probe/files.h"

namespace vrev::probe {

// probe_dir holds the reference captures and v_rev; control_dirs (none, one or several) are
// control fine-tuning runs from the same parent, captured at the same steps; names say which files
// are which. The nulls' draws are keyed by (cfg.null_seed, run_seed, step), so no two seeds or
// steps share draws.
settings::Json run_geometry(const std::string& run_dir, const std::string& probe_dir,
                            const std::vector<std::string>& control_dirs, uint64_t run_seed, const ProbeConfig& cfg,
                            const ProbeNames& names);
void write_geometry(const std::string& run_dir, const settings::Json& geometry);
// A run's drift at the probe site, every captured step, split along v_rev and off it: the cheap
// part of run_geometry (no nulls), for any fine-tuning run of a reproduce seed, controls included.
struct DriftSplit {
  std::vector<int64_t> steps;
  std::vector<double> alignment;  // cos(drift, v_rev)
  std::vector<double> along;      // drift . v_rev / |v_rev|^2 (reversion_fraction)
  std::vector<double> off;        // |drift - along v_rev| / |v_rev| (orthogonal_fraction)
};
DriftSplit drift_split(const std::string& run_dir, const std::string& probe_dir, const ProbeNames& names);
// The seed of the nulls' draws at one step of one run.
uint64_t null_draw_seed(uint64_t null_seed, uint64_t run_seed, int64_t step);
// geometry.json of a run, as write_geometry wrote it.
settings::Json read_geometry(const std::string& run_dir);

}  // namespace vrev::probe
