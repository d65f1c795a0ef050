#pragma once
// The training loop: for each step, a batch from the source (a pure function of the step
// index, so the data cursor is the step), forward, masked cross-entropy, backward, clipping,
// the scheduled learning rate and the optimizer update. After the first step it allocates
// nothing: the tape's arenas, the batch and the optimizer state are all reused.
#include <cstdint>
#include <functional>
#include <vector>

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

class Trainer {
 public:
  Trainer(model::Gpt<float>& model, Optimizer& optimizer, ScheduleConfig schedule, int64_t total_steps,
          BatchSource& data);

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
  model::Gpt<float>& model_;
  Optimizer& optimizer_;
  ScheduleConfig schedule_;
  int64_t total_steps_;
  BatchSource& data_;
  int64_t next_step_ = 0;
  autograd::Tape<float> tape_;
  Batch batch_;
  std::vector<float> before_;  // parameters before the update, when after_update is set
};

}  // namespace vrev::train
