#pragma once
// The CUDA kernels as grids of threads, written once for two launchers. Each kernel is a count of
// threads and what thread i computes: one output element, row or column (a product's thread: a
// register tile of output elements), by a call into kernels/cuda/arithmetic/ in the CPU kernel's
// order. kernels/cuda/kernels.cu runs the grids on the GPU; kernels/cuda/on_host.cpp runs the same
// grids as loops on the CPU, which is how CI tests what every GPU thread computes without a GPU
// (tests/test_cuda_arithmetic.cpp). No thread reads an output another thread of its grid writes
// (a product's threads share only the inputs they stage), so the order the threads run in changes
// no bit.
//
// A launcher L provides L::run(count, f), calling f(i) for every i in [0, count); L::gemm(g), the
// product g in tiles (kernels/cuda/arithmetic/gemm_tile.h: blocks of threads that stage slabs of
// the operands in shared memory, each thread a register tile of chains); L::scratch<T>(n), n
// elements of T in L's memory, valid until the next call; L::read(p), one double copied to the
// host. Pointers are in L's memory.
#include <cmath>
#include <cstdint>

#include "kernels/cuda/arithmetic/attention.h"
#include "kernels/cuda/arithmetic/cross_entropy.h"
#include "kernels/cuda/arithmetic/elementwise.h"
#include "kernels/cuda/arithmetic/encoder.h"
#include "kernels/cuda/arithmetic/gemm_tile.h"
#include "kernels/cuda/arithmetic/layernorm.h"
#include "kernels/cuda/arithmetic/matmul.h"
#include "kernels/cuda/arithmetic/reduce.h"
#include "kernels/host_device.h"
#include "kernels/kernel_set.h"

namespace vrev::kernels::grid {

namespace a = arithmetic;

// ---- Linear layers: the products in tiles, and one thread per bias column ---------------------
template <class L>
void matmul_forward(float* out, const float* inp, const float* weight, const float* bias, int N, int IC, int OC) {
  L::gemm(a::forward_operands(out, inp, weight, bias, N, IC, OC));
}

template <class L>
void matmul_backward_input(float* dinp, const float* dout, const float* weight, int N, int IC, int OC,
                           bool accumulate) {
  L::gemm(a::backward_input_operands(dinp, dout, weight, N, IC, OC, accumulate));
}

template <class L>
void matmul_backward_weight(float* dweight, const float* dout, const float* inp, int N, int IC, int OC) {
  L::gemm(a::backward_weight_operands(dweight, dout, inp, N, IC, OC));
}

template <class L>
void bias_backward(float* dbias, const float* dout, int N, int OC) {
  L::run(OC, [=] VREV_HD_LAMBDA(long o) { a::bias_backward_at(dbias, dout, N, OC, o); });
}

// ---- LayerNorm: one thread per row, and per column for the parameters' gradients --------------
template <class L>
void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* weight, const float* bias,
                       int N, int C) {
  L::run(N, [=] VREV_HD_LAMBDA(long n) { a::layernorm_forward_row(out, mean, rstd, inp, weight, bias, C, n); });
}

template <class L>
void layernorm_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                        const float* weight, const float* mean, const float* rstd, int N, int C, bool accumulate) {
  if (N <= 0 || C <= 0) return;
  L::run(N, [=] VREV_HD_LAMBDA(long n) {
    a::layernorm_backward_input_row(dinp, dout, inp, weight, mean, rstd, C, n, accumulate);
  });
  L::run(C, [=] VREV_HD_LAMBDA(long c) {
    a::layernorm_backward_params_at(dweight, dbias, dout, inp, mean, rstd, N, C, c);
  });
}

// ---- Elementwise: one thread per element ------------------------------------------------------
template <class L>
void gelu_forward(float* out, const float* inp, long n) {
  L::run(n, [=] VREV_HD_LAMBDA(long i) { out[i] = a::gelu(inp[i]); });
}

template <class L>
void gelu_backward(float* dinp, const float* inp, const float* dout, long n, bool accumulate) {
  L::run(n, [=] VREV_HD_LAMBDA(long i) { a::write_gradient(dinp[i], a::gelu_backward(inp[i], dout[i]), accumulate); });
}

template <class L>
void residual_forward(float* out, const float* x, const float* y, long n) {
  L::run(n, [=] VREV_HD_LAMBDA(long i) { out[i] = x[i] + y[i]; });
}

template <class L>
void residual_backward(float* dx, float* dy, const float* dout, long n, bool accumulate_x, bool accumulate_y) {
  L::run(n, [=] VREV_HD_LAMBDA(long i) {
    a::write_gradient(dx[i], dout[i], accumulate_x);
    a::write_gradient(dy[i], dout[i], accumulate_y);
  });
}

template <class L>
void sum_parts(float* out, const float* parts, int count, long n, long stride) {
  L::run(n, [=] VREV_HD_LAMBDA(long i) { out[i] = a::sum_parts_at(parts, count, stride, i); });
}

template <class L>
void adamw_update(float* param, const float* grad, float* m, float* v, long n, float lr, float beta1, float beta2,
                  float eps, float weight_decay, int t) {
  const a::AdamW step = a::adamw_constants(lr, beta1, beta2, eps, weight_decay, t);
  L::run(n, [=] VREV_HD_LAMBDA(long i) { a::adamw_at(param, grad, m, v, i, step); });
}

// ---- Embedding: one thread per element; a token's gradient row by the thread of its first row --
template <class L>
void encoder_forward(float* out, const int32_t* tokens, const float* wte, const float* wpe, int B, int T, int C) {
  L::run((long)B * T * C,
         [=] VREV_HD_LAMBDA(long i) { a::encoder_forward_at(out, tokens, wte, wpe, T, C, i / C, i % C); });
}

template <class L>
void encoder_backward(float* dwte, float* dwpe, const float* dout, const int32_t* tokens, int B, int T, int C) {
  if (B * T <= 0 || C <= 0) return;
  L::run((long)T * C, [=] VREV_HD_LAMBDA(long i) { a::encoder_backward_wpe_at(dwpe, dout, B, T, C, i / C, i % C); });
  L::run((long)B * T * C,
         [=] VREV_HD_LAMBDA(long i) { a::encoder_backward_wte_at(dwte, dout, tokens, B * T, C, i / C, i % C); });
}

// ---- Attention: one thread per query row (probabilities, score gradients), then per element ----
template <class L>
void attention_forward(float* out, float* att, const float* qkv, int B, int T, int C, int NH) {
  const int HS = C / NH;
  const long C3 = 3L * C;
  const float scale = 1.0f / std::sqrt((float)HS);
  L::run((long)B * NH * T, [=] VREV_HD_LAMBDA(long i) {
    const long pair = i / T;
    const int t = i % T, b = pair / NH, h = pair % NH;
    const float* q = qkv + ((long)b * T + t) * C3 + h * HS;
    const float* k = qkv + (long)b * T * C3 + C + h * HS;  // key 0 of the pair
    float* p = att + (pair * T + t) * T;
    a::attention_probs_row(p, T, q, k, C3, t + 1, HS, scale);
    const int kend = a::attention_key_end(t, 0, T);
    float* y = out + ((long)b * T + t) * C + h * HS;
    for (int c = 0; c < HS; c++) y[c] = a::attention_output_at(p, k + C, C3, kend, c);
  });
}

template <class L>
void attention_backward(float* dqkv, const float* dout, const float* qkv, const float* att, int B, int T, int C, int NH,
                        bool accumulate) {
  const int HS = C / NH;
  const long C3 = 3L * C, TT = (long)T * T;
  const float scale = 1.0f / std::sqrt((float)HS);
  float* d = L::template scratch<float>((long)B * NH * TT);  // (B, NH, T, T) score gradients
  L::run((long)B * NH * T, [=] VREV_HD_LAMBDA(long i) {
    const long pair = i / T;
    const int t = i % T, b = pair / NH, h = pair % NH;
    const float* v = qkv + (long)b * T * C3 + 2 * C + h * HS;  // value 0 of the pair
    a::attention_dscores_row(d + (pair * T + t) * T, att + (pair * T + t) * T, dout + ((long)b * T + t) * C + h * HS, v,
                             C3, t, T, HS, scale);
  });
  L::run((long)B * T * C, [=] VREV_HD_LAMBDA(long i) {  // element (b, t, h, c) of q's, k's and v's gradients
    const int b = i / ((long)T * C), t = i / C % T, h = i % C / HS, c = i % C % HS;
    const long pair = (long)b * NH + h;
    const float* q = qkv + (long)b * T * C3 + h * HS;  // query 0 of the pair
    const float* dy = dout + (long)b * T * C + h * HS;
    float* g = dqkv + ((long)b * T + t) * C3 + h * HS + c;
    a::write_gradient(g[0], a::attention_dq_at(d + pair * TT, q + C, C3, t, T, c), accumulate);
    a::write_gradient(g[C], a::attention_dk_at(d + pair * TT, q, C3, t, T, c), accumulate);
    a::write_gradient(g[2 * C], a::attention_dv_at(att + pair * TT, dy, C, t, T, c), accumulate);
  });
}

// Generation: the new tokens' keys and values into the caches (one thread per element), then one
// thread per new query, which attends to the cached positions up to its own.
template <class L>
void attention_forward_cached(float* out, float* kcache, float* vcache, const float* qkv, int B, int Tn, int t0,
                              int Tmax, int C, int NH) {
  const int HS = C / NH, nk = t0 + Tn;
  const long C3 = 3L * C;
  const float scale = 1.0f / std::sqrt((float)HS);
  L::run((long)B * Tn * C, [=] VREV_HD_LAMBDA(long i) {
    const long row = i / C;  // new token j of batch b
    const int c = i % C, b = row / Tn, j = row % Tn;
    kcache[((long)b * Tmax + t0 + j) * C + c] = qkv[row * C3 + C + c];
    vcache[((long)b * Tmax + t0 + j) * C + c] = qkv[row * C3 + 2 * C + c];
  });
  float* probs = L::template scratch<float>((long)B * NH * Tn * nk);  // (B, NH, Tn, nk)
  L::run((long)B * NH * Tn, [=] VREV_HD_LAMBDA(long i) {
    const long pair = i / Tn;
    const int j = i % Tn, b = pair / NH, h = pair % NH;
    const float* q = qkv + ((long)b * Tn + j) * C3 + h * HS;
    const float* k = kcache + (long)b * Tmax * C + h * HS;  // position 0 of the pair
    float* p = probs + i * nk;
    a::attention_probs_row(p, nk, q, k, C, t0 + j + 1, HS, scale);
    const int kend = a::attention_key_end(j, t0, Tn);
    const float* v = vcache + (long)b * Tmax * C + h * HS;
    float* y = out + ((long)b * Tn + j) * C + h * HS;
    for (int c = 0; c < HS; c++) y[c] = a::attention_output_at(p, v, C, kend, c);
  });
}

// ---- Cross-entropy: one thread per row, or per logit for the hard targets' gradient -----------
template <class L>
void cross_entropy_forward(float* losses, float* probs, const float* logits, const int32_t* targets, int N, int V) {
  L::run(N, [=] VREV_HD_LAMBDA(long n) { a::cross_entropy_forward_row(losses, probs, logits, targets, V, n); });
}

template <class L>
void cross_entropy_backward(float* dlogits, const float* probs, const int32_t* targets, const float* dlosses, int N,
                            int V, bool accumulate) {
  L::run((long)N * V, [=] VREV_HD_LAMBDA(long i) {
    a::cross_entropy_backward_at(dlogits, probs, targets, dlosses, V, i / V, i % V, accumulate);
  });
}

template <class L>
void soft_cross_entropy_forward(float* losses, float* probs, const float* logits, const float* target_probs, int N,
                                int V) {
  L::run(N,
         [=] VREV_HD_LAMBDA(long n) { a::soft_cross_entropy_forward_row(losses, probs, logits, target_probs, V, n); });
}

template <class L>
void soft_cross_entropy_backward(float* dlogits, const float* probs, const float* target_probs, const float* dlosses,
                                 int N, int V, bool accumulate) {
  L::run(N, [=] VREV_HD_LAMBDA(long n) {
    a::soft_cross_entropy_backward_row(dlogits, probs, target_probs, dlosses, V, n, accumulate);
  });
}

// ---- Reductions: one thread per chunk, then one thread adds the chunks in order ----------------
template <class L>
double sum(const float* x, long n) {
  const long nchunk = a::reduce_chunks(n);
  if (nchunk == 0) return 0.0;
  double* partial = L::template scratch<double>(nchunk + 1);  // the chunks' sums, then the total
  L::run(nchunk, [=] VREV_HD_LAMBDA(long k) { partial[k] = a::sum_chunk(x, n, k); });
  L::run(1, [=] VREV_HD_LAMBDA(long) { partial[nchunk] = a::combine_chunks(partial, nchunk); });
  return L::read(partial + nchunk);
}

template <class L>
double dot(const float* x, const float* y, long n) {
  const long nchunk = a::reduce_chunks(n);
  if (nchunk == 0) return 0.0;
  double* partial = L::template scratch<double>(nchunk + 1);
  L::run(nchunk, [=] VREV_HD_LAMBDA(long k) { partial[k] = a::dot_chunk(x, y, n, k); });
  L::run(1, [=] VREV_HD_LAMBDA(long) { partial[nchunk] = a::combine_chunks(partial, nchunk); });
  return L::read(partial + nchunk);
}

template <class L>
double squared_norm(const float* x, long n) {
  return dot<L>(x, x, n);
}

// The grids above as a kernel set run by L.
template <class L>
KernelSet kernel_set(const char* name) {
  return {name,
          &matmul_forward<L>,
          &matmul_backward_input<L>,
          &matmul_backward_weight<L>,
          &bias_backward<L>,
          &layernorm_forward<L>,
          &layernorm_backward<L>,
          &gelu_forward<L>,
          &gelu_backward<L>,
          &residual_forward<L>,
          &residual_backward<L>,
          &sum_parts<L>,
          &encoder_forward<L>,
          &encoder_backward<L>,
          &attention_forward<L>,
          &attention_backward<L>,
          &attention_forward_cached<L>,
          &cross_entropy_forward<L>,
          &cross_entropy_backward<L>,
          &soft_cross_entropy_forward<L>,
          &soft_cross_entropy_backward<L>,
          &adamw_update<L>,
          &sum<L>,
          &dot<L>,
          &squared_norm<L>};
}

}  // namespace vrev::kernels::grid
