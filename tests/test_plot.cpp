// Tests for plot/: plots and grids written as PNG and read back with stb_image (size,
// background, series and band colours, no temp file left), NaN gaps, empty input, and the
// validation errors that name the series and the path.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
#pragma GCC diagnostic pop

#include "core/error.h"
#include "plot/plot.h"

namespace fs = std::filesystem;
using Catch::Contains;
using vrev::plot::Band;
using vrev::plot::palette;
using vrev::plot::Plot;
using vrev::plot::Rgb;
using vrev::plot::Series;
using vrev::plot::write_png;
using vrev::plot::write_png_grid;

namespace {

fs::path fresh_dir(const std::string& tag) {
  const fs::path dir = fs::temp_directory_path() / ("vrev_test_plot_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

struct Image {
  int w = 0, h = 0;
  std::vector<uint8_t> rgb;
  Rgb at(int x, int y) const {
    const uint8_t* p = &rgb[(static_cast<size_t>(y) * w + x) * 3];
    return {p[0], p[1], p[2]};
  }
  // Pixels within `tol` of `c` in every channel.
  int count(Rgb c, int tol = 0) const {
    int n = 0;
    for (size_t i = 0; i < rgb.size(); i += 3)
      n += std::abs(rgb[i] - c.r) <= tol && std::abs(rgb[i + 1] - c.g) <= tol && std::abs(rgb[i + 2] - c.b) <= tol;
    return n;
  }
};

Image load(const fs::path& path) {
  Image img;
  int channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &img.w, &img.h, &channels, 3);
  REQUIRE(data != nullptr);
  img.rgb.assign(data, data + static_cast<size_t>(img.w) * img.h * 3);
  stbi_image_free(data);
  return img;
}

bool is_white(Rgb c) { return c.r == 255 && c.g == 255 && c.b == 255; }

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  return names;
}

constexpr Rgb kRed{220, 30, 30}, kBlue{20, 60, 200}, kGreen{40, 160, 60};

Plot sample_plot() {
  Plot p;
  p.title = "drift";
  p.x_label = "step";
  p.y_label = "cosine";
  p.width = 640;
  p.height = 400;
  std::vector<double> x, a, b, lo, hi;
  for (int i = 0; i <= 50; ++i) {
    x.push_back(i * 10.0);
    a.push_back(std::sin(i / 8.0));
    b.push_back(0.5 - i / 60.0);
    lo.push_back(-0.2);
    hi.push_back(0.2);
  }
  p.bands.push_back({"null 1-99%", x, lo, hi, kGreen, 0.25f});
  p.series.push_back({"arm A", x, a, kRed, 3.0f});
  p.series.push_back({"arm B", x, b, kBlue, 3.0f, /*dashed=*/true, /*markers=*/true});
  return p;
}

}  // namespace

TEST_CASE("write_png draws series and bands on white at the asked size, leaving no temp file", "[plot]") {
  const fs::path dir = fresh_dir("basic");
  const fs::path path = dir / "drift.png";
  write_png(path.string(), sample_plot());

  const Image img = load(path);
  CHECK(img.w == 640);
  CHECK(img.h == 400);
  CHECK(is_white(img.at(0, 0)));
  CHECK(is_white(img.at(img.w - 1, img.h - 1)));
  CHECK(img.count(kRed) > 200);   // a 3 px line across the plot
  CHECK(img.count(kBlue) > 100);  // dashed, so fewer
  // The band: green blended over white at alpha 0.25 (and over grid lines, hence the tolerance).
  const auto mix = [](uint8_t c) { return static_cast<uint8_t>(std::lround(255 + (c - 255) * 0.25)); };
  CHECK(img.count({mix(kGreen.r), mix(kGreen.g), mix(kGreen.b)}, 2) > 2000);
  CHECK(names_in(dir) == std::vector<std::string>{"drift.png"});
  fs::remove_all(dir);
}

TEST_CASE("write_png breaks lines at NaN and draws an empty plot without crashing", "[plot]") {
  const fs::path dir = fresh_dir("gaps");
  auto red_pixels = [&](std::vector<double> y) {
    Plot p;
    p.width = 400;
    p.height = 300;
    p.y_range = {{-1.0, 1.0}};
    p.series.push_back({"", {0, 1, 2, 3, 4}, std::move(y), kRed, 3.0f});
    write_png((dir / "gap.png").string(), p);
    return load(dir / "gap.png").count(kRed);
  };
  const int whole = red_pixels({0, 0, 0, 0, 0});
  const int broken = red_pixels({0, 0, NAN, 0, 0});
  CHECK(whole > 300);
  CHECK(broken < whole * 0.7);  // the two segments touching the NaN are gone
  CHECK(broken > whole * 0.3);

  Plot empty;
  empty.title = "nothing yet";
  empty.series.push_back({"arm A", {}, {}, kRed});
  empty.series.push_back({"arm B", {1.0, 2.0}, {NAN, INFINITY}, kBlue});
  empty.bands.push_back({"null", {}, {}, {}, kGreen});
  write_png((dir / "empty.png").string(), empty);
  const Image img = load(dir / "empty.png");
  CHECK(img.w == 900);
  CHECK(img.h == 560);
  CHECK(img.count(kRed) > 0);  // the legend still lists the series

  Plot odd;  // one point, a constant series, and a log axis that drops x <= 0
  odd.x_log = true;
  odd.series.push_back({"one", {5.0}, {2.0}, kRed, 1.0f, false, true});
  odd.series.push_back({"flat", {-1.0, 0.0, 1.0, 10.0, 1000.0}, {3, 3, 3, 3, 3}, kBlue});
  write_png((dir / "odd.png").string(), odd);
  CHECK(load(dir / "odd.png").count(kBlue) > 100);
  fs::remove_all(dir);
}

TEST_CASE("write_png rejects bad input with errors naming the series and the path", "[plot]") {
  const fs::path dir = fresh_dir("errors");
  const std::string path = (dir / "bad.png").string();
  Plot p = sample_plot();
  p.series[1].y.pop_back();
  CHECK_THROWS_AS(write_png(path, p), vrev::Error);
  CHECK_THROWS_WITH(write_png(path, p),
                    Contains(path) && Contains("series 'arm B'") && Contains("51 x values but 50 y values"));

  p = sample_plot();
  p.bands[0].hi.push_back(1.0);
  CHECK_THROWS_WITH(write_png(path, p), Contains("band 'null 1-99%'"));

  p = sample_plot();
  p.y_range = {{1.0, 1.0}};
  CHECK_THROWS_WITH(write_png(path, p), Contains("y_range"));

  p = sample_plot();
  p.width = 10;
  CHECK_THROWS_WITH(write_png(path, p), Contains("image size"));
  CHECK(names_in(dir).empty());  // nothing written

  // A write failure names the path.
  const std::string missing = (dir / "no-such-folder" / "x.png").string();
  CHECK_THROWS_WITH(write_png(missing, sample_plot()), Contains(missing));
  fs::remove_all(dir);
}

TEST_CASE("write_png_grid lays panels out row by row in cells of the largest panel", "[plot]") {
  const fs::path dir = fresh_dir("grid");
  const std::string path = (dir / "grid.png").string();
  std::vector<Plot> panels(3, sample_plot());
  for (Plot& p : panels) {
    p.width = 300;
    p.height = 200;
  }
  write_png_grid(path, panels, 2);
  Image img = load(path);
  CHECK(img.w == 600);
  CHECK(img.h == 400);
  CHECK(is_white(img.at(599, 399)));  // the empty fourth cell
  CHECK(img.count(kRed) > 100);

  panels[1].width = 360;  // cells grow to the largest panel; fewer panels than columns
  panels[1].height = 250;
  write_png_grid(path, panels, 5);
  img = load(path);
  CHECK(img.w == 3 * 360);
  CHECK(img.h == 250);

  CHECK_THROWS_WITH(write_png_grid(path, {}, 2), Contains(path));
  CHECK_THROWS_WITH(write_png_grid(path, panels, 0), Contains("columns"));
  panels[2].series[0].x.push_back(1.0);
  CHECK_THROWS_WITH(write_png_grid(path, panels, 2), Contains("panel 2") && Contains("series 'arm A'"));
  CHECK(names_in(dir) == std::vector<std::string>{"grid.png"});
  fs::remove_all(dir);
}
