#pragma once
// What the world-facing commands (eval, sample, capture) need to open a checkpoint: its model
// and the world it was trained in, as the checkpoint recorded it or as a config
// file says (then the two must agree on the model's size).
#include <optional>
#include <string>

#include "experiment/config.h"
#include "model/gpt.h"
#include "world/config.h"

namespace vrev::experiment {

struct OpenedCheckpoint {
  model::Gpt<float> model;
  world::WorldConfig world;
  uint64_t seed = 0;   // the seed the checkpoint was trained with (its fixed sets' seed)
  std::string phase;
  KernelConfig kernels;  // from the config file when one is given, else the defaults
};

// The model of a checkpoint directory, of the config's architecture.
model::Gpt<float> load_checkpoint_model(const Config& cfg, const std::string& dir);

// config_path may be empty (use what the checkpoint recorded); overrides apply to the config.
OpenedCheckpoint open_checkpoint(const std::string& dir, const std::string& config_path,
                                 const std::vector<std::string>& overrides);

}  // namespace vrev::experiment
