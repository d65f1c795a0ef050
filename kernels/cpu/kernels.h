#pragma once
// The fast CPU kernels: vrev's own GEMM (kernels/cpu/gemm/) for the matrix products, OpenMP for
// the rest; OpenBLAS's sgemm can be selected instead as a speed reference.
// Every function here has a templated twin of the same name and argument order in kernels/ref/,
// and tests/test_kernels.cpp holds each pair against the other in double.
//
// Vocabulary (as in llm.c): B batch, T time, C channels, NH heads, HS = C / NH head size,
// V vocabulary, N = B * T rows, IC / OC input / output channels of a Linear.
// Accumulation policy (the one statement of it; every kernel file says only which of its outputs
// are which): forward outputs are overwritten (=). A backward accumulates (+=) into the
// gradients of parameters (dweight, dbias, dwte, dwpe), so micro-shards' gradients sum; into the
// gradient of an activation (dinp, da, db, dqkv, dlogits) it accumulates or overwrites as the
// caller's `accumulate` says: the tape overwrites with the first contribution of a backward pass,
// so it never has to zero an activation's gradient first. Overwriting gives the value that adding
// to a zeroed buffer gives.
// Determinism: no kernel's result depends on the OpenMP thread count, the instruction set or the
// machine. Every sum runs in an order fixed by the shapes alone: the GEMM as one FMA chain per
// output element, reductions over fixed chunks (kReduceChunk) and lanes combined in a fixed
// order; exp and log are vrev's own (kernels/math.h), and the build never fuses a multiply and an
// add unless the code asks for an FMA. The one exception is GemmBackend::openblas, whose results
// depend on the kernel OpenBLAS picks for the CPU.
#include <array>
#include <atomic>
#include <cstdint>
#include <utility>

#include "kernels/sum_order.h"

namespace vrev::kernels::cpu {

using kernels::kReduceChunk;  // the shared sum orders: kernels/sum_order.h

// Threads for OpenMP and OpenBLAS together. n <= 0 restores the default: the cores that other
// work is not keeping busy right now (idle_cores), so that a laptop already running something
// does not have vrev's threads spin-waiting against it. Results do not depend on the count.
void set_num_threads(int n);
// The cores minus the other runnable tasks (Linux: /proc/stat's procs_running, the least of a few
// samples, less this thread), at least 1; elsewhere every core.
int idle_cores();
// A worker thread's share of the cores, for threads that run units of work side by side
// (experiment/unit_pool.h): the pool points each worker at one count, which it raises as workers
// run out of units; follow_thread_share() sets this thread's OpenMP team size to it (OpenMP's
// setting is per thread), and does nothing on a thread without a share. Results do not depend on
// the thread count, so a share may change between any two kernels.
void set_thread_share(const std::atomic<int>* share);
void follow_thread_share();
int num_threads();

// ---- Kernel selection ------------------------------------------------------------------------
// The instruction set of the GEMM's micro-kernel; automatic takes the widest the CPU has. Every
// choice gives the same bits: it changes the speed, never the result. avx512 and avx2 exist on
// x86-64, neon on AArch64, portable everywhere.
enum class Isa { automatic, avx512, avx2, neon, portable };
// vrev: the deterministic GEMM (the default). openblas: OpenBLAS's sgemm, a speed reference whose
// results depend on the CPU and, for some kernels, on the thread count.
enum class GemmBackend { vrev, openblas };
constexpr std::array<std::pair<Isa, const char*>, 5> enum_names(Isa) {
  return {{{Isa::automatic, "auto"},
           {Isa::avx512, "avx512"},
           {Isa::avx2, "avx2"},
           {Isa::neon, "neon"},
           {Isa::portable, "portable"}}};
}
constexpr std::array<std::pair<GemmBackend, const char*>, 2> enum_names(GemmBackend) {
  return {{{GemmBackend::vrev, "vrev"}, {GemmBackend::openblas, "openblas"}}};
}
// Whether this build and CPU run isa (automatic and portable always do).
bool isa_supported(Isa isa);
// Selects the kernels for every later call; isa must be supported. Not thread-safe: call it
// before any kernel runs, as the CLI does from the configuration.
void select_kernels(Isa isa, GemmBackend gemm);
// The instruction set in use (never automatic) and the backend.
Isa selected_isa();
GemmBackend selected_gemm();

// ---- Linear layers: y = x W^T + b, W stored (OC, IC) ---------------------------------------
// out (N, OC) = inp (N, IC) @ weight (OC, IC)^T + bias (OC), or without a bias when it is null
void matmul_forward(float* out, const float* inp, const float* weight, const float* bias, int N, int IC, int OC);
// dinp (N, IC) (+)= dout (N, OC) @ weight (OC, IC)
void matmul_backward_input(float* dinp, const float* dout, const float* weight, int N, int IC, int OC,
                           bool accumulate);
// dweight (OC, IC) += dout (N, OC)^T @ inp (N, IC)
void matmul_backward_weight(float* dweight, const float* dout, const float* inp, int N, int IC, int OC);
// dbias (OC) += sum over rows of dout (N, OC)
void bias_backward(float* dbias, const float* dout, int N, int OC);

// ---- LayerNorm over the last dimension, eps 1e-5 --------------------------------------------
// out (N, C); mean, rstd (N) are saved for the backward pass.
void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* weight,
                       const float* bias, int N, int C);
// dinp (N, C) (+)=; dweight, dbias (C) +=.
void layernorm_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                        const float* weight, const float* mean, const float* rstd, int N, int C, bool accumulate);

// ---- Elementwise ------------------------------------------------------------------------------
// GELU, tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
void gelu_forward(float* out, const float* inp, long n);
// dinp (+)= gelu'(inp) * dout
void gelu_backward(float* dinp, const float* inp, const float* dout, long n, bool accumulate);
// out = a + b
void residual_forward(float* out, const float* a, const float* b, long n);
// da (+)= dout; db (+)= dout
void residual_backward(float* da, float* db, const float* dout, long n, bool accumulate_a, bool accumulate_b);
// out = parts[0] + parts[1] + ... + parts[count - 1], added in that order; part k starts at
// parts + k * stride (how micro-shards' gradients add up the same way on any number of ranks)
void sum_parts(float* out, const float* parts, int count, long n, long stride);

// ---- Token + position embedding ---------------------------------------------------------------
// out (B, T, C) = wte[tokens[b, t]] + wpe[t]; tokens (B, T), wte (V, C), wpe (>= T, C)
void encoder_forward(float* out, const int32_t* tokens, const float* wte, const float* wpe, int B, int T,
                     int C);
// Scatter-add of dout into the rows of dwte and dwpe that the forward read.
void encoder_backward(float* dwte, float* dwpe, const float* dout, const int32_t* tokens, int B, int T,
                      int C);

// ---- Causal multi-head self-attention ---------------------------------------------------------
// qkv (B, T, 3C) holds [q | k | v] along the last axis, each NH contiguous heads of HS.
// att (B, NH, T, T) receives the softmax probabilities (zero above the diagonal);
// out (B, T, C) the heads' weighted sums, heads concatenated. Scores are scaled by 1/sqrt(HS).
void attention_forward(float* out, float* att, const float* qkv, int B, int T, int C, int NH);
// dqkv (B, T, 3C) (+)= the gradient through q, k and v, given dout (B, T, C) and att from the forward.
void attention_backward(float* dqkv, const float* dout, const float* qkv, const float* att, int B, int T, int C,
                        int NH, bool accumulate);
// Incremental attention for generation. qkv (B, Tn, 3C) are the projections of Tn new tokens at
// positions t0 .. t0+Tn-1; their k and v are written into kcache, vcache (B, Tmax, C), then
// out (B, Tn, C) is computed with each new query attending causally to positions 0 .. its own.
void attention_forward_cached(float* out, float* kcache, float* vcache, const float* qkv, int B, int Tn,
                              int t0, int Tmax, int C, int NH);

// ---- Softmax cross-entropy, fused -------------------------------------------------------------
// probs (N, V) = softmax(logits); losses (N) = -log probs[i, targets[i]].
void cross_entropy_forward(float* losses, float* probs, const float* logits, const int32_t* targets, int N,
                           int V);
// dlogits (N, V) (+)= (probs - onehot(targets)) * dlosses[i]
void cross_entropy_backward(float* dlogits, const float* probs, const int32_t* targets, const float* dlosses,
                            int N, int V, bool accumulate);
// Against soft targets target_probs (N, V), rows q not necessarily normalised:
// probs (N, V) = softmax(logits); losses (N) = -sum_j q[i, j] log probs[i, j].
void soft_cross_entropy_forward(float* losses, float* probs, const float* logits, const float* target_probs, int N,
                                int V);
// dlogits (N, V) (+)= (probs sum_j q[i, j] - q) * dlosses[i]
void soft_cross_entropy_backward(float* dlogits, const float* probs, const float* target_probs, const float* dlosses,
                                 int N, int V, bool accumulate);

// ---- AdamW (decoupled weight decay, bias-corrected moments); t is the 1-based step ------------
void adamw_update(float* param, const float* grad, float* m, float* v, long n, float lr, float beta1,
                  float beta2, float eps, float weight_decay, int t);

// ---- Reductions, accumulated in double over fixed chunks ---------------------------------------
double sum(const float* x, long n);
double dot(const float* a, const float* b, long n);
double squared_norm(const float* x, long n);

}  // namespace vrev::kernels::cpu
