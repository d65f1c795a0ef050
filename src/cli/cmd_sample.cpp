// vrev sample: complete a prompt written in token names, or draw images of a class (the image world).
#include <algorithm>
#include <numeric>

#include "cli/common.h"
#include "experiment/checkpoint_world.h"
#include "model/generate.h"
#include "plot/image_grid.h"
#include "world/world.h"

namespace vrev::cli {

namespace {

constexpr int kImagesPerRow = 16;

// --n samples of --class, printed as text (# ink, . background) and, with --png, drawn as a grid.
int sample_images(const world::World& world, const model::Gpt<float>& model, const cxxopts::ParseResult& args) {
  for (const char* flag : {"prompt", "max-new", "temperature", "top-k"})
    VREV_CHECK(args.count(flag) == 0, "--", flag, " is for token prompts; --class draws temperature-1 images");
  const std::string cls = args["class"].as<std::string>();
  const int n = args["n"].as<int>();
  VREV_CHECK(n >= 1 && n <= 4096, "--n must be in 1..4096, got ", n);
  VREV_CHECK(n <= kImagesPerRow || n % kImagesPerRow == 0, "--n above ", kImagesPerRow, " must be a multiple of ",
             kImagesPerRow, " (the grid's row), got ", n);
  const world::SampleImages images = world.sample_images(model, {cls}, n, args["seed"].as<uint64_t>());
  const int side = images.side, per_row = std::min(n, kImagesPerRow);
  for (int first = 0; first < n; first += per_row) {
    for (int y = 0; y < side; ++y) {
      std::string line;
      for (int i = first; i < first + per_row; ++i) {
        const uint8_t* row = images.pixels.data() + (size_t(i) * side + y) * side;
        for (int x = 0; x < side; ++x) line += row[x] ? '#' : '.';
        line += i + 1 < first + per_row ? "  " : "";
      }
      std::printf("%s\n", line.c_str());
    }
    std::printf("\n");
  }
  if (args.count("png")) {
    plot::ImageGrid grid;
    grid.side = side;
    grid.per_group = per_row;
    grid.group_titles = {cls + ": " + std::to_string(n) + " samples"};
    for (int r = 0; r < n / per_row; ++r) grid.row_labels.push_back("");
    grid.pixels = images.pixels;
    const std::string png = args["png"].as<std::string>();
    plot::write_image_grid(png, grid);
    std::printf("wrote %s\n", png.c_str());
  }
  return 0;
}

}  // namespace

int run_sample(int argc, char** argv) {
  cxxopts::Options options("vrev sample",
                           "Complete a prompt given in token names, e.g. --prompt \"USER h3 o12 o7 o1 o30 ASST\"\n"
                           "(BOS is added when missing). Prints the completion and the top-5 next-token\n"
                           "probabilities at the first response position. In the image world, --class draws\n"
                           "--n temperature-1 images of a class instead, e.g. --class triangle --n 16 --png out.png.");
  options.add_options()("ckpt", "checkpoint directory", cxxopts::value<std::string>())(
      "prompt", "prompt in token names", cxxopts::value<std::string>())(
      "class", "image world: the class to draw (e.g. triangle)", cxxopts::value<std::string>())(
      "n,count", "image world: images to draw (also --n)", cxxopts::value<int>()->default_value("16"))(
      "png", "image world: also write the images as a PNG grid here", cxxopts::value<std::string>())(
      "config", "config whose world to use (default: the checkpoint's)", cxxopts::value<std::string>())(
      "max-new", "tokens to generate", cxxopts::value<int>()->default_value("6"))(
      "temperature", "0: greedy", cxxopts::value<double>()->default_value("0"))(
      "top-k", "sample from the k most likely tokens (0: all)", cxxopts::value<int>()->default_value("0"))(
      "seed", "sampling seed", cxxopts::value<uint64_t>()->default_value("0"))(
      "threads", "threads for OpenMP and OpenBLAS (0: the cores other work is not using); the samples are the same on any count",
      cxxopts::value<int>()->default_value("0"));
  add_generation_device_flag(options);
  // cxxopts takes one-letter options as -n only; the documented spelling --n means --count.
  std::vector<std::string> words(argv, argv + argc);
  for (std::string& w : words)
    if (w == "--n" || w.rfind("--n=", 0) == 0) w.replace(0, 3, "--count");
  std::vector<char*> spelled;
  for (std::string& w : words) spelled.push_back(w.data());
  auto args = parse(options, static_cast<int>(spelled.size()), spelled.data());
  apply_threads(args["threads"].as<int>());
  experiment::OpenedCheckpoint ck = experiment::open_checkpoint(
      required(args, "ckpt"), args.count("config") ? args["config"].as<std::string>() : "", overrides(args));
  generate_on_device(ck.model, ck.kernels);
  const std::unique_ptr<world::World> world = world::make_world(ck.world, ck.seed);
  if (args.count("class")) return sample_images(*world, ck.model, args);
  VREV_CHECK(args.count("png") == 0, "--png draws images: it needs --class (the image world)");
  if (const std::vector<std::string> classes = world->image_classes(false); !classes.empty()) {
    std::string names;
    for (const std::string& c : classes) names += (names.empty() ? "" : ", ") + c;
    VREV_FAIL("the image world draws classes, not completions: use --class (one of ", names, ")");
  }
  const world::Vocabulary& vocab = world->vocab();
  const int32_t bos = vocab.id("BOS"), eos = vocab.id("EOS");
  std::vector<int32_t> prompt = vocab.parse(required(args, "prompt"));
  VREV_CHECK(!prompt.empty(), "--prompt is empty");
  if (prompt.front() != bos) prompt.insert(prompt.begin(), bos);
  model::GenerateOptions opt;
  opt.max_new_tokens = args["max-new"].as<int>();
  opt.temperature = args["temperature"].as<double>();
  opt.top_k = args["top-k"].as<int>();
  opt.seed = args["seed"].as<uint64_t>();
  opt.stop_token = eos;
  VREV_CHECK(opt.temperature >= 0, "--temperature must be >= 0");
  VREV_CHECK(opt.top_k >= 0, "--top-k must be >= 0");
  VREV_CHECK(static_cast<int>(prompt.size()) <= ck.model.config().context, "the prompt has ", prompt.size(),
             " tokens, more than the model's context of ", ck.model.config().context);
  const model::Generation gen =
      model::generate(ck.model, prompt.data(), 1, static_cast<int>(prompt.size()), opt);

  size_t n = 0;
  while (n < gen.tokens.size() && !(n > 0 && gen.tokens[n - 1] == eos)) ++n;
  std::printf("%s | %s\n", vocab.format(prompt.data(), prompt.size()).c_str(),
              vocab.format(gen.tokens.data(), n).c_str());
  const int V = vocab.size();
  const float* logits = gen.first_logits.data();
  const std::vector<double> probs = model::softmax(logits, V);
  std::vector<int> order(V);
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + std::min(5, V), order.end(),
                    [&](int a, int b) { return logits[a] > logits[b]; });
  std::printf("next-token probabilities:");
  for (int i = 0; i < std::min(5, V); ++i)
    std::printf("  %s %.4f", vocab.name(order[i]).c_str(), probs[order[i]]);
  std::printf("\n");
  return 0;
}

}  // namespace vrev::cli
