#pragma once
// model.safetensors: every parameter under its name (docs/architecture.md), float32, in layout order, with
// the model config (and whatever the caller adds: phase, step, seed, parent hash) as metadata.
// Loading checks names, shapes and dtype and says exactly what differs.
#include <map>
#include <string>

#include "model/gpt.h"

namespace vrev::model {

using Metadata = std::map<std::string, std::string>;

// The metadata key holding the model config as JSON.
inline constexpr const char* kConfigKey = "config";

void save_model(const std::string& path, const Gpt<float>& model, Metadata metadata);
// Loads a model file, building the model from the config it holds.
Gpt<float> load_model(const std::string& path, Metadata* metadata = nullptr);
// Loads a model file into an existing model; a different size or missing tensor is an error.
void load_model_into(const std::string& path, Gpt<float>& model, Metadata* metadata = nullptr);

}  // namespace vrev::model
