// Opening a checkpoint with its world.
#include "experiment/checkpoint_world.h"

#include <filesystem>

#include "experiment/config.h"
#include "model/model_file.h"
#include "train/checkpoint.h"

namespace vrev::experiment {

model::Gpt<float> load_checkpoint_model(const Config& cfg, const std::string& dir) {
  model::Gpt<float> gpt(cfg.model);
  model::load_model_into((std::filesystem::path(dir) / train::kModelFile).string(), gpt);
  return gpt;
}

OpenedCheckpoint open_checkpoint(const std::string& dir, const std::string& config_path,
                                 const std::vector<std::string>& overrides) {
  const train::CheckpointState state = train::read_checkpoint_state(dir);
  const std::string model_path = (std::filesystem::path(dir) / train::kModelFile).string();
  if (!config_path.empty()) {
    Config cfg = load_config(config_path, overrides);
    cfg.check_world_fits();
    return {load_checkpoint_model(cfg, dir), cfg.world, state.seed, state.phase, cfg.kernels};
  }
  VREV_CHECK(state.extra.contains("world"), dir, ": the checkpoint does not record its world; pass --config");
  // The checkpoint's world (a checkpoint of an older vrev records it flat: nested here), and default
  // kernels, with the --set overrides that touch them.
  settings::Json json = {{"world", world::nest_world_settings(state.extra["world"])},
                         {"kernels", settings::write(KernelConfig{})}};
  for (const std::string& o : overrides) {
    VREV_CHECK(o.rfind("world.", 0) == 0 || o.rfind("kernels.", 0) == 0, "--set ", o,
               ": without --config only world.* and kernels.* keys apply (the checkpoint records its world); pass "
               "--config for others");
    settings::apply_override(json, o);
  }
  return {model::load_model(model_path), settings::read<world::WorldConfig>(json["world"], "world"), state.seed,
          state.phase, settings::read<KernelConfig>(json["kernels"], "kernels")};
}

}  // namespace vrev::experiment
