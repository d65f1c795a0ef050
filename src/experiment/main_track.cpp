// Comparing a config with the main track's.
#include "experiment/main_track.h"

#include <algorithm>
#include <map>

#include "experiment/main_track_json.h"
#include "world/world.h"

namespace vrev::experiment {

namespace {

using Json = settings::Json;

// Every leaf of a settings tree by its dotted key.
void flatten(const Json& j, const std::string& prefix, std::map<std::string, Json>& out) {
  if (!j.is_object()) {
    out[prefix] = j;
    return;
  }
  for (auto it = j.begin(); it != j.end(); ++it) flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
}

// The keys that decide the main track's numbers: not the phases its world does not train nor the
// other worlds' settings (their sections are unused), nor the kernels, the run's size, teachers or
// the nulls' draws.
std::vector<std::string> uncompared_prefixes() {
  std::vector<std::string> prefixes = {"kernels.", "reproduce.", "teacher.", "probe.anisotropic_draws",
                                       "probe.shuffle_draws", "probe.null_seed"};
  for (const std::string& section : world::unread_sections(world::WorldKind::safety))
    prefixes.push_back("world." + section + ".");
  const std::vector<world::Phase>& history = world::world_info(world::WorldKind::safety).history;
  for (const world::PhaseInfo& p : world::phase_table())
    if (p.section_help && p.phase != world::Phase::Finetune &&
        std::find(history.begin(), history.end(), p.phase) == history.end())
      prefixes.push_back(std::string(p.name) + ".");
  return prefixes;
}

bool compared(const std::string& key) {
  static const std::vector<std::string> prefixes = uncompared_prefixes();
  static const std::vector<std::string> suffixes = {".log_every", ".checkpoint_every", ".eval_steps", ".shards"};
  auto starts = [&](const std::string& p) { return key.compare(0, p.size(), p) == 0; };
  auto ends = [&](const std::string& s) {
    return key.size() >= s.size() && key.compare(key.size() - s.size(), s.size(), s) == 0;
  };
  return std::none_of(prefixes.begin(), prefixes.end(), starts) && std::none_of(suffixes.begin(), suffixes.end(), ends);
}

}  // namespace

Config main_track_config() { return parse_config(kMainTrackConfig, "the built-in main track (configs/safety.json)"); }

std::vector<std::string> main_track_differences(const Config& cfg) {
  std::map<std::string, Json> ours, main;
  flatten(settings::write(cfg), "", ours);
  flatten(settings::write(main_track_config()), "", main);
  std::vector<std::string> differences;
  for (const auto& [key, value] : ours)
    if (compared(key) && main.at(key) != value)
      differences.push_back(key + " = " + value.dump() + " (main track: " + main.at(key).dump() + ")");
  return differences;
}

}  // namespace vrev::experiment
