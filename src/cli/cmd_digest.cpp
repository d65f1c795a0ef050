// vrev digest: a reproduce run's result digests, and whether they match the published result.
#include <cstdio>

#include "cli/common.h"
#include "experiment/result_digest.h"

namespace vrev::cli {

int run_digest(int argc, char** argv) {
  cxxopts::Options options("vrev digest",
                           "The SHA-256 of a reproduce run's table.csv and of its summary.json without its times,\n"
                           "and whether they match the published result for the run's settings (configs/digests.json,\n"
                           "built into vrev; docs/determinism.md). vrev reproduce prints the same lines at its end.\n"
                           "Exit 0 when they match or nothing is published for these settings, 1 when they differ.");
  options.add_options()("run", "a finished reproduce run directory", cxxopts::value<std::string>())(
      "json", "print the digests (settings, table, summary) as JSON, as configs/digests.json holds them");
  options.parse_positional({"run"});
  options.positional_help("RUN");
  auto args = parse(options, argc, argv);
  const experiment::RunDigest digest = experiment::digest_run(required(args, "run"));
  if (args.count("json")) {
    std::printf("%s\n", experiment::to_json(digest).dump(2).c_str());
    return 0;
  }
  std::fputs(experiment::digest_lines(digest).c_str(), stdout);
  return experiment::match_published(digest) == experiment::DigestMatch::differs ? 1 : 0;
}

}  // namespace vrev::cli
