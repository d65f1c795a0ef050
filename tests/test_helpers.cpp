// Shared test fixtures.
#include "test_helpers.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/rng.h"

namespace vrev::test {

FixedBatches::FixedBatches(int B, int T, int V, uint64_t seed) {
  fixed_.resize(B, T);
  std::vector<int32_t> seq(size_t(B) * (T + 1));
  for (size_t i = 0; i < seq.size(); ++i) seq[i] = static_cast<int32_t>(rng::below(seed, 1, i, V));
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) {
      fixed_.inputs[b * T + t] = seq[b * (T + 1) + t];
      fixed_.targets[b * T + t] = seq[b * (T + 1) + t + 1];
      fixed_.weights[b * T + t] = (b % 2 == 1 && t == 0) ? 0.0f : 1.0f;
    }
}

void FixedBatches::fill(int64_t, train::Batch& batch) {
  batch.resize(fixed_.B, fixed_.T);
  batch.inputs = fixed_.inputs;
  batch.targets = fixed_.targets;
  batch.weights = fixed_.weights;
}

std::filesystem::path temp_dir(const std::string& tag) {
  auto dir = std::filesystem::temp_directory_path() / ("vrev_test_" + tag + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

CommandResult run_vrev(const std::string& args) {
  const auto dir = temp_dir("cmd");
  const std::string out = (dir / "out").string(), err = (dir / "err").string();
  const std::string cmd = std::string(VREV_BINARY) + " " + args + " >" + out + " 2>" + err;
  const int status = std::system(cmd.c_str());
  auto slurp = [](const std::string& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  CommandResult r{WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), slurp(out), slurp(err)};
  std::filesystem::remove_all(dir);
  return r;
}

}  // namespace vrev::test
