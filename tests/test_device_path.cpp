// Training through the device path gives the CPU's bits. The emulated device (kernels/backend.h:
// the CUDA kernels' grids run as host loops, on memory of its own, with explicit copies) trains
// a short run against the CPU's, hard and soft targets, AdamW and SGD, allocates nothing after its
// first step, refuses what it does not support, and trains the pinned tiny history to the pinned
// SHA-256 sums (tests/determinism/pinned.sha256).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "alloc_counter.h"
#include "experiment/config.h"
#include "experiment/pinned_history.h"
#include "kernels/backend.h"
#include "probe/blocking.h"
#include "test_helpers.h"
#include "train/trainer.h"

using namespace vrev;

namespace {

// FixedBatches with a target distribution per position: most weight on the hard target, the
// rest spread over the vocabulary.
class SoftBatches : public train::BatchSource {
 public:
  SoftBatches(int B, int T, int V) : hard_(B, T, V), V_(V) {}
  void fill(int64_t step, train::Batch& batch) override {
    hard_.fill(step, batch);
    batch.soft_targets.assign(batch.targets.size() * V_, 0.1f / V_);
    for (size_t i = 0; i < batch.targets.size(); ++i) batch.soft_targets[i * V_ + batch.targets[i]] += 0.9f;
  }

 private:
  test::FixedBatches hard_;
  int V_;
};

// Three prompts of the test vocabulary, read at different positions.
model::PromptSet probe_prompts() {
  model::PromptSet p;
  p.count = 3;
  p.length = 8;
  p.positions = {7, 3, 5};
  for (int i = 0; i < p.count * p.length; ++i) p.tokens.push_back((i * 7 + 2) % 11);
  return p;
}

// A short run on a backend: the parameters, both moments and every step's loss, from the host.
struct Trained {
  std::vector<float> params, m, v;
  std::vector<double> losses;
};

// With `blocking`, the run blocks two sites' directions in that mode.
Trained train_on(const kernels::Backend& backend, train::BatchSource& data, train::OptimizerKind kind, int steps,
                 const probe::BlockingConfig* blocking = nullptr) {
  model::Gpt<float> gpt({11, 8, 2, 16, 2});
  train::OptimizerConfig oc;
  oc.name = kind;
  train::Optimizer opt(oc, gpt.params().size());
  train::ScheduleConfig schedule;
  schedule.lr = 3e-3;
  train::Trainer trainer(gpt, opt, schedule, steps, data, {}, backend);
  gpt.init(7);
  std::optional<probe::Blocker> blocker;
  if (blocking) {
    std::vector<std::vector<double>> directions(2, std::vector<double>(16));
    for (int c = 0; c < 16; ++c) {
      directions[0][c] = std::cos(c + 1.0);
      directions[1][c] = std::sin(3.0 * c);
    }
    blocker.emplace(*blocking, gpt, std::vector<int>{2, 4}, directions, probe_prompts(),
                    std::vector<std::vector<float>>{});
    blocker->install(trainer);
  }
  Trained t;
  while (!trainer.done()) t.losses.push_back(trainer.step().loss);
  trainer.copy_to_host();
  t.params.assign(gpt.params().values(), gpt.params().values() + gpt.params().size());
  t.m = opt.first_moment();
  t.v = opt.second_moment();
  return t;
}

// Training runs on `backend` for the guard's scope.
struct SelectedBackend {
  explicit SelectedBackend(const kernels::Backend& backend) { kernels::select_backend(backend); }
  ~SelectedBackend() { kernels::select_backend(kernels::cpu_backend()); }
};

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("the emulated device trains the CPU's bits: hard and soft targets, AdamW and SGD", "[device]") {
  test::FixedBatches hard(4, 8, 11);
  SoftBatches soft(4, 8, 11);
  for (train::BatchSource* data : {static_cast<train::BatchSource*>(&hard), static_cast<train::BatchSource*>(&soft)})
    for (const train::OptimizerKind kind : {train::OptimizerKind::adamw, train::OptimizerKind::sgd}) {
      const Trained cpu = train_on(kernels::cpu_backend(), *data, kind, 12);
      const Trained device = train_on(kernels::emulated_device(), *data, kind, 12);
      CHECK(device.losses == cpu.losses);
      CHECK(same_bits(device.params, cpu.params));
      CHECK(same_bits(device.m, cpu.m));
      CHECK(same_bits(device.v, cpu.v));
    }
}

TEST_CASE("the emulated device blocks with the CPU's bits: act-grad and param-update at two sites", "[device]") {
  test::FixedBatches data(4, 8, 11);
  for (const probe::BlockingMode mode : {probe::BlockingMode::act_grad, probe::BlockingMode::param_update}) {
    probe::BlockingConfig blocking;
    blocking.mode = mode;
    blocking.strength = 1.5;
    const Trained cpu = train_on(kernels::cpu_backend(), data, train::OptimizerKind::adamw, 6, &blocking);
    const Trained device = train_on(kernels::emulated_device(), data, train::OptimizerKind::adamw, 6, &blocking);
    const Trained plain = train_on(kernels::cpu_backend(), data, train::OptimizerKind::adamw, 6);
    INFO(settings::name_of(mode));
    CHECK(!same_bits(cpu.params, plain.params));  // the block acts
    CHECK(same_bits(device.params, cpu.params));
    CHECK(device.losses == cpu.losses);
  }
}

TEST_CASE("after the first step a step on the emulated device allocates nothing", "[device][memory]") {
  model::Gpt<float> gpt({11, 8, 2, 16, 2});
  train::Optimizer opt(train::OptimizerConfig{}, gpt.params().size());
  test::FixedBatches data(4, 8, 11);
  train::Trainer trainer(gpt, opt, train::ScheduleConfig{}, 6, data, {}, kernels::emulated_device());
  trainer.step();
  trainer.step();
  const long before = test::heap_allocations();
  const size_t arena_before = trainer.tape().allocations();
  for (int i = 0; i < 4; ++i) trainer.step();
  if (before >= 0)
    CHECK(test::heap_allocations() == before);
  else
    WARN("heap allocations are not counted in this (sanitizer) build; only the tape's arenas are checked");
  CHECK(trainer.tape().allocations() == arena_before);
}

TEST_CASE("training on a device refuses micro-shards and an extra gradient, naming them", "[device]") {
  model::Gpt<float> gpt({11, 8, 2, 16, 2});
  train::Optimizer opt(train::OptimizerConfig{}, gpt.params().size());
  test::FixedBatches data(4, 8, 11);
  CHECK_THROWS_WITH(train::Trainer(gpt, opt, train::ScheduleConfig{}, 2, data, {2}, kernels::emulated_device()),
                    Catch::Contains("micro-shards (shards = 2) are not supported"));
  train::Trainer trainer(gpt, opt, train::ScheduleConfig{}, 2, data, {}, kernels::emulated_device());
  trainer.extra_gradient = [] { return 0.0; };
  CHECK_THROWS_WITH(trainer.step(), Catch::Contains("the penalty (blocking.mode=penalty) does not run on the "
                                                    "emulated device"));
}

TEST_CASE("the emulated device trains the pinned tiny history to its pinned SHA-256 sums", "[device][pinned]") {
  const std::string source = VREV_SOURCE_DIR;
  std::ifstream pinned(source + "/tests/determinism/pinned.sha256");
  std::stringstream want;
  want << pinned.rdbuf();
  const std::filesystem::path dir = test::temp_dir("device_pinned");
  const SelectedBackend device(kernels::emulated_device());
  const std::string got = experiment::train_pinned_history(source + "/configs/tiny.json", dir.string());
  std::filesystem::remove_all(dir);
  CHECK(got == want.str());
}

TEST_CASE("kernels.device=cuda in a build without CUDA, or on a command that runs on the CPU, is a one-line error",
          "[device][cli]") {
  const std::string tiny = std::string(VREV_SOURCE_DIR) + "/configs/tiny.json";
  const std::string no_cuda = "this vrev was built without CUDA: build it with `make cuda` (docs/cuda.md)";
  for (const std::string& command : {"train --config " + tiny + " --phase pretrain --out /nonexistent --device cuda",
                                     std::string("bench --device cuda"), std::string("selftest --device cuda")}) {
    const test::CommandResult r = test::run_vrev(command);
    INFO(command << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find(no_cuda) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  const test::CommandResult set =
      test::run_vrev("init --config " + tiny + " --out /nonexistent --set kernels.device=cuda");
  CHECK(set.exit_code == 1);
  CHECK(set.err.find("kernels.device=cuda is not supported by this command yet") != std::string::npos);
}

TEST_CASE("a config that trains on a device names the settings the device path does not support", "[device]") {
  const std::string tiny = std::string(VREV_SOURCE_DIR) + "/configs/tiny.json";
  CHECK_THROWS_WITH(experiment::load_config(tiny, {"kernels.device=cuda", "pretrain.shards=2"}),
                    Catch::Contains("'pretrain.shards' is 2: micro-shards do not run on kernels.device=cuda"));
  CHECK_THROWS_WITH(
      experiment::load_config(tiny,
                              {"kernels.device=cuda", "blocking.mode=penalty", "reproduce.arms=[\"block-vrev\"]"}),
      Catch::Contains(
          "arm 'block-vrev' blocks with 'blocking.mode' penalty, which does not run on kernels.device=cuda"));
  CHECK_NOTHROW(
      experiment::load_config(tiny, {"kernels.device=cuda", "blocking.mode=penalty", "reproduce.arms=[\"plain\"]"}));
}
