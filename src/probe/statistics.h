#pragma once
// Statistics over seeds: mean, sample sd and a bootstrap confidence interval of the mean, and
// counts of values above their thresholds (e.g. alignments above a null's p99).
#include <cstdint>
#include <vector>

namespace vrev::probe {

struct SeedStats {
  double mean = 0;
  double sd = 0;                // sample standard deviation (ddof 1); 0 for one value
  double ci_lo = 0, ci_hi = 0;  // bootstrap 95% percentile interval of the mean
  std::vector<double> values;   // the inputs, in the order given
};

// The bootstrap resamples the values with replacement `draws` times (counter RNG keyed by seed)
// and takes the 2.5% and 97.5% quantiles (linear interpolation) of the resampled means; one
// value gives ci = [v, v].
SeedStats summarize(const std::vector<double>& values, uint64_t seed = 0, int draws = 10000);

// Number of i with values[i] > thresholds[i]; the vectors must have the same length.
int count_above(const std::vector<double>& values, const std::vector<double>& thresholds);

// A paired comparison over seeds: the differences a[i] - b[i], how many are below zero (a lower
// on that seed), and the exact one-sided sign test of "a is lower": P(X >= lower) for
// X ~ Binomial(untied, 1/2), seeds with a difference of exactly 0 left out. With 5 seeds the
// smallest p is 1/32 = 0.031 (5 of 5 lower); with 3 seeds 1/8.
struct PairedComparison {
  std::vector<double> differences;
  int lower = 0, untied = 0;
  double sign_test_p = 1;
};
PairedComparison compare_paired(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace vrev::probe
