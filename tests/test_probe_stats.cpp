// Tests of the probe's geometry, null distributions and seed statistics: special functions
// against closed forms, exact nulls against Monte Carlo within binomial standard errors, and the
// direction estimators on planted directions.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "core/settings.h"
#include "probe/geometry.h"
#include "probe/nulls.h"
#include "probe/regression.h"
#include "probe/statistics.h"

using namespace vrev::probe;

namespace {

// (N, C) float matrix of independent N(0, 1) entries from a named counter-RNG stream.
std::vector<float> gaussian_rows(int N, int C, const char* stream) {
  std::vector<float> X(size_t(N) * C);
  for (size_t k = 0; k < X.size(); ++k) X[k] = float(vrev::rng::normal(7, vrev::rng::stream_id(stream), k));
  return X;
}

std::vector<double> unit_vector(int C, const char* stream) {
  std::vector<double> v(C);
  for (int c = 0; c < C; ++c) v[c] = vrev::rng::normal(7, vrev::rng::stream_id(stream), c);
  return normalized(v);
}

// Density of cos(x, u), u uniform on the sphere of R^C.
double isotropic_cos_density(int C, double x) {
  const double log_k = std::lgamma(0.5 * C) - std::lgamma(0.5 * (C - 1)) - 0.5 * std::log(M_PI);
  return std::exp(log_k + 0.5 * (C - 3) * std::log1p(-x * x));
}

// Standard error of the sample p-quantile of M draws: sqrt(p (1 - p) / M) / density.
double quantile_se(int C, double p, int M) {
  return std::sqrt(p * (1 - p) / M) / isotropic_cos_density(C, isotropic_cos_quantile(C, p));
}

}  // namespace

TEST_CASE("incomplete beta matches closed forms", "[probe]") {
  for (double a : {0.5, 1.0, 2.5, 10.0, 63.5}) CHECK(incomplete_beta(a, a, 0.5) == Approx(0.5).margin(1e-14));
  for (double x : {1e-6, 0.01, 0.3, 0.5, 0.9, 0.999}) {
    for (double b : {0.5, 1.0, 3.0, 63.5}) {
      CHECK(incomplete_beta(1, b, x) == Approx(1 - std::pow(1 - x, b)).epsilon(1e-12).margin(1e-14));
      CHECK(incomplete_beta(b, 1, x) == Approx(std::pow(x, b)).epsilon(1e-12).margin(1e-14));
      CHECK(incomplete_beta(2.5, b, x) == Approx(1 - incomplete_beta(b, 2.5, 1 - x)).margin(1e-14));
    }
    // Beta(1/2, 1/2) is the arcsine law.
    CHECK(incomplete_beta(0.5, 0.5, x) == Approx(2 / M_PI * std::asin(std::sqrt(x))).epsilon(1e-12));
  }
  CHECK(incomplete_beta(3, 4, 0) == 0);
  CHECK(incomplete_beta(3, 4, 1) == 1);
  CHECK_THROWS_AS(incomplete_beta(0, 1, 0.5), vrev::Error);
  CHECK_THROWS_AS(incomplete_beta(1, 1, 1.5), vrev::Error);
}

TEST_CASE("inverse incomplete beta round-trips", "[probe]") {
  for (double a : {0.5, 1.0, 4.0}) {
    for (double b : {0.5, 1.5, 63.5, 500.0}) {
      for (double p : {1e-9, 0.01, 0.3, 0.5, 0.98, 0.999999}) {
        // x is the root to within 4 ulps: I at x -/+ 4 ulps brackets p, up to I's own rounding.
        // (A check on |I(x) - p| alone would fail near x = 1 for b < 1, where a single ulp of x
        // moves I by far more than 1e-12.)
        const double x = inverse_incomplete_beta(a, b, p);
        double below = x, above = x;
        for (int k = 0; k < 4; ++k) {
          below = std::nextafter(below, 0.0);
          above = std::nextafter(above, 1.0);
        }
        CHECK(incomplete_beta(a, b, below) <= p + 1e-14);
        CHECK(incomplete_beta(a, b, above) >= p - 1e-14);
      }
      for (double x : {1e-8, 0.001, 0.2, 0.7, 0.99}) {
        const double p = incomplete_beta(a, b, x);
        if (p > 1e-300 && p < 1 - 1e-9) CHECK(inverse_incomplete_beta(a, b, p) == Approx(x).epsilon(1e-9));
      }
    }
  }
  CHECK(inverse_incomplete_beta(2, 3, 0) == 0);
  CHECK(inverse_incomplete_beta(2, 3, 1) == 1);
}

TEST_CASE("isotropic cosine quantiles: closed forms at C = 2, 3 and the C = 128 p99", "[probe]") {
  for (double p : {0.01, 0.25, 0.5, 0.8, 0.99}) {
    CHECK(isotropic_cos_quantile(3, p) == Approx(2 * p - 1).margin(1e-12));            // Archimedes: cos uniform
    CHECK(isotropic_cos_quantile(2, p) == Approx(-std::cos(M_PI * p)).margin(1e-12));  // angle uniform
    CHECK(isotropic_abs_cos_quantile(3, p) == Approx(p).margin(1e-12));
  }
  // Independent value: Simpson integration of the density (1 - x^2)^((C-3)/2) to a 1% tail.
  CHECK(isotropic_cos_quantile(128, 0.99) == Approx(0.2046427335).margin(1e-9));
  CHECK(isotropic_cos_quantile(128, 0.01) == -isotropic_cos_quantile(128, 0.99));
  const NullSummary iso = isotropic_null(128);
  CHECK(iso.draws == 0);
  CHECK(iso.p99 == iso.quantiles.back());
  CHECK(iso.quantiles[3] == 0);
}

TEST_CASE("isotropic p99 agrees with Monte Carlo within binomial error", "[probe]") {
  const int C = 128, M = 100000;
  const std::vector<double> drift = unit_vector(C, "test/drift");
  const double p99 = isotropic_cos_quantile(C, 0.99);
  const std::vector<double> cosines = isotropic_null_cosines(drift.data(), C, M, 1);
  int above = 0;
  for (double c : cosines) above += c > p99;
  const double rate = double(above) / M, se = std::sqrt(0.01 * 0.99 / M);
  CHECK(std::abs(rate - 0.01) < 4 * se);
  const NullSummary mc = isotropic_null_monte_carlo(drift.data(), C, M, 1);
  CHECK(mc.draws == M);
  CHECK(mc.p99 == Approx(p99).margin(4 * quantile_se(C, 0.99, M)));
}

TEST_CASE("anisotropic null: isotropic data matches the isotropic null, anisotropic data exceeds it", "[probe]") {
  const int N = 4000, C = 32, M = 4000;
  const std::vector<float> X = gaussian_rows(N, C, "test/isotropic-rows");
  const std::vector<double> drift = unit_vector(C, "test/drift");
  const NullSummary an = anisotropic_null(drift.data(), X.data(), N, C, M, 3);
  const NullSummary iso = isotropic_null(C);
  for (size_t k = 0; k < kQuantileLevels.size(); ++k) {
    // Two error sources, each allowed 4 standard errors: Monte Carlo error of a sample quantile,
    // and the estimated covariance (the drift's variance d'Sigma d has sd sqrt(2/(N-1)) ~ 2%,
    // which scales cos, hence each quantile, by about half that).
    const double q = iso.quantiles[k];
    const double tol = 4 * quantile_se(C, kQuantileLevels[k], M) + 4 * 0.5 * std::sqrt(2.0 / (N - 1)) * std::abs(q);
    CHECK(an.quantiles[k] == Approx(q).margin(tol));
  }
  // Variance 100 along axis 0 and 1 elsewhere; the drift along axis 0.
  const int N2 = 500;
  std::vector<float> Y = gaussian_rows(N2, C, "test/anisotropic-rows");
  for (int i = 0; i < N2; ++i) Y[size_t(i) * C] *= 10;
  std::vector<double> axis(C, 0.0);
  axis[0] = 1;
  const NullSummary strong = anisotropic_null(axis.data(), Y.data(), N2, C, 2000, 3);
  CHECK(strong.p99 > 0.9);
  CHECK(strong.p99 > 2 * iso.p99);
  CHECK_THROWS_AS(anisotropic_null(axis.data(), Y.data(), 1, C, 10, 3), vrev::Error);
}

TEST_CASE("estimators recover a planted direction", "[probe]") {
  const int N = 200, C = 32;
  const std::vector<double> v = unit_vector(C, "test/planted");
  const std::vector<float> A = gaussian_rows(N, C, "test/A");
  const std::vector<float> noise = gaussian_rows(N, C, "test/noise");
  for (double shift : {3.0, -3.0}) {
    std::vector<float> P(A.size());
    for (size_t k = 0; k < P.size(); ++k) P[k] = float(A[k] + shift * v[k % C] + 0.5 * noise[k]);
    const double sign = shift > 0 ? 1 : -1;
    const std::vector<double> dm = diff_means(P.data(), A.data(), N, C);
    const std::vector<double> pp = per_prompt(P.data(), A.data(), N, C);
    const std::vector<double> pc = pca_of_differences(P.data(), A.data(), N, C);
    CHECK(sign * cosine(dm, v) > 0.99);
    CHECK(sign * cosine(pp, v) > 0.99);
    CHECK(sign * cosine(pc, v) > 0.99);  // the sign follows diff_means
    // RMS projection: sqrt(shift^2 + noise variance 0.25) ~ 3.04.
    CHECK(norm(pc) == Approx(norm(dm)).epsilon(0.1));
    for (Estimator est : {Estimator::DiffMeans, Estimator::PerPrompt, Estimator::Pca})
      CHECK(sign * cosine(estimate_direction(est, P.data(), A.data(), N, C), v) > 0.99);
  }
  // Identical models: every estimator gives the zero vector.
  CHECK(norm(diff_means(A.data(), A.data(), N, C)) == 0);
  CHECK(norm(per_prompt(A.data(), A.data(), N, C)) == 0);
  CHECK(norm(pca_of_differences(A.data(), A.data(), N, C)) == 0);
}

TEST_CASE("top principal direction finds the dominant axis with a fixed sign", "[probe]") {
  const int N = 300, C = 16;
  const std::vector<double> w = unit_vector(C, "test/axis");
  const std::vector<float> g = gaussian_rows(N, 1, "test/scores");
  std::vector<float> X = gaussian_rows(N, C, "test/rows");
  for (int i = 0; i < N; ++i)
    for (int c = 0; c < C; ++c) X[size_t(i) * C + c] = float(5.0 + 5 * g[i] * w[c] + 0.3 * X[size_t(i) * C + c]);
  const std::vector<double> u = top_principal_direction(X.data(), N, C);
  CHECK(norm(u) == Approx(1).epsilon(1e-12));
  CHECK(std::abs(cosine(u, w)) > 0.99);
  double largest = 0;
  for (double x : u)
    if (std::abs(x) > std::abs(largest)) largest = x;
  CHECK(largest > 0);
}

TEST_CASE("cosine is scale invariant and antisymmetric", "[probe]") {
  const std::vector<double> a = unit_vector(32, "test/a"), b = unit_vector(32, "test/b");
  std::vector<double> a_scaled = a, b_scaled = b, minus_a = a, zero(32, 0.0);
  for (double& x : a_scaled) x *= 2.5;
  for (double& x : b_scaled) x *= 1e-3;
  for (double& x : minus_a) x = -x;
  const double c = cosine(a, b);
  CHECK(cosine(a_scaled, b) == Approx(c).margin(1e-15));
  CHECK(cosine(a, b_scaled) == Approx(c).margin(1e-15));
  CHECK(cosine(a, minus_a) == Approx(-1).margin(1e-15));
  CHECK(cosine(a, a) == Approx(1).margin(1e-15));
  CHECK(cosine(a, zero) == 0);
  const std::vector<float> af(a.begin(), a.end()), bf(b.begin(), b.end());
  CHECK(cosine(af.data(), bf.data(), 32) == Approx(c).margin(1e-6));
  CHECK(norm(normalized(a_scaled)) == Approx(1));
  CHECK(norm(normalized(zero)) == 0);
}

TEST_CASE("label-shuffle nulls, sign-flip and balanced: centred without a shift, exceeded by a real one", "[probe]") {
  const int N = 100, C = 16;
  const std::vector<double> drift = unit_vector(C, "test/planted");
  const std::vector<float> A = gaussian_rows(N, C, "test/A");
  std::vector<float> P = gaussian_rows(N, C, "test/P");
  for (ShuffleNull kind : {ShuffleNull::SignFlip, ShuffleNull::Balanced}) {
    INFO(vrev::settings::name_of(kind));
    // No shift: v is a random direction, so cos(drift, v) has median ~0 and sd ~1/sqrt(C) = 0.25;
    // the median of 1000 draws has s.e. about 1.25 * 0.25 / sqrt(1000) = 0.01.
    const NullSummary flat =
        label_shuffle_null(kind, drift.data(), P.data(), A.data(), N, C, 1000, 5, Estimator::DiffMeans);
    CHECK(std::abs(flat.quantiles[3]) < 0.05);
    CHECK(flat.quantiles.front() < 0);
    CHECK(flat.quantiles.back() > 0);
  }
  for (size_t k = 0; k < P.size(); ++k) P[k] += float(drift[k % C]);
  // Not for Pca: its uncentred second moment is blind to the sign of each pair's difference, so
  // relabelled groups recover the same axis (nulls.h says so).
  for (ShuffleNull kind : {ShuffleNull::SignFlip, ShuffleNull::Balanced})
    for (Estimator est : {Estimator::DiffMeans, Estimator::PerPrompt}) {
      const NullSummary shuffled = label_shuffle_null(kind, drift.data(), P.data(), A.data(), N, C, 200, 5, est);
      CHECK(cosine(drift, estimate_direction(est, P.data(), A.data(), N, C)) > shuffled.p99);
    }
  // A sign-flipped v keeps a chance share of the true shift (the flips rarely cancel exactly);
  // the balanced split removes it, so its null is the narrower one.
  const NullSummary flips = label_shuffle_null(ShuffleNull::SignFlip, drift.data(), P.data(), A.data(), N, C, 1000, 5,
                                               Estimator::DiffMeans);
  const NullSummary balanced = label_shuffle_null(ShuffleNull::Balanced, drift.data(), P.data(), A.data(), N, C, 1000,
                                                  5, Estimator::DiffMeans);
  INFO("p99: sign-flip " << flips.p99 << ", balanced " << balanced.p99);
  CHECK(flips.p99 > balanced.p99 + 0.1);
  for (auto null : {label_shuffle_null_cosines, sign_flip_null_cosines}) {
    const std::vector<double> once = null(drift.data(), P.data(), A.data(), N, C, 20, 9, Estimator::Pca);
    CHECK(once == null(drift.data(), P.data(), A.data(), N, C, 20, 9, Estimator::Pca));
  }
}

TEST_CASE("estimator names parse and print", "[probe]") {
  for (Estimator est : {Estimator::DiffMeans, Estimator::PerPrompt, Estimator::Pca})
    CHECK(vrev::settings::parse_name<Estimator>(vrev::settings::name_of(est), "--estimator") == est);
  CHECK(std::string(vrev::settings::name_of(Estimator::PerPrompt)) == "per-prompt");
  CHECK_THROWS_WITH(vrev::settings::parse_name<Estimator>("mean", "--estimator"),
                    Catch::Contains("--estimator: unknown value 'mean' (valid: diff-means, per-prompt, pca)"));
}

TEST_CASE("quantile matches NumPy's linear method", "[probe]") {
  CHECK(quantile({1, 2, 3, 4}, 0.5) == 2.5);
  CHECK(quantile({1, 2, 3, 4}, 0.25) == 1.75);
  CHECK(quantile({1, 2, 3, 4}, 0) == 1);
  CHECK(quantile({1, 2, 3, 4}, 1) == 4);
  CHECK(quantile({7}, 0.3) == 7);
  std::vector<double> hundred;
  for (int i = 0; i <= 100; ++i) hundred.push_back(100 - i);  // empirical_null sorts
  CHECK(quantile(std::vector<double>(hundred.rbegin(), hundred.rend()), 0.99) == Approx(99));
  const NullSummary e = empirical_null(hundred);
  CHECK(e.draws == 101);
  CHECK(e.p99 == Approx(99));
  for (size_t k = 0; k < kQuantileLevels.size(); ++k) CHECK(e.quantiles[k] == Approx(100 * kQuantileLevels[k]));
  CHECK_THROWS_AS(quantile({2, 1}, 0.5), vrev::Error);
  CHECK_THROWS_AS(empirical_null({}), vrev::Error);
}

TEST_CASE("summarize: mean, sample sd and a deterministic bootstrap interval", "[probe]") {
  const std::vector<double> values = {1, 2, 3, 4, 5};
  const SeedStats s = summarize(values, 11);
  CHECK(s.mean == Approx(3));
  CHECK(s.sd == Approx(std::sqrt(2.5)));
  CHECK(s.values == values);
  CHECK(s.ci_lo < s.mean);
  CHECK(s.ci_hi > s.mean);
  CHECK(s.ci_lo >= 1);
  CHECK(s.ci_hi <= 5);
  // The bootstrap se of the mean is sqrt(2 / 5) = 0.63, so the 95% interval spans about 2.5.
  CHECK(s.ci_hi - s.ci_lo == Approx(2.5).epsilon(0.2));
  const SeedStats again = summarize(values, 11);
  CHECK(again.ci_lo == s.ci_lo);
  CHECK(again.ci_hi == s.ci_hi);
  // The seed matters; 30 values, so that resampled means do not repeat on a coarse lattice.
  std::vector<double> spread(30);
  for (int i = 0; i < 30; ++i) spread[i] = vrev::rng::uniform(7, vrev::rng::stream_id("test/spread"), i);
  const SeedStats seed1 = summarize(spread, 1), seed2 = summarize(spread, 2);
  CHECK((seed1.ci_lo != seed2.ci_lo || seed1.ci_hi != seed2.ci_hi));
  const SeedStats one = summarize({0.7});
  CHECK(one.mean == 0.7);
  CHECK(one.sd == 0);
  CHECK(one.ci_lo == 0.7);
  CHECK(one.ci_hi == 0.7);
  CHECK_THROWS_AS(summarize({}), vrev::Error);
}

TEST_CASE("mean_sd: the mean and sample sd that summarize and the report share", "[probe]") {
  const MeanSd m = mean_sd({1, 2, 3, 4});
  CHECK(m.mean == 2.5);
  CHECK(m.sd == Approx(std::sqrt(5.0 / 3.0)));
  CHECK(mean_sd({-0.25}).sd == 0);
  const SeedStats s = summarize({1, 2, 3, 4});
  CHECK(s.mean == m.mean);
  CHECK(s.sd == m.sd);
  CHECK_THROWS_AS(mean_sd({}), vrev::Error);
}

TEST_CASE("count_above counts strict exceedances pairwise", "[probe]") {
  CHECK(count_above({0.3, 0.1, 0.5, 0.9}, {0.2, 0.1, 0.6, 0.203}) == 2);
  CHECK(count_above({}, {}) == 0);
  CHECK_THROWS_AS(count_above({1}, {1, 2}), vrev::Error);
}

TEST_CASE("the exact one-sided sign test over seeds, against hand-computed binomial tails", "[probe][stats]") {
  const SignTest all = sign_test({0.1, 0.2, 0.3, 0.4, 0.5});
  CHECK(all.positive == 5);
  CHECK(all.untied == 5);
  CHECK(all.p == 1.0 / 32);
  // 4 of 5 positive: P(X >= 4) = (C(5,4) + C(5,5)) / 32 = 6 / 32.
  CHECK(sign_test({-1, 1, 1, 1, 1}).p == 6.0 / 32);
  // 9 of 9: 1/512, the smallest p nine seeds can give.
  CHECK(sign_test(std::vector<double>(9, 0.2)).p == 1.0 / 512);
  // A tie leaves the test: 3 of 3 untied is 1/8; none positive is p = 1; no untied seed is p = 1.
  const SignTest tied = sign_test({0, 1, 1, 1});
  CHECK(tied.untied == 3);
  CHECK(tied.p == 1.0 / 8);
  CHECK(sign_test({-1, -1}).p == 1.0);
  CHECK(sign_test({0, 0, 0}).p == 1.0);
  CHECK(sign_test({0, 0, 0}).untied == 0);
  CHECK_THROWS_AS(sign_test({1, NAN}), vrev::Error);
}

TEST_CASE("Holm's adjustment, against a hand-computed family", "[probe][stats]") {
  // Sorted: 0.005 (x4 = 0.02), 0.01 (x3 = 0.03), 0.03 (x2 = 0.06), 0.04 (x1 = 0.04, raised to 0.06).
  const std::vector<double> adjusted = holm_adjust({0.01, 0.04, 0.03, 0.005});
  REQUIRE(adjusted.size() == 4);
  CHECK(adjusted[0] == Approx(0.03));
  CHECK(adjusted[1] == Approx(0.06));
  CHECK(adjusted[2] == Approx(0.06));
  CHECK(adjusted[3] == Approx(0.02));
  CHECK(holm_adjust({0.5, 0.6}) == std::vector<double>{1.0, 1.0});
  CHECK(holm_adjust({0.02}) == std::vector<double>{0.02});
  CHECK(holm_adjust({}).empty());
  CHECK_THROWS_AS(holm_adjust({0.1, 1.5}), vrev::Error);
}

TEST_CASE("rank p-value among a seed's own null draws, and Fisher's combination", "[probe][stats]") {
  CHECK(rank_p_value(0.5, {0.1, 0.2, 0.6}) == 0.5);        // (1 + 1) / 4
  CHECK(rank_p_value(0.2, {0.2}) == 1.0);                  // a tie counts against the statistic
  CHECK(rank_p_value(1.0, std::vector<double>(19, 0.9)) == 0.05);  // K = 19: one seed can reach 0.05
  CHECK(rank_p_value(1.0, std::vector<double>(18, 0.9)) > 0.05);
  CHECK_THROWS_AS(rank_p_value(1.0, {}), vrev::Error);
  // One p-value combines to itself; three of 0.05: X = 6 ln 20, P(chi2_6 >= X) = 20^-3 (1 + X/2 + (X/2)^2 / 2).
  CHECK(fisher_combined_p({0.3}) == Approx(0.3).epsilon(1e-12));
  CHECK(fisher_combined_p({0.05, 0.05, 0.05}) == Approx(0.0062965063).epsilon(1e-8));
  CHECK(fisher_combined_p({1.0, 1.0}) == 1.0);
  CHECK_THROWS_AS(fisher_combined_p({0.0}), vrev::Error);
  CHECK_THROWS_AS(fisher_combined_p({}), vrev::Error);
}

TEST_CASE("fixed-effects regression recovers known slopes, with a narrow bootstrap interval over seeds", "[probe][stats]") {
  // change = 2 along - 0.5 off + a seed's own intercept + a small deterministic wobble.
  std::vector<vrev::probe::Observation> data;
  for (int seed = 0; seed < 5; ++seed)
    for (int i = 0; i < 12; ++i) {
      const double along = 0.1 * i + 0.03 * seed, off = std::sin(1.7 * i + seed);
      const double wobble = 1e-3 * std::cos(3.1 * i + 7.0 * seed);
      data.push_back({seed, 2.0 * along - 0.5 * off + (seed - 2) * 0.7 + wobble, {along, off}});
    }
  const vrev::probe::FixedEffectsFit fit = vrev::probe::fit_fixed_effects(data);
  CHECK(fit.n == 60);
  CHECK(fit.groups == 5);
  CHECK(fit.coef[0] == Approx(2.0).margin(2e-3));
  CHECK(fit.coef[1] == Approx(-0.5).margin(2e-3));
  CHECK(fit.mean_intercept == Approx(0.0).margin(2e-3));
  CHECK(fit.r2 > 0.9999);
  CHECK(fit.r2_within > 0.9999);
  const vrev::probe::BootstrapInterval ci = vrev::probe::bootstrap_over_groups(data, 400, 1);
  CHECK(ci.draws == 400);
  for (int j = 0; j < 2; ++j) {  // around the estimate, and narrow: the wobble is small
    CHECK((ci.lo[j] <= fit.coef[j] && fit.coef[j] <= ci.hi[j]));
    CHECK(ci.hi[j] - ci.lo[j] < 0.01);
  }
  const vrev::probe::BootstrapInterval again = vrev::probe::bootstrap_over_groups(data, 400, 1);
  CHECK((again.lo == ci.lo && again.hi == ci.hi));  // a counter RNG: the same interval every run

  // Without a slope the fit says so, and the within-seed R² is about zero.
  for (auto& o : data) o.y = (o.group - 2) * 0.7 + 1e-3 * std::cos(5.0 * o.x[0] + o.group);
  const vrev::probe::FixedEffectsFit flat = vrev::probe::fit_fixed_effects(data);
  CHECK(std::abs(flat.coef[0]) < 0.01);
  CHECK(flat.r2_within < 0.5);

  // A predictor that is a seed's constant is collinear with its intercept: a one-line error.
  for (auto& o : data) o.x[1] = o.group;
  CHECK_THROWS_WITH(vrev::probe::fit_fixed_effects(data), Catch::Contains("collinear"));
  CHECK_THROWS_WITH(vrev::probe::fit_fixed_effects({{0, 1.0, {1.0}}}), Catch::Contains("cannot fit"));
}
