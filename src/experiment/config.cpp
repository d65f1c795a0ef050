// Loading and hashing experiment configs.
#include "experiment/config.h"

#include "core/io.h"

namespace vrev::experiment {

void Config::finalize() { model.validate(); }

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  settings::Json json = settings::parse_file(path);
  VREV_CHECK(json.is_object(), path, ": a config must be a JSON object");
  for (const std::string& o : overrides) settings::apply_override(json, o);
  try {
    Config cfg = settings::read<Config>(json);
    cfg.finalize();
    return cfg;
  } catch (const Error& e) {
    VREV_FAIL(path, ": ", e.what());
  }
}

std::string config_hash(const Config& cfg) {
  const std::string text = settings::write(cfg).dump();
  return io::sha256_hex(text.data(), text.size());
}

}  // namespace vrev::experiment
