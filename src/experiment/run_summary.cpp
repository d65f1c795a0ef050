// summary.json written from a RunSummary and read back into one, key by key in the file's order.
#include "experiment/run_summary.h"

#include <charconv>

#include "core/error.h"
#include "core/io.h"

namespace vrev::experiment {

namespace {

using Json = settings::Json;

constexpr const char* kByStepSuffix = "_by_step";

Json json_of(const StatsByStep& by_step) {
  Json j = Json::object();
  for (const auto& [step, stats] : by_step) j[std::to_string(step)] = to_json(stats);
  return j;
}

template <class T, class Write>
Json json_of(const Named<T>& named, Write write) {
  Json j = Json::object();
  for (const auto& [name, value] : named.entries) j[name] = write(value);
  return j;
}

Json json_of(const Named<probe::SeedStats>& named) {
  return json_of(named, [](const probe::SeedStats& s) { return to_json(s); });
}

Json json_of(const ArmSummary& arm) {
  Json j = json_of(arm.final_metrics);
  // A step's three entries are written together, so an arm without steps has none of the keys.
  if (!arm.alignment.empty()) {
    j["alignment"] = json_of(arm.alignment);
    j["split_half_alignment"] = json_of(arm.split_half_alignment);
    j[arm.reversion_metric + kByStepSuffix] = json_of(arm.reversion_by_step);
  }
  return j;
}

Json json_of(const ReadoutSummary& readout) {
  Json j = {{"cos_v_rev_per_site", json_of(readout.cos_v_rev_per_site)}};
  // An arm enters with its first evaluation step.
  for (const auto& [arm, a] : readout.arms.entries) {
    if (a.alignment.empty()) continue;
    j["arms"][arm] = {{"alignment", json_of(a.alignment)},
                      {"v_rev_alignment_without_readout", json_of(a.v_rev_alignment_without_readout)}};
  }
  return j;
}

Json json_of(const NullCounts& c) {
  return {{"pairs", c.pairs}, {"above_p99", c.above_p99}, {"seeds", c.seeds}, {"steps", c.steps}};
}

Json json_of(const NullSummary& null) {
  Json j = json_of(null.headline());
  for (const auto& [set, counts] : null.step_sets) j["step_sets"][settings::name_of(set)] = json_of(counts);
  return j;
}

probe::SeedStats stats_from_json(const Json& j) {
  probe::SeedStats s;
  s.mean = j.at("mean").get<double>();
  s.sd = j.at("sd").get<double>();
  s.ci_lo = j.at("ci95").at(0).get<double>();
  s.ci_hi = j.at("ci95").at(1).get<double>();
  s.values = j.at("values").get<std::vector<double>>();
  return s;
}

StatsByStep by_step_from_json(const Json& j) {
  StatsByStep by_step;
  for (const auto& [key, stats] : j.items()) {
    int64_t step = -1;
    const auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), step);
    VREV_CHECK(error == std::errc() && end == key.data() + key.size() && step >= 0, "'", key,
               "' is not a step number");
    by_step[step] = stats_from_json(stats);
  }
  return by_step;
}

Named<probe::SeedStats> named_stats_from_json(const Json& j) {
  Named<probe::SeedStats> named;
  for (const auto& [name, stats] : j.items()) named.add(name) = stats_from_json(stats);
  return named;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

ArmSummary arm_from_json(const Json& j) {
  ArmSummary arm;
  for (const auto& [key, value] : j.items()) {
    if (key == "alignment") {
      arm.alignment = by_step_from_json(value);
    } else if (key == "split_half_alignment") {
      arm.split_half_alignment = by_step_from_json(value);
    } else if (ends_with(key, kByStepSuffix)) {
      arm.reversion_metric = key.substr(0, key.size() - std::string(kByStepSuffix).size());
      arm.reversion_by_step = by_step_from_json(value);
    } else {
      arm.final_metrics.add(key) = stats_from_json(value);
    }
  }
  return arm;
}

ReadoutSummary readout_from_json(const Json& j) {
  ReadoutSummary readout;
  readout.cos_v_rev_per_site = named_stats_from_json(j.at("cos_v_rev_per_site"));
  if (j.contains("arms"))
    for (const auto& [arm, value] : j["arms"].items())
      readout.arms.add(arm) = {by_step_from_json(value.at("alignment")),
                               by_step_from_json(value.at("v_rev_alignment_without_readout"))};
  return readout;
}

NullCounts counts_from_json(const Json& j) {
  return {j.at("pairs").get<int64_t>(), j.at("above_p99").get<int64_t>(), j.at("seeds").get<int>(),
          j.at("steps").get<std::vector<int64_t>>()};
}

NullSummary null_from_json(const Json& j) {
  NullSummary null;
  for (const auto& [set, counts] : j.at("step_sets").items())
    null.step_sets[settings::parse_name<StepSet>(set, "step set")] = counts_from_json(counts);
  VREV_CHECK(null.step_sets.count(StepSet::own), "no '", settings::name_of(StepSet::own), "' step set");
  return null;
}

GateOutcome gate_from_json(const Json& j) {
  return {j.at("rule").get<std::string>(), j.at("passed").get<std::vector<int>>(),
          j.at("failed").get<std::vector<int>>(), j.at("failed_values").get<std::vector<double>>()};
}

}  // namespace

const probe::SeedStats* last_step(const StatsByStep& by_step) {
  return by_step.empty() ? nullptr : &by_step.rbegin()->second;
}

const probe::SeedStats* at_step(const StatsByStep& by_step, int64_t step) {
  const auto it = by_step.find(step);
  return it == by_step.end() ? nullptr : &it->second;
}

Json to_json(const probe::SeedStats& s) {
  return {{"mean", s.mean}, {"sd", s.sd}, {"ci95", {s.ci_lo, s.ci_hi}}, {"values", s.values}};
}

Json to_json(const RunSummary& s) {
  Json j = Json::object();
  if (!s.paper.is_null()) j["paper"] = s.paper;
  if (!s.reference.is_null()) j["reference"] = s.reference;
  if (!s.main_track_differences.empty()) j["main_track_differences"] = s.main_track_differences;
  j["seeds"] = s.seeds;
  j[kWallSecondsKey] = s.wall_seconds;
  if (!s.phases.empty())
    j["phases"] = json_of(s.phases, [](const Named<probe::SeedStats>& metrics) { return json_of(metrics); });
  if (!s.arms.empty()) j["arms"] = json_of(s.arms, [](const ArmSummary& a) { return json_of(a); });
  if (s.readout) j["readout"] = json_of(*s.readout);
  if (s.control_null) j["control_null"] = {{"runs_per_seed", s.control_null->runs_per_seed}, {"p99", s.control_null->p99}};
  for (const auto& [kind, null] : s.nulls) j["nulls"][settings::name_of(kind)] = json_of(null);
  j["gate"] = to_json(s.gate);
  j["verdicts"] = to_json(s.verdicts);
  if (s.all_seeds_verdicts) j["all_seeds"] = {{"verdicts", to_json(*s.all_seeds_verdicts)}};
  j[kTrainingSecondsKey] = s.training_seconds;
  return j;
}

RunSummary run_summary_from_json(const Json& j) {
  RunSummary s;
  try {
    VREV_CHECK(j.is_object(), "not a JSON object");
    s.paper = j.value("paper", Json());
    s.reference = j.value("reference", Json());
    if (j.contains("main_track_differences"))
      s.main_track_differences = j["main_track_differences"].get<std::vector<std::string>>();
    s.seeds = j.at("seeds").get<std::vector<int>>();
    s.wall_seconds = j.at(kWallSecondsKey).get<double>();
    s.training_seconds = j.at(kTrainingSecondsKey).get<double>();
    if (j.contains("phases"))
      for (const auto& [phase, metrics] : j["phases"].items()) s.phases.add(phase) = named_stats_from_json(metrics);
    if (j.contains("arms"))
      for (const auto& [arm, value] : j["arms"].items()) s.arms.add(arm) = arm_from_json(value);
    if (j.contains("readout")) s.readout = readout_from_json(j["readout"]);
    if (j.contains("control_null"))
      s.control_null = ControlNullSummary{j["control_null"].at("runs_per_seed").get<int>(),
                                          j["control_null"].at("p99").get<std::vector<double>>()};
    if (j.contains("nulls"))
      for (const auto& [name, null] : j["nulls"].items())
        s.nulls[settings::parse_name<probe::NullKind>(name, "null")] = null_from_json(null);
    s.gate = gate_from_json(j.at("gate"));
    s.verdicts = verdicts_from_json(j.at("verdicts"));
    if (j.contains("all_seeds")) s.all_seeds_verdicts = verdicts_from_json(j["all_seeds"].at("verdicts"));
  } catch (const Json::exception& e) {
    VREV_FAIL("summary: ", e.what());
  }
  return s;
}

RunSummary read_run_summary(const std::string& path) {
  const std::string text = io::read_text(path);
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception& e) {
    VREV_FAIL(path, ": ", e.what());
  }
  return run_summary_from_file(j, path);
}

RunSummary run_summary_from_file(const Json& j, const std::string& path) {
  try {
    return run_summary_from_json(j);
  } catch (const std::exception& e) {
    VREV_FAIL(path, ": ", e.what(), " (vrev reads the summary.json its own version writes: `vrev reproduce` on the "
              "run's directory writes it again from the finished runs)");
  }
}

}  // namespace vrev::experiment
