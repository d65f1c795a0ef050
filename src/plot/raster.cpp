#include "plot/raster.h"

#include <string>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <stb/stb_easy_font.h>
#pragma GCC diagnostic pop

namespace vrev::plot {

// ---- canvas and masks ---------------------------------------------------------------------------

Canvas::Canvas(int w_, int h_) : w(w_), h(h_), rgb(static_cast<size_t>(w_) * static_cast<size_t>(h_) * 3, 255) {}

void Canvas::blend(int x, int y, Rgb c, float a) {
  if (x < 0 || y < 0 || x >= w || y >= h || !(a > 0.0f)) return;
  a = std::min(a, 1.0f);
  uint8_t* p = &rgb[(static_cast<size_t>(y) * w + x) * 3];
  const float src[3] = {float(c.r), float(c.g), float(c.b)};
  for (int k = 0; k < 3; ++k) p[k] = static_cast<uint8_t>(std::lround(p[k] + (src[k] - p[k]) * a));
}

void Canvas::fill(int x0, int y0, int x1, int y1, Rgb c, float a) {
  for (int y = std::max(y0, 0); y < std::min(y1, h); ++y)
    for (int x = std::max(x0, 0); x < std::min(x1, w); ++x) blend(x, y, c, a);
}

void Canvas::outline(int x0, int y0, int x1, int y1, Rgb c) {
  fill(x0, y0, x1, y0 + 1, c);
  fill(x0, y1 - 1, x1, y1, c);
  fill(x0, y0, x0 + 1, y1, c);
  fill(x1 - 1, y0, x1, y1, c);
}

void Canvas::paste(const Canvas& src, int x, int y) {
  for (int row = 0; row < src.h; ++row)
    std::copy_n(&src.rgb[static_cast<size_t>(row) * src.w * 3], static_cast<size_t>(src.w) * 3,
                &rgb[(static_cast<size_t>(y + row) * w + x) * 3]);
}

Mask::Mask(int x0_, int y0_, int x1_, int y1_)
    : x0(x0_),
      y0(y0_),
      x1(std::max(x0_, x1_)),
      y1(std::max(y0_, y1_)),
      a(static_cast<size_t>(x1 - x0) * static_cast<size_t>(y1 - y0), 0.0f) {}

void Mask::composite(Canvas& cv, Rgb color, float alpha, Mask* ink, float weight) const {
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) {
      const float c = at(x, y);
      if (c <= 0.0f) continue;
      cv.blend(x, y, color, c * alpha);
      if (ink) ink->at(x, y) += c * weight;
    }
}

double Mask::sum(int xa, int ya, int xb, int yb) const {
  double s = 0.0;
  for (int y = std::max(ya, y0); y < std::min(yb, y1); ++y)
    for (int x = std::max(xa, x0); x < std::min(xb, x1); ++x) s += at(x, y);
  return s;
}

// ---- shapes -------------------------------------------------------------------------------------

namespace {

// The pixels of column x covered by [top, bot), clipped to the mask: each by the part of its
// height inside times `width` (the part of the column's width covered), max- or (with `add`)
// add-combined.
void fill_column(Mask& m, int x, double width, double top, double bot, bool add) {
  top = std::clamp(top, double(m.y0), double(m.y1));
  bot = std::clamp(bot, double(m.y0), double(m.y1));
  for (int y = static_cast<int>(std::floor(top)); y < static_cast<int>(std::ceil(bot)); ++y) {
    const auto c = static_cast<float>(width * (std::min(bot, y + 1.0) - std::max(top, double(y))));
    add ? m.put_add(x, y, c) : m.put_max(x, y, c);
  }
}

// The area between two lines over [xa, xb]; ya0, ya1 and yb0, yb1 are their y at xa and xb. Each
// column gets the height at its middle (add-combined, so neighbouring pieces sum to full coverage
// along the column they share).
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
    fill_column(m, c, r - l, top, bot, true);
  }
}

// Liang-Barsky: the part [t0, t1] of a + t (b - a), t in [0, 1], within `reach` of the mask;
// false when there is none. Clipping first keeps far-off points (clamped to 1e7 pixels) cheap.
bool clip(const Mask& m, Pt a, Pt b, double reach, double& t0, double& t1) {
  t0 = 0.0;
  t1 = 1.0;
  const double dx = b.x - a.x, dy = b.y - a.y;
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
  return edge(-dx, a.x - (m.x0 - reach)) && edge(dx, (m.x1 + reach) - a.x) && edge(-dy, a.y - (m.y0 - reach)) &&
         edge(dy, (m.y1 + reach) - a.y) && t0 <= t1;
}

Pt lerp(Pt a, Pt b, double t) { return {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t}; }

}  // namespace

void fill_rect(Mask& m, double ax, double ay, double bx, double by) {
  ax = std::clamp(ax, double(m.x0), double(m.x1));
  bx = std::clamp(bx, double(m.x0), double(m.x1));
  if (!(bx > ax) || !(by > ay)) return;
  for (int x = static_cast<int>(std::floor(ax)); x < static_cast<int>(std::ceil(bx)); ++x)
    fill_column(m, x, std::min(bx, x + 1.0) - std::max(ax, double(x)), ay, by, false);
}

// Coverage falls from 1 to 0 over the pixel whose centre is width/2 from the segment. Each row
// visits only the columns near the part of the segment within reach of that row.
void stroke_segment(Mask& m, Pt a, Pt b, double width) {
  const double r = std::max(width, 1.0) / 2.0, gain = std::min(width, 1.0), reach = r + 1.0;
  double t0, t1;
  if (!clip(m, a, b, reach, t0, t1)) return;
  const Pt ca = lerp(a, b, t0), cb = lerp(a, b, t1);
  const double dx = cb.x - ca.x, dy = cb.y - ca.y, len2 = dx * dx + dy * dy;
  const int ylo = std::max(m.y0, static_cast<int>(std::floor(std::min(ca.y, cb.y) - reach)));
  const int yhi = std::min(m.y1 - 1, static_cast<int>(std::ceil(std::max(ca.y, cb.y) + reach)));
  for (int y = ylo; y <= yhi; ++y) {
    const double py = y + 0.5;
    double ta = 0.0, tb = 1.0;
    if (std::fabs(dy) > 1e-12) {
      ta = std::clamp((py - reach - ca.y) / dy, 0.0, 1.0);
      tb = std::clamp((py + reach - ca.y) / dy, 0.0, 1.0);
      if (ta > tb) std::swap(ta, tb);
    }
    const double xa = std::min(ca.x + dx * ta, ca.x + dx * tb), xb = std::max(ca.x + dx * ta, ca.x + dx * tb);
    const int xlo = std::max(m.x0, static_cast<int>(std::floor(xa - reach)));
    const int xhi = std::min(m.x1 - 1, static_cast<int>(std::ceil(xb + reach)));
    for (int x = xlo; x <= xhi; ++x) {
      const double px = x + 0.5;
      const double t = len2 > 0.0 ? std::clamp(((px - ca.x) * dx + (py - ca.y) * dy) / len2, 0.0, 1.0) : 0.0;
      const double ex = px - (ca.x + dx * t), ey = py - (ca.y + dy * t);
      const double c = std::clamp(r + 0.5 - std::sqrt(ex * ex + ey * ey), 0.0, 1.0) * gain;
      if (c > 0.0) m.put_max(x, y, static_cast<float>(c));
    }
  }
}

void stroke_polyline(Mask& m, const std::vector<Pt>& pts, double width, bool dashed) {
  const double w = std::max(width, 1.0);
  const double on = 3.0 * w + 4.0, period = on + 2.0 * w + 3.0;
  double phase = 0.0;  // distance into the dash pattern; restarts at each break
  for (size_t i = 0; i + 1 < pts.size(); ++i) {
    const Pt a = pts[i], b = pts[i + 1];
    if (!a.ok()) phase = 0.0;
    if (!a.ok() || !b.ok()) continue;
    if (!dashed) {
      stroke_segment(m, a, b, width);
      continue;
    }
    const double len = std::hypot(b.x - a.x, b.y - a.y);
    if (len <= 0.0) continue;
    double t0, t1;
    if (!clip(m, a, b, w + 2.0, t0, t1)) {
      phase = std::fmod(phase + len, period);
      continue;
    }
    // Walk the visible part [t0, t1] from dash to gap to dash, stroking the dashes.
    double s = t0 * len;  // arc length along a-b
    phase = std::fmod(phase + s, period);
    const double end = t1 * len;
    while (s < end) {
      const double step = std::min(end - s, phase < on ? on - phase : period - phase);
      if (phase < on) stroke_segment(m, lerp(a, b, s / len), lerp(a, b, (s + step) / len), width);
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

void fill_between(Mask& m, const std::vector<Pt>& lo, const std::vector<Pt>& hi) {
  for (size_t i = 0; i + 1 < lo.size(); ++i)
    if (lo[i].ok() && hi[i].ok() && lo[i + 1].ok() && hi[i + 1].ok())
      fill_trapezoid(m, lo[i].x, lo[i].y, hi[i].y, lo[i + 1].x, lo[i + 1].y, hi[i + 1].y);
}

// ---- text ---------------------------------------------------------------------------------------

namespace {

constexpr float kScale = 2.0f;  // stb_easy_font pixels -> image pixels
static_assert(kCapHeight == 7 * kScale, "stb_easy_font capitals span 7 font pixels");

// stb_easy_font covers printable ASCII only; anything else would index past its tables.
std::string printable(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c < 32 || c > 126) c = '?';
  return out;
}

}  // namespace

int text_width(std::string_view s) {
  std::string t = printable(s);
  if (t.empty()) return 0;
  // The advance includes one font pixel of spacing after the last glyph; drop it.
  return static_cast<int>(std::lround((stb_easy_font_width(t.data()) - 1) * kScale));
}

// stb_easy_font gives each glyph as quads of font pixels; they are scaled and filled as
// anti-aliased rectangles in one mask.
void draw_text(Canvas& cv, double x, double y, std::string_view s, Rgb color) {
  std::string t = printable(s);
  if (t.empty()) return;
  std::vector<float> vbuf(t.size() * 320 + 16);  // 16 bytes a vertex, 4 a quad; ~270 bytes a glyph
  const int quads =
      stb_easy_font_print(0.0f, 0.0f, t.data(), nullptr, vbuf.data(), static_cast<int>(vbuf.size() * sizeof(float)));
  x = std::round(x);
  y = std::round(y);
  const int w = static_cast<int>(std::ceil((stb_easy_font_width(t.data()) + 1) * kScale));
  const int h = static_cast<int>(std::ceil(12 * kScale));
  Mask m(std::max(0, int(x)), std::max(0, int(y)), std::min(cv.w, int(x) + w), std::min(cv.h, int(y) + h));
  for (int q = 0; q < quads; ++q) {
    const float* v = &vbuf[static_cast<size_t>(q) * 16];  // vertices 0 and 2 are opposite corners
    fill_rect(m, x + v[0] * kScale, y + v[1] * kScale, x + v[8] * kScale, y + v[9] * kScale);
  }
  m.composite(cv, color, 1.0f);
}

}  // namespace vrev::plot
