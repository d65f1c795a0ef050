#pragma once
// The geometry of one fine-tuning run, recomputed from files: every drift metric at every
// captured step, against v_rev, and the four nulls (isotropic, anisotropic, label-shuffle,
// control fine-tuning), each with its p99 per step. Written as geometry.json and geometry.csv.
#include <string>

#include "core/settings.h"
#include "probe/config.h"
#include "probe/files.h"

namespace vrev::probe {

// probe_dir holds the reference captures and v_rev; control_dir ("" for none) is a control
// fine-tuning run captured at the same steps; names say which files are which.
settings::Json run_geometry(const std::string& run_dir, const std::string& probe_dir, const std::string& control_dir,
                            const ProbeConfig& cfg, const ProbeNames& names);
void write_geometry(const std::string& run_dir, const settings::Json& geometry);
// geometry.json of a run, as write_geometry wrote it.
settings::Json read_geometry(const std::string& run_dir);

}  // namespace vrev::probe
