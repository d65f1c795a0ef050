#pragma once
// The unlearning world (docs/unlearning-world.md): the safety world's vocabulary and pretraining,
// with forget topics f0.. in place of the harmful ones. Its history is pretrain -> unlearn: the
// forget topics' capability (their permutation) is removed by relabelling their answers with
// fresh random objects, by refusing them, or by ascending their loss until forget accuracy on a
// check set is near chance (grad-diff), mixed half and half with retained benign examples.
// Benign fine-tuning (benign and neglected topics) is the safety world's. The reversion metric is
// the per-object forget accuracy: the share of answer objects the pretrained permutation gives.
#include "world/safety_world.h"

namespace vrev::world {

class UnlearningWorld : public SafetyWorld {
 public:
  UnlearningWorld(const WorldConfig& cfg, uint64_t seed) : SafetyWorld(cfg, seed, WorldKind::unlearning, 'f') {}

  Metrics evaluate(const model::Gpt<float>& model) const override;
  std::vector<std::string> metric_names() const override;
  MetricRoles metric_roles() const override;
  std::string set_name(FixedSet s) const override;  // forget_eval, forget_probe, forget_block, ...
  bool phase_complete(Phase phase, const model::Gpt<float>& model) const override;

 protected:
  Drawn draw(Phase phase, int64_t index) const override;
};

}  // namespace vrev::world
