#pragma once
// PNG line plots: polylines and shaded bands over "nice" 1-2-5 axis ticks, with a title, axis
// labels and a legend, one plot to an image or several in a grid. Pixels are drawn here
// (anti-aliased, width-aware strokes; alpha-blended bands), text with stb_easy_font, and the PNG is
// encoded in memory by stb_image_write and written atomically. Not a plotting library: one axis
// pair per panel, linear axes (x may be log10), no rotated text (the y label sits above the axis).
//
//   Plot p;
//   p.title = "drift from v_rev";  p.x_label = "step";  p.y_label = "cosine";
//   p.bands.push_back({"null 1-99%", steps, null_lo, null_hi, {150, 150, 150}});
//   p.series.push_back({"arm A", steps, drift_a, palette(0)});
//   p.series.push_back({"arm B", steps, drift_b, palette(1), 3.0f, /*dashed=*/true});
//   write_png("runs/x/plots/drift.png", p);
//
// Points whose x or y is not finite (or x <= 0 on a log axis) break a line or a band.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vrev::plot {

struct Rgb {
  uint8_t r, g, b;
};

// A colour-blind-friendly categorical palette (Okabe-Ito order); wraps around after 8.
Rgb palette(size_t i);

struct Series {       // a polyline
  std::string label;  // shown in the legend when non-empty
  std::vector<double> x, y;
  Rgb color{0, 0, 0};
  float width = 1.5f;  // thin lines ~1, bold ~3 (pixels)
  bool dashed = false;
  bool markers = false;  // small squares at the points
};

struct Band {  // the region between lo(x) and hi(x), e.g. a null's 1-99% band
  std::string label;
  std::vector<double> x, lo, hi;
  Rgb color{128, 128, 128};
  float alpha = 0.25f;
};

// Where the legend goes: the corner of the data area where it hides the least ink (outside, to the
// right, when every corner hides too much), or always outside, to the right of the frame.
enum class LegendPlace { least_ink, outside };

struct Plot {
  std::string title, x_label, y_label;
  LegendPlace legend = LegendPlace::least_ink;
  // A categorical x axis when non-empty: the x value i is the category x_categories[i], and each
  // category is a tick with its name.
  std::vector<std::string> x_categories;
  std::vector<Band> bands;                                    // drawn first, in order
  std::vector<Series> series;                                 // drawn over the bands, in order
  std::optional<std::pair<double, double>> x_range, y_range;  // default: the data plus 5% margins
  bool x_log = false;                                         // log10 x axis
  int width = 900, height = 560;                              // pixels
};

// Renders `plot` and writes it to `path` atomically. Bad input (x/y sizes that differ, a bad range
// or size) and write failures raise vrev::Error naming the path and, where it applies, the series.
void write_png(const std::string& path, const Plot& plot);

// Several panels in one image, `columns` per row, row-major. Each cell is as large as the largest
// panel (smaller panels are centred), so the image is min(columns, n) * max width by
// ceil(n / columns) * max height.
void write_png_grid(const std::string& path, const std::vector<Plot>& panels, int columns);

}  // namespace vrev::plot
