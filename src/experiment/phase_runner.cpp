// The phase runner: train, log, evaluate, checkpoint, resume.
#include "experiment/phase_runner.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>

#include "core/io.h"
#include "core/progress.h"
#include "experiment/metrics_log.h"
#include "experiment/phase_store.h"
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

// The hash of everything that decides a phase's outcome: the model, world and phase settings,
// the GEMM backend (OpenBLAS gives other bits; the instruction set does not), the seed, the
// parent checkpoint and the caller's identity.
std::string phase_hash(const Config& cfg, const PhaseRun& run, const PhaseCallbacks& callbacks,
                       const std::string& parent_sha) {
  settings::Json inputs = {{"gemm", settings::name_of(cfg.kernels.gemm)},
                           {"model", settings::write(cfg.model)},
                           {"world", settings::write(cfg.world)},
                           {"phase", world::phase_name(run.phase)},
                           {"settings", settings::write(cfg.phase(run.phase))},
                           {"seed", run.seed},
                           {"parent_sha256", parent_sha},
                           {"identity", callbacks.identity}};
  if (run.init_seed) inputs["init_seed"] = *run.init_seed;
  if (run.replica != 0) inputs["replica"] = run.replica;  // replica 0 keeps the hash a lone run has
  return json_hash(inputs);
}

// One phase's training, from a fresh or parent model or resumed from its own checkpoint: the
// loop that steps, logs, evaluates at the configured steps and saves.
class PhaseTraining {
 public:
  PhaseTraining(const Config& cfg, const PhaseRun& run, const PhaseCallbacks& callbacks, const world::World& world,
                std::string parent_sha, std::string hash, const train::CheckpointState* resume_from)
      : cfg_(cfg),
        run_(run),
        callbacks_(callbacks),
        world_(world),
        name_(world::phase_name(run.phase)),
        pc_(cfg.phase(run.phase)),
        parent_sha_(std::move(parent_sha)),
        hash_(std::move(hash)),
        gpt_(cfg.model),
        optimizer_(pc_.optimizer, gpt_.params().size()),
        data_(callbacks.data ? callbacks.data(world, pc_.batch_size)
                             : std::make_unique<world::PhaseData>(world, run.phase, pc_.batch_size, run.replica)),
        trainer_(gpt_, optimizer_, pc_.schedule, pc_.steps, *data_, {pc_.shards, run.data_parallel},
                 kernels::selected_backend()),
        writer_(run.data_parallel->is_root()),
        metrics_((fs::path(run.out_dir) / kMetricsFile).string()),
        resume_(resume_from != nullptr) {
    if (run.init_dir.empty()) {
      gpt_.init(run.init_seed.value_or(run.seed));
    } else {
      // The parent's weights stay at hand: every evaluation reports the distance moved from them.
      model::load_model_into((fs::path(run.init_dir) / train::kModelFile).string(), gpt_);
      parent_ = gpt_.params();
    }
    if (resume_) {
      train::load_checkpoint(run.out_dir, gpt_, &optimizer_);
      trainer_.set_next_step(resume_from->step);
      if (writer_) metrics_.load_until(resume_from->step);
      seconds_before_ = resume_from->extra.value("seconds", 0.0);
    } else if (writer_) {
      fs::create_directories(run.out_dir);
    }
    if (callbacks.setup) callbacks.setup(gpt_, trainer_);
    if (callbacks.attach) attached_ = callbacks.attach(gpt_, trainer_);
  }

  PhaseOutcome run() {
    start_ = Clock::now();
    std::set<int64_t> eval_steps(pc_.eval_steps.begin(), pc_.eval_steps.end());
    eval_steps.insert(pc_.steps);  // the last step is always evaluated
    if (!resume_ && eval_steps.count(0) && writer_) {
      settings::Json line = {{"step", 0}};
      evaluate(0, line);
      metrics_.append(line);
      metrics_.save();
    }
    Progress progress(std::string(name_) + " seed " + std::to_string(run_.seed), pc_.steps);
    int64_t tokens_since_log = 0;
    double seconds_since_log = 0;
    while (!trainer_.done()) {
      const train::StepStats st = trainer_.step();
      const int64_t step = st.step + 1;  // updates done
      tokens_since_log += st.tokens;
      seconds_since_log += st.seconds;
      const bool logs = step % pc_.log_every == 0, saves = pc_.checkpoint_every > 0 && step % pc_.checkpoint_every == 0;
      // The world's checks and the evaluation generate where the model trains (model/cached_forward.h);
      // the parameter distance, the evaluation's callbacks and the checkpoint read the host's copy.
      if (logs || saves || eval_steps.count(step) > 0 || step == pc_.steps) trainer_.copy_to_host();
      // A phase may end early once the world says it has done its job (checked when it logs).
      const bool complete = step < pc_.steps && logs && world_.phase_complete(run_.phase, gpt_);
      const bool last = step == pc_.steps || complete;
      const bool is_eval = eval_steps.count(step) > 0 || last;
      if (writer_ && (is_eval || logs)) {
        settings::Json line = {{"step", step},
                               {"loss", st.loss},
                               {"lr", st.lr},
                               {"grad_norm", st.grad_norm},
                               {"tokens_per_s", tokens_since_log / std::max(seconds_since_log, 1e-9)}};
        if (is_eval) evaluate(step, line);
        metrics_.append(line);
        metrics_.save();
        tokens_since_log = 0;
        seconds_since_log = 0;
      }
      if (last || saves) save(step, last);
      if (writer_ && !run_.quiet) {
        char note[64];
        std::snprintf(note, sizeof note, "loss %.4f", st.loss);
        progress.update(step, note);
      }
      if (complete) break;
    }
    if (pc_.steps == 0) save(0, true);
    progress.finish();
    PhaseOutcome outcome;
    outcome.seconds = elapsed();
    outcome.final_metrics = last_behaviour_;
    return outcome;
  }

 private:
  double elapsed() const { return seconds_before_ + std::chrono::duration<double>(Clock::now() - start_).count(); }

  void evaluate(int64_t step, settings::Json& line) {
    last_behaviour_ = world::to_json(world_.evaluate(gpt_));
    line["behaviour"] = last_behaviour_;
    if (parent_) {
      const model::ParameterDistance d = model::parameter_distance(gpt_.params(), *parent_);
      settings::Json distance = {{"total", d.total}};
      for (const auto& [group, value] : d.groups) distance[group] = value;
      line["param_distance"] = distance;
    }
    if (callbacks_.at_eval) callbacks_.at_eval(step, gpt_);
  }

  void save(int64_t step, bool last) {
    if (!writer_) return;
    train::CheckpointState s;
    s.phase = name_;
    s.step = step;
    s.total_steps = last ? step : pc_.steps;  // a phase that ends early ends at its step
    s.seed = run_.seed;
    s.parent_sha256 = parent_sha_;
    s.config_hash = hash_;
    s.extra = {{"seconds", elapsed()}, {"world", settings::write(cfg_.world)}};
    if (last) s.extra["final"] = last_behaviour_;
    train::save_checkpoint(run_.out_dir, gpt_, &optimizer_, s);
  }

  const Config& cfg_;
  const PhaseRun& run_;
  const PhaseCallbacks& callbacks_;
  const world::World& world_;
  const char* name_;
  const PhaseConfig& pc_;
  const std::string parent_sha_, hash_;
  model::Gpt<float> gpt_;
  std::optional<model::Parameters<float>> parent_;
  train::Optimizer optimizer_;
  std::unique_ptr<train::BatchSource> data_;
  train::Trainer trainer_;
  const bool writer_;
  MetricsLog metrics_;
  const bool resume_;
  double seconds_before_ = 0;
  settings::Json last_behaviour_ = settings::Json::object();
  // Declared after the model and trainer, so destroyed before them: the owner of hooks on them.
  std::shared_ptr<void> attached_;
  Clock::time_point start_;
};

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
  const std::unique_ptr<world::World> world = world::make_world(cfg.world, run.seed);
  const std::string parent_sha = parent_hash(*world, run);
  const std::string hash = phase_hash(cfg, run, callbacks, parent_sha);

  // Only a phase without callbacks is stored: its outputs are the checkpoint directory alone.
  VREV_ASSERT(run.store_dir.empty() || (!callbacks.setup && !callbacks.attach && !callbacks.at_eval && !callbacks.data));
  if (!run.store_dir.empty()) take_from_store(run.store_dir, hash, run.out_dir);

  std::optional<train::CheckpointState> resume_from;
  if (train::checkpoint_exists(run.out_dir)) {
    train::CheckpointState state = train::read_checkpoint_state(run.out_dir);
    if (state.config_hash == hash && state.step == state.total_steps)  // finished, perhaps early
      return finished_phase(run.out_dir);
    if (state.config_hash == hash)
      resume_from = std::move(state);
    else
      std::fprintf(stderr, "note: %s holds a %s run of other settings; starting it again\n", run.out_dir.c_str(),
                   state.phase.c_str());
  }
  PhaseOutcome outcome =
      PhaseTraining(cfg, run, callbacks, *world, parent_sha, hash, resume_from ? &*resume_from : nullptr).run();
  if (run.data_parallel->is_root() && !run.store_dir.empty()) add_to_store(run.store_dir, hash, run.out_dir);
  return outcome;
}

}  // namespace vrev::experiment
