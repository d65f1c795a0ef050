// Reductions on the CPU (sum, dot, squared norm): each fixed chunk of kReduceChunk elements is
// summed in double, and the chunk partials are added in chunk order, so the result does not
// depend on the thread count. The yardstick is kernels/ref/reduce.h.
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
    double acc = 0.0;
#pragma omp simd reduction(+ : acc)
    for (long i = i0; i < i1; i++) acc += (double)x[i];
    return acc;
  });
}

double dot(const float* a, const float* b, long n) {
  return chunked_sum(n, [=](long i0, long i1) {
    double acc = 0.0;
#pragma omp simd reduction(+ : acc)
    for (long i = i0; i < i1; i++) acc += (double)a[i] * (double)b[i];
    return acc;
  });
}

double squared_norm(const float* x, long n) {
  return chunked_sum(n, [=](long i0, long i1) {
    double acc = 0.0;
#pragma omp simd reduction(+ : acc)
    for (long i = i0; i < i1; i++) acc += (double)x[i] * (double)x[i];
    return acc;
  });
}

}  // namespace vrev::kernels::cpu
