// Vector basics and the reversion-direction estimators (diff-means, per-prompt, PCA).
#include "probe/geometry.h"

#include <cmath>
#include <cstddef>

#include "core/error.h"
#include "core/rng.h"

namespace vrev::probe {

namespace {

constexpr int kMaxIterations = 1000;
constexpr double kTolerance = 1e-12;

void check_shape(int N, int C) {
  VREV_CHECK(N >= 1 && C >= 1, "probe: need N >= 1 rows of width C >= 1, got (", N, ", ", C, ")");
}

// Gram matrix G = sum_i r_i r_i^T (C, C) of the rows of R (N, C).
std::vector<double> gram(const std::vector<double>& R, int N, int C) {
  std::vector<double> G(size_t(C) * C, 0.0);
  for (int i = 0; i < N; ++i) {
    const double* r = &R[size_t(i) * C];
    for (int a = 0; a < C; ++a)
      for (int b = a; b < C; ++b) G[size_t(a) * C + b] += r[a] * r[b];
  }
  for (int a = 0; a < C; ++a)
    for (int b = 0; b < a; ++b) G[size_t(a) * C + b] = G[size_t(b) * C + a];
  return G;
}

// Unit top eigenvector of a symmetric positive semi-definite M (C, C) by power iteration; the
// start is a fixed counter-RNG vector, generic enough never to be orthogonal to the answer.
// Zero vector when M is zero.
std::vector<double> top_eigenvector(const std::vector<double>& M, int C) {
  constexpr uint64_t kStream = rng::stream_id("probe/power-iteration");
  std::vector<double> u(C), w(C);
  for (int c = 0; c < C; ++c) u[c] = rng::normal(0, kStream, c);
  const double n0 = norm(u);
  for (double& x : u) x /= n0;
  for (int it = 0; it < kMaxIterations; ++it) {
    for (int a = 0; a < C; ++a) w[a] = dot(&M[size_t(a) * C], u.data(), C);
    const double n = norm(w);
    if (n == 0) return std::vector<double>(C, 0.0);
    double change = 0;
    for (int c = 0; c < C; ++c) {
      w[c] /= n;
      change += (w[c] - u[c]) * (w[c] - u[c]);
    }
    u.swap(w);
    if (std::sqrt(change) < kTolerance) break;
  }
  return u;
}

// Flips u so that its largest-magnitude component (first such index) is positive.
void orient_by_largest_component(std::vector<double>& u) {
  size_t k = 0;
  for (size_t c = 1; c < u.size(); ++c)
    if (std::abs(u[c]) > std::abs(u[k])) k = c;
  if (u[k] < 0)
    for (double& x : u) x = -x;
}

}  // namespace

double dot(const double* a, const double* b, int C) {
  double s = 0;
  for (int c = 0; c < C; ++c) s += a[c] * b[c];
  return s;
}

double norm(const double* a, int C) { return std::sqrt(dot(a, a, C)); }
double norm(const std::vector<double>& a) { return norm(a.data(), int(a.size())); }

double cosine(const double* a, const double* b, int C) {
  const double na = norm(a, C), nb = norm(b, C);
  if (na == 0 || nb == 0) return 0.0;
  return dot(a, b, C) / (na * nb);
}

double cosine(const float* a, const float* b, int C) {
  std::vector<double> da(a, a + C), db(b, b + C);
  return cosine(da.data(), db.data(), C);
}

double cosine(const std::vector<double>& a, const std::vector<double>& b) {
  VREV_CHECK(a.size() == b.size(), "cosine: vectors of different lengths ", a.size(), " and ", b.size());
  return cosine(a.data(), b.data(), int(a.size()));
}

std::vector<double> normalized(const std::vector<double>& a) {
  const double n = norm(a);
  std::vector<double> u(a.size(), 0.0);
  if (n > 0)
    for (size_t c = 0; c < a.size(); ++c) u[c] = a[c] / n;
  return u;
}

std::vector<double> mean_rows(const float* X, int N, int C) {
  check_shape(N, C);
  std::vector<double> m(C, 0.0);
  for (int i = 0; i < N; ++i)
    for (int c = 0; c < C; ++c) m[c] += X[size_t(i) * C + c];
  for (double& x : m) x /= N;
  return m;
}

std::vector<double> diff_means(const float* P, const float* A, int N, int C) {
  std::vector<double> v = mean_rows(P, N, C);
  const std::vector<double> a = mean_rows(A, N, C);
  for (int c = 0; c < C; ++c) v[c] -= a[c];
  return v;
}

std::vector<double> per_prompt(const float* P, const float* A, int N, int C) {
  check_shape(N, C);
  std::vector<double> v(C, 0.0), d(C);
  int used = 0;
  for (int i = 0; i < N; ++i) {
    for (int c = 0; c < C; ++c) d[c] = double(P[size_t(i) * C + c]) - A[size_t(i) * C + c];
    const double n = norm(d);
    if (n == 0) continue;
    for (int c = 0; c < C; ++c) v[c] += d[c] / n;
    ++used;
  }
  if (used > 0)
    for (double& x : v) x /= used;
  return v;
}

std::vector<double> pca_of_differences(const float* P, const float* A, int N, int C) {
  check_shape(N, C);
  std::vector<double> D(size_t(N) * C), mean(C, 0.0);  // D (N, C): the differences
  for (size_t k = 0; k < D.size(); ++k) {
    D[k] = double(P[k]) - A[k];
    mean[k % C] += D[k] / N;
  }
  std::vector<double> u = top_eigenvector(gram(D, N, C), C);
  const double s = dot(u.data(), mean.data(), C);
  if (s < 0)
    for (double& x : u) x = -x;
  if (s == 0) orient_by_largest_component(u);
  double mean_square = 0;
  for (int i = 0; i < N; ++i) {
    const double p = dot(&D[size_t(i) * C], u.data(), C);
    mean_square += p * p / N;
  }
  const double rms = std::sqrt(mean_square);
  for (double& x : u) x *= rms;
  return u;
}

std::vector<double> top_principal_direction(const float* X, int N, int C) {
  const std::vector<double> m = mean_rows(X, N, C);
  std::vector<double> R(size_t(N) * C);  // (N, C): centred rows
  for (size_t k = 0; k < R.size(); ++k) R[k] = X[k] - m[k % C];
  std::vector<double> u = top_eigenvector(gram(R, N, C), C);  // the 1/(N-1) does not move it
  orient_by_largest_component(u);
  return u;
}

}  // namespace vrev::probe
