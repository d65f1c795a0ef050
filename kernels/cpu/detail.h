#pragma once
// Internals shared by the cpu kernels, not part of the kernel contract: fixed-order sums, the
// fixed block sizes that keep every result independent of the thread count, and the threshold
// below which a parallel region costs more than it saves.
#include <cstdint>
#include <cstdlib>

#include "kernels/sum_order.h"

namespace vrev::kernels::cpu::detail {

// Elementwise kernels walk fixed blocks of kBlock elements in parallel, so each element takes the
// same (vector body or scalar remainder) code path whatever the thread count.
inline constexpr long kBlock = 4096;
// Work (elements touched) below which kernels stay on one thread.
inline constexpr long kParallelMin = 1L << 15;

// The shared sum orders (kernels/sum_order.h): row sums in fixed lanes, column sums over fixed
// chunks of kRowChunk rows (layernorm dweight/dbias, bias_backward).
using kernels::kRowChunk;
using kernels::lane_sum;

// Scratch buffers: per thread and per slot, 64-byte aligned, grown on demand and kept, so that
// once a kernel has run at a given size it allocates nothing (a training step after the first
// allocates nothing). A kernel uses distinct slots for buffers alive at the same time; slots
// taken outside a parallel region (kSlotShared*) are distinct from those taken inside one, since
// the calling thread is also a worker; the GEMM's packed operands have slots of their own.
enum ScratchSlot {
  kSlotShared0,
  kSlotShared1,
  kSlotGemmA,
  kSlotGemmB,
  kSlotThread0,
  kSlotCount = kSlotThread0 + 8
};

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

// dst[i] = value(i) for i in [i0, i1), or dst[i] += value(i) when accumulating: how a backward
// writes an activation's gradient (kernels.h, accumulation policy). Two loops, so that the
// overwriting one never reads dst.
template <class F>
inline void write_gradient(float* dst, long i0, long i1, bool accumulate, F value) {
  if (accumulate) {
#pragma omp simd
    for (long i = i0; i < i1; i++) dst[i] += value(i);
  } else {
#pragma omp simd
    for (long i = i0; i < i1; i++) dst[i] = value(i);
  }
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
