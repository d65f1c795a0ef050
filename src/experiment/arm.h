#pragma once
// The fine-tuning arms of `vrev reproduce`, by name: what each trains on, and along which
// direction its updates are blocked.
//   plain                     the world's fine-tuning data
//   block-vrev / -random / -pc1   the same, updates blocked along v_rev, a random direction or
//                             the first principal component of the history's last model's
//                             activations over the reversion probe set
//   block-readout             the same, blocked along the readout direction: the gradient of the
//                             decision's logit difference at the probe site (probe/readout.h)
//   teacher-<who>-<labels>    a teacher's answers to the world's teacher prompts (the trait
//                             world): who is same-init (the seed's own trait-pretrained model),
//                             self (the model being fine-tuned) or other-init (a model trained on
//                             the same data from another initialisation); labels hard, soft
//                             (over the answer tokens) or full (over the vocabulary)
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "core/settings.h"
#include "world/world.h"

namespace vrev::experiment {

enum class ArmBlocking { none, vrev, random, pc1, readout };
// An arm without a teacher is named by its blocking; settings::name_of(ArmBlocking::none) is
// "plain", and so on: the one place these names are spelled.
constexpr std::array<std::pair<ArmBlocking, const char*>, 5> enum_names(ArmBlocking) {
  return {{{ArmBlocking::none, "plain"},
           {ArmBlocking::vrev, "block-vrev"},
           {ArmBlocking::random, "block-random"},
           {ArmBlocking::pc1, "block-pc1"},
           {ArmBlocking::readout, "block-readout"}}};
}
enum class ArmTeacher { none, same_init, self, other_init };

struct Arm {
  std::string name;
  ArmBlocking blocking = ArmBlocking::none;
  ArmTeacher teacher = ArmTeacher::none;
  world::TeacherLabels labels = world::TeacherLabels::hard;
};

// The error lists every valid name.
Arm parse_arm(const std::string& name);

}  // namespace vrev::experiment
