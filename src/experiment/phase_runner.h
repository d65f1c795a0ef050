#pragma once
// Runs one training phase of the config's world as a resumable unit: it writes a checkpoint
// directory (model, optimizer, state) and metrics.jsonl, evaluates behaviour at the configured
// steps, and is skipped when its outputs exist and were made from the same inputs (the hash of
// the model, world and phase settings, the seed, the parent checkpoint and the caller's identity).
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/communicator.h"
#include "experiment/config.h"
#include "model/gpt.h"
#include "train/trainer.h"
#include "world/world.h"

namespace vrev::experiment {

struct PhaseCallbacks {
  // Once the model and trainer exist, before the first step: install hooks, projections.
  std::function<void(model::Gpt<float>& model, train::Trainer& trainer)> setup;
  // After setup: what it returns lives until the phase ends, on every path (exceptions included),
  // and is destroyed before the model and trainer: the owner of hooks on them (a probe::Blocker).
  std::function<std::shared_ptr<void>(model::Gpt<float>& model, train::Trainer& trainer)> attach;
  // At every evaluation step s (after s updates; s = 0 is before the first), after behaviour.
  std::function<void(int64_t step, model::Gpt<float>& model)> at_eval;
  // The phase's data, when it is not the world's examples of the phase (a teacher's answers).
  std::function<std::unique_ptr<train::BatchSource>(const world::World& world, int batch_size)> data;
  // Whatever else decides the outcome (an arm's blocking settings); part of the phase's hash.
  settings::Json identity = settings::Json::object();
};

struct PhaseRun {
  world::Phase phase = world::Phase::Pretrain;
  uint64_t seed = 0;
  std::string init_dir;  // the parent checkpoint; required for every phase but the history's first
  // A fresh model's initialisation seed, when it is not `seed` (the other-init teacher: the same
  // data from another initialisation).
  std::optional<uint64_t> init_seed;
  std::string out_dir;
  // Which independent copy of the phase's data stream it trains on (world::PhaseData): the
  // control runs of one seed are replicas 0, 1, ...
  int replica = 0;
  bool quiet = false;    // no progress bar
  // The ranks that share each step's micro-shards (data-parallel training, docs/mpi.md). Every
  // rank trains the same bits; rank 0 alone evaluates and writes the directory.
  const comm::Communicator* data_parallel = &comm::Communicator::self();
  // A store of finished phases by the hash of their inputs ("" for none): a phase found there is
  // linked into out_dir instead of trained, and a phase trained here is added to it. How a sweep
  // trains a history once for all its points when only later settings vary. Only for phases
  // without callbacks (their outputs are the checkpoint directory alone).
  std::string store_dir;
};

struct PhaseOutcome {
  bool skipped = false;       // outputs existed with the same hash
  double seconds = 0;         // wall time of the phase (summed over resumes)
  settings::Json final_metrics;  // behaviour after the last step
};

PhaseOutcome run_phase(const Config& cfg, const PhaseRun& run, const PhaseCallbacks& callbacks = {});
// The outcome of a phase that has finished in `dir` (skipped = true), as run_phase left it.
PhaseOutcome finished_phase(const std::string& dir);

}  // namespace vrev::experiment
