#pragma once
// A one-line progress bar with rate and ETA on stderr, drawn only when stderr is a terminal
// (logs and pipes stay clean) and redrawn at most ten times a second.
#include <chrono>
#include <cstdint>
#include <string>

namespace vrev {

class Progress {
 public:
  Progress(std::string label, int64_t total);
  ~Progress();
  // `done` units of `total` are complete; `note` is shown after the bar (e.g. "loss 1.234").
  void update(int64_t done, const std::string& note = "");
  void finish();

 private:
  void draw(int64_t done, const std::string& note);
  std::string label_;
  int64_t total_;
  bool enabled_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace vrev
