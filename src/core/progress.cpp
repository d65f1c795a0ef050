// Terminal progress bar.
#include "core/progress.h"

#include <unistd.h>

#include <cstdio>

namespace vrev {

Progress::Progress(std::string label, int64_t total)
    : label_(std::move(label)), total_(total > 0 ? total : 1), enabled_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

Progress::~Progress() { finish(); }

void Progress::update(int64_t done, const std::string& note) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw(done, note);
}

void Progress::draw(int64_t done, const std::string& note) {
  constexpr int kWidth = 30;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double frac = double(done) / double(total_);
  const int filled = static_cast<int>(frac * kWidth);
  const double eta = done > 0 ? elapsed * (total_ - done) / done : 0.0;
  std::string bar(filled, '#');
  bar.resize(kWidth, '.');
  std::fprintf(stderr, "\r\033[K%s [%s] %lld/%lld %5.1fs ETA %5.1fs %s", label_.c_str(), bar.c_str(),
               static_cast<long long>(done), static_cast<long long>(total_), elapsed, eta, note.c_str());
  std::fflush(stderr);
}

void Progress::finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

}  // namespace vrev
