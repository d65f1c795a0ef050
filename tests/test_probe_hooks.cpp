// Capture and blocking own the hooks they install: they never replace a hook the caller set (that
// is an error naming it), and remove their own on every path, exceptions included.
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>

#include "experiment/config.h"
#include "experiment/phase_runner.h"
#include "probe/blocking.h"
#include "probe/capture.h"
#include "test_helpers.h"
#include "world/phase_data.h"
#include "world/safety_world.h"

namespace fs = std::filesystem;
using namespace vrev;

namespace {

const std::string kTiny = std::string(VREV_SOURCE_DIR) + "/configs/tiny.json";

// How many of a model's sites hold a hook of one kind: where the model refuses a second one (a
// site without one takes this probe's hook, which is removed again).
int hooked_sites(model::Gpt<float>& gpt, int sites, bool backward) {
  int n = 0;
  for (int s = 0; s < sites; ++s) {
    try {
      if (backward) {
        gpt.set_backward_hook(s, [](float*, const Shape&) {});
        gpt.set_backward_hook(s, nullptr);
      } else {
        gpt.set_forward_hook(s, [](float*, const Shape&) {});
        gpt.set_forward_hook(s, nullptr);
      }
    } catch (const Error&) {
      ++n;
    }
  }
  return n;
}

struct Setup {
  experiment::Config cfg = experiment::load_config(kTiny, {"pretrain.steps=4", "pretrain.checkpoint_every=0"});
  world::SafetyWorld world{cfg.world, 0};
  model::Gpt<float> gpt{cfg.model};
  model::PromptSet probe = world.probe_set(world::ProbeRole::Reversion, world::ProbePoint::Decision);
  int sites = model::num_sites(cfg.model.layers);
  Setup() { gpt.init(0); }

  int forward_hooks() { return hooked_sites(gpt, sites, false); }
  int backward_hooks() { return hooked_sites(gpt, sites, true); }
  std::vector<double> direction() const { return std::vector<double>(cfg.model.width, 1.0); }
};

}  // namespace

TEST_CASE("capture never replaces a caller's forward hook and removes its own on every path", "[probe][hooks]") {
  Setup s;
  probe::capture_sites(s.gpt, s.probe, probe::Position::Asst);
  CHECK(s.forward_hooks() == 0);

  int calls = 0;
  const int site = model::site_resid_mid(1);
  s.gpt.set_forward_hook(site, [&](float*, const Shape&) { ++calls; });
  CHECK_THROWS_WITH(probe::capture_sites(s.gpt, s.probe, probe::Position::Asst),
                    Catch::Contains("site 'blocks.1.resid_mid' already has a forward hook"));
  CHECK(s.forward_hooks() == 1);  // the caller's, and only it
  autograd::Tape<float> tape;
  autograd::NoGrad<float> no_grad(tape);
  const std::vector<int32_t> tokens(world::kPromptLen, 1);
  s.gpt.forward(tape, tokens.data(), 1, world::kPromptLen);
  CHECK(calls == 1);
  s.gpt.set_forward_hook(site, nullptr);

  // A forward that throws (prompts longer than the model's context) leaves no hook behind.
  experiment::Config short_cfg = s.cfg;
  short_cfg.model.context = world::kPromptLen - 1;
  model::Gpt<float> short_model(short_cfg.model);
  CHECK_THROWS_WITH(probe::capture_sites(short_model, s.probe, probe::Position::Asst),
                    Catch::Contains("exceeds the model's context"));
  CHECK(hooked_sites(short_model, s.sites, false) == 0);
}

TEST_CASE("a blocker never replaces a caller's hook and removes its own when destroyed", "[probe][blocking][hooks]") {
  Setup s;
  train::Optimizer opt(s.cfg.phase(world::Phase::Finetune).optimizer, s.gpt.params().size());
  world::PhaseData data(s.world, world::Phase::Finetune, 8);
  train::Trainer trainer(s.gpt, opt, s.cfg.phase(world::Phase::Finetune).schedule, 2, data);
  const std::vector<int> two_sites = {model::site_resid_post(0), model::site_resid_post(1)};
  auto blocker = [&](const char* mode, std::vector<int> sites) {
    probe::BlockingConfig bc;
    bc.mode = settings::parse_name<probe::BlockingMode>(mode, "mode");
    std::vector<std::vector<double>> dirs(sites.size(), s.direction());
    std::vector<std::vector<float>> aligned(sites.size(), std::vector<float>(size_t(s.probe.count) * s.cfg.model.width));
    return std::make_unique<probe::Blocker>(bc, s.gpt, sites, dirs, s.probe, aligned);
  };

  SECTION("act-grad: all sites or none, and none after the blocker is gone") {
    s.gpt.set_backward_hook(two_sites[1], [](float*, const Shape&) {});
    auto b = blocker("act-grad", two_sites);
    CHECK_THROWS_WITH(b->install(trainer), Catch::Contains("site 'blocks.1.resid_post' already has a backward hook"));
    CHECK(s.backward_hooks() == 1);  // the caller's; the first site's hook was removed again
    s.gpt.set_backward_hook(two_sites[1], nullptr);
    b->install(trainer);
    CHECK(s.backward_hooks() == 2);
    CHECK_THROWS_WITH(b->install(trainer), Catch::Contains("already installed"));
    trainer.step();
    b.reset();
    CHECK(s.backward_hooks() == 0);
  }
  SECTION("param-update: the trainer's after_update") {
    trainer.after_update = [](const float*, float*, size_t) {};
    auto b = blocker("param-update", {two_sites[0]});
    CHECK_THROWS_WITH(b->install(trainer), Catch::Contains("already has an after_update hook"));
    CHECK(trainer.after_update);
    trainer.after_update = nullptr;
    b->install(trainer);
    trainer.step();
    b.reset();
    CHECK_FALSE(trainer.after_update);
  }
  SECTION("penalty: the trainer's extra_gradient") {
    trainer.extra_gradient = [] { return 0.0; };
    auto b = blocker("penalty", {two_sites[0]});
    CHECK_THROWS_WITH(b->install(trainer), Catch::Contains("already has an extra_gradient hook"));
    CHECK(trainer.extra_gradient);
    trainer.extra_gradient = nullptr;
    b->install(trainer);
    trainer.step();
    b.reset();
    CHECK_FALSE(trainer.extra_gradient);
  }
}

TEST_CASE("a phase destroys what attach returned when it ends, also when a step throws", "[probe][blocking][hooks]") {
  Setup s;
  const fs::path dir = test::temp_dir("attach");
  experiment::PhaseRun run;
  run.quiet = true;
  run.out_dir = (dir / "pretrain").string();
  std::weak_ptr<void> attached;
  experiment::PhaseCallbacks cb;
  cb.attach = [&](model::Gpt<float>& gpt, train::Trainer& trainer) -> std::shared_ptr<void> {
    probe::BlockingConfig bc;
    bc.mode = probe::BlockingMode::act_grad;
    auto b = std::make_shared<probe::Blocker>(bc, gpt, std::vector<int>{model::site_resid_post(1)},
                                              std::vector<std::vector<double>>{s.direction()}, s.probe,
                                              std::vector<std::vector<float>>{});
    b->install(trainer);
    trainer.after_update = [&trainer](const float*, float*, size_t) {
      if (trainer.next_step() == 2) throw std::runtime_error("stopped at step 2");
    };
    attached = b;
    return b;
  };
  CHECK_THROWS_WITH(experiment::run_phase(s.cfg, run, cb), "stopped at step 2");
  CHECK(attached.expired());
  fs::remove_all(dir);
}
