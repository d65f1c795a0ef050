// Timing full training steps.
#include "experiment/bench.h"

#include <sys/resource.h>

#include <algorithm>
#include <utility>
#include <chrono>
#include <vector>

#include "core/progress.h"
#include "core/rng.h"
#include "kernels/cpu/kernels.h"
#include "train/trainer.h"

namespace vrev::experiment {

namespace {

using Clock = std::chrono::steady_clock;

// Uniform random tokens, all targets weighted: the benchmark's data.
class RandomTokens : public train::BatchSource {
 public:
  RandomTokens(int B, int T, int V) : B_(B), T_(T), V_(V) {}
  void fill(int64_t step, train::Batch& batch) override {
    batch.resize(B_, T_);
    const uint64_t stream = rng::stream_id("bench/tokens");
    for (int i = 0; i < B_ * T_; ++i) {
      const uint64_t base = (uint64_t(step) * B_ * T_ + i) * 2;
      batch.inputs[i] = static_cast<int32_t>(rng::below(0, stream, base, V_));
      batch.targets[i] = static_cast<int32_t>(rng::below(0, stream, base + 1, V_));
      batch.weights[i] = 1.0f;
    }
  }

 private:
  int B_, T_, V_;
};

}  // namespace

double model_gflop_per_step(const model::ModelConfig& m, int B) {
  const double L = m.layers, C = m.width, V = m.vocab_size, T = m.context;
  const double matmul_params = L * 12 * C * C + V * C;  // blocks plus the tied head
  // Attention scores and weighted sums: 2 * 2 * T * C per token and layer forward, halved because
  // the kernels skip the masked upper triangle, times 3 for forward + backward.
  const double per_token = 6 * matmul_params + 6 * L * T * C;
  return per_token * B * T / 1e9;
}

BenchSize bench_size(const std::string& name) {
  if (name == "tiny") return {name, {128, 64, 4, 128, 4}, 32};
  if (name == "small") return {name, {512, 128, 6, 256, 8}, 16};
  if (name == "medium") return {name, {4096, 256, 8, 512, 8}, 8};
  VREV_FAIL("unknown model size '", name, "' (valid: tiny, small, medium)");
}

double sgemm_peak_gflops(int n, int reps) {
  std::vector<float> a(size_t(n) * n), b(a.size()), c(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<float>(rng::normal(1, 1, i));
    b[i] = static_cast<float>(rng::normal(1, 2, i));
  }
  double best = 0;
  for (int r = 0; r < reps; ++r) {
    const auto start = Clock::now();
    kernels::cpu::matmul_forward(c.data(), a.data(), b.data(), nullptr, n, n, n);
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    best = std::max(best, 2.0 * n * n * n / s / 1e9);
  }
  return best;
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // Linux reports kilobytes
}

std::vector<GemmShapeResult> bench_gemm_shapes(const BenchSize& size) {
  const int N = size.batch * size.model.context, C = size.model.width, V = size.model.vocab_size;
  const std::pair<const char*, std::pair<int, int>> layers[] = {
      {"qkv", {C, 3 * C}}, {"attn.proj", {C, C}}, {"mlp.fc", {C, 4 * C}}, {"mlp.proj", {4 * C, C}}, {"head", {C, V}}};
  std::vector<GemmShapeResult> results;
  for (const auto& [layer, shape] : layers) {
    const int IC = shape.first, OC = shape.second;  // plain ints: the lambdas below capture them
    std::vector<float> x(size_t(N) * IC), w(size_t(OC) * IC), y(size_t(N) * OC);
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(rng::normal(2, 1, i));
    for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(rng::normal(2, 2, i));
    for (size_t i = 0; i < y.size(); ++i) y[i] = static_cast<float>(rng::normal(2, 3, i));
    // Best of at least 3 runs and 0.2 s: the products are timed alone, caches warm.
    auto gflops = [&](auto product) {
      product();
      double best = 0, total = 0;
      for (int r = 0; r < 3 || total < 0.2; ++r) {
        const auto start = Clock::now();
        product();
        const double s = std::chrono::duration<double>(Clock::now() - start).count();
        total += s;
        best = std::max(best, 2.0 * N * IC * OC / s / 1e9);
      }
      return best;
    };
    GemmShapeResult g{layer, N, IC, OC};
    g.forward_gflops = gflops([&] { kernels::cpu::matmul_forward(y.data(), x.data(), w.data(), nullptr, N, IC, OC); });
    g.backward_input_gflops =
        gflops([&] { kernels::cpu::matmul_backward_input(x.data(), y.data(), w.data(), N, IC, OC, true); });
    g.backward_weight_gflops =
        gflops([&] { kernels::cpu::matmul_backward_weight(w.data(), y.data(), x.data(), N, IC, OC); });
    results.push_back(g);
  }
  return results;
}

BenchResult run_bench(const BenchSize& size, int steps, int warmup, double sgemm_peak_gflops,
                      train::DataParallel parallel, const kernels::Backend& backend) {
  VREV_CHECK(steps >= 1, "--steps must be at least 1");
  BenchResult r;
  r.size = size;
  r.steps = steps;
  r.threads = kernels::cpu::num_threads();
  model::Gpt<float> gpt(size.model);
  gpt.init(0);
  train::Optimizer opt(train::OptimizerConfig{}, gpt.params().size());
  RandomTokens data(size.batch, size.model.context, size.model.vocab_size);
  train::Trainer trainer(gpt, opt, train::ScheduleConfig{}, warmup + steps, data, parallel, backend);
  r.sgemm_peak_gflops = sgemm_peak_gflops;
  Progress progress("bench " + size.name, warmup + steps);
  for (int i = 0; i < warmup; ++i) {
    trainer.step();
    progress.update(i + 1, "warm-up");
  }
  const auto start = Clock::now();
  for (int i = 0; i < steps; ++i) {
    trainer.step();
    progress.update(warmup + i + 1);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  progress.finish();
  r.ms_per_step = 1e3 * seconds / steps;
  r.tokens_per_s = double(size.batch) * size.model.context * steps / seconds;
  r.model_gflop_per_step = model_gflop_per_step(size.model, size.batch);
  r.achieved_gflops = r.model_gflop_per_step * steps / seconds;
  r.mfu = r.achieved_gflops / r.sgemm_peak_gflops;
  r.peak_rss_mb = peak_rss_mb();
  return r;
}

}  // namespace vrev::experiment
