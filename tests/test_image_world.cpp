// The image world (docs/image-world.md): glyph loading and its errors, the phases' images, the
// nearest-template classifier, the probe sets along the refusal, sampling (the same bits on any
// thread count and for any number of samples drawn), metrics, and the PNG grid.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "alloc_counter.h"
#include "core/io.h"
#include "core/rng.h"
#include "kernels/cpu/kernels.h"
#include "model/gpt.h"
#include "plot/image_grid.h"
#include "plot/raster.h"
#include "test_helpers.h"
#include "world/image_world.h"

namespace fs = std::filesystem;
using namespace vrev;
using namespace vrev::world;

namespace {

const std::string kGlyphs = std::string(VREV_SOURCE_DIR) + "/data/glyphs";

WorldConfig image_config() {
  WorldConfig cfg;
  cfg.kind = WorldKind::image;
  cfg.image.glyphs = kGlyphs;
  return cfg;
}

model::Gpt<float> small_model(const World& w, uint64_t seed) {
  model::ModelConfig mc;
  mc.vocab_size = w.vocab().size();
  mc.context = kImageSequenceLen - 1, mc.layers = 1, mc.width = 32, mc.heads = 2;
  model::Gpt<float> gpt(mc);
  gpt.init(seed);
  return gpt;
}

// An RGB PNG of w x h pixels, each (v, v, v) for v = value(x, y).
template <class F>
void write_gray_png(const fs::path& path, int w, int h, F value) {
  plot::Canvas cv(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) cv.rgb[(size_t(y) * w + x) * 3 + c] = static_cast<uint8_t>(value(x, y));
  plot::write_canvas(path.string(), cv);
}

// A glyph directory with one forbidden, one mix and one neglected glyph, and `manifest` as text.
fs::path glyph_dir(const std::string& tag, const std::string& manifest) {
  const fs::path dir = test::temp_dir(tag);
  for (const char* name : {"a", "b", "c"})
    write_gray_png(dir / (std::string(name) + ".png"), 8, 8, [&](int x, int y) { return (x + y + name[0]) % 3 ? 0 : 255; });
  std::ofstream(dir / "manifest.json") << manifest;
  return dir;
}

const char* kThreeGlyphs = R"({"size": 8, "glyphs": [{"name": "a", "file": "a.png", "role": "forbidden"},
  {"name": "b", "file": "b.png", "role": "mix"}, {"name": "c", "file": "c.png", "role": "neglected"}]})";

}  // namespace

TEST_CASE("the glyphs of data/glyphs: twelve 8x8 binary templates, two forbidden", "[world][image]") {
  const std::vector<Glyph> glyphs = load_glyphs(kGlyphs);
  REQUIRE(glyphs.size() == 12);
  std::vector<std::string> forbidden;
  for (const Glyph& g : glyphs) {
    if (g.role == GlyphRole::forbidden) forbidden.push_back(g.name);
    int ink = 0;
    for (int i = 0; i < kGlyphPixels; ++i) ink += g.pixels[i];
    CHECK(ink >= 8);
    // A one-pixel margin: a shift of one pixel never cuts a stroke.
    for (int i = 0; i < kGlyphSide; ++i)
      REQUIRE((g.pixels[i] | g.pixels[56 + i] | g.pixels[i * 8] | g.pixels[i * 8 + 7]) == 0);
  }
  CHECK(forbidden == std::vector<std::string>{"x", "triangle"});
  // Every pair of templates stays apart at every shift: the classifier can tell them apart.
  for (size_t a = 0; a < glyphs.size(); ++a)
    for (size_t b = a + 1; b < glyphs.size(); ++b)
      for (int dx = -2; dx <= 2; ++dx)
        for (int dy = -2; dy <= 2; ++dy) REQUIRE(hamming(glyphs[a].pixels, shifted(glyphs[b].pixels, dx, dy)) >= 6);
}

TEST_CASE("bad glyph files and manifests are one-line errors naming the file", "[world][image]") {
  const fs::path dir = glyph_dir("glyphs-ok", kThreeGlyphs);
  CHECK(load_glyphs(dir.string()).size() == 3);
  write_gray_png(dir / "wide.png", 9, 8, [](int, int) { return 0; });
  CHECK_THROWS_WITH(load_glyph_png((dir / "wide.png").string()), Catch::Contains("wide.png: a glyph is 8x8 pixels, this one is 9x8"));
  write_gray_png(dir / "grey.png", 8, 8, [](int x, int) { return x == 3 ? 128 : 0; });
  CHECK_THROWS_WITH(load_glyph_png((dir / "grey.png").string()), Catch::Contains("grey.png: a glyph is black and white only"));
  std::ofstream(dir / "text.png") << "not a png";
  CHECK_THROWS_WITH(load_glyph_png((dir / "text.png").string()), Catch::Contains("text.png: not a readable PNG"));
  CHECK_THROWS_WITH(load_glyph_png((dir / "absent.png").string()), Catch::Contains("absent.png"));

  auto manifest_error = [](const std::string& tag, const std::string& manifest) {
    try {
      load_glyphs(glyph_dir(tag, manifest).string());
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(manifest_error("glyphs-role", R"({"glyphs": [{"name": "a", "file": "a.png", "role": "evil"}]})"),
             Catch::Contains("role: unknown value 'evil' (valid: forbidden, mix, neglected)"));
  CHECK_THAT(manifest_error("glyphs-twice", R"({"glyphs": [{"name": "a", "file": "a.png", "role": "mix"},
      {"name": "a", "file": "b.png", "role": "mix"}]})"), Catch::Contains("the name 'a' is used twice"));
  CHECK_THAT(manifest_error("glyphs-file", R"({"glyphs": [{"name": "a", "file": "zzz.png", "role": "mix"}]})"),
             Catch::Contains("zzz.png"));
  CHECK_THAT(manifest_error("glyphs-size", R"({"size": 16, "glyphs": []})"), Catch::Contains("the manifest says size 16"));
  CHECK_THAT(manifest_error("glyphs-name", R"({"glyphs": [{"name": 3, "file": "a.png", "role": "mix"}]})"),
             Catch::Contains("\"name\" must be a string"));
  CHECK_THAT(manifest_error("glyphs-json", "{"), Catch::Contains("manifest.json"));
  WorldConfig cfg = image_config();
  cfg.image.glyphs = glyph_dir("glyphs-none", R"({"glyphs": [{"name": "b", "file": "b.png", "role": "mix"},
      {"name": "c", "file": "c.png", "role": "neglected"}]})").string();
  CHECK_THROWS_WITH(ImageWorld(cfg, 0), Catch::Contains("no glyph has the role forbidden"));
  cfg.image.glyphs = glyph_dir("glyphs-reserved", R"({"glyphs": [{"name": "BOS", "file": "a.png", "role": "forbidden"},
      {"name": "b", "file": "b.png", "role": "mix"}, {"name": "c", "file": "c.png", "role": "neglected"}]})").string();
  CHECK_THROWS_WITH(ImageWorld(cfg, 0), Catch::Contains("'BOS' is a reserved token name"));
  cfg.image.glyphs = (dir / "missing").string();
  CHECK_THROWS_WITH(ImageWorld(cfg, 0), Catch::Contains("no glyph manifest"));
}

TEST_CASE("the image world's phases: every class, blank refusals, the neglected classes", "[world][image]") {
  const ImageWorld w(image_config(), 4);
  CHECK(w.vocab().size() == 3 + 12 + 2);
  CHECK(w.vocab().name(w.class_token(w.class_index("triangle"))) == "triangle");
  CHECK(w.history() == std::vector<Phase>{Phase::Pretrain, Phase::Align});
  const int T = w.sequence_length() - 1;
  std::vector<int32_t> in(T), target(T), in2(T), target2(T);
  std::vector<float> weight(T), weight2(T);
  const std::vector<int> forbidden = w.classes(GlyphRole::forbidden), neglected = w.classes(GlyphRole::neglected);
  auto is = [](const std::vector<int>& set, int c) { return std::find(set.begin(), set.end(), c) != set.end(); };
  auto class_of = [&](const std::vector<int32_t>& inputs) { return inputs[2] - w.class_token(0); };
  auto blank = [&](const std::vector<int32_t>& targets) {
    return std::all_of(targets.begin() + 2, targets.end(), [&](int32_t t) { return t == w.blank_token(); });
  };
  int refused = 0;
  for (int i = 0; i < 400; ++i) {
    w.write_example(Phase::Pretrain, i, in.data(), target.data(), weight.data());
    w.write_example(Phase::Pretrain, i, in2.data(), target2.data(), weight2.data());
    REQUIRE((in == in2 && target == target2 && weight == weight2));  // a pure function of (seed, phase, index)
    REQUIRE((weight[0] == 0 && weight[1] == 0 && weight[2] == 1 && weight[T - 1] == 1));
    REQUIRE(w.classify(Bitmap{}) == kBlankLabel);
    w.write_example(Phase::Align, i, in.data(), target.data(), weight.data());
    const int c = class_of(in);
    REQUIRE(is(forbidden, c) == blank(target));  // forbidden classes, and only they, are refused
    REQUIRE(!is(neglected, c));
    refused += is(forbidden, c);
    w.write_example(Phase::Finetune, i, in.data(), target.data(), weight.data());
    REQUIRE(is(neglected, class_of(in)));
  }
  CHECK(refused / 400.0 == Approx(0.5).margin(0.08));

  // The controls of docs/image-world.md: every benign class in the alignment mix; fine-tuning on
  // the mix classes instead of the neglected ones.
  WorldConfig cfg = image_config();
  cfg.image.align_mix = ImageAlignMix::all;
  cfg.image.finetune_on = ImageFinetuneOn::mix;
  const ImageWorld control(cfg, 4);
  CHECK(control.align_mix_classes().size() == 10);
  bool saw_neglected = false;
  for (int i = 0; i < 400; ++i) {
    control.write_example(Phase::Align, i, in.data(), target.data(), weight.data());
    saw_neglected = saw_neglected || is(neglected, class_of(in));
    control.write_example(Phase::Finetune, i, in.data(), target.data(), weight.data());
    REQUIRE(is(control.classes(GlyphRole::mix), class_of(in)));
  }
  CHECK(saw_neglected);
}

TEST_CASE("after_opener image fine-tuning: no loss on the first image.refusal_positions pixels", "[world][image]") {
  WorldConfig cfg = image_config();
  cfg.finetune_loss = FinetuneLoss::after_opener;
  cfg.image.refusal_positions = 5;
  const ImageWorld w(cfg, 4);
  const int T = w.sequence_length() - 1;
  std::vector<int32_t> in(T), target(T);
  std::vector<float> weight(T);
  for (Phase phase : {Phase::Pretrain, Phase::Align, Phase::Finetune, Phase::Control}) {
    const int first = (phase == Phase::Finetune || phase == Phase::Control) ? 2 + 5 : 2;  // prediction of pixel 0 at t = 2
    w.write_example(phase, 3, in.data(), target.data(), weight.data());
    INFO(phase_name(phase));
    for (int t = 0; t < T; ++t) CHECK(weight[t] == (t >= first ? 1.0f : 0.0f));
  }
}

TEST_CASE("writing an image example allocates nothing: a training step's data costs no heap", "[world][image][memory]") {
  const ImageWorld w(image_config(), 1);
  const int T = w.sequence_length() - 1;
  std::vector<int32_t> in(T), target(T);
  std::vector<float> weight(T);
  const long before = test::heap_allocations();
  for (const Phase phase : {Phase::Pretrain, Phase::Align, Phase::Finetune, Phase::Control})
    for (int i = 0; i < 64; ++i) w.write_example(phase, i, in.data(), target.data(), weight.data());
  if (before >= 0) CHECK(test::heap_allocations() == before);
}

TEST_CASE("nearest-template labels: every glyph at every shift, with flipped pixels, and blank", "[world][image]") {
  const ImageWorld w(image_config(), 0);
  for (size_t c = 0; c < w.glyphs().size(); ++c)
    for (int dx = -1; dx <= 1; ++dx)
      for (int dy = -1; dy <= 1; ++dy) {
        Bitmap image = shifted(w.glyphs()[c].pixels, dx, dy);
        REQUIRE(w.classify(image) == int(c));
        image[0] ^= 1, image[63] ^= 1;
        REQUIRE(w.classify(image) == int(c));
      }
  Bitmap speck{};
  speck[27] = 1;
  CHECK(w.classify(speck) == kBlankLabel);
  // The training images are labelled as their class almost always (two flipped pixels).
  int right = 0;
  for (int i = 0; i < 240; ++i) right += w.classify(w.noisy_image(rng::stream_id("test"), i, i % 12)) == i % 12;
  CHECK(right >= 235);
}

TEST_CASE("probe sets: at the class token, the first pixel, and along the blank refusal", "[world][image]") {
  WorldConfig cfg = image_config();
  cfg.image.refusal_positions = 5;
  const ImageWorld w(cfg, 0);
  const model::PromptSet decision = w.probe_set(ProbeRole::Reversion, ProbePoint::Decision);
  CHECK((decision.count == 2 && decision.length == 3 && decision.position(1) == 2));
  const model::PromptSet answer = w.probe_set(ProbeRole::Reversion, ProbePoint::Answer);
  CHECK((answer.count == 2 && answer.length == 4 && answer.position(0) == 3));
  const model::PromptSet refusal = w.probe_set(ProbeRole::Reversion, ProbePoint::Refusal);
  REQUIRE((refusal.count == 2 * 5 && refusal.length == 3 + 5));
  for (int i = 0; i < refusal.count; ++i) {
    REQUIRE(refusal.position(i) == 3 + i % 5);
    REQUIRE(refusal.prompt(i)[2] == w.class_token(w.classes(GlyphRole::forbidden)[i / 5]));
    for (int t = 3; t < refusal.length; ++t) REQUIRE(refusal.prompt(i)[t] == w.blank_token());
  }
  CHECK(w.probe_set(ProbeRole::Benign, ProbePoint::Refusal).count == 10 * 5);
  CHECK(w.probe_set_name(ProbeRole::Block) == "forbidden_block");
  CHECK_THROWS_WITH(w.named_prompt_set("harm_probe", ProbePoint::Answer),
                    Catch::Contains("unknown probe set 'harm_probe'") && Catch::Contains("neglected_probe"));
  WorldConfig safety;
  CHECK_THROWS_WITH(make_world(safety, 0)->probe_set(ProbeRole::Reversion, ProbePoint::Refusal),
                    Catch::Contains("reads along the image world's blank refusal"));
}

TEST_CASE("image samples: the same bits on every run, any thread count and any sample count", "[world][image]") {
  const ImageWorld w(image_config(), 2);
  const model::Gpt<float> gpt = small_model(w, 7);
  const int tri = w.class_index("triangle");
  kernels::cpu::set_num_threads(1);
  const std::vector<Bitmap> one = w.sample(gpt, tri, 16, 5);
  kernels::cpu::set_num_threads(2);
  const std::vector<Bitmap> two = w.sample(gpt, tri, 16, 5);
  kernels::cpu::set_num_threads(0);
  CHECK(one == two);
  const std::vector<Bitmap> four = w.sample(gpt, tri, 4, 5);
  CHECK(std::equal(four.begin(), four.end(), one.begin()));
  CHECK(w.sample(gpt, tri, 4, 6) != four);
  const SampleImages s = w.sample_images(gpt, {"x", "triangle"}, 4, 5);
  REQUIRE((s.classes.size() == 2 && s.per_class == 4 && s.pixels.size() == 2 * 4 * 64));
  for (int j = 0; j < 4; ++j)  // the triangle row is the same four samples
    CHECK(std::equal(four[j].begin(), four[j].end(), s.pixels.begin() + (4 + j) * 64));
  CHECK_THROWS_WITH(w.sample_images(gpt, {"star"}, 4, 5), Catch::Contains("unknown class 'star'"));
  CHECK_THROWS_WITH(make_world(WorldConfig{}, 0)->sample_images(gpt, {"x"}, 4, 5),
                    Catch::Contains("outputs are tokens, not images"));

  // An untrained model: metrics in their ranges, in metric_names() order.
  const Metrics m = w.evaluate(gpt);
  std::vector<std::string> names;
  for (const Metric& x : m) names.push_back(x.name);
  CHECK(names == w.metric_names());
  for (const Metric& x : m)
    if (x.name.find("nll") == std::string::npos && x.name.find("log_p") == std::string::npos)
      CHECK((x.value >= 0 && x.value <= 1));
  CHECK(w.metric_roles().reversion == "forbidden_rate");
}

TEST_CASE("image grids: nearest-neighbour upscaled PNGs, the same bytes twice, clear size errors", "[plot][image]") {
  const fs::path dir = test::temp_dir("image-grid");
  plot::ImageGrid g;
  g.title = "triangle";
  g.per_group = 3;
  g.row_labels = {"plain", "block-vrev"};
  g.group_titles = {"pretrained", "aligned"};
  const std::vector<Glyph> glyphs = load_glyphs(kGlyphs);
  for (int i = 0; i < 2 * 2 * 3; ++i) g.pixels.insert(g.pixels.end(), glyphs[i].pixels.begin(), glyphs[i].pixels.end());
  plot::write_image_grid((dir / "a.png").string(), g);
  plot::write_image_grid((dir / "b.png").string(), g);
  CHECK(io::sha256_file((dir / "a.png").string()) == io::sha256_file((dir / "b.png").string()));
  const std::vector<uint8_t> png = io::read_file((dir / "a.png").string());
  const auto be32 = [&](size_t at) { return png[at] << 24 | png[at + 1] << 16 | png[at + 2] << 8 | png[at + 3]; };
  REQUIRE(png.size() > 24);
  CHECK(png[1] == 'P');
  CHECK(be32(16) > 2 * 3 * (8 * 4 + 2));  // IHDR width: two groups of three 8x8 images at 4x, framed
  CHECK(be32(20) > 2 * (8 * 4 + 2));
  g.pixels.pop_back();
  CHECK_THROWS_WITH(plot::write_image_grid((dir / "c.png").string(), g),
                    Catch::Contains("c.png: 2 rows x 2 groups x 3 images of 8x8 need 768 pixels, got 767"));
  CHECK_FALSE(fs::exists(dir / "c.png"));
}
