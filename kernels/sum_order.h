#pragma once
// The orders of the sums that every backend shares (docs/determinism.md), written once and
// compiled for the CPU and, in a CUDA build, for the GPU (VREV_HD): the kernels of kernels/cpu/
// and the arithmetic of kernels/cuda/ use these, so their bits cannot drift apart.
#include "kernels/host_device.h"

namespace vrev::kernels {

// Long reductions (sum, dot, squared norm) sum fixed chunks of kReduceChunk elements in double and
// add the chunk sums in chunk order.
inline constexpr long kReduceChunk = 8192;

// Column sums (bias and LayerNorm gradients) sum fixed chunks of kRowChunk rows into partials in
// double and add the partials in chunk order.
inline constexpr int kRowChunk = 32;

// Attention's chains over probabilities (the outputs, and the gradients of q, k and v) run over
// whole blocks of kAttentionRows queries, the CPU's register blocks: a query's output chain runs
// to the last key of its block, and a key's gradient chain starts at the first query of its block,
// multiplying in the zeros past the diagonal (which can change the sign of a zero result).
inline constexpr int kAttentionRows = 4;

// Sums of n terms in an order fixed by n alone: lane j of kLanes partial sums takes terms j,
// j + kLanes, j + 2 kLanes, ..., and the lanes are added pairwise at the end. The compiler may
// vectorise the lane loop with any vector width and the result stays the same, which an
// `omp simd reduction` does not promise (its partial sums follow the vector width, so an AVX-512
// build and an AVX2 build would add in different orders). term(i) gives term i; Acc is the
// accumulator type (float or double).
inline constexpr int kLanes = 8;

template <class Acc, class Term>
VREV_HD Acc lane_sum(long n, Term term) {
  Acc acc[kLanes] = {};
  const long body = n / kLanes * kLanes;
  for (long i = 0; i < body; i += kLanes)
    for (int j = 0; j < kLanes; j++) acc[j] += term(i + j);
  for (long i = body; i < n; i++) acc[i - body] += term(i);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

}  // namespace vrev::kernels
