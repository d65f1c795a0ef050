#pragma once
// The drawing primitives of plot/: an RGB canvas, and coverage masks that anti-aliased shapes
// (rectangles, round-capped strokes, dashed polylines, square markers, the area between two
// polylines, text) add to. Everything one series or band draws goes into one mask that is blended
// once, so the joints of a thick polyline and the overlaps of its dashes never show as darker spots.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "plot/plot.h"

namespace vrev::plot {

struct Canvas {
  int w, h;
  std::vector<uint8_t> rgb;  // (h, w, 3), white to start
  Canvas(int w, int h);

  void blend(int x, int y, Rgb c, float a);                          // clipped; a is clamped to 1
  void fill(int x0, int y0, int x1, int y1, Rgb c, float a = 1.0f);  // [x0, x1) x [y0, y1), clipped
  void outline(int x0, int y0, int x1, int y1, Rgb c);               // that rectangle's 1-pixel border
  void paste(const Canvas& src, int x, int y);                       // src's top left at (x, y); must fit
};

// Coverage in [0, 1] over a clip rectangle [x0, x1) x [y0, y1) of the canvas. The data area's ink
// map is a Mask too, whose values add up past 1.
struct Mask {
  int x0, y0, x1, y1;
  std::vector<float> a;
  Mask(int x0, int y0, int x1, int y1);

  size_t index(int x, int y) const { return static_cast<size_t>(y - y0) * (x1 - x0) + (x - x0); }
  float& at(int x, int y) { return a[index(x, y)]; }
  float at(int x, int y) const { return a[index(x, y)]; }
  bool inside(int x, int y) const { return x >= x0 && x < x1 && y >= y0 && y < y1; }
  void put_max(int x, int y, float c) {
    if (inside(x, y)) at(x, y) = std::max(at(x, y), c);
  }
  void put_add(int x, int y, float c) {
    if (inside(x, y)) at(x, y) = std::min(1.0f, at(x, y) + c);
  }
  // Blends `color` at coverage * alpha; with `ink` (the same rectangle), adds coverage * weight to it.
  void composite(Canvas& cv, Rgb color, float alpha, Mask* ink = nullptr, float weight = 0.0f) const;
  // The sum over [x0, x1) x [y0, y1), clipped to the mask.
  double sum(int x0, int y0, int x1, int y1) const;
};

struct Pt {  // a point in pixels; a non-finite one breaks a polyline
  double x, y;
  bool ok() const { return std::isfinite(x) && std::isfinite(y); }
};

// Area coverage of the axis-aligned rectangle [ax, bx) x [ay, by) (max-combined).
void fill_rect(Mask& m, double ax, double ay, double bx, double by);
// A round-capped stroke `width` pixels wide, its edge anti-aliased over one pixel. A stroke thinner
// than a pixel is drawn 1 pixel wide and fainter.
void stroke_segment(Mask& m, Pt a, Pt b, double width);
// Solid, or dashed with dashes and gaps that grow with the width and run on across the joints.
void stroke_polyline(Mask& m, const std::vector<Pt>& pts, double width, bool dashed);
// A filled square at each point, a little wider than the line.
void draw_markers(Mask& m, const std::vector<Pt>& pts, double width);
// The area between lo[i] and hi[i] (same x) over each interval where both ends are ok.
void fill_between(Mask& m, const std::vector<Pt>& lo, const std::vector<Pt>& hi);

// The canvas as an 8-bit RGB PNG, encoded in memory (stb_image_write), then written atomically.
void write_canvas(const std::string& path, const Canvas& cv);

// Text: stb_easy_font's glyphs at twice their size, one size for every label; printable ASCII only
// (any other byte draws as '?').
constexpr int kCapHeight = 14;       // capitals, in pixels (descenders reach 18)
int text_width(std::string_view s);  // from the first glyph's left to the last one's right
void draw_text(Canvas& cv, double x, double y, std::string_view s, Rgb color);  // top left at (x, y)

}  // namespace vrev::plot
