#pragma once
// metrics.jsonl: one JSON object per logged step. The whole file is rewritten atomically on every
// save (it is small), so it is never half-written; on resume, lines past the checkpoint are dropped.
#include <string>
#include <vector>

#include "core/settings.h"

namespace vrev::experiment {

// The file's name in a phase's run directory.
inline constexpr const char* kMetricsFile = "metrics.jsonl";

class MetricsLog {
 public:
  explicit MetricsLog(std::string path) : path_(std::move(path)) {}
  // Reads an existing file, keeping the lines whose "step" is at most max_step.
  void load_until(int64_t max_step);
  void append(settings::Json line) { lines_.push_back(std::move(line)); }
  void save() const;
  const std::vector<settings::Json>& lines() const { return lines_; }

 private:
  std::string path_;
  std::vector<settings::Json> lines_;
};

// Every line of a metrics.jsonl file (the error names the file and line).
std::vector<settings::Json> read_metrics(const std::string& path);

}  // namespace vrev::experiment
