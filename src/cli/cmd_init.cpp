// vrev init: a freshly initialised model as model.safetensors.
#include "cli/common.h"
#include "experiment/config.h"
#include "model/model_file.h"

namespace vrev::cli {

int run_init(int argc, char** argv) {
  cxxopts::Options options("vrev init", "Write a freshly initialised model (GPT-2 init from the counter RNG).");
  options.add_options()("config", "experiment config (JSON)", cxxopts::value<std::string>())(
      "seed", "initialisation seed", cxxopts::value<uint64_t>()->default_value("0"))(
      "set", "override a config value, key.path=value (repeatable)", cxxopts::value<std::vector<std::string>>())(
      "out", "output model.safetensors", cxxopts::value<std::string>());
  auto args = parse(options, argc, argv);
  const auto sets = overrides(args);
  experiment::Config cfg = experiment::load_config(required(args, "config"), sets);
  cfg.kernels.apply();
  const std::string out = required(args, "out");
  const uint64_t seed = args["seed"].as<uint64_t>();
  model::Gpt<float> gpt(cfg.model);
  gpt.init(seed);
  model::save_model(out, gpt, {{"phase", "init"}, {"step", "0"}, {"seed", std::to_string(seed)}});
  std::printf("wrote %s (%zu parameters)\n", out.c_str(), gpt.params().size());
  return 0;
}

}  // namespace vrev::cli
