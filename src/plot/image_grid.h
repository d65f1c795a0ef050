#pragma once
// Grids of small binary images (the image world's samples) as PNGs a person can look at: each
// image is upscaled by nearest neighbour (a pixel becomes a scale x scale square), ink black on
// white inside a grey frame, so an 8x8 glyph, and a blank one, is plainly visible. Rows are
// labelled on the left; the columns come in groups, each titled on top.
//
//   ImageGrid g;
//   g.title = "triangle";  g.per_group = 8;
//   g.row_labels = {"plain", "block-vrev"};  g.group_titles = {"pretrained", "aligned", "fine-tuned"};
//   g.pixels = ...;  // (rows, groups, per_group, side, side), 1 = ink
//   write_image_grid("strip.png", g);
#include <cstdint>
#include <string>
#include <vector>

namespace vrev::plot {

struct ImageGrid {
  std::string title;                      // above everything; may be empty
  int side = 8;                           // images are side x side pixels
  int per_group = 1;                      // images in each row of a column group
  int scale = 4;                          // screen pixels per image pixel
  std::vector<std::string> row_labels;    // one per row
  std::vector<std::string> group_titles;  // one per column group
  std::vector<uint8_t> pixels;            // (rows, groups, per_group, side, side), nonzero = ink
};

// Renders the grid and writes it atomically; a size mismatch is an error naming the path.
void write_image_grid(const std::string& path, const ImageGrid& grid);

}  // namespace vrev::plot
