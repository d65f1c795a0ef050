// The rasteriser behind plot/plot.h: an RGB canvas, coverage masks for anti-aliased shapes,
// stb_easy_font text scaled by filling its quads, axis layout with 1-2-5 ticks, and the legend.
// Every shape of one series or band is accumulated in one coverage mask and blended once, so the
// joints of a thick polyline and the overlaps of its dashes never show as darker spots.
#include "plot/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <tuple>

#include "core/error.h"
#include "core/io.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_easy_font.h>
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

namespace vrev::plot {

Rgb palette(size_t i) {
  static constexpr Rgb kColors[] = {{0, 114, 178}, {213, 94, 0},   {0, 158, 115},   {204, 121, 167},
                                    {230, 159, 0}, {86, 180, 233}, {120, 120, 120}, {0, 0, 0}};
  return kColors[i % (sizeof(kColors) / sizeof(kColors[0]))];
}

namespace {

constexpr Rgb kInk{34, 34, 34};
constexpr Rgb kFrame{80, 80, 80};
constexpr Rgb kGrid{234, 234, 234};
constexpr Rgb kZeroLine{195, 195, 195};
constexpr Rgb kMuted{150, 150, 150};
constexpr float kTitleScale = 2.0f;  // stb_easy_font pixels -> image pixels
constexpr float kLabelScale = 2.0f;
constexpr float kTickScale = 2.0f;
constexpr float kLegendScale = 2.0f;
constexpr int kCapHeight = 7;  // stb_easy_font capitals span 7 font pixels; descenders reach 9
constexpr int kPad = 14;       // image border
constexpr int kTickLen = 5;
constexpr int kMaxSide = 32768;
constexpr double kFar = 1e7;  // pixel coordinates are clamped here before clipping

int cap(float scale) { return static_cast<int>(std::lround(kCapHeight * scale)); }

// ---- canvas and coverage masks ---------------------------------------------------------------

struct Canvas {
  int w, h;
  std::vector<uint8_t> rgb;  // (h, w, 3)
  Canvas(int w_, int h_) : w(w_), h(h_), rgb(static_cast<size_t>(w_) * static_cast<size_t>(h_) * 3, 255) {}

  void blend(int x, int y, Rgb c, float a) {
    if (x < 0 || y < 0 || x >= w || y >= h || !(a > 0.0f)) return;
    a = std::min(a, 1.0f);
    uint8_t* p = &rgb[(static_cast<size_t>(y) * w + x) * 3];
    const float src[3] = {float(c.r), float(c.g), float(c.b)};
    for (int k = 0; k < 3; ++k) p[k] = static_cast<uint8_t>(std::lround(p[k] + (src[k] - p[k]) * a));
  }
  // Half-open [x0, x1) x [y0, y1), clipped.
  void fill(int x0, int y0, int x1, int y1, Rgb c, float a = 1.0f) {
    for (int y = std::max(y0, 0); y < std::min(y1, h); ++y)
      for (int x = std::max(x0, 0); x < std::min(x1, w); ++x) blend(x, y, c, a);
  }
};

// Coverage in [0, 1] over a clip rectangle [x0, x1) x [y0, y1) of the canvas.
struct Mask {
  int x0, y0, x1, y1;
  std::vector<float> a;
  Mask(int x0_, int y0_, int x1_, int y1_)
      : x0(x0_),
        y0(y0_),
        x1(std::max(x0_, x1_)),
        y1(std::max(y0_, y1_)),
        a(static_cast<size_t>(x1 - x0) * static_cast<size_t>(y1 - y0), 0.0f) {}
  float& at(int x, int y) { return a[static_cast<size_t>(y - y0) * (x1 - x0) + (x - x0)]; }
  bool inside(int x, int y) const { return x >= x0 && x < x1 && y >= y0 && y < y1; }
  void put_max(int x, int y, float c) {
    if (inside(x, y)) at(x, y) = std::max(at(x, y), c);
  }
  void put_add(int x, int y, float c) {
    if (inside(x, y)) at(x, y) = std::min(1.0f, at(x, y) + c);
  }
  // Blends `color` at coverage * alpha; adds coverage * weight to `occupancy` (same rectangle).
  void composite(Canvas& cv, Rgb color, float alpha, std::vector<float>* occupancy = nullptr, float weight = 0) {
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) {
        const float c = at(x, y);
        if (c <= 0.0f) continue;
        cv.blend(x, y, color, c * alpha);
        if (occupancy) (*occupancy)[static_cast<size_t>(y - y0) * (x1 - x0) + (x - x0)] += c * weight;
      }
  }
};

// Area coverage of the axis-aligned rectangle [ax, bx) x [ay, by) (max-combined).
void fill_rect(Mask& m, double ax, double ay, double bx, double by) {
  ax = std::clamp(ax, double(m.x0), double(m.x1));
  bx = std::clamp(bx, double(m.x0), double(m.x1));
  ay = std::clamp(ay, double(m.y0), double(m.y1));
  by = std::clamp(by, double(m.y0), double(m.y1));
  if (!(bx > ax) || !(by > ay)) return;
  for (int y = static_cast<int>(std::floor(ay)); y < static_cast<int>(std::ceil(by)); ++y) {
    const double cy = std::min(by, y + 1.0) - std::max(ay, double(y));
    for (int x = static_cast<int>(std::floor(ax)); x < static_cast<int>(std::ceil(bx)); ++x) {
      const double cx = std::min(bx, x + 1.0) - std::max(ax, double(x));
      m.put_max(x, y, static_cast<float>(cx * cy));
    }
  }
}

// Liang-Barsky: clips segment a-b to the rectangle; returns the kept parameter interval [t0, t1].
bool clip_segment(double ax, double ay, double bx, double by, double xmin, double ymin, double xmax, double ymax,
                  double& t0, double& t1) {
  t0 = 0.0;
  t1 = 1.0;
  const double dx = bx - ax, dy = by - ay;
  auto edge = [&](double p, double q) {  // keeps p * t <= q
    if (p == 0.0) return q >= 0.0;
    const double t = q / p;
    if (p < 0.0) {
      if (t > t1) return false;
      t0 = std::max(t0, t);
    } else {
      if (t < t0) return false;
      t1 = std::min(t1, t);
    }
    return true;
  };
  return edge(-dx, ax - xmin) && edge(dx, xmax - ax) && edge(-dy, ay - ymin) && edge(dy, ymax - ay) && t0 <= t1;
}

// A round-capped stroke of the given width along a-b: coverage falls from 1 to 0 over the pixel
// whose centre is width/2 from the segment. Strokes thinner than a pixel are drawn 1 px wide, fainter.
void stroke_segment(Mask& m, double ax, double ay, double bx, double by, double width) {
  const double r = std::max(width, 1.0) / 2.0, gain = std::min(width, 1.0), reach = r + 1.0;
  double t0, t1;
  if (!clip_segment(ax, ay, bx, by, m.x0 - reach, m.y0 - reach, m.x1 + reach, m.y1 + reach, t0, t1)) return;
  const double dx0 = bx - ax, dy0 = by - ay;
  const double cax = ax + dx0 * t0, cay = ay + dy0 * t0, cbx = ax + dx0 * t1, cby = ay + dy0 * t1;
  const double dx = cbx - cax, dy = cby - cay, len2 = dx * dx + dy * dy;
  const int ylo = std::max(m.y0, static_cast<int>(std::floor(std::min(cay, cby) - reach)));
  const int yhi = std::min(m.y1 - 1, static_cast<int>(std::ceil(std::max(cay, cby) + reach)));
  for (int y = ylo; y <= yhi; ++y) {
    const double py = y + 0.5;
    // The stretch of the segment within `reach` of this row, widened by `reach`.
    double ta = 0.0, tb = 1.0;
    if (std::fabs(dy) > 1e-12) {
      ta = std::clamp((py - reach - cay) / dy, 0.0, 1.0);
      tb = std::clamp((py + reach - cay) / dy, 0.0, 1.0);
      if (ta > tb) std::swap(ta, tb);
    }
    const double xa = std::min(cax + dx * ta, cax + dx * tb), xb = std::max(cax + dx * ta, cax + dx * tb);
    const int xlo = std::max(m.x0, static_cast<int>(std::floor(xa - reach)));
    const int xhi = std::min(m.x1 - 1, static_cast<int>(std::ceil(xb + reach)));
    for (int x = xlo; x <= xhi; ++x) {
      const double px = x + 0.5;
      double t = len2 > 0.0 ? ((px - cax) * dx + (py - cay) * dy) / len2 : 0.0;
      t = std::clamp(t, 0.0, 1.0);
      const double ex = px - (cax + dx * t), ey = py - (cay + dy * t);
      const double c = std::clamp(r + 0.5 - std::sqrt(ex * ex + ey * ey), 0.0, 1.0) * gain;
      if (c > 0.0) m.put_max(x, y, static_cast<float>(c));
    }
  }
}

// Pixel points of a polyline; a NaN coordinate breaks it.
struct Pt {
  double x, y;
  bool ok() const { return std::isfinite(x) && std::isfinite(y); }
};

void stroke_polyline(Mask& m, const std::vector<Pt>& pts, double width, bool dashed) {
  const double w = std::max(width, 1.0);
  const double on = 3.0 * w + 4.0, period = on + 2.0 * w + 3.0;
  double phase = 0.0;  // distance into the dash pattern; restarts at each break
  for (size_t i = 0; i + 1 < pts.size(); ++i) {
    const Pt a = pts[i], b = pts[i + 1];
    if (!a.ok()) phase = 0.0;
    if (!a.ok() || !b.ok()) continue;
    if (!dashed) {
      stroke_segment(m, a.x, a.y, b.x, b.y, width);
      continue;
    }
    const double len = std::hypot(b.x - a.x, b.y - a.y);
    if (len <= 0.0) continue;
    const double reach = w + 2.0;
    double t0, t1;
    if (!clip_segment(a.x, a.y, b.x, b.y, m.x0 - reach, m.y0 - reach, m.x1 + reach, m.y1 + reach, t0, t1)) {
      phase = std::fmod(phase + len, period);
      continue;
    }
    double s = t0 * len;  // arc length along a-b
    phase = std::fmod(phase + s, period);
    const double end = t1 * len;
    while (s < end) {
      const double step = std::min(end - s, phase < on ? on - phase : period - phase);
      if (phase < on) {
        const double u0 = s / len, u1 = (s + step) / len;
        stroke_segment(m, a.x + (b.x - a.x) * u0, a.y + (b.y - a.y) * u0, a.x + (b.x - a.x) * u1,
                       a.y + (b.y - a.y) * u1, width);
      }
      s += step;
      phase = std::fmod(phase + step, period);
    }
    phase = std::fmod(phase + (len - end), period);
  }
}

void draw_markers(Mask& m, const std::vector<Pt>& pts, double width) {
  const double half = std::max(2.5, std::round(2.0 * width + 3.0) / 2.0);
  for (const Pt& p : pts)
    if (p.ok() && p.x > m.x0 - half && p.x < m.x1 + half && p.y > m.y0 - half && p.y < m.y1 + half)
      fill_rect(m, p.x - half, p.y - half, p.x + half, p.y + half);
}

// The area between two polylines over [xa, xb]: lo/hi are pixel y at xa and xb (add-combined, so
// neighbouring pieces sum to full coverage along their shared column).
void fill_trapezoid(Mask& m, double xa, double ya0, double ya1, double xb, double yb0, double yb1) {
  if (xa > xb) {
    std::swap(xa, xb);
    std::swap(ya0, yb0);
    std::swap(ya1, yb1);
  }
  if (!(xb > xa) || xb <= m.x0 || xa >= m.x1) return;
  const int clo = std::max(m.x0, static_cast<int>(std::floor(xa)));
  const int chi = std::min(m.x1, static_cast<int>(std::ceil(xb)));
  for (int c = clo; c < chi; ++c) {
    const double l = std::max(double(c), xa), r = std::min(c + 1.0, xb);
    if (r <= l) continue;
    const double t = ((l + r) / 2.0 - xa) / (xb - xa);
    double top = ya0 + (yb0 - ya0) * t, bot = ya1 + (yb1 - ya1) * t;
    if (top > bot) std::swap(top, bot);
    top = std::clamp(top, double(m.y0), double(m.y1));
    bot = std::clamp(bot, double(m.y0), double(m.y1));
    for (int y = static_cast<int>(std::floor(top)); y < static_cast<int>(std::ceil(bot)); ++y) {
      const double cy = std::min(bot, y + 1.0) - std::max(top, double(y));
      if (cy > 0.0) m.put_add(c, y, static_cast<float>((r - l) * cy));
    }
  }
}

// ---- text ------------------------------------------------------------------------------------

// stb_easy_font covers printable ASCII only; anything else would index past its tables.
std::string printable(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c < 32 || c > 126) c = '?';
  return out;
}

int text_width(std::string_view s, float scale) {
  std::string t = printable(s);
  if (t.empty()) return 0;
  // The advance includes one font pixel of spacing after the last glyph; drop it.
  return static_cast<int>(std::lround((stb_easy_font_width(t.data()) - 1) * scale));
}

// Draws `s` with its top-left corner at (x, y); glyph quads are scaled and filled.
void draw_text(Canvas& cv, double x, double y, std::string_view s, float scale, Rgb color) {
  std::string t = printable(s);
  if (t.empty()) return;
  std::vector<float> vbuf(t.size() * 320 + 16);  // 16 bytes a vertex, 4 a quad; ~270 bytes a glyph
  const int quads =
      stb_easy_font_print(0.0f, 0.0f, t.data(), nullptr, vbuf.data(), static_cast<int>(vbuf.size() * sizeof(float)));
  x = std::round(x);
  y = std::round(y);
  const int w = static_cast<int>(std::ceil((stb_easy_font_width(t.data()) + 1) * scale));
  const int h = static_cast<int>(std::ceil(12 * scale));
  Mask m(std::max(0, int(x)), std::max(0, int(y)), std::min(cv.w, int(x) + w), std::min(cv.h, int(y) + h));
  for (int q = 0; q < quads; ++q) {
    const float* v = &vbuf[static_cast<size_t>(q) * 16];  // vertices 0 and 2 are opposite corners
    fill_rect(m, x + v[0] * scale, y + v[1] * scale, x + v[8] * scale, y + v[9] * scale);
  }
  m.composite(cv, color, 1.0f);
}

// ---- axes ------------------------------------------------------------------------------------

struct Axis {
  double lo = 0.0, hi = 1.0;  // in axis space (log10 of the value on a log axis)
  bool log = false;
  std::vector<double> ticks;  // axis space
  std::vector<std::string> labels;
};

double nice_step(double span, int target) {
  const double raw = span / std::max(1, target);
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / p;
  return (f < 1.414 ? 1.0 : f < 3.162 ? 2.0 : f < 7.071 ? 5.0 : 10.0) * p;  // nearest in log
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

void linear_ticks(Axis& a, double lo, double hi, int target, bool log_values) {
  const double step = nice_step(hi - lo, target);
  const double max_abs = std::max(std::fabs(lo), std::fabs(hi));
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9 && a.ticks.size() < 100; k += 1.0) {
    double v = k * step;
    if (std::fabs(v) < step * 1e-9) v = 0.0;
    if (log_values && v <= 0.0) continue;
    a.ticks.push_back(log_values ? std::log10(v) : v);
    a.labels.push_back(format_linear(v, step, max_abs));
  }
}

std::string format_log(double v) {
  char buf[64];
  if (v >= 1e-3 && v < 1e5) {
    std::snprintf(buf, sizeof(buf), "%.6g", v);
    return buf;
  }
  std::snprintf(buf, sizeof(buf), "%.0e", v);
  return compact_exponent(buf);
}

// Ticks at about `target` places: 1-2-5 steps on a linear axis, 1(-2-5) x 10^k on a log axis.
void make_ticks(Axis& a, int target) {
  a.ticks.clear();
  a.labels.clear();
  target = std::max(target, 2);
  if (!a.log) return linear_ticks(a, a.lo, a.hi, target, false);
  const double decades = a.hi - a.lo;
  const int every = std::max(1, static_cast<int>(std::lround(decades / target)));  // decades per tick
  const double eps = 1e-9 * std::max(1.0, decades);
  for (int k = static_cast<int>(std::floor(a.lo)); k <= static_cast<int>(std::ceil(a.hi)); ++k) {
    for (double m : {1.0, 2.0, 5.0}) {
      if (m != 1.0 && decades * 3 > target) continue;
      if (m == 1.0 && k % every != 0) continue;
      const double lv = k + std::log10(m);
      if (lv < a.lo - eps || lv > a.hi + eps) continue;
      a.ticks.push_back(lv);
      a.labels.push_back(format_log(m * std::pow(10.0, k)));
    }
  }
  if (a.ticks.size() < 2) {  // less than a decade: linear steps in value space
    a.ticks.clear();
    a.labels.clear();
    linear_ticks(a, std::pow(10.0, a.lo), std::pow(10.0, a.hi), target, true);
  }
}

// ---- the plot --------------------------------------------------------------------------------

bool usable_x(double x, bool log) { return std::isfinite(x) && (!log || x > 0.0); }
double to_axis(double x, bool log) { return log ? std::log10(x) : x; }

struct Extent {
  double lo = INFINITY, hi = -INFINITY;
  void add(double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return !(lo <= hi); }
};

// The data range plus 5% each side; a single value gets a span of its own.
std::pair<double, double> padded(const Extent& e) {
  if (e.empty()) return {0.0, 1.0};
  double lo = e.lo, hi = e.hi;
  if (hi - lo <= 1e-12 * std::max(std::fabs(lo), std::fabs(hi))) {
    const double d = lo == 0.0 ? 1.0 : std::fabs(lo) * 0.1;
    return {lo - d, hi + d};
  }
  const double m = 0.05 * (hi - lo);
  return {lo - m, hi + m};
}

struct Frame {  // the data area [l, r) x [t, b) in pixels
  int l, t, r, b;
  Axis x, y;
  double px(double ax) const { return std::clamp(l + (ax - x.lo) / (x.hi - x.lo) * (r - l), -kFar, kFar); }
  double py(double ay) const { return std::clamp(b - (ay - y.lo) / (y.hi - y.lo) * (b - t), -kFar, kFar); }
};

// How errors name a series or band: 'label', or #index when it has none.
std::string item_name(const std::string& label, size_t i) {
  return label.empty() ? detail::concat('#', i) : detail::concat('\'', label, '\'');
}

void validate(const std::string& where, const Plot& p) {
  VREV_CHECK(p.width >= 160 && p.height >= 120 && p.width <= kMaxSide && p.height <= kMaxSide, "cannot plot ", where,
             ": image size ", p.width, "x", p.height, " is outside 160x120 .. ", kMaxSide, "x", kMaxSide);
  for (size_t i = 0; i < p.series.size(); ++i) {
    const Series& s = p.series[i];
    VREV_CHECK(s.x.size() == s.y.size(), "cannot plot ", where, ": series ", item_name(s.label, i), " has ", s.x.size(),
               " x values but ", s.y.size(), " y values");
    VREV_CHECK(std::isfinite(s.width) && s.width > 0.0f && s.width <= 64.0f, "cannot plot ", where, ": series ",
               item_name(s.label, i), " has line width ", s.width, " (expected 0 < width <= 64)");
  }
  for (size_t i = 0; i < p.bands.size(); ++i) {
    const Band& b = p.bands[i];
    const std::string name = item_name(b.label, i);
    VREV_CHECK(b.x.size() == b.lo.size() && b.x.size() == b.hi.size(), "cannot plot ", where, ": band ", name, " has ",
               b.x.size(), " x, ", b.lo.size(), " lo and ", b.hi.size(), " hi values");
    VREV_CHECK(b.alpha >= 0.0f && b.alpha <= 1.0f, "cannot plot ", where, ": band ", name, " has alpha ", b.alpha,
               " (expected 0..1)");
  }
  auto check_range = [&](const std::optional<std::pair<double, double>>& r, const char* axis, bool log) {
    if (!r) return;
    VREV_CHECK(std::isfinite(r->first) && std::isfinite(r->second) && r->first < r->second, "cannot plot ", where, ": ",
               axis, "_range [", r->first, ", ", r->second, "] is not a finite interval with lo < hi");
    VREV_CHECK(!log || r->first > 0.0, "cannot plot ", where, ": ", axis, "_range starts at ", r->first,
               " on a log axis (expected > 0)");
  };
  check_range(p.x_range, "x", p.x_log);
  check_range(p.y_range, "y", false);
}

struct LegendEntry {
  const std::string* label;
  const Series* series;  // exactly one of series / band is set
  const Band* band;
};

struct Legend {
  std::vector<LegendEntry> entries;
  int w = 0, h = 0;  // the box, in pixels
};

constexpr int kLegendInner = 10, kLegendSwatch = 34, kLegendGap = 10, kLegendInset = 10;
int legend_row() { return cap(kLegendScale) + 10; }

Legend measure_legend(const Plot& p) {
  Legend g;
  for (const Series& s : p.series)
    if (!s.label.empty()) g.entries.push_back({&s.label, &s, nullptr});
  for (const Band& b : p.bands)
    if (!b.label.empty()) g.entries.push_back({&b.label, nullptr, &b});
  if (g.entries.empty()) return g;
  int text_w = 0;
  for (const LegendEntry& e : g.entries) text_w = std::max(text_w, text_width(*e.label, kLegendScale));
  g.w = 2 * kLegendInner + kLegendSwatch + kLegendGap + text_w;
  g.h = 2 * kLegendInner + static_cast<int>(g.entries.size()) * legend_row() - (legend_row() - cap(kLegendScale));
  return g;
}

void draw_legend(Canvas& cv, const Legend& g, int x0, int y0) {
  const int ch = cap(kLegendScale);
  cv.fill(x0, y0, x0 + g.w, y0 + g.h, {255, 255, 255}, 0.88f);
  const Rgb border{205, 205, 205};
  cv.fill(x0, y0, x0 + g.w, y0 + 1, border);
  cv.fill(x0, y0 + g.h - 1, x0 + g.w, y0 + g.h, border);
  cv.fill(x0, y0, x0 + 1, y0 + g.h, border);
  cv.fill(x0 + g.w - 1, y0, x0 + g.w, y0 + g.h, border);
  for (size_t i = 0; i < g.entries.size(); ++i) {
    const LegendEntry& e = g.entries[i];
    const int ty = y0 + kLegendInner + static_cast<int>(i) * legend_row(), sx = x0 + kLegendInner;
    Mask m(sx - 4, ty - 6, sx + kLegendSwatch + 4, ty + ch + 6);
    if (e.band) {
      fill_rect(m, sx, ty - 1, sx + kLegendSwatch, ty + ch + 1);
      m.composite(cv, e.band->color, e.band->alpha);
      Mask edge(sx - 4, ty - 6, sx + kLegendSwatch + 4, ty + ch + 6);
      stroke_segment(edge, sx, ty - 0.5, sx + kLegendSwatch, ty - 0.5, 1.0);
      stroke_segment(edge, sx, ty + ch + 0.5, sx + kLegendSwatch, ty + ch + 0.5, 1.0);
      edge.composite(cv, e.band->color, std::min(1.0f, 2.0f * e.band->alpha));
    } else {
      const Series& s = *e.series;
      const double cy = ty + std::floor(ch / 2.0) + 0.5;  // on a pixel centre: crisp thin lines
      const std::vector<Pt> pts = {{sx + 0.0, cy}, {sx + kLegendSwatch / 2.0, cy}, {sx + double(kLegendSwatch), cy}};
      stroke_polyline(m, pts, s.width, s.dashed);
      if (s.markers) draw_markers(m, {pts[1]}, s.width);
      m.composite(cv, s.color, 1.0f);
    }
    draw_text(cv, sx + kLegendSwatch + kLegendGap, ty, *e.label, kLegendScale, kInk);
  }
}

// Draws the whole plot. The legend goes in the corner of the data area where it hides the least
// ink (ties: top right, top left, bottom right, bottom left), or, with `legend_outside`, to the
// right of the frame. Returns the ink an inside legend hides (0 when outside or absent).
double draw_plot(Canvas& cv, const Plot& p, const Legend& legend, bool legend_outside) {
  const bool xlog = p.x_log;

  // Data extents in axis space; y only over points inside an explicit x range.
  Extent ex, ey;
  const double xr_lo = p.x_range ? to_axis(p.x_range->first, xlog) : -INFINITY;
  const double xr_hi = p.x_range ? to_axis(p.x_range->second, xlog) : INFINITY;
  auto add_point = [&](double x, double y) {
    if (!usable_x(x, xlog) || !std::isfinite(y)) return;
    const double ax = to_axis(x, xlog);
    ex.add(ax);
    if (ax >= xr_lo && ax <= xr_hi) ey.add(y);
  };
  for (const Band& b : p.bands)
    for (size_t i = 0; i < b.x.size(); ++i)
      if (std::isfinite(b.lo[i]) && std::isfinite(b.hi[i])) {
        add_point(b.x[i], b.lo[i]);
        add_point(b.x[i], b.hi[i]);
      }
  for (const Series& s : p.series)
    for (size_t i = 0; i < s.x.size(); ++i) add_point(s.x[i], s.y[i]);
  const bool has_data = !ex.empty();

  Frame f{};
  f.x.log = xlog;
  std::tie(f.x.lo, f.x.hi) = p.x_range ? std::make_pair(xr_lo, xr_hi) : padded(ex);
  std::tie(f.y.lo, f.y.hi) = p.y_range ? *p.y_range : padded(ey);

  // Layout, top to bottom: title, y label, data area, x tick labels, x label.
  int top = kPad;
  const int title_y = top;
  if (!p.title.empty()) top += cap(kTitleScale) + 16;
  const int ylabel_y = top;
  if (!p.y_label.empty()) top += cap(kLabelScale) + 10;
  f.t = top + cap(kTickScale) / 2 + 2;  // room for the top y tick label
  int bottom = p.height - kPad;
  const int xlabel_y = bottom - cap(kLabelScale);
  if (!p.x_label.empty()) bottom = xlabel_y - 12;
  const int xtick_y = bottom - cap(kTickScale);
  f.b = std::max(f.t + 10, xtick_y - kTickLen - 8);

  make_ticks(f.y, (f.b - f.t) / 60);
  int ytick_w = 0;
  for (const std::string& s : f.y.labels) ytick_w = std::max(ytick_w, text_width(s, kTickScale));
  f.l = kPad + ytick_w + kTickLen + 7;
  const int right = legend_outside ? kPad + legend.w + kLegendInset + 2 : kPad + 16;
  f.r = std::max(f.l + 10, p.width - right);
  // The most x ticks (one per ~110 px at best) whose labels keep two digits apart; then pull the
  // right edge in if the last label would stick out of the image.
  auto x_ticks = [&] {
    for (int target = std::max(2, (f.r - f.l) / 110);; --target) {
      make_ticks(f.x, target);
      int widest = 0;
      for (const std::string& s : f.x.labels) widest = std::max(widest, text_width(s, kTickScale));
      double min_gap = INFINITY;
      for (size_t i = 1; i < f.x.ticks.size(); ++i)
        min_gap = std::min(min_gap, f.px(f.x.ticks[i]) - f.px(f.x.ticks[i - 1]));
      if (target <= 2 || widest + 2 * text_width("0", kTickScale) < min_gap) break;
    }
  };
  x_ticks();
  if (!f.x.ticks.empty()) {
    const double overhang = f.px(f.x.ticks.back()) + text_width(f.x.labels.back(), kTickScale) / 2.0 - (p.width - 4);
    if (overhang > 0.0) {
      f.r = std::max(f.l + 10, f.r - static_cast<int>(std::ceil(overhang)));
      x_ticks();
    }
  }

  // Grid, then bands, then series, clipped to the data area.
  for (size_t i = 0; i < f.x.ticks.size(); ++i) {
    const int c = static_cast<int>(std::floor(f.px(f.x.ticks[i])));
    if (c >= f.l && c < f.r) cv.fill(c, f.t, c + 1, f.b, kGrid);
  }
  for (size_t i = 0; i < f.y.ticks.size(); ++i) {
    const int r = std::min(f.b - 1, static_cast<int>(std::floor(f.py(f.y.ticks[i]))));
    if (r >= f.t && r < f.b) cv.fill(f.l, r, f.r, r + 1, f.y.ticks[i] == 0.0 ? kZeroLine : kGrid);
  }
  std::vector<float> occupancy(static_cast<size_t>(f.r - f.l) * static_cast<size_t>(f.b - f.t), 0.0f);
  auto to_pixels = [&](const std::vector<double>& xs, const std::vector<double>& ys) {
    std::vector<Pt> pts(xs.size());
    for (size_t i = 0; i < xs.size(); ++i) {
      if (usable_x(xs[i], xlog) && std::isfinite(ys[i]))
        pts[i] = {f.px(to_axis(xs[i], xlog)), f.py(ys[i])};
      else
        pts[i] = {NAN, NAN};
    }
    return pts;
  };
  for (const Band& b : p.bands) {
    const std::vector<Pt> lo = to_pixels(b.x, b.lo), hi = to_pixels(b.x, b.hi);
    Mask area(f.l, f.t, f.r, f.b), edges(f.l, f.t, f.r, f.b);
    for (size_t i = 0; i + 1 < lo.size(); ++i)
      if (lo[i].ok() && hi[i].ok() && lo[i + 1].ok() && hi[i + 1].ok())
        fill_trapezoid(area, lo[i].x, lo[i].y, hi[i].y, lo[i + 1].x, lo[i + 1].y, hi[i + 1].y);
    stroke_polyline(edges, lo, 1.0, false);
    stroke_polyline(edges, hi, 1.0, false);
    area.composite(cv, b.color, b.alpha, &occupancy, 0.3f);
    edges.composite(cv, b.color, std::min(1.0f, 2.0f * b.alpha));
  }
  for (const Series& s : p.series) {
    const std::vector<Pt> pts = to_pixels(s.x, s.y);
    Mask m(f.l, f.t, f.r, f.b);
    stroke_polyline(m, pts, s.width, s.dashed);
    if (s.markers) draw_markers(m, pts, s.width);
    m.composite(cv, s.color, 1.0f, &occupancy, 1.0f);
  }

  // Frame, ticks and their labels.
  cv.fill(f.l - 1, f.t - 1, f.r + 1, f.t, kFrame);
  cv.fill(f.l - 1, f.b, f.r + 1, f.b + 1, kFrame);
  cv.fill(f.l - 1, f.t - 1, f.l, f.b + 1, kFrame);
  cv.fill(f.r, f.t - 1, f.r + 1, f.b + 1, kFrame);
  for (size_t i = 0; i < f.x.ticks.size(); ++i) {
    const int c = static_cast<int>(std::floor(f.px(f.x.ticks[i])));
    if (c < f.l - 1 || c > f.r) continue;
    cv.fill(c, f.b + 1, c + 1, f.b + 1 + kTickLen, kFrame);
    const std::string& s = f.x.labels[i];
    draw_text(cv, c + 0.5 - text_width(s, kTickScale) / 2.0, f.b + kTickLen + 6, s, kTickScale, kInk);
  }
  for (size_t i = 0; i < f.y.ticks.size(); ++i) {
    const int r = std::min(f.b - 1, static_cast<int>(std::floor(f.py(f.y.ticks[i]))));
    if (r < f.t - 1 || r > f.b) continue;
    cv.fill(f.l - 1 - kTickLen, r, f.l - 1, r + 1, kFrame);
    const std::string& s = f.y.labels[i];
    draw_text(cv, f.l - kTickLen - 6 - text_width(s, kTickScale), r + 0.5 - cap(kTickScale) / 2.0, s, kTickScale, kInk);
  }

  // Titles.
  if (!p.title.empty()) {
    const int w = text_width(p.title, kTitleScale);
    const double x = std::clamp((f.l + f.r - w) / 2.0, double(kPad), std::max(double(kPad), p.width - kPad - w * 1.0));
    draw_text(cv, x, title_y, p.title, kTitleScale, kInk);
    draw_text(cv, x + 1, title_y, p.title, kTitleScale, kInk);  // one pixel wider: bold
  }
  if (!p.y_label.empty()) draw_text(cv, kPad, ylabel_y, p.y_label, kLabelScale, kInk);
  if (!p.x_label.empty())
    draw_text(cv, (f.l + f.r - text_width(p.x_label, kLabelScale)) / 2.0, xlabel_y, p.x_label, kLabelScale, kInk);

  if (!has_data) {
    const char* note = "no data";
    draw_text(cv, (f.l + f.r - text_width(note, kLabelScale)) / 2.0, (f.t + f.b - cap(kLabelScale)) / 2.0, note,
              kLabelScale, kMuted);
  }
  if (legend.entries.empty()) return 0.0;
  if (legend_outside) {
    draw_legend(cv, legend, f.r + kLegendInset + 1, f.t);
    return 0.0;
  }
  const int corners[4][2] = {{f.r - kLegendInset - legend.w, f.t + kLegendInset},
                             {f.l + kLegendInset, f.t + kLegendInset},
                             {f.r - kLegendInset - legend.w, f.b - kLegendInset - legend.h},
                             {f.l + kLegendInset, f.b - kLegendInset - legend.h}};
  int best = 0;
  double best_ink = INFINITY;
  for (int k = 0; k < 4; ++k) {
    double ink = 0.0;
    for (int y = std::max(corners[k][1], f.t); y < std::min(corners[k][1] + legend.h, f.b); ++y)
      for (int x = std::max(corners[k][0], f.l); x < std::min(corners[k][0] + legend.w, f.r); ++x)
        ink += occupancy[static_cast<size_t>(y - f.t) * (f.r - f.l) + (x - f.l)];
    if (ink < best_ink - 1e-6) {
      best_ink = ink;
      best = k;
    }
  }
  draw_legend(cv, legend, corners[best][0], corners[best][1]);
  return best_ink;
}

// A legend that would hide more than this much ink (in pixels of full stroke coverage) moves
// outside the frame, unless that would leave the data area less than half the image wide.
constexpr double kHiddenInkLimit = 30.0;

Canvas render(const Plot& p) {
  const Legend legend = measure_legend(p);
  Canvas cv(p.width, p.height);
  const double hidden = draw_plot(cv, p, legend, false);
  if (hidden > kHiddenInkLimit && legend.w + 100 <= p.width / 2) {
    cv = Canvas(p.width, p.height);
    draw_plot(cv, p, legend, true);
  }
  return cv;
}

void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(context);
  const auto* bytes = static_cast<const uint8_t*>(data);
  out->insert(out->end(), bytes, bytes + size);
}

void write_canvas(const std::string& path, const Canvas& cv) {
  std::vector<uint8_t> png;
  const int ok = stbi_write_png_to_func(append_bytes, &png, cv.w, cv.h, 3, cv.rgb.data(), cv.w * 3);
  VREV_CHECK(ok != 0 && !png.empty(), "cannot write ", path, ": PNG encoding failed");
  io::write_file_atomic(path, png.data(), png.size());
}

}  // namespace

void write_png(const std::string& path, const Plot& plot) {
  validate(path, plot);
  write_canvas(path, render(plot));
}

void write_png_grid(const std::string& path, const std::vector<Plot>& panels, int columns) {
  VREV_CHECK(!panels.empty(), "cannot plot ", path, ": no panels");
  VREV_CHECK(columns >= 1, "cannot plot ", path, ": ", columns, " columns (expected at least 1)");
  int cw = 0, ch = 0;
  for (size_t i = 0; i < panels.size(); ++i) {
    validate(detail::concat(path, " (panel ", i, ")"), panels[i]);
    cw = std::max(cw, panels[i].width);
    ch = std::max(ch, panels[i].height);
  }
  VREV_CHECK(panels.size() <= 4096, "cannot plot ", path, ": ", panels.size(), " panels (at most 4096)");
  const int n = static_cast<int>(panels.size());
  const int cols = std::min(columns, n), rows = (n + cols - 1) / cols;
  VREV_CHECK(int64_t(cols) * cw <= kMaxSide && int64_t(rows) * ch <= kMaxSide, "cannot plot ", path, ": a grid of ",
             cols, "x", rows, " panels of ", cw, "x", ch, " is larger than ", kMaxSide, " pixels a side");
  Canvas grid(cols * cw, rows * ch);
  for (int i = 0; i < n; ++i) {
    const Canvas panel = render(panels[i]);
    const int ox = (i % cols) * cw + (cw - panel.w) / 2, oy = (i / cols) * ch + (ch - panel.h) / 2;
    for (int y = 0; y < panel.h; ++y)
      std::copy_n(&panel.rgb[static_cast<size_t>(y) * panel.w * 3], static_cast<size_t>(panel.w) * 3,
                  &grid.rgb[(static_cast<size_t>(oy + y) * grid.w + ox) * 3]);
  }
  write_canvas(path, grid);
}

}  // namespace vrev::plot
