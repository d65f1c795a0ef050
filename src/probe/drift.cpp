// Drift metrics and their bootstrap.
#include "probe/drift.h"

#include <algorithm>
#include <cmath>

#include "probe/geometry.h"

namespace vrev::probe {

std::vector<double> mean_drift(const float* from, const float* to, int N, int C) {
  std::vector<double> d(C, 0.0);
  for (int i = 0; i < N; ++i)
    for (int c = 0; c < C; ++c) d[c] += double(to[size_t(i) * C + c]) - from[size_t(i) * C + c];
  for (double& x : d) x /= N;
  return d;
}

AlongOff split_along(const std::vector<double>& drift, const std::vector<double>& v) {
  const int C = static_cast<int>(v.size());
  const double vv = dot(v.data(), v.data(), C);
  if (vv <= 0) return {};
  const double along = dot(drift.data(), v.data(), C) / vv, all = norm(drift) / std::sqrt(vv);
  // Pythagoras in units of |v|: |drift|^2 = (along |v|)^2 + |off|^2.
  return {along, std::sqrt(std::max(0.0, all * all - along * along))};
}

DriftMetrics drift_metrics(const std::vector<double>& v, const float* aligned_harm, const float* step_harm, int Nh,
                           const float* aligned_benign, const float* step_benign, int Nb, int C) {
  DriftMetrics m;
  const std::vector<double> harm = mean_drift(aligned_harm, step_harm, Nh, C);
  const std::vector<double> benign = mean_drift(aligned_benign, step_benign, Nb, C);
  m.alignment = cosine(harm, v);
  m.benign_alignment = cosine(benign, v);
  std::vector<double> diff(C);
  for (int c = 0; c < C; ++c) diff[c] = harm[c] - benign[c];
  m.harmful_minus_benign = cosine(diff, v);
  std::vector<double> per(C);
  for (int i = 0; i < Nh; ++i) {
    for (int c = 0; c < C; ++c) per[c] = double(step_harm[size_t(i) * C + c]) - aligned_harm[size_t(i) * C + c];
    m.mean_prompt_cosine += cosine(per, v) / Nh;
  }
  const double vv = dot(v.data(), v.data(), C);
  m.relative_norm = vv > 0 ? norm(harm) / std::sqrt(vv) : 0.0;
  const AlongOff split = split_along(harm, v);
  m.reversion_fraction = split.along;
  m.orthogonal_fraction = split.off;
  return m;
}

}  // namespace vrev::probe
