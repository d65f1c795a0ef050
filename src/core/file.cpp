// Whole-file reads, and the atomic write (temp file in the same folder, fsync, rename) that every
// file vrev produces goes through, so a crash never leaves a half-written output behind.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/io.h"

namespace vrev::io {

namespace {

// Best effort: sync the folder that holds `path` so the rename itself survives a crash.
void sync_parent_dir(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = std::filesystem::current_path();
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_file_atomic(const std::string& path, const void* data, size_t bytes) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  auto fail = [&](const char* step, int err) {
    std::remove(tmp.c_str());
    VREV_FAIL("cannot write ", path, ": ", err ? std::strerror(err) : "unknown error", " (", step, ")");
  };
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) fail("open", errno);
  if (bytes > 0 && std::fwrite(data, 1, bytes, f) != bytes) {
    const int err = errno;
    std::fclose(f);
    fail("write", err);
  }
  if (std::fflush(f) != 0) {
    const int err = errno;
    std::fclose(f);
    fail("flush", err);
  }
  if (::fsync(::fileno(f)) != 0) {
    const int err = errno;
    std::fclose(f);
    fail("fsync", err);
  }
  if (std::fclose(f) != 0) fail("close", errno);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) fail("rename", errno);
  sync_parent_dir(path);
}

void write_text_atomic(const std::string& path, const std::string& text) {
  write_file_atomic(path, text.data(), text.size());
}

std::vector<uint8_t> read_file(const std::string& path) {
  auto fail = [&](int err) { VREV_FAIL("cannot read ", path, ": ", std::strerror(err)); };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    const int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
    ::close(fd);
    fail(err);
  }
  // Read straight into the result, sized from fstat; a file that grew since is still read whole.
  std::vector<uint8_t> out(st.st_size > 0 ? static_cast<size_t>(st.st_size) : 0);
  size_t used = 0;
  for (;;) {
    uint8_t probe[1 << 12];
    const bool full = used == out.size();
    const ssize_t n = full ? ::read(fd, probe, sizeof(probe)) : ::read(fd, out.data() + used, out.size() - used);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      fail(err);
    }
    if (full) out.insert(out.end(), probe, probe + n);
    used += static_cast<size_t>(n);
  }
  out.resize(used);
  ::close(fd);
  return out;
}

std::string read_text(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file(path);
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace vrev::io
