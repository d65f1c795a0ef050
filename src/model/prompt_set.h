#pragma once
// Prompts of one length, ready for a forward pass, and the position the probe reads in each:
// what a world hands to activation capture and blocking, so that neither needs to know the world.
// Positions are per prompt so that one set can read several positions of the same sequence (the
// image world reads along the first pixels of a refusal: each row is one (prompt, position) pair).
#include <cstdint>
#include <vector>

namespace vrev::model {

struct PromptSet {
  int count = 0;                // N prompts
  int length = 0;               // T tokens each
  std::vector<int> positions;   // (N) the probe position of each prompt, in [0, T)
  std::vector<int32_t> tokens;  // (N, T), row-major

  const int32_t* prompt(int i) const { return tokens.data() + size_t(i) * length; }
  int position(int i) const { return positions[size_t(i)]; }
};

}  // namespace vrev::model
