// vrev regress: the change of a continuous metric against the drift along v_rev and the distance moved.
#include <cstdio>

#include "cli/common.h"
#include "core/io.h"
#include "experiment/regress.h"

namespace vrev::cli {

int run_regress(int argc, char** argv) {
  cxxopts::Options options(
      "vrev regress",
      "Over every fine-tuning run of the given `vrev reproduce` directories (arms and control runs, every\n"
      "seed) and every evaluation step after 0: the change of --metric since step 0, fitted with a fixed\n"
      "effect per seed against the drift along v_rev and off it (drift model), against the L2 distance\n"
      "of the weights from the aligned model (distance model), and against all three (joint). Writes\n"
      "regress.md, regress.json, points.csv and regress.png (scatter by arm, with the fit) to --out;\n"
      "prints regress.md. docs/mechanism.md says how to read it.");
  options.add_options()("dirs", "reproduce directories", cxxopts::value<std::vector<std::string>>())(
      "run", "a single finetune-<arm> directory of a reproduce run (repeatable)",
      cxxopts::value<std::vector<std::string>>())(
      "metric", "behaviour metric whose change is fitted", cxxopts::value<std::string>()->default_value("log_p_sure"))(
      "bootstrap", "bootstrap resamples of whole seeds", cxxopts::value<int>()->default_value("2000"))(
      "out", "output directory", cxxopts::value<std::string>());
  options.parse_positional({"dirs"});
  options.positional_help("REPRODUCE_DIR...");
  auto args = parse(options, argc, argv);
  experiment::RegressOptions opt;
  if (args.count("dirs")) opt.reproduce_dirs = args["dirs"].as<std::vector<std::string>>();
  if (args.count("run")) opt.run_dirs = args["run"].as<std::vector<std::string>>();
  opt.metric = args["metric"].as<std::string>();
  opt.bootstrap = args["bootstrap"].as<int>();
  VREV_CHECK(opt.bootstrap >= 1 && opt.bootstrap <= 1000000, "--bootstrap must be 1 to 1000000, not ", opt.bootstrap);
  const std::string out = required(args, "out");
  const experiment::RegressResult result = experiment::regress(opt);
  experiment::write_regress(out, result);
  std::fputs(io::read_text(out + "/regress.md").c_str(), stdout);
  return 0;
}

}  // namespace vrev::cli
