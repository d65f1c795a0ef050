// Which micro-kernels this build has and this CPU runs: the one place that knows the
// architectures. An x86-64 build has AVX-512 and AVX2 (chosen when the CPU has them), an AArch64
// build has NEON (every AArch64 CPU has it), and every build has the portable kernel.
#include "kernels/cpu/gemm/gemm.h"

namespace vrev::kernels::cpu {

bool isa_supported(Isa isa) {
  switch (isa) {
#if defined(__x86_64__)
    case Isa::avx512: return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
    case Isa::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::neon: return false;
#elif defined(__aarch64__)
    case Isa::avx512:
    case Isa::avx2: return false;
    case Isa::neon: return true;
#else
    case Isa::avx512:
    case Isa::avx2:
    case Isa::neon: return false;
#endif
    case Isa::automatic:
    case Isa::portable: return true;
  }
  return false;
}

namespace gemm {

Isa widest_supported() {
  for (Isa isa : {Isa::avx512, Isa::avx2, Isa::neon})
    if (isa_supported(isa)) return isa;
  return Isa::portable;
}

Tile tile_for(Isa isa) {
  switch (isa) {
#if defined(__x86_64__)
    case Isa::avx512: return tile_avx512();
    case Isa::avx2: return tile_avx2();
#elif defined(__aarch64__)
    case Isa::neon: return tile_neon();
#endif
    default: return tile_portable();
  }
}

}  // namespace gemm
}  // namespace vrev::kernels::cpu
