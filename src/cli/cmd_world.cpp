// vrev world: print example sequences of a phase (for teaching and checking the data).
#include "cli/common.h"
#include "experiment/config.h"
#include "world/glyphs.h"
#include "world/world.h"

namespace vrev::cli {

namespace {

// The prompt (every input before the first pixel), then the pixels as a square of . and #.
void print_image_example(const world::Vocabulary& vocab, const std::vector<int32_t>& inputs,
                         const std::vector<int32_t>& targets) {
  const int prompt = static_cast<int>(inputs.size() + 1 - world::kGlyphPixels);
  std::printf("%s\n", vocab.format(inputs.data(), prompt).c_str());
  for (int y = 0; y < world::kGlyphSide; ++y) {
    std::string row;
    for (int x = 0; x < world::kGlyphSide; ++x) row += vocab.name(targets[prompt - 1 + y * world::kGlyphSide + x]);
    std::printf("%s\n", row.c_str());
  }
  std::printf("\n");
}

}  // namespace

int run_world(int argc, char** argv) {
  cxxopts::Options options("vrev world",
                           "Print example training sequences of a phase. Targets in [brackets] carry loss, those\n"
                           "in {braces} an ascended loss (grad-diff unlearning); the rest (prompt, padding) are\n"
                           "masked out. The image world prints its prompt and then the image, row by row (# ink;\n"
                           "every pixel carries loss).");
  options.add_options()("config", "experiment config (JSON)", cxxopts::value<std::string>())(
      "phase", "a phase of the world's history (" + world::history_phase_names() + "), finetune or control",
      cxxopts::value<std::string>()->default_value("pretrain"))(
      "seed", "seed", cxxopts::value<uint64_t>()->default_value("0"))(
      "n", "number of examples", cxxopts::value<int>()->default_value("5"))(
      "set", "override a config value, key.path=value (repeatable)", cxxopts::value<std::vector<std::string>>());
  auto args = parse(options, argc, argv);
  const auto sets = overrides(args);
  const experiment::Config cfg = experiment::load_config(required(args, "config"), sets);
  const world::Phase phase = world::parse_phase(args["phase"].as<std::string>());
  const int n = args["n"].as<int>();
  VREV_CHECK(n >= 0, "-n must be >= 0");
  const std::unique_ptr<world::World> world = world::make_world(cfg.world, args["seed"].as<uint64_t>());
  world::check_phase(*world, phase);
  const int T = world->sequence_length() - 1;
  std::vector<int32_t> inputs(T), targets(T);
  std::vector<float> weights(T);
  const bool images = !world->image_classes(false).empty();
  for (int i = 0; i < n; ++i) {
    world->write_example(phase, i, inputs.data(), targets.data(), weights.data());
    if (images) {
      print_image_example(world->vocab(), inputs, targets);
      continue;
    }
    std::string line = world->vocab().name(inputs[0]);
    for (int t = 0; t < T; ++t) {
      const std::string& name = world->vocab().name(targets[t]);
      line += " " + (weights[t] > 0 ? "[" + name + "]" : weights[t] < 0 ? "{" + name + "}" : name);
    }
    std::printf("%s\n", line.c_str());
  }
  return 0;
}

}  // namespace vrev::cli
