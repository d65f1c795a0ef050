#pragma once
// summary.json as types. summarize_runs (summary.h) fills a RunSummary from the seeds' runs;
// table.csv, report.md, `vrev compare`, `vrev sweep` and `vrev verdicts` read one. to_json writes
// summary.json and run_summary_from_json reads it back; each inverts the other byte for byte, so
// the file keeps its layout (and its published digests) while the code reads fields, not keys.
//
// Entries keep the order they were measured in (arms as configured, metrics as the world lists
// them, phases in history order, sites from the embedding up), which is the order summary.json
// holds them in.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/settings.h"
#include "experiment/seed_gate.h"
#include "experiment/verdicts.h"
#include "probe/nulls.h"
#include "probe/statistics.h"

namespace vrev::experiment {

// Named entries in measured order, looked up by name.
template <class T>
struct Named {
  std::vector<std::pair<std::string, T>> entries;

  T& add(const std::string& name) { return entries.emplace_back(name, T{}).second; }
  const T* find(const std::string& name) const {
    for (const auto& [key, value] : entries)
      if (key == name) return &value;
    return nullptr;
  }
  bool empty() const { return entries.empty(); }
};

// One quantity over seeds at each evaluation step (steps ascend).
using StatsByStep = std::map<int64_t, probe::SeedStats>;

// The last evaluation step's entry, or null when there is none.
const probe::SeedStats* last_step(const StatsByStep& by_step);
// The entry at `step`, or null when that step was not evaluated.
const probe::SeedStats* at_step(const StatsByStep& by_step, int64_t step);

// One fine-tuning arm over the headline seeds.
struct ArmSummary {
  Named<probe::SeedStats> final_metrics;  // every behaviour metric at T
  StatsByStep alignment;                  // cos(drift, v_rev) at the probe site
  StatsByStep split_half_alignment;       // v_rev from half the probe prompts, drift on the other half
  std::string reversion_metric;           // the world's reversion metric, by step below
  StatsByStep reversion_by_step;
};

// The readout direction r (probe/readout.h), where the world has one.
struct ReadoutSummary {
  struct Arm {
    StatsByStep alignment;                        // cos(drift, r)
    StatsByStep v_rev_alignment_without_readout;  // cos(drift, v_rev), r projected out of both
  };
  Named<probe::SeedStats> cos_v_rev_per_site;  // by site name
  Named<Arm> arms;
};

// The step sets the nulls' counts are reported on (summary.cpp says which steps each holds).
enum class StepSet { own, reference, paper };
constexpr std::array<std::pair<StepSet, const char*>, 3> enum_names(StepSet) {
  return {{{StepSet::own, "vrev"}, {StepSet::reference, "reference"}, {StepSet::paper, "paper"}}};
}

// Run-step pairs of the plain arm whose alignment is above a null's p99, on one step set.
struct NullCounts {
  int64_t pairs = 0;
  int64_t above_p99 = 0;
  int seeds = 0;
  std::vector<int64_t> steps;
};

// One null's counts on every step set; vrev's own set is the headline count.
struct NullSummary {
  std::map<StepSet, NullCounts> step_sets;
  const NullCounts& headline() const { return step_sets.at(StepSet::own); }
};

// The control null pools every seed's control runs: one p99 per evaluation step.
struct ControlNullSummary {
  int runs_per_seed = 0;
  std::vector<double> p99;
};

// The keys of summary.json that record time (this invocation's, and the runs' own): the only
// values in it that differ between two runs of the same settings.
inline constexpr const char* kWallSecondsKey = "wall_seconds";
inline constexpr const char* kTrainingSecondsKey = "training_seconds";

struct RunSummary {
  // The published figures (published_figures.h): only on the safety world's main track; a safety
  // run off it lists the settings that differ instead. Both empty for the other worlds.
  settings::Json paper, reference;
  std::vector<std::string> main_track_differences;
  std::vector<int> seeds;  // the headline seeds: those that pass the pretraining gate
  double wall_seconds = 0;
  double training_seconds = 0;  // every phase and run, summed over units (reproduce sets it)
  Named<Named<probe::SeedStats>> phases;  // by phase outcome name, then metric
  Named<ArmSummary> arms;
  std::optional<ReadoutSummary> readout;
  std::optional<ControlNullSummary> control_null;
  std::map<probe::NullKind, NullSummary> nulls;  // empty without the plain arm
  GateOutcome gate;
  VerdictSet verdicts;                         // over the headline seeds
  std::optional<VerdictSet> all_seeds_verdicts;  // over every seed, when the gate left some out
};

// {"mean", "sd", "ci95", "values"}.
settings::Json to_json(const probe::SeedStats& stats);
settings::Json to_json(const RunSummary& summary);
// The error names the first key that is missing or of the wrong type.
RunSummary run_summary_from_json(const settings::Json& j);
// The summary.json at `path`, already parsed as `j`; the error names the file and how to write it
// again.
RunSummary run_summary_from_file(const settings::Json& j, const std::string& path);
// Reads a summary.json; the error names the file.
RunSummary read_run_summary(const std::string& path);

}  // namespace vrev::experiment
