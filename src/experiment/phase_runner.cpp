// The phase runner: train, log, evaluate, checkpoint, resume.
#include "experiment/phase_runner.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>
#include <system_error>

#include <unistd.h>

#include "core/io.h"
#include "core/progress.h"
#include "experiment/metrics_log.h"
#include "kernels/cpu/kernels.h"
#include "model/model_file.h"
#include "model/parameter_distance.h"
#include "train/checkpoint.h"
#include "world/phase_data.h"

namespace vrev::experiment {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string parent_hash(const world::World& world, const PhaseRun& run) {
  const char* name = world::phase_name(run.phase);
  const std::optional<world::Phase> parent_phase = world::parent_phase(world, run.phase);
  if (!parent_phase) {
    VREV_CHECK(run.init_dir.empty(), "phase ", name, " starts from a fresh model: it takes no --init");
    return "";
  }
  const std::string need = world::phase_name(*parent_phase);
  VREV_CHECK(!run.init_dir.empty(), "phase ", name, " needs --init, a checkpoint of phase ", need);
  const train::CheckpointState parent = train::read_checkpoint_state(run.init_dir);
  VREV_CHECK(parent.phase == need, "--init ", run.init_dir, " is a checkpoint of phase ", parent.phase, ", but ",
             name, " starts from phase ", need);
  VREV_CHECK(parent.step == parent.total_steps, "--init ", run.init_dir, " is unfinished (step ", parent.step, " of ",
             parent.total_steps, ")");
  return io::sha256_file((fs::path(run.init_dir) / train::kModelFile).string());
}

// The files of a checkpoint directory (no subdirectories) into `to`, as hard links where the file
// system allows (every file is replaced by rename, never written in place) and copies where not.
void link_files(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  for (const fs::directory_entry& e : fs::directory_iterator(from)) {
    if (!e.is_regular_file()) continue;
    const fs::path target = to / e.path().filename();
    fs::remove(target);
    std::error_code linked;
    fs::create_hard_link(e.path(), target, linked);
    if (linked) fs::copy_file(e.path(), target);
  }
}

// A finished phase into the store as <store>/<hash>, complete or not at all (a rename).
void add_to_store(const std::string& store, const std::string& hash, const std::string& dir) {
  const fs::path entry = fs::path(store) / hash;
  if (fs::exists(entry)) return;
  const fs::path partial = fs::path(store) / (hash + ".partial-" + std::to_string(::getpid()));
  fs::remove_all(partial);
  link_files(dir, partial);
  std::error_code renamed;
  fs::rename(partial, entry, renamed);
  if (renamed) fs::remove_all(partial);  // another process stored it first
}

}  // namespace

PhaseOutcome finished_phase(const std::string& dir) {
  const train::CheckpointState state = train::read_checkpoint_state(dir);
  VREV_CHECK(state.step == state.total_steps, dir, ": the ", state.phase, " phase is unfinished (step ", state.step,
             " of ", state.total_steps, ")");
  PhaseOutcome outcome;
  outcome.skipped = true;
  outcome.seconds = state.extra.value("seconds", 0.0);
  outcome.final_metrics = state.extra.value("final", settings::Json::object());
  return outcome;
}

PhaseOutcome run_phase(const Config& cfg, const PhaseRun& run, const PhaseCallbacks& callbacks) {
  cfg.check_world_fits();
  const char* name = world::phase_name(run.phase);
  const PhaseConfig& pc = cfg.phase(name);
  const std::unique_ptr<world::World> world = world::make_world(cfg.world, run.seed);
  const std::string parent_sha = parent_hash(*world, run);
  // The GEMM backend is part of the hash (openblas gives other bits); the instruction set is not.
  settings::Json inputs = {{"gemm", settings::name_of(cfg.kernels.gemm)},
                           {"model", settings::write(cfg.model)},
                           {"world", settings::write(cfg.world)},
                           {"phase", name},
                           {"settings", settings::write(pc)},
                           {"seed", run.seed},
                           {"parent_sha256", parent_sha},
                           {"identity", callbacks.identity}};
  if (run.init_seed) inputs["init_seed"] = *run.init_seed;
  if (run.replica != 0) inputs["replica"] = run.replica;  // replica 0 keeps the hash a lone run has
  const std::string hash = json_hash(inputs);

  VREV_ASSERT(run.store_dir.empty() || (!callbacks.setup && !callbacks.attach && !callbacks.at_eval && !callbacks.data));
  const bool stored = !run.store_dir.empty() && train::checkpoint_exists((fs::path(run.store_dir) / hash).string());
  if (stored && !(train::checkpoint_exists(run.out_dir) && train::read_checkpoint_state(run.out_dir).config_hash == hash))
    link_files(fs::path(run.store_dir) / hash, run.out_dir);

  PhaseOutcome outcome;
  train::CheckpointState state;
  bool resume = false;
  if (train::checkpoint_exists(run.out_dir)) {
    state = train::read_checkpoint_state(run.out_dir);
    if (state.config_hash == hash && state.step == state.total_steps)  // finished, perhaps early
      return finished_phase(run.out_dir);
    resume = state.config_hash == hash;
    if (!resume)
      std::fprintf(stderr, "note: %s holds a %s run of other settings; starting it again\n", run.out_dir.c_str(),
                   state.phase.c_str());
  }

  model::Gpt<float> gpt(cfg.model);
  // The parent's weights stay at hand: every evaluation reports the distance moved from them.
  std::optional<model::Parameters<float>> parent;
  if (run.init_dir.empty()) {
    gpt.init(run.init_seed.value_or(run.seed));
  } else {
    model::load_model_into((fs::path(run.init_dir) / train::kModelFile).string(), gpt);
    parent = gpt.params();
  }
  train::Optimizer optimizer(pc.optimizer, gpt.params().size());
  const std::unique_ptr<train::BatchSource> data = callbacks.data
                                                      ? callbacks.data(*world, pc.batch_size)
                                                      : std::make_unique<world::PhaseData>(*world, run.phase, pc.batch_size, run.replica);
  train::Trainer trainer(gpt, optimizer, pc.schedule, pc.steps, *data, {pc.shards, run.data_parallel});
  const bool writer = run.data_parallel->is_root();
  MetricsLog metrics((fs::path(run.out_dir) / kMetricsFile).string());
  double seconds_before = 0;
  if (resume) {
    train::load_checkpoint(run.out_dir, gpt, &optimizer);
    trainer.set_next_step(state.step);
    if (writer) metrics.load_until(state.step);
    seconds_before = state.extra.value("seconds", 0.0);
  } else if (writer) {
    fs::create_directories(run.out_dir);
  }
  if (callbacks.setup) callbacks.setup(gpt, trainer);
  // Declared after the model and trainer, so destroyed before them, on every path.
  const std::shared_ptr<void> attached = callbacks.attach ? callbacks.attach(gpt, trainer) : nullptr;

  std::set<int64_t> eval_steps(pc.eval_steps.begin(), pc.eval_steps.end());
  eval_steps.insert(pc.steps);  // the last step is always evaluated
  const auto start = Clock::now();
  auto elapsed = [&] { return seconds_before + std::chrono::duration<double>(Clock::now() - start).count(); };
  settings::Json last_behaviour = settings::Json::object();
  auto evaluate = [&](int64_t step, settings::Json& line) {
    last_behaviour = world::to_json(world->evaluate(gpt));
    line["behaviour"] = last_behaviour;
    if (parent) {
      const model::ParameterDistance d = model::parameter_distance(gpt.params(), *parent);
      settings::Json distance = {{"total", d.total}};
      for (const auto& [group, value] : d.groups) distance[group] = value;
      line["param_distance"] = distance;
    }
    if (callbacks.at_eval) callbacks.at_eval(step, gpt);
  };
  auto save = [&](int64_t step, bool last) {
    if (!writer) return;
    train::CheckpointState s;
    s.phase = name;
    s.step = step;
    s.total_steps = last ? step : pc.steps;  // a phase that ends early ends at its step
    s.seed = run.seed;
    s.parent_sha256 = parent_sha;
    s.config_hash = hash;
    s.extra = {{"seconds", elapsed()}, {"world", settings::write(cfg.world)}};
    if (last) s.extra["final"] = last_behaviour;
    train::save_checkpoint(run.out_dir, gpt, &optimizer, s);
  };

  if (!resume && eval_steps.count(0) && writer) {
    settings::Json line = {{"step", 0}};
    evaluate(0, line);
    metrics.append(line);
    metrics.save();
  }
  Progress progress(std::string(name) + " seed " + std::to_string(run.seed), pc.steps);
  int64_t tokens_since_log = 0;
  double seconds_since_log = 0;
  while (!trainer.done()) {
    kernels::cpu::follow_thread_share();  // a unit pool's worker takes up cores other workers freed
    const train::StepStats st = trainer.step();
    const int64_t step = st.step + 1;  // updates done
    tokens_since_log += st.tokens;
    seconds_since_log += st.seconds;
    // A phase may end early once the world says it has done its job (checked when it logs).
    const bool complete = step < pc.steps && step % pc.log_every == 0 && world->phase_complete(run.phase, gpt);
    const bool last = step == pc.steps || complete;
    const bool is_eval = eval_steps.count(step) > 0 || last;
    if (writer && (is_eval || step % pc.log_every == 0)) {
      settings::Json line = {{"step", step},
                             {"loss", st.loss},
                             {"lr", st.lr},
                             {"grad_norm", st.grad_norm},
                             {"tokens_per_s", tokens_since_log / std::max(seconds_since_log, 1e-9)}};
      if (is_eval) evaluate(step, line);
      metrics.append(line);
      metrics.save();
      tokens_since_log = 0;
      seconds_since_log = 0;
    }
    if (last || (pc.checkpoint_every > 0 && step % pc.checkpoint_every == 0)) save(step, last);
    if (writer && !run.quiet) {
      char note[64];
      std::snprintf(note, sizeof note, "loss %.4f", st.loss);
      progress.update(step, note);
    }
    if (complete) break;
  }
  if (pc.steps == 0) save(0, true);
  progress.finish();
  if (writer && !run.store_dir.empty()) add_to_store(run.store_dir, hash, run.out_dir);
  outcome.seconds = elapsed();
  outcome.final_metrics = last_behaviour;
  return outcome;
}

}  // namespace vrev::experiment
