// The run's summary over seeds, and table.csv.
#include "experiment/summary.h"

#include <algorithm>

#include "core/io.h"
#include "experiment/arm.h"
#include "experiment/main_track.h"
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
struct StepSetSteps {
  StepSet set;
  int seeds;
  std::vector<int64_t> steps;
};

std::vector<StepSetSteps> step_sets(const std::vector<int64_t>& evaluated, int seeds) {
  StepSetSteps own{StepSet::own, seeds, {}}, reference{StepSet::reference, std::min(seeds, 3), {}},
      paper{StepSet::paper, std::min(seeds, 3), {}};
  for (const int64_t step : evaluated) {
    if (step >= 1 && step <= 20) own.steps.push_back(step);
    if (step == 1 || step == 2 || step == 5 || step == 10 || step == 20) reference.steps.push_back(step);
    if (step >= 1 && paper.steps.size() < 8) paper.steps.push_back(step);
  }
  return {own, reference, paper};
}

// The control null's p99 at each step over every seed's control runs (each run's alignment with
// its own seed's v_rev); empty without control runs.
std::vector<double> pooled_control_p99(const SeedResults& results, const std::string& arm) {
  std::vector<double> p99;
  const char* control = settings::name_of(probe::NullKind::ControlFinetune);
  const Json& first = results.front().arms.at(arm).geometry["nulls"][control];
  if (!first.contains("values")) return p99;
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

namespace {

std::string seed_list(const std::vector<int>& seeds) {
  std::string list;
  for (const int seed : seeds) list += (list.empty() ? "" : ", ") + std::to_string(seed);
  return list;
}

}  // namespace

RunSummary summarize_runs(const Config& cfg, const world::World& world, const SeedResults& all, double wall_seconds) {
  const GateOutcome gate = apply_gate(cfg, world, all);
  const SeedResults results = headline_seeds(all, gate);
  const std::vector<std::string> metrics = world.metric_names();
  const std::string reversion = world.metric_roles().reversion;
  const std::vector<world::Phase> history = world.history();
  auto over_seeds = [&](auto value_of) {
    std::vector<double> v;
    for (const SeedResult& r : results) v.push_back(value_of(r));
    return probe::summarize(v);
  };
  RunSummary s;
  if (cfg.world.kind == world::WorldKind::safety) {  // the paper's figures are of the safety world's main track
    s.main_track_differences = main_track_differences(cfg);
    if (s.main_track_differences.empty()) {
      s.paper = paper_figures();
      s.reference = reference_figures();
    }
  }
  for (const SeedResult& r : results) s.seeds.push_back(r.seed);
  s.wall_seconds = wall_seconds;
  for (size_t i = 0; i < history.size(); ++i) {
    Named<probe::SeedStats>& phase = s.phases.add(world::phase_outcome_name(history[i]));
    for (const std::string& k : metrics)
      phase.add(k) = over_seeds([&](const SeedResult& r) { return r.history.at(i)[k].get<double>(); });
  }
  for (const std::string& arm : cfg.reproduce.arms) {
    ArmSummary& a = s.arms.add(arm);
    for (const std::string& k : metrics)
      a.final_metrics.add(k) = over_seeds([&](const SeedResult& r) { return r.arms.at(arm).metrics[k].back().get<double>(); });
    // Per evaluation step: alignment, also split-half (geometry), and the reversion metric (behaviour).
    a.reversion_metric = reversion;
    const Json& steps = results.front().arms.at(arm).geometry["steps"];
    for (size_t i = 0; i < steps.size(); ++i) {
      const int64_t step = steps[i].get<int64_t>();
      auto geometry = [&](const char* key) {
        return over_seeds([&](const SeedResult& r) { return r.arms.at(arm).geometry[key][i].get<double>(); });
      };
      a.alignment[step] = geometry("alignment");
      a.split_half_alignment[step] = geometry("split_half_alignment");
      a.reversion_by_step[step] = over_seeds([&](const SeedResult& r) { return r.arms.at(arm).metrics[reversion][i].get<double>(); });
    }
  }
  // The readout direction (probe/readout.h), where the world has one: cos(v_rev, r) per site, and
  // per arm the drift's alignment with r and with v_rev once r is projected out, per step.
  const bool every_run_has_readout = std::all_of(results.begin(), results.end(), [](const SeedResult& r) {
    return std::all_of(r.arms.begin(), r.arms.end(), [](const auto& arm) { return arm.second.geometry.contains("readout"); });
  });
  if (every_run_has_readout) {
    ReadoutSummary& readout = s.readout.emplace();
    const Json& first = results.front().arms.begin()->second.geometry;
    const std::vector<std::string> sites = model::site_names(cfg.model.layers);
    VREV_CHECK(first["readout"]["cos_v_rev_per_site"].size() == sites.size(), "geometry: the readout has ",
               first["readout"]["cos_v_rev_per_site"].size(), " sites, the model ", sites.size());
    for (size_t site = 0; site < sites.size(); ++site)
      readout.cos_v_rev_per_site.add(sites[site]) = over_seeds([&](const SeedResult& r) {
        return r.arms.begin()->second.geometry["readout"]["cos_v_rev_per_site"][site].get<double>();
      });
    for (const std::string& arm : cfg.reproduce.arms) {
      ReadoutSummary::Arm& a = readout.arms.add(arm);
      const Json& steps = results.front().arms.at(arm).geometry["steps"];
      for (size_t i = 0; i < steps.size(); ++i) {
        auto along = [&](const char* key) {
          return over_seeds([&](const SeedResult& r) { return r.arms.at(arm).geometry["readout"][key][i].get<double>(); });
        };
        a.alignment[steps[i].get<int64_t>()] = along("alignment");
        a.v_rev_alignment_without_readout[steps[i].get<int64_t>()] = along("v_rev_alignment_without_readout");
      }
    }
  }
  // Run-step pairs of the plain arm above each null's p99, on each step set.
  const std::string plain = settings::name_of(ArmBlocking::none);
  if (std::find(cfg.reproduce.arms.begin(), cfg.reproduce.arms.end(), plain) != cfg.reproduce.arms.end()) {
    const Json& steps = results.front().arms.at(plain).geometry["steps"];
    const std::vector<double> control = pooled_control_p99(results, plain);
    if (!control.empty()) s.control_null = ControlNullSummary{cfg.reproduce.controls, control};
    for (const auto& [kind, null] : enum_names(probe::NullKind{})) {
      for (const StepSetSteps& set : step_sets(steps.get<std::vector<int64_t>>(), int(results.size()))) {
        std::vector<double> alignments, thresholds;
        for (int seed = 0; seed < set.seeds; ++seed) {
          const Json& g = results[seed].arms.at(plain).geometry;
          const Json& p99 = g["nulls"][null]["p99"];
          if (!p99.is_array()) continue;
          for (size_t i = 0; i < steps.size(); ++i) {
            const int64_t step = steps[i].get<int64_t>();
            if (std::find(set.steps.begin(), set.steps.end(), step) == set.steps.end()) continue;
            // The control null pools every seed's control runs: one distribution per step.
            thresholds.push_back(kind == probe::NullKind::ControlFinetune ? control[i] : p99[i].get<double>());
            alignments.push_back(g["alignment"][i].get<double>());
          }
        }
        s.nulls[kind].step_sets[set.set] = {int64_t(alignments.size()), probe::count_above(alignments, thresholds),
                                            set.seeds, set.steps};
      }
    }
  }
  // The verdicts: over the seeds that pass the gate (the headline), and over every seed.
  const std::string headline_note =
      gate.passed.empty()
          ? "every seed (" + seed_list(gate.failed) + "): none passes the pretraining gate (" + gate.rule + ")"
      : gate.failed.empty()
          ? "all " + std::to_string(all.size()) + " seeds (" + seed_list(gate.passed) + "), each passing the pretraining gate (" + gate.rule + ")"
          : "the " + std::to_string(gate.passed.size()) + " seeds that pass the pretraining gate (" + gate.rule +
                "): " + seed_list(gate.passed) + "; " + (gate.failed.size() == 1 ? "seed " : "seeds ") +
                seed_list(gate.failed) + (gate.failed.size() == 1 ? " fails it" : " fail it");
  s.gate = gate;
  s.verdicts = build_verdicts(cfg, world, results, s.paper, headline_note);
  if (!gate.failed.empty() && !gate.passed.empty())
    s.all_seeds_verdicts = build_verdicts(cfg, world, all, s.paper, "all " + std::to_string(all.size()) + " seeds, the gate ignored");
  return s;
}

void write_table_csv(const std::string& path, const RunSummary& s, const world::MetricRoles& roles) {
  std::string csv = "quantity,arm,paper_mean,paper_sd,reference_mean,reference_sd,vrev_mean,vrev_sd,vrev_values\n";
  auto published = [](const Json& j) {
    auto field = [&](const char* key) { return j.is_object() && j.contains(key) ? j[key].dump() : ""; };
    return field("mean") + "," + field("sd");
  };
  auto row = [&](const std::string& quantity, const std::string& arm, const Json& paper, const Json& ref,
                 const probe::SeedStats* ours) {
    std::string measured = ",,";
    if (ours) {
      measured = Json(ours->mean).dump() + "," + Json(ours->sd).dump() + ",";
      for (size_t i = 0; i < ours->values.size(); ++i) measured += (i ? " " : "") + Json(ours->values[i]).dump();
    }
    csv += quantity + "," + arm + "," + published(paper) + "," + published(ref) + "," + measured + "\n";
  };
  const Json none;
  for (const auto& entry : s.arms.entries) {
    const std::string& arm = entry.first;  // named, not bound: the lambdas below capture it
    const ArmSummary& a = entry.second;
    auto from_reference = [&](const std::string& k) {
      return s.reference.is_object() && s.reference.contains(k) && s.reference[k].contains(arm) ? s.reference[k][arm] : none;
    };
    auto from_paper = [&](const std::string& k) { return paper_figure_of_arm(s.paper, k, arm); };
    row("alignment_step_1", arm, from_paper("alignment_step_1"), from_reference("alignment_step_1"), at_step(a.alignment, 1));
    row("alignment_step_20", arm, from_paper("alignment_step_20"), from_reference("alignment_step_20"),
        at_step(a.alignment, 20));
    row("alignment_final", arm, from_paper("alignment_final"), from_reference("alignment_final"), last_step(a.alignment));
    // The paper reports the safety world's reversion metric, harmfulness.
    row(roles.reversion + "_final", arm, from_paper("harmfulness"), from_reference(roles.reversion),
        a.final_metrics.find(roles.reversion));
    for (const std::vector<std::string>* group : {&roles.companions, &roles.task, &roles.measures})
      for (const std::string& k : *group) row(k + "_final", arm, none, from_reference(k), a.final_metrics.find(k));
  }
  for (const auto& [kind, null] : s.nulls)
    csv += std::string("pairs_above_") + settings::name_of(kind) + "_p99," + settings::name_of(ArmBlocking::none) +
           ",,,,," + std::to_string(null.headline().above_p99) + ",," + std::to_string(null.headline().pairs) + " pairs\n";
  io::write_text_atomic(path, csv);
}

}  // namespace vrev::experiment
