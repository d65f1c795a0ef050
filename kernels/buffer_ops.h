#pragma once
// The operations on training's buffers besides the kernels: filling, copying, adding and scaling
// arrays, the loss's per-row gradients, the SGD update, and blocking's projections. Each is a grid
// over a launcher (kernels/cuda/grid.h: thread i's work, written once): the CPU backend and the
// emulated device run them as host loops (kernels/host_launcher.h), the CUDA backend on the GPU
// (kernels/backend.h). A thread does what one iteration of the host loop it replaces did, with the
// same expression, so every backend gives the same bits.
#include "kernels/host_device.h"
#include "kernels/host_launcher.h"

namespace vrev::kernels {

namespace buffer_ops {

// x <- x - strength * (x . unit) unit, the dot product in double in index order.
VREV_HD inline void project_out(float* x, const double* unit, long n, double strength) {
  double along = 0;
  for (long i = 0; i < n; ++i) along += double(x[i]) * unit[i];
  const double s = strength * along;
  for (long i = 0; i < n; ++i) x[i] = static_cast<float>(x[i] - s * unit[i]);
}

template <class L, class S>
void fill(S* x, long n, S value) {
  L::run(n, [=] VREV_HD_LAMBDA(long i) { x[i] = value; });
}

template <class L, class S>
void copy(S* dst, const S* src, long n) {
  L::run(n, [=] VREV_HD_LAMBDA(long i) { dst[i] = src[i]; });
}

// dst += src
template <class L, class S>
void add(S* dst, const S* src, long n) {
  L::run(n, [=] VREV_HD_LAMBDA(long i) { dst[i] += src[i]; });
}

// x *= s
template <class L>
void scale(float* x, long n, float s) {
  L::run(n, [=] VREV_HD_LAMBDA(long i) { x[i] *= s; });
}

// The gradient of a weighted mean of per-row losses with respect to each row's loss:
// dlosses[i] = dout[0] * weights[i] * scale[0]; a null weights or scale is a factor of 1 (and
// multiplying by 1 changes no bit). dout and scale are one value each, in the launcher's memory.
template <class L, class S>
void loss_gradients(S* dlosses, const S* dout, const S* weights, const S* scale, long n) {
  L::run(n, [=] VREV_HD_LAMBDA(long i) {
    S d = dout[0];
    if (weights) d = d * weights[i];
    if (scale) d = d * scale[0];
    dlosses[i] = d;
  });
}

// SGD with momentum mu and decoupled decay: m = mu m + g, p -= lr (m + decay p).
template <class L>
void sgd_update(float* p, const float* g, float* m, long n, float lr, float mu, float decay) {
  L::run(n, [=] VREV_HD_LAMBDA(long i) {
    m[i] = mu * m[i] + g[i];
    p[i] -= lr * (m[i] + decay * p[i]);
  });
}

// project_out on each of `rows` rows of C values of x, along the same unit vector.
template <class L>
void project_rows(float* x, const double* unit, long rows, long C, double strength) {
  L::run(rows, [=] VREV_HD_LAMBDA(long r) { project_out(x + r * C, unit, C, strength); });
}

// x <- x - a y, in double, rounded to float.
template <class L>
void subtract_scaled(float* x, const float* y, double a, long n) {
  L::run(n, [=] VREV_HD_LAMBDA(long i) { x[i] = static_cast<float>(x[i] - a * y[i]); });
}

// x <- x / d, in double, rounded to float.
template <class L>
void divide(float* x, long n, double d) {
  L::run(n, [=] VREV_HD_LAMBDA(long i) { x[i] = static_cast<float>(x[i] / d); });
}

// out = a - b
template <class L>
void difference(float* out, const float* a, const float* b, long n) {
  L::run(n, [=] VREV_HD_LAMBDA(long i) { out[i] = a[i] - b[i]; });
}

}  // namespace buffer_ops

// The operations above on float buffers, as one backend runs them.
struct BufferOps {
  decltype(&buffer_ops::fill<HostLauncher, float>) fill;
  decltype(&buffer_ops::copy<HostLauncher, float>) copy;
  decltype(&buffer_ops::add<HostLauncher, float>) add;
  decltype(&buffer_ops::scale<HostLauncher>) scale;
  decltype(&buffer_ops::loss_gradients<HostLauncher, float>) loss_gradients;
  decltype(&buffer_ops::sgd_update<HostLauncher>) sgd_update;
  decltype(&buffer_ops::project_rows<HostLauncher>) project_rows;
  decltype(&buffer_ops::subtract_scaled<HostLauncher>) subtract_scaled;
  decltype(&buffer_ops::divide<HostLauncher>) divide;
  decltype(&buffer_ops::difference<HostLauncher>) difference;
};

template <class L>
BufferOps buffer_ops_of() {
  using namespace buffer_ops;
  return {&fill<L, float>, &copy<L, float>,  &add<L, float>,      &scale<L>,  &loss_gradients<L, float>,
          &sgd_update<L>,  &project_rows<L>, &subtract_scaled<L>, &divide<L>, &difference<L>};
}

}  // namespace vrev::kernels
