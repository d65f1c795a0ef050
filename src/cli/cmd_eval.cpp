// vrev eval: the behaviour metrics of a checkpoint as one JSON object.
#include "cli/common.h"
#include "experiment/checkpoint_world.h"
#include "world/world.h"

namespace vrev::cli {

int run_eval(int argc, char** argv) {
  cxxopts::Options options("vrev eval",
                           "Behaviour metrics of the checkpoint's world (safety: harmfulness, harmful content,\n"
                           "P(SORRY), refusal margin, benign helpfulness and refusals, task accuracy) on the\n"
                           "seed's held-out evaluation sets, as one JSON object.");
  options.add_options()("ckpt", "checkpoint directory", cxxopts::value<std::string>())(
      "config", "config whose world to use (default: the one the checkpoint recorded)", cxxopts::value<std::string>())(
      "seed", "seed of the evaluation sets (default: the checkpoint's)", cxxopts::value<uint64_t>())(
      "set", "override a config value, key.path=value (repeatable)", cxxopts::value<std::vector<std::string>>())(
      "threads", "threads for OpenMP and OpenBLAS (0: the cores other work is not using)", cxxopts::value<int>()->default_value("0"));
  add_generation_device_flag(options);
  auto args = parse(options, argc, argv);
  apply_threads(args["threads"].as<int>());
  const auto sets = overrides(args);
  experiment::OpenedCheckpoint ck = experiment::open_checkpoint(
      required(args, "ckpt"), args.count("config") ? args["config"].as<std::string>() : "", sets);
  generate_on_device(ck.model, ck.kernels);
  const uint64_t seed = args.count("seed") ? args["seed"].as<uint64_t>() : ck.seed;
  const std::unique_ptr<world::World> world = world::make_world(ck.world, seed);
  std::printf("%s\n", world::to_json(world->evaluate(ck.model)).dump().c_str());
  return 0;
}

}  // namespace vrev::cli
