// vrev first-update: which parameter groups move the probe activations along v_rev in the first
// fine-tuning step.
#include <cstdio>

#include "cli/common.h"
#include "core/io.h"
#include "experiment/config.h"
#include "experiment/first_update.h"
#include "experiment/reproduce.h"

namespace vrev::cli {

int run_first_update(int argc, char** argv) {
  cxxopts::Options options(
      "vrev first-update",
      "Take the first fine-tuning step from --align as the plain arm does (the config's finetune\n"
      "settings, --seed's data), then, parameter group by group, apply only that group's share of\n"
      "the update and measure the drift of the probe activations along v_rev (from --pretrain to\n"
      "--align). Prints a table; --out writes it as JSON. Try --set finetune.optimizer.eps=1e-6,\n"
      "--set finetune.schedule.warmup=10 or --set finetune.optimizer.name=sgd to see what AdamW's\n"
      "near-sign first step does (docs/nulls.md, The first step).");
  options.add_options()("config", "experiment config (JSON)", cxxopts::value<std::string>())(
      "pretrain", "the reference checkpoint v_rev points to (safety: pretrain)", cxxopts::value<std::string>())(
      "align", "the history's last checkpoint, where fine-tuning starts (safety: align)", cxxopts::value<std::string>())(
      "seed", "seed of the world (its probe sets and fine-tuning data)", cxxopts::value<int>()->default_value("0"))(
      "out", "write the table as JSON here", cxxopts::value<std::string>())(
      "set", "override a config value, key.path=value (repeatable)", cxxopts::value<std::vector<std::string>>())(
      "threads", "threads for OpenMP and OpenBLAS (0: the cores other work is not using)", cxxopts::value<int>()->default_value("0"));
  auto args = parse(options, argc, argv);
  apply_threads(args["threads"].as<int>());
  const experiment::Config cfg = experiment::load_config(required(args, "config"), overrides(args));
  cfg.kernels.apply();
  const int seed = args["seed"].as<int>();
  VREV_CHECK(seed >= 0, "--seed must be >= 0, got ", seed);
  const std::unique_ptr<world::World> world = world::make_world(cfg.world, seed);
  const probe::ProbeNames names = experiment::probe_names(*world);
  const std::string pretrain = required(args, "pretrain"), align = required(args, "align");
  check_probe_checkpoints(names, pretrain, align);
  const experiment::FirstUpdate u = experiment::first_update(cfg, *world, pretrain, align);
  std::printf("first step (lr %.3g): alignment cos(drift, v_rev) = %.4f; the groups' shares along v_rev add up to "
              "%.4f\n\n",
              u.learning_rate, u.alignment, u.groups_along_v_rev);
  std::printf("%-52s %10s %9s %9s %9s %9s\n", "parameter group", "params", "|update|²", "full-lr", "along", "cos");
  for (const experiment::UpdateGroup& g : u.groups)
    std::printf("%-52s %10zu %8.1f%% %8.1f%% %+9.4f %+9.3f\n", g.name.c_str(), g.parameters, 100 * g.update_share,
                100 * g.full_step_share, g.along_v_rev, g.alignment);
  std::printf("\n|update|²: the group's share of the update's squared norm; full-lr: its coordinates that moved by\n"
              "at least half the learning rate; along: its drift along v_rev over the whole step's drift length;\n"
              "cos: its drift's alignment with v_rev.\n");
  if (args.count("out")) io::write_text_atomic(args["out"].as<std::string>(), to_json(u).dump(1) + "\n");
  return 0;
}

}  // namespace vrev::cli
