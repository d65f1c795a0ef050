// Capture and blocking on a small trained model: capture leaves the trajectory untouched;
// param-update blocking freezes the probed functional to first order; act-grad at lambda 0 is
// plain fine-tuning bit for bit; projection is idempotent; the first update's groups add up.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "experiment/first_update.h"
#include "experiment/phase_runner.h"
#include "probe/drift.h"
#include "probe/geometry.h"
#include "model/model_file.h"
#include "probe/blocking.h"
#include "probe/capture.h"
#include "probe/readout.h"
#include "model/scoped_hook.h"
#include "model/sites.h"
#include "test_helpers.h"
#include "train/checkpoint.h"
#include "world/phase_data.h"
#include "world/safety_world.h"

namespace fs = std::filesystem;
using namespace vrev;

namespace {

const std::string kTiny = std::string(VREV_SOURCE_DIR) + "/configs/tiny.json";

// A short pretrain + align history shared by the tests of this file (built once).
struct Aligned {
  fs::path dir = test::temp_dir("blocking");
  experiment::Config cfg = experiment::load_config(kTiny, {"pretrain.steps=150", "finetune.steps=6",
                                                           "finetune.eval_steps=[0,2,4,6]"});
  Aligned() {
    experiment::PhaseRun r;
    r.quiet = true;
    r.phase = world::Phase::Pretrain;
    r.out_dir = (dir / "pretrain").string();
    experiment::run_phase(cfg, r);
    r.phase = world::Phase::Align;
    r.init_dir = r.out_dir;
    r.out_dir = (dir / "align").string();
    experiment::run_phase(cfg, r);
  }
  ~Aligned() { fs::remove_all(dir); }
  std::vector<float> finetune(const std::string& name, const experiment::PhaseCallbacks& cb) const {
    experiment::PhaseRun r;
    r.quiet = true;
    r.phase = world::Phase::Finetune;
    r.init_dir = (dir / "align").string();
    r.out_dir = (dir / name).string();
    experiment::run_phase(cfg, r, cb);
    model::Gpt<float> gpt(cfg.model);
    model::load_model_into((dir / name / train::kModelFile).string(), gpt);
    return {gpt.params().values(), gpt.params().values() + gpt.params().size()};
  }
};

const Aligned& aligned() {
  static const Aligned a;
  return a;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

std::vector<double> unit(int C, int axis_seed) {
  std::vector<double> u(C);
  double n = 0;
  for (int c = 0; c < C; ++c) n += (u[c] = std::sin(1.0 + c * (axis_seed + 0.37))) * u[c];
  for (double& x : u) x /= std::sqrt(n);
  return u;
}

}  // namespace

TEST_CASE("capturing during fine-tuning leaves the parameters' bits unchanged", "[probe][blocking][e2e]") {
  const Aligned& a = aligned();
  const world::SafetyWorld world(a.cfg.world, 0);
  experiment::PhaseCallbacks capture;
  capture.identity = {{"variant", "captured"}};
  int captures = 0;
  capture.at_eval = [&](int64_t, model::Gpt<float>& gpt) {
    probe::capture_sites(gpt, world.probe_set(world::ProbeRole::Reversion, world::ProbePoint::Decision), probe::Position::Asst);
    ++captures;
  };
  const auto plain = a.finetune("plain", {});
  const auto captured = a.finetune("captured", capture);
  CHECK(captures == 4);
  CHECK(same_bits(plain, captured));
}

TEST_CASE("act-grad blocking with lambda = 0 is plain fine-tuning, bit for bit", "[probe][blocking]") {
  const Aligned& a = aligned();
  const world::SafetyWorld world(a.cfg.world, 0);
  probe::BlockingConfig bc;
  bc.mode = probe::BlockingMode::act_grad;
  bc.strength = 0.0;
  experiment::PhaseCallbacks cb;
  cb.identity = {{"variant", "act-grad-0"}};
  cb.attach = [&](model::Gpt<float>& gpt, train::Trainer& trainer) -> std::shared_ptr<void> {
    const int site = model::site_resid_post(a.cfg.model.layers - 1);
    auto blocker = std::make_shared<probe::Blocker>(
        bc, gpt, std::vector<int>{site}, std::vector<std::vector<double>>{unit(a.cfg.model.width, 1)},
        world.probe_set(world::ProbeRole::Block, world::ProbePoint::Decision), std::vector<std::vector<float>>{});
    blocker->install(trainer);
    return blocker;
  };
  CHECK(same_bits(a.finetune("plain0", {}), a.finetune("actgrad0", cb)));
}

TEST_CASE("param-update blocking freezes direction . mean activation to first order, and the penalty restrains it", "[probe][blocking]") {
  const Aligned& a = aligned();
  const world::SafetyWorld world(a.cfg.world, 0);
  const int L = a.cfg.model.layers, C = a.cfg.model.width;
  const int site = model::site_resid_post(L - 1);
  const model::PromptSet probe_set = world.probe_set(world::ProbeRole::Block, world::ProbePoint::Decision);
  auto functional = [&](model::Gpt<float>& gpt, const std::vector<double>& u) {
    const probe::Capture c = probe::capture_sites(gpt, probe_set, probe::Position::Asst);
    const std::vector<double> m = c.site_mean(site);
    double f = 0;
    for (int k = 0; k < C; ++k) f += m[k] * u[k];
    return f;
  };
  // The direction the update moves the functional most along: the aligned-to-pretrained shift.
  model::Gpt<float> pre(a.cfg.model), al(a.cfg.model);
  model::load_model_into((a.dir / "pretrain" / train::kModelFile).string(), pre);
  model::load_model_into((a.dir / "align" / train::kModelFile).string(), al);
  const auto mp = probe::capture_sites(pre, probe_set, probe::Position::Asst).site_mean(site);
  const auto ma = probe::capture_sites(al, probe_set, probe::Position::Asst).site_mean(site);
  std::vector<double> u(C);
  double n = 0;
  for (int k = 0; k < C; ++k) n += (u[k] = mp[k] - ma[k]) * u[k];
  for (double& x : u) x /= std::sqrt(n);

  auto change_after = [&](const std::string& mode, int steps, double strength = 1.0) {
    model::Gpt<float> gpt(a.cfg.model);
    model::load_model_into((a.dir / "align" / train::kModelFile).string(), gpt);
    const double before = functional(gpt, u);
    std::vector<std::vector<float>> aligned;
    if (mode == "penalty") {
      const probe::Capture c = probe::capture_sites(gpt, probe_set, probe::Position::Asst);
      aligned.emplace_back(c.site(site), c.site(site) + size_t(c.N) * C);
    }
    train::Optimizer opt(a.cfg.phase(world::Phase::Finetune).optimizer, gpt.params().size());
    world::PhaseData data(world, world::Phase::Finetune, a.cfg.phase(world::Phase::Finetune).batch_size);
    train::Trainer trainer(gpt, opt, a.cfg.phase(world::Phase::Finetune).schedule, steps, data);
    probe::BlockingConfig bc;
    bc.mode = settings::parse_name<probe::BlockingMode>(mode == "plain" ? "param-update" : mode, "mode");
    bc.penalty_weight = 1000.0;
    bc.strength = strength;
    probe::Blocker blocker(bc, gpt, {site}, {u}, probe_set, aligned);
    if (mode != "plain") blocker.install(trainer);
    while (!trainer.done()) trainer.step();
    return functional(gpt, u) - before;
  };
  const double plain = change_after("plain", 1), blocked = change_after("param-update", 1);
  INFO("change of u . mean h after one step: plain " << plain << ", blocked " << blocked);
  CHECK(std::abs(plain) > 1e-3);
  CHECK(std::abs(blocked) < 0.05 * std::abs(plain));
  // lambda = 2 reflects the update's component along g: to first order the functional moves back
  // by as much as plain moves it forward (the second-order terms, the same sign both ways, make it
  // about 0.7 of plain here).
  const double reflected = change_after("param-update", 1, 2.0);
  INFO("lambda = 2: " << reflected);
  CHECK(reflected * plain < 0);
  CHECK(std::abs(reflected) > 0.5 * std::abs(plain));

  // The penalty has no gradient at the aligned point, so it acts from the second step on.
  const double plain5 = change_after("plain", 5), penalty5 = change_after("penalty", 5);
  INFO("after five steps: plain " << plain5 << ", penalty " << penalty5);
  CHECK(std::abs(penalty5) < 0.5 * std::abs(plain5));
}

TEST_CASE("projecting out a direction twice equals projecting once", "[probe][blocking]") {
  std::vector<float> x(37);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::cos(0.3 * i) * 2.0f;
  const std::vector<double> u = unit(37, 4);
  probe::project_out(x.data(), u.data(), 37, 1.0);
  std::vector<float> twice = x;
  probe::project_out(twice.data(), u.data(), 37, 1.0);
  double along = 0;
  for (int i = 0; i < 37; ++i) along += x[i] * u[i];
  CHECK(std::abs(along) < 1e-6);
  for (int i = 0; i < 37; ++i) CHECK(twice[i] == Approx(x[i]).margin(1e-6));
}

TEST_CASE("first-update: the whole step is the plain arm's step 1, and its groups partition it and add up",
          "[probe][blocking]") {
  const Aligned& a = aligned();
  const world::SafetyWorld world(a.cfg.world, 0);
  experiment::Config cfg = a.cfg;
  cfg.phase(world::Phase::Finetune).steps = 1;
  cfg.phase(world::Phase::Finetune).eval_steps = {0, 1};
  const std::string pre = (a.dir / "pretrain").string(), al = (a.dir / "align").string();
  const experiment::FirstUpdate u = experiment::first_update(cfg, world, pre, al);

  // The same step taken by the phase runner, measured independently.
  experiment::PhaseRun r;
  r.quiet = true;
  r.phase = world::Phase::Finetune;
  r.init_dir = al;
  r.out_dir = (a.dir / "one-step").string();
  experiment::run_phase(cfg, r);
  const int site = cfg.probe.site_index(cfg.model.layers);
  const model::PromptSet prompts = world.probe_set(world::ProbeRole::Reversion, world::ProbePoint::Decision);
  auto capture = [&](const std::string& dir) {
    model::Gpt<float> gpt(cfg.model);
    model::load_model_into((fs::path(dir) / train::kModelFile).string(), gpt);
    return probe::capture_sites(gpt, prompts, cfg.probe.position);
  };
  const probe::Capture p = capture(pre), before = capture(al), after = capture(r.out_dir);
  const std::vector<double> v = probe::diff_means(p.site(site), before.site(site), p.N, p.C);
  CHECK(u.alignment == Approx(probe::cosine(probe::mean_drift(before.site(site), after.site(site), p.N, p.C), v))
                           .margin(1e-9));

  size_t parameters = 0;
  double update_share = 0;
  for (const experiment::UpdateGroup& g : u.groups) parameters += g.parameters, update_share += g.update_share;
  model::Gpt<float> gpt(cfg.model);
  CHECK(parameters == gpt.params().size());
  CHECK(update_share == Approx(1.0).margin(1e-6));
  // The drift is linear in the update to first order: the groups' projections add up to the
  // whole step's alignment.
  INFO("alignment " << u.alignment << ", groups' sum " << u.groups_along_v_rev);
  CHECK(u.groups_along_v_rev == Approx(u.alignment).margin(0.15));
  CHECK(u.groups.front().name.rfind("wte", 0) == 0);
}

TEST_CASE("the readout direction is the gradient of logit(SURE) - logit(SORRY) at the probe site", "[probe][readout]") {
  const experiment::Config cfg = experiment::load_config(kTiny);
  const world::SafetyWorld world(cfg.world, 0);
  model::Gpt<float> gpt(cfg.model);
  gpt.init(5);
  const model::PromptSet prompts = world.probe_set(world::ProbeRole::Reversion, world::ProbePoint::Decision);
  const int32_t up = world.decision_tokens()->first, down = world.decision_tokens()->second;  // a lambda captures them
  const std::vector<std::vector<double>> r = probe::readout_directions(gpt, prompts, up, down);
  REQUIRE(r.size() == size_t(model::num_sites(cfg.model.layers)));
  for (size_t j = 0; j < gpt.params().size(); ++j) REQUIRE(gpt.params().grads()[j] == 0.0f);  // left clean

  // The mean logit difference over the prompts, with `shift` added to channel c of every prompt's
  // activation at the probe position of site s (a forward hook).
  const int N = prompts.count, T = prompts.length, V = cfg.model.vocab_size, C = cfg.model.width;
  auto mean_difference = [&](int s, int c, float shift) {
    model::ScopedHook<float> hook(gpt, model::HookKind::Forward, s, [&](float* h, const Shape&) {
      for (int b = 0; b < N; ++b) h[(size_t(b) * T + prompts.position(b)) * C + c] += shift;
    });
    autograd::Tape<float> tape;
    autograd::NoGrad<float> no_grad(tape);
    const float* logits = tape.value(gpt.forward(tape, prompts.tokens.data(), N, T));
    double sum = 0;
    for (int b = 0; b < N; ++b) {
      const size_t row = (size_t(b) * T + prompts.position(b)) * V;
      sum += double(logits[row + up]) - logits[row + down];
    }
    return sum / N;
  };
  const float eps = 1e-2f;
  for (int s : {0, model::num_sites(cfg.model.layers) - 1})
    for (int c : {0, 17, C - 1}) {
      INFO("site " << s << ", channel " << c);
      const double numeric = (mean_difference(s, c, eps) - mean_difference(s, c, -eps)) / (2 * eps);
      CHECK(r[s][c] == Approx(numeric).margin(1e-2 * (1 + std::abs(numeric))));  // float central differences
    }
  // Projecting r out of both vectors leaves a cosine of vectors orthogonal to r.
  const std::vector<double> v(C, 1.0), drift = r.back();
  CHECK(probe::cosine_without(drift, v, r.back()) == 0.0);
}
