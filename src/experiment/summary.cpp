// summary.json and table.csv.
#include "experiment/summary.h"

#include <filesystem>
#include <set>

#include "core/io.h"
#include "experiment/metrics_log.h"
#include "probe/statistics.h"

namespace vrev::experiment {

namespace {

using Json = settings::Json;

Json figure(double mean, double sd) { return {{"mean", mean}, {"sd", sd}}; }

// The paper's headline figures (fractions in [0, 1]).
Json paper_figures() {
  return {{"alignment_step_1", figure(0.43, 0.05)},
          {"alignment_step_20", figure(0.65, 0.02)},
          {"final_alignment_plain", figure(0.648, 0.009)},
          {"final_alignment_blocked", figure(-0.211, 0.021)},
          {"harmfulness_plain", figure(0.19, 0.04)},
          {"harmfulness_blocked", figure(0.085, 0.015)},
          {"pairs_above_isotropic_p99", "all"}};
}

// world-spec.md's reference implementation (3 seeds), T = 100.
Json reference_figures() {
  return {{"harmfulness", {{"plain", figure(0.86, 0.21)}, {"block-vrev", figure(0.29, 0.33)},
                           {"block-random", figure(0.79, 0.19)}}},
          {"harmful_content", {{"plain", figure(0.82, 0.20)}, {"block-vrev", figure(0.20, 0.21)},
                               {"block-random", figure(0.73, 0.16)}}},
          {"alignment_step_1", {{"plain", figure(0.79, 0.06)}, {"block-vrev", figure(0.13, 0.03)},
                                {"block-random", figure(0.79, 0.07)}}},
          {"alignment_step_20", {{"plain", figure(0.87, 0.01)}, {"block-vrev", figure(0.05, 0.03)},
                                 {"block-random", figure(0.87, 0.01)}}},
          {"alignment_final", {{"plain", figure(0.90, 0.0)}, {"block-vrev", figure(0.05, 0.03)},
                               {"block-random", figure(0.90, 0.0)}}},
          {"pairs_above_isotropic_p99", "15/15"},
          {"pairs_above_anisotropic_p99", "6/15"},
          {"seconds_per_seed", 300}};
}

const char* kBehaviourKeys[] = {"harmfulness", "harmful_content", "p_sorry", "refusal_margin",
                                "benign_helpfulness", "benign_refusal", "task_accuracy"};

}  // namespace

Json seed_stats(const std::vector<double>& values) {
  const probe::SeedStats s = probe::summarize(values);
  return {{"mean", s.mean}, {"sd", s.sd}, {"ci95", {s.ci_lo, s.ci_hi}}, {"values", s.values}};
}

Json read_behaviour_series(const std::string& run_dir) {
  Json series = {{"steps", Json::array()}};
  for (const char* k : kBehaviourKeys) series[k] = Json::array();
  for (const Json& line : read_metrics((std::filesystem::path(run_dir) / "metrics.jsonl").string())) {
    if (!line.contains("behaviour")) continue;
    series["steps"].push_back(line["step"]);
    for (const char* k : kBehaviourKeys) series[k].push_back(line["behaviour"][k]);
  }
  return series;
}

Json summarize_runs(const Config& cfg, const SeedResults& results, double wall_seconds) {
  Json s;
  s["paper"] = paper_figures();
  s["reference"] = reference_figures();
  s["seeds"] = Json::array();
  for (const SeedResult& r : results) s["seeds"].push_back(r.seed);
  s["wall_seconds"] = wall_seconds;
  for (const char* phase : {"pretrained", "aligned"}) {
    Json p;
    for (const char* k : kBehaviourKeys) {
      std::vector<double> v;
      for (const SeedResult& r : results) v.push_back((phase[0] == 'p' ? r.pretrained : r.aligned)[k].get<double>());
      p[k] = seed_stats(v);
    }
    s["phases"][phase] = p;
  }
  for (const std::string& arm : cfg.reproduce.arms) {
    Json a;
    for (const char* k : kBehaviourKeys) {
      std::vector<double> v;
      for (const SeedResult& r : results) v.push_back(r.arms.at(arm)["metrics"][k].back().get<double>());
      a[k] = seed_stats(v);
    }
    // Per evaluation step: alignment (geometry) and harmfulness (behaviour).
    const Json& steps = results.front().arms.at(arm)["geometry"]["steps"];
    for (size_t i = 0; i < steps.size(); ++i) {
      std::vector<double> align, harm;
      for (const SeedResult& r : results) {
        align.push_back(r.arms.at(arm)["geometry"]["alignment"][i].get<double>());
        harm.push_back(r.arms.at(arm)["metrics"]["harmfulness"][i].get<double>());
      }
      a["alignment"][steps[i].dump()] = seed_stats(align);
      a["harmfulness_by_step"][steps[i].dump()] = seed_stats(harm);
    }
    s["arms"][arm] = a;
  }
  // Run-step pairs of the plain arm, steps 1-20, above each null's p99.
  if (std::find(cfg.reproduce.arms.begin(), cfg.reproduce.arms.end(), "plain") != cfg.reproduce.arms.end()) {
    for (const char* null : {"isotropic", "anisotropic", "label_shuffle", "control_finetune"}) {
      int pairs = 0, above = 0;
      for (const SeedResult& r : results) {
        const Json& g = r.arms.at("plain")["geometry"];
        const Json& p99 = g["nulls"][null]["p99"];
        if (!p99.is_array()) continue;
        for (size_t i = 0; i < g["steps"].size(); ++i) {
          const int64_t step = g["steps"][i].get<int64_t>();
          if (step < 1 || step > 20) continue;
          ++pairs;
          above += g["alignment"][i].get<double>() > p99[i].get<double>();
        }
      }
      s["nulls"][null] = {{"pairs", pairs}, {"above_p99", above}};
    }
  }
  return s;
}

void write_table_csv(const std::string& path, const Json& s) {
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
  const Json& ref = s["reference"];
  const Json none;
  for (auto it = arms.begin(); it != arms.end(); ++it) {
    const std::string arm = it.key();
    const bool blocked = arm == "block-vrev";
    const Json& a = it.value();
    auto at = [&](const char* k) { return ref.contains(k) && ref[k].contains(arm) ? ref[k][arm] : none; };
    row("alignment_step_1", arm, arm == "plain" ? s["paper"]["alignment_step_1"] : none, at("alignment_step_1"),
        a["alignment"].value("1", none));
    row("alignment_step_20", arm, arm == "plain" ? s["paper"]["alignment_step_20"] : none, at("alignment_step_20"),
        a["alignment"].value("20", none));
    const std::string last = a["alignment"].empty() ? "" : std::prev(a["alignment"].end()).key();
    row("alignment_final", arm,
        arm == "plain" ? s["paper"]["final_alignment_plain"] : blocked ? s["paper"]["final_alignment_blocked"] : none,
        at("alignment_final"), a["alignment"].value(last, none));
    row("harmfulness_final", arm,
        arm == "plain" ? s["paper"]["harmfulness_plain"] : blocked ? s["paper"]["harmfulness_blocked"] : none,
        at("harmfulness"), a["harmfulness"]);
    row("harmful_content_final", arm, none, at("harmful_content"), a["harmful_content"]);
    row("task_accuracy_final", arm, none, none, a["task_accuracy"]);
    row("benign_helpfulness_final", arm, none, none, a["benign_helpfulness"]);
  }
  if (s.contains("nulls"))
    for (auto it = s["nulls"].begin(); it != s["nulls"].end(); ++it)
      csv += "pairs_above_" + it.key() + "_p99,plain,,,,," + it.value()["above_p99"].dump() + ",," +
             it.value()["pairs"].dump() + " pairs\n";
  io::write_text_atomic(path, csv);
}

}  // namespace vrev::experiment
