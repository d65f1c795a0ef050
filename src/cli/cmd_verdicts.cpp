// vrev verdicts: a run's verdicts as Markdown, recomputed from their per-seed values.
#include <cstdio>
#include <filesystem>

#include "cli/common.h"
#include "core/io.h"
#include "experiment/run_summary.h"
#include "experiment/verdicts.h"

namespace vrev::cli {

namespace {

// summary.json's verdicts (or those over every seed), from a run directory, its summary.json or
// a verdicts file of their own (as docs/results/ holds).
experiment::VerdictSet read_verdicts(const std::string& path, bool every_seed) {
  const std::filesystem::path p = std::filesystem::is_directory(path) ? std::filesystem::path(path) / "summary.json"
                                                                       : std::filesystem::path(path);
  VREV_CHECK(std::filesystem::exists(p), path, ": no such run or file (give a reproduce run directory, its "
             "summary.json or a verdicts file)");
  settings::Json j;
  try {
    j = settings::Json::parse(io::read_text(p.string()));
  } catch (const settings::Json::exception& e) {
    VREV_FAIL(p.string(), ": not JSON (", e.what(), ")");
  }
  if (j.is_object() && j.contains("claims")) {
    VREV_CHECK(!every_seed, p.string(), " is a verdicts file of one set of seeds; --every-seed needs a summary.json");
    return experiment::verdicts_from_json(j);
  }
  const experiment::RunSummary summary = experiment::run_summary_from_file(j, p.string());
  if (!every_seed) return summary.verdicts;
  VREV_CHECK(summary.all_seeds_verdicts, p.string(), ": every seed passes the pretraining gate, so the verdicts "
             "over every seed are the headline ones (drop --every-seed)");
  return *summary.all_seeds_verdicts;
}

}  // namespace

int run_verdicts(int argc, char** argv) {
  cxxopts::Options options("vrev verdicts",
                           "A reproduce run's verdicts as Markdown: each claim's per-seed values, sign test (or\n"
                           "Fisher's combination of within-seed control ranks), bootstrap interval and Holm-adjusted\n"
                           "p, recomputed from the per-seed values the file holds (docs/statistics.md).");
  options.add_options()("path", "a reproduce run directory, its summary.json, or a verdicts file",
                        cxxopts::value<std::string>())(
      "every-seed", "the verdicts over every seed, the pretraining gate ignored")(
      "json", "print the verdicts as JSON (the inputs only: a verdicts file, as docs/results/ holds)")(
      "check", "exit 1 unless this file (e.g. README.md) contains the Markdown verbatim",
      cxxopts::value<std::string>());
  options.parse_positional({"path"});
  options.positional_help("PATH");
  auto args = parse(options, argc, argv);
  const experiment::VerdictSet set = read_verdicts(required(args, "path"), args.count("every-seed") > 0);
  if (args.count("json")) {
    std::printf("%s\n", experiment::to_json(set).dump(2).c_str());
    return 0;
  }
  const std::string md = experiment::verdicts_markdown(set);
  if (args.count("check")) {
    const std::string file = args["check"].as<std::string>();
    VREV_CHECK(io::read_text(file).find(md) != std::string::npos, file, " does not hold the verdicts of ",
               args["path"].as<std::string>(), " verbatim: print them with vrev verdicts ",
               args["path"].as<std::string>(), " and paste them in");
    std::printf("%s holds the verdicts of %s\n", file.c_str(), args["path"].as<std::string>().c_str());
    return 0;
  }
  std::fputs(md.c_str(), stdout);
  return 0;
}

}  // namespace vrev::cli
