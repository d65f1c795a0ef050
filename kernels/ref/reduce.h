#pragma once
// Reference reductions: one sequential pass accumulated in double; the yardstick for
// kernels/cpu/reduce.cpp (which sums fixed chunks instead).

namespace vrev::kernels::ref {

template <class S>
double sum(const S* x, long n) {
  double acc = 0;
  for (long i = 0; i < n; i++) acc += (double)x[i];
  return acc;
}

template <class S>
double dot(const S* a, const S* b, long n) {
  double acc = 0;
  for (long i = 0; i < n; i++) acc += (double)a[i] * (double)b[i];
  return acc;
}

template <class S>
double squared_norm(const S* x, long n) {
  double acc = 0;
  for (long i = 0; i < n; i++) acc += (double)x[i] * (double)x[i];
  return acc;
}

}  // namespace vrev::kernels::ref
