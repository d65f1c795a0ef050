#pragma once
// Internals shared by the cpu kernels, not part of the kernel contract: a vectorisable exp, the
// fixed block sizes that keep every result independent of the thread count, and the threshold
// below which a parallel region costs more than it saves.
#include <bit>
#include <cstdint>
#include <cstdlib>

namespace vrev::kernels::cpu::detail {

// Elementwise kernels walk fixed blocks of kBlock elements in parallel, so each element takes the
// same (vector body or scalar remainder) code path whatever the thread count.
inline constexpr long kBlock = 4096;
// Row reductions (layernorm dweight/dbias, bias_backward) sum fixed chunks of kRowChunk rows into
// partials and combine the partials in chunk order.
inline constexpr int kRowChunk = 32;
// Work (elements touched) below which kernels stay on one thread.
inline constexpr long kParallelMin = 1L << 15;

// exp(x) in float with no calls or branches, so that `omp simd` loops vectorise it (libm's expf
// only vectorises under -ffast-math). Cephes' expf: x = k ln2 + r, |r| <= ln2/2, a degree-6
// polynomial for e^r, then 2^k by exponent arithmetic. Relative error about 2 ulp; returns 0
// below -87.3 (where e^x leaves the normal range) and saturates at e^88.
inline float exp_f(float x) {
  float xc = x < -87.3f ? -87.3f : x;
  xc = xc > 88.0f ? 88.0f : xc;
  // Round to nearest by adding and removing 1.5 * 2^23 (floorf does not vectorise while
  // -ftrapping-math is on).
  const float k = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = xc - k * 0.693359375f;
  r = r - k * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  const float scale = std::bit_cast<float>((static_cast<int32_t>(k) + 127) << 23);
  return x < -87.3f ? 0.0f : p * scale;
}

// Scratch buffers: per thread and per slot, 64-byte aligned, grown on demand and kept, so that
// once a kernel has run at a given size it allocates nothing (a training step after the first
// allocates nothing). A kernel uses distinct slots for buffers alive at the same time; slots
// taken outside a parallel region (kSlotShared*) are distinct from those taken inside one, since
// the calling thread is also a worker. The alignment also keeps the prologue that vector loops
// peel off, and so the summation order of `omp simd` reductions, the same on every thread.
enum ScratchSlot { kSlotShared0, kSlotShared1, kSlotThread0, kSlotCount = kSlotThread0 + 8 };

struct ScratchSlots {
  void* p[kSlotCount] = {};
  size_t bytes[kSlotCount] = {};
  ScratchSlots() = default;
  ScratchSlots(const ScratchSlots&) = delete;
  ScratchSlots& operator=(const ScratchSlots&) = delete;
  ~ScratchSlots() {
    for (void* q : p) std::free(q);
  }
};

// At least `bytes` bytes in slot `slot` of the calling thread; contents are left over from
// earlier use.
inline void* scratch_bytes(int slot, size_t bytes) {
  thread_local ScratchSlots slots;
  const size_t want = (bytes + 63) / 64 * 64 + 64;
  if (want > slots.bytes[slot]) {
    std::free(slots.p[slot]);
    slots.p[slot] = std::aligned_alloc(64, want);
    if (!slots.p[slot]) std::abort();  // out of memory: nothing sensible to return
    slots.bytes[slot] = want;
  }
  return slots.p[slot];
}

// n elements of S in slot `slot` of the calling thread.
template <class S>
S* scratch(int slot, long n) {
  return static_cast<S*>(scratch_bytes(slot, (size_t)(n > 0 ? n : 0) * sizeof(S)));
}

// Calls f(i0, i1) on the fixed blocks [i0, i1) of kBlock elements covering [0, n), in parallel
// when n is large enough. The blocks, not the threads, decide where vector loops start and end.
template <class F>
void for_blocks(long n, F f) {
  const long nblock = (n + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (long k = 0; k < nblock; k++) f(k * kBlock, k * kBlock + kBlock < n ? k * kBlock + kBlock : n);
}

// partial (nchunk, width) holds one row of partial sums per chunk; adds rows 1.. into row 0 in
// chunk order, parallel over columns, so row 0 ends as the same total for any thread count.
inline void sum_partials(double* partial, int nchunk, long width) {
  constexpr long kCols = 512;
#pragma omp parallel for schedule(static) if ((long)nchunk * width >= kParallelMin)
  for (long c0 = 0; c0 < width; c0 += kCols) {
    const long c1 = c0 + kCols < width ? c0 + kCols : width;
    for (int k = 1; k < nchunk; k++) {
      const double* p = partial + (long)k * width;
#pragma omp simd
      for (long c = c0; c < c1; c++) partial[c] += p[c];
    }
  }
}

}  // namespace vrev::kernels::cpu::detail
