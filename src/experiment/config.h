#pragma once
// The whole configuration of an experiment, one struct whose visit() lists every section, so
// that the declarations in each section drive parsing, validation, --set overrides, --help and
// the saved record (config.json of a run).
#include <string>
#include <vector>

#include "core/settings.h"
#include "model/config.h"

namespace vrev::experiment {

struct Config {
  model::ModelConfig model;

  template <class V>
  void visit(V& v) {
    v.section(model, "model", "the GPT (design.md)");
  }
  // Cross-section checks and derived values (the world's vocabulary size).
  void finalize();
};

// Reads a config file, applies `--set key.path=value` overrides in order, checks every key.
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {});
// A stable hash of the resolved config (of its canonical JSON), hex.
std::string config_hash(const Config& cfg);

}  // namespace vrev::experiment
