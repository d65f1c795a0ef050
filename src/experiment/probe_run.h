#pragma once
// What the geometry of a fine-tuning run is measured from, wherever the run comes from (an arm of
// vrev reproduce, or vrev train --phase finetune | control on its own):
//   - the probe references: the reversion probe set's activations at the reference checkpoint
//     (safety: pretrained) and the history's last (aligned), the benign set's at the last, and
//     v_rev at every site, in a probe directory;
//   - the run's captures: both probe sets' activations at the probe site at every evaluation
//     step (and the image world's samples), in <run>/captures/.
#include <string>
#include <vector>

#include "experiment/config.h"
#include "experiment/phase_runner.h"
#include "world/world.h"

namespace vrev::experiment {

// Captures of the reference and last checkpoints and v_rev, written into probe_dir.
void write_probe_references(const Config& cfg, const world::World& world, const std::string& reference_dir,
                            const std::string& last_dir, const std::string& probe_dir);

// The readout direction at every site, (S, C) row-major, of the last checkpoint over the reversion
// probe set: read from probe_dir, or computed there first (runs made before it existed). An error
// in a world without a decision (World::decision_tokens).
std::vector<float> readout_matrix(const Config& cfg, const world::World& world, const std::string& last_dir,
                                  const std::string& probe_dir);

// Adds to `callbacks` the captures of a fine-tuning run written to run_dir: its manifest at setup,
// its captures (and samples, titled `label`) at every evaluation step.
void capture_at_evaluations(PhaseCallbacks& callbacks, const Config& cfg, const world::World& world,
                            const std::string& run_dir, const std::string& label);

}  // namespace vrev::experiment
