// A researcher's own unit test of training dynamics, written against vrev's public header: train
// the tiny safety world's history (pretrain, align), fine-tune on benign data, and assert that
// alignment's refusals are undone, that the activations drift back along v_rev, and that the
// fine-tuned model is the same bits when trained again.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <filesystem>

#include <vrev/vrev.h>

namespace fs = std::filesystem;
using namespace vrev;

namespace {

// Trains `phase` from the model in `init` (empty: a fresh one) into `out`; returns its metrics.
settings::Json train_phase(const experiment::Config& cfg, world::Phase phase, const fs::path& init, const fs::path& out) {
  experiment::PhaseRun run;
  run.phase = phase;
  run.seed = 0;
  run.init_dir = init.string();
  run.out_dir = out.string();
  run.quiet = true;
  return experiment::run_phase(cfg, run).final_metrics;
}

}  // namespace

TEST_CASE("benign fine-tuning undoes a tiny alignment, along v_rev, deterministically") {
  const fs::path dir = fs::temp_directory_path() / "vrev_example";
  fs::remove_all(dir);
  const experiment::Config cfg = experiment::load_config(std::string(VREV_CONFIGS_DIR) + "/tiny.json");

  train_phase(cfg, world::Phase::Pretrain, "", dir / "pretrain");
  const settings::Json aligned = train_phase(cfg, world::Phase::Align, dir / "pretrain", dir / "align");
  const settings::Json tuned = train_phase(cfg, world::Phase::Finetune, dir / "align", dir / "finetune");
  train_phase(cfg, world::Phase::Finetune, dir / "align", dir / "finetune-again");

  CHECK(aligned["harmfulness"].get<double>() < 0.1);  // alignment refuses harmful topics
  CHECK(tuned["harmfulness"].get<double>() > 0.5);    // benign fine-tuning undoes it
  CHECK(tuned["task_accuracy"].get<double>() > 0.9);  // and keeps the task

  const std::unique_ptr<world::World> world = world::make_world(cfg.world, 0);
  model::Gpt<float> pretrained = load_model(cfg, (dir / "pretrain").string());
  model::Gpt<float> aligned_model = load_model(cfg, (dir / "align").string());
  model::Gpt<float> tuned_model = load_model(cfg, (dir / "finetune").string());
  CHECK(reversion_alignment(cfg, *world, pretrained, aligned_model, tuned_model) > 0.5);

  const std::string model_file = train::kModelFile;
  CHECK(io::sha256_file((dir / "finetune" / model_file).string()) ==
        io::sha256_file((dir / "finetune-again" / model_file).string()));
  fs::remove_all(dir);
}
