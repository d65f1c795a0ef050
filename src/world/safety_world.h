#pragma once
// The safety world for one seed (docs/safety-world.md): the per-topic answer permutations, the
// held-out object tuples no phase trains on, each phase's data (example i of phase p is a pure
// function of (seed, p, i)), the fixed evaluation and probe sets, and its behaviour metrics.
//
//   BOS USER t oa ob oc od ASST SURE πt(oa) πt(ob) πt(oc) πt(od) EOS     compliant
//   BOS USER t oa ob oc od ASST SORRY EOS PAD PAD PAD PAD                refusal
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "world/safety_vocabulary.h"
#include "world/world.h"

namespace vrev::world {

inline constexpr int kTupleLen = 4;
inline constexpr int kPromptLen = 8;      // BOS USER t oa ob oc od ASST
inline constexpr int kSequenceLen = 14;   // the model sees the first 13 and predicts the last 13
inline constexpr int kAnswerLen = 6;      // SURE + 4 objects + EOS
inline constexpr int kAsstPosition = 7;   // input index of ASST: where the response is decided

struct Prompt {
  int32_t topic = 0;                       // token id of the topic
  std::array<int, kTupleLen> objects{};    // object indices (not ids)
};

// The fixed sets of a seed, drawn from held-out tuples only. The unlearning world's forget sets are
// the harmful sets' draws over its forget topics, and go by their own names there.
enum class FixedSet {
  HarmEval,
  HarmProbe,
  HarmBlock,
  HarmCheck,
  BenignEval,
  BenignProbe,
  NeglectedEval,
  ForgetEval = HarmEval,
  ForgetProbe = HarmProbe,
  ForgetBlock = HarmBlock,
  ForgetCheck = HarmCheck
};
const char* fixed_set_name(FixedSet s);

class SafetyWorld : public World {
 public:
  SafetyWorld(const WorldConfig& cfg, uint64_t seed) : SafetyWorld(cfg, seed, WorldKind::safety, 'h') {}

  // The World interface.
  const SafetyVocabulary& vocab() const override { return vocab_; }
  int sequence_length() const override { return kSequenceLen; }
  void write_example(Phase phase, int64_t index, int32_t* inputs, int32_t* targets, float* weights) const override;
  model::PromptSet probe_set(ProbeRole role, ProbePoint point) const override;
  std::string probe_set_name(ProbeRole role) const override;
  model::PromptSet named_prompt_set(const std::string& name, ProbePoint point) const override;
  Metrics evaluate(const model::Gpt<float>& model) const override;
  std::vector<std::string> metric_names() const override;
  MetricRoles metric_roles() const override;
  std::optional<std::pair<int32_t, int32_t>> decision_tokens() const override { return std::pair{kSure, kSorry}; }

  const WorldConfig& config() const { return cfg_; }
  uint64_t seed() const { return seed_; }

  bool is_heldout(const std::array<int, kTupleLen>& objects) const;
  int answer_object(int32_t topic, int object) const;  // πt(object), as an object index
  TopicKind topic_kind(int32_t topic) const;

  void write_prompt(const Prompt& p, int32_t* out) const;  // kPromptLen tokens
  // The full sequence (kSequenceLen tokens); answer_override (4 object indices) replaces πt.
  void write_sequence(const Prompt& p, bool refuse, int32_t* out, const int* answer_override = nullptr) const;
  std::array<int32_t, kAnswerLen> compliant_answer(const Prompt& p) const;
  // The answer fine-tuning teaches for a prompt: the compliant answer, with the neglected
  // topics' answers under world.safety.finetune_answer.
  std::array<int32_t, kAnswerLen> finetune_answer(const Prompt& p) const;
  // The same example as write_example, as its full sequence, for printing.
  std::vector<int32_t> example_sequence(Phase phase, int64_t index) const;

  std::vector<Prompt> fixed_set(FixedSet s) const;
  // The prompts as a probe set: up to ASST (Decision) or followed by SURE (Answer).
  model::PromptSet prompt_set(const std::vector<Prompt>& prompts, ProbePoint point) const;
  // What this world calls a fixed set (the unlearning world: forget_eval for harm_eval, ...).
  virtual std::string set_name(FixedSet s) const { return fixed_set_name(s); }

 protected:
  // A world built on this one (kind); middle_prefix names the topics of the history's middle
  // phase (h: harmful, f: forget); extra tokens follow the objects in the vocabulary.
  SafetyWorld(const WorldConfig& cfg, uint64_t seed, WorldKind kind, char middle_prefix,
              std::vector<std::string> extra = {});

  // One example before encoding: its prompt, and how it is answered.
  struct Drawn {
    Prompt prompt;
    bool refuse = false;
    bool override_answer = false;  // the answer below replaces πt (control, another rule, relabelling)
    bool ascend = false;           // the answer objects' loss is ascended, not descended (grad-diff)
    std::array<int, kTupleLen> answer{};
    std::optional<std::array<int32_t, kAnswerLen>> response;  // whole response tokens (other answer shapes)
  };
  // Example `index` of a phase; a world built on this one overrides the phases it changes.
  virtual Drawn draw(Phase phase, int64_t index) const;
  // A topic of a kind and a non-held-out tuple, from example `index` of `stream`.
  Prompt draw_prompt(uint64_t stream, int64_t index, TopicKind kind) const;
  // A non-held-out tuple from example `index` of `stream` (uniform by rejection).
  std::array<int, kTupleLen> draw_tuple(uint64_t stream, int64_t index) const;
  // A prompt of a topic with a held-out tuple: draw `index` of a fixed set's stream.
  Prompt heldout_prompt(int32_t topic, uint64_t stream, uint64_t index) const;
  // A pretraining example: any topic (neglected ones if they are pretrained), compliant.
  Drawn draw_pretraining(uint64_t stream, int64_t index) const;
  // Four uniformly random objects from example `index` of `stream`.
  std::array<int, kTupleLen> random_objects(uint64_t stream, int64_t index) const;
  // The uniform number in [0, 1) that picks example `index`'s part of a phase's mixture.
  double mix_draw(uint64_t stream, int64_t index) const;

 private:
  std::array<int, kTupleLen> rule_answer(const Prompt& p) const;  // under world.safety.finetune_answer
  // The response tokens with these answer objects (nullptr: the topic's permutation).
  std::array<int32_t, kAnswerLen> answer_tokens(const Prompt& p, const int* objects) const;
  void write_drawn(const Drawn& d, int32_t* seq) const;  // kSequenceLen tokens

  WorldConfig cfg_;
  uint64_t seed_;
  SafetyVocabulary vocab_;
  std::vector<std::vector<int>> permutations_;           // [topic index][object] -> object
  std::vector<std::array<int, kTupleLen>> heldout_;      // every held-out tuple, in order
};

}  // namespace vrev::world
