#pragma once
// Pictures of a run, for the worlds whose outputs are images (the image world): samples of every
// class at each history phase's end and at each evaluation step of a fine-tune, and the report's
// strips that set pretrained, aligned and fine-tuned samples of a reversion class side by side.
// Samples come from fixed counters, the same in every arm and at every step, so two pictures
// differ only by the models that drew them.
//
//   <dir>/samples.npy, samples.png                  a history phase's model (dir = its directory)
//   <arm>/samples/step-000010.npy, .png             a fine-tuning arm at an evaluation step
//
// The .npy holds (classes, samples, side, side) int32, 1 = ink, classes in the world's order.
#include <cstdint>
#include <string>
#include <vector>

#include "model/gpt.h"
#include "world/world.h"

namespace vrev::experiment {

inline constexpr int kPictureSamples = 8;  // per class
inline constexpr uint64_t kPictureSeed = 0;

// The stem (no extension) of a history phase's samples, and of an arm's at a step.
std::string phase_samples_stem(const std::string& phase_dir);
std::string step_samples_stem(const std::string& arm_dir, int64_t step);

// Samples every class of `world` with `model`, written as <stem>.npy and a grid <stem>.png.
void write_samples(const world::World& world, const model::Gpt<float>& model, const std::string& stem,
                   const std::string& title);
world::SampleImages read_samples(const world::World& world, const std::string& stem);

// One strip per reversion class: a row per arm, column groups pretrained | aligned | fine-tuned at
// `step`, written to `path`. `history_dirs` are the reference and the history's last phase.
struct StripSource {
  std::string reference_dir, last_dir;     // phase directories
  std::string reference_name, last_name;   // e.g. pretrained, aligned
  std::vector<std::pair<std::string, std::string>> arms;  // arm name, arm directory
  int64_t step = 0;
};
void write_strip(const world::World& world, const std::string& reversion_class, const StripSource& source,
                 const std::string& path);

}  // namespace vrev::experiment
