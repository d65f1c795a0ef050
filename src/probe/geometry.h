#pragma once
// Vector basics over activations and the estimators of a reversion direction from paired
// activations of two models; activations are float32 row-major (N, C), all sums run in double.
//
// Example: v_rev from the harm_probe activations of the pretrained (P) and aligned (A) models,
// then the alignment of a fine-tuning drift with it:
//   std::vector<double> v = diff_means(P, A, N, C);
//   double alignment = cosine(drift.data(), v.data(), C);
#include <vector>

namespace vrev::probe {

double dot(const double* a, const double* b, int C);
double norm(const double* a, int C);
double norm(const std::vector<double>& a);

// cos(a, b); 0 when either vector is zero, so a degenerate direction reads as "no alignment".
double cosine(const double* a, const double* b, int C);
double cosine(const float* a, const float* b, int C);
double cosine(const std::vector<double>& a, const std::vector<double>& b);

// a / |a|; a zero vector stays zero.
std::vector<double> normalized(const std::vector<double>& a);

std::vector<double> mean_rows(const float* X, int N, int C);  // (C) from X (N, C)

// Direction estimators. P and A are (N, C) with row i of each the same prompt; each returns (C).

// mean(P) - mean(A): the default estimator.
std::vector<double> diff_means(const float* P, const float* A, int N, int C);

// Mean over prompts of the unit difference (p_i - a_i) / |p_i - a_i|; rows with p_i == a_i are
// skipped (zero vector if all are). Robust to a few prompts with large shifts.
std::vector<double> per_prompt(const float* P, const float* A, int N, int C);

// Top principal direction u of the differences d_i = p_i - a_i, from the uncentred second moment
// M = D^T D / N, so that a shift shared by all prompts counts (centring would remove it).
// Power iteration from a fixed counter-RNG start vector, stopping when successive unit iterates
// differ by under 1e-12 (at most 1000 iterations). Sign: positive dot with diff_means (if that
// dot is exactly 0, the largest-|component| rule of top_principal_direction). Returned as
// u * sqrt(mean_i (d_i . u)^2), the RMS projection, so its length is comparable to diff_means'.
// Zero vector if all differences are zero.
std::vector<double> pca_of_differences(const float* P, const float* A, int N, int C);

// Top principal direction of X's rows after centring (sample covariance), unit norm, by the same
// power iteration. Sign rule: the component of largest magnitude (first such index) is
// positive, which depends on X alone. Zero vector if the rows do not vary.
std::vector<double> top_principal_direction(const float* X, int N, int C);

}  // namespace vrev::probe
