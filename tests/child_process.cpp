// A killable vrev child process and an inotify count of the files a run writes.
#include "child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/error.h"

namespace vrev::test {

namespace fs = std::filesystem;

Child::Child(const std::vector<std::string>& args, const std::string& log) {
  // Everything the child needs is built before fork: after it, only exec-safe calls.
  std::vector<std::string> all = {VREV_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = ::fork();
  VREV_CHECK(pid_ >= 0, "fork: ", std::strerror(errno));
  if (pid_ == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
}

Child::~Child() {
  if (pid_ > 0) kill_and_wait();
}

bool Child::exited() {
  if (pid_ <= 0) return true;
  int st = 0;
  const pid_t r = ::waitpid(pid_, &st, WNOHANG);
  VREV_CHECK(r >= 0, "waitpid: ", std::strerror(errno));
  if (r == 0) return false;
  status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  pid_ = -1;
  return true;
}

void Child::kill_and_wait() { signal_and_wait(SIGKILL); }

void Child::signal_and_wait(int sig) {
  if (pid_ <= 0) return;
  ::kill(pid_, sig);
  int st = 0;
  while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
  }
  status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  pid_ = -1;
}

bool is_temp_name(const std::string& name) { return name.find(".tmp.") != std::string::npos; }

ProgressCounter::ProgressCounter(const fs::path& root, std::function<bool(const std::string&)> varies)
    : root_(root), varies_(std::move(varies)) {
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  VREV_CHECK(fd_ >= 0, "inotify_init1: ", std::strerror(errno));
  watch(root);
}

ProgressCounter::~ProgressCounter() { ::close(fd_); }

void ProgressCounter::watch(const fs::path& dir) {
  const int wd = ::inotify_add_watch(fd_, dir.c_str(), IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
  if (wd < 0 && errno == ENOENT) return;  // gone again
  VREV_CHECK(wd >= 0, "inotify_add_watch ", dir.string(), ": ", std::strerror(errno));
  if (!dirs_.emplace(wd, dir).second) return;  // already watched
  // What arrived before the watch started.
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (e.is_directory()) {
      watch(e.path());
    } else {
      saw(e.path());
    }
  }
}

void ProgressCounter::saw(const fs::path& file) {
  const std::string name = file.filename().string();
  if (is_temp_name(name) || varies_(name)) return;
  std::ifstream in(file, std::ios::binary);
  if (!in) return;  // replaced or removed since
  std::string head(1 << 16, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  in.clear();
  in.seekg(0, std::ios::end);
  versions_.insert(fs::relative(file, root_).string() + " " + std::to_string(static_cast<long long>(in.tellg())) + " " +
                   std::to_string(std::hash<std::string>{}(head)));
}

void ProgressCounter::poll(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return;
  alignas(inotify_event) char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t at = 0; at < n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buf + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
      VREV_CHECK(!(ev->mask & IN_Q_OVERFLOW), "inotify: event queue overflow");
      const auto it = dirs_.find(ev->wd);
      if (it == dirs_.end() || ev->len == 0) continue;
      const fs::path path = it->second / ev->name;
      if (ev->mask & IN_ISDIR) {
        watch(path);
      } else if (ev->mask & IN_MOVED_TO) {
        saw(path);
      }
    }
  }
}

}  // namespace vrev::test
