#pragma once
// Reference token + position embedding, templated on the scalar type; the exact yardstick for
// kernels/cpu/encoder.cpp.
#include <cstdint>

namespace vrev::kernels::ref {

// out (B, S, C) = wte[tokens[b, t]] + wpe[t]; tokens (B, S), wte (V, C), wpe (>= S, C)
template <class S>
void encoder_forward(S* out, const int32_t* tokens, const S* wte, const S* wpe, int B, int T, int C) {
  for (int b = 0; b < B; b++) {
    for (int t = 0; t < T; t++) {
      const S* e = wte + (long)tokens[(long)b * T + t] * C;
      const S* p = wpe + (long)t * C;
      S* y = out + ((long)b * T + t) * C;
      for (int c = 0; c < C; c++) y[c] = e[c] + p[c];
    }
  }
}

// dwte (V, C), dwpe (>= S, C) += scatter of dout (B, S, C) into the rows the forward read.
template <class S>
void encoder_backward(S* dwte, S* dwpe, const S* dout, const int32_t* tokens, int B, int T, int C) {
  for (int b = 0; b < B; b++) {
    for (int t = 0; t < T; t++) {
      S* de = dwte + (long)tokens[(long)b * T + t] * C;
      S* dp = dwpe + (long)t * C;
      const S* dy = dout + ((long)b * T + t) * C;
      for (int c = 0; c < C; c++) {
        de[c] += dy[c];
        dp[c] += dy[c];
      }
    }
  }
}

}  // namespace vrev::kernels::ref
