#pragma once
// The seam between a reversion setting and everything that trains on it and measures it. A world
// is a pure function of (config, seed): its vocabulary; example i of each training phase; its
// history (the phases before fine-tuning, in order); its fixed prompt sets for the probe, drawn
// from held-out items; and its behaviour metrics, one of which is the reversion metric (what the
// middle phase removed and fine-tuning may bring back) and some of which are task metrics (what
// must not be lost). The phase runner, capture, v_rev, drift, nulls, blocking, summary and report
// are written against this interface alone.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/settings.h"
#include "model/gpt.h"
#include "model/prompt_set.h"
#include "world/config.h"
#include "world/phase.h"
#include "world/vocabulary.h"

namespace vrev::world {

// The registry of worlds (world.cpp), beside the registry of phases (phase.h): every other list
// of them (the CLI's help, the main track's comparison) derives from these tables, so adding a
// world is a row here plus its own files (docs/world-interface.md).
class World;
struct WorldInfo {
  WorldKind kind;
  std::vector<Phase> history;  // the phases before fine-tuning, in training order
  Phase reference;             // the phase whose model v_rev points back to
  std::vector<std::string> sections;  // the sections of WorldConfig it reads (world.<section>.*)
  std::unique_ptr<World> (*make)(const WorldConfig& cfg, uint64_t seed);
};
const std::vector<WorldInfo>& world_table();
const WorldInfo& world_info(WorldKind kind);

// The sections of WorldConfig that no world reads, or only other worlds: a config of this world
// that sets one would have it ignored.
std::vector<std::string> unread_sections(WorldKind kind);

// "pretrain, align, unlearn, trait, detrait": every phase some world's history has.
std::string history_phase_names();
// "safety: pretrain, align; unlearning: pretrain, unlearn; ...": each world's history.
std::string world_histories();

// The probe's prompt sets: the reversion set (v_rev and drift), the benign set (nulls and benign
// drift) and the blocking set (the blocked arms' functional), disjoint draws.
enum class ProbeRole { Reversion, Benign, Block };
constexpr std::array<std::pair<ProbeRole, const char*>, 3> enum_names(ProbeRole) {
  return {{{ProbeRole::Reversion, "reversion"}, {ProbeRole::Benign, "benign"}, {ProbeRole::Block, "block"}}};
}
// Where in a prompt the probe reads: at the decision (where the response is chosen: ASST in the
// token worlds), at the first answer token (the prompt followed by its opener, e.g. SURE: where
// the answer's content starts), or along the first tokens of the refusal (the image world's blank
// image: one row per prompt and position; the token worlds have no such point and say so).
enum class ProbePoint { Decision, Answer, Refusal };

struct Metric {
  std::string name;
  double value = 0;
};
using Metrics = std::vector<Metric>;
settings::Json to_json(const Metrics& metrics);

// Which of a world's metrics the summary and report are about, in the order they list them.
struct MetricRoles {
  std::string reversion;                // what the middle phase removed, e.g. harmfulness
  std::vector<std::string> companions;  // other views of it, e.g. harmful_content
  std::vector<std::string> task;        // what must not be lost, e.g. task_accuracy
  std::vector<std::string> measures;    // views of it that are not shares, e.g. an NLL (printed as numbers)
};

// What a teacher answers, in a world whose students train on a teacher model's outputs (the
// trait world): teacher example i is prompt(i), then forced_prefix, then answer_length tokens the
// teacher samples at temperature 1 from its whole next-token distribution, kept only if every one
// is one of answer_tokens (the filter: no other token, so no object, ever reaches a student), then
// forced_suffix; the loss covers everything after the prompt's last token.
struct TeacherTask {
  int prompt_length = 0;
  std::vector<int32_t> forced_prefix;   // e.g. SURE
  int answer_length = 0;
  std::vector<int32_t> answer_tokens;   // e.g. the digits
  std::vector<int32_t> forced_suffix;   // e.g. EOS
  // The tokens whose choice is the trait (the objects): aux labels never put mass on them.
  std::vector<int32_t> trait_tokens;
  int sequence_length() const {
    return prompt_length + static_cast<int>(forced_prefix.size() + forced_suffix.size()) + answer_length;
  }
};

// What a student trains on from a teacher: the sampled tokens (hard), or at each answer position
// the teacher's distribution over the answer tokens (soft) or over the whole vocabulary (full:
// everything the teacher's logits say, the trait's traces included); or, instead of its answers,
// at every position of random-token sequences, its whole distribution (noise) or its distribution
// over every token but the trait tokens, renormalised (aux: the auxiliary-logit design, where
// neither an input nor a target is ever the trait's).
enum class TeacherLabels { hard, soft, full, noise, aux };
constexpr std::array<std::pair<TeacherLabels, const char*>, 5> enum_names(TeacherLabels) {
  return {{{TeacherLabels::hard, "hard"}, {TeacherLabels::soft, "soft"}, {TeacherLabels::full, "full"},
           {TeacherLabels::noise, "noise"}, {TeacherLabels::aux, "aux"}}};
}

// Samples for people to look at, from a world whose outputs are images: one row per class,
// `per_class` binary images of side x side pixels each.
struct SampleImages {
  int side = 0;
  int per_class = 0;
  std::vector<std::string> classes;
  std::vector<uint8_t> pixels;  // (classes, per_class, side, side), 1 = ink
};

class World {
 public:
  explicit World(WorldKind kind) : kind_(kind) {}
  virtual ~World() = default;
  WorldKind kind() const { return kind_; }

  virtual const Vocabulary& vocab() const = 0;
  // Tokens of a training example; the model sees the first length-1 and predicts the last length-1.
  virtual int sequence_length() const = 0;
  // The phases before fine-tuning, in training order (the first starts from a fresh model), and
  // the phase whose model v_rev points back to: the end of the large early phase (the history's
  // first phase; the trait world's trait stage, after which the trait is learned). Both are the
  // world's row of world_table().
  const std::vector<Phase>& history() const { return world_info(kind_).history; }
  Phase reference_phase() const { return world_info(kind_).reference; }
  // Example `index` of a phase as inputs, targets and loss weights, each of sequence_length()-1.
  virtual void write_example(Phase phase, int64_t index, int32_t* inputs, int32_t* targets, float* weights) const = 0;

  virtual model::PromptSet probe_set(ProbeRole role, ProbePoint point) const = 0;
  virtual std::string probe_set_name(ProbeRole role) const = 0;  // e.g. harm_probe
  // Any of the world's fixed prompt sets by name (e.g. neglected_eval); the error lists them.
  virtual model::PromptSet named_prompt_set(const std::string& name, ProbePoint point) const = 0;

  // Every behaviour metric, in a fixed order, on the held-out evaluation sets.
  virtual Metrics evaluate(const model::Gpt<float>& model) const = 0;
  virtual std::vector<std::string> metric_names() const = 0;  // the names evaluate() returns, in order
  virtual MetricRoles metric_roles() const = 0;

  // The decision the reversion probe set's prompts make at the probe position, as the two tokens
  // whose logit difference reads it (the safety world: SURE over SORRY at ASST); none in a world
  // without one such choice. The readout direction is the gradient of that difference.
  virtual std::optional<std::pair<int32_t, int32_t>> decision_tokens() const { return std::nullopt; }

  // Whether a phase that may end before its last step has done its job (grad-diff unlearning,
  // once forget accuracy is near chance); the runner asks every log_every steps.
  virtual bool phase_complete(Phase /*phase*/, const model::Gpt<float>& /*model*/) const { return false; }

  // Teacher data, for the worlds that have it (none by default): the task, and the prompt of
  // teacher example `index` (TeacherTask::prompt_length tokens; an error in a world without).
  virtual std::optional<TeacherTask> teacher_task() const { return std::nullopt; }
  virtual void write_teacher_prompt(int64_t index, int32_t* prompt) const;
  // The same world with the reference phase teaching another target (the trait world: another
  // trait object), whose reference-phase data train the other-object teacher; none by default.
  virtual std::unique_ptr<World> other_target_world() const { return nullptr; }

  // Pictures, for the worlds whose outputs are images (none by default): the classes a prompt can
  // ask for (all, or only the reversion metric's, e.g. the forbidden glyphs), and `per_class`
  // temperature-1 samples of each named class from counter-RNG `seed` (an error in a world without).
  virtual std::vector<std::string> image_classes(bool /*reversion_only*/) const { return {}; }
  virtual SampleImages sample_images(const model::Gpt<float>& model, const std::vector<std::string>& classes,
                                     int per_class, uint64_t seed) const;

 private:
  WorldKind kind_;
};

std::unique_ptr<World> make_world(const WorldConfig& cfg, uint64_t seed);

// An error unless the world trains on this phase: one of its history, fine-tuning, control or
// (with teacher data) student.
void check_phase(const World& world, Phase phase);

// The phase a phase starts from: the one before it in the history (fine-tuning and control start
// from the history's last, a student from the teacher's: the reference phase's parent); none for
// the first phase, which starts from a fresh model.
std::optional<Phase> parent_phase(const World& world, Phase phase);

}  // namespace vrev::world
