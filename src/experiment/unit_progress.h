#pragma once
// Progress of a reproduce run on stderr: a line per unit as it starts, with the elapsed time and
// an ETA for the unit's stage (a chain takes minutes, a geometry seconds: the stages' units are
// too unlike to share one estimate). Safe to call from the unit pool's workers.
#include <chrono>
#include <mutex>
#include <string>

namespace vrev::experiment {

class UnitProgress {
 public:
  // `units`: how many this process runs in all; `jobs`: how many at once; `label`: the line's
  // prefix after "reproduce" ("rank 1/4 " under mpirun, else "").
  UnitProgress(int units, int jobs, bool quiet, std::string label);

  void begin_stage(int units);
  void announce(int seed, const std::string& what);
  // A finished unit: its seconds count towards the stage's ETA unless it was skipped (done before).
  void account(double seconds, bool skipped);

 private:
  using Clock = std::chrono::steady_clock;
  std::mutex mutex_;
  const Clock::time_point start_ = Clock::now();
  const int units_, jobs_;
  const bool quiet_;
  const std::string label_;
  int started_ = 0;
  struct {
    int units = 0, started = 0, timed = 0;
    double seconds = 0;  // of the units that ran (not skipped)
  } stage_;
};

}  // namespace vrev::experiment
