// The AVX-512 micro-kernel: 8 rows by 2 vectors of 16 (16 of the 32 zmm registers hold
// accumulators). Compiled with -mavx512f -mfma whatever the rest of the build targets; called
// only when the CPU has AVX-512F.
#include <immintrin.h>

#include "kernels/cpu/gemm/gemm.h"

namespace {

struct Avx512 {
  using V = __m512;
  static constexpr int kWidth = 16;
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, V x) { _mm512_storeu_ps(p, x); }
  static V zero() { return _mm512_setzero_ps(); }
  static V broadcast(float x) { return _mm512_set1_ps(x); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
};

#include "kernels/cpu/gemm/micro_kernel.h"

}  // namespace

namespace vrev::kernels::cpu::gemm {

Tile tile_avx512() { return {8, 32, micro_kernel<Avx512, 8, 2>}; }

}  // namespace vrev::kernels::cpu::gemm
