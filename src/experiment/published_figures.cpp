// The paper's and the reference implementation's figures.
#include "experiment/published_figures.h"

#include "experiment/arm.h"

namespace vrev::experiment {

using Json = settings::Json;

namespace {

Json figure(double mean, double sd) { return {{"mean", mean}, {"sd", sd}}; }

}  // namespace

// The paper's headline figures (fractions in [0, 1]).
Json paper_figures() {
  return {{"alignment_step_1", figure(0.43, 0.05)},
          {"alignment_step_20", figure(0.65, 0.02)},
          {"final_alignment_plain", figure(0.648, 0.009)},
          {"final_alignment_blocked", figure(-0.211, 0.021)},
          {"harmfulness_plain", figure(0.19, 0.04)},
          {"harmfulness_blocked", figure(0.085, 0.015)},
          {"pairs_above_isotropic_p99", "all"},
          {"task_cost", "little cost"}};
}

// An independent reference implementation of the safety world (3 seeds), T = 100.
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
          {"harmfulness_history", "100% / 0%"},
          {"task_accuracy", "100%"},
          {"seeds", 3},
          {"seconds_per_seed", 300}};
}

const Json& paper_figure_of_arm(const Json& paper, const std::string& quantity, const std::string& arm) {
  static const Json none;
  if (!paper.is_object()) return none;
  const bool plain = arm == settings::name_of(ArmBlocking::none), blocked = arm == settings::name_of(ArmBlocking::vrev);
  std::string key;
  if (quantity == "alignment_step_1" || quantity == "alignment_step_20") key = plain ? quantity : "";
  if (quantity == "alignment_final") key = plain ? "final_alignment_plain" : blocked ? "final_alignment_blocked" : "";
  if (quantity == "harmfulness") key = plain ? "harmfulness_plain" : blocked ? "harmfulness_blocked" : "";
  return key.empty() || !paper.contains(key) ? none : paper[key];
}

}  // namespace vrev::experiment
