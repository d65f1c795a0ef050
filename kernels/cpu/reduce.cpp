// Reductions on the CPU (sum, dot, squared norm): each fixed chunk of kReduceChunk elements is
// summed in double in fixed lanes (detail::lane_sum), and the chunk partials are added in chunk
// order, so the result depends on neither the thread count nor the vector width. The yardstick is kernels/ref/reduce.h.
#include "kernels/cpu/detail.h"
#include "kernels/cpu/kernels.h"

namespace vrev::kernels::cpu {

namespace {

// chunk(i0, i1) returns the double sum over [i0, i1).
template <class F>
double chunked_sum(long n, F chunk) {
  if (n <= 0) return 0.0;
  const long nchunk = (n + kReduceChunk - 1) / kReduceChunk;
  double* partial = detail::scratch<double>(detail::kSlotShared0, nchunk);
#pragma omp parallel for schedule(static) if (n >= detail::kParallelMin)
  for (long k = 0; k < nchunk; k++) {
    const long i0 = k * kReduceChunk;
    partial[k] = chunk(i0, i0 + kReduceChunk < n ? i0 + kReduceChunk : n);
  }
  double acc = 0.0;
  for (long k = 0; k < nchunk; k++) acc += partial[k];
  return acc;
}

}  // namespace

double sum(const float* x, long n) {
  return chunked_sum(n, [=](long i0, long i1) {
    return detail::lane_sum<double>(i1 - i0, [=](long i) { return (double)x[i0 + i]; });
  });
}

double dot(const float* a, const float* b, long n) {
  return chunked_sum(n, [=](long i0, long i1) {
    return detail::lane_sum<double>(i1 - i0, [=](long i) { return (double)a[i0 + i] * (double)b[i0 + i]; });
  });
}

double squared_norm(const float* x, long n) {
  return chunked_sum(n, [=](long i0, long i1) {
    return detail::lane_sum<double>(i1 - i0, [=](long i) { return (double)x[i0 + i] * (double)x[i0 + i]; });
  });
}

}  // namespace vrev::kernels::cpu
