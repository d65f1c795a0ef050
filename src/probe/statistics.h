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

}  // namespace vrev::probe
