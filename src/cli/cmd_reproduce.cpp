// vrev reproduce: the paper's main track in one command.
#include "cli/common.h"
#include "experiment/arm.h"
#include "experiment/reproduce.h"
#include "experiment/result_digest.h"
#include "experiment/summary.h"

namespace vrev::cli {

int run_reproduce(int argc, char** argv) {
  cxxopts::Options options("vrev reproduce",
                           "Every seed: the world's history,\n"
                           "  " + world::world_histories() + ";\n"
                           "v_rev, then the fine-tuning arms with capture, geometry and nulls; then summary.json,\n"
                           "table.csv, report.md and plots/ in --out (the image world also draws samples at every phase\n"
                           "and evaluation step, and strips in the report).\n"
                           "Interrupted runs continue where they stopped; finished phases are skipped.\n"
                           "Under mpirun (a -DVREV_MPI=ON build) the ranks share the seeds' chains and the arms; rank 0\n"
                           "writes the summary and report, the same files as one process (docs/mpi.md).\n"
                           "It ends with the SHA-256 of table.csv and summary.json and whether they match the published\n"
                           "result for these settings (configs/digests.json; vrev digest prints the same).\n"
                           "Every config key, with its value and meaning: vrev config --config <file>.");
  options.add_options()("config", "experiment config", cxxopts::value<std::string>()->default_value("configs/safety.json"))(
      "seeds", "number of seeds (overrides reproduce.seeds)", cxxopts::value<int>())(
      "out", "run directory", cxxopts::value<std::string>()->default_value("runs/main"))(
      "arms", "comma-separated arms (overrides reproduce.arms): " + experiment::arm_names_in_brief() +
      " (docs/trait-world.md)",
      cxxopts::value<std::string>())(
      "set", "override a config value, key.path=value (repeatable)", cxxopts::value<std::vector<std::string>>())(
      "threads", "threads for OpenMP and OpenBLAS, per rank under mpirun (0: the cores other work is not using)",
      cxxopts::value<int>()->default_value("0"));
  add_jobs_flag(options);
  add_device_flag(options);
  auto args = parse(options, argc, argv);
  apply_threads(args["threads"].as<int>());
  auto sets = overrides(args);
  if (args.count("seeds")) sets.push_back("reproduce.seeds=" + std::to_string(args["seeds"].as<int>()));
  if (args.count("arms")) sets.push_back(arms_override(args["arms"].as<std::string>()));
  experiment::ReproduceOptions opt;
  opt.config_path = args["config"].as<std::string>();
  opt.out_dir = args["out"].as<std::string>();
  opt.ranks = &comm::Communicator::world();
  opt.jobs = jobs(args);
  const experiment::Config cfg = experiment::load_config(opt.config_path, sets);
  apply_kernels(cfg.kernels, opt.jobs);
  const std::optional<experiment::RunSummary> summary = experiment::reproduce(cfg, opt);
  if (!summary) return 0;  // another rank writes the outputs
  std::printf("wrote %s/report.md, summary.json, table.csv and plots/ (%.0f s)\n", opt.out_dir.c_str(),
              summary->wall_seconds);
  std::fputs(experiment::digest_lines(experiment::digest_run(opt.out_dir)).c_str(), stdout);
  return 0;
}

}  // namespace vrev::cli
