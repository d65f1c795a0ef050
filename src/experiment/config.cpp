// Loading and checking experiment configs.
#include "experiment/config.h"

#include "core/io.h"
#include "experiment/arm.h"
#include "world/world.h"

namespace vrev::experiment {

void KernelConfig::validate() const {
  if (kernels::cpu::isa_supported(isa)) return;
  std::string runs;
  for (const auto& [each, name] : kernels::cpu::enum_names(kernels::cpu::Isa{}))
    if (kernels::cpu::isa_supported(each)) runs += (runs.empty() ? "" : ", ") + std::string(name);
  VREV_FAIL("config: 'kernels.isa' is ", settings::name_of(isa), ", which this CPU does not support (use one of: ",
            runs, ")");
}

void KernelConfig::select_cpu_kernels() const { kernels::cpu::select_kernels(isa, gemm); }

void KernelConfig::apply() const {
  VREV_CHECK(device == kernels::Device::cpu, "kernels.device=", settings::name_of(device),
             " is not supported by this command yet: it runs on the CPU (train, reproduce, sweep, bench, eval and "
             "sample run on a device)");
  select_cpu_kernels();
}

namespace {

// Evaluation steps in increasing order, without repeats, none past the phase's end. The last step
// is always evaluated; a fine-tuning list must also name step 0 and the last step, the baseline
// and the end that its geometry and report are measured between.
void check_eval_steps(const PhaseConfig& p, const std::string& phase, bool needs_ends) {
  const std::string key = "'" + phase + ".eval_steps'";
  for (size_t i = 0; i < p.eval_steps.size(); ++i) {
    VREV_CHECK(p.eval_steps[i] >= 0 && p.eval_steps[i] <= p.steps, "config: ", key, " has step ", p.eval_steps[i],
               " but '", phase, ".steps' is ", p.steps, ": set the list too (--set '", phase, ".eval_steps=[0,",
               p.steps / 2, ",", p.steps, "]')");
    VREV_CHECK(i == 0 || p.eval_steps[i] > p.eval_steps[i - 1], "config: ", key,
               " must be increasing without repeats, got ", p.eval_steps[i], " after ", p.eval_steps[i - 1]);
  }
  if (needs_ends && !p.eval_steps.empty())
    VREV_CHECK(p.eval_steps.front() == 0 && p.eval_steps.back() == p.steps, "config: ", key,
               " must start at 0 and end at the last step, '", phase, ".steps' = ", p.steps, " (a list: --set '", phase,
               ".eval_steps=[0,", p.steps / 2, ",", p.steps, "]')");
}

}  // namespace

void Config::finalize() {
  kernels.validate();
  const std::unique_ptr<world::World> w = world::make_world(world, 0);
  if (model.vocab_size == 0) model.vocab_size = w->vocab().size();
  model.validate();
  const bool has_teacher = w->teacher_task().has_value();
  bool any_student = false;
  for (const std::string& name : reproduce.arms) {
    Arm arm;
    try {
      arm = parse_arm(name);
    } catch (const Error& e) {
      VREV_FAIL("config: 'reproduce.arms': ", e.what());
    }
    VREV_CHECK(arm.blocking != ArmBlocking::readout || w->decision_tokens().has_value(), "config: arm '", name,
               "' in 'reproduce.arms' blocks the readout of a decision, which this world's prompts do not make");
    VREV_CHECK(arm.teacher == ArmTeacher::none || has_teacher, "config: arm '", name,
               "' in 'reproduce.arms' needs teacher data, which only the trait world has");
    any_student = any_student || arm.teacher != ArmTeacher::none;
  }
  blocking.site_index(probe.site_index(model.layers), model.layers);  // an unknown site is an error here
  // The trait world's fine-tuning answers are digit sequences and teacher outputs: no opener.
  VREV_CHECK(world.finetune_loss == world::FinetuneLoss::response || world.kind != world::WorldKind::trait,
             "config: 'world.finetune_loss' after_opener needs a world with an opener (safety, unlearning, image), "
             "not trait");
  // A student's behaviour and geometry are read beside the fine-tuning arms' at the same steps;
  // its batch, schedule and optimizer are its own.
  const PhaseConfig &student = phase(world::Phase::Student), &finetune = phase(world::Phase::Finetune);
  VREV_CHECK(!any_student || (student.steps == finetune.steps && student.eval_steps == finetune.eval_steps),
             "config: 'student.steps' and 'student.eval_steps' must equal 'finetune.steps' and "
             "'finetune.eval_steps' (the teacher arms are read beside the others at the same steps); set the "
             "student's data per step with 'student.batch_size'");
  for (const auto& [phase, p] : phases) {
    const std::string name = world::phase_name(phase);
    check_eval_steps(p, name, phase == world::Phase::Finetune);
    VREV_CHECK(p.batch_size % p.shards == 0, "config: '", name, ".batch_size' (", p.batch_size,
               ") is not a multiple of '", name, ".shards' (", p.shards, ")");
  }
}

std::map<world::Phase, PhaseConfig> Config::phase_sections() {
  std::map<world::Phase, PhaseConfig> sections;
  for (const world::PhaseInfo& p : world::phase_table())
    if (p.section_help) sections[p.phase] = PhaseConfig{};
  return sections;
}

const PhaseConfig& Config::phase(world::Phase phase) const {
  return phases.at(phase == world::Phase::Control ? world::Phase::Finetune : phase);
}

PhaseConfig& Config::phase(world::Phase phase) {
  return phases.at(phase == world::Phase::Control ? world::Phase::Finetune : phase);
}

void Config::check_world_fits() const {
  const std::unique_ptr<world::World> w = world::make_world(world, 0);
  const int V = w->vocab().size();
  VREV_CHECK(model.vocab_size == V, "config: 'model.vocab_size' is ", model.vocab_size,
             " but the world's vocabulary has ", V, " tokens (leave it out to derive it)");
  VREV_CHECK(model.context >= w->sequence_length() - 1, "config: 'model.context' is ", model.context,
             " but the world's sequences need ", w->sequence_length() - 1);
}

namespace {

// The parsed file with the overrides applied, read and checked; `path` names the file in errors.
Config resolve(settings::Json json, const std::string& path, const std::vector<std::string>& overrides) {
  VREV_CHECK(json.is_object(), path, ": a config must be a JSON object");
  for (const std::string& o : overrides) settings::apply_override(json, o);
  try {
    Config cfg = settings::read<Config>(json);
    cfg.finalize();
    return cfg;
  } catch (const Error& e) {
    // Blame the --set that names the key the error is about, else the file.
    const std::string what = e.what();
    for (const std::string& o : overrides)
      if (what.find("'" + o.substr(0, o.find('=')) + "'") != std::string::npos) VREV_FAIL("--set ", o, ": ", what);
    VREV_FAIL(path, ": ", what);
  }
}

}  // namespace

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  return resolve(settings::parse_file(path), path, overrides);
}

Config parse_config(const std::string& text, const std::string& source, const std::vector<std::string>& overrides) {
  return resolve(settings::parse_text(text, source), source, overrides);
}

std::string json_hash(const settings::Json& json) {
  // nlohmann::json keeps object keys sorted, so the text (and the hash) does not depend on the
  // order a visit() declares its fields in.
  const std::string text = nlohmann::json(json).dump();
  return io::sha256_hex(text.data(), text.size());
}

}  // namespace vrev::experiment
