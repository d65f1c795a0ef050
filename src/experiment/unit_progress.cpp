// Progress lines of a reproduce run.
#include "experiment/unit_progress.h"

#include <algorithm>
#include <cstdio>

namespace vrev::experiment {

UnitProgress::UnitProgress(int units, int jobs, bool quiet, std::string label)
    : units_(units), jobs_(jobs), quiet_(quiet), label_(std::move(label)) {}

void UnitProgress::begin_stage(int units) {
  const std::lock_guard<std::mutex> lock(mutex_);
  stage_ = {};
  stage_.units = units;
}

void UnitProgress::announce(int seed, const std::string& what) {
  const std::lock_guard<std::mutex> lock(mutex_);
  ++started_, ++stage_.started;
  if (quiet_) return;
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const int left = stage_.units - stage_.started + 1;  // this unit and those after it
  char eta[32] = "-";
  if (stage_.timed) std::snprintf(eta, sizeof eta, "%.0fs", stage_.seconds / stage_.timed * left / std::min(jobs_, left));
  std::fprintf(stderr, "[reproduce %s%d/%d] seed %d: %s  (elapsed %.0fs, stage ETA %s)\n", label_.c_str(), started_,
               units_, seed, what.c_str(), elapsed, eta);
}

void UnitProgress::account(double seconds, bool skipped) {
  const std::lock_guard<std::mutex> lock(mutex_);
  if (!skipped) stage_.seconds += seconds, ++stage_.timed;
}

}  // namespace vrev::experiment
