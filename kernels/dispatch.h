#pragma once
// The reference kernels (kernels/ref/) and the buffer operations as host loops, under a Backend's
// member names (kernels/backend.h), for code templated on the scalar type: the autograd ops run a
// float tape on its backend's kernels and a double tape on these. That is what lets the autograd
// and the model run in double for gradient checks while training runs on the fast float kernels.
#include "kernels/buffer_ops.h"
#include "kernels/ref/ref.h"

namespace vrev::kernels {

template <class S>
struct ReferenceBackend {
  // The kernels the autograd ops call, each forwarding to its ref/ twin.
  struct Kernels {
    static void matmul_forward(auto... a) { ref::matmul_forward<S>(a...); }
    static void matmul_backward_input(auto... a) { ref::matmul_backward_input<S>(a...); }
    static void matmul_backward_weight(auto... a) { ref::matmul_backward_weight<S>(a...); }
    static void bias_backward(auto... a) { ref::bias_backward<S>(a...); }
    static void layernorm_forward(auto... a) { ref::layernorm_forward<S>(a...); }
    static void layernorm_backward(auto... a) { ref::layernorm_backward<S>(a...); }
    static void gelu_forward(auto... a) { ref::gelu_forward<S>(a...); }
    static void gelu_backward(auto... a) { ref::gelu_backward<S>(a...); }
    static void residual_forward(auto... a) { ref::residual_forward<S>(a...); }
    static void residual_backward(auto... a) { ref::residual_backward<S>(a...); }
    static void encoder_forward(auto... a) { ref::encoder_forward<S>(a...); }
    static void encoder_backward(auto... a) { ref::encoder_backward<S>(a...); }
    static void attention_forward(auto... a) { ref::attention_forward<S>(a...); }
    static void attention_backward(auto... a) { ref::attention_backward<S>(a...); }
    static void cross_entropy_forward(auto... a) { ref::cross_entropy_forward<S>(a...); }
    static void cross_entropy_backward(auto... a) { ref::cross_entropy_backward<S>(a...); }
    static void soft_cross_entropy_forward(auto... a) { ref::soft_cross_entropy_forward<S>(a...); }
    static void soft_cross_entropy_backward(auto... a) { ref::soft_cross_entropy_backward<S>(a...); }
  };
  // The buffer operations the autograd ops call, as host loops in S.
  struct Ops {
    static void fill(S* x, long n, S value) { buffer_ops::fill<HostLauncher>(x, n, value); }
    static void copy(S* dst, const S* src, long n) { buffer_ops::copy<HostLauncher>(dst, src, n); }
    static void add(S* dst, const S* src, long n) { buffer_ops::add<HostLauncher>(dst, src, n); }
    static void loss_gradients(S* dlosses, const S* dout, const S* weights, const S* scale, long n) {
      buffer_ops::loss_gradients<HostLauncher>(dlosses, dout, weights, scale, n);
    }
  };
  Kernels kernels;
  Ops ops;
};

}  // namespace vrev::kernels
