#pragma once
// The training loop: for each step, a batch from the source (a pure function of the step
// index, so the data cursor is the step), forward, masked cross-entropy, backward, clipping,
// the scheduled learning rate and the optimizer update. After the first step it allocates
// nothing: the tape's arenas, the batch, the shard buffers and the optimizer state are reused.
//
// Micro-shards: with shards > 1 the batch is cut into `shards` equal runs of sequences; each
// shard's gradient (of its share of the batch's loss) is computed alone, and the step's gradient
// is their sum in shard order. Data-parallel training gives each rank of a communicator a
// contiguous block of shards and gathers every shard's gradient to every rank, which adds them
// in the same order: the parameters are the same bits on any number of ranks that divides the
// shard count, and every rank keeps a full, identical copy of the optimizer state.
#include <cstdint>
#include <functional>
#include <vector>

#include "core/communicator.h"
#include "model/gpt.h"
#include "train/batch.h"
#include "train/optimizer.h"
#include "train/schedule.h"

namespace vrev::train {

struct StepStats {
  int64_t step = 0;  // the step just taken, 0-based
  double loss = 0, grad_norm = 0, lr = 0;
  double seconds = 0;
  int64_t tokens = 0;  // tokens processed by the step (B * T)
};

// How a step's batch is split, and among which processes.
struct DataParallel {
  int shards = 1;  // micro-shards per batch; the batch size must be a multiple
  const comm::Communicator* comm = &comm::Communicator::self();  // its size must divide shards
};

class Trainer {
 public:
  Trainer(model::Gpt<float>& model, Optimizer& optimizer, ScheduleConfig schedule, int64_t total_steps,
          BatchSource& data, DataParallel parallel = {});

  StepStats step();
  int64_t next_step() const { return next_step_; }
  int64_t total_steps() const { return total_steps_; }
  bool done() const { return next_step_ >= total_steps_; }
  void set_next_step(int64_t s) { next_step_ = s; }  // resume

  // Optional: called after each optimizer update with the parameters from before the update
  // and the updated ones (which it may change): how projected updates act.
  std::function<void(const float* before, float* after, size_t n)> after_update;
  // Optional: after the loss's backward, before clipping: adds the gradient of an extra loss term
  // (a penalty) to the parameter gradients and returns its value, which is added to the loss.
  std::function<double()> extra_gradient;

  autograd::Tape<float>& tape() { return tape_; }

 private:
  // Forward and backward of rows [first, first + count) of the batch, adding to the parameter
  // gradients; `normalizer` as in cross_entropy (0: these rows' own weight). Returns the loss.
  double loss_and_gradient(int first, int count, double normalizer);
  // The sharded step's gradient into the parameter gradients; returns the batch's loss.
  double sharded_gradient();

  model::Gpt<float>& model_;
  Optimizer& optimizer_;
  ScheduleConfig schedule_;
  int64_t total_steps_;
  BatchSource& data_;
  int64_t next_step_ = 0;
  autograd::Tape<float> tape_;
  Batch batch_;
  std::vector<float> before_;  // parameters before the update, when after_update is set
  DataParallel parallel_;
  // Sharded steps: this rank's shards, then every shard, each its gradient and its loss.
  std::vector<float> mine_, all_shards_;
};

}  // namespace vrev::train
