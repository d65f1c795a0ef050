#pragma once
// The training-speed benchmark behind `vrev bench`: full steps (forward, backward, AdamW) of a
// fixed-size model on random tokens, timed after warm-up, against the sgemm peak measured here.
#include <string>

#include "model/config.h"

namespace vrev::experiment {

struct BenchSize {
  std::string name;
  model::ModelConfig model;
  int batch;
};
// tiny, small, medium (the error lists them).
BenchSize bench_size(const std::string& name);

struct BenchResult {
  BenchSize size;
  int steps = 0, threads = 0;
  double ms_per_step = 0, tokens_per_s = 0;
  double model_gflop_per_step = 0;  // 6N + causal attention (half of PaLM's 12LTC)
  double achieved_gflops = 0, sgemm_peak_gflops = 0, mfu = 0;
  double peak_rss_mb = 0;
};

BenchResult run_bench(const BenchSize& size, int steps, int warmup);
// Best GFLOP/s of a square sgemm of side n at the current thread count.
double sgemm_peak_gflops(int n = 1536, int reps = 8);
double peak_rss_mb();

}  // namespace vrev::experiment
