// Collecting (change, drift, distance) points from reproduce runs, fitting, and writing the results.
#include "experiment/regress.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "core/error.h"
#include "core/io.h"
#include "experiment/config.h"
#include "experiment/metrics_log.h"
#include "experiment/reproduce.h"
#include "experiment/run_layout.h"
#include "plot/plot.h"
#include "probe/run_geometry.h"
#include "train/checkpoint.h"

namespace vrev::experiment {

namespace fs = std::filesystem;
using Json = settings::Json;

namespace {

// "finetune-control-3" -> "control", "finetune-block-vrev" -> "block-vrev".
std::string arm_of(const fs::path& run) {
  std::string name = run.filename().string();
  name = name.substr(std::string(kArmDirPrefix).size());
  const std::string control = world::phase_name(world::Phase::Control);
  return name.rfind(control, 0) == 0 ? control : name;
}

// Every run of a reproduce directory's seeds that has captures.
std::vector<fs::path> runs_of(const fs::path& reproduce_dir) {
  VREV_CHECK(fs::exists(RunLayout(reproduce_dir).config()), reproduce_dir.string(),
             " is not a vrev reproduce directory: it has no config.json");
  std::vector<fs::path> runs;
  for (const fs::directory_entry& seed : fs::directory_iterator(reproduce_dir)) {
    if (!seed.is_directory() || seed.path().filename().string().rfind("seed-", 0) != 0) continue;
    for (const fs::directory_entry& run : fs::directory_iterator(seed.path()))
      if (run.path().filename().string().rfind(kArmDirPrefix, 0) == 0 &&
          fs::exists(probe::captures_manifest_path(run.path().string())))
        runs.push_back(run.path());
  }
  std::sort(runs.begin(), runs.end());
  VREV_CHECK(!runs.empty(), reproduce_dir.string(), ": no fine-tuning run with captures under seed-*/");
  return runs;
}

// The points of one run: every captured step after 0 that was also evaluated.
void add_points(const fs::path& run, int group, const std::string& label, const std::string& metric,
                const probe::ProbeNames& names, std::vector<RegressPoint>& points) {
  const SeedLayout seed = SeedLayout::of_arm(run);
  const probe::DriftSplit drift = probe::drift_split(run.string(), seed.probe(), names);
  const std::string log = (run / kMetricsFile).string();
  std::map<int64_t, std::pair<double, double>> evaluated;  // step -> (metric, distance)
  for (const Json& line : read_metrics(log)) {
    if (!line.contains("behaviour")) continue;
    VREV_CHECK(line["behaviour"].contains(metric), log, ": no metric '", metric,
               "' (--metric names one of the world's behaviour metrics)");
    VREV_CHECK(line.contains("param_distance"), log,
               ": no param_distance (the run predates it: run vrev reproduce again to add it)");
    evaluated[line["step"].get<int64_t>()] = {line["behaviour"][metric].get<double>(),
                                              line["param_distance"]["total"].get<double>()};
  }
  VREV_CHECK(evaluated.count(0), log, ": step 0 was not evaluated, so the metric's change cannot be measured");
  const double start = evaluated.at(0).first;
  for (size_t i = 0; i < drift.steps.size(); ++i) {
    const int64_t step = drift.steps[i];
    if (step == 0 || !evaluated.count(step)) continue;
    points.push_back({group, label, run.string(), step, evaluated.at(step).first - start, drift.along[i],
                      drift.off[i], evaluated.at(step).second});
  }
}

RegressModel fit_model(const std::string& name, const std::vector<std::string>& predictors,
                       const std::vector<RegressPoint>& points, const RegressOptions& options) {
  std::vector<probe::Observation> data;
  for (const RegressPoint& p : points) {
    probe::Observation o{p.group, p.change, {}};
    for (const std::string& x : predictors)
      o.x.push_back(x == "along" ? p.along : x == "off" ? p.off : p.distance);
    data.push_back(std::move(o));
  }
  RegressModel m{name, predictors, probe::fit_fixed_effects(data), {}};
  m.interval = probe::bootstrap_over_groups(data, options.bootstrap, options.bootstrap_seed);
  return m;
}

std::string num(double x, int digits = 3) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", digits, x);
  return b;
}

void plot_points(const std::string& path, const RegressResult& r) {
  const RegressModel& drift = r.models[0];
  const RegressModel& distance = r.models[1];
  plot::Plot along, moved;
  along.title = "change of " + r.metric + " against the drift along v_rev";
  along.x_label = "drift along v_rev (share of |v_rev| undone)";
  moved.title = "change of " + r.metric + " against the distance moved";
  moved.x_label = "L2 distance from the aligned weights";
  along.y_label = moved.y_label = "change of " + r.metric + " since step 0";
  std::map<std::string, size_t> colour;
  std::set<std::string> labelled;
  for (const RegressPoint& p : r.points) colour.emplace(p.label, colour.size());
  // One thin line with markers per run, its steps in order; each arm named once in the legend.
  std::map<std::string, std::vector<const RegressPoint*>> by_run;
  for (const RegressPoint& p : r.points) by_run[p.run].push_back(&p);
  double lo_along = 0, hi_along = 0, hi_distance = 0;
  for (const auto& [run, pts] : by_run) {
    plot::Series a, d;
    a.label = d.label = labelled.insert(pts.front()->label).second ? pts.front()->label : "";
    a.color = d.color = plot::palette(colour.at(pts.front()->label));
    a.width = d.width = 1.0f;
    a.markers = d.markers = true;
    for (const RegressPoint* p : pts) {
      a.x.push_back(p->along), a.y.push_back(p->change);
      d.x.push_back(p->distance), d.y.push_back(p->change);
      lo_along = std::min(lo_along, p->along), hi_along = std::max(hi_along, p->along);
      hi_distance = std::max(hi_distance, p->distance);
    }
    along.series.push_back(std::move(a));
    moved.series.push_back(std::move(d));
  }
  auto line = [](const RegressModel& m, double x0, double x1) {
    return plot::Series{"fit (mean seed intercept): slope " + num(m.fit.coef[0]) + ", within-seed R2 " +
                            num(m.fit.r2_within, 2),
                        {x0, x1},
                        {m.fit.mean_intercept + m.fit.coef[0] * x0, m.fit.mean_intercept + m.fit.coef[0] * x1},
                        {0, 0, 0},
                        2.5f,
                        true};
  };
  along.series.push_back(line(drift, lo_along, hi_along));
  moved.series.push_back(line(distance, 0.0, hi_distance));
  plot::write_png_grid(path, {along, moved}, 2);
}

}  // namespace

RegressResult regress(const RegressOptions& options) {
  VREV_CHECK(!options.reproduce_dirs.empty() || !options.run_dirs.empty(),
             "regress: give at least one reproduce directory or --run");
  RegressResult r;
  r.metric = options.metric;
  const bool prefix = options.reproduce_dirs.size() + (options.run_dirs.empty() ? 0 : 1) > 1;
  std::map<std::pair<std::string, uint64_t>, int> groups;  // (reproduce directory, seed) -> group
  auto collect = [&](const fs::path& whole, const std::vector<fs::path>& runs) {
    const Config cfg = load_config(RunLayout(whole).config());
    const probe::ProbeNames names = probe_names(*world::make_world(cfg.world, 0));
    const std::string dir_name = fs::weakly_canonical(whole).filename().string();
    for (const fs::path& run : runs) {
      const uint64_t seed = train::read_checkpoint_state(run.string()).seed;
      const int group = groups.emplace(std::pair{fs::weakly_canonical(whole).string(), seed}, int(groups.size()))
                            .first->second;
      add_points(run, group, (prefix ? dir_name + ":" : "") + arm_of(run), options.metric, names, r.points);
    }
  };
  for (const std::string& dir : options.reproduce_dirs) collect(dir, runs_of(dir));
  for (const std::string& dir : options.run_dirs) {
    const fs::path run = fs::path(dir).lexically_normal();
    VREV_CHECK(run.filename().string().rfind(kArmDirPrefix, 0) == 0 && fs::exists(probe::captures_manifest_path(dir)),
               "--run ", dir, " is not a finetune-<arm> directory of vrev reproduce with captures");
    collect(SeedLayout::of_arm(run).dir().parent_path(), {run});
  }
  r.models.push_back(fit_model("drift", {"along", "off"}, r.points, options));
  r.models.push_back(fit_model("distance", {"distance"}, r.points, options));
  r.models.push_back(fit_model("joint", {"along", "off", "distance"}, r.points, options));
  return r;
}

void write_regress(const std::string& out_dir, const RegressResult& r) {
  fs::create_directories(out_dir);
  Json j = {{"metric", r.metric}, {"models", Json::array()}};
  std::string md = "# vrev regress: change of " + r.metric + " since step 0\n\n" + std::to_string(r.points.size()) +
                   " points (run, step) from " + std::to_string(r.models[0].fit.groups) +
                   " seed groups; a fixed effect per seed; 95% intervals from " +
                   std::to_string(r.models[0].interval.draws) +
                   " bootstrap resamples of whole seeds.\n\n| model | predictor | coefficient | 95% interval | R² | "
                   "within-seed R² |\n|---|---|---|---|---|---|\n";
  for (const RegressModel& m : r.models) {
    Json mj = {{"name", m.name}, {"r2", m.fit.r2}, {"r2_within", m.fit.r2_within}, {"n", m.fit.n},
               {"groups", m.fit.groups}, {"bootstrap_draws", m.interval.draws}, {"coefficients", Json::object()}};
    for (size_t i = 0; i < m.predictors.size(); ++i) {
      mj["coefficients"][m.predictors[i]] = {{"estimate", m.fit.coef[i]}, {"ci95", {m.interval.lo[i], m.interval.hi[i]}}};
      md += "| " + m.name + " | " + m.predictors[i] + " | " + num(m.fit.coef[i]) + " | [" + num(m.interval.lo[i]) +
            ", " + num(m.interval.hi[i]) + "] | " + num(m.fit.r2, 2) + " | " + num(m.fit.r2_within, 2) + " |\n";
    }
    j["models"].push_back(mj);
  }
  md += "\nPredictors: `along` = drift · v_rev / |v_rev|² (share of the alignment displacement undone), `off` = "
        "norm of the drift orthogonal to v_rev in units of |v_rev|, `distance` = L2 distance of the weights from "
        "the aligned model's. Plot: regress.png; points: points.csv.\n";
  std::string csv = "group,label,run,step,change,along,off,distance\n";
  for (const RegressPoint& p : r.points)
    csv += std::to_string(p.group) + "," + p.label + "," + p.run + "," + std::to_string(p.step) + "," +
           num(p.change, 9) + "," + num(p.along, 9) + "," + num(p.off, 9) + "," + num(p.distance, 9) + "\n";
  io::write_text_atomic((fs::path(out_dir) / "regress.json").string(), j.dump(1) + "\n");
  io::write_text_atomic((fs::path(out_dir) / "regress.md").string(), md);
  io::write_text_atomic((fs::path(out_dir) / "points.csv").string(), csv);
  plot_points((fs::path(out_dir) / "regress.png").string(), r);
}

}  // namespace vrev::experiment
