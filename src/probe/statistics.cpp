// Seed statistics: mean, sample sd, bootstrap confidence interval, threshold counts.
#include "probe/statistics.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/rng.h"
#include "probe/nulls.h"

namespace vrev::probe {

SeedStats summarize(const std::vector<double>& values, uint64_t seed, int draws) {
  VREV_CHECK(!values.empty(), "summarize: no values");
  VREV_CHECK(draws >= 1, "summarize: need draws >= 1, got ", draws);
  const size_t n = values.size();
  SeedStats s;
  s.values = values;
  for (double v : values) s.mean += v;
  s.mean /= double(n);
  if (n == 1) {
    s.ci_lo = s.ci_hi = values[0];
    return s;
  }
  double ss = 0;
  for (double v : values) ss += (v - s.mean) * (v - s.mean);
  s.sd = std::sqrt(ss / double(n - 1));
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

PairedComparison compare_paired(const std::vector<double>& a, const std::vector<double>& b) {
  VREV_CHECK(a.size() == b.size(), "a paired comparison needs as many values on each side, got ", a.size(), " and ",
             b.size());
  PairedComparison c;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = a[i] - b[i];
    c.differences.push_back(d);
    c.untied += d != 0;
    c.lower += d < 0;
  }
  // P(X >= lower), X ~ Binomial(untied, 1/2): the binomial terms C(n, k) / 2^n summed from the top.
  double term = std::ldexp(1.0, -c.untied), p = 0;  // k = untied
  for (int k = c.untied; k >= c.lower; --k) {
    p += term;
    term *= double(k) / double(c.untied - k + 1);  // C(n, k-1) = C(n, k) * k / (n - k + 1)
  }
  c.sign_test_p = std::min(1.0, p);
  return c;
}

}  // namespace vrev::probe

