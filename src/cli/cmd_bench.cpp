// vrev bench: training-step throughput against the measured sgemm peak.
#include "cli/common.h"
#include "core/settings.h"
#include "experiment/bench.h"

namespace vrev::cli {

int run_bench(int argc, char** argv) {
  cxxopts::Options options("vrev bench",
                           "Time full training steps (forward, backward, AdamW) after warm-up.\n"
                           "Sizes: tiny V=128 T=64 L=4 C=128 NH=4 B=32; small V=512 T=128 L=6 C=256 NH=8 B=16;\n"
                           "medium V=4096 T=256 L=8 C=512 NH=8 B=8.");
  options.add_options()("model", "tiny | small | medium", cxxopts::value<std::string>()->default_value("tiny"))(
      "steps", "timed steps", cxxopts::value<int>()->default_value("20"))(
      "warmup", "untimed steps first", cxxopts::value<int>()->default_value("3"))(
      "threads", "threads for OpenMP and OpenBLAS (0: all cores)", cxxopts::value<int>()->default_value("0"))(
      "json", "print one JSON object instead of text");
  auto args = parse(options, argc, argv);
  apply_threads(args["threads"].as<int>());
  const int warmup = args["warmup"].as<int>();
  VREV_CHECK(warmup >= 0, "--warmup must be >= 0");
  const auto size = experiment::bench_size(args["model"].as<std::string>());
  const experiment::BenchResult r = experiment::run_bench(size, args["steps"].as<int>(), warmup);
  if (args.count("json")) {
    settings::Json j = {{"model", r.size.name},       {"threads", r.threads},
                        {"steps", r.steps},           {"ms_per_step", r.ms_per_step},
                        {"tokens_per_s", r.tokens_per_s}, {"model_gflop_per_step", r.model_gflop_per_step},
                        {"achieved_gflops", r.achieved_gflops}, {"sgemm_peak_gflops", r.sgemm_peak_gflops},
                        {"mfu", r.mfu},               {"peak_rss_mb", r.peak_rss_mb}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("model %s (B=%d T=%d L=%d C=%d NH=%d V=%d), %d threads, %d steps\n", r.size.name.c_str(),
                r.size.batch, r.size.model.context, r.size.model.layers, r.size.model.width, r.size.model.heads,
                r.size.model.vocab_size, r.threads, r.steps);
    std::printf("  %.2f ms/step  %.0f tokens/s  %.1f GFLOP/s of %.1f sgemm peak (MFU %.1f%%)  peak RSS %.0f MB\n",
                r.ms_per_step, r.tokens_per_s, r.achieved_gflops, r.sgemm_peak_gflops, 100 * r.mfu, r.peak_rss_mb);
  }
  return 0;
}

}  // namespace vrev::cli
