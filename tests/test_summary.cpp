// The run summary over synthetic seeds: its typed fields computed by hand, summary.json written
// from it and read back byte for byte, table.csv from it, and the reader's errors.
#include <catch2/catch.hpp>

#include "core/io.h"
#include "experiment/run_summary.h"
#include "experiment/summary.h"
#include "test_helpers.h"
#include "world/world.h"

namespace {

using namespace vrev;
using experiment::RunSummary;
using experiment::SeedResult;
using experiment::SeedResults;
using settings::Json;

// One seed of the safety world: every metric at `metric` after each phase and at the end of each
// arm; the plain arm's alignment `align` at steps 0, 1, 20, 50 against an isotropic p99 of 0.2, and
// two control runs at 0.1 and 0.3; block-vrev at -0.1 throughout. The task metric `task` is what
// the pretraining gate reads.
SeedResult seed(const world::World& world, int id, double task, const std::vector<double>& align, double metric) {
  SeedResult r;
  r.seed = id;
  Json behaviour;
  for (const std::string& k : world.metric_names()) behaviour[k] = metric;
  behaviour[world.metric_roles().task.front()] = task;
  r.history = {behaviour, behaviour};
  const Json steps = {0, 1, 20, 50};
  auto arm = [&](const std::vector<double>& alignment) {
    Json g = {{"steps", steps}, {"alignment", alignment}, {"split_half_alignment", alignment}};
    for (const auto& [null, p99] : {std::pair{"isotropic", 0.2}, {"anisotropic", 0.9}, {"label_shuffle", 0.2},
                                    {"control_finetune", 0.3}})
      g["nulls"][null]["p99"] = {p99, p99, p99, p99};
    g["nulls"]["control_finetune"]["values"] = Json::array();
    for (int i = 0; i < 4; ++i) g["nulls"]["control_finetune"]["values"].push_back({0.1, 0.3});
    Json series = {{"steps", steps}};
    for (const std::string& k : world.metric_names()) series[k] = {0.0, metric, metric, metric};
    return experiment::ArmRun{g, series};
  };
  r.arms["plain"] = arm(align);
  r.arms["block-vrev"] = arm({-0.1, -0.1, -0.1, -0.1});
  return r;
}

experiment::Config config() {
  experiment::Config cfg;
  cfg.reproduce.arms = {"plain", "block-vrev"};
  cfg.reproduce.controls = 2;
  return cfg;
}

}  // namespace

TEST_CASE("the run summary: fields by hand, and summary.json read back byte for byte", "[summary]") {
  const auto world = world::make_world(world::WorldConfig{}, 0);
  const experiment::Config cfg = config();
  // Seed 1 fails the pretraining gate; seed 2 dips below the isotropic p99 at step 20.
  const SeedResults results = {seed(*world, 0, 0.95, {0, 0.5, 0.6, 0.7}, 0.25),
                               seed(*world, 1, 0.10, {0, 0.5, 0.6, 0.7}, 0.50),
                               seed(*world, 2, 0.92, {0, 0.5, 0.1, 0.7}, 0.75)};
  RunSummary s = experiment::summarize_runs(cfg, *world, results, 12.5);
  s.training_seconds = 30;

  CHECK(s.seeds == std::vector<int>{0, 2});
  CHECK(s.gate.failed == std::vector<int>{1});
  REQUIRE(s.all_seeds_verdicts.has_value());
  REQUIRE(s.arms.entries.size() == 2);
  CHECK(s.arms.entries[0].first == "plain");
  const experiment::ArmSummary& plain = *s.arms.find("plain");
  // Every metric at T, in the world's order, over the headline seeds (0.25 and 0.75).
  REQUIRE(plain.final_metrics.entries.size() == world->metric_names().size());
  CHECK(plain.final_metrics.entries.front().first == world->metric_names().front());
  CHECK(plain.final_metrics.find(world->metric_roles().reversion)->mean == 0.5);
  CHECK(plain.final_metrics.find(world->metric_roles().reversion)->values == std::vector<double>{0.25, 0.75});
  CHECK(plain.alignment.at(20).values == std::vector<double>{0.6, 0.1});
  CHECK(experiment::last_step(plain.alignment) == &plain.alignment.at(50));
  CHECK(experiment::at_step(plain.alignment, 7) == nullptr);
  CHECK(plain.reversion_metric == world->metric_roles().reversion);
  // The phases in history order.
  REQUIRE(s.phases.entries.size() == world->history().size());
  CHECK(s.phases.entries.front().first == world::phase_outcome_name(world->history().front()));

  // Null counts: seeds 0 and 2. vrev's set is steps 1-20 (2 steps), the reference's steps 1, 2, 5,
  // 10, 20 (of these, 1 and 20), the paper's the first 8 steps from 1 (1, 20, 50). Seed 2 is below
  // 0.2 at step 20. The control null pools the 4 control values per step: its p99 is 0.3.
  const experiment::NullSummary& iso = s.nulls.at(probe::NullKind::Isotropic);
  CHECK(iso.headline().pairs == 4);
  CHECK(iso.headline().above_p99 == 3);
  CHECK(iso.headline().steps == std::vector<int64_t>{1, 20});
  CHECK(iso.step_sets.at(experiment::StepSet::paper).pairs == 6);
  CHECK(iso.step_sets.at(experiment::StepSet::paper).above_p99 == 5);
  CHECK(s.nulls.at(probe::NullKind::Anisotropic).headline().pairs == 4);
  CHECK(s.nulls.at(probe::NullKind::Anisotropic).headline().above_p99 == 0);
  REQUIRE(s.control_null.has_value());
  CHECK(s.control_null->runs_per_seed == 2);
  CHECK(s.nulls.at(probe::NullKind::ControlFinetune).headline().above_p99 == 3);

  // summary.json: written, read back, written again: the same bytes.
  const std::string written = experiment::to_json(s).dump(1);
  CHECK(experiment::to_json(experiment::run_summary_from_json(Json::parse(written))).dump(1) == written);
  const Json j = Json::parse(written);
  CHECK(j["nulls"]["isotropic"]["step_sets"]["reference"]["pairs"] == 4);
  CHECK(j["arms"]["plain"].contains(world->metric_roles().reversion + "_by_step"));
  CHECK(j["all_seeds"]["verdicts"]["claims"].size() == s.all_seeds_verdicts->verdicts.size());

  // table.csv reads the typed summary: the plain arm's alignment at step 20 and the null counts.
  const std::string csv_path = (test::temp_dir("summary") / "table.csv").string();
  experiment::write_table_csv(csv_path, s, world->metric_roles());
  const std::string csv = io::read_text(csv_path);
  CHECK(csv.find(",0.6 0.1\n") != std::string::npos);  // alignment_step_20 of the plain arm, per seed
  CHECK(csv.find("pairs_above_isotropic_p99,plain,,,,,3,,4 pairs\n") != std::string::npos);
}

TEST_CASE("the run summary reader names what is missing or wrong", "[summary]") {
  const auto world = world::make_world(world::WorldConfig{}, 0);
  const SeedResults results = {seed(*world, 0, 0.95, {0, 0.5, 0.6, 0.7}, 0.25)};
  const Json good = experiment::to_json(experiment::summarize_runs(config(), *world, results, 1));
  Json no_gate = good;
  no_gate.erase("gate");
  CHECK_THROWS_WITH(experiment::run_summary_from_json(no_gate), Catch::Contains("summary:") && Catch::Contains("'gate'"));
  Json bad_null = good;
  bad_null["nulls"]["uniform"] = bad_null["nulls"]["isotropic"];
  CHECK_THROWS_WITH(experiment::run_summary_from_json(bad_null), Catch::Contains("uniform"));
  Json bad_stats = good;
  bad_stats["arms"]["plain"]["alignment"]["1"].erase("ci95");
  CHECK_THROWS_WITH(experiment::run_summary_from_json(bad_stats), Catch::Contains("'ci95'"));
  Json bad_step = good;
  bad_step["arms"]["plain"]["alignment"]["one"] = good["arms"]["plain"]["alignment"]["1"];
  CHECK_THROWS_WITH(experiment::run_summary_from_json(bad_step), Catch::Contains("'one' is not a step number"));

  const std::string dir = test::temp_dir("summary-reader").string();
  io::write_text_atomic(dir + "/summary.json", "{\"seeds\": [0]}");
  CHECK_THROWS_WITH(experiment::read_run_summary(dir + "/summary.json"),
                    Catch::Contains(dir + "/summary.json") && Catch::Contains("vrev reproduce"));
  io::write_text_atomic(dir + "/summary.json", "{\"seeds\": ");
  CHECK_THROWS_WITH(experiment::read_run_summary(dir + "/summary.json"), Catch::Contains("parse error"));
}
