#pragma once
// The pinned tiny history (docs/determinism.md): configs/tiny.json shrunk to 120 pretraining, 20
// alignment and 6 fine-tuning steps, seed 7, whose checkpoints' SHA-256 sums
// tests/determinism/pinned.sha256 holds. tests/determinism/pinned_history.sh trains it through
// `vrev train` on every instruction set; this trains it in one process on the backend selected
// (kernels::select_backend): how CI holds the device path to the pinned sums on the emulated
// device, and `vrev selftest --device cuda` on a GPU.
#include <string>

namespace vrev::experiment {

// Trains the history from the config file tiny_json into dir and returns its sums as
// pinned.sha256 lists them ("<sha256>  pretrain/model.safetensors", one line each).
std::string train_pinned_history(const std::string& tiny_json, const std::string& dir);

}  // namespace vrev::experiment
