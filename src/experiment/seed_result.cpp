// Reading a run's behaviour series back from its metrics log.
#include "experiment/seed_result.h"

#include <filesystem>

#include "core/error.h"
#include "experiment/metrics_log.h"

namespace vrev::experiment {

settings::Json read_behaviour_series(const std::string& run_dir, const std::vector<std::string>& metrics) {
  settings::Json series = {{"steps", settings::Json::array()}};
  for (const std::string& k : metrics) series[k] = settings::Json::array();
  const std::string path = (std::filesystem::path(run_dir) / kMetricsFile).string();
  for (const settings::Json& line : read_metrics(path)) {
    if (!line.contains("behaviour")) continue;
    series["steps"].push_back(line["step"]);
    for (const std::string& k : metrics) {
      VREV_CHECK(line["behaviour"].contains(k), path, ": step ", line["step"].dump(), " has no metric '", k, "'");
      series[k].push_back(line["behaviour"][k]);
    }
  }
  return series;
}

}  // namespace vrev::experiment
