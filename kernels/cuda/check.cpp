// The check cases (kernels/cuda/check.h): the shapes and inputs of tests/test_kernels.cpp, one
// case per kernel call, and the bitwise comparison of two runs.
#include "kernels/cuda/check.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>

namespace vrev::kernels::check {

namespace {

using Vec = std::vector<float>;
using Ints = std::vector<int32_t>;
using Values = std::vector<double>;

Vec randn(long n, uint32_t seed, float scale = 1.0f, float shift = 0.0f) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> dist(shift, scale);
  Vec v(n);
  for (auto& x : v) x = dist(gen);
  return v;
}

Ints rand_ints(long n, int bound, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int32_t> dist(0, bound - 1);
  Ints v(n);
  for (auto& x : v) x = dist(gen);
  return v;
}

// What an activation's gradient holds before a backward writes it: the old value to add to, or
// NaN where the kernel overwrites (and must not read).
Vec gradient_start(bool accumulate, long n, uint32_t seed) {
  return accumulate ? randn(n, seed) : Vec(n, std::numeric_limits<float>::quiet_NaN());
}

const char* way(bool accumulate) { return accumulate ? " (+=)" : " (=)"; }

std::string dims(std::initializer_list<std::pair<const char*, long>> named) {
  std::string s;
  for (const auto& [name, value] : named) s += (s.empty() ? "" : " ") + std::string(name) + "=" + std::to_string(value);
  return s;
}

// A case's call receives f[k], float array k, and t[k], int array k.
using Floats = float* const*;
using Tokens = const int32_t* const*;

void add_matmul(std::vector<Case>& cases, uint32_t& seed) {
  const int shapes[][3] = {{1, 1, 1},      {1, 7, 3},      {7, 12, 5},     {33, 130, 17},  {64, 64, 64},
                           {130, 33, 257}, {7, 33, 600},   {97, 65, 257},  {200, 300, 40}, {13, 9, 0},
                           {600, 33, 50},  {520, 140, 20}, {832, 128, 384}};
  for (const auto& s : shapes) {
    const int N = s[0], IC = s[1], OC = s[2];
    const std::string shape = dims({{"N", N}, {"IC", IC}, {"OC", OC}});
    const Vec x = randn((long)N * IC, seed++), w = randn((long)OC * IC, seed++), dy = randn((long)N * OC, seed++);
    const Vec bias = randn(OC, seed++), out((long)N * OC, 7.0f);  // a forward overwrites out
    cases.push_back({"matmul_forward", shape, {out, x, w}, {}, [=](const KernelSet& k, Floats f, Tokens) {
                       k.matmul_forward(f[0], f[1], f[2], nullptr, N, IC, OC);
                       return Values{};
                     }});
    cases.push_back({"matmul_forward (bias)", shape, {out, x, w, bias}, {}, [=](const KernelSet& k, Floats f, Tokens) {
                       k.matmul_forward(f[0], f[1], f[2], f[3], N, IC, OC);
                       return Values{};
                     }});
    for (bool acc : {true, false})
      cases.push_back({std::string("matmul_backward_input") + way(acc),
                       shape,
                       {gradient_start(acc, (long)N * IC, seed++), dy, w},
                       {},
                       [=](const KernelSet& k, Floats f, Tokens) {
                         k.matmul_backward_input(f[0], f[1], f[2], N, IC, OC, acc);
                         return Values{};
                       }});
    cases.push_back({"matmul_backward_weight",
                     shape,
                     {randn((long)OC * IC, seed++), dy, x},
                     {},
                     [=](const KernelSet& k, Floats f, Tokens) {
                       k.matmul_backward_weight(f[0], f[1], f[2], N, IC, OC);
                       return Values{};
                     }});
    cases.push_back({"bias_backward", shape, {randn(OC, seed++), dy}, {}, [=](const KernelSet& k, Floats f, Tokens) {
                       k.bias_backward(f[0], f[1], N, OC);
                       return Values{};
                     }});
  }
  // Gradients that stay -0.0: added to -0.0, products of +0.0 and negative values. A chain that
  // ran a padded step past K's end, fma(0, 0, -0.0), would turn them into +0.0.
  const int N = 3, IC = 5, OC = 7;
  const std::string shape = dims({{"N", N}, {"IC", IC}, {"OC", OC}}) + ", signed zeros";
  Vec negative = randn((long)OC * IC, seed++);
  for (float& x : negative) x = -std::abs(x) - 0.5f;
  const Vec minus_zeros((long)OC * IC, -0.0f), zeros((long)N * OC, 0.0f);
  cases.push_back({"matmul_backward_input (+=)",
                   shape,
                   {Vec((long)N * IC, -0.0f), zeros, negative},
                   {},
                   [=](const KernelSet& k, Floats f, Tokens) {
                     k.matmul_backward_input(f[0], f[1], f[2], N, IC, OC, true);
                     return Values{};
                   }});
  cases.push_back({"matmul_backward_weight",
                   shape,
                   {minus_zeros, zeros, Vec(negative.begin(), negative.begin() + N * IC)},
                   {},
                   [=](const KernelSet& k, Floats f, Tokens) {
                     k.matmul_backward_weight(f[0], f[1], f[2], N, IC, OC);
                     return Values{};
                   }});
}

void add_layernorm(std::vector<Case>& cases, uint32_t& seed) {
  const int shapes[][2] = {{1, 3}, {7, 12}, {33, 130}, {7, 3}, {1, 130}, {300, 512}, {333, 130}};
  for (const auto& s : shapes) {
    const int N = s[0], C = s[1];
    const std::string shape = dims({{"N", N}, {"C", C}});
    const Vec x = randn((long)N * C, seed++, 2.0f, 0.5f), w = randn(C, seed++, 0.3f, 1.0f), b = randn(C, seed++);
    const Vec dy = randn((long)N * C, seed++);
    Vec out((long)N * C), mean(N), rstd(N);  // the backward's saved statistics, from the CPU forward
    cpu::layernorm_forward(out.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), N, C);
    cases.push_back({"layernorm_forward",
                     shape,
                     {Vec((long)N * C), Vec(N), Vec(N), x, w, b},
                     {},
                     [=](const KernelSet& k, Floats f, Tokens) {
                       k.layernorm_forward(f[0], f[1], f[2], f[3], f[4], f[5], N, C);
                       return Values{};
                     }});
    for (bool acc : {true, false})
      cases.push_back(
          {std::string("layernorm_backward") + way(acc),
           shape,
           {gradient_start(acc, (long)N * C, seed++), randn(C, seed++), randn(C, seed++), dy, x, w, mean, rstd},
           {},
           [=](const KernelSet& k, Floats f, Tokens) {
             k.layernorm_backward(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], N, C, acc);
             return Values{};
           }});
  }
}

void add_elementwise(std::vector<Case>& cases, uint32_t& seed) {
  for (long n : {1L, 7L, 33L, 5000L, 70001L, 100003L}) {
    const std::string shape = dims({{"n", n}});
    const Vec x = randn(n, seed++, 4.0f), y = randn(n, seed++), dy = randn(n, seed++);
    cases.push_back({"gelu_forward", shape, {Vec(n), x}, {}, [=](const KernelSet& k, Floats f, Tokens) {
                       k.gelu_forward(f[0], f[1], n);
                       return Values{};
                     }});
    for (bool acc : {true, false})
      cases.push_back({std::string("gelu_backward") + way(acc),
                       shape,
                       {gradient_start(acc, n, seed++), x, dy},
                       {},
                       [=](const KernelSet& k, Floats f, Tokens) {
                         k.gelu_backward(f[0], f[1], f[2], n, acc);
                         return Values{};
                       }});
    cases.push_back({"residual_forward", shape, {Vec(n), x, y}, {}, [=](const KernelSet& k, Floats f, Tokens) {
                       k.residual_forward(f[0], f[1], f[2], n);
                       return Values{};
                     }});
    for (bool acc : {true, false})
      cases.push_back({std::string("residual_backward") + way(acc),
                       shape,
                       {gradient_start(acc, n, seed++), gradient_start(!acc, n, seed++), dy},
                       {},
                       [=](const KernelSet& k, Floats f, Tokens) {
                         k.residual_backward(f[0], f[1], f[2], n, acc, !acc);
                         return Values{};
                       }});
    const int count = 3;
    cases.push_back({"sum_parts",
                     shape + " parts=3",
                     {Vec(n), randn(count * (n + 5), seed++)},
                     {},
                     [=](const KernelSet& k, Floats f, Tokens) {
                       k.sum_parts(f[0], f[1], count, n, n + 5);
                       return Values{};
                     }});
    for (int t : {1, 10}) {
      Vec v = randn(n, seed++, 0.1f);
      for (auto& e : v) e = e * e;  // second moments are non-negative
      cases.push_back({"adamw_update",
                       shape + " t=" + std::to_string(t),
                       {randn(n, seed++), dy, randn(n, seed++, 0.1f), v},
                       {},
                       [=](const KernelSet& k, Floats f, Tokens) {
                         k.adamw_update(f[0], f[1], f[2], f[3], n, 1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, t);
                         return Values{};
                       }});
    }
  }
}

void add_encoder(std::vector<Case>& cases, uint32_t& seed) {
  const int shapes[][4] = {{1, 1, 3, 2},    {2, 5, 12, 3},     {4, 17, 130, 7},
                           {3, 13, 33, 79}, {64, 13, 128, 79}, {9, 37, 130, 11}};
  for (const auto& s : shapes) {
    const int B = s[0], T = s[1], C = s[2], V = s[3];
    const std::string shape = dims({{"B", B}, {"T", T}, {"C", C}, {"V", V}});
    const Ints tokens = rand_ints((long)B * T, V, seed++);  // a small V: tokens repeat
    cases.push_back({"encoder_forward",
                     shape,
                     {Vec((long)B * T * C), randn((long)V * C, seed++), randn((long)T * C, seed++)},
                     {tokens},
                     [=](const KernelSet& k, Floats f, Tokens t) {
                       k.encoder_forward(f[0], t[0], f[1], f[2], B, T, C);
                       return Values{};
                     }});
    cases.push_back({"encoder_backward",
                     shape,
                     {randn((long)V * C, seed++), randn((long)T * C, seed++), randn((long)B * T * C, seed++)},
                     {tokens},
                     [=](const KernelSet& k, Floats f, Tokens t) {
                       k.encoder_backward(f[0], f[1], f[2], t[0], B, T, C);
                       return Values{};
                     }});
  }
}

void add_attention(std::vector<Case>& cases, uint32_t& seed) {
  const int shapes[][4] = {{1, 1, 3, 1},  {2, 5, 12, 2},   {2, 17, 12, 3}, {1, 17, 130, 2},
                           {3, 9, 48, 4}, {2, 13, 128, 4}, {1, 40, 64, 1}, {3, 37, 48, 3}};
  for (const auto& s : shapes) {
    const int B = s[0], T = s[1], C = s[2], NH = s[3];
    const std::string shape = dims({{"B", B}, {"T", T}, {"C", C}, {"NH", NH}});
    const long nqkv = (long)B * T * 3 * C, nout = (long)B * T * C, natt = (long)B * NH * T * T;
    const Vec qkv = randn(nqkv, seed++), dy = randn(nout, seed++);
    Vec out(nout), att(natt);  // the backward's probabilities, from the CPU forward
    cpu::attention_forward(out.data(), att.data(), qkv.data(), B, T, C, NH);
    cases.push_back(
        {"attention_forward", shape, {Vec(nout), Vec(natt, 7.0f), qkv}, {}, [=](const KernelSet& k, Floats f, Tokens) {
           k.attention_forward(f[0], f[1], f[2], B, T, C, NH);
           return Values{};
         }});
    for (bool acc : {true, false})
      cases.push_back({std::string("attention_backward") + way(acc),
                       shape,
                       {gradient_start(acc, nqkv, seed++), dy, qkv, att},
                       {},
                       [=](const KernelSet& k, Floats f, Tokens) {
                         k.attention_backward(f[0], f[1], f[2], f[3], B, T, C, NH, acc);
                         return Values{};
                       }});
  }
}

void add_attention_cached(std::vector<Case>& cases, uint32_t& seed) {
  // A prefill of several tokens, one token after it, an odd number of tokens, and the kernel tests'
  // late step (positions 60 .. 67 of 80).
  const int shapes[][6] = {{2, 24, 3, 16, 0, 4}, {2, 24, 3, 16, 4, 1}, {1, 130, 2, 20, 3, 5}, {3, 48, 3, 80, 60, 8}};
  for (const auto& s : shapes) {
    const int B = s[0], C = s[1], NH = s[2], Tmax = s[3], t0 = s[4], Tn = s[5];
    const std::string shape = dims({{"B", B}, {"C", C}, {"NH", NH}, {"Tmax", Tmax}, {"t0", t0}, {"Tn", Tn}});
    cases.push_back({"attention_forward_cached",
                     shape,
                     {Vec((long)B * Tn * C), randn((long)B * Tmax * C, seed++), randn((long)B * Tmax * C, seed++),
                      randn((long)B * Tn * 3 * C, seed++)},
                     {},
                     [=](const KernelSet& k, Floats f, Tokens) {
                       k.attention_forward_cached(f[0], f[1], f[2], f[3], B, Tn, t0, Tmax, C, NH);
                       return Values{};
                     }});
  }
}

// Random non-negative target rows (N, V), each summing to 1, but row 0 one-hot at targets[0] and
// the last row (when N > 1) scaled by 2.5.
Vec soft_targets(int N, int V, const Ints& targets, uint32_t seed) {
  Vec q = randn((long)N * V, seed);
  for (int n = 0; n < N; n++) {
    float* row = q.data() + (long)n * V;
    float sum = 0.0f;
    for (int i = 0; i < V; i++) sum += row[i] = std::fabs(row[i]);
    for (int i = 0; i < V; i++) row[i] /= sum;
  }
  for (int i = 0; i < V; i++) q[i] = i == targets[0] ? 1.0f : 0.0f;
  if (N > 1)
    for (int i = 0; i < V; i++) q[(long)(N - 1) * V + i] *= 2.5f;
  return q;
}

void add_cross_entropy(std::vector<Case>& cases, uint32_t& seed) {
  const int shapes[][2] = {{1, 3}, {7, 79}, {33, 130}, {5, 4096}, {77, 1001}};
  for (const auto& s : shapes) {
    const int N = s[0], V = s[1];
    const std::string shape = dims({{"N", N}, {"V", V}});
    Vec logits = randn((long)N * V, seed++, 3.0f);
    const Ints targets = rand_ints(N, V, seed++);
    // Row 0 far up (the max must be subtracted), its target far below the rest (its probability
    // underflows: only logsumexp gives the loss).
    for (int i = 0; i < V; i++) logits[i] += 1000.0f;
    logits[targets[0]] -= 150.0f;
    const Vec q = soft_targets(N, V, targets, seed++), dl = randn(N, seed++);
    Vec losses(N), probs((long)N * V), soft_losses(N), soft_probs((long)N * V);  // the backward's, from the CPU
    cpu::cross_entropy_forward(losses.data(), probs.data(), logits.data(), targets.data(), N, V);
    cpu::soft_cross_entropy_forward(soft_losses.data(), soft_probs.data(), logits.data(), q.data(), N, V);
    cases.push_back({"cross_entropy_forward",
                     shape,
                     {Vec(N), Vec((long)N * V), logits},
                     {targets},
                     [=](const KernelSet& k, Floats f, Tokens t) {
                       k.cross_entropy_forward(f[0], f[1], f[2], t[0], N, V);
                       return Values{};
                     }});
    cases.push_back({"soft_cross_entropy_forward",
                     shape,
                     {Vec(N), Vec((long)N * V), logits, q},
                     {},
                     [=](const KernelSet& k, Floats f, Tokens) {
                       k.soft_cross_entropy_forward(f[0], f[1], f[2], f[3], N, V);
                       return Values{};
                     }});
    for (bool acc : {true, false}) {
      cases.push_back({std::string("cross_entropy_backward") + way(acc),
                       shape,
                       {gradient_start(acc, (long)N * V, seed++), probs, dl},
                       {targets},
                       [=](const KernelSet& k, Floats f, Tokens t) {
                         k.cross_entropy_backward(f[0], f[1], t[0], f[2], N, V, acc);
                         return Values{};
                       }});
      cases.push_back({std::string("soft_cross_entropy_backward") + way(acc),
                       shape,
                       {gradient_start(acc, (long)N * V, seed++), soft_probs, q, dl},
                       {},
                       [=](const KernelSet& k, Floats f, Tokens) {
                         k.soft_cross_entropy_backward(f[0], f[1], f[2], f[3], N, V, acc);
                         return Values{};
                       }});
    }
  }
}

void add_reductions(std::vector<Case>& cases, uint32_t& seed) {
  for (long n : {0L, 1L, 7L, 8193L, 100000L, 1000003L}) {
    const Vec x = randn(n, seed++, 1.0f, 0.3f), y = randn(n, seed++);
    cases.push_back({"sum, dot, squared_norm", dims({{"n", n}}), {x, y}, {}, [=](const KernelSet& k, Floats f, Tokens) {
                       return Values{k.sum(f[0], n), k.dot(f[0], f[1], n), k.squared_norm(f[0], n)};
                     }});
  }
}

// "index i: want <bits> (value), got <bits> (value)" for a value of either width.
template <class S, class U>
std::string describe(long i, S want, S got) {
  U wb, gb;
  std::memcpy(&wb, &want, sizeof wb);
  std::memcpy(&gb, &got, sizeof gb);
  char line[160];
  std::snprintf(line, sizeof line, "index %ld: want %.9g (0x%llx), got %.9g (0x%llx)", i, (double)want,
                (unsigned long long)wb, (double)got, (unsigned long long)gb);
  return line;
}

// Adds the comparison of two arrays of S (bits U) to c; index numbers run on over the arrays.
template <class S, class U>
void compare_values(Comparison& c, const std::vector<S>& want, const std::vector<S>& got) {
  for (size_t i = 0; i < want.size(); i++, c.compared++) {
    if (i < got.size() && std::memcmp(&want[i], &got[i], sizeof(S)) == 0) continue;
    if (c.differing++ == 0) c.first_difference = describe<S, U>(c.compared, want[i], i < got.size() ? got[i] : S{});
  }
}

}  // namespace

std::vector<Case> cases() {
  std::vector<Case> all;
  uint32_t seed = 1;
  add_matmul(all, seed);
  add_layernorm(all, seed);
  add_elementwise(all, seed);
  add_encoder(all, seed);
  add_attention(all, seed);
  add_attention_cached(all, seed);
  add_cross_entropy(all, seed);
  add_reductions(all, seed);
  return all;
}

Results run_on_host(const Case& c, const KernelSet& set) {
  Results r{c.arrays, {}};
  std::vector<float*> f;
  std::vector<const int32_t*> t;
  for (auto& a : r.arrays) f.push_back(a.data());
  for (const auto& a : c.ints) t.push_back(a.data());
  r.values = c.call(set, f.data(), t.data());
  return r;
}

Comparison compare(const Results& want, const Results& got) {
  Comparison c;
  for (size_t k = 0; k < want.arrays.size(); k++)
    compare_values<float, uint32_t>(c, want.arrays[k], k < got.arrays.size() ? got.arrays[k] : std::vector<float>{});
  compare_values<double, uint64_t>(c, want.values, got.values);
  return c;
}

}  // namespace vrev::kernels::check
