// Drawing a grid of binary images: the layout (title, group titles, row labels, cells), then each
// image's pixels as squares.
#include "plot/image_grid.h"

#include <algorithm>

#include "core/error.h"
#include "plot/raster.h"

namespace vrev::plot {

namespace {

constexpr int kMargin = 10;     // around everything
constexpr int kImageGap = 3;    // between images of a group
constexpr int kGroupGap = 16;   // between column groups
constexpr int kRowGap = 6;      // between rows
constexpr int kTextGap = 8;     // between a text line and what it labels
constexpr int kMaxSide = 32768;
constexpr Rgb kInk{0, 0, 0}, kFrame{170, 170, 170}, kText{40, 40, 40};

}  // namespace

void write_image_grid(const std::string& path, const ImageGrid& g) {
  const size_t rows = g.row_labels.size(), groups = g.group_titles.size();
  VREV_CHECK(g.side >= 1 && g.side <= 256 && g.per_group >= 1 && g.scale >= 1 && g.scale <= 64, "cannot draw ", path,
             ": side ", g.side, ", per_group ", g.per_group, " and scale ", g.scale, " must be positive (side <= 256, scale <= 64)");
  VREV_CHECK(rows >= 1 && groups >= 1, "cannot draw ", path, ": a grid needs at least one row and one column group");
  const size_t image_pixels = size_t(g.side) * g.side;
  VREV_CHECK(g.pixels.size() == rows * groups * g.per_group * image_pixels, "cannot draw ", path, ": ", rows,
             " rows x ", groups, " groups x ", g.per_group, " images of ", g.side, "x", g.side, " need ",
             rows * groups * g.per_group * image_pixels, " pixels, got ", g.pixels.size());

  const int cell = g.side * g.scale + 2;  // the image and its one-pixel frame
  const int group_width = g.per_group * cell + (g.per_group - 1) * kImageGap;
  int label_width = 0;
  for (const std::string& label : g.row_labels) label_width = std::max(label_width, text_width(label));
  for (const std::string& t : g.group_titles)
    VREV_CHECK(text_width(t) <= group_width + kGroupGap, "cannot draw ", path, ": the group title '", t,
               "' is wider than its group; use more images per group or a shorter title");
  const int left = kMargin + (label_width > 0 ? label_width + kTextGap : 0);
  const int title_height = g.title.empty() ? 0 : kCapHeight + 4 + kTextGap;
  const int top = kMargin + title_height + kCapHeight + 4 + kTextGap;
  const int64_t width = int64_t(left) + int64_t(groups) * group_width + int64_t(groups - 1) * kGroupGap + kMargin;
  const int64_t height = int64_t(top) + int64_t(rows) * cell + int64_t(rows - 1) * kRowGap + kMargin;
  VREV_CHECK(width <= kMaxSide && height <= kMaxSide, "cannot draw ", path, ": the grid would be ", width, "x",
             height, " pixels (at most ", kMaxSide, " a side)");

  Canvas cv(static_cast<int>(width), static_cast<int>(height));
  if (!g.title.empty()) draw_text(cv, kMargin, kMargin, g.title, kText);
  for (size_t k = 0; k < groups; ++k)
    draw_text(cv, left + int(k) * (group_width + kGroupGap), kMargin + title_height, g.group_titles[k], kText);
  const uint8_t* image = g.pixels.data();
  for (size_t r = 0; r < rows; ++r) {
    const int y = top + int(r) * (cell + kRowGap);
    draw_text(cv, kMargin, y + (cell - kCapHeight) / 2, g.row_labels[r], kText);
    for (size_t k = 0; k < groups; ++k)
      for (int i = 0; i < g.per_group; ++i, image += image_pixels) {
        const int x = left + int(k) * (group_width + kGroupGap) + i * (cell + kImageGap);
        cv.outline(x, y, x + cell, y + cell, kFrame);
        for (int py = 0; py < g.side; ++py)
          for (int px = 0; px < g.side; ++px)
            if (image[py * g.side + px])
              cv.fill(x + 1 + px * g.scale, y + 1 + py * g.scale, x + 1 + (px + 1) * g.scale,
                      y + 1 + (py + 1) * g.scale, kInk);
      }
  }
  write_canvas(path, cv);
}

}  // namespace vrev::plot
