// The portable micro-kernel: plain C++ with std::fma on 8-lane arrays, for CPUs without AVX2 and
// as the yardstick the vector kernels must match bit for bit. std::fma rounds once, like the
// vector FMA instructions, so every lane computes the same chain. The compiler turns it into FMA
// instructions where the build's target has them, and into a (slow, exact) libm call elsewhere.
#include <cmath>

#include "kernels/cpu/gemm/gemm.h"

namespace {

struct Portable {
  struct V {
    float x[8];
  };
  static constexpr int kWidth = 8;
  static V load(const float* p) {
    V v;
    for (int i = 0; i < kWidth; i++) v.x[i] = p[i];
    return v;
  }
  static void store(float* p, const V& v) {
    for (int i = 0; i < kWidth; i++) p[i] = v.x[i];
  }
  static V zero() { return V{}; }
  static V broadcast(float s) {
    V v;
    for (int i = 0; i < kWidth; i++) v.x[i] = s;
    return v;
  }
  static V fma(const V& a, const V& b, const V& c) {
    V v;
    for (int i = 0; i < kWidth; i++) v.x[i] = std::fma(a.x[i], b.x[i], c.x[i]);
    return v;
  }
};

#include "kernels/cpu/gemm/micro_kernel.h"

}  // namespace

namespace vrev::kernels::cpu::gemm {

Tile tile_portable() { return {4, 16, micro_kernel<Portable, 4, 2>}; }

}  // namespace vrev::kernels::cpu::gemm
