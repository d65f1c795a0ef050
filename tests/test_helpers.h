#pragma once
// Shared test fixtures: a tiny model config, a fixed batch source, temp directories, and running
// the vrev binary as a user would.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "model/config.h"
#include "train/trainer.h"

namespace vrev::test {

inline model::ModelConfig tiny_config() { return {11, 8, 2, 8, 2}; }

// A memorisation task: the same `rows` random sequences every step, every target weighted
// except position 0 of odd rows (so masking is exercised).
class FixedBatches : public train::BatchSource {
 public:
  FixedBatches(int B, int T, int V, uint64_t seed = 3);
  void fill(int64_t step, train::Batch& batch) override;

 private:
  train::Batch fixed_;
};

// A fresh empty directory under the system temp folder, named after `tag`.
std::filesystem::path temp_dir(const std::string& tag);

struct CommandResult {
  int exit_code;
  std::string out, err;
};
// Runs `vrev <args>` (args are shell-quoted by the caller) and captures both streams.
CommandResult run_vrev(const std::string& args);

}  // namespace vrev::test
