#pragma once
// The GPT's parameters: one flat arena of values and one of gradients, with a named view per
// tensor in the layout order of docs/architecture.md, so that "all parameters as one vector" is a single span.
#include <algorithm>
#include <string>
#include <vector>

#include "core/shape.h"
#include "model/config.h"

namespace vrev::model {

struct ParamView {
  std::string name;
  Shape shape;
  size_t offset;  // into the arena, in elements
  bool decay;     // 2-D weights get weight decay; biases and LayerNorm parameters do not
  size_t numel() const { return static_cast<size_t>(shape.numel()); }
};

// Index of each per-block tensor within its block's group of twelve.
enum BlockParam {
  kLn1Weight, kLn1Bias, kQkvWeight, kQkvBias, kAttnProjWeight, kAttnProjBias,
  kLn2Weight, kLn2Bias, kFcWeight, kFcBias, kMlpProjWeight, kMlpProjBias, kBlockParams
};

// The layout for a config: wte, wpe, blocks.0 ... blocks.L-1, ln_f.weight, ln_f.bias.
std::vector<ParamView> parameter_layout(const ModelConfig& cfg);

template <class T>
class Parameters {
 public:
  explicit Parameters(const ModelConfig& cfg) : views_(parameter_layout(cfg)) {
    const ParamView& tail = views_.back();
    values_.assign(tail.offset + tail.numel(), T(0));
    grads_.assign(values_.size(), T(0));
  }
  const std::vector<ParamView>& views() const { return views_; }
  size_t size() const { return values_.size(); }
  T* values() { return values_.data(); }
  const T* values() const { return values_.data(); }
  T* grads() { return grads_.data(); }
  const T* grads() const { return grads_.data(); }
  T* value(int i) { return values_.data() + views_[i].offset; }
  T* grad(int i) { return grads_.data() + views_[i].offset; }
  const T* value(int i) const { return values_.data() + views_[i].offset; }
  void zero_grads() { std::fill(grads_.begin(), grads_.end(), T(0)); }
  // Position of a name in the layout, or -1.
  int find(const std::string& name) const {
    for (size_t i = 0; i < views_.size(); ++i)
      if (views_[i].name == name) return static_cast<int>(i);
    return -1;
  }
  static int wte() { return 0; }
  static int wpe() { return 1; }
  static int block(int layer, BlockParam p) { return 2 + layer * kBlockParams + p; }
  int ln_f_weight() const { return static_cast<int>(views_.size()) - 2; }
  int ln_f_bias() const { return static_cast<int>(views_.size()) - 1; }

 private:
  std::vector<ParamView> views_;
  std::vector<T> values_;
  std::vector<T> grads_;
};

}  // namespace vrev::model
