#pragma once
// The model's forward pass for generation: each call runs the next positions of a batch, keeps
// their keys and values in a cache, and attends over every position run so far, so a generated
// token costs one position of work. It is gpt_forward (model/architecture.h) on a backend's float
// kernels, without a tape and without hooks. It runs where the model's generation_backend() is:
// on the CPU, or on the device the model's parameters were sent to (Gpt::upload), where the
// caches and activations live in device memory and each call sends its tokens up and brings its
// logits down. Every backend gives the CPU's bits (docs/cuda.md).
#include <cstdint>
#include <vector>

#include "autograd/arena.h"
#include "kernels/backend.h"
#include "model/gpt.h"

namespace vrev::model {

class CachedForward {
 public:
  // Caches for B rows of up to the model's context positions. The model must outlive this.
  CachedForward(const Gpt<float>& model, int B);

  // The logits (B, Tn, V) of tokens (B, Tn) at the next Tn positions, in host memory; valid until
  // the next call.
  const float* forward(const int32_t* tokens, int Tn);

 private:
  struct Ops;
  const Gpt<float>& model_;
  const kernels::Backend& backend_;  // the model's generation_backend()
  int B_;
  int positions_ = 0;                   // positions run so far
  // (L, B, context, C); a position is written before any attention reads it, so never zeroed.
  kernels::Buffer<float> kcache_, vcache_;
  autograd::Arena<float> arena_;        // the activations of one call
  // On a device: the call's tokens sent up, (B, context), and its logits brought down.
  kernels::Buffer<int32_t> device_tokens_;
  std::vector<float> host_logits_;
};

}  // namespace vrev::model
