#pragma once
// The long reductions' arithmetic (sum, dot, squared norm), in the order of the CPU kernels
// (kernels/cpu/reduce.cpp): each chunk of kReduceChunk elements summed in double in fixed lanes,
// then the chunk sums added in chunk order. Written once for the CPU and the GPU (VREV_HD);
// tests/test_cuda_arithmetic.cpp holds it to the CPU kernels bit for bit.
#include "kernels/host_device.h"
#include "kernels/sum_order.h"

namespace vrev::kernels::arithmetic {

// The number of chunks of n elements.
VREV_HD inline long reduce_chunks(long n) { return n <= 0 ? 0 : (n + kReduceChunk - 1) / kReduceChunk; }

// Chunk k's sum of x[i], of x[i] y[i] (dot), or of x[i]^2 (squared norm, y == x), over n elements.
VREV_HD inline double sum_chunk(const float* x, long n, long k) {
  const long i0 = k * kReduceChunk, len = i0 + kReduceChunk < n ? kReduceChunk : n - i0;
  return lane_sum<double>(len, [=](long i) { return (double)x[i0 + i]; });
}
VREV_HD inline double dot_chunk(const float* x, const float* y, long n, long k) {
  const long i0 = k * kReduceChunk, len = i0 + kReduceChunk < n ? kReduceChunk : n - i0;
  return lane_sum<double>(len, [=](long i) { return (double)x[i0 + i] * (double)y[i0 + i]; });
}

// The chunk sums added in chunk order.
VREV_HD inline double combine_chunks(const double* partial, long nchunk) {
  double acc = 0.0;
  for (long k = 0; k < nchunk; k++) acc += partial[k];
  return acc;
}

}  // namespace vrev::kernels::arithmetic
