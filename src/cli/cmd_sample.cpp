// vrev sample: complete a prompt written in token names.
#include <algorithm>
#include <numeric>

#include "cli/common.h"
#include "experiment/checkpoint_world.h"
#include "model/generate.h"
#include "world/world.h"

namespace vrev::cli {

int run_sample(int argc, char** argv) {
  cxxopts::Options options("vrev sample",
                           "Complete a prompt given in token names, e.g. --prompt \"USER h3 o12 o7 o1 o30 ASST\"\n"
                           "(BOS is added when missing). Prints the completion and the top-5 next-token\n"
                           "probabilities at the first response position.");
  options.add_options()("ckpt", "checkpoint directory", cxxopts::value<std::string>())(
      "prompt", "prompt in token names", cxxopts::value<std::string>())(
      "config", "config whose world to use (default: the checkpoint's)", cxxopts::value<std::string>())(
      "max-new", "tokens to generate", cxxopts::value<int>()->default_value("6"))(
      "temperature", "0: greedy", cxxopts::value<double>()->default_value("0"))(
      "top-k", "sample from the k most likely tokens (0: all)", cxxopts::value<int>()->default_value("0"))(
      "seed", "sampling seed", cxxopts::value<uint64_t>()->default_value("0"));
  auto args = parse(options, argc, argv);
  experiment::OpenedCheckpoint ck = experiment::open_checkpoint(
      required(args, "ckpt"), args.count("config") ? args["config"].as<std::string>() : "", {});
  ck.kernels.apply();
  const std::unique_ptr<world::World> world = world::make_world(ck.world, ck.seed);
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
