// Experiment configs: cross-key checks happen when the config is loaded, before any training.
#include <catch2/catch.hpp>

#include "experiment/config.h"
#include "experiment/main_track.h"
#include "model/sites.h"

using namespace vrev;

namespace {

const std::string kTiny = std::string(VREV_SOURCE_DIR) + "/configs/tiny.json";

bool one_line(const std::string& s) { return !s.empty() && s.find('\n') == std::string::npos; }

std::string load_error(const std::vector<std::string>& overrides) {
  try {
    experiment::load_config(kTiny, overrides);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("eval_steps are checked at load: increasing, within the phase, fine-tuning's from 0 to the end", "[config]") {
  const experiment::Config cfg = experiment::load_config(kTiny, {"finetune.eval_steps=[0,10,50]"});
  CHECK(cfg.phase(world::Phase::Finetune).eval_steps == std::vector<int>{0, 10, 50});
  CHECK(cfg.phase(world::Phase::Pretrain).eval_steps.empty());  // the last step is evaluated without being listed
  CHECK_THAT(load_error({"finetune.eval_steps=[0,10]"}),
             Catch::Contains("'finetune.eval_steps' must start at 0 and end at the last step, 'finetune.steps' = 50"));
  CHECK_THAT(load_error({"finetune.eval_steps=[1,50]"}), Catch::Contains("must start at 0"));

  const std::string past = load_error({"finetune.eval_steps=[0,10,60]"});
  CHECK(one_line(past));
  // The error blames the --set it comes from, and shows the list syntax.
  CHECK_THAT(past, Catch::Contains("--set finetune.eval_steps=[0,10,60]: config: 'finetune.eval_steps' has step 60") &&
                       Catch::Contains("'finetune.steps' is 50") &&
                       Catch::Contains("--set 'finetune.eval_steps=[0,25,50]'"));
  // Shortening a phase without its evaluation steps fails at once, not after the training.
  CHECK_THAT(load_error({"finetune.steps=10"}), Catch::Contains("'finetune.eval_steps' has step 20"));
  CHECK_THAT(load_error({"pretrain.eval_steps=[5,3]"}),
             Catch::Contains("'pretrain.eval_steps' must be increasing without repeats, got 3 after 5"));
  CHECK_THAT(load_error({"align.eval_steps=[0,4,4]"}), Catch::Contains("'align.eval_steps' must be increasing"));
  CHECK_THAT(load_error({"finetune.eval_steps=[-1,2]"}), Catch::Contains("finetune.eval_steps"));
}

TEST_CASE("modes are enums: read and written by name, and a wrong name lists the valid ones", "[config]") {
  const experiment::Config cfg =
      experiment::load_config(kTiny, {"blocking.mode=act-grad", "probe.position=answer", "probe.estimator=pca"});
  CHECK(cfg.blocking.mode == probe::BlockingMode::act_grad);
  CHECK(cfg.probe.position == probe::Position::Answer);
  CHECK(cfg.probe.estimator == probe::Estimator::Pca);
  const experiment::Config sgd =
      experiment::load_config(kTiny, {"finetune.optimizer.name=sgd", "finetune.schedule.kind=cosine"});
  CHECK(sgd.phase(world::Phase::Finetune).optimizer.name == train::OptimizerKind::sgd);
  CHECK(sgd.phase(world::Phase::Finetune).schedule.kind == train::ScheduleKind::cosine);
  CHECK(settings::write(sgd)["finetune"]["optimizer"]["name"] == "sgd");
  const settings::Json saved = settings::write(cfg);
  CHECK(saved["blocking"]["mode"] == "act-grad");
  CHECK(saved["probe"]["position"] == "answer");
  CHECK(saved["probe"]["estimator"] == "pca");
  CHECK_THAT(load_error({"blocking.mode=freeze"}),
             Catch::Contains("'blocking.mode'") && Catch::Contains("param-update, act-grad, penalty"));
  CHECK_THAT(load_error({"probe.position=first"}), Catch::Contains("asst, answer, refusal, last, mean"));
  CHECK_THAT(load_error({"probe.estimator=median"}), Catch::Contains("diff-means, per-prompt, pca"));
  CHECK_THAT(load_error({"align.optimizer.name=adam"}),
             Catch::Contains("'align.optimizer.name'") && Catch::Contains("adamw, sgd"));
  CHECK_THAT(load_error({"pretrain.schedule.kind=linear"}),
             Catch::Contains("'pretrain.schedule.kind'") && Catch::Contains("constant, cosine"));
  CHECK(experiment::load_config(kTiny, {"world.finetune_loss=after_opener"}).world.finetune_loss ==
        world::FinetuneLoss::after_opener);
  CHECK_THAT(load_error({"world.finetune_loss=opener"}), Catch::Contains("response, after_opener"));
  const std::string trait = load_error({"world.kind=trait", "world.finetune_loss=after_opener"});
  CHECK(one_line(trait));
  CHECK_THAT(trait, Catch::Contains("'world.finetune_loss'") && Catch::Contains("not trait"));
  // blocking.site: the probe site by default, any site by name; tiny.json has 2 blocks.
  const experiment::Config tiny = experiment::load_config(kTiny);
  const int probe_site = tiny.probe.site_index(tiny.model.layers);
  CHECK(tiny.blocking.site_index(probe_site, tiny.model.layers) == probe_site);
  const experiment::Config middle = experiment::load_config(kTiny, {"blocking.site=blocks.0.resid_post"});
  CHECK(middle.blocking.site_index(probe_site, middle.model.layers) == model::site_resid_post(0));
  CHECK_THAT(load_error({"blocking.site=blocks.7.resid_post"}), Catch::Contains("unknown activation site 'blocks.7.resid_post'"));
  CHECK_THAT(load_error({"world.kind=trait", R"(reproduce.arms=["plain","block-readout"])"}),
             Catch::Contains("arm 'block-readout'") && Catch::Contains("do not make"));
}

TEST_CASE("the config hash is canonical: key order does not change it, a value does", "[config]") {
  const settings::Json a = {{"lr", 1e-3}, {"nested", {{"x", 1}, {"y", "b"}}}};
  const settings::Json b = {{"nested", {{"y", "b"}, {"x", 1}}}, {"lr", 1e-3}};
  const settings::Json c = {{"lr", 1e-3}, {"nested", {{"x", 2}, {"y", "b"}}}};
  CHECK(a.dump() != b.dump());
  CHECK(experiment::json_hash(a) == experiment::json_hash(b));
  CHECK(experiment::json_hash(a) != experiment::json_hash(c));
  CHECK(experiment::json_hash(a).size() == 64);
}

TEST_CASE("the main track is configs/safety.json, and a run is compared with it on what it measures", "[config]") {
  const std::string safety = std::string(VREV_SOURCE_DIR) + "/configs/safety.json";
  CHECK(experiment::main_track_differences(experiment::load_config(safety)).empty());
  // More seeds, other arms, more null draws, other evaluation steps: still the main track.
  CHECK(experiment::main_track_differences(
            experiment::load_config(safety, {"reproduce.seeds=2", "reproduce.arms=[\"plain\"]", "probe.shuffle_draws=50",
                                             "finetune.eval_steps=[0,1,100]", "reproduce.controls=1"}))
            .empty());
  const std::vector<std::string> lr =
      experiment::main_track_differences(experiment::load_config(safety, {"finetune.schedule.lr=3e-5"}));
  REQUIRE(lr.size() == 1);
  CHECK(lr[0] == "finetune.schedule.lr = 3e-05 (main track: 0.0001)");
  CHECK(experiment::main_track_differences(experiment::load_config(kTiny)).size() > 5);
}
