// vrev world: print example sequences of a phase (for teaching and checking the data).
#include "cli/common.h"
#include "experiment/config.h"
#include "world/world.h"

namespace vrev::cli {

int run_world(int argc, char** argv) {
  cxxopts::Options options("vrev world",
                           "Print example training sequences of a phase. Targets in [brackets] carry loss, those\n"
                           "in {braces} an ascended loss (grad-diff unlearning); the rest (prompt, padding) are\n"
                           "masked out.");
  options.add_options()("config", "experiment config (JSON)", cxxopts::value<std::string>())(
      "phase", "a phase of the world's history (pretrain, align, unlearn, trait, detrait), finetune or control",
      cxxopts::value<std::string>()->default_value("pretrain"))(
      "seed", "seed", cxxopts::value<uint64_t>()->default_value("0"))(
      "n", "number of examples", cxxopts::value<int>()->default_value("5"))(
      "set", "override a config value, key.path=value (repeatable)", cxxopts::value<std::vector<std::string>>());
  auto args = parse(options, argc, argv);
  const auto sets = overrides(args);
  const experiment::Config cfg = experiment::load_config(required(args, "config"), sets);
  const world::Phase phase = world::parse_phase(args["phase"].as<std::string>());
  const int n = args["n"].as<int>();
  VREV_CHECK(n >= 0, "-n must be >= 0");
  const std::unique_ptr<world::World> world = world::make_world(cfg.world, args["seed"].as<uint64_t>());
  world::check_phase(*world, phase);
  const int T = world->sequence_length() - 1;
  std::vector<int32_t> inputs(T), targets(T);
  std::vector<float> weights(T);
  for (int i = 0; i < n; ++i) {
    world->write_example(phase, i, inputs.data(), targets.data(), weights.data());
    std::string line = world->vocab().name(inputs[0]);
    for (int t = 0; t < T; ++t) {
      const std::string& name = world->vocab().name(targets[t]);
      line += " " + (weights[t] > 0 ? "[" + name + "]" : weights[t] < 0 ? "{" + name + "}" : name);
    }
    std::printf("%s\n", line.c_str());
  }
  return 0;
}

}  // namespace vrev::cli
