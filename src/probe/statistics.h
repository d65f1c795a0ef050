#pragma once
// Statistics over seeds: mean, sample sd and a bootstrap confidence interval of the mean, counts
// of values above their thresholds, and the tests the report's verdicts use (the sign test over
// seeds, rank p-values, Fisher's combination, Holm's adjustment).
#include <cstdint>
#include <vector>

namespace vrev::probe {

struct SeedStats {
  double mean = 0;
  double sd = 0;                // sample standard deviation (ddof 1); 0 for one value
  double ci_lo = 0, ci_hi = 0;  // bootstrap 95% percentile interval of the mean
  std::vector<double> values;   // the inputs, in the order given
};

// Mean and sample standard deviation (ddof 1; 0 for one value) of a non-empty list.
struct MeanSd {
  double mean = 0, sd = 0;
};
MeanSd mean_sd(const std::vector<double>& values);

// The bootstrap resamples the values with replacement `draws` times (counter RNG keyed by seed)
// and takes the 2.5% and 97.5% quantiles (linear interpolation) of the resampled means; one
// value gives ci = [v, v].
SeedStats summarize(const std::vector<double>& values, uint64_t seed = 0, int draws = 10000);

// Number of i with values[i] > thresholds[i]; the vectors must have the same length.
int count_above(const std::vector<double>& values, const std::vector<double>& thresholds);

// The exact one-sided sign test of "the values are above zero" over seeds: positive = how many
// are above zero, untied = how many are not exactly zero (ties are left out), and
// p = P(X >= positive) for X ~ Binomial(untied, 1/2). The smallest p over n untied seeds is 2^-n:
// 1/32 = 0.031 with 5 seeds, 1/16 = 0.0625 with 4, so a claim over fewer than 5 seeds can never
// reach p < 0.05. With no untied seed p = 1.
struct SignTest {
  int positive = 0, untied = 0;
  double p = 1;
};
SignTest sign_test(const std::vector<double>& values);

// Holm's step-down adjustment of a family of p-values (any order): sorted ascending, the k-th
// smallest (k from 0) becomes max over j <= k of min(1, (m - j) p_(j)). The family-wise error rate
// stays at or below alpha when a claim is called significant for an adjusted p < alpha.
std::vector<double> holm_adjust(const std::vector<double>& p);

// The rank p-value of a statistic among draws of its null (e.g. one seed's plain run among that
// seed's K control runs): (1 + #{null >= statistic}) / (K + 1). Its smallest value is 1 / (K + 1),
// so K = 19 is the fewest draws with which one seed can reach p = 0.05.
double rank_p_value(double statistic, const std::vector<double>& null_values);

// Fisher's combination of independent p-values: X = -2 sum ln p_i ~ chi-square with 2n degrees
// of freedom under the joint null; returns P(chi2_2n >= X) = e^(-X/2) sum_{k<n} (X/2)^k / k!.
// vrev's own exp and log (kernels/math.h), so the number is the same on every machine.
double fisher_combined_p(const std::vector<double>& p);

}  // namespace vrev::probe
