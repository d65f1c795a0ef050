// vrev sweep: the main track over a grid of one or two settings.
#include <sstream>

#include "cli/common.h"
#include "experiment/sweep.h"

namespace vrev::cli {

int run_sweep(int argc, char** argv) {
  cxxopts::Options options(
      "vrev sweep",
      "The main track (vrev reproduce) at every point of a grid: one or two --sweep key=v1,v2,... give\n"
      "the values, every point runs all seeds and arms in --out/<key>=<value>[,<key>=<value>]/, and a\n"
      "history that no swept key changes is trained once and shared (--out/phases/). Then --out/\n"
      "summary.json, table.csv, report.md and plots/sweep.png: the world's reversion metric and the\n"
      "final alignment with v_rev against the first key's value, one line per arm.\n"
      "Interrupted sweeps continue where they stopped. Under mpirun (a -DVREV_MPI=ON build) the ranks\n"
      "share each point's units (docs/mpi.md).\n"
      "Example: vrev sweep --sweep finetune.schedule.lr=1e-5,3e-5,1e-4,3e-4 --seeds 3 --arms plain,block-vrev");
  options.add_options()("config", "experiment config", cxxopts::value<std::string>()->default_value("configs/safety.json"))(
      "sweep", "key=value1,value2,... (once or twice; the first is the plots' x axis)",
      cxxopts::value<std::vector<std::string>>())(
      "seeds", "seeds per point (overrides reproduce.seeds)", cxxopts::value<int>())(
      "out", "sweep directory", cxxopts::value<std::string>()->default_value("runs/sweep"))(
      "arms", "comma-separated arms (overrides reproduce.arms), as vrev reproduce takes them",
      cxxopts::value<std::string>())(
      "set", "override a config value at every point, key.path=value (repeatable)",
      cxxopts::value<std::vector<std::string>>())(
      "threads", "threads for OpenMP and OpenBLAS, per rank under mpirun (0: the cores other work is not using)",
      cxxopts::value<int>()->default_value("0"));
  add_jobs_flag(options);
  add_device_flag(options);
  auto args = parse(options, argc, argv);
  apply_threads(args["threads"].as<int>());
  VREV_CHECK(args.count("sweep"), "--sweep key=value1,value2,... is required");
  std::vector<experiment::Sweep> sweeps;
  for (const std::string& s : args["sweep"].as<std::vector<std::string>>()) sweeps.push_back(experiment::parse_sweep(s));
  experiment::SweepOptions opt;
  opt.config_path = args["config"].as<std::string>();
  opt.out_dir = args["out"].as<std::string>();
  opt.overrides = overrides(args);
  if (args.count("seeds")) opt.overrides.push_back("reproduce.seeds=" + std::to_string(args["seeds"].as<int>()));
  if (args.count("arms")) opt.overrides.push_back(arms_override(args["arms"].as<std::string>()));
  opt.ranks = &comm::Communicator::world();
  opt.jobs = jobs(args);
  select_device(experiment::load_config(opt.config_path, opt.overrides).kernels.device, opt.jobs);
  const settings::Json summary = experiment::sweep(sweeps, opt);
  if (!opt.ranks->is_root()) return 0;
  std::printf("wrote %s/report.md, summary.json, table.csv and plots/sweep.png (%zu points, %.0f s)\n",
              opt.out_dir.c_str(), summary["points"].size(), summary["wall_seconds"].get<double>());
  return 0;
}

}  // namespace vrev::cli
