#pragma once
// Null distributions for alignment = cos(drift, v) with the drift held fixed: what cosine a
// direction with no real relation to the drift reaches. Exact isotropic (via the incomplete
// beta function), Monte Carlo isotropic, anisotropic (activation covariance), label-shuffle and
// empirical (e.g. control fine-tuning drifts). Monte Carlo draws come from the counter RNG, so a
// (seed, draws) pair gives the same numbers on any machine and thread count.
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vrev::probe {

// Regularized incomplete beta I_x(a, b), a, b > 0, x in [0, 1] (Numerical Recipes' continued
// fraction), and its inverse in x for p in [0, 1] (Newton inside a bisection bracket; the root to
// within a few ulps of x).
double incomplete_beta(double a, double b, double x);
double inverse_incomplete_beta(double a, double b, double p);

// p-quantile, p in [0, 1], of cos(x, u) for fixed x and u uniform on the unit sphere of R^C
// (C >= 2): cos^2 ~ Beta(1/2, (C-1)/2) and cos is symmetric about 0. At C = 128 the one-sided
// p99 is 0.20464 (the normal approximation 2.326 / sqrt(C) gives 0.2056).
double isotropic_cos_quantile(int C, double p);
// p-quantile of |cos(x, u)|.
double isotropic_abs_cos_quantile(int C, double p);

inline const std::vector<double> kQuantileLevels = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};

struct NullSummary {
  double p99 = 0;                 // one-sided threshold: the 0.99 quantile
  std::vector<double> quantiles;  // at kQuantileLevels
  int draws = 0;                  // sample size; 0 for an exact null
};

// Quantile of ascending values with linear interpolation between order statistics (NumPy's
// default "linear" method); p in [0, 1].
double quantile(const std::vector<double>& sorted_values, double p);

// Summary of a null sample drawn elsewhere (e.g. cos(control-run drift, v_rev) over runs).
NullSummary empirical_null(std::vector<double> values);

// Exact isotropic null (draws = 0).
NullSummary isotropic_null(int C);

// Isotropic null by Monte Carlo: u a normalised standard normal vector; statistic cos(drift, u).
std::vector<double> isotropic_null_cosines(const double* drift, int C, int draws, uint64_t seed);
NullSummary isotropic_null_monte_carlo(const double* drift, int C, int draws, uint64_t seed);

// u ~ N(0, Sigma), Sigma the sample covariance (ddof 1) of the rows of X (N, C), e.g. the aligned
// model's benign-probe activations. Sigma is never formed: u = sum_i z_i (x_i - mean) / sqrt(N-1)
// with z ~ N(0, I_N) has covariance exactly Sigma, also when N < C. Needs N >= 2.
std::vector<double> anisotropic_null_cosines(const double* drift, const float* X, int N, int C, int draws,
                                             uint64_t seed);
NullSummary anisotropic_null(const double* drift, const float* X, int N, int C, int draws, uint64_t seed);

enum class Estimator { DiffMeans, PerPrompt, Pca };
constexpr std::array<std::pair<Estimator, const char*>, 3> enum_names(Estimator) {
  return {{{Estimator::DiffMeans, "diff-means"}, {Estimator::PerPrompt, "per-prompt"}, {Estimator::Pca, "pca"}}};
}

// The reversion direction (C) from P, A (N, C) by est (the functions of geometry.h).
std::vector<double> estimate_direction(Estimator est, const float* P, const float* A, int N, int C);

// The nulls a run's drift is tested against, named once: each name is the key of geometry.json's
// and summary.json's "nulls" (and, with "_p99", of a site's entry in "per_site_nulls"). The first
// three are drawn at any site; the control null is the seed's control fine-tunes.
enum class NullKind { Isotropic, Anisotropic, LabelShuffle, ControlFinetune };
constexpr std::array<std::pair<NullKind, const char*>, 4> enum_names(NullKind) {
  return {{{NullKind::Isotropic, "isotropic"},
           {NullKind::Anisotropic, "anisotropic"},
           {NullKind::LabelShuffle, "label_shuffle"},
           {NullKind::ControlFinetune, "control_finetune"}}};
}
inline constexpr NullKind kDrawnNulls[] = {NullKind::Isotropic, NullKind::Anisotropic, NullKind::LabelShuffle};
// A null in words, for readers of a report or a plot: "label-shuffle null", "control fine-tunes".
const char* null_in_words(NullKind kind);
// "<name>_p99": the key of a null's threshold in a site's entry of "per_site_nulls", and a column of geometry.csv.
std::string p99_key(NullKind kind);

// The label-shuffle null's two forms. sign-flip: each probe prompt's pair of rows (P_i, A_i)
// swaps places with probability 1/2, flipping the sign of that prompt's difference: the
// permutation null of a paired design, chance components of v included. balanced: the rows are
// relabelled into two groups of N, each half P and half A, which removes v's chance component
// and so gives a narrower null.
enum class ShuffleNull { SignFlip, Balanced };
constexpr std::array<std::pair<ShuffleNull, const char*>, 2> enum_names(ShuffleNull) {
  return {{{ShuffleNull::SignFlip, "sign-flip"}, {ShuffleNull::Balanced, "balanced"}}};
}

// Sign-flip null: swap P_i and A_i for a random half (each pair by a fair coin), estimate v with
// est; statistic cos(drift, v). Uninformative for Estimator::Pca (sign-blind, as below).
std::vector<double> sign_flip_null_cosines(const double* drift, const float* P, const float* A, int N, int C,
                                           int draws, uint64_t seed, Estimator est);

// Balanced label-shuffle null: relabel the 2N rows of P and A at random into two groups of N, each taking
// half of P's rows and half of A's (balanced, so no group leans towards the true shift), estimate
// v with est taking group 1 as "P" and group 2 as "A" (paired row by row); statistic cos(drift, v).
// Uninformative for Estimator::Pca, whose uncentred second moment ignores the sign of each pair's
// difference: relabelled groups recover the same axis.
std::vector<double> label_shuffle_null_cosines(const double* drift, const float* P, const float* A, int N, int C,
                                               int draws, uint64_t seed, Estimator est);
// The label-shuffle null of either form.
NullSummary label_shuffle_null(ShuffleNull kind, const double* drift, const float* P, const float* A, int N, int C,
                               int draws, uint64_t seed, Estimator est);

}  // namespace vrev::probe
