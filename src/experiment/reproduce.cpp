// The reproduce pipeline, seed by seed.
#include "experiment/reproduce.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "core/io.h"
#include "core/rng.h"
#include "experiment/arm.h"
#include "experiment/checkpoint_world.h"
#include "experiment/phase_runner.h"
#include "experiment/pictures.h"
#include "experiment/probe_run.h"
#include "experiment/report.h"
#include "experiment/run_layout.h"
#include "experiment/summary.h"
#include "experiment/unit_plan.h"
#include "experiment/unit_pool.h"
#include "experiment/unit_progress.h"
#include "kernels/cpu/kernels.h"
#include "probe/blocking.h"
#include "probe/capture.h"
#include "probe/files.h"
#include "probe/geometry.h"
#include "probe/nulls.h"
#include "probe/run_geometry.h"
#include "train/checkpoint.h"
#include "world/phase_data.h"
#include "world/teacher_data.h"

namespace vrev::experiment {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

world::ProbePoint probe_point(const probe::ProbeConfig& cfg) {
  switch (cfg.position) {
    case probe::Position::Answer: return world::ProbePoint::Answer;
    case probe::Position::Refusal: return world::ProbePoint::Refusal;
    default: return world::ProbePoint::Decision;  // asst, and the sets the last and mean positions read
  }
}

probe::ProbeNames probe_names(const world::World& world) {
  const std::vector<world::Phase> history = world.history();
  return {world::phase_name(world.reference_phase()), world::phase_name(history.back()),
          world.probe_set_name(world::ProbeRole::Reversion), world.probe_set_name(world::ProbeRole::Benign)};
}

namespace {

// The blocking direction of an arm at the probe site (empty for unblocked arms).
std::vector<double> arm_direction(const Config& cfg, const world::World& world, ArmBlocking blocking,
                                  const std::string& probe_dir, const std::string& last_dir, int site, int seed) {
  const int C = cfg.model.width;
  switch (blocking) {
    case ArmBlocking::none: return {};
    case ArmBlocking::vrev: {
      int rows = 0, c = C;
      const std::vector<float> v = probe::load_matrix(probe::v_rev_path(probe_dir), rows, c);
      return {v.begin() + size_t(site) * C, v.begin() + size_t(site + 1) * C};
    }
    case ArmBlocking::random: {
      std::vector<double> u(C);
      for (int c = 0; c < C; ++c) u[c] = rng::normal(seed, rng::stream_id("blocking/random_direction"), c);
      return u;
    }
    case ArmBlocking::readout: {
      const std::vector<float> r = readout_matrix(cfg, world, last_dir, probe_dir);
      return {r.begin() + size_t(site) * C, r.begin() + size_t(site + 1) * C};
    }
    case ArmBlocking::pc1: {
      const probe::ProbeNames names = probe_names(world);
      const probe::Capture al =
          probe::load_capture(probe::reference_capture_path(probe_dir, names.last_phase, names.reversion_set));
      return probe::top_principal_direction(al.site(site), al.N, al.C);
    }
  }
  return {};
}

// The checkpoint a teacher arm's teacher is. The other-init teacher is the history up to the
// reference phase, trained on the seed's data from another initialisation; the other-object
// teacher is the reference phase trained on the data of the world's other target.
std::string teacher_dir(const world::World& world, const SeedLayout& layout, ArmTeacher teacher) {
  switch (teacher) {
    case ArmTeacher::same_init: return layout.phase(world.reference_phase());
    case ArmTeacher::base: return layout.phase(*world::parent_phase(world, world.reference_phase()));
    case ArmTeacher::other_init: return layout.other_init_teacher().phase(world.reference_phase());
    case ArmTeacher::other_object: return layout.other_object_teacher().phase(world.reference_phase());
    case ArmTeacher::none: break;
  }
  return "";
}

// What a teacher's data cost: the samples drawn to keep the examples the filter passed.
void write_teacher_data_record(const std::string& arm_dir, const world::TeacherData& data, int64_t examples) {
  fs::create_directories(arm_dir);
  const settings::Json record = {{"examples", examples}, {"samples_drawn", data.samples_drawn()}};
  io::write_text_atomic((fs::path(arm_dir) / kTeacherDataFile).string(), record.dump(1) + "\n");
}

// Fine-tunes one arm (or control replica `replica`, `arm` empty) with capture at the evaluation
// steps.
PhaseOutcome run_arm(const Config& cfg, const world::World& world, const SeedLayout& layout,
                     const std::optional<Arm>& arm, int seed, int replica, bool quiet) {
  const std::string name = arm ? arm->name : world::phase_name(world::Phase::Control);
  const std::string out = arm ? layout.arm(name) : layout.control(replica), probe_dir = layout.probe();
  // The blocked arms act at blocking.site (by default the probe site); captures read the probe site.
  const int site = cfg.blocking.site_index(cfg.probe.site_index(cfg.model.layers), cfg.model.layers);
  const std::string parent_dir = layout.phase(world.history().back());
  const std::vector<double> direction =
      arm ? arm_direction(cfg, world, arm->blocking, probe_dir, parent_dir, site, seed) : std::vector<double>{};

  PhaseCallbacks cb;
  cb.identity = {{"arm", name}, {"probe", cfg.probe.run_identity()}};
  if (arm && arm->teacher != ArmTeacher::none) {
    const std::string teacher = teacher_dir(world, layout, arm->teacher);
    cb.identity["teacher_sha256"] = io::sha256_file((fs::path(teacher) / train::kModelFile).string());
    cb.identity["teacher"] = settings::write(cfg.teacher);
    cb.data = [&cfg, teacher, arm, seed, out](const world::World& w, int batch_size) -> std::unique_ptr<train::BatchSource> {
      model::Gpt<float> gpt = load_checkpoint_model(cfg, teacher);
      auto data = std::make_unique<world::TeacherData>(w, gpt, arm->labels, cfg.teacher.share, seed,
                                                       cfg.teacher.samples, batch_size);
      write_teacher_data_record(out, *data, cfg.teacher.samples);
      return data;
    };
  }
  if (!direction.empty()) {
    cb.identity["blocking"] = settings::write(cfg.blocking);
    cb.attach = [&](model::Gpt<float>& gpt, train::Trainer& trainer) -> std::shared_ptr<void> {
      model::PromptSet block_set = world.probe_set(world::ProbeRole::Block, probe_point(cfg.probe));
      std::vector<std::vector<float>> aligned;
      if (cfg.blocking.mode == probe::BlockingMode::penalty) {
        model::Gpt<float> al = load_checkpoint_model(cfg, parent_dir);
        const probe::Capture c = probe::capture_sites(al, block_set, probe::Position::Asst);
        aligned.emplace_back(c.site(site), c.site(site) + size_t(c.N) * c.C);
      }
      auto blocker = std::make_shared<probe::Blocker>(cfg.blocking, gpt, std::vector<int>{site},
                                                      std::vector<std::vector<double>>{direction},
                                                      std::move(block_set), aligned);
      blocker->install(trainer);
      return blocker;
    };
  }
  capture_at_evaluations(cb, cfg, world, out, name);
  // A student starts where its teacher did (the base); every other arm from the history's end.
  const bool student = arm && arm->teacher != ArmTeacher::none;
  PhaseRun run;
  run.phase = student ? world::Phase::Student : arm ? world::Phase::Finetune : world::Phase::Control;
  run.seed = seed;
  run.init_dir = student ? layout.phase(*world::parent_phase(world, run.phase)) : parent_dir;
  run.out_dir = out;
  run.replica = replica;
  run.quiet = quiet;
  return run_phase(cfg, run, cb);
}

// Adds a part of a unit (a phase) to the unit's outcome: its seconds, and skipped only if every
// part was.
void add_part(PhaseOutcome& unit, const PhaseOutcome& part) {
  unit.seconds += part.seconds;
  unit.skipped = unit.skipped && part.skipped;
}

// The first `count` phases of the world's history into `layout`'s phase directories, each from
// the one before; `run` holds the settings every phase shares.
PhaseOutcome train_history(const Config& cfg, const std::vector<world::Phase>& history, const SeedLayout& layout,
                           size_t count, PhaseRun run) {
  PhaseOutcome total;
  total.skipped = true;
  for (size_t i = 0; i < count; ++i) {
    run.phase = history[i];
    run.init_dir = run.out_dir;
    run.out_dir = layout.phase(run.phase);
    add_part(total, run_phase(cfg, run));
  }
  return total;
}

// The other-object teacher: the reference phase, from its parent in the seed's history, on the
// data of the world's other target (the trait world: another trait object).
PhaseOutcome train_other_object_teacher(const Config& cfg, const world::World& world, const SeedLayout& layout,
                                        PhaseRun run) {
  const world::Phase reference = world.reference_phase();
  run.phase = reference;
  run.init_dir = layout.phase(*world::parent_phase(world, reference));
  run.out_dir = layout.other_object_teacher().phase(reference);
  run.store_dir.clear();  // a phase with its own data is not stored
  PhaseCallbacks cb;
  cb.identity = {{"teacher", settings::name_of(ArmTeacher::other_object)}};
  cb.data = [reference](const world::World& w, int batch_size) -> std::unique_ptr<train::BatchSource> {
    std::unique_ptr<world::World> other = w.other_target_world();
    VREV_CHECK(other != nullptr, "this world has no other target: the other-object teacher needs the trait world");
    return std::make_unique<world::PhaseData>(std::move(other), reference, batch_size);
  };
  return run_phase(cfg, run, cb);
}

// Every seed's finished runs read back: the behaviour after each history phase, each arm's
// geometry and behaviour series. Training seconds are read from the runs' own records, so a
// rerun or a resumed run reports the time its runs really took, not only this invocation's.
SeedResults read_results(const Config& cfg, const world::World& world, const RunLayout& run_layout,
                         const std::vector<Arm>& arms, double& training_seconds) {
  SeedResults results;
  training_seconds = 0;
  for (int seed = 0; seed < cfg.reproduce.seeds; ++seed) {
    const SeedLayout layout = run_layout.seed(seed);
    SeedResult r;
    r.seed = seed;
    for (const world::Phase p : world.history()) {
      const PhaseOutcome phase = finished_phase(layout.phase(p));
      r.history.push_back(phase.final_metrics);
      training_seconds += phase.seconds;
    }
    for (const Arm& arm : arms) {
      const std::string dir = layout.arm(arm.name);
      training_seconds += finished_phase(dir).seconds;
      r.arms[arm.name] = {probe::read_geometry(dir), read_behaviour_series(dir, world.metric_names())};
    }
    for (int replica = 0; replica < cfg.reproduce.controls; ++replica)
      training_seconds += finished_phase(layout.control(replica)).seconds;
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace

std::optional<RunSummary> reproduce(const Config& cfg, const ReproduceOptions& options) {
  cfg.check_world_fits();
  VREV_CHECK(options.jobs == 1 || cfg.kernels.gemm == kernels::cpu::GemmBackend::vrev,
             "--jobs above 1 needs kernels.gemm=vrev: OpenBLAS's OpenMP build is not safe to call from several "
             "threads at once");
  const auto start = Clock::now();
  const comm::Communicator& ranks = *options.ranks;
  const RunLayout run_layout(options.out_dir);
  if (ranks.is_root()) {
    fs::create_directories(run_layout.dir());
    io::write_text_atomic(run_layout.config(), settings::write(cfg).dump(2) + "\n");
  }
  const std::unique_ptr<world::World> world0 = world::make_world(cfg.world, 0);
  const std::vector<world::Phase> history = world0->history();
  std::vector<Arm> arms;
  for (const std::string& name : cfg.reproduce.arms) arms.push_back(parse_arm(name));
  // The phases the other-init teacher trains, if an arm needs it: the history up to the reference.
  const bool other_init = std::any_of(arms.begin(), arms.end(), [](const Arm& a) { return a.teacher == ArmTeacher::other_init; });
  const auto reference = std::find(history.begin(), history.end(), world0->reference_phase());
  VREV_CHECK(reference != history.end(), "the world's reference phase is not part of its history");
  const size_t other_init_phases = other_init ? size_t(reference - history.begin()) + 1 : 0;
  const bool other_object =
      std::any_of(arms.begin(), arms.end(), [](const Arm& a) { return a.teacher == ArmTeacher::other_object; });

  const UnitPlan plan{cfg.reproduce.seeds, cfg.reproduce.controls, static_cast<int>(arms.size())};
  const int jobs = options.jobs, threads = kernels::cpu::num_threads();
  // Several units at once share stderr: each says when it starts, and no phase draws a progress bar.
  const bool phase_quiet = options.quiet || jobs > 1;
  UnitProgress progress(plan.units_of(ranks), jobs, options.quiet,
                        ranks.size() > 1 ? "rank " + std::to_string(ranks.rank()) + "/" + std::to_string(ranks.size()) + " " : "");
  auto stage_units = [&](Stage stage) {
    std::vector<int> units = plan.units(stage, ranks);
    progress.begin_stage(static_cast<int>(units.size()));
    return units;
  };
  auto account = [&](const PhaseOutcome& o) { progress.account(o.seconds, o.skipped); };
  PhaseRun history_run;
  history_run.quiet = phase_quiet;
  history_run.store_dir = options.phase_store;

  // Stage 1: each seed's chain. v_rev points from the history's last phase back to its reference.
  run_units(stage_units(Stage::chains), jobs, threads, [&](int seed) {
    progress.announce(seed, "history, probe references and v_rev");
    const SeedLayout layout = run_layout.seed(seed);
    const std::unique_ptr<world::World> world = world::make_world(cfg.world, seed);
    PhaseRun run = history_run;
    run.seed = seed;
    PhaseOutcome chain = train_history(cfg, history, layout, history.size(), run);
    if (!world->image_classes(false).empty())  // cheap: rewritten each time, never stale
      for (const world::Phase p : history)
        write_samples(*world, load_checkpoint_model(cfg, layout.phase(p)), phase_samples_stem(layout.phase(p)),
                      world::phase_outcome_name(p));
    write_probe_references(cfg, *world, layout.phase(world->reference_phase()), layout.phase(history.back()),
                           layout.probe());
    if (other_object) add_part(chain, train_other_object_teacher(cfg, *world, layout, run));
    // The other-init teacher: the history up to the reference phase, from another initialisation.
    run.init_seed = rng::bits(seed, rng::stream_id("init/other-init teacher"), 0);
    add_part(chain, train_history(cfg, history, layout.other_init_teacher(), other_init_phases, run));
    account(chain);
  });
  ranks.barrier();

  // Stage 2: every seed's fine-tunes: the controls (replicas 0, 1, ...), then the arms.
  run_units(stage_units(Stage::fine_tunes), jobs, threads, [&](int unit) {
    const UnitPlan::FineTune f = plan.fine_tune(unit);
    const std::optional<Arm> arm = f.run < plan.controls ? std::nullopt : std::optional<Arm>(arms[size_t(f.run - plan.controls)]);
    const int replica = arm ? 0 : f.run;
    progress.announce(f.seed, arm ? kArmDirPrefix + arm->name : "control " + std::to_string(replica));
    const std::unique_ptr<world::World> world = world::make_world(cfg.world, f.seed);
    account(run_arm(cfg, *world, run_layout.seed(f.seed), arm, f.seed, replica, phase_quiet));
  });
  ranks.barrier();

  // Stage 3: each arm's geometry and nulls, against its seed's controls.
  const probe::ProbeNames names = probe_names(*world0);
  run_units(stage_units(Stage::geometries), jobs, threads, [&](int unit) {
    const UnitPlan::Geometry g = plan.geometry(unit);
    const Arm& arm = arms[size_t(g.arm)];
    progress.announce(g.seed, "geometry of " + (kArmDirPrefix + arm.name));
    const auto geometry_start = Clock::now();
    const SeedLayout layout = run_layout.seed(g.seed);
    const std::string dir = layout.arm(arm.name);
    std::vector<std::string> control_dirs;
    for (int r = 0; r < plan.controls; ++r) control_dirs.push_back(layout.control(r));
    probe::write_geometry(dir, probe::run_geometry(dir, layout.probe(), control_dirs, g.seed, cfg.probe, names));
    progress.account(std::chrono::duration<double>(Clock::now() - geometry_start).count(), false);
  });
  ranks.barrier();
  if (!ranks.is_root()) return std::nullopt;

  // Every unit is done: rank 0 reads their outcomes back and writes the summary and report.
  double training_seconds = 0;
  const SeedResults results = read_results(cfg, *world0, run_layout, arms, training_seconds);
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  RunSummary summary = summarize_runs(cfg, *world0, results, wall);
  summary.training_seconds = training_seconds;
  io::write_text_atomic(run_layout.summary(), to_json(summary).dump(1) + "\n");
  write_table_csv(run_layout.table(), summary, world0->metric_roles());
  write_report(options.out_dir, cfg, *world0, options.config_path, summary, results);
  return summary;
}

}  // namespace vrev::experiment
