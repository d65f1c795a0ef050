#pragma once
// Least squares with a fixed effect per group (a seed), and a bootstrap over the groups: the fits
// behind `vrev regress` (docs/mechanism.md). Each group has its own intercept and no common one,
// so a coefficient says how the outcome moves with a predictor within a seed, not across seeds.
#include <cstdint>
#include <vector>

namespace vrev::probe {

struct Observation {
  int group = 0;          // e.g. the seed; any integers
  double y = 0;           // the outcome
  std::vector<double> x;  // the predictors, the same number for every observation
};

struct FixedEffectsFit {
  std::vector<double> coef;  // one per predictor
  double mean_intercept = 0; // the groups' intercepts averaged (for drawing the fitted line)
  double r2 = 0;             // 1 - SSE / SST about the grand mean (the group intercepts count)
  double r2_within = 0;      // 1 - SSE / SST about each group's mean: what the predictors explain
  int n = 0, groups = 0;
};

// An error when there are fewer observations than parameters or the predictors are collinear
// (with each other or with the group intercepts).
FixedEffectsFit fit_fixed_effects(const std::vector<Observation>& data);

struct BootstrapInterval {
  std::vector<double> lo, hi;  // 2.5% and 97.5% quantiles of each coefficient
  int draws = 0;               // resamples that could be fitted (collinear ones are skipped)
};

// Resamples whole groups with replacement (each drawn copy its own group), refits, and takes the
// percentile interval of every coefficient; counter RNG keyed by seed: the same interval every run.
BootstrapInterval bootstrap_over_groups(const std::vector<Observation>& data, int draws, uint64_t seed);

}  // namespace vrev::probe
