#pragma once
// Prompts of one length, ready for a forward pass, and the position the probe reads in each:
// what a world hands to activation capture and blocking, so that neither needs to know the world.
#include <cstdint>
#include <vector>

namespace vrev::model {

struct PromptSet {
  int count = 0;                // N prompts
  int length = 0;               // T tokens each
  int position = 0;             // the probe position in [0, T): where the response is decided
  std::vector<int32_t> tokens;  // (N, T), row-major

  const int32_t* prompt(int i) const { return tokens.data() + size_t(i) * length; }
};

}  // namespace vrev::model
