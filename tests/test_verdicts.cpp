// The verdicts tested over seeds and the pretraining gate, on synthetic seed results whose
// answers are computed by hand.
#include <catch2/catch.hpp>

#include "experiment/seed_gate.h"
#include "experiment/verdicts.h"
#include "probe/statistics.h"
#include "world/world.h"

namespace {

using vrev::experiment::SeedResult;
using vrev::experiment::SeedResults;
using vrev::experiment::Verdict;
using vrev::experiment::VerdictOutcome;
using vrev::experiment::VerdictSet;
using Json = vrev::settings::Json;

// One seed of the safety world: pretrained task accuracy `task`, a plain arm whose alignment at
// steps 0, 1, 20, 50 is `align`, isotropic p99 0.2 at every step, two control runs at `controls`
// (each constant over steps), and a block-vrev arm at `blocked_align` and harmfulness `blocked`.
SeedResult seed(int id, double task, std::vector<double> align, std::vector<double> controls, double blocked_align,
                double blocked) {
  SeedResult r;
  r.seed = id;
  r.history = {{{"task_accuracy", task}, {"harmfulness", 1.0}}, {{"task_accuracy", task}, {"harmfulness", 0.0}}};
  const Json steps = {0, 1, 20, 50};
  Json control_values = Json::array();
  for (int i = 0; i < 4; ++i) control_values.push_back(controls);
  auto arm = [&](const std::vector<double>& alignment, double harm, double task_at_t) {
    Json g = {{"steps", steps}, {"alignment", alignment}};
    g["nulls"]["isotropic"]["p99"] = {0.2, 0.2, 0.2, 0.2};
    g["nulls"]["control_finetune"]["values"] = control_values;
    return vrev::experiment::ArmRun{g, {{"harmfulness", {0.0, harm}}, {"task_accuracy", {task, task_at_t}}}};
  };
  r.arms["plain"] = arm(align, 1.0, 0.9);
  r.arms["block-vrev"] = arm({0, blocked_align, blocked_align, blocked_align}, blocked, 0.88);
  return r;
}

vrev::experiment::Config config() {
  vrev::experiment::Config cfg;
  cfg.reproduce.arms = {"plain", "block-vrev"};
  return cfg;
}

const Verdict& claim(const VerdictSet& set, const std::string& starts_with) {
  for (const Verdict& v : set.verdicts)
    if (v.claim.rfind(starts_with, 0) == 0) return v;
  FAIL("no claim starts with '" << starts_with << "'");
  return set.verdicts.front();
}

}  // namespace

TEST_CASE("the pretraining gate leaves out the seed that fails it, and only that seed", "[verdicts]") {
  const auto world = vrev::world::make_world(vrev::world::WorldConfig{}, 0);
  vrev::experiment::Config cfg = config();
  const SeedResults results = {seed(0, 0.95, {0, 0.5, 0.6, 0.7}, {0.1, 0.2}, -0.1, 0.1),
                               seed(1, 0.03, {0, 0.5, 0.6, 0.7}, {0.1, 0.2}, -0.1, 0.1),
                               seed(2, 0.90, {0, 0.5, 0.6, 0.7}, {0.1, 0.2}, -0.1, 0.1)};
  const vrev::experiment::GateOutcome gate = vrev::experiment::apply_gate(cfg, *world, results);
  CHECK(gate.passed == std::vector<int>{0, 2});  // 0.90 is at the gate: it passes
  CHECK(gate.failed == std::vector<int>{1});
  CHECK(gate.rule == "task_accuracy >= 0.9 at the end of pretrain");
  const SeedResults headline = vrev::experiment::headline_seeds(results, gate);
  REQUIRE(headline.size() == 2);
  CHECK(headline[0].seed == 0);
  CHECK(headline[1].seed == 2);
  cfg.reproduce.gate = 0;
  CHECK(vrev::experiment::apply_gate(cfg, *world, results).failed.empty());
  cfg.reproduce.gate = 0.99;  // none passes: the headline is every seed, and says so
  const vrev::experiment::GateOutcome none = vrev::experiment::apply_gate(cfg, *world, results);
  CHECK(none.passed.empty());
  CHECK(vrev::experiment::headline_seeds(results, none).size() == 3);
}

TEST_CASE("verdicts: per-seed values, sign test, within-seed control ranks and Holm, by hand", "[verdicts]") {
  const auto world = vrev::world::make_world(vrev::world::WorldConfig{}, 0);
  SeedResults results;
  for (int s = 0; s < 5; ++s) results.push_back(seed(s, 1.0, {0, 0.4 + 0.01 * s, 0.6, 0.7}, {0.1, 0.3}, -0.2, 0.2));
  VerdictSet set = vrev::experiment::build_verdicts(config(), *world, results, Json(), "five synthetic seeds");
  // isotropic, control, growth, final alignment, harmfulness vs plain, task cost: a family of 6.
  REQUIRE(set.verdicts.size() == 6);

  const Verdict& iso = claim(set, "the drift aligns with v_rev above the isotropic");
  // Seed 0: steps 1 and 20 are 0.40 and 0.60, each minus 0.2: mean 0.30.
  CHECK(iso.values[0] == Approx(0.30));
  CHECK(iso.values[4] == Approx(0.32));
  CHECK(iso.agreeing == 5);
  CHECK(iso.p == 1.0 / 32);
  CHECK(iso.p_holm == Approx(6.0 / 32));  // every p is 1/32 but the control's: Holm's first step is 6 p
  // Five agreeing seeds in a family of 6 can reach Holm p = 6/32 at best: too few seeds, not "does not hold".
  CHECK(iso.outcome == VerdictOutcome::too_few_seeds);

  const Verdict& control = claim(set, "the drift aligns with v_rev better than its own seed's 2 control");
  // Plain's early mean 0.50 is above both controls (0.1, 0.3): rank p = 1 / 3 per seed.
  CHECK(control.seed_p == std::vector<double>(5, 1.0 / 3));
  CHECK(control.values[0] == Approx(0.50 - 0.20));
  CHECK(control.p == Approx(vrev::probe::fisher_combined_p(std::vector<double>(5, 1.0 / 3))));

  const Verdict& blocked = claim(set, "blocking along v_rev lowers harmfulness at T below plain");
  CHECK(blocked.direction == -1);
  CHECK(blocked.values == std::vector<double>(5, 0.2 - 1.0));
  CHECK(blocked.agreeing == 5);
  // Task: 0.88 - 0.9 + 0.05 = 0.03 above zero on every seed.
  CHECK(claim(set, "blocking along v_rev costs less than 5 points").values[0] == Approx(0.03));

  SECTION("four agreeing seeds cannot reach Holm p < 0.05 in a family of 6: too few seeds, said so") {
    SeedResults four(results.begin(), results.begin() + 4);
    const VerdictSet small = vrev::experiment::build_verdicts(config(), *world, four, Json(), "four seeds");
    CHECK(claim(small, "the drift aligns with v_rev above the isotropic").outcome == VerdictOutcome::too_few_seeds);
    CHECK_THAT(vrev::experiment::verdict_sentence(claim(small, "the drift aligns"), 6),
               Catch::Contains("in a family of 6 the smallest possible Holm p is 0.38"));
    // Holm over 6 claims needs 7 agreeing seeds (6/128 < 0.05): the table says the run is a demonstration.
    CHECK_THAT(vrev::experiment::verdicts_markdown(small),
               Catch::StartsWith("**With 4 seeds no sign-test claim can hold**: Holm over 6 claims needs at least 7"));
  }
  SECTION("nine agreeing seeds hold after Holm") {
    SeedResults nine = results;
    for (int s = 5; s < 9; ++s) nine.push_back(seed(s, 1.0, {0, 0.45, 0.6, 0.7}, {0.1, 0.3}, -0.2, 0.2));
    const VerdictSet big = vrev::experiment::build_verdicts(config(), *world, nine, Json(), "nine seeds");
    CHECK(claim(big, "blocking along v_rev lowers harmfulness").outcome == VerdictOutcome::holds);
    CHECK(claim(big, "blocking along v_rev lowers harmfulness").p == 1.0 / 512);
    CHECK_THAT(vrev::experiment::verdicts_markdown(big), !Catch::Contains("no sign-test claim can hold"));
  }
  SECTION("arms tied on every seed (a ceiling) are not testable, not a failure") {
    SeedResults tied = results;
    for (SeedResult& r : tied) r.arms["block-vrev"].metrics["harmfulness"] = {0.0, 1.0};
    const VerdictSet t = vrev::experiment::build_verdicts(config(), *world, tied, Json(), "tied");
    CHECK(claim(t, "blocking along v_rev lowers harmfulness").outcome == VerdictOutcome::not_testable);
  }
  SECTION("a verdict sentence changes when its number does") {
    const std::string before = vrev::experiment::verdict_sentence(blocked, set.verdicts.size());
    CHECK_THAT(before, Catch::Contains("mean -0.800"));
    CHECK_THAT(before, Catch::Contains("5 of 5 seeds below zero"));
    VerdictSet edited = set;
    for (Verdict& v : edited.verdicts)
      if (v.claim == blocked.claim) v.values[2] = 0.3;  // one seed now goes the other way
    vrev::experiment::evaluate(edited);
    const std::string after = vrev::experiment::verdict_sentence(claim(edited, blocked.claim), edited.verdicts.size());
    CHECK(after != before);
    CHECK_THAT(after, Catch::Contains("4 of 5 seeds below zero"));
    CHECK_THAT(after, Catch::Contains("sign test p = 0.19"));  // 6/32
    // One seed disagrees: no longer "too few seeds", which needs every seed on the claimed side.
    CHECK(claim(edited, blocked.claim).outcome == VerdictOutcome::not_significant);
  }
  SECTION("the JSON keeps the inputs; reading it back gives the same Markdown") {
    const Json j = vrev::experiment::to_json(set);
    CHECK(j["family"] == 6);
    CHECK(vrev::experiment::verdicts_markdown(vrev::experiment::verdicts_from_json(j)) ==
          vrev::experiment::verdicts_markdown(set));
    Json bad = j;
    bad["claims"][0]["direction"] = 2;
    CHECK_THROWS_WITH(vrev::experiment::verdicts_from_json(bad), Catch::Contains("direction must be 1 or -1"));
    bad = j;
    bad["claims"][0].erase("values");
    CHECK_THROWS_WITH(vrev::experiment::verdicts_from_json(bad), Catch::Contains("verdicts:"));
  }
}
