// Reading and atomically rewriting metrics.jsonl.
#include "experiment/metrics_log.h"

#include <filesystem>
#include <sstream>

#include "core/io.h"

namespace vrev::experiment {

std::vector<settings::Json> read_metrics(const std::string& path) {
  std::istringstream in(io::read_text(path));
  std::vector<settings::Json> lines;
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.empty()) continue;
    settings::Json j = settings::Json::parse(line, nullptr, false);
    VREV_CHECK(j.is_object(), path, ":", number, ": not a JSON object");
    lines.push_back(std::move(j));
  }
  return lines;
}

void MetricsLog::load_until(int64_t max_step) {
  lines_.clear();
  if (!std::filesystem::exists(path_)) return;
  for (settings::Json& j : read_metrics(path_))
    if (j.value("step", int64_t(0)) <= max_step) lines_.push_back(std::move(j));
}

void MetricsLog::save() const {
  std::string text;
  for (const settings::Json& j : lines_) text += j.dump() + "\n";
  io::write_text_atomic(path_, text);
}

}  // namespace vrev::experiment
