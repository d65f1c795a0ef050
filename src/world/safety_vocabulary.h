#pragma once
// The safety world's vocabulary: seven special tokens, then the benign, harmful and neglected
// topics, then the objects (docs/safety-world.md has the table). The unlearning world names its
// middle topics f0.. (forget) instead of h0.. (harmful); the trait world appends its own tokens
// after the objects (FAV, seq, the digits).
#include <cstdint>
#include <string>
#include <vector>

#include "world/config.h"
#include "world/vocabulary.h"

namespace vrev::world {

enum Special : int32_t { kPad = 0, kBos, kEos, kUser, kAsst, kSure, kSorry, kNumSpecial };

// The topics' kinds. The unlearning world's forget topics stand where the harmful ones do (the
// history's middle phase acts on them), and go by their own name there.
enum class TopicKind { Benign, Harmful, Neglected, Forget = Harmful };

class SafetyVocabulary : public Vocabulary {
 public:
  explicit SafetyVocabulary(const WorldConfig& cfg, char middle_prefix = 'h', std::vector<std::string> extra = {});

  int num_topics(TopicKind k) const;
  int32_t topic(TopicKind k, int i) const;  // id of the i-th topic of a kind
  int32_t object(int i) const { return object0_ + i; }
  int object_index(int32_t id) const { return id - object0_; }
  int32_t extra(int i) const { return object0_ + cfg_.safety.objects + i; }  // the i-th appended token
  int topic_index(int32_t id) const { return id - kNumSpecial; }  // across all kinds, 0-based
  int num_all_topics() const { return cfg_.safety.benign_topics + cfg_.safety.harmful_topics + cfg_.safety.neglected_topics; }

 private:
  WorldConfig cfg_;
  int32_t object0_;
};

}  // namespace vrev::world
