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
//
// Training on a device (a backend other than the CPU's, kernels/backend.h; docs/cuda.md): the
// trainer places the model and the optimizer there, sends their parameters and moments up at its
// first step, and each step sends the batch up and brings the per-row losses down. The model's
// params() and the optimizer's moments on the host are then a copy that copy_to_host() brings up
// to date (before evaluating or saving). Micro-shards there run one after another on the device, whose
// memory holds each shard's gradient until their sum; several ranks are not supported there.
#include <cstdint>
#include <functional>
#include <vector>

#include "core/communicator.h"
#include "kernels/backend.h"
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
          BatchSource& data, DataParallel parallel = {}, const kernels::Backend& backend = kernels::cpu_backend());

  StepStats step();
  int64_t next_step() const { return next_step_; }
  int64_t total_steps() const { return total_steps_; }
  bool done() const { return next_step_ >= total_steps_; }
  void set_next_step(int64_t s) { next_step_ = s; }  // resume
  // The model's parameters and the optimizer's moments from where they train into their host
  // arrays (nothing to do on the CPU).
  void copy_to_host();

  // Optional: called after each optimizer update with the parameters from before the update
  // and the updated ones (which it may change), in the memory of the backend the model trains on:
  // how projected updates act.
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
  // The same on a device (one rank), for shards of `rows` sequences of the batch's weight `total`.
  double device_sharded_gradient(int rows, double total);
  // The batch's arrays where the model trains: batch_'s own on the CPU, else copies sent up.
  template <class T>
  const T* on_backend(const std::vector<T>& host, kernels::Buffer<T>& device);

  model::Gpt<float>& model_;
  Optimizer& optimizer_;
  ScheduleConfig schedule_;
  int64_t total_steps_;
  BatchSource& data_;
  int64_t next_step_ = 0;
  const kernels::Backend& backend_;
  autograd::Tape<float> tape_;
  Batch batch_;
  kernels::Buffer<int32_t> device_inputs_, device_targets_;  // the batch on a device
  kernels::Buffer<float> device_weights_, device_soft_targets_;
  bool uploaded_ = false;      // the model and optimizer have been sent to the backend
  kernels::Buffer<float> before_;  // parameters before the update, when after_update is set
  DataParallel parallel_;
  // Sharded steps: this rank's shards, then every shard, each its gradient and its loss.
  std::vector<float> mine_, all_shards_;
  kernels::Buffer<float> device_shards_;  // on a device: every shard's gradient
};

}  // namespace vrev::train
