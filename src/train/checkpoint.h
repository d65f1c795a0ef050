#pragma once
// A checkpoint directory (docs/architecture.md, Files): model.safetensors (parameters + metadata),
// optim.safetensors (optimizer moments and step) and state.json (the step to run next, which is
// also the data cursor and the schedule position; seed; phase; config hash). Each file is written
// atomically; a save removes state.json first and writes it last, so a directory with a
// state.json is complete and all of one step, wherever a save was interrupted.
#include <cstdint>
#include <string>

#include "core/settings.h"
#include "model/gpt.h"
#include "train/optimizer.h"

namespace vrev::train {

struct CheckpointState {
  std::string phase;          // pretrain | align | finetune | ... (free text for the engine)
  int64_t step = 0;           // steps completed = the next step to run
  int64_t total_steps = 0;
  uint64_t seed = 0;
  std::string parent_sha256;  // SHA-256 of the parent checkpoint's model.safetensors ("" if none)
  std::string config_hash;    // hash of the resolved config that produced it
  settings::Json extra = settings::Json::object();  // anything a caller wants kept (metrics, arm)
};

inline constexpr const char* kModelFile = "model.safetensors";
inline constexpr const char* kOptimFile = "optim.safetensors";
inline constexpr const char* kStateFile = "state.json";

// optimizer may be null (a model-only checkpoint, e.g. a fresh init).
void save_checkpoint(const std::string& dir, const model::Gpt<float>& model, const Optimizer* optimizer,
                     const CheckpointState& state);
bool checkpoint_exists(const std::string& dir);
CheckpointState read_checkpoint_state(const std::string& dir);
// Loads parameters (and optimizer state when given) and returns the state; every mismatch with
// the model or optimizer is an error naming the file.
CheckpointState load_checkpoint(const std::string& dir, model::Gpt<float>& model, Optimizer* optimizer);
// "dir/model.safetensors" for a checkpoint directory, the path itself for a file.
std::string model_file_path(const std::string& ckpt);

}  // namespace vrev::train
