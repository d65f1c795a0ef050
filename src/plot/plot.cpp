// The entry points of plot/: the palette, the checks of a plot's input, and writing one plot or a
// grid of them as a PNG. figure.cpp lays out and draws a plot with its legend, from the parts in
// raster.h (canvas, masks, shapes, text) and axis.h (ticks).
#include "plot/plot.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/io.h"
#include "plot/figure.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

namespace vrev::plot {

Rgb palette(size_t i) {
  static constexpr Rgb kColors[] = {{0, 114, 178}, {213, 94, 0},   {0, 158, 115},   {204, 121, 167},
                                    {230, 159, 0}, {86, 180, 233}, {120, 120, 120}, {0, 0, 0}};
  return kColors[i % (sizeof(kColors) / sizeof(kColors[0]))];
}

namespace {

constexpr int kMaxSide = 32768;  // pixels, of a plot and of a grid

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

void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(context);
  const auto* bytes = static_cast<const uint8_t*>(data);
  out->insert(out->end(), bytes, bytes + size);
}

}  // namespace

void write_canvas(const std::string& path, const Canvas& cv) {
  std::vector<uint8_t> png;
  const int ok = stbi_write_png_to_func(append_bytes, &png, cv.w, cv.h, 3, cv.rgb.data(), cv.w * 3);
  VREV_CHECK(ok != 0 && !png.empty(), "cannot write ", path, ": PNG encoding failed");
  io::write_file_atomic(path, png.data(), png.size());
}

void write_png(const std::string& path, const Plot& plot) {
  validate(path, plot);
  write_canvas(path, render(plot));
}

void write_png_grid(const std::string& path, const std::vector<Plot>& panels, int columns) {
  VREV_CHECK(!panels.empty(), "cannot plot ", path, ": no panels");
  VREV_CHECK(columns >= 1, "cannot plot ", path, ": ", columns, " columns (expected at least 1)");
  int cw = 0, ch = 0;  // the cell
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
    grid.paste(panel, (i % cols) * cw + (cw - panel.w) / 2, (i / cols) * ch + (ch - panel.h) / 2);
  }
  write_canvas(path, grid);
}

}  // namespace vrev::plot
