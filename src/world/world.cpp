// Phase names, metrics as JSON, and the world a config selects.
#include "world/world.h"

#include <algorithm>

#include "core/error.h"
#include "world/image_world.h"
#include "world/safety_world.h"
#include "world/trait_world.h"
#include "world/unlearning_world.h"

namespace vrev::world {

namespace {

struct PhaseInfo {
  Phase phase;
  const char* name;
  const char* outcome;
};
constexpr PhaseInfo kPhases[] = {{Phase::Pretrain, "pretrain", "pretrained"},
                                 {Phase::Align, "align", "aligned"},
                                 {Phase::Unlearn, "unlearn", "unlearned"},
                                 {Phase::Trait, "trait", "trait-pretrained"},
                                 {Phase::Detrait, "detrait", "detrained"},
                                 {Phase::Finetune, "finetune", "fine-tuned"},
                                 {Phase::Control, "control", "control"}};

}  // namespace

Phase parse_phase(const std::string& name) {
  for (const PhaseInfo& p : kPhases)
    if (name == p.name) return p.phase;
  VREV_FAIL("unknown phase '", name, "' (valid: pretrain, align, unlearn, trait, detrait, finetune, control)");
}

const char* phase_name(Phase phase) {
  for (const PhaseInfo& p : kPhases)
    if (phase == p.phase) return p.name;
  return "?";
}

const char* phase_outcome_name(Phase phase) {
  for (const PhaseInfo& p : kPhases)
    if (phase == p.phase) return p.outcome;
  return "?";
}

settings::Json to_json(const Metrics& metrics) {
  settings::Json j = settings::Json::object();
  for (const Metric& m : metrics) j[m.name] = m.value;
  return j;
}

std::unique_ptr<World> make_world(const WorldConfig& cfg, uint64_t seed) {
  switch (cfg.kind) {
    case WorldKind::safety: return std::make_unique<SafetyWorld>(cfg, seed);
    case WorldKind::unlearning: return std::make_unique<UnlearningWorld>(cfg, seed);
    case WorldKind::trait: return std::make_unique<TraitWorld>(cfg, seed);
    case WorldKind::image: return std::make_unique<ImageWorld>(cfg, seed);
  }
  VREV_FAIL("config: unknown world kind");
}

void World::write_teacher_prompt(int64_t, int32_t*) const {
  VREV_FAIL("this world has no teacher data: teacher arms need the trait world");
}

SampleImages World::sample_images(const model::Gpt<float>&, const std::vector<std::string>&, int, uint64_t) const {
  VREV_FAIL("this world's outputs are tokens, not images: pictures need the image world (world.kind = image)");
}

void check_phase(const World& world, Phase phase) {
  if (phase == Phase::Finetune || phase == Phase::Control) return;
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
  const auto it = std::find(history.begin(), history.end(), phase);
  if (it == history.begin()) return std::nullopt;
  return *(it - 1);
}

}  // namespace vrev::world
