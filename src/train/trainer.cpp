// One training step, end to end.
#include "train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstring>

#include "kernels/cpu/kernels.h"

namespace vrev::train {

Trainer::Trainer(model::Gpt<float>& model, Optimizer& optimizer, ScheduleConfig schedule, int64_t total_steps,
                 BatchSource& data, DataParallel parallel, const kernels::Backend& backend)
    : model_(model),
      optimizer_(optimizer),
      schedule_(std::move(schedule)),
      total_steps_(total_steps),
      data_(data),
      backend_(backend),
      tape_(backend),
      parallel_(parallel) {
  VREV_CHECK(parallel_.shards >= 1, "micro-shards must be at least 1, not ", parallel_.shards);
  VREV_CHECK(parallel_.shards % parallel_.comm->size() == 0, "data-parallel training on ", parallel_.comm->size(),
             " ranks needs a shard count they divide; shards is ", parallel_.shards,
             " (set <phase>.shards to a multiple of the rank count)");
  VREV_CHECK(backend.is_host || parallel_.comm->size() == 1, "training on the ", backend.name,
             " runs in one process, not data-parallel on ", parallel_.comm->size(),
             " ranks (vrev gives no rank a device of its own): run it without mpirun, or on the CPU");
  model_.place_on(backend);
  optimizer_.place_on(backend);
}

void Trainer::copy_to_host() {
  model_.download();
  optimizer_.download();
}

template <class T>
const T* Trainer::on_backend(const std::vector<T>& host, kernels::Buffer<T>& device) {
  if (backend_.is_host || host.empty()) return host.data();
  if (device.size() != host.size()) device = kernels::Buffer<T>(backend_, host.size());
  device.upload(host.data());
  return device.data();
}

double Trainer::loss_and_gradient(int first, int count, double normalizer) {
  const size_t offset = size_t(first) * batch_.T;
  const int32_t* inputs = on_backend(batch_.inputs, device_inputs_) + offset;
  const int32_t* targets = on_backend(batch_.targets, device_targets_) + offset;
  const float* weights = on_backend(batch_.weights, device_weights_) + offset;
  const float* soft_targets = on_backend(batch_.soft_targets, device_soft_targets_);
  tape_.reset();
  autograd::Var logits = model_.forward(tape_, inputs, count, batch_.T);
  autograd::Var loss = batch_.soft_targets.empty()
                           ? autograd::cross_entropy(tape_, logits, targets, weights, normalizer)
                           : autograd::soft_cross_entropy(
                                 tape_, logits, soft_targets + offset * model_.config().vocab_size, weights, normalizer);
  tape_.backward(loss);
  return tape_.read(tape_.value(loss), 1)[0];
}

double Trainer::sharded_gradient() {
  const int shards = parallel_.shards, ranks = parallel_.comm->size();
  VREV_CHECK(batch_.B % shards == 0, "a batch of ", batch_.B, " sequences does not split into ", shards,
             " micro-shards of equal size");
  const int rows = batch_.B / shards, local = shards / ranks, first = parallel_.comm->rank() * local;
  // Every shard's share of the batch's mean: the whole batch's weight, in row order.
  double total = 0;
  for (const float w : batch_.weights) total += std::abs(double(w));
  VREV_CHECK(total > 0, "cross_entropy: every target is masked out");
  if (!backend_.is_host) return device_sharded_gradient(rows, total);

  model::Parameters<float>& params = model_.params();
  const size_t n = params.size(), stride = n + 1;  // a shard's gradient, then its loss
  all_shards_.resize(size_t(shards) * stride);
  if (ranks > 1) mine_.resize(size_t(local) * stride);
  float* mine = ranks == 1 ? all_shards_.data() : mine_.data();  // one rank: written in place
  for (int k = 0; k < local; ++k) {
    params.zero_grads();
    const double loss = loss_and_gradient((first + k) * rows, rows, total);
    std::memcpy(mine + k * stride, params.grads(), n * sizeof(float));
    mine[k * stride + n] = static_cast<float>(loss);
  }
  parallel_.comm->allgather(mine, size_t(local) * stride, all_shards_.data());

  // The sum in shard order, whatever the ranks.
  kernels::cpu::sum_parts(params.grads(), all_shards_.data(), shards, long(n), long(stride));
  double loss = 0;
  for (int k = 0; k < shards; ++k) loss += all_shards_[k * stride + n];
  return loss;
}

double Trainer::device_sharded_gradient(int rows, double total) {
  const int shards = parallel_.shards;
  const size_t n = model_.params().size();
  if (device_shards_.size() != size_t(shards) * n)
    device_shards_ = kernels::Buffer<float>(backend_, size_t(shards) * n);
  float* grads = model_.training_grads();
  double loss = 0;
  for (int k = 0; k < shards; ++k) {
    backend_.ops.fill(grads, long(n), 0.0f);
    // Each shard's loss rounded to float, as the CPU's gather carries it.
    loss += static_cast<float>(loss_and_gradient(k * rows, rows, total));
    backend_.ops.copy(device_shards_.data() + size_t(k) * n, grads, long(n));
  }
  backend_.kernels.sum_parts(grads, device_shards_.data(), shards, long(n), long(n));
  return loss;
}

StepStats Trainer::step() {
  // A unit pool's worker takes up the cores other workers have freed (experiment/unit_pool.h).
  kernels::cpu::follow_thread_share();
  const auto start = std::chrono::steady_clock::now();
  StepStats stats;
  stats.step = next_step_;
  data_.fill(next_step_, batch_);
  VREV_ASSERT(!batch_.inputs.empty());
  VREV_ASSERT(batch_.soft_targets.empty() ||
              batch_.soft_targets.size() == batch_.inputs.size() * size_t(model_.config().vocab_size));

  if (!uploaded_) {
    model_.upload();
    optimizer_.upload();
    uploaded_ = true;
  }
  const size_t n = model_.params().size();
  if (parallel_.shards == 1) {
    backend_.ops.fill(model_.training_grads(), long(n), 0.0f);
    stats.loss = loss_and_gradient(0, batch_.B, 0);
  } else {
    stats.loss = sharded_gradient();
  }
  if (extra_gradient) stats.loss += extra_gradient();

  stats.grad_norm = clip_grad_norm(model_, optimizer_.config().grad_clip);
  stats.lr = learning_rate(schedule_, next_step_, total_steps_);
  if (after_update) {
    if (before_.size() != n) before_ = kernels::Buffer<float>(backend_, n);
    backend_.ops.copy(before_.data(), model_.training_values(), long(n));
  }
  optimizer_.step(model_, stats.lr);
  if (after_update) after_update(before_.data(), model_.training_values(), n);

  ++next_step_;
  stats.tokens = int64_t(batch_.B) * batch_.T;
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace vrev::train
