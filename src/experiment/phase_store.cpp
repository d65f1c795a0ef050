// The store of finished phases.
#include "experiment/phase_store.h"

#include <filesystem>
#include <system_error>

#include <unistd.h>

#include "train/checkpoint.h"

namespace vrev::experiment {

namespace fs = std::filesystem;

void link_checkpoint_files(const std::string& from, const std::string& to) {
  fs::create_directories(to);
  for (const fs::directory_entry& e : fs::directory_iterator(from)) {
    if (!e.is_regular_file()) continue;
    const fs::path target = fs::path(to) / e.path().filename();
    fs::remove(target);
    std::error_code linked;
    fs::create_hard_link(e.path(), target, linked);
    if (linked) fs::copy_file(e.path(), target);
  }
}

bool take_from_store(const std::string& store, const std::string& hash, const std::string& out_dir) {
  const std::string entry = (fs::path(store) / hash).string();
  if (!train::checkpoint_exists(entry)) return false;
  if (!(train::checkpoint_exists(out_dir) && train::read_checkpoint_state(out_dir).config_hash == hash))
    link_checkpoint_files(entry, out_dir);
  return true;
}

void add_to_store(const std::string& store, const std::string& hash, const std::string& dir) {
  const fs::path entry = fs::path(store) / hash;
  if (fs::exists(entry)) return;
  const fs::path partial = fs::path(store) / (hash + ".partial-" + std::to_string(::getpid()));
  fs::remove_all(partial);
  link_checkpoint_files(dir, partial.string());
  std::error_code renamed;
  fs::rename(partial, entry, renamed);
  if (renamed) fs::remove_all(partial);  // another process stored it first
}

}  // namespace vrev::experiment
