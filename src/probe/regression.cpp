// Fixed-effects least squares by the normal equations, solved with partial pivoting in double:
// the systems are tiny (predictors + seeds), and every sum runs in the data's order.
#include "probe/regression.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.h"
#include "core/rng.h"
#include "probe/nulls.h"

namespace vrev::probe {

namespace {

// Solves A b = r in place (A is n x n, row-major); false when A is singular to working precision.
bool solve(std::vector<double>& A, std::vector<double>& r, int n) {
  double scale = 0;
  for (double a : A) scale = std::max(scale, std::abs(a));
  for (int col = 0; col < n; ++col) {
    int pivot = col;
    for (int row = col + 1; row < n; ++row)
      if (std::abs(A[row * n + col]) > std::abs(A[pivot * n + col])) pivot = row;
    if (std::abs(A[pivot * n + col]) <= 1e-12 * scale) return false;
    if (pivot != col) {
      for (int k = 0; k < n; ++k) std::swap(A[col * n + k], A[pivot * n + k]);
      std::swap(r[col], r[pivot]);
    }
    for (int row = col + 1; row < n; ++row) {
      const double f = A[row * n + col] / A[col * n + col];
      for (int k = col; k < n; ++k) A[row * n + k] -= f * A[col * n + k];
      r[row] -= f * r[col];
    }
  }
  for (int row = n - 1; row >= 0; --row) {
    for (int k = row + 1; k < n; ++k) r[row] -= A[row * n + k] * r[k];
    r[row] /= A[row * n + row];
  }
  return true;
}

// The fit, or nothing when the system is singular.
bool try_fit(const std::vector<Observation>& data, FixedEffectsFit& fit) {
  VREV_CHECK(!data.empty(), "regression: no observations");
  const int p = static_cast<int>(data.front().x.size());
  std::map<int, int> index;  // group -> its column after the predictors
  for (const Observation& o : data) {
    VREV_CHECK(static_cast<int>(o.x.size()) == p, "regression: observations with ", o.x.size(), " and ", p,
               " predictors");
    index.emplace(o.group, 0);
  }
  int next = p;
  for (auto& [group, column] : index) column = next++;
  const int k = next, n = static_cast<int>(data.size());
  VREV_CHECK(n > k, "regression: ", n, " observations cannot fit ", p, " predictors and ", index.size(),
             " group intercepts");
  std::vector<double> A(size_t(k) * k, 0.0), r(k, 0.0), row(k);
  for (const Observation& o : data) {
    std::fill(row.begin(), row.end(), 0.0);
    std::copy(o.x.begin(), o.x.end(), row.begin());
    row[index.at(o.group)] = 1.0;
    for (int i = 0; i < k; ++i) {
      r[i] += row[i] * o.y;
      for (int j = 0; j < k; ++j) A[size_t(i) * k + j] += row[i] * row[j];
    }
  }
  if (!solve(A, r, k)) return false;
  fit.coef.assign(r.begin(), r.begin() + p);
  for (int j = p; j < k; ++j) fit.mean_intercept += r[j] / (k - p);
  fit.n = n;
  fit.groups = static_cast<int>(index.size());
  std::map<int, std::pair<double, int>> group_sum;
  double mean = 0;
  for (const Observation& o : data) {
    mean += o.y / n;
    auto& [sum, count] = group_sum[o.group];
    sum += o.y, ++count;
  }
  double sse = 0, sst = 0, sst_within = 0;
  for (const Observation& o : data) {
    double predicted = r[index.at(o.group)];
    for (int j = 0; j < p; ++j) predicted += fit.coef[j] * o.x[j];
    const auto& [sum, count] = group_sum.at(o.group);
    sse += (o.y - predicted) * (o.y - predicted);
    sst += (o.y - mean) * (o.y - mean);
    sst_within += (o.y - sum / count) * (o.y - sum / count);
  }
  fit.r2 = sst > 0 ? 1 - sse / sst : 0;
  fit.r2_within = sst_within > 0 ? 1 - sse / sst_within : 0;
  return true;
}

}  // namespace

FixedEffectsFit fit_fixed_effects(const std::vector<Observation>& data) {
  FixedEffectsFit fit;
  VREV_CHECK(try_fit(data, fit),
             "regression: the predictors are collinear with each other or with the seeds' intercepts");
  return fit;
}

BootstrapInterval bootstrap_over_groups(const std::vector<Observation>& data, int draws, uint64_t seed) {
  VREV_CHECK(draws >= 1, "regression: need at least one bootstrap draw, got ", draws);
  std::map<int, std::vector<const Observation*>> by_group;
  for (const Observation& o : data) by_group[o.group].push_back(&o);
  std::vector<const std::vector<const Observation*>*> groups;
  for (const auto& [group, members] : by_group) groups.push_back(&members);
  const size_t G = groups.size(), p = data.empty() ? 0 : data.front().x.size();
  std::vector<std::vector<double>> coefs(p);
  const uint64_t stream = rng::stream_id("regression/bootstrap");
  std::vector<Observation> sample;
  for (int d = 0; d < draws; ++d) {
    sample.clear();
    for (size_t g = 0; g < G; ++g) {
      const size_t pick = rng::below(seed, stream, uint64_t(d) * G + g, G);
      for (const Observation* o : *groups[pick]) sample.push_back({static_cast<int>(g), o->y, o->x});
    }
    FixedEffectsFit fit;
    if (!try_fit(sample, fit)) continue;
    for (size_t j = 0; j < p; ++j) coefs[j].push_back(fit.coef[j]);
  }
  BootstrapInterval b;
  b.draws = p == 0 ? 0 : static_cast<int>(coefs[0].size());
  VREV_CHECK(b.draws > 0, "regression: no bootstrap resample could be fitted (too few seeds?)");
  for (std::vector<double>& c : coefs) {
    std::sort(c.begin(), c.end());
    b.lo.push_back(quantile(c, 0.025));
    b.hi.push_back(quantile(c, 0.975));
  }
  return b;
}

}  // namespace vrev::probe
