// Comparing two reproduce runs from their files: config.json, summary.json and the checkpoints.
#include "experiment/compare.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "core/error.h"
#include "core/io.h"
#include "experiment/arm.h"
#include "experiment/run_layout.h"
#include "experiment/run_summary.h"

namespace vrev::experiment {

namespace fs = std::filesystem;
using Json = settings::Json;

namespace {

// Every leaf of a JSON object as "a.b.c" -> its value's dump.
void flatten(const Json& j, const std::string& prefix, std::map<std::string, std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
  } else {
    out[prefix] = j.dump();
  }
}

std::vector<std::string> config_differences(const Json& a, const Json& b) {
  std::map<std::string, std::string> fa, fb;
  flatten(a, "", fa);
  flatten(b, "", fb);
  std::vector<std::string> diffs;
  for (const auto& [key, value] : fa) {
    const auto other = fb.find(key);
    const std::string bv = other == fb.end() ? "(absent)" : other->second;
    if (bv != value) diffs.push_back(key + ": " + value + " -> " + bv);
  }
  for (const auto& [key, value] : fb)
    if (!fa.count(key)) diffs.push_back(key + ": (absent) -> " + value);
  return diffs;
}

// `path`, once it is known to exist in the run directory `dir`.
const std::string& run_file(const std::string& dir, const std::string& path) {
  VREV_CHECK(fs::exists(path), dir, " is not a finished vrev reproduce run: it has no ", fs::path(path).filename().string());
  return path;
}

std::optional<probe::SeedStats> copy_of(const probe::SeedStats* stats) {
  return stats ? std::optional<probe::SeedStats>(*stats) : std::nullopt;
}

// Every model.safetensors under the run's seed directories, relative to the run directory.
std::vector<std::string> checkpoints(const fs::path& run) {
  std::vector<std::string> found;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(run)) {
    if (!e.is_regular_file() || e.path().filename() != "model.safetensors") continue;
    const std::string rel = fs::relative(e.path(), run).string();
    if (rel.rfind("seed-", 0) == 0) found.push_back(rel);
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::string num(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3f", x);
  return b;
}

std::string mean_sd(const std::optional<probe::SeedStats>& s) {
  return s ? num(s->mean) + " ± " + num(s->sd) : "-";
}

std::string seed_values(const std::optional<probe::SeedStats>& s) {
  if (!s || s->values.empty()) return "-";
  std::string out;
  for (const double v : s->values) out += (out.empty() ? "" : " ") + num(v);
  return out;
}

// The share of a null's run-step pairs above its p99, as a mean without spread.
std::optional<probe::SeedStats> share_above(const RunSummary& s, probe::NullKind kind) {
  const auto null = s.nulls.find(kind);
  if (null == s.nulls.end()) return std::nullopt;
  const NullCounts& c = null->second.headline();
  probe::SeedStats share;
  share.mean = c.pairs > 0 ? double(c.above_p99) / double(c.pairs) : 0.0;
  return share;
}

}  // namespace

RunComparison compare_runs(const std::string& a_dir, const std::string& b_dir) {
  const RunLayout a(a_dir), b(b_dir);
  RunComparison c;
  c.a_dir = a_dir;
  c.b_dir = b_dir;
  c.config_differences =
      config_differences(settings::parse_file(run_file(a_dir, a.config())), settings::parse_file(run_file(b_dir, b.config())));
  const RunSummary sa = read_run_summary(run_file(a_dir, a.summary())), sb = read_run_summary(run_file(b_dir, b.summary()));
  for (const auto& [arm, in_a] : sa.arms.entries) {
    const ArmSummary* in_b = sb.arms.find(arm);
    auto alignment_of_b = [&](auto pick) { return in_b ? copy_of(pick(in_b->alignment)) : std::nullopt; };
    for (const int64_t step : {1, 20})
      c.values.push_back({"alignment at step " + std::to_string(step), arm, copy_of(at_step(in_a.alignment, step)),
                          alignment_of_b([&](const StatsByStep& s) { return at_step(s, step); })});
    c.values.push_back({"alignment at T", arm, copy_of(last_step(in_a.alignment)),
                        alignment_of_b([](const StatsByStep& s) { return last_step(s); })});
    for (const auto& [metric, stats] : in_a.final_metrics.entries)
      c.values.push_back({metric + " at T", arm, stats, in_b ? copy_of(in_b->final_metrics.find(metric)) : std::nullopt});
  }
  for (const auto& [kind, null] : sa.nulls)
    c.values.push_back({std::string("share of run-step pairs above the ") + settings::name_of(kind) + " p99",
                        settings::name_of(ArmBlocking::none), share_above(sa, kind), share_above(sb, kind)});
  const std::vector<std::string> in_b = checkpoints(b_dir);
  for (const std::string& rel : checkpoints(a_dir)) {
    if (!std::binary_search(in_b.begin(), in_b.end(), rel)) continue;
    c.checkpoints.push_back({rel, io::sha256_file((fs::path(a_dir) / rel).string()) ==
                                      io::sha256_file((fs::path(b_dir) / rel).string())});
  }
  return c;
}

std::string comparison_markdown(const RunComparison& c) {
  std::string md = "# " + c.a_dir + " (A) against " + c.b_dir + " (B)\n\n## Settings that differ\n\n";
  if (c.config_differences.empty()) md += "None: the two runs have the same config.\n";
  for (const std::string& d : c.config_differences) md += "- `" + d + "`\n";
  md += "\n## Measured (mean ± sd over seeds; per-seed values)\n\n"
        "| quantity | arm | A | B | B − A | A per seed | B per seed |\n|---|---|---|---|---|---|---|\n";
  for (const ComparedValue& v : c.values) {
    const std::string diff = v.a && v.b ? num(v.b->mean - v.a->mean) : "-";
    md += "| " + v.quantity + " | " + v.arm + " | " + mean_sd(v.a) + " | " + mean_sd(v.b) + " | " + diff + " | " +
          seed_values(v.a) + " | " + seed_values(v.b) + " |\n";
  }
  const long same = std::count_if(c.checkpoints.begin(), c.checkpoints.end(), [](const auto& k) { return k.identical; });
  md += "\n## Checkpoints\n\n" + std::to_string(same) + " of " + std::to_string(c.checkpoints.size()) +
        " checkpoints present in both runs have identical bits.\n";
  for (const ComparedCheckpoint& k : c.checkpoints)
    if (!k.identical) md += "- differ: `" + k.path + "`\n";
  return md;
}

}  // namespace vrev::experiment
