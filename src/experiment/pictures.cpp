// Samples on disk (.npy and PNG grids) and the report's pretrained -> aligned -> fine-tuned strips.
#include "experiment/pictures.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/error.h"
#include "core/io.h"
#include "plot/image_grid.h"

namespace vrev::experiment {

namespace fs = std::filesystem;

std::string phase_samples_stem(const std::string& phase_dir) { return (fs::path(phase_dir) / "samples").string(); }

std::string step_samples_stem(const std::string& arm_dir, int64_t step) {
  char name[32];
  std::snprintf(name, sizeof(name), "step-%06lld", static_cast<long long>(step));
  return (fs::path(arm_dir) / "samples" / name).string();
}

void write_samples(const world::World& world, const model::Gpt<float>& model, const std::string& stem,
                   const std::string& title) {
  const world::SampleImages s = world.sample_images(model, world.image_classes(false), kPictureSamples, kPictureSeed);
  fs::create_directories(fs::path(stem).parent_path());
  const std::vector<int32_t> values(s.pixels.begin(), s.pixels.end());
  io::write_npy(stem + ".npy", io::Array::from_i32(values.data(), {int64_t(s.classes.size()), s.per_class, s.side, s.side}));
  plot::ImageGrid grid;
  grid.title = title;
  grid.side = s.side;
  grid.per_group = s.per_class;
  grid.row_labels = s.classes;
  grid.group_titles = {std::to_string(s.per_class) + " samples per class"};
  grid.pixels = s.pixels;
  plot::write_image_grid(stem + ".png", grid);
}

world::SampleImages read_samples(const world::World& world, const std::string& stem) {
  const std::string path = stem + ".npy";
  const io::Array a = io::read_npy(path);
  world::SampleImages s;
  s.classes = world.image_classes(false);
  VREV_CHECK(a.shape.size() == 4 && a.shape[0] == int64_t(s.classes.size()) && a.shape[2] == a.shape[3], path,
             ": expected samples of shape (", s.classes.size(), ", n, side, side)");
  s.per_class = static_cast<int>(a.shape[1]);
  s.side = static_cast<int>(a.shape[2]);
  const std::vector<int32_t> values = a.to_i32(path);
  s.pixels.assign(values.begin(), values.end());
  return s;
}

namespace {

// The images of one class, appended to `out`.
void append_class(const world::SampleImages& s, const std::string& cls, std::vector<uint8_t>& out) {
  const auto it = std::find(s.classes.begin(), s.classes.end(), cls);
  VREV_CHECK(it != s.classes.end(), "no samples of class '", cls, "'");
  const size_t block = size_t(s.per_class) * s.side * s.side;
  const auto first = s.pixels.begin() + (it - s.classes.begin()) * block;
  out.insert(out.end(), first, first + block);
}

}  // namespace

void write_strip(const world::World& world, const std::string& cls, const StripSource& src, const std::string& path) {
  const world::SampleImages reference = read_samples(world, phase_samples_stem(src.reference_dir));
  const world::SampleImages last = read_samples(world, phase_samples_stem(src.last_dir));
  plot::ImageGrid grid;
  grid.title = cls;
  grid.side = reference.side;
  grid.per_group = reference.per_class;
  grid.group_titles = {src.reference_name, src.last_name, "fine-tuned, step " + std::to_string(src.step)};
  for (const auto& [arm, dir] : src.arms) {
    grid.row_labels.push_back(arm);
    append_class(reference, cls, grid.pixels);
    append_class(last, cls, grid.pixels);
    append_class(read_samples(world, step_samples_stem(dir, src.step)), cls, grid.pixels);
  }
  plot::write_image_grid(path, grid);
}

}  // namespace vrev::experiment
