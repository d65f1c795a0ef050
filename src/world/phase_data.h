#pragma once
// The batch source of a training phase of any world: batch `step` holds examples
// first + step*B .. first + step*B+B-1, so the data cursor is the step and a resumed run sees the
// same data. Independent replicas of a phase (the control runs) read disjoint ranges of its stream.
#include <memory>

#include "train/batch.h"
#include "world/world.h"

namespace vrev::world {

// Examples of the phase's stream each replica owns: replica r starts at r * kReplicaExamples.
constexpr int64_t kReplicaExamples = int64_t(1) << 36;

class PhaseData : public train::BatchSource {
 public:
  PhaseData(const World& world, Phase phase, int batch_size, int replica = 0);
  // The phase's data of a world that lives as long as the source (a variant of the run's world).
  PhaseData(std::unique_ptr<const World> world, Phase phase, int batch_size);
  void fill(int64_t step, train::Batch& batch) override;

 private:
  std::unique_ptr<const World> owned_;  // empty unless the source owns its world
  const World& world_;
  Phase phase_;
  int batch_size_;
  int64_t first_;  // the replica's first example
};

}  // namespace vrev::world
