#include "plot/axis.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace vrev::plot {

namespace {

// The 1-2-5 x 10^k step nearest (in log) to span / target.
double nice_step(double span, int target) {
  const double raw = span / std::max(1, target);
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / p;
  return (f < 1.414 ? 1.0 : f < 3.162 ? 2.0 : f < 7.071 ? 5.0 : 10.0) * p;
}

std::string compact_exponent(std::string s) {  // "1.5e+06" -> "1.5e6", "2e-05" -> "2e-5"
  const size_t e = s.find('e');
  if (e == std::string::npos) return s;
  std::string mant = s.substr(0, e), exp = s.substr(e + 1);
  const bool neg = !exp.empty() && exp[0] == '-';
  if (!exp.empty() && (exp[0] == '+' || exp[0] == '-')) exp.erase(0, 1);
  while (exp.size() > 1 && exp[0] == '0') exp.erase(0, 1);
  return mant + "e" + (neg ? "-" : "") + exp;
}

// A linear tick's label: as many decimals as the step needs, or scientific notation with as many
// digits as tell neighbours apart when the axis reaches 1e6 or stays below 1e-3.
std::string format_linear(double v, double step, double max_abs) {
  if (v == 0.0) return "0";
  char buf[64];
  if (max_abs >= 1e6 || max_abs < 1e-3) {
    const int digits =
        std::clamp(static_cast<int>(std::floor(std::log10(max_abs)) - std::floor(std::log10(step))), 0, 6);
    std::snprintf(buf, sizeof(buf), "%.*e", digits, v);
    return compact_exponent(buf);
  }
  const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

// A log tick's label: plain from 1e-3 to below 1e5 ("0.002", "500"), else "1e-5", "2e6".
std::string format_log(double v) {
  char buf[64];
  if (v >= 1e-3 && v < 1e5) {
    std::snprintf(buf, sizeof(buf), "%.6g", v);
    return buf;
  }
  std::snprintf(buf, sizeof(buf), "%.0e", v);
  return compact_exponent(buf);
}

void add(Axis& a, double tick, std::string label) {
  a.ticks.push_back(tick);
  a.labels.push_back(std::move(label));
}

// Multiples of a 1-2-5 step within [lo, hi] (at most 100). With `log_values`, lo and hi are values
// on a log axis: ticks <= 0 are dropped and the rest placed at their log10.
void linear_ticks(Axis& a, double lo, double hi, int target, bool log_values) {
  const double step = nice_step(hi - lo, target);
  const double max_abs = std::max(std::fabs(lo), std::fabs(hi));
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9 && a.ticks.size() < 100; k += 1.0) {
    double v = k * step;
    if (std::fabs(v) < step * 1e-9) v = 0.0;
    if (log_values && v <= 0.0) continue;
    add(a, log_values ? std::log10(v) : v, format_linear(v, step, max_abs));
  }
}

}  // namespace

void make_ticks(Axis& a, int target) {
  a.ticks.clear();
  a.labels.clear();
  target = std::max(target, 2);
  if (!a.log) return linear_ticks(a, a.lo, a.hi, target, false);
  // Every `every`-th decade; 2 and 5 between them too when there are few decades.
  const double decades = a.hi - a.lo;
  const int every = std::max(1, static_cast<int>(std::lround(decades / target)));
  const double eps = 1e-9 * std::max(1.0, decades);
  for (int k = static_cast<int>(std::floor(a.lo)); k <= static_cast<int>(std::ceil(a.hi)); ++k) {
    for (double m : {1.0, 2.0, 5.0}) {
      if (m != 1.0 && decades * 3 > target) continue;
      if (m == 1.0 && k % every != 0) continue;
      const double lv = k + std::log10(m);
      if (lv < a.lo - eps || lv > a.hi + eps) continue;
      add(a, lv, format_log(m * std::pow(10.0, k)));
    }
  }
  if (a.ticks.size() < 2) {  // less than a decade: linear steps in value space
    a.ticks.clear();
    a.labels.clear();
    linear_ticks(a, std::pow(10.0, a.lo), std::pow(10.0, a.hi), target, true);
  }
}

}  // namespace vrev::plot
