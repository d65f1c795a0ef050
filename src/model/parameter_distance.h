#pragma once
// How far a model has moved from another of the same layout: the L2 distance of all parameters,
// and of each group (the embeddings, each block, the final LayerNorm), so that a reader sees where
// fine-tuning moved the weights, not only how far (docs/mechanism.md).
#include <string>
#include <utility>
#include <vector>

#include "model/parameters.h"

namespace vrev::model {

struct ParameterDistance {
  double total = 0;
  std::vector<std::pair<std::string, double>> groups;  // wte, wpe, blocks.0 .., ln_f, in layout order
};

// Sums in double, in layout order: the same bits on every machine. The layouts must match.
ParameterDistance parameter_distance(const Parameters<float>& a, const Parameters<float>& b);

}  // namespace vrev::model
