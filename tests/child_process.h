#pragma once
// Test helpers for killing runs: `vrev` as a child process (fork/exec, SIGKILL, waitpid), and a
// measure of a run's progress, from the files it puts in place, that does not depend on the
// machine's speed.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace vrev::test {

// `vrev <args>` started in the background, stdout and stderr appended to `log`.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::string& log);
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();  // kills and reaps a child still running
  // True once it has exited (without blocking); exit_code() is then valid.
  bool exited();
  void kill_and_wait();  // SIGKILL, then reap
  void signal_and_wait(int sig);
  int exit_code() const { return status_; }

 private:
  pid_t pid_ = -1;
  int status_ = -1;  // exit code, or 128 + signal
};

// A run's progress: the distinct versions of files it has put in place under `root` (a version:
// the relative path, the size and a hash of the first 64 KiB), found from inotify rename events
// and, for a folder new to the watch, what it already holds. Work redone after a resume writes
// versions already counted, so the count grows with progress only. Temp names (`*.tmp.*`) and
// names `varies` accepts (files whose bytes differ between identical runs: wall times) are not
// counted.
class ProgressCounter {
 public:
  ProgressCounter(const std::filesystem::path& root, std::function<bool(const std::string& name)> varies);
  ProgressCounter(const ProgressCounter&) = delete;
  ProgressCounter& operator=(const ProgressCounter&) = delete;
  ~ProgressCounter();
  // Waits up to timeout_ms for events and counts the new versions among them.
  void poll(int timeout_ms);
  int64_t count() const { return static_cast<int64_t>(versions_.size()); }

 private:
  void watch(const std::filesystem::path& dir);
  void saw(const std::filesystem::path& file);

  std::filesystem::path root_;
  std::function<bool(const std::string&)> varies_;
  int fd_ = -1;
  std::map<int, std::filesystem::path> dirs_;  // watch descriptor -> folder
  std::set<std::string> versions_;
};

// A name under which vrev writes a temp file before renaming it into place (core/file.cpp).
bool is_temp_name(const std::string& name);

}  // namespace vrev::test
