// summary.json and table.csv.
#include "experiment/summary.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/io.h"
#include "experiment/arm.h"
#include "experiment/main_track.h"
#include "experiment/metrics_log.h"
#include "experiment/published_figures.h"
#include "experiment/seed_gate.h"
#include "experiment/verdicts.h"
#include "model/sites.h"
#include "probe/nulls.h"
#include "probe/statistics.h"
#include "world/world.h"

namespace vrev::experiment {

namespace {

using Json = settings::Json;

// The step sets the nulls' counts are reported on: vrev's own (every seed, every evaluation step
// 1-20), the reference implementation's (its 3 seeds, steps 1, 2, 5, 10, 20), and the paper's 24
// run-step pairs, which it does not list: read here as 3 seeds by the first 8 evaluation steps
// from step 1. A set keeps the steps this run evaluated, so its pair count says what was matched.
struct StepSet {
  const char* name;
  int seeds;
  std::vector<int64_t> steps;
};

std::vector<StepSet> step_sets(const std::vector<int64_t>& evaluated, int seeds) {
  StepSet own{"vrev", seeds, {}}, reference{"reference", std::min(seeds, 3), {}}, paper{"paper", std::min(seeds, 3), {}};
  for (const int64_t step : evaluated) {
    if (step >= 1 && step <= 20) own.steps.push_back(step);
    if (step == 1 || step == 2 || step == 5 || step == 10 || step == 20) reference.steps.push_back(step);
    if (step >= 1 && paper.steps.size() < 8) paper.steps.push_back(step);
  }
  return {own, reference, paper};
}

// The control null's p99 at each step over every seed's control runs (each run's alignment with
// its own seed's v_rev), or null without control runs.
Json pooled_control_p99(const SeedResults& results, const std::string& arm) {
  Json p99 = Json::array();
  const char* control = settings::name_of(probe::NullKind::ControlFinetune);
  const Json& first = results.front().arms.at(arm).geometry["nulls"][control];
  if (!first.contains("values")) return Json();
  for (size_t i = 0; i < first["values"].size(); ++i) {
    std::vector<double> pooled;
    for (const SeedResult& r : results)
      for (const Json& v : r.arms.at(arm).geometry["nulls"][control]["values"][i]) pooled.push_back(v);
    std::sort(pooled.begin(), pooled.end());
    p99.push_back(probe::quantile(pooled, 0.99));
  }
  return p99;
}

}  // namespace

Json seed_stats(const std::vector<double>& values) {
  const probe::SeedStats s = probe::summarize(values);
  return {{"mean", s.mean}, {"sd", s.sd}, {"ci95", {s.ci_lo, s.ci_hi}}, {"values", s.values}};
}

Json read_behaviour_series(const std::string& run_dir, const std::vector<std::string>& metrics) {
  Json series = {{"steps", Json::array()}};
  for (const std::string& k : metrics) series[k] = Json::array();
  const std::string path = (std::filesystem::path(run_dir) / kMetricsFile).string();
  for (const Json& line : read_metrics(path)) {
    if (!line.contains("behaviour")) continue;
    series["steps"].push_back(line["step"]);
    for (const std::string& k : metrics) {
      VREV_CHECK(line["behaviour"].contains(k), path, ": step ", line["step"].dump(), " has no metric '", k, "'");
      series[k].push_back(line["behaviour"][k]);
    }
  }
  return series;
}

namespace {

std::string seed_list(const std::vector<int>& seeds) {
  std::string list;
  for (const int seed : seeds) list += (list.empty() ? "" : ", ") + std::to_string(seed);
  return list;
}

}  // namespace

Json summarize_runs(const Config& cfg, const world::World& world, const SeedResults& all, double wall_seconds) {
  const GateOutcome gate = apply_gate(cfg, world, all);
  const SeedResults results = headline_seeds(all, gate);
  const std::vector<std::string> metrics = world.metric_names();
  const std::string reversion = world.metric_roles().reversion;
  const std::vector<world::Phase> history = world.history();
  Json s;
  if (cfg.world.kind == world::WorldKind::safety) {  // the paper's figures are of the safety world's main track
    const std::vector<std::string> differences = main_track_differences(cfg);
    if (differences.empty()) {
      s["paper"] = paper_figures();
      s["reference"] = reference_figures();
    } else {
      s["main_track_differences"] = differences;
    }
  }
  s["seeds"] = Json::array();
  for (const SeedResult& r : results) s["seeds"].push_back(r.seed);
  s[kWallSecondsKey] = wall_seconds;
  for (size_t i = 0; i < history.size(); ++i) {
    Json p;
    for (const std::string& k : metrics) {
      std::vector<double> v;
      for (const SeedResult& r : results) v.push_back(r.history.at(i)[k].get<double>());
      p[k] = seed_stats(v);
    }
    s["phases"][world::phase_outcome_name(history[i])] = p;
  }
  for (const std::string& arm : cfg.reproduce.arms) {
    Json a;
    for (const std::string& k : metrics) {
      std::vector<double> v;
      for (const SeedResult& r : results) v.push_back(r.arms.at(arm).metrics[k].back().get<double>());
      a[k] = seed_stats(v);
    }
    // Per evaluation step: alignment, also split-half (geometry), and the reversion metric (behaviour).
    const Json& steps = results.front().arms.at(arm).geometry["steps"];
    for (size_t i = 0; i < steps.size(); ++i) {
      std::vector<double> align, split_half, reverted;
      for (const SeedResult& r : results) {
        align.push_back(r.arms.at(arm).geometry["alignment"][i].get<double>());
        split_half.push_back(r.arms.at(arm).geometry["split_half_alignment"][i].get<double>());
        reverted.push_back(r.arms.at(arm).metrics[reversion][i].get<double>());
      }
      a["alignment"][steps[i].dump()] = seed_stats(align);
      a["split_half_alignment"][steps[i].dump()] = seed_stats(split_half);
      a[reversion + "_by_step"][steps[i].dump()] = seed_stats(reverted);
    }
    s["arms"][arm] = a;
  }
  // The readout direction (probe/readout.h), where the world has one: cos(v_rev, r) per site, and
  // per arm the drift's alignment with r and with v_rev once r is projected out, per step.
  const bool every_run_has_readout = std::all_of(results.begin(), results.end(), [](const SeedResult& r) {
    return std::all_of(r.arms.begin(), r.arms.end(), [](const auto& arm) { return arm.second.geometry.contains("readout"); });
  });
  if (every_run_has_readout) {
    const Json& first = results.front().arms.begin()->second.geometry;
    const std::vector<std::string> sites = model::site_names(cfg.model.layers);
    VREV_CHECK(first["readout"]["cos_v_rev_per_site"].size() == sites.size(), "geometry: the readout has ",
               first["readout"]["cos_v_rev_per_site"].size(), " sites, the model ", sites.size());
    for (size_t site = 0; site < sites.size(); ++site) {
      std::vector<double> v;
      for (const SeedResult& r : results)
        v.push_back(r.arms.begin()->second.geometry["readout"]["cos_v_rev_per_site"][site].get<double>());
      s["readout"]["cos_v_rev_per_site"][sites[site]] = seed_stats(v);
    }
    for (const std::string& arm : cfg.reproduce.arms) {
      const Json& steps = results.front().arms.at(arm).geometry["steps"];
      for (size_t i = 0; i < steps.size(); ++i)
        for (const char* k : {"alignment", "v_rev_alignment_without_readout"}) {
          std::vector<double> v;
          for (const SeedResult& r : results) v.push_back(r.arms.at(arm).geometry["readout"][k][i].get<double>());
          s["readout"]["arms"][arm][k][steps[i].dump()] = seed_stats(v);
        }
    }
  }
  // Run-step pairs of the plain arm above each null's p99, on each step set.
  const std::string plain = settings::name_of(ArmBlocking::none);
  if (std::find(cfg.reproduce.arms.begin(), cfg.reproduce.arms.end(), plain) != cfg.reproduce.arms.end()) {
    const Json& steps = results.front().arms.at(plain).geometry["steps"];
    const Json control = pooled_control_p99(results, plain);
    if (!control.is_null()) s["control_null"] = {{"runs_per_seed", cfg.reproduce.controls}, {"p99", control}};
    for (const auto& [kind, null] : enum_names(probe::NullKind{})) {
      for (const StepSet& set : step_sets(steps.get<std::vector<int64_t>>(), int(results.size()))) {
        std::vector<double> alignments, thresholds;
        for (int seed = 0; seed < set.seeds; ++seed) {
          const Json& g = results[seed].arms.at(plain).geometry;
          const Json& p99 = g["nulls"][null]["p99"];
          if (!p99.is_array()) continue;
          for (size_t i = 0; i < steps.size(); ++i) {
            const int64_t step = steps[i].get<int64_t>();
            if (std::find(set.steps.begin(), set.steps.end(), step) == set.steps.end()) continue;
            // The control null pools every seed's control runs: one distribution per step.
            thresholds.push_back(kind == probe::NullKind::ControlFinetune ? control[i].get<double>()
                                                                           : p99[i].get<double>());
            alignments.push_back(g["alignment"][i].get<double>());
          }
        }
        Json counts = {{"pairs", alignments.size()},
                       {"above_p99", probe::count_above(alignments, thresholds)},
                       {"seeds", set.seeds},
                       {"steps", set.steps}};
        if (set.name == std::string("vrev")) s["nulls"][null].update(counts);
        s["nulls"][null]["step_sets"][set.name] = counts;
      }
    }
  }
  // The verdicts: over the seeds that pass the gate (the headline), and over every seed.
  const Json paper = s.contains("paper") ? s["paper"] : Json();
  const std::string headline_note =
      gate.passed.empty()
          ? "every seed (" + seed_list(gate.failed) + "): none passes the pretraining gate (" + gate.rule + ")"
      : gate.failed.empty()
          ? "all " + std::to_string(all.size()) + " seeds (" + seed_list(gate.passed) + "), each passing the pretraining gate (" + gate.rule + ")"
          : "the " + std::to_string(gate.passed.size()) + " seeds that pass the pretraining gate (" + gate.rule +
                "): " + seed_list(gate.passed) + "; " + (gate.failed.size() == 1 ? "seed " : "seeds ") +
                seed_list(gate.failed) + (gate.failed.size() == 1 ? " fails it" : " fail it");
  s["gate"] = to_json(gate);
  s["verdicts"] = to_json(build_verdicts(cfg, world, results, paper, headline_note));
  if (!gate.failed.empty() && !gate.passed.empty())
    s["all_seeds"] = {{"verdicts", to_json(build_verdicts(cfg, world, all, paper,
                                                          "all " + std::to_string(all.size()) + " seeds, the gate ignored"))}};
  return s;
}

void write_table_csv(const std::string& path, const Json& s, const world::MetricRoles& roles) {
  std::string csv = "quantity,arm,paper_mean,paper_sd,reference_mean,reference_sd,vrev_mean,vrev_sd,vrev_values\n";
  auto fmt = [](const Json& j, const char* key) { return j.is_object() && j.contains(key) ? j[key].dump() : ""; };
  auto row = [&](const std::string& quantity, const std::string& arm, const Json& paper, const Json& ref,
                 const Json& ours) {
    std::string values;
    if (ours.is_object() && ours.contains("values"))
      for (const Json& v : ours["values"]) values += (values.empty() ? "" : " ") + v.dump();
    csv += quantity + "," + arm + "," + fmt(paper, "mean") + "," + fmt(paper, "sd") + "," + fmt(ref, "mean") + "," +
           fmt(ref, "sd") + "," + fmt(ours, "mean") + "," + fmt(ours, "sd") + "," + values + "\n";
  };
  const Json& arms = s["arms"];
  const Json none;
  const Json& paper = s.contains("paper") ? s["paper"] : none;
  const Json& ref = s.contains("reference") ? s["reference"] : none;
  for (auto it = arms.begin(); it != arms.end(); ++it) {
    const std::string arm = it.key();
    const Json& a = it.value();
    auto at = [&](const std::string& k) {
      return ref.is_object() && ref.contains(k) && ref[k].contains(arm) ? ref[k][arm] : none;
    };
    auto from_paper = [&](const std::string& k) { return paper_figure_of_arm(paper, k, arm); };
    row("alignment_step_1", arm, from_paper("alignment_step_1"), at("alignment_step_1"), a["alignment"].value("1", none));
    row("alignment_step_20", arm, from_paper("alignment_step_20"), at("alignment_step_20"),
        a["alignment"].value("20", none));
    const std::string last = a["alignment"].empty() ? "" : std::prev(a["alignment"].end()).key();
    row("alignment_final", arm, from_paper("alignment_final"), at("alignment_final"), a["alignment"].value(last, none));
    // The paper reports the safety world's reversion metric, harmfulness.
    row(roles.reversion + "_final", arm, from_paper("harmfulness"), at(roles.reversion), a[roles.reversion]);
    for (const std::string& k : roles.companions) row(k + "_final", arm, none, at(k), a[k]);
    for (const std::string& k : roles.task) row(k + "_final", arm, none, at(k), a[k]);
    for (const std::string& k : roles.measures) row(k + "_final", arm, none, at(k), a[k]);
  }
  if (s.contains("nulls"))
    for (auto it = s["nulls"].begin(); it != s["nulls"].end(); ++it)
      csv += "pairs_above_" + it.key() + "_p99," + settings::name_of(ArmBlocking::none) + ",,,,," + it.value()["above_p99"].dump() + ",," +
             it.value()["pairs"].dump() + " pairs\n";
  io::write_text_atomic(path, csv);
}

}  // namespace vrev::experiment
