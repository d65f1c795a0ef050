#pragma once
// Where `vrev reproduce` keeps its files: every directory and file name of a run, spelled once.
//
//   OUT/config.json, summary.json, table.csv, report.md, plots/
//   OUT/seed-N/<phase>/                     each phase of the history (pretrain, align, ...)
//   OUT/seed-N/probe/                       reference captures and v_rev
//   OUT/seed-N/finetune-control[-R]/        the control fine-tunes, replicas 0 (no suffix), 1, ...
//   OUT/seed-N/finetune-<arm>/              one fine-tuning arm
//   OUT/seed-N/teacher-other-init/<phase>/  the other-init teacher's history (teacher arms)
//   OUT/seed-N/teacher-other-object/<phase>/  the other-object teacher's reference phase
#include <filesystem>
#include <string>

#include "world/world.h"

namespace vrev::experiment {

// An arm's (or control run's) directory is this prefix and its name: finetune-plain, finetune-control-1.
inline constexpr const char* kArmDirPrefix = "finetune-";
// A teacher arm's record of its data: examples kept and samples drawn (the filter's cost).
inline constexpr const char* kTeacherDataFile = "teacher_data.json";

// One seed's directory.
class SeedLayout {
 public:
  explicit SeedLayout(std::filesystem::path dir) : dir_(std::move(dir)) {}
  // The seed directory of an arm's directory (its parent), for commands given an arm.
  static SeedLayout of_arm(const std::filesystem::path& arm_dir);

  const std::filesystem::path& dir() const { return dir_; }
  std::string phase(world::Phase phase) const;
  std::string phase(const std::string& phase_name) const;
  std::string probe() const;
  std::string arm(const std::string& arm_name) const;
  // Control replica r: finetune-control, finetune-control-1, ...
  std::string control(int replica) const {
    const std::string control = world::phase_name(world::Phase::Control);
    return arm(replica == 0 ? control : control + "-" + std::to_string(replica));
  }
  // The other-init teacher's history, and the other-object teacher's reference phase (trained
  // from the seed's first phase), each live in a seed layout of their own.
  SeedLayout other_init_teacher() const;
  SeedLayout other_object_teacher() const;

 private:
  std::filesystem::path dir_;
};

// A whole run's directory.
class RunLayout {
 public:
  explicit RunLayout(std::filesystem::path out) : out_(std::move(out)) {}

  const std::filesystem::path& dir() const { return out_; }
  SeedLayout seed(int seed) const;
  std::string config() const;
  std::string summary() const;
  std::string table() const;
  std::string report() const;
  std::filesystem::path plots() const;

 private:
  std::filesystem::path out_;
};

}  // namespace vrev::experiment
