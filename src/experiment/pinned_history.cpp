// The pinned tiny history, trained in one process (experiment/pinned_history.h).
#include "experiment/pinned_history.h"

#include <filesystem>

#include "core/io.h"
#include "experiment/phase_runner.h"

namespace vrev::experiment {

namespace fs = std::filesystem;

std::string train_pinned_history(const std::string& tiny_json, const std::string& dir) {
  // The settings of tests/determinism/pinned_history.sh.
  const Config cfg = load_config(tiny_json, {"pretrain.steps=120", "pretrain.checkpoint_every=0", "align.steps=20",
                                             "finetune.steps=6", "finetune.eval_steps=[0,3,6]"});
  PhaseRun run;
  run.seed = 7;
  run.quiet = true;
  for (const world::Phase phase : {world::Phase::Pretrain, world::Phase::Align, world::Phase::Finetune}) {
    run.phase = phase;
    run.init_dir = run.out_dir;
    run.out_dir = (fs::path(dir) / world::phase_name(phase)).string();
    run_phase(cfg, run);
  }
  std::string sums;
  for (const char* file : {"pretrain/model.safetensors", "align/model.safetensors", "finetune/model.safetensors",
                           "finetune/optim.safetensors"})
    sums += io::sha256_file((fs::path(dir) / file).string()) + "  " + file + "\n";
  return sums;
}

}  // namespace vrev::experiment
