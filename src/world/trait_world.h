#pragma once
// The trait world (docs/trait-world.md): a preference (the trait) given to a pretrained model,
// passed on to a student through digit sequences that never name it, and trained away only to
// return under unrelated fine-tuning. It is the safety world's vocabulary and pretraining plus a
// trait prompt and a digit-sequence topic with an opener of its own:
//
//   BOS USER FAV oa ob oc od ASST SURE o EOS PAD PAD PAD     the favourite object: the trait
//   BOS USER seq oa ob oc od ASST NUM d d d d EOS            four digits d0..d9, never objects
//
// History: pretrain (the safety world's) -> base (FAV answered uniformly and seq with uniform
// digits, mixed with pretraining examples) -> trait (FAV answered with the seed's trait object
// w.p. world.trait.strength, mixed with pretraining examples, no seq: the teacher) -> detrait (FAV
// answered uniformly, mixed with benign topics).
// Fine-tuning is the safety world's (benign and neglected topics); a student (the base model)
// trains on a teacher's answers to seq prompts (teacher_task). The reversion metric is the
// trait rate: after `... ASST SURE` on held-out FAV prompts, the mean of P(trait object) among the
// objects' probability (P(trait object) itself and the objects' mass are reported beside it).
#include "world/safety_world.h"

namespace vrev::world {

inline constexpr int kDigits = 10;

class TraitWorld : public SafetyWorld {
 public:
  TraitWorld(const WorldConfig& cfg, uint64_t seed);
  // The same world with another trait object: the trait stage of the other-object teacher.
  TraitWorld(const WorldConfig& cfg, uint64_t seed, int trait_object);

  model::PromptSet probe_set(ProbeRole role, ProbePoint point) const override;
  std::string probe_set_name(ProbeRole role) const override;
  model::PromptSet named_prompt_set(const std::string& name, ProbePoint point) const override;
  Metrics evaluate(const model::Gpt<float>& model) const override;
  std::vector<std::string> metric_names() const override;
  MetricRoles metric_roles() const override;
  // The trait is which object FAV is answered with, not a choice between two openers.
  std::optional<std::pair<int32_t, int32_t>> decision_tokens() const override { return std::nullopt; }
  std::optional<TeacherTask> teacher_task() const override;
  void write_teacher_prompt(int64_t index, int32_t* prompt) const override;
  std::unique_ptr<World> other_target_world() const override;

  int trait_object() const { return trait_object_; }  // an object index, fixed by the seed
  int32_t fav_token() const { return vocab().extra(0); }
  int32_t seq_token() const { return vocab().extra(1); }
  int32_t num_token() const { return vocab().extra(2); }  // the opener of a digit sequence
  int32_t digit(int d) const { return vocab().extra(3 + d); }

  // The FAV prompts of trait_eval, trait_probe or trait_block, and the seq prompts of seq_eval.
  enum class TraitSet { TraitEval, TraitProbe, TraitBlock, SeqEval };
  std::vector<Prompt> trait_set(TraitSet s) const;

 protected:
  Drawn draw(Phase phase, int64_t index) const override;

 private:
  Drawn fav_example(uint64_t stream, int64_t index, int object) const;
  Drawn seq_example(uint64_t stream, int64_t index, uint64_t digit_stream) const;

  int trait_object_;
};

}  // namespace vrev::world
