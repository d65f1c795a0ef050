// The names of a reproduce run's directories and files.
#include "experiment/run_layout.h"

namespace vrev::experiment {

namespace fs = std::filesystem;

SeedLayout SeedLayout::of_arm(const fs::path& arm_dir) {
  fs::path arm = arm_dir.lexically_normal();
  if (!arm.has_filename()) arm = arm.parent_path();  // "seed-0/finetune-plain/"
  const fs::path parent = arm.parent_path();
  return SeedLayout(parent.empty() ? fs::path(".") : parent);
}

std::string SeedLayout::phase(world::Phase phase) const { return this->phase(world::phase_name(phase)); }
std::string SeedLayout::phase(const std::string& phase_name) const { return (dir_ / phase_name).string(); }
std::string SeedLayout::probe() const { return (dir_ / "probe").string(); }
std::string SeedLayout::arm(const std::string& arm_name) const { return (dir_ / (kArmDirPrefix + arm_name)).string(); }
SeedLayout SeedLayout::other_init_teacher() const { return SeedLayout(dir_ / "teacher-other-init"); }
SeedLayout SeedLayout::other_object_teacher() const { return SeedLayout(dir_ / "teacher-other-object"); }

SeedLayout RunLayout::seed(int seed) const { return SeedLayout(out_ / ("seed-" + std::to_string(seed))); }
std::string RunLayout::config() const { return (out_ / "config.json").string(); }
std::string RunLayout::summary() const { return (out_ / "summary.json").string(); }
std::string RunLayout::table() const { return (out_ / "table.csv").string(); }
std::string RunLayout::report() const { return (out_ / "report.md").string(); }
fs::path RunLayout::plots() const { return out_ / "plots"; }

}  // namespace vrev::experiment
