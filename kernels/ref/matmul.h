#pragma once
// Reference Linear-layer kernels: plain loops templated on the scalar type, the exact yardstick
// for kernels/cpu/matmul.cpp; no blocking, no threads.
// Accumulation (policy: kernels/cpu/kernels.h): out overwritten; dweight, dbias added to; dinp as asked.

#include <algorithm>
#include <type_traits>

namespace vrev::kernels::ref {

// out (N, OC) = inp (N, IC) @ weight (OC, IC)^S + bias (OC), or without a bias when it is null
// (bias takes no part in deducing S, so that a literal nullptr may be passed)
template <class S>
void matmul_forward(S* out, const S* inp, const S* weight, const std::type_identity_t<S>* bias, int N, int IC,
                    int OC) {
  for (int n = 0; n < N; n++) {
    const S* x = inp + (long)n * IC;
    for (int o = 0; o < OC; o++) {
      const S* w = weight + (long)o * IC;
      S acc = 0;
      for (int i = 0; i < IC; i++) acc += x[i] * w[i];
      out[(long)n * OC + o] = bias ? acc + bias[o] : acc;
    }
  }
}

// dinp (N, IC) (+)= dout (N, OC) @ weight (OC, IC)
template <class S>
void matmul_backward_input(S* dinp, const S* dout, const S* weight, int N, int IC, int OC, bool accumulate) {
  if (!accumulate) std::fill(dinp, dinp + (long)N * IC, S(0));
  for (int n = 0; n < N; n++) {
    for (int i = 0; i < IC; i++) {
      S acc = 0;
      for (int o = 0; o < OC; o++) acc += dout[(long)n * OC + o] * weight[(long)o * IC + i];
      dinp[(long)n * IC + i] += acc;
    }
  }
}

// dweight (OC, IC) += dout (N, OC)^S @ inp (N, IC)
template <class S>
void matmul_backward_weight(S* dweight, const S* dout, const S* inp, int N, int IC, int OC) {
  for (int o = 0; o < OC; o++) {
    for (int i = 0; i < IC; i++) {
      S acc = 0;
      for (int n = 0; n < N; n++) acc += dout[(long)n * OC + o] * inp[(long)n * IC + i];
      dweight[(long)o * IC + i] += acc;
    }
  }
}

// dbias (OC) += sum over rows of dout (N, OC)
template <class S>
void bias_backward(S* dbias, const S* dout, int N, int OC) {
  for (int o = 0; o < OC; o++) {
    S acc = 0;
    for (int n = 0; n < N; n++) acc += dout[(long)n * OC + o];
    dbias[o] += acc;
  }
}

}  // namespace vrev::kernels::ref
