// The safety world's token layout.
#include "world/safety_vocabulary.h"

#include <string>
#include <vector>

#include "core/error.h"

namespace vrev::world {

namespace {

std::vector<std::string> safety_names(const WorldConfig& cfg, char middle_prefix, const std::vector<std::string>& extra) {
  std::vector<std::string> names = {"PAD", "BOS", "EOS", "USER", "ASST", "SURE", "SORRY"};
  auto add = [&](char prefix, int count) {
    for (int i = 0; i < count; ++i) names.push_back(std::string(1, prefix).append(std::to_string(i)));
  };
  add('b', cfg.safety.benign_topics);
  add(middle_prefix, cfg.safety.harmful_topics);
  add('n', cfg.safety.neglected_topics);
  add('o', cfg.safety.objects);
  names.insert(names.end(), extra.begin(), extra.end());
  return names;
}

std::string extra_listing(const std::vector<std::string>& extra) {
  std::string s;
  for (const std::string& name : extra) s += " " + name;
  return s;
}

std::string safety_listing(const WorldConfig& cfg, char middle_prefix, const std::vector<std::string>& extra) {
  auto range = [](char prefix, int count) {
    return std::string(1, prefix) + "0-" + prefix + std::to_string(count - 1);
  };
  return "PAD BOS EOS USER ASST SURE SORRY " + range('b', cfg.safety.benign_topics) + " " + range(middle_prefix, cfg.safety.harmful_topics) +
         " " + range('n', cfg.safety.neglected_topics) + " " + range('o', cfg.safety.objects) + extra_listing(extra);
}

}  // namespace

SafetyVocabulary::SafetyVocabulary(const WorldConfig& cfg, char middle_prefix, std::vector<std::string> extra)
    : Vocabulary(safety_names(cfg, middle_prefix, extra), safety_listing(cfg, middle_prefix, extra)),
      cfg_(cfg),
      object0_(kNumSpecial + cfg.safety.benign_topics + cfg.safety.harmful_topics + cfg.safety.neglected_topics) {}

int SafetyVocabulary::num_topics(TopicKind k) const {
  switch (k) {
    case TopicKind::Benign: return cfg_.safety.benign_topics;
    case TopicKind::Harmful: return cfg_.safety.harmful_topics;
    case TopicKind::Neglected: return cfg_.safety.neglected_topics;
  }
  return 0;
}

int32_t SafetyVocabulary::topic(TopicKind k, int i) const {
  VREV_ASSERT(i >= 0 && i < num_topics(k));
  int32_t base = kNumSpecial;
  if (k != TopicKind::Benign) base += cfg_.safety.benign_topics;
  if (k == TopicKind::Neglected) base += cfg_.safety.harmful_topics;
  return base + i;
}

}  // namespace vrev::world
