#pragma once
// The image world's glyph templates: 8x8 binary images, one per class, read from a directory
// holding manifest.json and one PNG per glyph (data/glyphs/, drawn by data/glyphs/draw_glyphs.py).
//
//   {"size": 8, "glyphs": [{"name": "square", "file": "square.png", "role": "mix"}, ...]}
//
// A PNG is grayscale or colour, every pixel black (background) or white (ink); anything else, a
// missing file or a size other than 8x8 is a one-line error naming the file.
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vrev::world {

inline constexpr int kGlyphSide = 8;
inline constexpr int kGlyphPixels = kGlyphSide * kGlyphSide;
using Bitmap = std::array<uint8_t, kGlyphPixels>;  // row-major, 1 = ink

// A glyph's part in the history: refused by alignment (forbidden), in alignment's benign mix, or
// pretrained and then left alone until fine-tuning trains on it (neglected).
enum class GlyphRole { forbidden, mix, neglected };
constexpr std::array<std::pair<GlyphRole, const char*>, 3> enum_names(GlyphRole) {
  return {{{GlyphRole::forbidden, "forbidden"}, {GlyphRole::mix, "mix"}, {GlyphRole::neglected, "neglected"}}};
}

struct Glyph {
  std::string name;
  GlyphRole role = GlyphRole::mix;
  Bitmap pixels{};
};

// The glyphs of `dir`, in manifest order. Errors name the file and the problem.
std::vector<Glyph> load_glyphs(const std::string& dir);
// One PNG file's pixels (the loader's check of size and binary values included).
Bitmap load_glyph_png(const std::string& path);

// The image shifted by (dx, dy) pixels; pixels shifted in from outside are background.
Bitmap shifted(const Bitmap& image, int dx, int dy);
// Pixels that differ.
int hamming(const Bitmap& a, const Bitmap& b);
// Ink pixels both images share over ink pixels either has (0 for two blank images).
double ink_overlap(const Bitmap& a, const Bitmap& b);

}  // namespace vrev::world
