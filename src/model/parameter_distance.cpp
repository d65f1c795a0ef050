// Parameter distances, summed group by group in layout order.
#include "model/parameter_distance.h"

#include <cmath>

#include "core/error.h"

namespace vrev::model {

namespace {

// A tensor's group: the name up to its second dot for a block ("blocks.3"), to its first otherwise.
std::string group_of(const std::string& name) {
  const size_t dot = name.find('.');
  if (name.compare(0, dot, "blocks") == 0) return name.substr(0, name.find('.', dot + 1));
  return name.substr(0, dot);
}

}  // namespace

ParameterDistance parameter_distance(const Parameters<float>& a, const Parameters<float>& b) {
  VREV_CHECK(a.size() == b.size() && a.views().size() == b.views().size(),
             "parameter_distance: the two models have different layouts");
  ParameterDistance d;
  double total = 0;
  for (size_t i = 0; i < a.views().size(); ++i) {
    const ParamView& view = a.views()[i];
    const std::string group = group_of(view.name);
    if (d.groups.empty() || d.groups.back().first != group) d.groups.emplace_back(group, 0.0);
    const float* x = a.value(static_cast<int>(i));
    const float* y = b.value(static_cast<int>(i));
    double sum = 0;
    for (size_t k = 0; k < view.numel(); ++k) sum += (double(x[k]) - y[k]) * (double(x[k]) - y[k]);
    d.groups.back().second += sum;
    total += sum;
  }
  for (auto& [group, squared] : d.groups) squared = std::sqrt(squared);
  d.total = std::sqrt(total);
  return d;
}

}  // namespace vrev::model
