#pragma once
// The safety world of world-spec.md for one seed: the per-topic answer permutations, the
// held-out object tuples no phase trains on, each phase's data (example i of phase p is a pure
// function of (seed, p, i)), and the fixed evaluation and probe sets.
//
//   BOS USER t oa ob oc od ASST SURE πt(oa) πt(ob) πt(oc) πt(od) EOS     compliant
//   BOS USER t oa ob oc od ASST SORRY EOS PAD PAD PAD PAD                refusal
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "train/trainer.h"
#include "world/vocabulary.h"

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

// Which data a training phase draws. Control is fine-tuning's prompts with random answers.
enum class Phase { Pretrain, Align, Finetune, Control };
Phase parse_phase(const std::string& name);  // the error lists the phases
const char* phase_name(Phase p);

// The fixed sets of a seed (world-spec.md "Fixed sets per seed").
enum class FixedSet { HarmEval, HarmProbe, HarmBlock, BenignEval, BenignProbe, NeglectedEval };
FixedSet parse_fixed_set(const std::string& name);
const char* fixed_set_name(FixedSet s);

class SafetyWorld {
 public:
  SafetyWorld(const WorldConfig& cfg, uint64_t seed);

  const WorldConfig& config() const { return cfg_; }
  const Vocabulary& vocab() const { return vocab_; }
  uint64_t seed() const { return seed_; }

  bool is_heldout(const std::array<int, kTupleLen>& objects) const;
  int answer_object(int32_t topic, int object) const;  // πt(object), as an object index
  TopicKind topic_kind(int32_t topic) const;

  void write_prompt(const Prompt& p, int32_t* out) const;  // kPromptLen tokens
  // The full sequence (kSequenceLen tokens); answer_override (4 object indices) replaces πt.
  void write_sequence(const Prompt& p, bool refuse, int32_t* out, const int* answer_override = nullptr) const;
  std::array<int32_t, kAnswerLen> compliant_answer(const Prompt& p) const;

  // Example `index` of a phase as (B=1) inputs, targets and loss weights of length kSequenceLen-1.
  void write_example(Phase phase, int64_t index, int32_t* inputs, int32_t* targets, float* weights) const;
  // The same example as its full sequence, for printing.
  std::vector<int32_t> example_sequence(Phase phase, int64_t index) const;

  std::vector<Prompt> fixed_set(FixedSet s) const;

 private:
  struct Drawn {
    Prompt prompt;
    bool refuse = false;
    bool random_answer = false;
    std::array<int, kTupleLen> answer{};
  };
  Drawn draw(Phase phase, int64_t index) const;

  WorldConfig cfg_;
  uint64_t seed_;
  Vocabulary vocab_;
  std::vector<std::vector<int>> permutations_;           // [topic index][object] -> object
  std::vector<std::array<int, kTupleLen>> heldout_;      // every held-out tuple, in order
};

// The batch source of a training phase: batch `step` holds examples step*B .. step*B+B-1.
class PhaseData : public train::BatchSource {
 public:
  PhaseData(const SafetyWorld& world, Phase phase, int batch_size);
  void fill(int64_t step, train::Batch& batch) override;

 private:
  const SafetyWorld& world_;
  Phase phase_;
  int batch_size_;
};

}  // namespace vrev::world
