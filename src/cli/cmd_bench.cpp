// vrev bench: training-step throughput with vrev's GEMM and with OpenBLAS's, in one run, against
// the best sgemm peak measured here; optionally each matrix product's GFLOP/s.
#include <algorithm>
#include <vector>

#include "cli/common.h"
#include "core/settings.h"
#include "experiment/bench.h"
#include "kernels/cpu/kernels.h"
#ifdef VREV_HAS_CUDA
#include "kernels/cuda/device.h"
#endif

namespace vrev::cli {

namespace {

namespace cpu = kernels::cpu;

// The backends compared, each with the instruction set it runs.
struct Backend {
  cpu::Isa isa;
  cpu::GemmBackend gemm;
  std::string label() const {
    return gemm == cpu::GemmBackend::openblas ? "openblas" : std::string("vrev/") + settings::name_of(isa);
  }
};

#ifdef VREV_HAS_CUDA
// Training steps on the GPU against its FP32 peak: a table, or one JSON object.
int bench_on_gpu(const experiment::BenchSize& size, int steps, int warmup, bool json, const kernels::Backend& gpu) {
  const kernels::cuda::Fp32Peak peak = kernels::cuda::fp32_peak();
  VREV_CHECK(peak.gflops > 0, "vrev bench: the FP32 cores per SM of ", peak.device, " are unknown to this build");
  const experiment::BenchResult r = experiment::run_bench(size, steps, warmup, peak.gflops, {}, gpu);
  if (json) {
    const settings::Json j = {{"model", size.name},
                              {"device", peak.device},
                              {"steps", steps},
                              {"fp32_peak_gflops", peak.gflops},
                              {"ms_per_step", r.ms_per_step},
                              {"tokens_per_s", r.tokens_per_s},
                              {"achieved_gflops", r.achieved_gflops},
                              {"share_of_fp32_peak", r.mfu}};
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  const model::ModelConfig& m = size.model;
  std::printf("model %s (B=%d T=%d L=%d C=%d NH=%d V=%d), %d steps on %s\n", size.name.c_str(), size.batch, m.context,
              m.layers, m.width, m.heads, m.vocab_size, steps, peak.device.c_str());
  std::printf("FP32 peak %.0f GFLOP/s = %d SMs x %d FP32 cores x 2 FLOP x %.3f GHz\n", peak.gflops, peak.sms,
              peak.cores_per_sm, peak.clock_ghz);
  std::printf("  %10s %10s %9s %14s\n", "ms/step", "tokens/s", "GFLOP/s", "of FP32 peak");
  std::printf("  %10.2f %10.0f %9.1f %13.2f%%\n", r.ms_per_step, r.tokens_per_s, r.achieved_gflops, 100 * r.mfu);
  return 0;
}
#endif

}  // namespace

int run_bench(int argc, char** argv) {
  cxxopts::Options options("vrev bench",
                           "Time full training steps (forward, backward, AdamW) after warm-up, once with vrev's\n"
                           "deterministic GEMM and once with OpenBLAS's sgemm, in the same run. MFU is against the\n"
                           "best square sgemm (side 1536) either backend reaches here.\n"
                           "Sizes: tiny V=128 T=64 L=4 C=128 NH=4 B=32; small V=512 T=128 L=6 C=256 NH=8 B=16;\n"
                           "medium V=4096 T=256 L=8 C=512 NH=8 B=8.\n"
                           "Under mpirun (a -DVREV_MPI=ON build) the ranks train data-parallel with --shards micro-shards\n"
                           "per batch; tokens/s is the job's, and the MFU is against the sum of the ranks' peaks,\n"
                           "measured all at once (docs/mpi.md).");
  options.add_options()("model", "tiny | small | medium", cxxopts::value<std::string>()->default_value("tiny"))(
      "steps", "timed steps", cxxopts::value<int>()->default_value("20"))(
      "warmup", "untimed steps first", cxxopts::value<int>()->default_value("3"))(
      "isa", "vrev GEMM instruction set: auto, avx512, avx2, neon, portable, or all (every one this CPU runs)",
      cxxopts::value<std::string>()->default_value("auto"))(
      "shapes", "also time each Linear layer's three products (GFLOP/s per shape and backend)")(
      "shards", "micro-shards per batch (a multiple of the rank count under mpirun)",
      cxxopts::value<int>()->default_value("1"))(
      "threads", "threads for OpenMP and OpenBLAS, per rank under mpirun (0: the cores other work is not using)",
      cxxopts::value<int>()->default_value("0"))(
      "json", "print one JSON object instead of text")(
      "device", "cpu, or cuda: time the steps on the GPU against its FP32 peak (a build with make cuda, docs/cuda.md)",
      cxxopts::value<std::string>()->default_value("cpu"));
  auto args = parse(options, argc, argv);
  apply_threads(args["threads"].as<int>());
  const int warmup = args["warmup"].as<int>();
  VREV_CHECK(warmup >= 0, "--warmup must be >= 0");
  const auto size = experiment::bench_size(args["model"].as<std::string>());
  const auto device = settings::parse_name<kernels::Device>(args["device"].as<std::string>(), "--device");
  if (device == kernels::Device::cuda) {
    [[maybe_unused]] const kernels::Backend& gpu = device_backend(device);  // an error without CUDA or a GPU
#ifdef VREV_HAS_CUDA
    return bench_on_gpu(size, args["steps"].as<int>(), warmup, args.count("json") > 0, gpu);
#endif
  }
  const comm::Communicator& ranks = comm::Communicator::world();
  const train::DataParallel parallel{args["shards"].as<int>(), &ranks};

  std::vector<Backend> backends;
  const std::string isa_arg = args["isa"].as<std::string>();
  if (isa_arg == "all") {
    for (const auto& [isa, name] : cpu::enum_names(cpu::Isa{}))
      if (isa != cpu::Isa::automatic && cpu::isa_supported(isa)) backends.push_back({isa, cpu::GemmBackend::vrev});
  } else {
    const cpu::Isa isa = settings::parse_name<cpu::Isa>(isa_arg, "--isa");
    VREV_CHECK(cpu::isa_supported(isa), "--isa ", isa_arg, ": this CPU does not support it");
    cpu::select_kernels(isa, cpu::GemmBackend::vrev);
    backends.push_back({cpu::selected_isa(), cpu::GemmBackend::vrev});
  }
  backends.push_back({cpu::Isa::automatic, cpu::GemmBackend::openblas});

  double peak = 0;
  for (const Backend& b : backends) {
    cpu::select_kernels(b.isa, b.gemm);
    peak = std::max(peak, experiment::sgemm_peak_gflops());
  }
  // Under mpirun every rank measures at once, so each peak is what a rank gets beside the others;
  // the job's peak, the MFU's reference, is their sum.
  if (ranks.size() > 1) {
    std::vector<float> peaks(ranks.size());
    const float mine = static_cast<float>(peak);
    ranks.allgather(&mine, 1, peaks.data());
    peak = 0;
    for (const float p : peaks) peak += p;
  }
  settings::Json runs = settings::Json::array(), shapes = settings::Json::array();
  for (const Backend& b : backends) {
    cpu::select_kernels(b.isa, b.gemm);
    const experiment::BenchResult r = experiment::run_bench(size, args["steps"].as<int>(), warmup, peak, parallel);
    runs.push_back({{"gemm", b.label()},
                    {"ms_per_step", r.ms_per_step},
                    {"tokens_per_s", r.tokens_per_s},
                    {"achieved_gflops", r.achieved_gflops},
                    {"mfu", r.mfu},
                    {"peak_rss_mb", r.peak_rss_mb}});
    if (args.count("shapes"))
      for (const auto& g : experiment::bench_gemm_shapes(size))
        shapes.push_back({{"gemm", b.label()},
                          {"layer", g.layer},
                          {"N", g.N},
                          {"IC", g.IC},
                          {"OC", g.OC},
                          {"forward_gflops", g.forward_gflops},
                          {"backward_input_gflops", g.backward_input_gflops},
                          {"backward_weight_gflops", g.backward_weight_gflops}});
  }
  cpu::select_kernels(cpu::Isa::automatic, cpu::GemmBackend::vrev);
  if (!ranks.is_root()) return 0;

  const model::ModelConfig& m = size.model;
  if (args.count("json")) {
    settings::Json j = {{"model", size.name},
                        {"threads", cpu::num_threads()},
                        {"ranks", ranks.size()},
                        {"shards", parallel.shards},
                        {"steps", args["steps"].as<int>()},
                        {"model_gflop_per_step", experiment::model_gflop_per_step(m, size.batch)},
                        {"sgemm_peak_gflops", peak},
                        {"runs", runs}};
    if (args.count("shapes")) j["shapes"] = shapes;
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  std::printf("model %s (B=%d T=%d L=%d C=%d NH=%d V=%d), %d threads, %d steps; sgemm peak %.1f GFLOP/s\n",
              size.name.c_str(), size.batch, m.context, m.layers, m.width, m.heads, m.vocab_size,
              cpu::num_threads(), args["steps"].as<int>(), peak);
  if (ranks.size() > 1 || parallel.shards > 1)
    std::printf("data-parallel: %d ranks x %d threads, %d micro-shards per batch\n", ranks.size(), cpu::num_threads(),
                parallel.shards);
  std::printf("  %-16s %10s %10s %9s %6s %9s\n", "gemm", "ms/step", "tokens/s", "GFLOP/s", "MFU", "peak RSS");
  for (const auto& r : runs)
    std::printf("  %-16s %10.2f %10.0f %9.1f %5.1f%% %6.0f MB\n", r["gemm"].get<std::string>().c_str(),
                r["ms_per_step"].get<double>(), r["tokens_per_s"].get<double>(), r["achieved_gflops"].get<double>(),
                100 * r["mfu"].get<double>(), r["peak_rss_mb"].get<double>());
  if (args.count("shapes")) {
    std::printf("\n  GFLOP/s per product (N x IC -> OC)\n  %-16s %-10s %-18s %8s %8s %8s\n", "gemm", "layer", "shape",
                "forward", "dinput", "dweight");
    for (const auto& g : shapes) {
      const std::string shape = std::to_string(g["N"].get<int>()) + "x" + std::to_string(g["IC"].get<int>()) +
                                "->" + std::to_string(g["OC"].get<int>());
      std::printf("  %-16s %-10s %-18s %8.1f %8.1f %8.1f\n", g["gemm"].get<std::string>().c_str(),
                  g["layer"].get<std::string>().c_str(), shape.c_str(), g["forward_gflops"].get<double>(),
                  g["backward_input_gflops"].get<double>(), g["backward_weight_gflops"].get<double>());
    }
  }
  return 0;
}

}  // namespace vrev::cli
