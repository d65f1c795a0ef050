#pragma once
// The model's forward pass for generation: each call runs the next positions of a batch, keeps
// their keys and values in a cache, and attends over every position run so far, so a generated
// token costs one position of work. It is gpt_forward (model/architecture.h) on the float
// kernels, without a tape and without hooks.
#include <cstdint>
#include <memory>

#include "autograd/arena.h"
#include "model/gpt.h"

namespace vrev::model {

class CachedForward {
 public:
  // Caches for B rows of up to the model's context positions. The model must outlive this.
  CachedForward(const Gpt<float>& model, int B);

  // The logits (B, Tn, V) of tokens (B, Tn) at the next Tn positions; valid until the next call.
  const float* forward(const int32_t* tokens, int Tn);

 private:
  struct Ops;
  const Gpt<float>& model_;
  int B_;
  int positions_ = 0;                   // positions run so far
  // (L, B, context, C); a position is written before any attention reads it, so never zeroed.
  std::unique_ptr<float[]> kcache_, vcache_;
  autograd::Arena<float> arena_;        // the activations of one call
};

}  // namespace vrev::model
