#pragma once
// The tape: a list of the ops a forward pass ran, walked in reverse by backward().
//
// Each op (ops.h) computes its output, and when gradients are being recorded pushes one Record
// naming its inputs, its output, the buffers it saved and the function that computes its
// backward. That is micrograd's model, made allocation-free: values and gradients live in two
// arenas that reset() rewinds, and records hold a plain function pointer rather than a closure.
//
// Gradient policy: every backward accumulates (+=) into its inputs' gradients. Parameter leaves
// point their gradient at the model's gradient arena, so parameter gradients land there directly;
// the caller zeroes them between steps. Intermediate gradients are zeroed by backward().
#include <array>
#include <cstdint>
#include <vector>

#include "autograd/arena.h"
#include "core/shape.h"

namespace vrev::autograd {

// A handle to one value on the tape.
struct Var {
  int id = -1;
  bool valid() const { return id >= 0; }
};

template <class T>
class Tape;

template <class T>
struct Record {
  void (*backward)(Tape<T>& tape, const Record& r) = nullptr;
  std::array<Var, 4> in{};
  Var out{};
  std::array<T*, 2> saved{};           // buffers the forward kept for the backward pass
  std::array<int, 4> dims{};           // sizes the backward needs (B, T, C, NH, ...)
  const int32_t* ints = nullptr;       // token ids or targets (caller-owned, outlive backward)
  const void* context = nullptr;       // op-specific (a hook, a mask)
};

template <class T>
class Tape {
 public:
  // A leaf whose value and gradient live elsewhere (a parameter): grad may be null.
  Var leaf(T* value, T* grad, Shape shape) { return add_node(value, grad, shape); }
  // An input that needs no gradient.
  Var constant(const T* value, Shape shape) { return add_node(const_cast<T*>(value), nullptr, shape); }
  // A fresh output; it gets a gradient buffer when recording and requires_grad.
  Var output(Shape shape, bool requires_grad) {
    T* value = values_.alloc(shape.numel());
    T* grad = (requires_grad && recording_) ? grads_.alloc(shape.numel()) : nullptr;
    return add_node(value, grad, shape);
  }
  // A new node sharing x's value but with its own gradient (for ops that are the identity).
  Var alias(Var x) {
    T* grad = (requires_grad(x) && recording_) ? grads_.alloc(shape(x).numel()) : nullptr;
    return add_node(value(x), grad, shape(x));
  }
  // Scratch memory that lives until reset() (saved statistics, attention probabilities).
  T* scratch(size_t n) { return values_.alloc(n); }

  T* value(Var v) const { return nodes_[v.id].value; }
  T* grad(Var v) const { return nodes_[v.id].grad; }
  const Shape& shape(Var v) const { return nodes_[v.id].shape; }
  bool requires_grad(Var v) const { return nodes_[v.id].grad != nullptr; }

  bool recording() const { return recording_; }
  void push(const Record<T>& r) { records_.push_back(r); }
  size_t size() const { return records_.size(); }

  // Seed d(out)/d(out) = 1 for a scalar and run every record backwards.
  void backward(Var scalar) {
    VREV_ASSERT(shape(scalar).numel() == 1 && requires_grad(scalar));
    grads_.zero_used();
    grad(scalar)[0] = T(1);
    run_backward();
  }
  // For a custom seed: zero the intermediate gradients, let the caller write the seed into
  // grad(v) of any node, then run_backward().
  void zero_grads() { grads_.zero_used(); }
  void run_backward() {
    for (size_t i = records_.size(); i-- > 0;) records_[i].backward(*this, records_[i]);
  }

  // Forget every node and record; memory is kept for the next step.
  void reset() {
    nodes_.clear();
    records_.clear();
    values_.reset();
    grads_.reset();
  }
  size_t allocations() const { return values_.allocations() + grads_.allocations(); }

 private:
  template <class U>
  friend class NoGrad;
  struct Node {
    T* value;
    T* grad;
    Shape shape;
  };
  Var add_node(T* value, T* grad, Shape shape) {
    nodes_.push_back({value, grad, shape});
    return Var{static_cast<int>(nodes_.size()) - 1};
  }
  std::vector<Node> nodes_;
  std::vector<Record<T>> records_;
  Arena<T> values_;
  Arena<T> grads_;
  bool recording_ = true;
};

// Within its scope no op records anything and no output gets a gradient (evaluation, capture).
template <class T>
class NoGrad {
 public:
  explicit NoGrad(Tape<T>& tape) : tape_(tape), was_(tape.recording_) { tape.recording_ = false; }
  ~NoGrad() { tape_.recording_ = was_; }
  NoGrad(const NoGrad&) = delete;
  NoGrad& operator=(const NoGrad&) = delete;

 private:
  Tape<T>& tape_;
  bool was_;
};

}  // namespace vrev::autograd
