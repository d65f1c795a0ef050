// Training through the device path gives the CPU's bits. The emulated device (kernels/backend.h:
// the CUDA kernels' grids run as host loops, on memory of its own, with explicit copies) trains
// a short run against the CPU's, hard and soft targets, AdamW and SGD, allocates nothing after its
// first step, refuses what it does not support, and trains the pinned tiny history to the pinned
// SHA-256 sums (tests/determinism/pinned.sha256). Generation and every world's evaluation on the
// emulated device give the CPU's tokens, logits and metrics.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "alloc_counter.h"
#include "experiment/config.h"
#include "experiment/phase_runner.h"
#include "experiment/pinned_history.h"
#include "model/generate.h"
#include "kernels/backend.h"
#include "probe/blocking.h"
#include "test_helpers.h"
#include "train/trainer.h"
#include "world/world.h"

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

// With `blocking`, the run blocks two sites' directions in that mode; `shards` micro-shards a batch.
Trained train_on(const kernels::Backend& backend, train::BatchSource& data, train::OptimizerKind kind, int steps,
                 const probe::BlockingConfig* blocking = nullptr, int shards = 1) {
  model::Gpt<float> gpt({11, 8, 2, 16, 2});
  train::OptimizerConfig oc;
  oc.name = kind;
  train::Optimizer opt(oc, gpt.params().size());
  train::ScheduleConfig schedule;
  schedule.lr = 3e-3;
  train::Trainer trainer(gpt, opt, schedule, steps, data, {shards}, backend);
  gpt.init(7);
  std::optional<probe::Blocker> blocker;
  if (blocking) {
    std::vector<std::vector<double>> directions(2, std::vector<double>(16));
    for (int c = 0; c < 16; ++c) {
      directions[0][c] = std::cos(c + 1.0);
      directions[1][c] = std::sin(3.0 * c);
    }
    // The penalty's aligned activations: one row of C per probe prompt and site.
    std::vector<std::vector<float>> aligned(2, std::vector<float>(3 * 16));
    for (size_t i = 0; i < aligned[0].size(); ++i) {
      aligned[0][i] = 0.1f * std::cos(0.5 * i);
      aligned[1][i] = 0.2f * std::sin(0.3 * i);
    }
    blocker.emplace(*blocking, gpt, std::vector<int>{2, 4}, directions, probe_prompts(), aligned);
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

// A model of config `mc` initialised from `seed`, placed on `backend` with its parameters sent there.
std::unique_ptr<model::Gpt<float>> model_on(const kernels::Backend& backend, const model::ModelConfig& mc,
                                            uint64_t seed) {
  auto gpt = std::make_unique<model::Gpt<float>>(mc);
  gpt->init(seed);
  gpt->place_on(backend);
  gpt->upload();
  return gpt;
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

TEST_CASE("the emulated device trains micro-shards with the CPU's bits", "[device]") {
  test::FixedBatches hard(4, 8, 11);
  SoftBatches soft(4, 8, 11);
  for (train::BatchSource* data : {static_cast<train::BatchSource*>(&hard), static_cast<train::BatchSource*>(&soft)})
    for (const int shards : {2, 4}) {
      const Trained cpu = train_on(kernels::cpu_backend(), *data, train::OptimizerKind::adamw, 6, nullptr, shards);
      const Trained device =
          train_on(kernels::emulated_device(), *data, train::OptimizerKind::adamw, 6, nullptr, shards);
      const Trained whole = train_on(kernels::cpu_backend(), *data, train::OptimizerKind::adamw, 6);
      INFO(shards << " shards");
      CHECK(!same_bits(cpu.params, whole.params));  // shards sum in another order than one batch
      CHECK(device.losses == cpu.losses);
      CHECK(same_bits(device.params, cpu.params));
      CHECK(same_bits(device.m, cpu.m));
      CHECK(same_bits(device.v, cpu.v));
    }
}

TEST_CASE("the emulated device blocks with the CPU's bits: act-grad, param-update and penalty at two sites",
          "[device]") {
  test::FixedBatches data(4, 8, 11);
  for (const probe::BlockingMode mode :
       {probe::BlockingMode::act_grad, probe::BlockingMode::param_update, probe::BlockingMode::penalty}) {
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

TEST_CASE("generation on the emulated device gives the CPU's tokens and logits: greedy, sampled, allowed tokens",
          "[device][generate]") {
  const model::ModelConfig mc{11, 8, 2, 16, 2};
  const auto cpu = model_on(kernels::cpu_backend(), mc, 5);
  const auto device = model_on(kernels::emulated_device(), mc, 5);
  REQUIRE(&device->generation_backend() == &kernels::emulated_device());
  REQUIRE(&cpu->generation_backend() == &kernels::cpu_backend());
  const int B = 3, P = 3;
  std::vector<int32_t> prompts(B * P);
  for (int i = 0; i < B * P; ++i) prompts[i] = (i * 5 + 1) % 11;
  model::GenerateOptions greedy;
  greedy.max_new_tokens = mc.context - P + 1;  // up to the last position
  model::GenerateOptions sampled = greedy;
  sampled.temperature = 1.5;
  sampled.top_k = 6;
  sampled.seed = 9;
  model::GenerateOptions allowed = greedy;
  allowed.allowed_tokens = {4, 2, 9, 7};
  allowed.stop_token = 9;
  for (const model::GenerateOptions& opt : {greedy, sampled, allowed}) {
    const model::Generation want = model::generate(*cpu, prompts.data(), B, P, opt);
    const model::Generation got = model::generate(*device, prompts.data(), B, P, opt);
    CHECK(got.tokens == want.tokens);
    CHECK(same_bits(got.first_logits, want.first_logits));
  }
}

TEST_CASE("a model placed on the emulated device generates on the CPU until its parameters are sent up",
          "[device][generate]") {
  model::Gpt<float> gpt({11, 8, 2, 16, 2});
  gpt.init(5);
  gpt.place_on(kernels::emulated_device());  // as a trainer does before its first step
  CHECK(&gpt.generation_backend() == &kernels::cpu_backend());
  CHECK(gpt.generation_values() == gpt.params().values());
  gpt.upload();
  CHECK(&gpt.generation_backend() == &kernels::emulated_device());
}

TEST_CASE("every world's evaluation on the emulated device gives the CPU's metrics", "[device][generate]") {
  const std::string source = VREV_SOURCE_DIR, configs = source + "/configs/";
  // Each tiny config with smaller evaluation sets, so that the emulated device takes seconds.
  const std::vector<std::string> safety = {"world.safety.harm_eval=8", "world.safety.benign_eval=4",
                                           "world.safety.neglected_eval=8"};
  std::vector<std::string> unlearning = safety;
  unlearning.push_back("world.kind=unlearning");
  const std::vector<std::pair<std::string, std::vector<std::string>>> worlds = {
      {"tiny.json", safety},
      {"tiny.json", unlearning},
      {"trait-tiny.json", {"world.trait.eval=32", "world.trait.seq_eval=16"}},
      {"image-tiny.json",
       {"world.image.glyphs=" + source + "/data/glyphs", "world.image.samples=4", "world.image.task_samples=2",
        "world.image.nll_images=4"}}};
  for (const auto& [file, sets] : worlds) {
    const experiment::Config cfg = experiment::load_config(configs + file, sets);
    const std::unique_ptr<world::World> w = world::make_world(cfg.world, 3);
    const world::Metrics want = w->evaluate(*model_on(kernels::cpu_backend(), cfg.model, 3));
    const world::Metrics got = w->evaluate(*model_on(kernels::emulated_device(), cfg.model, 3));
    INFO(file << ", world " << settings::name_of(cfg.world.kind));
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      INFO(want[i].name);
      CHECK(got[i].name == want[i].name);
      CHECK(std::memcmp(&got[i].value, &want[i].value, sizeof(double)) == 0);
    }
  }
}

TEST_CASE("a phase trained on the emulated device evaluates to the CPU's metrics, before and after its first step",
          "[device][generate]") {
  const experiment::Config cfg = experiment::load_config(
      std::string(VREV_SOURCE_DIR) + "/configs/tiny.json",
      {"pretrain.steps=4", "pretrain.batch_size=8", "pretrain.eval_steps=[0,2,4]", "pretrain.log_every=2",
       "pretrain.checkpoint_every=0", "world.safety.harm_eval=8", "world.safety.benign_eval=4",
       "world.safety.neglected_eval=8"});
  const std::filesystem::path dir = test::temp_dir("device_evaluations");
  std::vector<settings::Json> behaviour[2];  // each evaluation's metrics: on the CPU, on the device
  for (int i = 0; i < 2; ++i) {
    const SelectedBackend selected(i == 0 ? kernels::cpu_backend() : kernels::emulated_device());
    experiment::PhaseRun run;
    run.seed = 3;
    run.quiet = true;
    run.out_dir = (dir / (i == 0 ? "cpu" : "device")).string();
    experiment::run_phase(cfg, run);
    std::ifstream metrics(run.out_dir + "/metrics.jsonl");
    for (std::string line; std::getline(metrics, line);)
      if (const settings::Json j = settings::Json::parse(line); j.contains("behaviour"))
        behaviour[i].push_back(j["behaviour"]);
  }
  std::filesystem::remove_all(dir);
  CHECK(behaviour[0].size() == 3);  // steps 0 (before anything is sent up), 2 and 4
  CHECK(behaviour[1] == behaviour[0]);
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
  // eval and sample generate on the device: the same error, after the checkpoint is read.
  const std::filesystem::path dir = test::temp_dir("device_cli");
  const std::string ckpt = (dir / "pretrain").string();
  REQUIRE(test::run_vrev("train --config " + tiny + " --phase pretrain --out " + ckpt +
                         " --set pretrain.steps=1 --threads 1")
              .exit_code == 0);
  for (const std::string& command :
       {"eval --ckpt " + ckpt + " --device cuda", "sample --ckpt " + ckpt + " --prompt 'USER h3 ASST' --device cuda"}) {
    const test::CommandResult r = test::run_vrev(command);
    INFO(command << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find(no_cuda) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  CHECK(test::run_vrev("eval --ckpt " + ckpt + " --device cpu --threads 1").exit_code == 0);
  std::filesystem::remove_all(dir);
  const test::CommandResult set =
      test::run_vrev("init --config " + tiny + " --out /nonexistent --set kernels.device=cuda");
  CHECK(set.exit_code == 1);
  CHECK(set.err.find("kernels.device=cuda is not supported by this command yet") != std::string::npos);
}

TEST_CASE("a config that trains on a device takes micro-shards and the penalty mode", "[device]") {
  const std::string tiny = std::string(VREV_SOURCE_DIR) + "/configs/tiny.json";
  CHECK_NOTHROW(experiment::load_config(tiny, {"kernels.device=cuda", "pretrain.shards=2"}));
  CHECK_NOTHROW(experiment::load_config(
      tiny, {"kernels.device=cuda", "blocking.mode=penalty", "reproduce.arms=[\"block-vrev\"]"}));
}

TEST_CASE("several units at once on a device is a one-line error saying why and what to do", "[device][cli]") {
  const std::string tiny = std::string(VREV_SOURCE_DIR) + "/configs/tiny.json";
  const test::CommandResult r =
      test::run_vrev("reproduce --config " + tiny + " --out /nonexistent --jobs 2 --device cuda");
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("--jobs 2 with kernels.device=cuda: a device trains one unit at a time (its kernels share one "
                   "scratch buffer): use --jobs 1, or kernels.device=cpu to run units at once") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}
