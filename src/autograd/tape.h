#pragma once
// The tape: a list of the ops a forward pass ran, walked in reverse by backward().
//
// Each op (ops.h) computes its output, and when gradients are being recorded pushes one Record
// naming its inputs, its output, the buffers it saved and the function that computes its
// backward. That is micrograd's model, made allocation-free: values and gradients live in two
// arenas that reset() rewinds, and records hold a plain function pointer rather than a closure.
//
// Gradient policy: parameter leaves point their gradient at the model's gradient arena, so
// parameter gradients land there directly, always accumulated (+=); the caller zeroes them
// between steps. An intermediate's gradient is never zeroed: the first backward to reach it in a
// pass overwrites whatever the last step left there, and later ones (a value with several
// consumers, like the residual stream) add to it. grad_target() tells a backward which to do.
//
// Memory: a tape's values and gradients live in its backend's memory (kernels/backend.h): the
// host's on the CPU backend, the device's when training on a device. Its ops run that backend's
// kernels (a double tape's: the reference kernels, on the host).
#include <array>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "autograd/arena.h"
#include "core/error.h"
#include "core/shape.h"
#include "kernels/backend.h"
#include "kernels/buffer_ops.h"

namespace vrev::autograd {

// A handle to one value on the tape.
struct Var {
  int id = -1;
  bool valid() const { return id >= 0; }
};

template <class T>
class Tape;

// Where a backward puts its contribution to one input's gradient: grad (null when the input needs
// none), added to what is there or, for the first contribution of a pass, in its place.
template <class T>
struct GradTarget {
  T* grad;
  bool accumulate;
};

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
  explicit Tape(const kernels::Backend& backend = kernels::cpu_backend())
      : backend_(&backend), values_(backend), grads_(backend), staging_(kernels::cpu_backend()) {
    VREV_ASSERT((std::is_same_v<T, float> || backend.is_host));
  }
  const kernels::Backend& backend() const { return *backend_; }

  // A leaf whose value and gradient live elsewhere (a parameter): grad may be null, and is only
  // ever accumulated into.
  Var leaf(T* value, T* grad, Shape shape) { return add_node(value, grad, shape, true); }
  // An input that needs no gradient.
  Var constant(const T* value, Shape shape) { return add_node(const_cast<T*>(value), nullptr, shape, true); }
  // A fresh output; it gets a gradient buffer when recording and requires_grad.
  Var output(Shape shape, bool requires_grad) {
    T* value = values_.alloc(shape.numel());
    T* grad = (requires_grad && recording_) ? grads_.alloc(shape.numel()) : nullptr;
    return add_node(value, grad, shape, false);
  }
  // A new node sharing x's value but with its own gradient (for ops that are the identity).
  Var alias(Var x) {
    T* grad = (requires_grad(x) && recording_) ? grads_.alloc(shape(x).numel()) : nullptr;
    return add_node(value(x), grad, shape(x), false);
  }
  // Scratch memory that lives until reset() (saved statistics, attention probabilities).
  T* scratch(size_t n) { return values_.alloc(n); }

  // The host's view of n values at p in the tape's memory, until reset(): p itself on a host tape,
  // else room in host staging memory. read() fills it from p; after writing into a view from
  // write(), upload() sends it to p (nothing to send on a host tape).
  const T* read(const T* p, size_t n) {
    if (backend_->is_host) return p;
    T* host = staging_.alloc(n);
    backend_->copy_down(host, p, n * sizeof(T));
    return host;
  }
  T* write(T* p, size_t n) { return backend_->is_host ? p : staging_.alloc(n); }
  void upload(T* p, const T* written, size_t n) {
    if (p != written) backend_->copy_up(p, written, n * sizeof(T));
  }

  T* value(Var v) const { return nodes_[v.id].value; }
  T* grad(Var v) const { return nodes_[v.id].grad; }
  const Shape& shape(Var v) const { return nodes_[v.id].shape; }
  bool requires_grad(Var v) const { return nodes_[v.id].grad != nullptr; }
  // For a backward about to write v's gradient: overwrite if nothing has this pass, else add.
  GradTarget<T> grad_target(Var v) {
    Node& n = nodes_[v.id];
    const bool accumulate = n.grad_written;
    n.grad_written = true;
    return {n.grad, accumulate};
  }

  bool recording() const { return recording_; }
  void push(const Record<T>& r) { records_.push_back(r); }
  size_t size() const { return records_.size(); }

  // Seed d(out)/d(out) = 1 for a scalar and run every record backwards.
  void backward(Var scalar) {
    VREV_ASSERT(shape(scalar).numel() == 1 && requires_grad(scalar));
    fill(seed(scalar), 1, T(1));
    run_backward();
  }
  // Starts a backward pass from a custom seed: returns v's gradient buffer, zeroed, for the caller
  // to write the seed into before run_backward(). Every other intermediate gradient starts the
  // pass unwritten.
  T* seed(Var v) {
    for (Node& n : nodes_) n.grad_written = n.leaf;
    return zeroed_grad(v);
  }
  // Every record backwards. A record whose output no backward reached (nothing downstream
  // needed it) sees a zero gradient, as if the pass had started from zeroed buffers.
  void run_backward() {
    for (size_t i = records_.size(); i-- > 0;) {
      const Record<T>& r = records_[i];
      if (!nodes_[r.out.id].grad_written) zeroed_grad(r.out);
      r.backward(*this, r);
    }
  }

  // Forget every node and record; memory is kept for the next step.
  void reset() {
    nodes_.clear();
    records_.clear();
    values_.reset();
    grads_.reset();
    staging_.reset();
  }
  size_t allocations() const { return values_.allocations() + grads_.allocations() + staging_.allocations(); }

 private:
  template <class U>
  friend class NoGrad;
  struct Node {
    T* value;
    T* grad;
    Shape shape;
    bool leaf;          // a parameter or constant: its gradient (if any) is only accumulated into
    bool grad_written;  // this backward pass has put something in grad (always, for a leaf)
  };
  Var add_node(T* value, T* grad, Shape shape, bool leaf) {
    nodes_.push_back({value, grad, shape, leaf, leaf});
    return Var{static_cast<int>(nodes_.size()) - 1};
  }
  T* zeroed_grad(Var v) {
    T* g = grad_target(v).grad;
    VREV_ASSERT(g);
    fill(g, shape(v).numel(), T(0));
    return g;
  }
  void fill(T* x, long n, T value) {
    if constexpr (std::is_same_v<T, float>)
      backend_->ops.fill(x, n, value);
    else
      kernels::buffer_ops::fill<kernels::HostLauncher>(x, n, value);
  }
  const kernels::Backend* backend_;
  std::vector<Node> nodes_;
  std::vector<Record<T>> records_;
  Arena<T> values_;
  Arena<T> grads_;
  Arena<T> staging_;  // host memory for read() and write() on a device's tape
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
