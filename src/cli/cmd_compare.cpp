// vrev compare: two reproduce runs side by side.
#include <cstdio>

#include "cli/common.h"
#include "core/io.h"
#include "experiment/compare.h"

namespace vrev::cli {

int run_compare(int argc, char** argv) {
  cxxopts::Options options("vrev compare",
                           "Two `vrev reproduce` directories side by side, as Markdown: the config keys that differ,\n"
                           "every arm's metrics at T and alignment at steps 1, 20 and T (mean ± sd, B − A, per-seed\n"
                           "values), each null's share of run-step pairs above its p99, and which checkpoints present in\n"
                           "both have identical bits.");
  options.add_options()("a", "first run directory", cxxopts::value<std::string>())(
      "b", "second run directory", cxxopts::value<std::string>())(
      "out", "also write the Markdown to this file", cxxopts::value<std::string>());
  options.parse_positional({"a", "b"});
  options.positional_help("A B");
  auto args = parse(options, argc, argv);
  const std::string md =
      experiment::comparison_markdown(experiment::compare_runs(required(args, "a"), required(args, "b")));
  if (args.count("out")) io::write_text_atomic(args["out"].as<std::string>(), md);
  std::fputs(md.c_str(), stdout);
  return 0;
}

}  // namespace vrev::cli
