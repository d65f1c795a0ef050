// vrev config: every setting of a config, its value and what it means, from the declarations
// that also parse, validate and record it (so this list cannot fall behind the code); or an older
// config converted to the current layout.
#include "cli/common.h"
#include "experiment/config.h"
#include "world/config.h"

namespace vrev::cli {

namespace {

// The config at `path` with its world section nested per world, printed as JSON after checking
// that every key now reads (the files it names, such as glyphs, are checked by the run that uses it).
int print_upgraded(const std::string& path) {
  settings::Json json = settings::parse_file(path);
  VREV_CHECK(json.is_object(), path, ": a config must be a JSON object");
  if (json.contains("world")) json["world"] = world::nest_world_settings(json["world"]);
  try {
    settings::read<experiment::Config>(json);
  } catch (const Error& e) {
    VREV_FAIL(path, " (upgraded): ", e.what());
  }
  std::printf("%s\n", json.dump(2).c_str());
  return 0;
}

}  // namespace

int run_config(int argc, char** argv) {
  cxxopts::Options options("vrev config",
                           "Print every config key with its value in --config (after --set overrides and the\n"
                           "defaults of keys the file leaves out) and what it means, section by section. Any key\n"
                           "can be given to any command as --set key.path=value.\n"
                           "With --upgrade FILE: print FILE (a config, or a run's config.json) converted to this\n"
                           "vrev's layout (world settings nested per world); redirect it to a new file.");
  options.add_options()("config", "experiment config", cxxopts::value<std::string>()->default_value("configs/safety.json"))(
      "set", "override a config value, key.path=value (repeatable)", cxxopts::value<std::vector<std::string>>())(
      "upgrade", "print this config converted to the current layout", cxxopts::value<std::string>());
  auto args = parse(options, argc, argv);
  if (args.count("upgrade")) {
    VREV_CHECK(!args.count("set"), "vrev config: --upgrade converts a file as it is: it takes no --set");
    return print_upgraded(args["upgrade"].as<std::string>());
  }
  const experiment::Config cfg = experiment::load_config(args["config"].as<std::string>(), overrides(args));
  std::printf("%s", settings::help(cfg).c_str());
  return 0;
}

}  // namespace vrev::cli
