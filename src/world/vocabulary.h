#pragma once
// The safety world's vocabulary: seven special tokens, then the benign, harmful and neglected
// topics, then the objects, each with a readable name (BOS USER h3 o12 ... ASST SURE ...).
#include <cstdint>
#include <string>
#include <vector>

#include "world/config.h"

namespace vrev::world {

enum Special : int32_t { kPad = 0, kBos, kEos, kUser, kAsst, kSure, kSorry, kNumSpecial };

enum class TopicKind { Benign, Harmful, Neglected };

class Vocabulary {
 public:
  explicit Vocabulary(const WorldConfig& cfg);
  int size() const { return static_cast<int>(names_.size()); }
  const std::string& name(int32_t id) const;
  // The id of a token name; the error names the unknown token.
  int32_t id(const std::string& name) const;

  int num_topics(TopicKind k) const;
  int32_t topic(TopicKind k, int i) const;  // id of the i-th topic of a kind
  int32_t object(int i) const { return object0_ + i; }
  int object_index(int32_t id) const { return id - object0_; }
  int topic_index(int32_t id) const { return id - kNumSpecial; }  // across all kinds, 0-based
  int num_all_topics() const { return cfg_.benign_topics + cfg_.harmful_topics + cfg_.neglected_topics; }

  // "BOS USER h3 ..." <-> ids. Parsing splits on whitespace.
  std::vector<int32_t> parse(const std::string& text) const;
  std::string format(const int32_t* ids, size_t n) const;

 private:
  WorldConfig cfg_;
  int32_t object0_;
  std::vector<std::string> names_;
};

}  // namespace vrev::world
