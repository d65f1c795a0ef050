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

}  // namespace vrev::probe
