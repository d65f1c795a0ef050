// Arm names and what they mean.
#include "experiment/arm.h"

#include "core/error.h"

namespace vrev::experiment {

namespace {

std::vector<Arm> all_arms() {
  std::vector<Arm> arms;
  for (const auto& [blocking, name] : enum_names(ArmBlocking{})) arms.push_back({name, blocking});
  for (const auto& [teacher, who] : {std::pair{ArmTeacher::same_init, "same-init"}, std::pair{ArmTeacher::self, "self"},
                                     std::pair{ArmTeacher::other_init, "other-init"}})
    for (const auto& [labels, label_name] : enum_names(world::TeacherLabels{}))
      arms.push_back({std::string("teacher-") + who + "-" + label_name, ArmBlocking::none, teacher, labels});
  return arms;
}

}  // namespace

Arm parse_arm(const std::string& name) {
  std::string valid;
  for (const Arm& a : all_arms()) {
    if (a.name == name) return a;
    valid += (valid.empty() ? "" : ", ") + a.name;
  }
  VREV_FAIL("unknown arm '", name, "' (valid: ", valid, ")");
}

}  // namespace vrev::experiment
