// The registry of worlds, metrics as JSON, and the world a config selects.
#include "world/world.h"

#include <algorithm>

#include "core/error.h"
#include "world/image_world.h"
#include "world/safety_world.h"
#include "world/trait_world.h"
#include "world/unlearning_world.h"

namespace vrev::world {

namespace {

template <class W>
std::unique_ptr<World> make(const WorldConfig& cfg, uint64_t seed) {
  return std::make_unique<W>(cfg, seed);
}

// "a, b, c" of the phases' names.
std::string joined(const std::vector<Phase>& phases) {
  std::string names;
  for (const Phase p : phases) names += (names.empty() ? "" : ", ") + std::string(phase_name(p));
  return names;
}

}  // namespace

const std::vector<WorldInfo>& world_table() {
  static const std::vector<WorldInfo> table = {
      {WorldKind::safety, {Phase::Pretrain, Phase::Align}, Phase::Pretrain, {"safety"}, make<SafetyWorld>},
      {WorldKind::unlearning, {Phase::Pretrain, Phase::Unlearn}, Phase::Pretrain, {"safety", "unlearning"},
       make<UnlearningWorld>},
      {WorldKind::trait, {Phase::Pretrain, Phase::Base, Phase::Trait, Phase::Detrait}, Phase::Trait,
       {"safety", "trait"}, make<TraitWorld>},
      {WorldKind::image, {Phase::Pretrain, Phase::Align}, Phase::Pretrain, {"image"}, make<ImageWorld>}};
  return table;
}

const WorldInfo& world_info(WorldKind kind) {
  for (const WorldInfo& w : world_table())
    if (w.kind == kind) return w;
  VREV_FAIL("world kind ", settings::name_of(kind), " has no row in world_table()");
}

std::vector<std::string> unread_sections(WorldKind kind) {
  const std::vector<std::string>& read = world_info(kind).sections;
  std::vector<std::string> unread;
  const settings::Json defaults = settings::write(WorldConfig{});
  for (const auto& [key, value] : defaults.items())
    if (value.is_object() && std::find(read.begin(), read.end(), key) == read.end()) unread.push_back(key);
  return unread;
}

std::string history_phase_names() {
  std::vector<Phase> phases;
  for (const PhaseInfo& p : phase_table())
    for (const WorldInfo& w : world_table())
      if (std::find(w.history.begin(), w.history.end(), p.phase) != w.history.end()) {
        phases.push_back(p.phase);
        break;
      }
  return joined(phases);
}

std::string world_histories() {
  std::string text;
  for (const WorldInfo& w : world_table())
    text += (text.empty() ? "" : "; ") + std::string(settings::name_of(w.kind)) + ": " + joined(w.history);
  return text;
}

settings::Json to_json(const Metrics& metrics) {
  settings::Json j = settings::Json::object();
  for (const Metric& m : metrics) j[m.name] = m.value;
  return j;
}

std::unique_ptr<World> make_world(const WorldConfig& cfg, uint64_t seed) {
  // A setting of another world's section would be silently ignored: each must keep its defaults.
  const settings::Json given = settings::write(cfg), defaults = settings::write(WorldConfig{});
  for (const std::string& section : unread_sections(cfg.kind))
    for (const auto& [key, value] : given[section].items())
      VREV_CHECK(value == defaults[section][key], "config: 'world.", section, ".", key, "' is set, but the ",
                 settings::name_of(cfg.kind), " world does not read world.", section);
  return world_info(cfg.kind).make(cfg, seed);
}

void World::write_teacher_prompt(int64_t, int32_t*) const {
  VREV_FAIL("this world has no teacher data: teacher arms need the trait world");
}

SampleImages World::sample_images(const model::Gpt<float>&, const std::vector<std::string>&, int, uint64_t) const {
  VREV_FAIL("this world's outputs are tokens, not images: pictures need the image world (world.kind = image)");
}

void check_phase(const World& world, Phase phase) {
  if (phase == Phase::Finetune || phase == Phase::Control) return;
  if (phase == Phase::Student) {
    VREV_CHECK(world.teacher_task().has_value(), "phase student trains on a teacher's outputs, which only the "
               "trait world has");
    return;
  }
  const std::vector<Phase> history = world.history();
  std::string names;
  for (const Phase p : history) {
    if (p == phase) return;
    names += std::string(phase_name(p)) + ", ";
  }
  VREV_FAIL("phase ", phase_name(phase), " is not part of this world's history (its phases: ", names,
            "finetune, control)");
}

std::optional<Phase> parent_phase(const World& world, Phase phase) {
  check_phase(world, phase);
  const std::vector<Phase> history = world.history();
  if (phase == Phase::Finetune || phase == Phase::Control) return history.back();
  if (phase == Phase::Student) return parent_phase(world, world.reference_phase());  // the teacher's start
  const auto it = std::find(history.begin(), history.end(), phase);
  if (it == history.begin()) return std::nullopt;
  return *(it - 1);
}

}  // namespace vrev::world
