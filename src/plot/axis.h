#pragma once
// Axis ticks for plot/: at "nice" places, 1-2-5 steps on a linear axis and 1(-2-5) x 10^k on a
// log10 axis, each with its label ("0.25", "1.5e6", "200", "1e-5").
#include <string>
#include <vector>

namespace vrev::plot {

struct Axis {
  double lo = 0.0, hi = 1.0;  // in axis space (log10 of the value on a log axis)
  bool log = false;
  std::vector<double> ticks;  // axis space
  std::vector<std::string> labels;
};

// Replaces a's ticks with about `target` (at least 2) of them within [lo, hi].
void make_ticks(Axis& a, int target);

}  // namespace vrev::plot
