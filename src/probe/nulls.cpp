// Null distributions for cos(drift, v): incomplete-beta special functions, the exact isotropic
// null and the Monte Carlo nulls (isotropic, anisotropic, label-shuffle).
#include "probe/nulls.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "core/error.h"
#include "core/rng.h"
#include "core/settings.h"
#include "kernels/math.h"
#include "probe/geometry.h"

namespace vrev::probe {

namespace math = kernels::math;

const char* null_in_words(NullKind kind) {
  switch (kind) {
    case NullKind::Isotropic: return "isotropic null";
    case NullKind::Anisotropic: return "anisotropic null";
    case NullKind::LabelShuffle: return "label-shuffle null";
    case NullKind::ControlFinetune: return "control fine-tunes";
  }
  return "?";
}

std::string p99_key(NullKind kind) { return std::string(settings::name_of(kind)) + "_p99"; }

namespace {

// Continued fraction for I_x(a, b) by the modified Lentz method (Numerical Recipes' betacf);
// converges fast for x < (a + 1) / (a + b + 2), in O(sqrt(max(a, b))) terms.
double beta_continued_fraction(double a, double b, double x) {
  constexpr int kMaxTerms = 100000;
  constexpr double kTiny = 1e-300;  // keeps the Lentz denominators off zero
  constexpr double kEps = 4 * std::numeric_limits<double>::epsilon();
  auto guard = [](double v) { return std::abs(v) < kTiny ? kTiny : v; };
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1, d = 1 / guard(1 - qab * x / qap);
  double h = d;
  for (int m = 1; m <= kMaxTerms; ++m) {
    const int m2 = 2 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 / guard(1 + aa * d);
    c = guard(1 + aa / c);
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 / guard(1 + aa * d);
    c = guard(1 + aa / c);
    const double step = d * c;
    h *= step;
    if (std::abs(step - 1) < kEps) return h;
  }
  VREV_FAIL("incomplete_beta: continued fraction did not converge for a=", a, " b=", b, " x=", x);
}

void check_draws(int N, int C, int draws) {
  VREV_CHECK(N >= 1 && C >= 1, "null: need N >= 1 rows of width C >= 1, got (", N, ", ", C, ")");
  VREV_CHECK(draws >= 1, "null: need draws >= 1, got ", draws);
}

}  // namespace

double incomplete_beta(double a, double b, double x) {
  VREV_CHECK(a > 0 && b > 0, "incomplete_beta: need a, b > 0, got a=", a, " b=", b);
  VREV_CHECK(x >= 0 && x <= 1, "incomplete_beta: need x in [0, 1], got ", x);
  if (x == 0 || x == 1) return x;
  const double front =
      math::exp(math::lgamma(a + b) - math::lgamma(a) - math::lgamma(b) + a * math::log(x) + b * math::log1p(-x));
  // The fraction converges fast on one side of the mean; use the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) on the other.
  if (x < (a + 1) / (a + b + 2)) return front * beta_continued_fraction(a, b, x) / a;
  return 1 - front * beta_continued_fraction(b, a, 1 - x) / b;
}

double inverse_incomplete_beta(double a, double b, double p) {
  VREV_CHECK(a > 0 && b > 0, "inverse_incomplete_beta: need a, b > 0, got a=", a, " b=", b);
  VREV_CHECK(p >= 0 && p <= 1, "inverse_incomplete_beta: need p in [0, 1], got ", p);
  if (p == 0 || p == 1) return p;
  const double log_beta = math::lgamma(a) + math::lgamma(b) - math::lgamma(a + b);
  // Newton steps while they stay inside the bracket [lo, hi] that holds the root, bisection
  // otherwise: the density can be infinite or vanishing at the ends, where Newton alone fails.
  // Every step shrinks the bracket; stop when no double between lo and hi is left to try, which
  // quadratic convergence reaches in a few steps (the cap is a guard, never reached in tests).
  double lo = 0, hi = 1, x = 0.5;
  for (int it = 0; it < 2000; ++it) {
    const double f = incomplete_beta(a, b, x) - p;
    if (f == 0) return x;
    (f < 0 ? lo : hi) = x;
    const double density = math::exp((a - 1) * math::log(x) + (b - 1) * math::log1p(-x) - log_beta);
    double next = x - f / density;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);  // also catches inf and NaN
    if (next == x || next == lo || next == hi) return x;
    x = next;
  }
  return x;
}

double isotropic_cos_quantile(int C, double p) {
  VREV_CHECK(C >= 2, "isotropic null: need C >= 2, got ", C);
  VREV_CHECK(p >= 0 && p <= 1, "isotropic null: need p in [0, 1], got ", p);
  if (p < 0.5) return -isotropic_cos_quantile(C, 1 - p);
  // P(cos <= q) = 1/2 + P(cos^2 <= q^2) / 2 for q >= 0.
  return std::sqrt(inverse_incomplete_beta(0.5, 0.5 * (C - 1), 2 * p - 1));
}

double isotropic_abs_cos_quantile(int C, double p) {
  VREV_CHECK(C >= 2, "isotropic null: need C >= 2, got ", C);
  return std::sqrt(inverse_incomplete_beta(0.5, 0.5 * (C - 1), p));
}

double quantile(const std::vector<double>& sorted_values, double p) {
  VREV_CHECK(!sorted_values.empty(), "quantile: no values");
  VREV_CHECK(p >= 0 && p <= 1, "quantile: need p in [0, 1], got ", p);
  VREV_CHECK(std::is_sorted(sorted_values.begin(), sorted_values.end()), "quantile: values are not sorted");
  const double h = double(sorted_values.size() - 1) * p;
  const size_t k = size_t(std::floor(h));
  if (k + 1 >= sorted_values.size()) return sorted_values.back();
  return sorted_values[k] + (h - double(k)) * (sorted_values[k + 1] - sorted_values[k]);
}

NullSummary empirical_null(std::vector<double> values) {
  VREV_CHECK(!values.empty(), "null: no values to summarize");
  std::sort(values.begin(), values.end());
  NullSummary s;
  for (double p : kQuantileLevels) s.quantiles.push_back(quantile(values, p));
  s.p99 = quantile(values, 0.99);
  s.draws = int(values.size());
  return s;
}

NullSummary isotropic_null(int C) {
  NullSummary s;
  for (double p : kQuantileLevels) s.quantiles.push_back(isotropic_cos_quantile(C, p));
  s.p99 = isotropic_cos_quantile(C, 0.99);
  return s;
}

std::vector<double> isotropic_null_cosines(const double* drift, int C, int draws, uint64_t seed) {
  check_draws(1, C, draws);
  constexpr uint64_t kStream = rng::stream_id("probe/null/isotropic");
  std::vector<double> cosines(draws), u(C);
  for (int d = 0; d < draws; ++d) {
    for (int c = 0; c < C; ++c) u[c] = rng::normal(seed, kStream, uint64_t(d) * C + c);
    cosines[d] = cosine(drift, u.data(), C);
  }
  return cosines;
}

NullSummary isotropic_null_monte_carlo(const double* drift, int C, int draws, uint64_t seed) {
  return empirical_null(isotropic_null_cosines(drift, C, draws, seed));
}

std::vector<double> anisotropic_null_cosines(const double* drift, const float* X, int N, int C, int draws,
                                             uint64_t seed) {
  check_draws(N, C, draws);
  VREV_CHECK(N >= 2, "anisotropic null: a covariance needs N >= 2 rows, got ", N);
  constexpr uint64_t kStream = rng::stream_id("probe/null/anisotropic");
  const std::vector<double> m = mean_rows(X, N, C);
  const double scale = 1 / std::sqrt(double(N - 1));
  std::vector<double> R(size_t(N) * C);  // (N, C): (x_i - mean) / sqrt(N-1), so R^T R = Sigma
  for (size_t k = 0; k < R.size(); ++k) R[k] = (X[k] - m[k % C]) * scale;
  std::vector<double> cosines(draws), u(C);
  for (int d = 0; d < draws; ++d) {
    std::fill(u.begin(), u.end(), 0.0);
    for (int i = 0; i < N; ++i) {
      const double z = rng::normal(seed, kStream, uint64_t(d) * N + i);
      const double* r = &R[size_t(i) * C];
      for (int c = 0; c < C; ++c) u[c] += z * r[c];
    }
    cosines[d] = cosine(drift, u.data(), C);
  }
  return cosines;
}

NullSummary anisotropic_null(const double* drift, const float* X, int N, int C, int draws, uint64_t seed) {
  return empirical_null(anisotropic_null_cosines(drift, X, N, C, draws, seed));
}

std::vector<double> estimate_direction(Estimator est, const float* P, const float* A, int N, int C) {
  switch (est) {
    case Estimator::DiffMeans:
      return diff_means(P, A, N, C);
    case Estimator::PerPrompt:
      return per_prompt(P, A, N, C);
    case Estimator::Pca:
      return pca_of_differences(P, A, N, C);
  }
  VREV_ASSERT(false);
}

std::vector<double> label_shuffle_null_cosines(const double* drift, const float* P, const float* A, int N, int C,
                                               int draws, uint64_t seed, Estimator est) {
  check_draws(N, C, draws);
  constexpr uint64_t kStream = rng::stream_id("probe/null/label-shuffle");
  // A balanced relabelling: each group takes half of P's rows and half of A's, drawn at random.
  // An unbalanced random split would leak the true labels (a group with more P rows leans
  // towards v itself), so the null would track the statistic it is meant to calibrate.
  const int half = N / 2;
  std::vector<int> perm_p(N), perm_a(N);
  std::vector<float> groups(size_t(2 * N) * C);  // (2N, C): group 1 then group 2
  std::vector<double> cosines(draws);
  auto shuffle = [&](std::vector<int>& perm, uint64_t offset) {
    std::iota(perm.begin(), perm.end(), 0);
    for (int k = N - 1; k >= 1; --k) std::swap(perm[k], perm[rng::below(seed, kStream, offset + k, uint64_t(k) + 1)]);
  };
  for (int d = 0; d < draws; ++d) {
    shuffle(perm_p, uint64_t(d) * 2 * N);
    shuffle(perm_a, uint64_t(d) * 2 * N + N);
    for (int r = 0; r < N; ++r) {
      // Group 1: P rows perm_p[0, half) and A rows perm_a[half, N); group 2: the rest.
      const float* g1 = r < half ? P + size_t(perm_p[r]) * C : A + size_t(perm_a[r]) * C;
      const float* g2 = r < half ? A + size_t(perm_a[r]) * C : P + size_t(perm_p[r]) * C;
      std::copy(g1, g1 + C, groups.begin() + size_t(r) * C);
      std::copy(g2, g2 + C, groups.begin() + size_t(N + r) * C);
    }
    const std::vector<double> v = estimate_direction(est, groups.data(), groups.data() + size_t(N) * C, N, C);
    cosines[d] = cosine(drift, v.data(), C);
  }
  return cosines;
}

std::vector<double> sign_flip_null_cosines(const double* drift, const float* P, const float* A, int N, int C,
                                           int draws, uint64_t seed, Estimator est) {
  check_draws(N, C, draws);
  constexpr uint64_t kStream = rng::stream_id("probe/null/sign-flip");
  std::vector<float> pairs(size_t(2 * N) * C);  // (2N, C): the "P" rows, then the "A" rows
  std::vector<double> cosines(draws);
  for (int d = 0; d < draws; ++d) {
    for (int i = 0; i < N; ++i) {
      const bool flip = rng::below(seed, kStream, uint64_t(d) * N + i, 2) == 1;
      const float* p = (flip ? A : P) + size_t(i) * C;
      const float* a = (flip ? P : A) + size_t(i) * C;
      std::copy(p, p + C, pairs.begin() + size_t(i) * C);
      std::copy(a, a + C, pairs.begin() + size_t(N + i) * C);
    }
    const std::vector<double> v = estimate_direction(est, pairs.data(), pairs.data() + size_t(N) * C, N, C);
    cosines[d] = cosine(drift, v.data(), C);
  }
  return cosines;
}

NullSummary label_shuffle_null(ShuffleNull kind, const double* drift, const float* P, const float* A, int N, int C,
                               int draws, uint64_t seed, Estimator est) {
  return empirical_null(kind == ShuffleNull::SignFlip ? sign_flip_null_cosines(drift, P, A, N, C, draws, seed, est)
                                                      : label_shuffle_null_cosines(drift, P, A, N, C, draws, seed, est));
}

}  // namespace vrev::probe
