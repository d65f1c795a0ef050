// The AVX2 + FMA micro-kernel: 6 rows by 2 vectors of 8 (12 of the 16 ymm registers hold
// accumulators). Compiled with -mavx2 -mfma whatever the rest of the build targets; called only
// when the CPU has both.
#include <immintrin.h>

#include "kernels/cpu/gemm/gemm.h"

namespace {

struct Avx2 {
  using V = __m256;
  static constexpr int kWidth = 8;
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, V x) { _mm256_storeu_ps(p, x); }
  static V zero() { return _mm256_setzero_ps(); }
  static V broadcast(float x) { return _mm256_set1_ps(x); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
};

#include "kernels/cpu/gemm/micro_kernel.h"

}  // namespace

namespace vrev::kernels::cpu::gemm {

Tile tile_avx2() { return {6, 16, micro_kernel<Avx2, 6, 2>}; }

}  // namespace vrev::kernels::cpu::gemm
