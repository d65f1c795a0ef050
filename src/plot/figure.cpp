#include "plot/figure.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "plot/axis.h"

namespace vrev::plot {

namespace {

constexpr Rgb kInk{34, 34, 34}, kMuted{150, 150, 150};  // text
constexpr Rgb kFrame{80, 80, 80}, kGrid{234, 234, 234}, kZeroLine{195, 195, 195}, kLegendBorder{205, 205, 205};
constexpr int kPad = 14;  // image border
constexpr int kTickLen = 5;
// The legend: its distance from the frame, its padding, a swatch's width, the gap before a label
// and the distance from one row to the next.
constexpr int kLegendInset = 10, kLegendInner = 10, kSwatch = 34, kSwatchGap = 10, kLegendRow = kCapHeight + 10;
constexpr double kFar = 1e7;  // pixel coordinates are clamped here before clipping
// A legend that would hide more than this much ink (in pixels of full stroke coverage) moves
// outside the frame, unless that would leave the data area less than half the image wide.
constexpr double kHiddenInkLimit = 30.0;

// ---- series and bands, in the data area and as legend swatches -------------------------------

// The series' line (dashed or not) through `line` and, if it has them, its markers at `marks`,
// accumulated in `m` and blended opaque; with `ink`, its coverage is added to that map.
void draw_series(Canvas& cv, Mask m, const std::vector<Pt>& line, const std::vector<Pt>& marks, const Series& s,
                 Mask* ink = nullptr) {
  stroke_polyline(m, line, s.width, s.dashed);
  if (s.markers) draw_markers(m, marks, s.width);
  m.composite(cv, s.color, 1.0f, ink, 1.0f);
}

// The band's `area` at its alpha and its `edges` at twice that, so a faint band keeps a visible
// outline; with `ink`, the area counts for 0.3 of a line.
void draw_band(Canvas& cv, const Mask& area, const Mask& edges, const Band& b, Mask* ink = nullptr) {
  area.composite(cv, b.color, b.alpha, ink, 0.3f);
  edges.composite(cv, b.color, std::min(1.0f, 2.0f * b.alpha));
}

// ---- the legend: each labelled series, then each labelled band, as a swatch and its label -----

struct Legend {
  struct Entry {
    const std::string* label;
    const Series* series;  // exactly one of series / band is set
    const Band* band;
  };
  std::vector<Entry> entries;  // none: no legend
  int w = 0, h = 0;            // the box, in pixels
};

Legend measure_legend(const Plot& p) {
  Legend g;
  for (const Series& s : p.series)
    if (!s.label.empty()) g.entries.push_back({&s.label, &s, nullptr});
  for (const Band& b : p.bands)
    if (!b.label.empty()) g.entries.push_back({&b.label, nullptr, &b});
  if (g.entries.empty()) return g;
  int text_w = 0;
  for (const Legend::Entry& e : g.entries) text_w = std::max(text_w, text_width(*e.label));
  g.w = 2 * kLegendInner + kSwatch + kSwatchGap + text_w;
  g.h = 2 * kLegendInner + static_cast<int>(g.entries.size()) * kLegendRow - (kLegendRow - kCapHeight);
  return g;
}

void draw_legend(Canvas& cv, const Legend& g, int x0, int y0) {
  cv.fill(x0, y0, x0 + g.w, y0 + g.h, {255, 255, 255}, 0.88f);  // what it covers shows faintly
  cv.outline(x0, y0, x0 + g.w, y0 + g.h, kLegendBorder);
  for (size_t i = 0; i < g.entries.size(); ++i) {
    const Legend::Entry& e = g.entries[i];
    const int ty = y0 + kLegendInner + static_cast<int>(i) * kLegendRow, sx = x0 + kLegendInner;
    const Mask swatch(sx - 4, ty - 6, sx + kSwatch + 4, ty + kCapHeight + 6);
    if (e.band) {  // a block the height of a capital, edged above and below
      Mask area = swatch, edges = swatch;
      fill_rect(area, sx, ty - 1, sx + kSwatch, ty + kCapHeight + 1);
      stroke_segment(edges, {sx + 0.0, ty - 0.5}, {sx + double(kSwatch), ty - 0.5}, 1.0);
      stroke_segment(edges, {sx + 0.0, ty + kCapHeight + 0.5}, {sx + double(kSwatch), ty + kCapHeight + 0.5}, 1.0);
      draw_band(cv, area, edges, *e.band);
    } else {  // a line at half a capital's height, on a pixel centre to stay crisp; one marker
      const double cy = ty + std::floor(kCapHeight / 2.0) + 0.5;
      const Pt mid{sx + kSwatch / 2.0, cy};
      draw_series(cv, swatch, {{sx + 0.0, cy}, mid, {sx + double(kSwatch), cy}}, {mid}, *e.series);
    }
    draw_text(cv, sx + kSwatch + kSwatchGap, ty, *e.label, kInk);
  }
}

// ---- layout -----------------------------------------------------------------------------------

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

// Sets the axes' ranges: as the plot gives them, or the data's with margins, y's over the points
// inside an explicit x range only. Returns whether there is any data.
bool set_ranges(const Plot& p, Axis& x, Axis& y) {
  x.log = p.x_log;
  const double x_lo = p.x_range ? to_axis(p.x_range->first, x.log) : -INFINITY;
  const double x_hi = p.x_range ? to_axis(p.x_range->second, x.log) : INFINITY;
  Extent ex, ey;
  auto add = [&](double vx, double vy) {
    if (!usable_x(vx, x.log) || !std::isfinite(vy)) return;
    const double ax = to_axis(vx, x.log);
    ex.add(ax);
    if (ax >= x_lo && ax <= x_hi) ey.add(vy);
  };
  for (const Band& b : p.bands)
    for (size_t i = 0; i < b.x.size(); ++i)
      if (std::isfinite(b.lo[i]) && std::isfinite(b.hi[i])) {
        add(b.x[i], b.lo[i]);
        add(b.x[i], b.hi[i]);
      }
  for (const Series& s : p.series)
    for (size_t i = 0; i < s.x.size(); ++i) add(s.x[i], s.y[i]);
  std::tie(x.lo, x.hi) = p.x_range ? std::make_pair(x_lo, x_hi) : padded(ex);
  std::tie(y.lo, y.hi) = p.y_range ? *p.y_range : padded(ey);
  return !ex.empty();
}

int widest(const std::vector<std::string>& labels) {
  int w = 0;
  for (const std::string& s : labels) w = std::max(w, text_width(s));
  return w;
}

// Where everything goes: the data area [l, r) x [t, b) in pixels with its axes, and the rows of
// the title and the axis labels.
struct Frame {
  int l, t, r, b;
  Axis x, y;
  int title_y, y_label_y, x_label_y;
  bool has_data;

  double px(double ax) const { return std::clamp(l + (ax - x.lo) / (x.hi - x.lo) * (r - l), -kFar, kFar); }
  double py(double ay) const { return std::clamp(b - (ay - y.lo) / (y.hi - y.lo) * (b - t), -kFar, kFar); }
  // The pixel column of an x tick and the row of a y tick (one on the bottom edge stays inside).
  int column(double ax) const { return static_cast<int>(std::floor(px(ax))); }
  int row(double ay) const { return std::min(b - 1, static_cast<int>(std::floor(py(ay)))); }
  Mask data_mask() const { return Mask(l, t, r, b); }
};

// The most x ticks (one per ~110 px at best) whose labels keep two digits apart; on a
// categorical axis, one per category.
void fit_x_ticks(Frame& f, const std::vector<std::string>& categories) {
  if (!categories.empty()) {
    f.x.ticks.clear();
    for (size_t i = 0; i < categories.size(); ++i) f.x.ticks.push_back(double(i));
    f.x.labels = categories;
    return;
  }
  for (int target = std::max(2, (f.r - f.l) / 110);; --target) {
    make_ticks(f.x, target);
    double min_gap = INFINITY;
    for (size_t i = 1; i < f.x.ticks.size(); ++i)
      min_gap = std::min(min_gap, f.px(f.x.ticks[i]) - f.px(f.x.ticks[i - 1]));
    if (target <= 2 || widest(f.x.labels) + 2 * text_width("0") < min_gap) break;
  }
}

Frame lay_out(const Plot& p, const Legend& legend, bool legend_outside) {
  Frame f{};
  f.has_data = set_ranges(p, f.x, f.y);
  // Top to bottom: title, y label, data area, x tick labels, x label.
  int top = kPad;
  f.title_y = top;
  if (!p.title.empty()) top += kCapHeight + 16;
  f.y_label_y = top;
  if (!p.y_label.empty()) top += kCapHeight + 10;
  f.t = top + kCapHeight / 2 + 2;  // room for the top y tick label
  int bottom = p.height - kPad;
  f.x_label_y = bottom - kCapHeight;
  if (!p.x_label.empty()) bottom = f.x_label_y - 12;
  f.b = std::max(f.t + 10, bottom - kCapHeight - kTickLen - 8);
  // Left to right: y tick labels, data area, the legend when it is outside.
  make_ticks(f.y, (f.b - f.t) / 60);
  f.l = kPad + widest(f.y.labels) + kTickLen + 7;
  const int right = legend_outside ? kPad + legend.w + kLegendInset + 2 : kPad + 16;
  f.r = std::max(f.l + 10, p.width - right);
  fit_x_ticks(f, p.x_categories);
  // Pull the right edge in if the last x tick label would stick out of the image.
  if (!f.x.ticks.empty()) {
    const double overhang = f.px(f.x.ticks.back()) + text_width(f.x.labels.back()) / 2.0 - (p.width - 4);
    if (overhang > 0.0) {
      f.r = std::max(f.l + 10, f.r - static_cast<int>(std::ceil(overhang)));
      fit_x_ticks(f, p.x_categories);
    }
  }
  return f;
}

// ---- drawing ----------------------------------------------------------------------------------

void draw_grid(Canvas& cv, const Frame& f) {
  for (double tick : f.x.ticks) {
    const int c = f.column(tick);
    if (c >= f.l && c < f.r) cv.fill(c, f.t, c + 1, f.b, kGrid);
  }
  for (double tick : f.y.ticks) {
    const int r = f.row(tick);
    if (r >= f.t && r < f.b) cv.fill(f.l, r, f.r, r + 1, tick == 0.0 ? kZeroLine : kGrid);
  }
}

std::vector<Pt> to_pixels(const Frame& f, const std::vector<double>& xs, const std::vector<double>& ys) {
  std::vector<Pt> pts(xs.size());
  for (size_t i = 0; i < xs.size(); ++i)
    pts[i] = usable_x(xs[i], f.x.log) && std::isfinite(ys[i]) ? Pt{f.px(to_axis(xs[i], f.x.log)), f.py(ys[i])}
                                                              : Pt{NAN, NAN};
  return pts;
}

// The bands, then the series, clipped to the data area. Returns the ink map an inside legend is
// placed by.
Mask draw_data(Canvas& cv, const Plot& p, const Frame& f) {
  Mask ink = f.data_mask();
  for (const Band& b : p.bands) {
    const std::vector<Pt> lo = to_pixels(f, b.x, b.lo), hi = to_pixels(f, b.x, b.hi);
    Mask area = f.data_mask(), edges = f.data_mask();
    fill_between(area, lo, hi);
    stroke_polyline(edges, lo, 1.0, false);
    stroke_polyline(edges, hi, 1.0, false);
    draw_band(cv, area, edges, b, &ink);
  }
  for (const Series& s : p.series) {
    const std::vector<Pt> pts = to_pixels(f, s.x, s.y);
    draw_series(cv, f.data_mask(), pts, pts, s, &ink);
  }
  return ink;
}

// The frame, and the ticks with their labels: x's centred below, y's right-aligned to the left.
void draw_axes(Canvas& cv, const Frame& f) {
  cv.outline(f.l - 1, f.t - 1, f.r + 1, f.b + 1, kFrame);
  for (size_t i = 0; i < f.x.ticks.size(); ++i) {
    const int c = f.column(f.x.ticks[i]);
    if (c < f.l - 1 || c > f.r) continue;
    const std::string& s = f.x.labels[i];
    cv.fill(c, f.b + 1, c + 1, f.b + 1 + kTickLen, kFrame);
    draw_text(cv, c + 0.5 - text_width(s) / 2.0, f.b + kTickLen + 6, s, kInk);
  }
  for (size_t i = 0; i < f.y.ticks.size(); ++i) {
    const int r = f.row(f.y.ticks[i]);
    if (r < f.t - 1 || r > f.b) continue;
    const std::string& s = f.y.labels[i];
    cv.fill(f.l - 1 - kTickLen, r, f.l - 1, r + 1, kFrame);
    draw_text(cv, f.l - kTickLen - 6 - text_width(s), r + 0.5 - kCapHeight / 2.0, s, kInk);
  }
}

// The title (bold: drawn twice, a pixel apart) centred over the data area but inside the image,
// the y label above the y axis, the x label centred below, and "no data" in an empty plot.
void draw_titles(Canvas& cv, const Plot& p, const Frame& f) {
  if (!p.title.empty()) {
    const int w = text_width(p.title);
    const double x = std::clamp((f.l + f.r - w) / 2.0, double(kPad), std::max(double(kPad), p.width - kPad - w * 1.0));
    draw_text(cv, x, f.title_y, p.title, kInk);
    draw_text(cv, x + 1, f.title_y, p.title, kInk);
  }
  if (!p.y_label.empty()) draw_text(cv, kPad, f.y_label_y, p.y_label, kInk);
  if (!p.x_label.empty()) draw_text(cv, (f.l + f.r - text_width(p.x_label)) / 2.0, f.x_label_y, p.x_label, kInk);
  if (!f.has_data) {
    const char* note = "no data";
    draw_text(cv, (f.l + f.r - text_width(note)) / 2.0, (f.t + f.b - kCapHeight) / 2.0, note, kMuted);
  }
}

// Draws the whole plot. The legend goes in the corner of the data area where it hides the least
// ink (ties: top right, top left, bottom right, bottom left), or, with `legend_outside`, to the
// right of the frame. Returns the ink an inside legend hides (0 when outside or absent).
double draw_plot(Canvas& cv, const Plot& p, const Legend& legend, bool legend_outside) {
  const Frame f = lay_out(p, legend, legend_outside);
  draw_grid(cv, f);
  const Mask ink = draw_data(cv, p, f);
  draw_axes(cv, f);
  draw_titles(cv, p, f);
  if (legend.entries.empty()) return 0.0;
  if (legend_outside) {
    draw_legend(cv, legend, f.r + kLegendInset + 1, f.t);
    return 0.0;
  }
  const int left = f.l + kLegendInset, right = f.r - kLegendInset - legend.w;
  const int top = f.t + kLegendInset, bottom = f.b - kLegendInset - legend.h;
  const int corners[4][2] = {{right, top}, {left, top}, {right, bottom}, {left, bottom}};
  int best = 0;
  double best_ink = INFINITY;
  for (int k = 0; k < 4; ++k) {
    const auto [x, y] = corners[k];
    const double hidden = ink.sum(x, y, x + legend.w, y + legend.h);
    if (hidden < best_ink - 1e-6) {
      best_ink = hidden;
      best = k;
    }
  }
  draw_legend(cv, legend, corners[best][0], corners[best][1]);
  return best_ink;
}

}  // namespace

Canvas render(const Plot& p) {
  const Legend legend = measure_legend(p);
  Canvas cv(p.width, p.height);
  if (p.legend == LegendPlace::outside) {
    draw_plot(cv, p, legend, true);
    return cv;
  }
  const double hidden = draw_plot(cv, p, legend, false);
  if (hidden > kHiddenInkLimit && legend.w + 100 <= p.width / 2) {
    cv = Canvas(p.width, p.height);
    draw_plot(cv, p, legend, true);
  }
  return cv;
}

}  // namespace vrev::plot
