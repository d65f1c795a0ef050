// Token names and ids of the safety world.
#include "world/vocabulary.h"

#include <sstream>

#include "core/error.h"

namespace vrev::world {

Vocabulary::Vocabulary(const WorldConfig& cfg) : cfg_(cfg) {
  names_ = {"PAD", "BOS", "EOS", "USER", "ASST", "SURE", "SORRY"};
  auto add = [&](char prefix, int count) {
    for (int i = 0; i < count; ++i) names_.push_back(std::string(1, prefix).append(std::to_string(i)));
  };
  add('b', cfg.benign_topics);
  add('h', cfg.harmful_topics);
  add('n', cfg.neglected_topics);
  object0_ = static_cast<int32_t>(names_.size());
  add('o', cfg.objects);
}

const std::string& Vocabulary::name(int32_t id) const {
  VREV_CHECK(id >= 0 && id < size(), "token id ", id, " is out of range [0, ", size(), ")");
  return names_[id];
}

int32_t Vocabulary::id(const std::string& name) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return static_cast<int32_t>(i);
  VREV_FAIL("unknown token '", name, "' (tokens: PAD BOS EOS USER ASST SURE SORRY b0-b", cfg_.benign_topics - 1,
            " h0-h", cfg_.harmful_topics - 1, " n0-n", cfg_.neglected_topics - 1, " o0-o", cfg_.objects - 1, ")");
}

int Vocabulary::num_topics(TopicKind k) const {
  switch (k) {
    case TopicKind::Benign: return cfg_.benign_topics;
    case TopicKind::Harmful: return cfg_.harmful_topics;
    case TopicKind::Neglected: return cfg_.neglected_topics;
  }
  return 0;
}

int32_t Vocabulary::topic(TopicKind k, int i) const {
  VREV_ASSERT(i >= 0 && i < num_topics(k));
  int32_t base = kNumSpecial;
  if (k != TopicKind::Benign) base += cfg_.benign_topics;
  if (k == TopicKind::Neglected) base += cfg_.harmful_topics;
  return base + i;
}

std::vector<int32_t> Vocabulary::parse(const std::string& text) const {
  std::istringstream in(text);
  std::vector<int32_t> ids;
  for (std::string word; in >> word;) ids.push_back(id(word));
  return ids;
}

std::string Vocabulary::format(const int32_t* ids, size_t n) const {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += (i ? " " : "") + name(ids[i]);
  return s;
}

}  // namespace vrev::world
