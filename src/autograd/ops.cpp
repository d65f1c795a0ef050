// Forward/backward pairs of the autograd ops; the arithmetic lives in kernels/, this file only
// wires tape nodes to kernel arguments. Instantiated for float (training, on the tape's backend)
// and double (gradcheck, on the reference kernels). Every pointer an op hands a kernel is in the
// tape's memory; the host touches that memory only through the tape's read(), write(), upload().
#include "autograd/ops.h"

#include <cmath>
#include <utility>

#include "kernels/dispatch.h"

namespace vrev::autograd {

namespace {

// The kernels and buffer operations an op runs: a float tape's backend's, or for double the
// reference kernels and host loops (kernels/dispatch.h).
const kernels::Backend& backend_of(Tape<float>& tape) { return tape.backend(); }
kernels::ReferenceBackend<double> backend_of(Tape<double>&) { return {}; }

// Rows of x when its last axis is the feature axis: N = numel / last.
int64_t rows(const Shape& s) { return s.numel() / s[s.rank - 1]; }
int64_t last(const Shape& s) { return s[s.rank - 1]; }

template <class T>
bool any_grad(Tape<T>& tape, std::initializer_list<Var> vars) {
  if (!tape.recording()) return false;
  for (Var v : vars)
    if (v.valid() && tape.requires_grad(v)) return true;
  return false;
}

// Where to put v's gradient (tape.h, gradient policy); when v needs none, a throwaway buffer to
// overwrite, so that kernels which always produce every gradient (layernorm, encoder) have
// somewhere to write.
template <class T>
GradTarget<T> target_or_scratch(Tape<T>& tape, Var v) {
  if (tape.requires_grad(v)) return tape.grad_target(v);
  return {tape.scratch(tape.shape(v).numel()), false};
}

// The same, for a kernel that can only add to the gradient (a weight's, a bias's, an embedding
// table's: normally a parameter, always added to): zeroed first when it is the first contribution,
// as when the weight is itself computed.
template <class T>
T* summing_target(Tape<T>& tape, Var v) {
  const GradTarget<T> target = target_or_scratch(tape, v);
  if (!target.accumulate) backend_of(tape).ops.fill(target.grad, tape.shape(v).numel(), T(0));
  return target.grad;
}

// target.grad (+)= dout, for the identity's gradient.
template <class T>
void add_gradient(Tape<T>& tape, GradTarget<T> target, const T* dout, long n) {
  if (target.accumulate)
    backend_of(tape).ops.add(target.grad, dout, n);
  else
    backend_of(tape).ops.copy(target.grad, dout, n);
}

}  // namespace

// ---- encoder ------------------------------------------------------------------------------------
template <class T>
static void encoder_backward(Tape<T>& tape, const Record<T>& r) {
  const auto [B, Tn, C, unused] = r.dims;
  backend_of(tape).kernels.encoder_backward(summing_target(tape, r.in[0]), summing_target(tape, r.in[1]), tape.grad(r.out), r.ints, B, Tn,
                      C);
}

template <class T>
Var encoder(Tape<T>& tape, const int32_t* tokens, int B, int Tn, Var wte, Var wpe) {
  const int C = static_cast<int>(last(tape.shape(wte)));
  VREV_ASSERT(tape.shape(wpe)[0] >= Tn && last(tape.shape(wpe)) == C);
  bool grad = any_grad(tape, {wte, wpe});
  Var out = tape.output(Shape{B, Tn, C}, grad);
  backend_of(tape).kernels.encoder_forward(tape.value(out), tokens, tape.value(wte), tape.value(wpe), B, Tn, C);
  if (grad) tape.push({&encoder_backward<T>, {wte, wpe}, out, {}, {B, Tn, C, 0}, tokens, nullptr});
  return out;
}

// ---- layernorm ----------------------------------------------------------------------------------
template <class T>
static void layernorm_backward(Tape<T>& tape, const Record<T>& r) {
  const auto [N, C, unused0, unused1] = r.dims;
  const GradTarget<T> dx = target_or_scratch(tape, r.in[0]);
  backend_of(tape).kernels.layernorm_backward(dx.grad, summing_target(tape, r.in[1]), summing_target(tape, r.in[2]), tape.grad(r.out),
                        tape.value(r.in[0]), tape.value(r.in[1]), r.saved[0], r.saved[1], N, C, dx.accumulate);
}

template <class T>
Var layernorm(Tape<T>& tape, Var x, Var weight, Var bias) {
  const Shape& s = tape.shape(x);
  const int N = static_cast<int>(rows(s)), C = static_cast<int>(last(s));
  bool grad = any_grad(tape, {x, weight, bias});
  Var out = tape.output(s, grad);
  T* mean = tape.scratch(N);
  T* rstd = tape.scratch(N);
  backend_of(tape).kernels.layernorm_forward(tape.value(out), mean, rstd, tape.value(x), tape.value(weight), tape.value(bias), N,
                       C);
  if (grad) tape.push({&layernorm_backward<T>, {x, weight, bias}, out, {mean, rstd}, {N, C, 0, 0}});
  return out;
}

// ---- linear -------------------------------------------------------------------------------------
template <class T>
static void linear_backward(Tape<T>& tape, const Record<T>& r) {
  const auto [N, IC, OC, unused] = r.dims;
  const T* dout = tape.grad(r.out);
  if (const GradTarget<T> dx = tape.grad_target(r.in[0]); dx.grad)
    backend_of(tape).kernels.matmul_backward_input(dx.grad, dout, tape.value(r.in[1]), N, IC, OC, dx.accumulate);
  if (tape.requires_grad(r.in[1]))
    backend_of(tape).kernels.matmul_backward_weight(summing_target(tape, r.in[1]), dout, tape.value(r.in[0]), N, IC, OC);
  if (r.in[2].valid() && tape.requires_grad(r.in[2])) backend_of(tape).kernels.bias_backward(summing_target(tape, r.in[2]), dout, N, OC);
}

template <class T>
Var linear(Tape<T>& tape, Var x, Var weight, Var bias) {
  Shape s = tape.shape(x);
  const int N = static_cast<int>(rows(s)), IC = static_cast<int>(last(s));
  const int OC = static_cast<int>(tape.shape(weight)[0]);
  VREV_ASSERT(tape.shape(weight)[1] == IC);
  s.dims[s.rank - 1] = OC;
  bool grad = any_grad(tape, {x, weight, bias});
  Var out = tape.output(s, grad);
  backend_of(tape).kernels.matmul_forward(tape.value(out), tape.value(x), tape.value(weight), bias.valid() ? tape.value(bias) : nullptr, N,
                    IC, OC);
  if (grad) tape.push({&linear_backward<T>, {x, weight, bias}, out, {}, {N, IC, OC, 0}});
  return out;
}

// ---- attention ----------------------------------------------------------------------------------
template <class T>
static void attention_backward(Tape<T>& tape, const Record<T>& r) {
  const auto [B, Tn, C, NH] = r.dims;
  const GradTarget<T> dqkv = tape.grad_target(r.in[0]);
  backend_of(tape).kernels.attention_backward(dqkv.grad, tape.grad(r.out), tape.value(r.in[0]), r.saved[0], B, Tn, C, NH, dqkv.accumulate);
}

template <class T>
Var attention(Tape<T>& tape, Var qkv, int NH) {
  const Shape& s = tape.shape(qkv);
  VREV_ASSERT(s.rank == 3 && s[2] % 3 == 0);
  const int B = static_cast<int>(s[0]), Tn = static_cast<int>(s[1]), C = static_cast<int>(s[2] / 3);
  bool grad = any_grad(tape, {qkv});
  Var out = tape.output(Shape{B, Tn, C}, grad);
  T* att = tape.scratch(static_cast<size_t>(B) * NH * Tn * Tn);
  backend_of(tape).kernels.attention_forward(tape.value(out), att, tape.value(qkv), B, Tn, C, NH);
  if (grad) tape.push({&attention_backward<T>, {qkv}, out, {att}, {B, Tn, C, NH}});
  return out;
}

// ---- gelu ---------------------------------------------------------------------------------------
template <class T>
static void gelu_backward(Tape<T>& tape, const Record<T>& r) {
  const GradTarget<T> dx = tape.grad_target(r.in[0]);
  backend_of(tape).kernels.gelu_backward(dx.grad, tape.value(r.in[0]), tape.grad(r.out), tape.shape(r.out).numel(), dx.accumulate);
}

template <class T>
Var gelu(Tape<T>& tape, Var x) {
  bool grad = any_grad(tape, {x});
  Var out = tape.output(tape.shape(x), grad);
  backend_of(tape).kernels.gelu_forward(tape.value(out), tape.value(x), tape.shape(x).numel());
  if (grad) tape.push({&gelu_backward<T>, {x}, out});
  return out;
}

// ---- add ----------------------------------------------------------------------------------------
template <class T>
static void add_backward(Tape<T>& tape, const Record<T>& r) {
  const long n = tape.shape(r.out).numel();
  const GradTarget<T> da = tape.grad_target(r.in[0]);
  const GradTarget<T> db = tape.grad_target(r.in[1]);
  const T* dout = tape.grad(r.out);
  if (da.grad && db.grad) {
    backend_of(tape).kernels.residual_backward(da.grad, db.grad, dout, n, da.accumulate, db.accumulate);
  } else {
    add_gradient(tape, da.grad ? da : db, dout, n);
  }
}

template <class T>
Var add(Tape<T>& tape, Var a, Var b) {
  VREV_ASSERT(tape.shape(a) == tape.shape(b));
  bool grad = any_grad(tape, {a, b});
  Var out = tape.output(tape.shape(a), grad);
  backend_of(tape).kernels.residual_forward(tape.value(out), tape.value(a), tape.value(b), tape.shape(a).numel());
  if (grad) tape.push({&add_backward<T>, {a, b}, out});
  return out;
}

// ---- cross-entropy ------------------------------------------------------------------------------
// The sum of |weights| and of weights * losses (a null weights means all 1), in double and in row
// order, on the host: the loss is the same on every thread count and every backend.
template <class T>
static std::pair<double, double> weighted_sum(const T* losses, const T* weights, int N) {
  double total = 0, weighted = 0;
  for (int i = 0; i < N; ++i) {
    double w = weights ? double(weights[i]) : 1.0;
    total += std::abs(w);
    weighted += w * double(losses[i]);
  }
  return {total, weighted};
}

// value, rounded to T, into one element of the tape's memory.
template <class T>
static void write_value(Tape<T>& tape, T* p, double value) {
  T* host = tape.write(p, 1);
  host[0] = static_cast<T>(value);
  tape.upload(p, host, 1);
}

template <class T>
static void cross_entropy_backward(Tape<T>& tape, const Record<T>& r) {
  const auto [N, V, unused0, unused1] = r.dims;
  const T* weights = static_cast<const T*>(r.context);
  const T* losses_scale = r.saved[1];  // (1): 1 / sum of |weights|
  T* dlosses = tape.scratch(N);
  backend_of(tape).ops.loss_gradients(dlosses, tape.grad(r.out), weights, losses_scale, N);
  const GradTarget<T> dlogits = tape.grad_target(r.in[0]);
  backend_of(tape).kernels.cross_entropy_backward(dlogits.grad, r.saved[0], r.ints, dlosses, N, V, dlogits.accumulate);
}

template <class T>
Var cross_entropy(Tape<T>& tape, Var logits, const int32_t* targets, const T* weights, double normalizer) {
  const Shape& s = tape.shape(logits);
  const int N = static_cast<int>(rows(s)), V = static_cast<int>(last(s));
  bool grad = any_grad(tape, {logits});
  Var out = tape.output(Shape{}, grad);
  T* probs = tape.scratch(static_cast<size_t>(N) * V);
  T* losses = tape.scratch(N);
  T* inv_total = tape.scratch(1);
  backend_of(tape).kernels.cross_entropy_forward(losses, probs, tape.value(logits), targets, N, V);
  const auto [own_total, weighted] =
      weighted_sum(tape.read(losses, N), weights ? tape.read(weights, N) : nullptr, N);
  const double total = normalizer > 0 ? normalizer : own_total;
  VREV_CHECK(total > 0, "cross_entropy: every target is masked out");
  write_value(tape, inv_total, 1.0 / total);
  write_value(tape, tape.value(out), weighted / total);
  if (grad) tape.push({&cross_entropy_backward<T>, {logits}, out, {probs, inv_total}, {N, V, 0, 0}, targets, weights});
  return out;
}

// ---- soft cross-entropy -------------------------------------------------------------------------
template <class T>
static void soft_cross_entropy_backward(Tape<T>& tape, const Record<T>& r) {
  const auto [N, V, unused0, unused1] = r.dims;
  const T* target_probs = static_cast<const T*>(r.context);
  const T* row_scale = r.saved[1];  // (N): weights[i] / sum of |weights|
  T* dlosses = tape.scratch(N);
  backend_of(tape).ops.loss_gradients(dlosses, tape.grad(r.out), row_scale, nullptr, N);
  const GradTarget<T> dlogits = tape.grad_target(r.in[0]);
  backend_of(tape).kernels.soft_cross_entropy_backward(dlogits.grad, r.saved[0], target_probs, dlosses, N, V,
                                                       dlogits.accumulate);
}

template <class T>
Var soft_cross_entropy(Tape<T>& tape, Var logits, const T* target_probs, const T* weights, double normalizer) {
  const Shape& s = tape.shape(logits);
  const int N = static_cast<int>(rows(s)), V = static_cast<int>(last(s));
  bool grad = any_grad(tape, {logits});
  Var out = tape.output(Shape{}, grad);
  T* probs = tape.scratch(static_cast<size_t>(N) * V);
  T* losses = tape.scratch(N);
  T* row_scale = tape.scratch(N);
  backend_of(tape).kernels.soft_cross_entropy_forward(losses, probs, tape.value(logits), target_probs, N, V);
  const T* host_weights = weights ? tape.read(weights, N) : nullptr;
  const auto [own_total, weighted] = weighted_sum(tape.read(losses, N), host_weights, N);
  const double total = normalizer > 0 ? normalizer : own_total;
  VREV_CHECK(total > 0, "soft_cross_entropy: every row is masked out");
  T* scale = tape.write(row_scale, N);
  for (int i = 0; i < N; ++i) scale[i] = static_cast<T>((host_weights ? double(host_weights[i]) : 1.0) / total);
  tape.upload(row_scale, scale, N);
  write_value(tape, tape.value(out), weighted / total);
  if (grad)
    tape.push(
        {&soft_cross_entropy_backward<T>, {logits}, out, {probs, row_scale}, {N, V, 0, 0}, nullptr, target_probs});
  return out;
}

// ---- gradient site ------------------------------------------------------------------------------
template <class T>
static void gradient_site_backward(Tape<T>& tape, const Record<T>& r) {
  T* dout = tape.grad(r.out);
  const auto* hook = static_cast<const GradHook<T>*>(r.context);
  (*hook)(dout, tape.shape(r.out));
  add_gradient(tape, tape.grad_target(r.in[0]), dout, tape.shape(r.out).numel());
}

template <class T>
Var gradient_site(Tape<T>& tape, Var x, const GradHook<T>* hook) {
  if (!any_grad(tape, {x})) return x;
  Var out = tape.alias(x);
  tape.push({&gradient_site_backward<T>, {x}, out, {}, {}, nullptr, hook});
  return out;
}

#define VREV_INSTANTIATE_OPS(T)                                                       \
  template Var encoder<T>(Tape<T>&, const int32_t*, int, int, Var, Var);              \
  template Var layernorm<T>(Tape<T>&, Var, Var, Var);                                 \
  template Var linear<T>(Tape<T>&, Var, Var, Var);                                    \
  template Var attention<T>(Tape<T>&, Var, int);                                      \
  template Var gelu<T>(Tape<T>&, Var);                                                \
  template Var add<T>(Tape<T>&, Var, Var);                                            \
  template Var cross_entropy<T>(Tape<T>&, Var, const int32_t*, const T*, double);     \
  template Var soft_cross_entropy<T>(Tape<T>&, Var, const T*, const T*, double);      \
  template Var gradient_site<T>(Tape<T>&, Var, const GradHook<T>*);

VREV_INSTANTIATE_OPS(float)
VREV_INSTANTIATE_OPS(double)

}  // namespace vrev::autograd
