#pragma once
// The batch source of a training phase of any world: batch `step` holds examples
// step*B .. step*B+B-1, so the data cursor is the step and a resumed run sees the same data.
#include "train/batch.h"
#include "world/world.h"

namespace vrev::world {

class PhaseData : public train::BatchSource {
 public:
  PhaseData(const World& world, Phase phase, int batch_size);
  void fill(int64_t step, train::Batch& batch) override;

 private:
  const World& world_;
  Phase phase_;
  int batch_size_;
};

}  // namespace vrev::world
