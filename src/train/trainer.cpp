// One training step, end to end.
#include "train/trainer.h"

#include <chrono>
#include <cstring>

namespace vrev::train {

Trainer::Trainer(model::Gpt<float>& model, Optimizer& optimizer, ScheduleConfig schedule, int64_t total_steps,
                 BatchSource& data)
    : model_(model), optimizer_(optimizer), schedule_(std::move(schedule)), total_steps_(total_steps), data_(data) {}

StepStats Trainer::step() {
  const auto start = std::chrono::steady_clock::now();
  StepStats stats;
  stats.step = next_step_;
  data_.fill(next_step_, batch_);
  VREV_ASSERT(!batch_.inputs.empty());
  VREV_ASSERT(batch_.soft_targets.empty() ||
              batch_.soft_targets.size() == batch_.inputs.size() * size_t(model_.config().vocab_size));

  model::Parameters<float>& params = model_.params();
  params.zero_grads();
  tape_.reset();
  autograd::Var logits = model_.forward(tape_, batch_.inputs.data(), batch_.B, batch_.T);
  autograd::Var loss =
      batch_.soft_targets.empty()
          ? autograd::cross_entropy(tape_, logits, batch_.targets.data(), batch_.weights.data())
          : autograd::soft_cross_entropy(tape_, logits, batch_.soft_targets.data(), batch_.weights.data());
  tape_.backward(loss);
  stats.loss = tape_.value(loss)[0];
  if (extra_gradient) stats.loss += extra_gradient();

  stats.grad_norm = clip_grad_norm(params, optimizer_.config().grad_clip);
  stats.lr = learning_rate(schedule_, next_step_, total_steps_);
  if (after_update) {
    before_.resize(params.size());
    std::memcpy(before_.data(), params.values(), params.size() * sizeof(float));
  }
  optimizer_.step(params, stats.lr);
  if (after_update) after_update(before_.data(), params.values(), params.size());

  ++next_step_;
  stats.tokens = int64_t(batch_.B) * batch_.T;
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace vrev::train
