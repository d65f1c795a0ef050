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

Json read_run_file(const std::string& dir, const std::string& path) {
  VREV_CHECK(fs::exists(path), dir, " is not a finished vrev reproduce run: it has no ", fs::path(path).filename().string());
  return settings::parse_file(path);
}

const Json& member(const Json& j, const std::string& key) {
  static const Json none;
  return j.is_object() && j.contains(key) ? j[key] : none;
}

// The last evaluation step an arm's alignment has (the keys are step numbers).
std::string last_step(const Json& alignment) {
  std::string last;
  long best = -1;
  if (alignment.is_object())
    for (auto it = alignment.begin(); it != alignment.end(); ++it)
      if (std::stol(it.key()) > best) best = std::stol(it.key()), last = it.key();
  return last;
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

std::string mean_sd(const Json& s) {
  if (!s.is_object() || !s.contains("mean")) return "-";
  return num(s["mean"].get<double>()) + " ± " + num(s["sd"].get<double>());
}

std::string seed_values(const Json& s) {
  if (!s.is_object() || !s.contains("values")) return "-";
  std::string out;
  for (const Json& v : s["values"]) out += (out.empty() ? "" : " ") + num(v.get<double>());
  return out;
}

}  // namespace

RunComparison compare_runs(const std::string& a_dir, const std::string& b_dir) {
  const RunLayout a(a_dir), b(b_dir);
  RunComparison c;
  c.a_dir = a_dir;
  c.b_dir = b_dir;
  c.config_differences = config_differences(read_run_file(a_dir, a.config()), read_run_file(b_dir, b.config()));
  const Json sa = read_run_file(a_dir, a.summary()), sb = read_run_file(b_dir, b.summary());
  const Json& arms_a = member(sa, "arms");
  const Json& arms_b = member(sb, "arms");
  for (auto arm = arms_a.begin(); arm != arms_a.end(); ++arm) {
    const Json& other = member(arms_b, arm.key());
    for (const char* step : {"1", "20"})
      c.values.push_back({std::string("alignment at step ") + step, arm.key(), member(arm.value()["alignment"], step),
                          member(member(other, "alignment"), step)});
    const std::string ta = last_step(arm.value()["alignment"]), tb = last_step(member(other, "alignment"));
    c.values.push_back({"alignment at T", arm.key(), member(arm.value()["alignment"], ta),
                        member(member(other, "alignment"), tb)});
    for (auto metric = arm.value().begin(); metric != arm.value().end(); ++metric) {
      if (!metric.value().contains("mean")) continue;  // the per-step tables above
      c.values.push_back({metric.key() + " at T", arm.key(), metric.value(), member(other, metric.key())});
    }
  }
  const Json& nulls_a = member(sa, "nulls");
  for (auto null = nulls_a.begin(); null != nulls_a.end(); ++null) {
    auto share = [](const Json& n) -> Json {
      if (!n.is_object() || !n.contains("pairs")) return Json();
      const double pairs = n["pairs"].get<double>();
      return {{"mean", pairs > 0 ? n["above_p99"].get<double>() / pairs : 0.0}, {"sd", 0.0}};
    };
    c.values.push_back({"share of run-step pairs above the " + null.key() + " p99", settings::name_of(ArmBlocking::none), share(null.value()),
                        share(member(member(sb, "nulls"), null.key()))});
  }
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
    const bool both = v.a.is_object() && v.a.contains("mean") && v.b.is_object() && v.b.contains("mean");
    const std::string diff = both ? num(v.b["mean"].get<double>() - v.a["mean"].get<double>()) : "-";
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
