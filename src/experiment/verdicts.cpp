// The report's claims, each reduced to one number per seed and tested over seeds.
#include "experiment/verdicts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "experiment/arm.h"
#include "probe/nulls.h"
#include "probe/statistics.h"

namespace vrev::experiment {

using Json = settings::Json;

namespace {

// The steps the paper's early claims are about.
constexpr int64_t kFirstEarlyStep = 1, kLastEarlyStep = 20;

std::string format(const char* spec, double x) {
  char b[48];
  std::snprintf(b, sizeof b, spec, x);
  return b;
}

// Indices of the evaluation steps in [1, 20] of a geometry's "steps".
std::vector<size_t> early_steps(const Json& geometry) {
  std::vector<size_t> early;
  for (size_t i = 0; i < geometry["steps"].size(); ++i) {
    const int64_t step = geometry["steps"][i].get<int64_t>();
    if (step >= kFirstEarlyStep && step <= kLastEarlyStep) early.push_back(i);
  }
  return early;
}

// j[key], or null where j has no such member.
const Json& member(const Json& j, const std::string& key) {
  static const Json none;
  return j.is_object() && j.contains(key) ? j[key] : none;
}

std::optional<double> at_step(const Json& geometry, const char* key, int64_t step) {
  for (size_t i = 0; i < geometry["steps"].size(); ++i)
    if (geometry["steps"][i].get<int64_t>() == step) return geometry[key][i].get<double>();
  return std::nullopt;
}

double mean_over(const std::vector<double>& v) {
  double sum = 0;
  for (const double x : v) sum += x;
  return sum / double(v.size());
}

// The paper's figure `key` as text, or empty without the paper's figures.
std::string paper_figure(const Json& paper, const char* key, bool percent) {
  if (!paper.is_object() || !paper.contains(key)) return "";
  const Json& f = paper[key];
  if (f.is_string()) return f.get<std::string>();
  const double mean = f["mean"].get<double>();
  return percent ? format("%.1f%%", 100 * mean) : format("%.2f", mean);
}

const Json& geometry(const SeedResult& r, const std::string& arm) { return r.arms.at(arm).geometry; }

double final_metric(const SeedResult& r, const std::string& arm, const std::string& metric) {
  return r.arms.at(arm).metrics[metric].back().get<double>();
}

}  // namespace

VerdictSet build_verdicts(const Config& cfg, const world::World& world, const SeedResults& results,
                          const Json& paper, const std::string& seeds_note) {
  VerdictSet set;
  set.seeds_note = seeds_note;
  if (results.empty()) return set;
  const world::MetricRoles roles = world.metric_roles();
  const std::string& rev = roles.reversion;
  auto ran = [&](const std::string& arm) {
    return std::find(cfg.reproduce.arms.begin(), cfg.reproduce.arms.end(), arm) != cfg.reproduce.arms.end();
  };
  using settings::name_of;
  const std::string plain = name_of(ArmBlocking::none), block_vrev = name_of(ArmBlocking::vrev);
  const std::string control_null = name_of(probe::NullKind::ControlFinetune);
  std::vector<int> seeds;
  for (const SeedResult& r : results) seeds.push_back(r.seed);
  auto add = [&](std::string claim, std::string paper_text, std::string quantity, int direction,
                 std::vector<double> values) -> Verdict& {
    Verdict v;
    v.claim = std::move(claim);
    v.paper = std::move(paper_text);
    v.quantity = std::move(quantity);
    v.direction = direction;
    v.seeds = seeds;
    v.values = std::move(values);
    set.verdicts.push_back(std::move(v));
    return set.verdicts.back();
  };

  if (ran(plain)) {
    const std::vector<size_t> early = early_steps(geometry(results.front(), plain));
    if (!early.empty()) {
      for (const probe::NullKind null_kind : probe::kDrawnNulls) {
        const char* null = name_of(null_kind);
        std::vector<double> values;
        for (const SeedResult& r : results) {
          const Json& g = geometry(r, plain);
          if (!member(member(member(g, "nulls"), null), "p99").is_array()) break;
          double sum = 0;
          for (const size_t i : early) sum += g["alignment"][i].get<double>() - g["nulls"][null]["p99"][i].get<double>();
          values.push_back(sum / double(early.size()));
        }
        if (values.size() != results.size()) continue;
        const Json& kind = member(member(member(geometry(results.front(), plain), "nulls"), null), "kind");
        const std::string name = kind.is_string() ? "label-shuffle (" + kind.get<std::string>() + ")" : null;
        add("the drift aligns with v_rev above the " + name + " null (steps 1-20)",
            null_kind == probe::NullKind::Isotropic ? paper_figure(paper, "pairs_above_isotropic_p99", false) +
                                                   (paper.is_object() ? " run-step pairs above p99" : "")
                                             : "",
            "mean over steps 1-20 of alignment minus the null's p99", 1, values);
      }
      // The plain run against its own seed's control runs: the rank of its mean early alignment.
      const Json& first_control = member(member(geometry(results.front(), plain), "nulls"), control_null);
      if (first_control.contains("values")) {
        std::vector<double> values, seed_p;
        size_t controls = 0;
        for (const SeedResult& r : results) {
          const Json& g = geometry(r, plain);
          double plain = 0;
          std::vector<double> control_means(g["nulls"][control_null]["values"][0].size(), 0.0);
          for (const size_t i : early) {
            plain += g["alignment"][i].get<double>() / double(early.size());
            for (size_t k = 0; k < control_means.size(); ++k)
              control_means[k] += g["nulls"][control_null]["values"][i][k].get<double>() / double(early.size());
          }
          controls = control_means.size();
          values.push_back(plain - mean_over(control_means));
          seed_p.push_back(probe::rank_p_value(plain, control_means));
        }
        Verdict& v = add("the drift aligns with v_rev better than its own seed's " + std::to_string(controls) +
                             " control runs (steps 1-20)",
                         "", "mean alignment over steps 1-20, plain minus the mean of its controls", 1, values);
        v.test = VerdictTest::fisher_rank;
        v.seed_p = seed_p;
      }
    }
    const Json& g0 = geometry(results.front(), plain);
    if (at_step(g0, "alignment", 1) && at_step(g0, "alignment", 20)) {
      std::vector<double> values;
      for (const SeedResult& r : results)
        values.push_back(*at_step(geometry(r, plain), "alignment", 20) - *at_step(geometry(r, plain), "alignment", 1));
      const std::string a1 = paper_figure(paper, "alignment_step_1", false), a20 = paper_figure(paper, "alignment_step_20", false);
      add("the alignment grows from step 1 to step 20", a1.empty() ? "" : a1 + " → " + a20,
          "alignment at step 20 minus at step 1 (" + plain + ")", 1, values);
    }
  }
  if (ran(block_vrev)) {
    std::vector<double> values;
    for (const SeedResult& r : results) values.push_back(geometry(r, block_vrev)["alignment"].back().get<double>());
    add("blocking along v_rev turns the final alignment negative", paper_figure(paper, "final_alignment_blocked", false),
        "alignment at T (" + block_vrev + ")", -1, values);
    for (const ArmBlocking other_blocking : {ArmBlocking::none, ArmBlocking::random, ArmBlocking::pc1, ArmBlocking::readout}) {
      const std::string other = name_of(other_blocking);
      if (!ran(other)) continue;
      std::vector<double> differences;
      for (const SeedResult& r : results)
        differences.push_back(final_metric(r, block_vrev, rev) - final_metric(r, other, rev));
      const std::string from = paper_figure(paper, "harmfulness_plain", true);
      add("blocking along v_rev lowers " + rev + " at T below " + other,
          other_blocking == ArmBlocking::none && !from.empty() ? from + " → " + paper_figure(paper, "harmfulness_blocked", true) : "",
          rev + " at T, " + block_vrev + " minus " + other, -1, differences);
    }
    if (ran(plain) && !roles.task.empty()) {
      const std::string& task = roles.task.front();
      std::vector<double> margins;
      for (const SeedResult& r : results)
        margins.push_back(final_metric(r, block_vrev, task) - final_metric(r, plain, task) + 0.05);
      add("blocking along v_rev costs less than 5 points of " + task + " at T", paper_figure(paper, "task_cost", false),
          task + " at T, " + block_vrev + " minus " + plain + ", plus 0.05", 1, margins);
    }
  }
  evaluate(set);
  return set;
}

namespace {

// The smallest Holm-adjusted p a sign-test claim could reach with its untied seeds, every one on
// the claimed side, in a family of m: Holm multiplies the family's smallest p by m.
double smallest_holm_p(const Verdict& v, size_t m) { return std::min(1.0, double(m) * std::ldexp(1.0, -v.untied)); }

}  // namespace

void evaluate(VerdictSet& set) {
  std::vector<double> p;
  for (Verdict& v : set.verdicts) {
    VREV_CHECK(v.values.size() == v.seeds.size() && !v.values.empty(), "verdict '", v.claim, "': ", v.values.size(),
               " values for ", v.seeds.size(), " seeds");
    const probe::SeedStats stats = probe::summarize(v.values);
    v.mean = stats.mean, v.ci_lo = stats.ci_lo, v.ci_hi = stats.ci_hi;
    std::vector<double> oriented;
    for (const double x : v.values) oriented.push_back(v.direction * x);
    const probe::SignTest sign = probe::sign_test(oriented);
    v.agreeing = sign.positive, v.untied = sign.untied;
    v.p = v.test == VerdictTest::sign ? sign.p : probe::fisher_combined_p(v.seed_p);
    p.push_back(v.p);
  }
  const std::vector<double> adjusted = probe::holm_adjust(p);
  for (size_t i = 0; i < set.verdicts.size(); ++i) {
    Verdict& v = set.verdicts[i];
    v.p_holm = adjusted[i];
    const bool sign = v.test == VerdictTest::sign;
    if (sign && v.untied == 0)
      v.outcome = VerdictOutcome::not_testable;
    else if (v.direction * v.mean <= 0)
      v.outcome = VerdictOutcome::does_not_hold;
    else if (v.p_holm < kVerdictAlpha)
      v.outcome = VerdictOutcome::holds;
    else if (sign && v.agreeing == v.untied && smallest_holm_p(v, adjusted.size()) >= kVerdictAlpha)
      v.outcome = VerdictOutcome::too_few_seeds;
    else
      v.outcome = VerdictOutcome::not_significant;
  }
}

std::string verdict_sentence(const Verdict& v, size_t family) {
  const std::string side = v.direction > 0 ? "above" : "below";
  std::string s = "**" + std::string(settings::name_of(v.outcome)) + "**: " + std::to_string(v.agreeing) + " of " +
                  std::to_string(v.values.size()) + " seeds " + side + " zero, mean " + format("%+.3f", v.mean) +
                  " [95% CI " + format("%+.3f", v.ci_lo) + ", " + format("%+.3f", v.ci_hi) + "]; ";
  if (v.test == VerdictTest::fisher_rank) {
    s += "per-seed rank p";
    for (size_t i = 0; i < v.seed_p.size(); ++i) s += (i ? ", " : " ") + format("%.3g", v.seed_p[i]);
    s += "; Fisher p = ";
  } else {
    s += "sign test p = ";
  }
  s += format("%.2g", v.p) + ", Holm p = " + format("%.2g", v.p_holm) + " (family of " + std::to_string(family) + ")";
  if (v.outcome == VerdictOutcome::too_few_seeds)
    s += "; with " + std::to_string(v.untied) + (v.untied == 1 ? " untied seed" : " untied seeds") +
         " in a family of " + std::to_string(family) + " the smallest possible Holm p is " +
         format("%.2g", smallest_holm_p(v, family));
  if (v.outcome == VerdictOutcome::not_testable) s += "; every seed is exactly zero (e.g. both arms at a ceiling)";
  return s + ".";
}

std::string verdicts_markdown(const VerdictSet& set) {
  const size_t m = set.verdicts.size();
  std::string md;
  // The fewest seeds, all agreeing, with which a sign-test claim can hold in a family of m.
  const size_t seeds = set.verdicts.empty() ? 0 : set.verdicts.front().values.size();
  int needed = 0;
  while (double(m) * std::ldexp(1.0, -needed) >= kVerdictAlpha) ++needed;
  if (m > 0 && int(seeds) < needed)
    md += "**With " + std::to_string(seeds) + (seeds == 1 ? " seed" : " seeds") + " no sign-test claim can hold**: " +
          "Holm over " + std::to_string(m) + " claims needs at least " + std::to_string(needed) +
          " seeds that all agree. This run demonstrates the phenomenon; it is not evidence for it.\n\n";
  md += "Over " + set.seeds_note + "; each claim's unit is the seed (its per-seed quantity below), tested by " +
                   "the exact one-sided sign test over seeds (the control claim: Fisher's combination of each seed's "
                   "rank among its own controls), Holm-adjusted over the family of these " + std::to_string(m) +
                   " claims; a claim holds at Holm p < " + format("%.2g", kVerdictAlpha) + ".\n\n" +
                   "| claim | paper | per-seed quantity | n | seeds agreeing | mean [95% CI] | p | Holm p | verdict |\n"
                   "|---|---|---|---|---|---|---|---|---|\n";
  for (const Verdict& v : set.verdicts)
    md += "| " + v.claim + " | " + v.paper + " | " + v.quantity + " | " + std::to_string(v.values.size()) + " | " +
          std::to_string(v.agreeing) + " | " + format("%+.3f", v.mean) + " [" + format("%+.3f", v.ci_lo) + ", " +
          format("%+.3f", v.ci_hi) + "] | " + format("%.2g", v.p) + " | " + format("%.2g", v.p_holm) + " | " +
          settings::name_of(v.outcome) + " |\n";
  md += "\n";
  for (const Verdict& v : set.verdicts) md += "- " + v.claim + ": " + verdict_sentence(v, m) + "\n";
  return md;
}

Json to_json(const VerdictSet& set) {
  Json list = Json::array();
  for (const Verdict& v : set.verdicts) {
    Json j = {{"claim", v.claim},
              {"paper", v.paper},
              {"quantity", v.quantity},
              {"direction", v.direction},
              {"test", settings::name_of(v.test)},
              {"seeds", v.seeds},
              {"values", v.values},
              {"mean", v.mean},
              {"ci95", {v.ci_lo, v.ci_hi}},
              {"seeds_agreeing", v.agreeing},
              {"seeds_untied", v.untied},
              {"p", v.p},
              {"p_holm", v.p_holm},
              {"verdict", settings::name_of(v.outcome)}};
    if (v.test == VerdictTest::fisher_rank) j["seed_p"] = v.seed_p;
    list.push_back(j);
  }
  return {{"seeds_note", set.seeds_note}, {"family", set.verdicts.size()}, {"alpha", kVerdictAlpha}, {"claims", list}};
}

// Reads the inputs of each verdict and evaluates them again, so the sentences always follow from
// the per-seed values the file holds.
VerdictSet verdicts_from_json(const Json& j) {
  VerdictSet set;
  try {
    set.seeds_note = j.at("seeds_note").get<std::string>();
    for (const Json& c : j.at("claims")) {
      Verdict v;
      v.claim = c.at("claim").get<std::string>();
      v.paper = c.at("paper").get<std::string>();
      v.quantity = c.at("quantity").get<std::string>();
      v.direction = c.at("direction").get<int>();
      VREV_CHECK(v.direction == 1 || v.direction == -1, "direction must be 1 or -1, got ", v.direction);
      v.test = settings::parse_name<VerdictTest>(c.at("test").get<std::string>(), "test");
      v.seeds = c.at("seeds").get<std::vector<int>>();
      v.values = c.at("values").get<std::vector<double>>();
      if (v.test == VerdictTest::fisher_rank) v.seed_p = c.at("seed_p").get<std::vector<double>>();
      set.verdicts.push_back(std::move(v));
    }
  } catch (const settings::Json::exception& e) {
    VREV_FAIL("verdicts: ", e.what());
  }
  evaluate(set);
  return set;
}

}  // namespace vrev::experiment
