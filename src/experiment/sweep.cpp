// `vrev sweep`: reproduce runs over a grid of settings, and their summary.
#include "experiment/sweep.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "core/error.h"
#include "core/io.h"
#include "experiment/config.h"
#include "experiment/reproduce.h"
#include "plot/plot.h"
#include "world/world.h"

namespace vrev::experiment {

namespace fs = std::filesystem;
using settings::Json;

Sweep parse_sweep(const std::string& text) {
  const size_t eq = text.find('=');
  VREV_CHECK(eq != std::string::npos && eq > 0, "--sweep '", text, "': expected key=value1,value2,...");
  Sweep s;
  s.key = text.substr(0, eq);
  VREV_CHECK(s.key.rfind("reproduce.", 0) != 0, "--sweep '", text,
             "': reproduce.* settings are the sweep's own (use --seeds and --arms)");
  VREV_CHECK(s.key != "world.kind", "--sweep '", text, "': a sweep stays in one world");
  std::stringstream in(text.substr(eq + 1));
  for (std::string v; std::getline(in, v, ',');) {
    VREV_CHECK(!v.empty(), "--sweep '", text, "': an empty value");
    // A value names the point's directory.
    VREV_CHECK(v.find('/') == std::string::npos, "--sweep '", text, "': value '", v, "' has a '/'");
    VREV_CHECK(std::find(s.values.begin(), s.values.end(), v) == s.values.end(), "--sweep '", text, "': value '", v,
               "' twice");
    s.values.push_back(v);
  }
  VREV_CHECK(!s.values.empty(), "--sweep '", text, "': no values");
  return s;
}

namespace {

// One point of the grid: a value of each sweep.
struct Point {
  std::vector<std::string> settings;  // "key=value", one per sweep
  std::string name;                   // the settings joined by ',': the point's directory
  Config config;
};

std::vector<Point> grid(const std::vector<Sweep>& sweeps, const SweepOptions& options) {
  std::vector<std::vector<std::string>> combos = {{}};
  for (const Sweep& s : sweeps) {
    std::vector<std::vector<std::string>> next;
    for (const auto& c : combos)
      for (const std::string& v : s.values) {
        next.push_back(c);
        next.back().push_back(s.key + "=" + v);
      }
    combos = std::move(next);
  }
  std::vector<Point> points;
  for (const auto& settings : combos) {
    Point p;
    p.settings = settings;
    for (const std::string& kv : settings) p.name += (p.name.empty() ? "" : ",") + kv;
    std::vector<std::string> overrides = options.overrides;
    overrides.insert(overrides.end(), settings.begin(), settings.end());
    try {  // every point's config is checked before any trains
      p.config = load_config(options.config_path, overrides);
    } catch (const Error& e) {
      VREV_FAIL("sweep point ", p.name, ": ", e.what());
    }
    points.push_back(std::move(p));
  }
  return points;
}

// An arm's numbers at one point: the reversion metric and the task metrics after fine-tuning, and
// the alignment with v_rev at the last captured step, each {mean, sd, values} over seeds.
Json arm_row(const ArmSummary& arm, const world::MetricRoles& roles) {
  auto metric = [&](const std::string& name) {
    const probe::SeedStats* stats = arm.final_metrics.find(name);
    VREV_CHECK(stats, "the point's summary has no metric '", name, "'");
    return to_json(*stats);
  };
  VREV_CHECK(!arm.alignment.empty(), "the point's summary has no alignment: no fine-tuning step was evaluated");
  Json row = {{"reversion", metric(roles.reversion)}, {"final_alignment", to_json(*last_step(arm.alignment))}};
  for (const std::string& t : roles.task) row[t] = metric(t);
  return row;
}

// The first sweep's values on a plot's x axis: the numbers (log10 when positive and ten-fold or
// more apart), or their positions 0, 1, ... when one is not a number.
struct Axis {
  std::vector<double> x;
  bool log = false;
  std::string label;
};

Axis value_axis(const Sweep& s) {
  Axis a;
  a.label = s.key;
  for (const std::string& v : s.values) {
    size_t used = 0;
    double x = NAN;
    try {
      x = std::stod(v, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != v.size() || !std::isfinite(x)) {
      a.x.clear();
      for (size_t i = 0; i < s.values.size(); ++i) a.x.push_back(double(i));
      a.label += " (position in the list)";
      return a;
    }
    a.x.push_back(x);
  }
  const auto [lo, hi] = std::minmax_element(a.x.begin(), a.x.end());
  a.log = *lo > 0 && *hi >= 10 * *lo;
  if (a.log) a.label += " (log scale)";
  return a;
}

// Panels against the first sweep's values: the reversion metric, the final alignment and the
// first task metric (what blocking may cost), one line per arm (and second sweep value).
void write_plots(const std::string& path, const std::vector<Sweep>& sweeps, const Json& summary) {
  const Axis axis = value_axis(sweeps[0]);
  const size_t n0 = sweeps[0].values.size(), n1 = sweeps.size() > 1 ? sweeps[1].values.size() : 1;
  const std::string reversion = summary["reversion_metric"];
  struct Panel {
    std::string field, title, y_label;
    bool share;  // a share in [0, 1]: the sd band is clipped to it
  };
  std::vector<Panel> fields = {{"reversion", reversion + " after fine-tuning", reversion, true},
                               {"final_alignment", "final alignment with v_rev", "cosine", false}};
  if (!summary["task_metrics"].empty()) {
    const std::string task = summary["task_metrics"][0];
    fields.push_back({task, task + " after fine-tuning", task, true});
  }
  std::vector<plot::Plot> panels(fields.size());
  for (size_t k = 0; k < fields.size(); ++k) {
    panels[k].title = fields[k].title;
    panels[k].y_label = fields[k].y_label + " (mean, band: +-1 sd over seeds)";
    panels[k].x_label = axis.label;
    panels[k].x_log = axis.log;
  }
  size_t colour = 0;
  for (const auto& [arm, unused] : summary["points"][0]["arms"].items())
    for (size_t j = 0; j < n1; ++j, ++colour) {
      const std::string label = arm + (sweeps.size() > 1 ? ", " + sweeps[1].key + "=" + sweeps[1].values[j] : "");
      for (size_t k = 0; k < fields.size(); ++k) {
        std::vector<double> mean, lo, hi;
        for (size_t i = 0; i < n0; ++i) {
          const Json& stats = summary["points"][i * n1 + j]["arms"][arm][fields[k].field];
          const double m = stats["mean"], sd = stats["sd"];
          mean.push_back(m);
          lo.push_back(fields[k].share ? std::max(0.0, m - sd) : m - sd);
          hi.push_back(fields[k].share ? std::min(1.0, m + sd) : m + sd);
        }
        panels[k].bands.push_back({"", axis.x, lo, hi, plot::palette(colour), 0.15f});
        panels[k].series.push_back({label, axis.x, mean, plot::palette(colour), 2.0f, false, true});
      }
    }
  plot::write_png_grid(path, panels, 2);
}

std::string mean_sd(const Json& stats) {
  char text[64];
  std::snprintf(text, sizeof text, "%.3f +- %.3f", stats["mean"].get<double>(), stats["sd"].get<double>());
  return text;
}

// Where the final alignment turns negative, arm by arm (the paper's blocked arm ends at -0.21):
// the points where every seed ends below zero, and apart from them those where only the mean does.
std::string negative_alignment_section(const Json& summary) {
  std::string md = "\n## Where the final alignment turns negative\n\n";
  for (const auto& [arm, unused] : summary["points"][0]["arms"].items()) {
    std::string every_seed, mean_only;
    for (const Json& p : summary["points"]) {
      const Json& stats = p["arms"][arm]["final_alignment"];
      const size_t seeds = stats["values"].size();
      size_t below = 0;
      for (const Json& v : stats["values"]) below += v.get<double>() < 0;
      const std::string point = p["name"].get<std::string>() + " (" + mean_sd(stats);
      if (below == seeds)
        every_seed += (every_seed.empty() ? "" : ", ") + point + ")";
      else if (stats["mean"].get<double>() < 0)
        mean_only += (mean_only.empty() ? "" : ", ") + point + ", " + std::to_string(below) + " of " +
                     std::to_string(seeds) + " seeds below 0)";
    }
    md += "- " + arm + ": " +
          (every_seed.empty() ? "no point where every seed ends below zero" : "every seed below zero at " + every_seed) +
          (mean_only.empty() ? "" : "; the mean alone is below zero at " + mean_only) + ".\n";
  }
  return md;
}

void write_table_and_report(const SweepOptions& options, const std::vector<Sweep>& sweeps, const Json& summary) {
  const fs::path out(options.out_dir);
  const std::string reversion = summary["reversion_metric"];
  const std::vector<std::string> task = summary["task_metrics"];
  std::string csv = "point";
  for (const Sweep& s : sweeps) csv += "," + s.key;
  csv += ",arm,seeds," + reversion + "_mean," + reversion + "_sd,final_alignment_mean,final_alignment_sd";
  for (const std::string& t : task) csv += "," + t + "_mean";
  csv += "\n";
  std::string md = "# Sweep of " + sweeps[0].key + (sweeps.size() > 1 ? " and " + sweeps[1].key : "") + "\n\n";
  md += "Config `" + options.config_path + "`";
  for (const std::string& o : options.overrides) md += ", `--set " + o + "`";
  md += ". Seeds per point: " + std::to_string(summary["seeds"].get<int>()) +
        "; every number is a mean +- sd over those that pass the pretraining gate (each point's report names any "
        "that fail it). Reversion metric: " + reversion +
        "; final alignment: cos(drift, v_rev) at the last captured step.\n\n";
  std::string header = "| point | arm | " + reversion + " | final alignment |", rule = "|---|---|---|---|";
  for (const std::string& t : task) header += " " + t + " |", rule += "---|";
  md += header + "\n" + rule + "\n";
  for (const Json& p : summary["points"]) {
    for (const auto& [arm, row] : p["arms"].items()) {
      csv += p["name"].get<std::string>();
      for (const Sweep& s : sweeps) csv += "," + p["settings"][s.key].get<std::string>();
      csv += "," + arm + "," + std::to_string(row["reversion"]["values"].size());
      for (const char* field : {"reversion", "final_alignment"})
        csv += "," + settings::Json(row[field]["mean"]).dump() + "," + settings::Json(row[field]["sd"]).dump();
      for (const std::string& t : task) csv += "," + settings::Json(row[t]["mean"]).dump();
      csv += "\n";
      md += "| [" + p["name"].get<std::string>() + "](" + p["name"].get<std::string>() + "/report.md) | " + arm +
            " | " + mean_sd(row["reversion"]) + " | " + mean_sd(row["final_alignment"]) + " |";
      for (const std::string& t : task) md += " " + mean_sd(row[t]) + " |";
      md += "\n";
    }
  }
  md += negative_alignment_section(summary);
  md += "\n![" + reversion + ", final alignment and task metric against " + sweeps[0].key + "](plots/sweep.png)\n";
  io::write_text_atomic((out / "table.csv").string(), csv);
  io::write_text_atomic((out / "report.md").string(), md);
}

}  // namespace

Json sweep(const std::vector<Sweep>& sweeps, const SweepOptions& options) {
  VREV_CHECK(sweeps.size() == 1 || sweeps.size() == 2, "vrev sweep takes one or two --sweep, not ", sweeps.size());
  VREV_CHECK(sweeps.size() == 1 || sweeps[0].key != sweeps[1].key, "--sweep ", sweeps[0].key, " given twice");
  const auto start = std::chrono::steady_clock::now();
  const std::vector<Point> points = grid(sweeps, options);
  const world::MetricRoles roles = world::make_world(points[0].config.world, 0)->metric_roles();
  const fs::path out(options.out_dir);
  Json summary = {{"config", options.config_path},
                  {"overrides", options.overrides},
                  {"seeds", points[0].config.reproduce.seeds},
                  {"reversion_metric", roles.reversion},
                  {"task_metrics", roles.task},
                  {"sweeps", Json::array()},
                  {"points", Json::array()}};
  for (const Sweep& s : sweeps) summary["sweeps"].push_back({{"key", s.key}, {"values", s.values}});
  for (size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    if (!options.quiet && options.ranks->is_root())
      std::fprintf(stderr, "[sweep %zu/%zu] %s\n", i + 1, points.size(), p.name.c_str());
    ReproduceOptions ro;
    ro.config_path = options.config_path;
    ro.out_dir = (out / p.name).string();
    ro.quiet = options.quiet;
    ro.ranks = options.ranks;
    ro.jobs = options.jobs;
    ro.phase_store = (out / "phases").string();
    const std::optional<RunSummary> point_summary = reproduce(p.config, ro);
    if (!point_summary) continue;  // another rank writes the outputs
    Json row = {{"name", p.name}, {"settings", Json::object()}, {"arms", Json::object()}};
    for (size_t k = 0; k < sweeps.size(); ++k) row["settings"][sweeps[k].key] = p.settings[k].substr(sweeps[k].key.size() + 1);
    for (const auto& [arm, stats] : point_summary->arms.entries) row["arms"][arm] = arm_row(stats, roles);
    summary["points"].push_back(std::move(row));
  }
  if (!options.ranks->is_root()) return Json();
  summary["wall_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fs::create_directories(out / "plots");
  io::write_text_atomic((out / "summary.json").string(), summary.dump(1) + "\n");
  write_plots((out / "plots" / "sweep.png").string(), sweeps, summary);
  write_table_and_report(options, sweeps, summary);
  return summary;
}

}  // namespace vrev::experiment
