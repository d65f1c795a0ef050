// The world section's layout change: a flat world section of an older config, nested per world.
#include "world/config.h"

namespace vrev::world {

settings::Json nest_world_settings(const settings::Json& world) {
  VREV_CHECK(world.is_object(), "config: 'world' must be an object");
  settings::Json nested = world;
  for (const auto& [old_key, new_key] : kMovedWorldKeys) {
    if (!nested.contains(old_key)) continue;
    const std::string path = new_key;
    const std::string section = path.substr(0, path.find('.')), key = path.substr(path.find('.') + 1);
    if (!nested.contains(section)) nested[section] = settings::Json::object();
    settings::Json& sub = nested[section];
    VREV_CHECK(sub.is_object() && !sub.contains(key), "config: both 'world.", old_key, "' and 'world.", new_key,
               "' are set");
    sub[key] = nested[old_key];
    nested.erase(old_key);
  }
  return nested;
}

}  // namespace vrev::world
