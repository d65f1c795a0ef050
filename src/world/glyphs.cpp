// Reading glyph templates (stb_image decodes the PNGs) and comparing bitmaps.
#include "world/glyphs.h"

#include <filesystem>
#include <set>

#include "core/error.h"
#include "core/io.h"
#include "core/settings.h"

#define STBI_ONLY_PNG
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>

namespace vrev::world {

namespace fs = std::filesystem;

Bitmap load_glyph_png(const std::string& path) {
  const std::vector<uint8_t> bytes = io::read_file(path);
  int width = 0, height = 0, channels = 0;
  stbi_uc* gray = stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &width, &height, &channels, 1);
  VREV_CHECK(gray != nullptr, path, ": not a readable PNG (", stbi_failure_reason(), ")");
  Bitmap bitmap{};
  bool binary = true;
  if (width == kGlyphSide && height == kGlyphSide)
    for (int i = 0; i < kGlyphPixels; ++i) {
      binary = binary && (gray[i] == 0 || gray[i] == 255);
      bitmap[i] = gray[i] == 255;
    }
  stbi_image_free(gray);
  VREV_CHECK(width == kGlyphSide && height == kGlyphSide, path, ": a glyph is ", kGlyphSide, "x", kGlyphSide,
             " pixels, this one is ", width, "x", height);
  VREV_CHECK(binary, path, ": a glyph is black and white only (0 or 255), this one has grey pixels");
  return bitmap;
}

std::vector<Glyph> load_glyphs(const std::string& dir) {
  const std::string manifest_path = (fs::path(dir) / "manifest.json").string();
  VREV_CHECK(fs::exists(manifest_path), manifest_path, ": no glyph manifest (world.image.glyphs names the glyph directory, relative to the working directory)");
  const settings::Json manifest = settings::parse_file(manifest_path);
  VREV_CHECK(manifest.is_object() && manifest.contains("glyphs") && manifest["glyphs"].is_array(), manifest_path,
             ": expected an object with a \"glyphs\" array");
  VREV_CHECK(manifest.value("size", kGlyphSide) == kGlyphSide, manifest_path, ": glyphs are ", kGlyphSide, "x",
             kGlyphSide, ", the manifest says size ", manifest["size"].dump());
  std::vector<Glyph> glyphs;
  std::set<std::string> names;
  for (const settings::Json& entry : manifest["glyphs"]) {
    const std::string where = manifest_path + ": glyph " + std::to_string(glyphs.size());
    VREV_CHECK(entry.is_object(), where, ": expected an object with name, file and role");
    for (const char* key : {"name", "file", "role"})
      VREV_CHECK(entry.contains(key) && entry[key].is_string(), where, ": \"", key, "\" must be a string");
    Glyph g;
    g.name = entry["name"].get<std::string>();
    VREV_CHECK(!g.name.empty() && g.name.find_first_of(" \t\n") == std::string::npos, where,
               ": a name is one word (it is a token name)");
    VREV_CHECK(names.insert(g.name).second, where, ": the name '", g.name, "' is used twice");
    g.role = settings::parse_name<GlyphRole>(entry["role"].get<std::string>(), where + " (" + g.name + ") role");
    g.pixels = load_glyph_png((fs::path(dir) / entry["file"].get<std::string>()).string());
    glyphs.push_back(std::move(g));
  }
  return glyphs;
}

Bitmap shifted(const Bitmap& image, int dx, int dy) {
  Bitmap out{};
  for (int y = 0; y < kGlyphSide; ++y)
    for (int x = 0; x < kGlyphSide; ++x) {
      const int sx = x - dx, sy = y - dy;
      if (sx >= 0 && sx < kGlyphSide && sy >= 0 && sy < kGlyphSide) out[y * kGlyphSide + x] = image[sy * kGlyphSide + sx];
    }
  return out;
}

int hamming(const Bitmap& a, const Bitmap& b) {
  int d = 0;
  for (int i = 0; i < kGlyphPixels; ++i) d += a[i] != b[i];
  return d;
}

double ink_overlap(const Bitmap& a, const Bitmap& b) {
  int both = 0, either = 0;
  for (int i = 0; i < kGlyphPixels; ++i) {
    both += a[i] && b[i];
    either += a[i] || b[i];
  }
  return either == 0 ? 0.0 : double(both) / either;
}

}  // namespace vrev::world
