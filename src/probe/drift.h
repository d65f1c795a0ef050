#pragma once
// Drift of activations during fine-tuning, measured against a reversion direction v:
// drift_t = mean h_t - mean h_aligned over a probe set (docs/safety-world.md, "What is measured").
#include <cstdint>
#include <vector>

namespace vrev::probe {

struct DriftMetrics {
  double alignment = 0;           // cos(mean harmful drift, v)
  double mean_prompt_cosine = 0;  // mean over harmful prompts of cos(h_t,i - h_aligned,i, v)
  double benign_alignment = 0;    // cos(mean benign drift, v)
  double harmful_minus_benign = 0;  // cos(harmful drift - benign drift, v)
  double reversion_fraction = 0;  // drift . v / |v|^2: how far along v, in units of v
  double relative_norm = 0;       // |drift| / |v|
  double orthogonal_fraction = 0; // |drift - (drift . v / |v|^2) v| / |v|: the drift off v, in units of |v|
};

// Harmful captures (Nh, C) of the aligned model and at step t, benign likewise (Nb, C).
DriftMetrics drift_metrics(const std::vector<double>& v, const float* aligned_harm, const float* step_harm, int Nh,
                           const float* aligned_benign, const float* step_benign, int Nb, int C);

// A drift split along v and off it, in units of |v| (0 and 0 when v is zero).
struct AlongOff {
  double along = 0;  // drift . v / |v|^2
  double off = 0;    // |drift - along v| / |v|
};
AlongOff split_along(const std::vector<double>& drift, const std::vector<double>& v);

// The mean drift (C) from `from` (N, C) to `to` (N, C).
std::vector<double> mean_drift(const float* from, const float* to, int N, int C);

}  // namespace vrev::probe
