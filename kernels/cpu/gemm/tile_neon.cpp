// The NEON micro-kernel (AArch64): 8 rows by 3 vectors of 4 (24 of the 32 vector registers hold
// accumulators, 3 hold the row of B, and the broadcasts of A take the rest). NEON is part of
// every AArch64 CPU, so this file needs no flags and is compiled only for AArch64.
#include <arm_neon.h>

#include "kernels/cpu/gemm/gemm.h"

namespace {

struct Neon {
  using V = float32x4_t;
  static constexpr int kWidth = 4;
  static V load(const float* p) { return vld1q_f32(p); }
  static void store(float* p, V x) { vst1q_f32(p, x); }
  static V zero() { return vdupq_n_f32(0.0f); }
  static V broadcast(float x) { return vdupq_n_f32(x); }
  static V fma(V a, V b, V c) { return vfmaq_f32(c, a, b); }  // c + a * b, one rounding
};

#include "kernels/cpu/gemm/micro_kernel.h"

}  // namespace

namespace vrev::kernels::cpu::gemm {

Tile tile_neon() { return {8, 12, micro_kernel<Neon, 8, 3>}; }

}  // namespace vrev::kernels::cpu::gemm
