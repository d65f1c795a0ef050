#pragma once
// The fine-tuning arms of `vrev reproduce`, by name: what each trains on, and along which
// direction its updates are blocked.
//   plain                     the world's fine-tuning data
//   block-vrev / -random / -pc1   the same, updates blocked along v_rev, a random direction or
//                             the first principal component of the history's last model's
//                             activations over the reversion probe set
//   block-readout             the same, blocked along the readout direction: the gradient of the
//                             decision's logit difference at the probe site (probe/readout.h)
//   teacher-<who>-<labels>    a student: the base (the reference phase's parent) trained on a
//                             teacher's outputs (the trait world; world::TeacherLabels): who is
//                             same-init (the seed's reference model: the base given the trait),
//                             base (the student's own start), other-init (the same history from another
//                             initialisation) or other-object (the base given another trait);
//                             labels hard, soft, full or noise
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
enum class ArmTeacher { none, same_init, base, other_init, other_object };
// The `who` of a teacher arm's name, spelled once.
constexpr std::array<std::pair<ArmTeacher, const char*>, 4> enum_names(ArmTeacher) {
  return {{{ArmTeacher::same_init, "same-init"},
           {ArmTeacher::base, "base"},
           {ArmTeacher::other_init, "other-init"},
           {ArmTeacher::other_object, "other-object"}}};
}

struct Arm {
  std::string name;
  ArmBlocking blocking = ArmBlocking::none;
  ArmTeacher teacher = ArmTeacher::none;
  world::TeacherLabels labels = world::TeacherLabels::hard;
};

// The error lists every valid name.
Arm parse_arm(const std::string& name);
// The arms in words for help texts: "plain, block-vrev, ...; the trait world also
// teacher-{same-init,...}-{hard,...}".
std::string arm_names_in_brief();

}  // namespace vrev::experiment
