#pragma once
// The training-speed benchmark behind `vrev bench`: full steps (forward, backward, AdamW) of a
// fixed-size model on random tokens, timed after warm-up, against the sgemm peak measured here;
// and the throughput of each of the model's matrix products, per GEMM backend.
#include <string>
#include <vector>

#include "model/config.h"
#include "train/trainer.h"

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

// Times steps with the kernels selected now, on `backend` (the CPU's, or a device's);
// sgemm_peak_gflops is the reference for the MFU (on a device: its FP32 peak). `parallel`:
// micro-shards per batch and the ranks sharing them (data-parallel training; tokens/s counts the
// whole batch, so it is the job's throughput).
BenchResult run_bench(const BenchSize& size, int steps, int warmup, double sgemm_peak_gflops,
                      train::DataParallel parallel = {}, const kernels::Backend& backend = kernels::cpu_backend());
// Best GFLOP/s of a square sgemm of side n with the kernels selected now.
double sgemm_peak_gflops(int n = 1536, int reps = 8);

// One Linear layer's three products (forward, backward to the input, backward to the weight) at
// the size's N = B * T rows, with the kernels selected now: best-of-reps GFLOP/s of each.
struct GemmShapeResult {
  std::string layer;  // qkv, attn.proj, mlp.fc, mlp.proj, head
  int N = 0, IC = 0, OC = 0;
  double forward_gflops = 0, backward_input_gflops = 0, backward_weight_gflops = 0;
};
std::vector<GemmShapeResult> bench_gemm_shapes(const BenchSize& size);
double peak_rss_mb();
// Model FLOPs of one training step: 6 per parameter of every product and token, plus the causal
// attention's scores and weighted sums.
double model_gflop_per_step(const model::ModelConfig& m, int batch);

}  // namespace vrev::experiment
