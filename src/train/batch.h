#pragma once
// What the training loop consumes, and all a world needs to know of training: a batch of token
// sequences with per-target weights, and a source that gives the batch of any step.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace vrev::train {

// One batch: inputs and targets (B, T) and a weight per target (0 masks it out). A source may
// also give a target distribution per position (soft labels, (B, T, V)); the loss is then the
// soft-target cross-entropy, and the hard targets are only a record of the sequences.
struct Batch {
  int B = 0, T = 0;
  std::vector<int32_t> inputs, targets;
  std::vector<float> weights;
  std::vector<float> soft_targets;  // empty: hard targets
  void resize(int batch, int time) {
    B = batch;
    T = time;
    inputs.resize(size_t(B) * T);
    targets.resize(inputs.size());
    weights.resize(inputs.size());
  }
};

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  // Fills `batch` with the batch of 0-based step `step`; the same step gives the same batch.
  virtual void fill(int64_t step, Batch& batch) = 0;
};

}  // namespace vrev::train
