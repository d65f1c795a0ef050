// vrev train: one phase of a world's training history, or its fine-tuning.
#include "cli/common.h"
#include "experiment/config.h"
#include "experiment/phase_runner.h"
#include "experiment/probe_run.h"
#include "train/checkpoint.h"

namespace vrev::cli {

int run_train(int argc, char** argv) {
  cxxopts::Options options("vrev train",
                           "Run one training phase and write its checkpoint directory and metrics.jsonl.\n"
                           "Each phase needs --init from the one before it in the world's history,\n"
                           "  " + world::world_histories() + ";\n"
                           "finetune and control from the history's last.\n"
                           "finetune and control capture the probe sets at their evaluation steps (captures/), which\n"
                           "vrev drift --run OUT --pretrain P --align A [--control C ...] measures against v_rev.\n"
                           "Several control runs (--replica 0, 1, ...) train on disjoint data and form the control null.\n"
                           "An existing finished run with the same settings is skipped; an unfinished one resumes.\n"
                           "Under mpirun (a -DVREV_MPI=ON build) the ranks train data-parallel: each computes its block\n"
                           "of the batch's <phase>.shards micro-shards, and the parameters are the same bits as one\n"
                           "process's for any rank count that divides the shard count (docs/mpi.md).");
  options.add_options()("config", "experiment config (JSON)", cxxopts::value<std::string>())(
      "phase", "a phase of the world's history (" + world::history_phase_names() + "), finetune or control",
      cxxopts::value<std::string>())(
      "seed", "seed (model init, data, fixed sets)", cxxopts::value<uint64_t>()->default_value("0"))(
      "out", "checkpoint directory to write", cxxopts::value<std::string>())(
      "init", "parent checkpoint directory", cxxopts::value<std::string>())(
      "replica", "control only: which independent copy of the control data stream (0, 1, ...)",
      cxxopts::value<int>()->default_value("0"))(
      "set", "override a config value, key.path=value (repeatable)", cxxopts::value<std::vector<std::string>>())(
      "allow-seed-change", "let --seed differ from the --init checkpoint's seed (its data and fixed sets change)")(
      "threads", "threads for OpenMP and OpenBLAS, per rank under mpirun (0: the cores other work is not using)",
      cxxopts::value<int>()->default_value("0"));
  add_device_flag(options);
  auto args = parse(options, argc, argv);
  apply_threads(args["threads"].as<int>());
  const auto sets = overrides(args);
  const experiment::Config cfg = experiment::load_config(required(args, "config"), sets);
  apply_kernels(cfg.kernels);
  experiment::PhaseRun run;
  run.phase = world::parse_phase(required(args, "phase"));
  run.seed = args["seed"].as<uint64_t>();
  run.out_dir = required(args, "out");
  if (args.count("init")) {
    run.init_dir = args["init"].as<std::string>();
    // A seed picks the world's fixed sets and data: continuing another seed's history with it would
    // mix two seeds' worlds without a word.
    const uint64_t init_seed = train::read_checkpoint_state(run.init_dir).seed;
    VREV_CHECK(init_seed == run.seed || args.count("allow-seed-change"), "--seed ", run.seed, " differs from seed ",
               init_seed, " of the --init checkpoint ", run.init_dir, ": pass --seed ", init_seed,
               " (or --allow-seed-change to continue it with another seed's data)");
  }
  run.replica = args["replica"].as<int>();
  VREV_CHECK(run.replica >= 0, "--replica must be >= 0, got ", run.replica);
  VREV_CHECK(run.replica == 0 || run.phase == world::Phase::Control, "--replica is for --phase control only");
  run.data_parallel = &comm::Communicator::world();
  // A fine-tune or control captures the probe sets at its evaluation steps, as a reproduce arm
  // does, so that vrev drift can measure it against v_rev.
  experiment::PhaseCallbacks callbacks;
  const std::unique_ptr<world::World> world = world::make_world(cfg.world, run.seed);
  if (run.phase == world::Phase::Finetune || run.phase == world::Phase::Control) {
    callbacks.identity = {{"probe", cfg.probe.run_identity()}};
    experiment::capture_at_evaluations(callbacks, cfg, *world, run.out_dir, world::phase_name(run.phase));
  }
  const experiment::PhaseOutcome outcome = experiment::run_phase(cfg, run, callbacks);
  if (!run.data_parallel->is_root()) return 0;
  settings::Json j = {{"phase", world::phase_name(run.phase)},
                      {"seed", run.seed},
                      {"out", run.out_dir},
                      {"skipped", outcome.skipped},
                      {"seconds", outcome.seconds},
                      {"behaviour", outcome.final_metrics}};
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

}  // namespace vrev::cli
