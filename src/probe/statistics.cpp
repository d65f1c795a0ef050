// Seed statistics: mean, sample sd, bootstrap confidence interval, threshold counts, and the tests.
#include "probe/statistics.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/rng.h"
#include "kernels/math.h"
#include "probe/nulls.h"

namespace vrev::probe {

MeanSd mean_sd(const std::vector<double>& values) {
  VREV_CHECK(!values.empty(), "mean_sd: no values");
  const size_t n = values.size();
  MeanSd m;
  for (double v : values) m.mean += v;
  m.mean /= double(n);
  if (n == 1) return m;
  double ss = 0;
  for (double v : values) ss += (v - m.mean) * (v - m.mean);
  m.sd = std::sqrt(ss / double(n - 1));
  return m;
}

SeedStats summarize(const std::vector<double>& values, uint64_t seed, int draws) {
  VREV_CHECK(!values.empty(), "summarize: no values");
  VREV_CHECK(draws >= 1, "summarize: need draws >= 1, got ", draws);
  const size_t n = values.size();
  SeedStats s;
  s.values = values;
  const MeanSd m = mean_sd(values);
  s.mean = m.mean;
  s.sd = m.sd;
  if (n == 1) {
    s.ci_lo = s.ci_hi = values[0];
    return s;
  }
  constexpr uint64_t kStream = rng::stream_id("probe/bootstrap");
  std::vector<double> means(draws);
  for (int b = 0; b < draws; ++b) {
    double sum = 0;
    for (size_t k = 0; k < n; ++k) sum += values[rng::below(seed, kStream, uint64_t(b) * n + k, n)];
    means[b] = sum / double(n);
  }
  std::sort(means.begin(), means.end());
  s.ci_lo = quantile(means, 0.025);
  s.ci_hi = quantile(means, 0.975);
  return s;
}

int count_above(const std::vector<double>& values, const std::vector<double>& thresholds) {
  VREV_CHECK(values.size() == thresholds.size(), "count_above: ", values.size(), " values but ", thresholds.size(),
             " thresholds");
  int count = 0;
  for (size_t i = 0; i < values.size(); ++i) count += values[i] > thresholds[i];
  return count;
}

SignTest sign_test(const std::vector<double>& values) {
  SignTest t;
  for (const double v : values) {
    VREV_CHECK(std::isfinite(v), "sign test: a value is not finite (", v, ")");
    t.untied += v != 0;
    t.positive += v > 0;
  }
  // P(X >= positive), X ~ Binomial(untied, 1/2): the binomial terms C(n, k) / 2^n summed from the top.
  double term = std::ldexp(1.0, -t.untied), p = 0;  // k = untied
  for (int k = t.untied; k >= t.positive; --k) {
    p += term;
    term *= double(k) / double(t.untied - k + 1);  // C(n, k-1) = C(n, k) * k / (n - k + 1)
  }
  t.p = std::min(1.0, p);
  return t;
}

std::vector<double> holm_adjust(const std::vector<double>& p) {
  const size_t m = p.size();
  std::vector<size_t> order(m);
  for (size_t i = 0; i < m; ++i) {
    VREV_CHECK(p[i] >= 0 && p[i] <= 1, "Holm: p-value ", p[i], " is outside [0, 1]");
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  std::vector<double> adjusted(m);
  double running = 0;  // the adjusted p-values never decrease along the sorted order
  for (size_t k = 0; k < m; ++k) {
    running = std::max(running, std::min(1.0, double(m - k) * p[order[k]]));
    adjusted[order[k]] = running;
  }
  return adjusted;
}

double rank_p_value(double statistic, const std::vector<double>& null_values) {
  VREV_CHECK(!null_values.empty(), "rank p-value: no null draws");
  int at_least = 0;
  for (const double v : null_values) at_least += v >= statistic;
  return double(1 + at_least) / double(null_values.size() + 1);
}

double fisher_combined_p(const std::vector<double>& p) {
  VREV_CHECK(!p.empty(), "Fisher's combination: no p-values");
  double half_x = 0;  // X / 2 = -sum ln p_i
  for (const double v : p) {
    VREV_CHECK(v > 0 && v <= 1, "Fisher's combination: p-value ", v, " is outside (0, 1]");
    half_x -= kernels::math::log(v);
  }
  double term = 1, sum = 0;  // (X/2)^k / k!, k = 0 .. n-1
  for (size_t k = 0; k < p.size(); ++k) {
    sum += term;
    term *= half_x / double(k + 1);
  }
  return std::min(1.0, kernels::math::exp(-half_x) * sum);
}

}  // namespace vrev::probe

