#pragma once
// The report's verdicts, tested over seeds. Each claim reduces every seed to one number (its
// per-seed summary: e.g. the mean alignment over steps 1-20 minus the null's p99, or an arm
// difference at T), so the unit of evidence is the seed, never the run-step pair. A claim is tested
// by the exact sign test over seeds (or, for the within-seed control null, by Fisher's combination
// of each seed's rank p-value), its mean carries a bootstrap interval over seeds, and the family
// of every verdict in one report is Holm-adjusted. The sentences the report and the README print
// are generated here from those numbers, so the prose cannot drift from the table.
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "core/settings.h"
#include "experiment/config.h"
#include "experiment/seed_result.h"
#include "world/world.h"

namespace vrev::experiment {

// A claim holds when its Holm-adjusted p is below this.
inline constexpr double kVerdictAlpha = 0.05;

enum class VerdictTest { sign, fisher_rank };
constexpr std::array<std::pair<VerdictTest, const char*>, 2> enum_names(VerdictTest) {
  return {{{VerdictTest::sign, "sign test"}, {VerdictTest::fisher_rank, "Fisher over within-seed ranks"}}};
}

// holds: Holm p < alpha, the mean on the claimed side. not_significant: on the claimed side, not
// significant. too_few_seeds: every untied seed agrees, yet the claim could not hold with this
// many in this family (the smallest Holm p, m 2^-n, is at least alpha). does_not_hold: the mean is
// on the other side. not_testable: no untied seed (e.g. both arms at a ceiling).
enum class VerdictOutcome { holds, not_significant, too_few_seeds, does_not_hold, not_testable };
constexpr std::array<std::pair<VerdictOutcome, const char*>, 5> enum_names(VerdictOutcome) {
  return {{{VerdictOutcome::holds, "holds"},
           {VerdictOutcome::not_significant, "not significant"},
           {VerdictOutcome::too_few_seeds, "too few seeds"},
           {VerdictOutcome::does_not_hold, "does not hold"},
           {VerdictOutcome::not_testable, "not testable"}}};
}

struct Verdict {
  std::string claim;     // what is claimed, in words
  std::string paper;     // the paper's figure for it; empty where the paper has none
  std::string quantity;  // what each seed contributes
  int direction = 1;     // the claim: the per-seed values are above (1) or below (-1) zero
  VerdictTest test = VerdictTest::sign;
  std::vector<int> seeds;
  std::vector<double> values;  // the per-seed summary, in seed order
  std::vector<double> seed_p;  // fisher_rank: each seed's rank p-value among its own controls

  // Filled by evaluate() from the above.
  double mean = 0, ci_lo = 0, ci_hi = 0;
  int agreeing = 0, untied = 0;  // seeds on the claimed side; seeds not exactly zero
  double p = 1, p_holm = 1;
  VerdictOutcome outcome = VerdictOutcome::not_testable;
};

// Every verdict of one report: the family Holm adjusts over.
struct VerdictSet {
  std::string seeds_note;  // which seeds these are (e.g. "the 9 seeds that pass the gate")
  std::vector<Verdict> verdicts;
};

// The claims this run's arms and evaluation steps can test, each filled with its per-seed values
// and evaluated. `paper` holds the paper's figures (summary.json's "paper"), or null.
VerdictSet build_verdicts(const Config& cfg, const world::World& world, const SeedResults& results,
                          const settings::Json& paper, const std::string& seeds_note);

// Computes each verdict's statistics from its values, then the family's Holm p and outcomes.
void evaluate(VerdictSet& set);

// "**holds**: 9 of 9 seeds below zero, mean −0.31 [−0.40, −0.22], sign test p = 0.0020, Holm p =
// 0.022 (family of 11)."
std::string verdict_sentence(const Verdict& v, size_t family);
// A Markdown table of the set, then one bullet per claim with its sentence.
std::string verdicts_markdown(const VerdictSet& set);

settings::Json to_json(const VerdictSet& set);
VerdictSet verdicts_from_json(const settings::Json& j);

}  // namespace vrev::experiment
