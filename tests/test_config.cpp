// Experiment configs: cross-key checks happen when the config is loaded, before any training.
#include <catch2/catch.hpp>

#include "experiment/config.h"

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

TEST_CASE("eval_steps are checked at load: increasing, none past the phase's end, the last step added", "[config]") {
  const experiment::Config cfg = experiment::load_config(kTiny, {"finetune.eval_steps=[0,10]"});
  CHECK(cfg.finetune.eval_steps == std::vector<int>{0, 10, 50});
  CHECK(cfg.pretrain.eval_steps == std::vector<int>{1500});
  CHECK(experiment::load_config(kTiny, {"align.steps=0"}).align.eval_steps == std::vector<int>{0});

  const std::string past = load_error({"finetune.eval_steps=[0,10,60]"});
  CHECK(one_line(past));
  CHECK_THAT(past, Catch::Contains("tiny.json") && Catch::Contains("config: 'finetune.eval_steps' has step 60") &&
                       Catch::Contains("'finetune.steps' is 50"));
  // Shortening a phase without its evaluation steps fails at once, not after the training.
  CHECK_THAT(load_error({"finetune.steps=10"}), Catch::Contains("'finetune.eval_steps' has step 20"));
  CHECK_THAT(load_error({"pretrain.eval_steps=[5,3]"}),
             Catch::Contains("'pretrain.eval_steps' must be increasing without repeats, got 3 after 5"));
  CHECK_THAT(load_error({"align.eval_steps=[0,4,4]"}), Catch::Contains("'align.eval_steps' must be increasing"));
  CHECK_THAT(load_error({"finetune.eval_steps=[-1,2]"}), Catch::Contains("finetune.eval_steps"));
}
