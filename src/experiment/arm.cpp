// Arm names and what they mean.
#include "experiment/arm.h"

#include "core/error.h"

namespace vrev::experiment {

namespace {

std::vector<Arm> all_arms() {
  std::vector<Arm> arms;
  for (const auto& [blocking, name] : enum_names(ArmBlocking{})) arms.push_back({name, blocking});
  for (const auto& [teacher, who] : enum_names(ArmTeacher{}))
    for (const auto& [labels, label_name] : enum_names(world::TeacherLabels{}))
      arms.push_back({std::string("teacher-") + who + "-" + label_name, ArmBlocking::none, teacher, labels});
  return arms;
}

// "{a,b,c}" of an enum's names.
template <class E>
std::string braced_names() {
  std::string names;
  for (const auto& [e, name] : enum_names(E{})) names += (names.empty() ? "{" : ",") + std::string(name);
  return names + "}";
}

}  // namespace

std::string arm_names_in_brief() {
  std::string names;
  for (const auto& [blocking, name] : enum_names(ArmBlocking{})) names += (names.empty() ? "" : ", ") + std::string(name);
  return names + "; the trait world also teacher-" + braced_names<ArmTeacher>() + "-" +
         braced_names<world::TeacherLabels>();
}

Arm parse_arm(const std::string& name) {
  std::string valid;
  for (const Arm& a : all_arms()) {
    if (a.name == name) return a;
    valid += (valid.empty() ? "" : ", ") + a.name;
  }
  VREV_FAIL("unknown arm '", name, "' (valid: ", valid, ")");
}

}  // namespace vrev::experiment
