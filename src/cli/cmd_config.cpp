// vrev config: every setting of a config, its value and what it means, from the declarations
// that also parse, validate and record it (so this list cannot fall behind the code).
#include "cli/common.h"
#include "experiment/config.h"

namespace vrev::cli {

int run_config(int argc, char** argv) {
  cxxopts::Options options("vrev config",
                           "Print every config key with its value in --config (after --set overrides and the\n"
                           "defaults of keys the file leaves out) and what it means, section by section. Any key\n"
                           "can be given to any command as --set key.path=value.");
  options.add_options()("config", "experiment config", cxxopts::value<std::string>()->default_value("configs/safety.json"))(
      "set", "override a config value, key.path=value (repeatable)", cxxopts::value<std::vector<std::string>>());
  auto args = parse(options, argc, argv);
  const experiment::Config cfg = experiment::load_config(args["config"].as<std::string>(), overrides(args));
  std::printf("%s", settings::help(cfg).c_str());
  return 0;
}

}  // namespace vrev::cli
