// The reproduce pipeline, seed by seed.
#include "experiment/reproduce.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>

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
#include "experiment/unit_pool.h"
#include "kernels/cpu/kernels.h"
#include "probe/blocking.h"
#include "probe/capture.h"
#include "probe/files.h"
#include "probe/geometry.h"
#include "probe/nulls.h"
#include "probe/run_geometry.h"
#include "train/checkpoint.h"
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
// reference phase, trained on the seed's data from another initialisation.
std::string teacher_dir(const world::World& world, const SeedLayout& layout, ArmTeacher teacher) {
  switch (teacher) {
    case ArmTeacher::same_init: return layout.phase(world.reference_phase());
    case ArmTeacher::self: return layout.phase(world.history().back());
    case ArmTeacher::other_init: return layout.other_init_teacher().phase(world.reference_phase());
    case ArmTeacher::none: break;
  }
  return "";
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
    cb.data = [&cfg, teacher, arm, seed](const world::World& w, int batch_size) -> std::unique_ptr<train::BatchSource> {
      model::Gpt<float> gpt = load_checkpoint_model(cfg, teacher);
      return std::make_unique<world::TeacherData>(w, gpt, arm->labels, cfg.teacher.share, seed,
                                                  int64_t(cfg.finetune.steps) * batch_size, batch_size);
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
  PhaseRun run;
  run.phase = arm ? world::Phase::Finetune : world::Phase::Control;
  run.seed = seed;
  run.init_dir = parent_dir;
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

}  // namespace

settings::Json reproduce(const Config& cfg, const ReproduceOptions& options) {
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

  // The units, numbered in the order one process runs them, in three stages with a barrier
  // between each (a stage needs the one before): 1. every seed's chain (its history, the probe
  // references and v_rev, the other-init teacher); 2. every seed's fine-tunes, its controls then
  // its arms; 3. every arm's geometry, which reads the seed's controls. Unit k runs on rank
  // k % ranks, so each rank's share is fixed by the config and the rank count, and a rerun on any
  // number of ranks skips what is done; a rank runs its share of a stage on `jobs` threads.
  const int seeds = cfg.reproduce.seeds, controls = cfg.reproduce.controls;
  const int arm_count = static_cast<int>(arms.size()), runs_per_seed = controls + arm_count;
  const int fine_tune_base = seeds, geometry_base = seeds + seeds * runs_per_seed;
  const int total_units = geometry_base + seeds * arm_count;
  auto mine = [&](int first, int count) {
    std::vector<int> units;
    for (int k = first; k < first + count; ++k)
      if (k % ranks.size() == ranks.rank()) units.push_back(k);
    return units;
  };
  const int my_units = (total_units - ranks.rank() + ranks.size() - 1) / ranks.size();
  const int jobs = options.jobs, threads = kernels::cpu::num_threads();
  // Several units at once share stderr: each says when it starts, and no phase draws a progress bar.
  const bool phase_quiet = options.quiet || jobs > 1;
  // Progress: a line per unit as it starts, with an ETA for its stage (a chain takes minutes, a
  // geometry seconds: the stages' units are too unlike to share one estimate).
  std::mutex progress_mutex;
  int started_units = 0;
  struct StageProgress {
    int units = 0, started = 0, timed = 0;
    double seconds = 0;  // of the units that ran (not skipped)
  } stage;
  auto begin_stage = [&](std::vector<int> units) {
    stage = {static_cast<int>(units.size())};
    return units;
  };
  auto announce = [&](int seed, const std::string& what) {
    const std::lock_guard<std::mutex> lock(progress_mutex);
    ++started_units, ++stage.started;
    if (options.quiet) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const int left = stage.units - stage.started + 1;  // this unit and those after it
    char eta[32] = "-";
    if (stage.timed) std::snprintf(eta, sizeof eta, "%.0fs", stage.seconds / stage.timed * left / std::min(jobs, left));
    const std::string rank =
        ranks.size() > 1 ? "rank " + std::to_string(ranks.rank()) + "/" + std::to_string(ranks.size()) + " " : "";
    std::fprintf(stderr, "[reproduce %s%d/%d] seed %d: %s  (elapsed %.0fs, stage ETA %s)\n", rank.c_str(),
                 started_units, my_units, seed, what.c_str(), elapsed, eta);
  };
  auto account = [&](const PhaseOutcome& o) {
    const std::lock_guard<std::mutex> lock(progress_mutex);
    if (!o.skipped) stage.seconds += o.seconds, ++stage.timed;
  };

  // The first `count` phases of the history into the layout's phase directories, each from the
  // one before.
  auto train_history = [&](int seed, const SeedLayout& layout, size_t count, std::optional<uint64_t> init_seed) {
    PhaseRun run;
    run.seed = seed;
    run.init_seed = init_seed;
    run.quiet = phase_quiet;
    run.store_dir = options.phase_store;
    PhaseOutcome total;
    total.skipped = true;
    for (size_t i = 0; i < count; ++i) {
      run.phase = history[i];
      run.init_dir = run.out_dir;
      run.out_dir = layout.phase(run.phase);
      add_part(total, run_phase(cfg, run));
    }
    return total;
  };

  // Stage 1: each seed's chain. v_rev points from the history's last phase back to its reference.
  run_units(begin_stage(mine(0, seeds)), jobs, threads, [&](int seed) {
    announce(seed, "history, probe references and v_rev");
    const SeedLayout layout = run_layout.seed(seed);
    const std::unique_ptr<world::World> world = world::make_world(cfg.world, seed);
    PhaseOutcome chain = train_history(seed, layout, history.size(), std::nullopt);
    if (!world->image_classes(false).empty())  // cheap: rewritten each time, never stale
      for (const world::Phase p : history)
        write_samples(*world, load_checkpoint_model(cfg, layout.phase(p)), phase_samples_stem(layout.phase(p)),
                      world::phase_outcome_name(p));
    write_probe_references(cfg, *world, layout.phase(world->reference_phase()), layout.phase(history.back()),
                           layout.probe());
    // The other-init teacher: the history up to the reference phase, from another initialisation.
    const uint64_t other_init_seed = rng::bits(seed, rng::stream_id("init/other-init teacher"), 0);
    add_part(chain, train_history(seed, layout.other_init_teacher(), other_init_phases, other_init_seed));
    account(chain);
  });
  ranks.barrier();

  // Stage 2: every seed's fine-tunes: the controls (replicas 0, 1, ...), then the arms.
  run_units(begin_stage(mine(fine_tune_base, seeds * runs_per_seed)), jobs, threads, [&](int unit) {
    const int seed = (unit - fine_tune_base) / runs_per_seed, run = (unit - fine_tune_base) % runs_per_seed;
    const std::optional<Arm> arm = run < controls ? std::nullopt : std::optional<Arm>(arms[size_t(run - controls)]);
    const int replica = arm ? 0 : run;
    announce(seed, arm ? kArmDirPrefix + arm->name : "control " + std::to_string(replica));
    const std::unique_ptr<world::World> world = world::make_world(cfg.world, seed);
    account(run_arm(cfg, *world, run_layout.seed(seed), arm, seed, replica, phase_quiet));
  });
  ranks.barrier();

  // Stage 3: each arm's geometry and nulls, against its seed's controls.
  const probe::ProbeNames names = probe_names(*world0);
  run_units(begin_stage(mine(geometry_base, seeds * arm_count)), jobs, threads, [&](int unit) {
    const int seed = (unit - geometry_base) / arm_count;
    const Arm& arm = arms[size_t((unit - geometry_base) % arm_count)];
    announce(seed, "geometry of " + (kArmDirPrefix + arm.name));
    const auto geometry_start = Clock::now();
    const SeedLayout layout = run_layout.seed(seed);
    const std::string dir = layout.arm(arm.name);
    std::vector<std::string> control_dirs;
    for (int r = 0; r < controls; ++r) control_dirs.push_back(layout.control(r));
    probe::write_geometry(dir, probe::run_geometry(dir, layout.probe(), control_dirs, seed, cfg.probe, names));
    PhaseOutcome geometry;
    geometry.seconds = std::chrono::duration<double>(Clock::now() - geometry_start).count();
    account(geometry);
  });
  ranks.barrier();
  if (!ranks.is_root()) return settings::Json();

  // Every unit is done: rank 0 reads their outcomes back and writes the summary and report.
  // Training seconds are read from the runs' own records, so a rerun or a resumed run reports the
  // time its runs really took, not only this invocation's.
  SeedResults results;
  double training_seconds = 0;
  for (int seed = 0; seed < seeds; ++seed) {
    const SeedLayout layout = run_layout.seed(seed);
    SeedResult r;
    r.seed = seed;
    for (const world::Phase p : history) {
      const PhaseOutcome phase = finished_phase(layout.phase(p));
      r.history.push_back(phase.final_metrics);
      training_seconds += phase.seconds;
    }
    for (const Arm& arm : arms) {
      const std::string dir = layout.arm(arm.name);
      training_seconds += finished_phase(dir).seconds;
      r.arms[arm.name] = {{"geometry", probe::read_geometry(dir)},
                          {"metrics", read_behaviour_series(dir, world0->metric_names())}};
    }
    for (int replica = 0; replica < cfg.reproduce.controls; ++replica)
      training_seconds += finished_phase(layout.control(replica)).seconds;
    results.push_back(std::move(r));
  }
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  settings::Json summary = summarize_runs(cfg, *world0, results, wall);
  summary[kTrainingSecondsKey] = training_seconds;
  io::write_text_atomic(run_layout.summary(), summary.dump(1) + "\n");
  write_table_csv(run_layout.table(), summary, world0->metric_roles());
  write_report(options.out_dir, cfg, *world0, options.config_path, summary, results);
  return summary;
}

}  // namespace vrev::experiment
