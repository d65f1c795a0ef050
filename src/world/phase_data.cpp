// A phase's batches from its examples.
#include "world/phase_data.h"

namespace vrev::world {

PhaseData::PhaseData(const World& world, Phase phase, int batch_size, int replica)
    : world_(world), phase_(phase), batch_size_(batch_size), first_(replica * kReplicaExamples) {}

PhaseData::PhaseData(std::unique_ptr<const World> world, Phase phase, int batch_size)
    : owned_(std::move(world)), world_(*owned_), phase_(phase), batch_size_(batch_size), first_(0) {}

void PhaseData::fill(int64_t step, train::Batch& batch) {
  const int T = world_.sequence_length() - 1;
  batch.resize(batch_size_, T);
  for (int b = 0; b < batch_size_; ++b)
    world_.write_example(phase_, first_ + step * batch_size_ + b, batch.inputs.data() + b * T, batch.targets.data() + b * T,
                         batch.weights.data() + b * T);
}

}  // namespace vrev::world
