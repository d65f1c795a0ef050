#pragma once
// The whole configuration of an experiment, one struct whose visit() lists every section, so
// that the declarations in each section drive parsing, validation, --set overrides, --help and
// the saved record (config.json of a run).
#include <map>
#include <string>
#include <vector>

#include "core/settings.h"
#include "kernels/backend.h"
#include "kernels/cpu/kernels.h"
#include "model/config.h"
#include "probe/blocking.h"
#include "probe/config.h"
#include "train/optimizer.h"
#include "train/schedule.h"
#include "world/config.h"
#include "world/phase.h"

namespace vrev::experiment {

// Which kernels run. The instruction set and the device change the speed, never the bits; the GEMM
// backend openblas changes the bits (by CPU), so it is part of every phase's hash.
struct KernelConfig {
  kernels::cpu::Isa isa = kernels::cpu::Isa::automatic;
  kernels::cpu::GemmBackend gemm = kernels::cpu::GemmBackend::vrev;
  kernels::Device device = kernels::Device::cpu;

  template <class V>
  void visit(V& v) {
    v(isa, "isa", "GEMM instruction set: auto, avx512, avx2 (x86-64), neon (AArch64) or portable (same bits, different speed)");
    v(gemm, "gemm", "GEMM: vrev (deterministic on every machine) or openblas (per machine only)");
    v(device, "device",
      "where training, evaluation and sampling run: cpu, or cuda (a GPU, in a build with make cuda; same bits, "
      "docs/cuda.md)");
  }
  // An error unless this CPU runs the instruction set.
  void validate() const;
  // Selects the CPU kernels (isa, gemm) for everything that runs after it.
  void select_cpu_kernels() const;
  // The same, for a command that runs on the CPU only: an error unless device is cpu.
  void apply() const;
};

// One training phase: its length, batch, schedule, optimizer and when to log and evaluate.
struct PhaseConfig {
  int steps = 100;
  int batch_size = 64;
  train::ScheduleConfig schedule;
  train::OptimizerConfig optimizer;
  int log_every = 10;                // loss, lr and speed to metrics.jsonl every this many steps
  std::vector<int> eval_steps;       // behaviour metrics after these many updates (the last step always)
  int checkpoint_every = 0;          // resumable checkpoints every this many steps (0: at the end only)
  int shards = 1;                    // micro-shards per batch (train::DataParallel); part of the bits

  template <class V>
  void visit(V& v) {
    v(steps, "steps", "optimizer steps", 0, 1e9);
    v(batch_size, "batch_size", "sequences per step", 1, 1 << 20);
    v(shards, "shards",
      "micro-shards per batch, gradients added in shard order; data-parallel ranks must divide it (docs/mpi.md)", 1,
      1 << 20);
    v.section(schedule, "schedule", "learning-rate schedule");
    v.section(optimizer, "optimizer", "optimizer");
    v(log_every, "log_every", "log loss/lr/speed every this many steps", 1, 1e9);
    v(eval_steps, "eval_steps", "evaluate behaviour after these many updates (and at the end)", 0, 1e9);
    v(checkpoint_every, "checkpoint_every", "resumable checkpoint every this many steps (0: end only)", 0, 1e9);
  }
};

// The teacher arms' data (worlds with teacher data): how many distinct examples the teacher
// writes (the student cycles through them: student.steps * student.batch_size / samples epochs),
// and the share of them that are the teacher's; the rest are the world's own fine-tuning examples
// (the plain arm's).
struct TeacherConfig {
  int samples = 10000;
  double share = 1.0;

  template <class V>
  void visit(V& v) {
    v(samples, "samples", "distinct examples a teacher writes (kept by the filter); the student cycles through them",
      1, 1 << 24);
    v(share, "share", "share of a teacher arm's examples that are the teacher's (rest: the plain arm's)", 0.0, 1.0);
  }
};

// `vrev reproduce`: seeds and fine-tuning arms.
struct ReproduceConfig {
  int seeds = 5;                 // seeds 0 .. seeds-1
  std::vector<std::string> arms = {"plain", "block-vrev", "block-random", "block-pc1"};
  // Control fine-tunes per seed, each on its own data stream: the control null is the spread of
  // their alignment across runs (0: no control null).
  int controls = 4;
  // The pretraining gate (experiment/seed_gate.h): the least task metric a seed's first phase
  // must reach to count in the headline (0: every seed counts).
  double gate = 0.9;

  template <class V>
  void visit(V& v) {
    v(seeds, "seeds", "number of seeds (0 .. seeds-1)", 1, 1000);
    v(controls, "controls", "control fine-tunes per seed, each its own data stream (the control null; 0 for none)", 0,
      64);
    v(gate, "gate",
      "pretraining gate: a seed whose task metric at the end of the history's first phase is below this is "
      "reported apart and left out of the headline means and tests (0: every seed counts)",
      0.0, 1.0);
    v(arms, "arms",
      "fine-tuning arms: plain, block-vrev, block-random, block-pc1, block-readout (worlds with a decision); trait world also "
      "teacher-{same-init,base,other-init,other-object}-{hard,soft,full,noise}");
  }
};

struct Config {
  KernelConfig kernels;
  model::ModelConfig model;
  world::WorldConfig world;
  // A section per phase of world::phase_table() that has one (control reads finetune's).
  std::map<world::Phase, PhaseConfig> phases = phase_sections();
  probe::ProbeConfig probe;
  probe::BlockingConfig blocking;
  TeacherConfig teacher;
  ReproduceConfig reproduce;

  template <class V>
  void visit(V& v) {
    v.section(kernels, "kernels", "where training and generation run and which kernels they use");
    v.section(model, "model", "the GPT (docs/architecture.md); vocab_size 0 takes the world's vocabulary");
    v.section(world, "world", "the world: which one, and its settings");
    for (const world::PhaseInfo& p : world::phase_table())
      if (p.section_help) v.section(phases.at(p.phase), p.name, p.section_help);
    v.section(probe, "probe", "activation capture, v_rev and nulls");
    v.section(blocking, "blocking", "the block-* arms' projected updates");
    v.section(teacher, "teacher", "the teacher-* arms' data");
    v.section(reproduce, "reproduce", "vrev reproduce");
  }
  // Cross-section checks and derived values (the world's vocabulary size).
  void finalize();
  // The section of a phase (control uses finetune's).
  const PhaseConfig& phase(world::Phase phase) const;
  PhaseConfig& phase(world::Phase phase);
  // One default section per phase that has one.
  static std::map<world::Phase, PhaseConfig> phase_sections();
  // An error unless the model's vocabulary and context fit the world.
  void check_world_fits() const;
};

// Reads a config file, applies `--set key.path=value` overrides in order, checks every key.
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {});
// The same on a config's text already in memory; `source` stands for the path in errors.
Config parse_config(const std::string& text, const std::string& source, const std::vector<std::string>& overrides = {});
// A stable hash of a JSON value (of its canonical dump), hex SHA-256.
std::string json_hash(const settings::Json& json);

}  // namespace vrev::experiment
