// Kernel tests: every cpu kernel against its ref twin run in double (forward, backward, the +=
// accumulation and the overwriting of an activation's gradient), bitwise determinism of every cpu kernel across thread counts and instruction
// sets, the GEMM's one-FMA-chain contract, and the ref backward passes
// against central differences in double. Not a benchmark.
#include <omp.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/settings.h"
#include "kernels/cpu/kernels.h"
#include "kernels/ref/ref.h"

namespace cpu = vrev::kernels::cpu;
namespace ref = vrev::kernels::ref;

namespace {

using Vec = std::vector<float>;
using DVec = std::vector<double>;
using Tokens = std::vector<int32_t>;

Vec randn(size_t n, uint32_t seed, float scale = 1.0f, float shift = 0.0f) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> dist(shift, scale);
  Vec v(n);
  for (auto& x : v) x = dist(gen);
  return v;
}

Tokens rand_tokens(size_t n, int V, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int32_t> dist(0, V - 1);
  Tokens v(n);
  for (auto& x : v) x = dist(gen);
  return v;
}

// Random non-negative target rows (N, V); row 0 is one-hot at targets[0] and the last row (when
// N > 1) is scaled by 2.5, so that it does not sum to 1.
Vec soft_targets(int N, int V, const Tokens& targets, uint32_t seed) {
  Vec q = randn((size_t)N * V, seed);
  for (int n = 0; n < N; n++) {
    float* row = q.data() + (size_t)n * V;
    float sum = 0.0f;
    for (int i = 0; i < V; i++) sum += row[i] = std::fabs(row[i]);
    for (int i = 0; i < V; i++) row[i] /= sum;
  }
  for (int i = 0; i < V; i++) q[i] = i == targets[0] ? 1.0f : 0.0f;
  if (N > 1)
    for (int i = 0; i < V; i++) q[(size_t)(N - 1) * V + i] *= 2.5f;
  return q;
}

DVec to_double(const Vec& v) { return DVec(v.begin(), v.end()); }

// What an activation's gradient holds before a backward writes it: old (added to) when
// accumulating, else NaN everywhere, which an overwriting kernel must never read.
Vec gradient_start(bool accumulate, const Vec& old) {
  return accumulate ? old : Vec(old.size(), std::numeric_limits<float>::quiet_NaN());
}

// Largest |got - want| / (1 + |want|) over the arrays; one CHECK per array, with the worst index.
void check_close(const char* what, const Vec& got, const DVec& want, double tol) {
  REQUIRE(got.size() == want.size());
  double worst = 0.0;
  size_t at = 0;
  for (size_t i = 0; i < got.size(); i++) {
    const double err = std::fabs((double)got[i] - want[i]) / (1.0 + std::fabs(want[i]));
    if (!(err <= worst)) {  // also catches NaN
      worst = err;
      at = i;
    }
  }
  INFO(what << ": worst relative error " << worst << " at index " << at << " (got " << (got.empty() ? 0.0 : got[at])
            << ", want " << (want.empty() ? 0.0 : want[at]) << "), tol " << tol);
  CHECK(worst <= tol);
}

// Float accumulation error grows about like sqrt of the reduction length.
double tol_for(long reduction_length) { return 2e-6 * std::sqrt((double)reduction_length + 1.0) + 1e-6; }

// Restores the default thread count however a test section ends.
struct ThreadGuard {
  ~ThreadGuard() { cpu::set_num_threads(0); }
};

// Restores the default kernels (widest instruction set, vrev's GEMM) however a test ends.
struct IsaGuard {
  ~IsaGuard() { cpu::select_kernels(cpu::Isa::automatic, cpu::GemmBackend::vrev); }
};

// The instruction sets this build and CPU run, narrowest first. Where one is missing (AVX-512 on
// an older x86-64 CPU, NEON on any x86-64, AVX2 on AArch64) the tests cover the others, and say so.
std::vector<cpu::Isa> supported_isas() {
  std::vector<cpu::Isa> isas = {cpu::Isa::portable};
  for (cpu::Isa isa : {cpu::Isa::avx2, cpu::Isa::avx512, cpu::Isa::neon}) {
    if (cpu::isa_supported(isa))
      isas.push_back(isa);
    else
      WARN("this machine lacks " << vrev::settings::name_of(isa) << ": its GEMM micro-kernel is not tested here");
  }
  return isas;
}

}  // namespace

// ---- cpu against ref in double -------------------------------------------------------------

TEST_CASE("matmul and bias kernels match ref", "[kernels]") {
  const int shapes[][3] = {{1, 1, 1}, {1, 7, 3}, {7, 12, 5}, {33, 130, 17}, {64, 64, 64}, {130, 33, 257}};
  uint32_t seed = 100;
  for (const auto& s : shapes) {
    const int N = s[0], IC = s[1], OC = s[2];
    INFO("N=" << N << " IC=" << IC << " OC=" << OC);
    const Vec x = randn((size_t)N * IC, seed++), w = randn((size_t)OC * IC, seed++);
    const Vec dy = randn((size_t)N * OC, seed++), bias = randn(OC, seed++);
    const Vec dx0 = randn((size_t)N * IC, seed++), dw0 = randn((size_t)OC * IC, seed++), db0 = randn(OC, seed++);
    const DVec xd = to_double(x), wd = to_double(w), dyd = to_double(dy), biasd = to_double(bias);

    Vec out((size_t)N * OC, 7.0f);  // forward overwrites whatever was there
    DVec outd((size_t)N * OC);
    cpu::matmul_forward(out.data(), x.data(), w.data(), nullptr, N, IC, OC);
    ref::matmul_forward(outd.data(), xd.data(), wd.data(), nullptr, N, IC, OC);
    check_close("matmul_forward", out, outd, tol_for(IC));

    std::fill(out.begin(), out.end(), 7.0f);
    cpu::matmul_forward(out.data(), x.data(), w.data(), bias.data(), N, IC, OC);
    ref::matmul_forward(outd.data(), xd.data(), wd.data(), biasd.data(), N, IC, OC);
    check_close("matmul_forward with bias", out, outd, tol_for(IC));

    for (bool accumulate : {true, false}) {
      INFO("accumulate " << accumulate);
      Vec dx = gradient_start(accumulate, dx0);
      DVec dxd = to_double(dx);
      cpu::matmul_backward_input(dx.data(), dy.data(), w.data(), N, IC, OC, accumulate);
      ref::matmul_backward_input(dxd.data(), dyd.data(), wd.data(), N, IC, OC, accumulate);
      check_close("matmul_backward_input", dx, dxd, tol_for(OC));
    }
    Vec dw = dw0, db = db0;
    DVec dwd = to_double(dw0), dbd = to_double(db0);
    cpu::matmul_backward_weight(dw.data(), dy.data(), x.data(), N, IC, OC);
    ref::matmul_backward_weight(dwd.data(), dyd.data(), xd.data(), N, IC, OC);
    check_close("matmul_backward_weight", dw, dwd, tol_for(N));
    cpu::bias_backward(db.data(), dy.data(), N, OC);
    ref::bias_backward(dbd.data(), dyd.data(), N, OC);
    check_close("bias_backward", db, dbd, tol_for(N));
  }
}

TEST_CASE("layernorm matches ref", "[kernels]") {
  const int shapes[][2] = {{1, 3}, {7, 12}, {33, 130}, {7, 3}, {1, 130}, {300, 512}};
  uint32_t seed = 200;
  for (const auto& s : shapes) {
    const int N = s[0], C = s[1];
    INFO("N=" << N << " C=" << C);
    const Vec x = randn((size_t)N * C, seed++, 2.0f, 0.5f), w = randn(C, seed++, 0.3f, 1.0f), b = randn(C, seed++);
    const Vec dy = randn((size_t)N * C, seed++);
    const Vec dx0 = randn((size_t)N * C, seed++), dw0 = randn(C, seed++), db0 = randn(C, seed++);
    const DVec xd = to_double(x), wd = to_double(w), bd = to_double(b), dyd = to_double(dy);

    Vec out((size_t)N * C), mean(N), rstd(N);
    DVec outd((size_t)N * C), meand(N), rstdd(N);
    cpu::layernorm_forward(out.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), N, C);
    ref::layernorm_forward(outd.data(), meand.data(), rstdd.data(), xd.data(), wd.data(), bd.data(), N, C);
    check_close("layernorm out", out, outd, tol_for(C));
    check_close("layernorm mean", mean, meand, tol_for(C));
    check_close("layernorm rstd", rstd, rstdd, tol_for(C));

    // Backward from the same saved statistics on both sides (the ref's, in double).
    for (bool accumulate : {true, false}) {
      INFO("accumulate " << accumulate);
      Vec dx = gradient_start(accumulate, dx0), dw = dw0, db = db0;
      DVec dxd = to_double(dx), dwd = to_double(dw0), dbd = to_double(db0);
      cpu::layernorm_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), mean.data(), rstd.data(),
                              N, C, accumulate);
      ref::layernorm_backward(dxd.data(), dwd.data(), dbd.data(), dyd.data(), xd.data(), wd.data(), meand.data(),
                              rstdd.data(), N, C, accumulate);
      check_close("layernorm dinp", dx, dxd, tol_for(C));
      check_close("layernorm dweight", dw, dwd, tol_for(N));
      check_close("layernorm dbias", db, dbd, tol_for(N));
    }
  }
}

TEST_CASE("gelu and residual match ref", "[kernels]") {
  uint32_t seed = 300;
  for (long n : {1L, 7L, 33L, 5000L, 70001L}) {
    INFO("n=" << n);
    const Vec x = randn(n, seed++, 4.0f), y = randn(n, seed++), dy = randn(n, seed++);
    const Vec d0 = randn(n, seed++), d1 = randn(n, seed++);
    const DVec xd = to_double(x), yd = to_double(y), dyd = to_double(dy);

    Vec out(n);
    DVec outd(n);
    cpu::gelu_forward(out.data(), x.data(), n);
    ref::gelu_forward(outd.data(), xd.data(), n);
    check_close("gelu_forward", out, outd, 1e-6);
    for (bool accumulate : {true, false}) {
      INFO("accumulate " << accumulate);
      Vec dx = gradient_start(accumulate, d0);
      DVec dxd = to_double(dx);
      cpu::gelu_backward(dx.data(), x.data(), dy.data(), n, accumulate);
      ref::gelu_backward(dxd.data(), xd.data(), dyd.data(), n, accumulate);
      check_close("gelu_backward", dx, dxd, 2e-6);
    }

    cpu::residual_forward(out.data(), x.data(), y.data(), n);
    ref::residual_forward(outd.data(), xd.data(), yd.data(), n);
    check_close("residual_forward", out, outd, 1e-6);
    for (bool accumulate_a : {true, false})
      for (bool accumulate_b : {true, false}) {
        INFO("accumulate a " << accumulate_a << ", b " << accumulate_b);
        Vec da = gradient_start(accumulate_a, d0), db = gradient_start(accumulate_b, d1);
        DVec dad = to_double(da), dbd = to_double(db);
        cpu::residual_backward(da.data(), db.data(), dy.data(), n, accumulate_a, accumulate_b);
        ref::residual_backward(dad.data(), dbd.data(), dyd.data(), n, accumulate_a, accumulate_b);
        check_close("residual_backward da", da, dad, 1e-6);
        check_close("residual_backward db", db, dbd, 1e-6);
      }
  }
}

TEST_CASE("encoder matches ref", "[kernels]") {
  const int shapes[][4] = {{1, 1, 3, 2}, {2, 5, 12, 3}, {4, 17, 130, 7}, {3, 13, 33, 79}, {64, 13, 128, 79}};
  uint32_t seed = 400;
  for (const auto& s : shapes) {
    const int B = s[0], T = s[1], C = s[2], V = s[3], Tmax = T + 3;
    INFO("B=" << B << " T=" << T << " C=" << C << " V=" << V);
    const Tokens tokens = rand_tokens((size_t)B * T, V, seed++);  // small V: tokens repeat
    const Vec wte = randn((size_t)V * C, seed++), wpe = randn((size_t)Tmax * C, seed++);
    const Vec dy = randn((size_t)B * T * C, seed++);
    const Vec dwte0 = randn((size_t)V * C, seed++), dwpe0 = randn((size_t)Tmax * C, seed++);
    const DVec wted = to_double(wte), wped = to_double(wpe), dyd = to_double(dy);

    Vec out((size_t)B * T * C);
    DVec outd((size_t)B * T * C);
    cpu::encoder_forward(out.data(), tokens.data(), wte.data(), wpe.data(), B, T, C);
    ref::encoder_forward(outd.data(), tokens.data(), wted.data(), wped.data(), B, T, C);
    check_close("encoder_forward", out, outd, 1e-6);

    Vec dwte = dwte0, dwpe = dwpe0;
    DVec dwted = to_double(dwte0), dwped = to_double(dwpe0);
    cpu::encoder_backward(dwte.data(), dwpe.data(), dy.data(), tokens.data(), B, T, C);
    ref::encoder_backward(dwted.data(), dwped.data(), dyd.data(), tokens.data(), B, T, C);
    check_close("encoder_backward dwte", dwte, dwted, tol_for((long)B * T));
    check_close("encoder_backward dwpe", dwpe, dwped, tol_for(B));
  }
}

TEST_CASE("attention matches ref", "[kernels]") {
  const int shapes[][4] = {{1, 1, 3, 1},  {2, 5, 12, 2},   {2, 17, 12, 3}, {1, 17, 130, 2},
                           {3, 9, 48, 4}, {2, 13, 128, 4}, {1, 40, 64, 1}};
  uint32_t seed = 500;
  for (const auto& s : shapes) {
    const int B = s[0], T = s[1], C = s[2], NH = s[3];
    INFO("B=" << B << " T=" << T << " C=" << C << " NH=" << NH);
    const size_t nqkv = (size_t)B * T * 3 * C, nout = (size_t)B * T * C, natt = (size_t)B * NH * T * T;
    const Vec qkv = randn(nqkv, seed++), dy = randn(nout, seed++), dqkv0 = randn(nqkv, seed++);
    const DVec qkvd = to_double(qkv), dyd = to_double(dy);

    Vec out(nout), att(natt, 7.0f);  // att must come back zero above the diagonal
    DVec outd(nout), attd(natt);
    cpu::attention_forward(out.data(), att.data(), qkv.data(), B, T, C, NH);
    ref::attention_forward(outd.data(), attd.data(), qkvd.data(), B, T, C, NH);
    check_close("attention out", out, outd, tol_for(T + C / NH));
    check_close("attention att", att, attd, tol_for(T + C / NH));

    for (bool accumulate : {true, false}) {
      INFO("accumulate " << accumulate);
      Vec dqkv = gradient_start(accumulate, dqkv0);
      DVec dqkvd = to_double(dqkv);
      cpu::attention_backward(dqkv.data(), dy.data(), qkv.data(), att.data(), B, T, C, NH, accumulate);
      ref::attention_backward(dqkvd.data(), dyd.data(), qkvd.data(), attd.data(), B, T, C, NH, accumulate);
      check_close("attention dqkv", dqkv, dqkvd, tol_for(T * (C / NH)));
    }
  }
}

TEST_CASE("attention_forward_cached matches attention_forward", "[kernels]") {
  const int B = 2, T = 11, C = 24, NH = 3, Tmax = 16, prefill = 4;
  const long C3 = 3L * C;
  const Vec qkv = randn((size_t)B * T * C3, 600);
  Vec out((size_t)B * T * C), att((size_t)B * NH * T * T);
  cpu::attention_forward(out.data(), att.data(), qkv.data(), B, T, C, NH);

  // The same sequence through the cache: a prefill of several tokens, then one token at a time.
  Vec kcache((size_t)B * Tmax * C, 0.0f), vcache((size_t)B * Tmax * C, 0.0f);
  DVec kd((size_t)B * Tmax * C, 0.0), vd((size_t)B * Tmax * C, 0.0);
  Vec got((size_t)B * T * C);
  DVec gotd((size_t)B * T * C);
  for (int t0 = 0; t0 < T; t0 += (t0 == 0 ? prefill : 1)) {
    const int Tn = t0 == 0 ? prefill : 1;
    Vec chunk((size_t)B * Tn * C3), chunk_out((size_t)B * Tn * C);
    for (int b = 0; b < B; b++)
      std::memcpy(&chunk[(size_t)b * Tn * C3], &qkv[((size_t)b * T + t0) * C3], sizeof(float) * Tn * C3);
    const DVec chunkd = to_double(chunk);
    DVec chunk_outd((size_t)B * Tn * C);
    cpu::attention_forward_cached(chunk_out.data(), kcache.data(), vcache.data(), chunk.data(), B, Tn, t0, Tmax, C, NH);
    ref::attention_forward_cached(chunk_outd.data(), kd.data(), vd.data(), chunkd.data(), B, Tn, t0, Tmax, C, NH);
    for (int b = 0; b < B; b++) {
      std::memcpy(&got[((size_t)b * T + t0) * C], &chunk_out[(size_t)b * Tn * C], sizeof(float) * Tn * C);
      std::memcpy(&gotd[((size_t)b * T + t0) * C], &chunk_outd[(size_t)b * Tn * C], sizeof(double) * Tn * C);
    }
  }
  // Both share one code path, so today they agree bit for bit; the contract promises float rounding.
  DVec outd = to_double(out);
  check_close("cached vs full (cpu)", got, outd, 1e-6);
  check_close("cached cpu vs cached ref", got, gotd, tol_for(T + C / NH));
  // The caches hold exactly the k and v parts of every position written.
  bool exact = true;
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      for (int c = 0; c < C; c++) {
        exact &= kcache[((size_t)b * Tmax + t) * C + c] == qkv[((size_t)b * T + t) * C3 + C + c];
        exact &= vcache[((size_t)b * Tmax + t) * C + c] == qkv[((size_t)b * T + t) * C3 + 2 * C + c];
      }
  CHECK(exact);
}

TEST_CASE("cross entropy matches ref and is stable", "[kernels]") {
  const int shapes[][2] = {{1, 3}, {7, 79}, {33, 130}, {5, 4096}};
  uint32_t seed = 700;
  for (const auto& s : shapes) {
    const int N = s[0], V = s[1];
    INFO("N=" << N << " V=" << V);
    Vec logits = randn((size_t)N * V, seed++, 3.0f);
    Tokens targets = rand_tokens(N, V, seed++);
    // Row 0 is shifted far up (the max must be subtracted) and its target pushed far below the
    // rest, so that its probability underflows in float and only logsumexp gives the loss.
    for (int i = 0; i < V; i++) logits[i] += 1000.0f;
    logits[targets[0]] -= 150.0f;
    const Vec dl = randn(N, seed++), dz0 = randn((size_t)N * V, seed++);
    const DVec logitsd = to_double(logits), dld = to_double(dl);

    Vec losses(N), probs((size_t)N * V);
    DVec lossesd(N), probsd((size_t)N * V);
    cpu::cross_entropy_forward(losses.data(), probs.data(), logits.data(), targets.data(), N, V);
    ref::cross_entropy_forward(lossesd.data(), probsd.data(), logitsd.data(), targets.data(), N, V);
    check_close("cross_entropy losses", losses, lossesd, tol_for(V));
    check_close("cross_entropy probs", probs, probsd, tol_for(V));
    CHECK(std::isfinite(losses[0]));
    CHECK(losses[0] > 100.0f);

    for (bool accumulate : {true, false}) {
      INFO("accumulate " << accumulate);
      Vec dz = gradient_start(accumulate, dz0);
      DVec dzd = to_double(dz);
      cpu::cross_entropy_backward(dz.data(), probs.data(), targets.data(), dl.data(), N, V, accumulate);
      ref::cross_entropy_backward(dzd.data(), probsd.data(), targets.data(), dld.data(), N, V, accumulate);
      check_close("cross_entropy dlogits", dz, dzd, tol_for(V));
    }
  }
}

TEST_CASE("soft cross_entropy matches ref", "[kernels]") {
  const int shapes[][2] = {{1, 3}, {7, 79}, {33, 130}, {5, 4096}};
  uint32_t seed = 750;
  for (const auto& s : shapes) {
    const int N = s[0], V = s[1];
    INFO("N=" << N << " V=" << V);
    Vec logits = randn((size_t)N * V, seed++, 3.0f);
    Tokens targets = rand_tokens(N, V, seed++);
    const Vec q = soft_targets(N, V, targets, seed++);
    // As for the hard targets: row 0 is shifted far up and its one-hot target pushed far below the
    // rest, so that the target's probability underflows in float and only logsumexp gives the loss.
    for (int i = 0; i < V; i++) logits[i] += 1000.0f;
    logits[targets[0]] -= 150.0f;
    const Vec dl = randn(N, seed++), dz0 = randn((size_t)N * V, seed++);
    const DVec logitsd = to_double(logits), qd = to_double(q), dld = to_double(dl);

    Vec losses(N), probs((size_t)N * V);
    DVec lossesd(N), probsd((size_t)N * V);
    cpu::soft_cross_entropy_forward(losses.data(), probs.data(), logits.data(), q.data(), N, V);
    ref::soft_cross_entropy_forward(lossesd.data(), probsd.data(), logitsd.data(), qd.data(), N, V);
    check_close("soft_cross_entropy losses", losses, lossesd, tol_for(V));
    check_close("soft_cross_entropy probs", probs, probsd, tol_for(V));
    CHECK(std::isfinite(losses[0]));
    CHECK(losses[0] > 100.0f);

    for (bool accumulate : {true, false}) {
      INFO("accumulate " << accumulate);
      Vec dz = gradient_start(accumulate, dz0);
      DVec dzd = to_double(dz);
      cpu::soft_cross_entropy_backward(dz.data(), probs.data(), q.data(), dl.data(), N, V, accumulate);
      ref::soft_cross_entropy_backward(dzd.data(), probsd.data(), qd.data(), dld.data(), N, V, accumulate);
      check_close("soft_cross_entropy dlogits", dz, dzd, tol_for(V));
    }
  }
}

// A one-hot target row is a hard target: same losses, probs and dlogits, underflow row included.
TEST_CASE("soft cross_entropy with one-hot targets equals cross_entropy", "[kernels]") {
  const int shapes[][2] = {{1, 3}, {7, 79}, {5, 4096}};
  uint32_t seed = 780;
  for (const auto& s : shapes) {
    const int N = s[0], V = s[1];
    INFO("N=" << N << " V=" << V);
    Vec logits = randn((size_t)N * V, seed++, 3.0f);
    const Tokens targets = rand_tokens(N, V, seed++);
    for (int i = 0; i < V; i++) logits[i] += 1000.0f;
    logits[targets[0]] -= 150.0f;
    Vec onehot((size_t)N * V, 0.0f);
    for (int n = 0; n < N; n++) onehot[(size_t)n * V + targets[n]] = 1.0f;
    const Vec dl = randn(N, seed++), dz0 = randn((size_t)N * V, seed++);

    Vec losses(N), probs((size_t)N * V), dz = dz0;
    cpu::cross_entropy_forward(losses.data(), probs.data(), logits.data(), targets.data(), N, V);
    cpu::cross_entropy_backward(dz.data(), probs.data(), targets.data(), dl.data(), N, V, true);
    Vec soft_losses(N), soft_probs((size_t)N * V), soft_dz = dz0;
    cpu::soft_cross_entropy_forward(soft_losses.data(), soft_probs.data(), logits.data(), onehot.data(), N, V);
    cpu::soft_cross_entropy_backward(soft_dz.data(), soft_probs.data(), onehot.data(), dl.data(), N, V, true);
    check_close("cpu one-hot losses", soft_losses, to_double(losses), tol_for(V));
    check_close("cpu one-hot probs", soft_probs, to_double(probs), tol_for(V));
    check_close("cpu one-hot dlogits", soft_dz, to_double(dz), tol_for(V));
  }
}

TEST_CASE("adamw matches ref", "[kernels]") {
  uint32_t seed = 800;
  for (long n : {1L, 7L, 5000L, 70001L}) {
    for (int t : {1, 10}) {
      INFO("n=" << n << " t=" << t);
      Vec p = randn(n, seed++), g = randn(n, seed++), m = randn(n, seed++, 0.1f), v = randn(n, seed++, 0.1f);
      for (auto& x : v) x = x * x;  // second moments are non-negative
      DVec pd = to_double(p), gd = to_double(g), md = to_double(m), vd = to_double(v);
      cpu::adamw_update(p.data(), g.data(), m.data(), v.data(), n, 1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, t);
      ref::adamw_update(pd.data(), gd.data(), md.data(), vd.data(), n, 1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, t);
      check_close("adamw param", p, pd, 1e-6);
      check_close("adamw m", m, md, 1e-6);
      check_close("adamw v", v, vd, 1e-6);
    }
  }
}

TEST_CASE("reductions match ref", "[kernels]") {
  uint32_t seed = 900;
  for (long n : {0L, 1L, 7L, 8193L, 100000L}) {
    INFO("n=" << n);
    const Vec a = randn(n, seed++, 1.0f, 0.3f), b = randn(n, seed++);
    const double tol = 1e-12 * (1.0 + (double)n);
    CHECK(std::fabs(cpu::sum(a.data(), n) - ref::sum(a.data(), n)) <= tol);
    CHECK(std::fabs(cpu::dot(a.data(), b.data(), n) - ref::dot(a.data(), b.data(), n)) <= tol);
    CHECK(std::fabs(cpu::squared_norm(a.data(), n) - ref::squared_norm(a.data(), n)) <= tol);
  }
}

// ---- thread-count determinism -----------------------------------------------------------------

namespace {

// One cpu kernel call on fixed inputs; returns every output it wrote, as raw bytes.
struct DeterminismCase {
  std::string name;
  std::function<std::vector<unsigned char>()> run;
};

template <class... Vs>
std::vector<unsigned char> bytes_of(const Vs&... vs) {
  std::vector<unsigned char> out;
  auto append = [&](const auto& v) {
    const auto* p = reinterpret_cast<const unsigned char*>(v.data());
    out.insert(out.end(), p, p + v.size() * sizeof(v[0]));
  };
  (append(vs), ...);
  return out;
}

std::vector<DeterminismCase> determinism_cases() {
  std::vector<DeterminismCase> cases;
  // Linear layers. Shapes run from a single row (generation) to the medium model's widest GEMM.
  const int mm[][3] = {{1, 512, 512},   {3, 128, 79},    {7, 130, 33},    {33, 257, 130},
                       {832, 128, 384}, {832, 512, 128}, {2048, 512, 512}};
  uint32_t seed = 1000;
  for (const auto& s : mm) {
    const int N = s[0], IC = s[1], OC = s[2];
    const std::string shape = " N=" + std::to_string(N) + " IC=" + std::to_string(IC) + " OC=" + std::to_string(OC);
    Vec x = randn((size_t)N * IC, seed++), w = randn((size_t)OC * IC, seed++), dy = randn((size_t)N * OC, seed++);
    Vec dx0 = randn((size_t)N * IC, seed++), dw0 = randn((size_t)OC * IC, seed++), bias = randn(OC, seed++);
    cases.push_back({"matmul_forward" + shape, [=] {
                       Vec out((size_t)N * OC);
                       cpu::matmul_forward(out.data(), x.data(), w.data(), bias.data(), N, IC, OC);
                       return bytes_of(out);
                     }});
    cases.push_back({"matmul_backward_input" + shape, [=] {
                       Vec dx = dx0;
                       cpu::matmul_backward_input(dx.data(), dy.data(), w.data(), N, IC, OC, true);
                       return bytes_of(dx);
                     }});
    cases.push_back({"matmul_backward_input, overwriting" + shape, [=] {
                       Vec dx = dx0;
                       cpu::matmul_backward_input(dx.data(), dy.data(), w.data(), N, IC, OC, false);
                       return bytes_of(dx);
                     }});
    cases.push_back({"matmul_backward_weight" + shape, [=] {
                       Vec dw = dw0;
                       cpu::matmul_backward_weight(dw.data(), dy.data(), x.data(), N, IC, OC);
                       return bytes_of(dw);
                     }});
  }
  {
    const int N = 333, OC = 257;
    Vec y0 = randn((size_t)N * OC, seed++), db0 = randn(OC, seed++);
    cases.push_back({"bias_backward", [=] {
                       Vec db = db0;
                       cpu::bias_backward(db.data(), y0.data(), N, OC);
                       return bytes_of(db);
                     }});
  }
  {
    const int N = 333, C = 130;
    Vec x = randn((size_t)N * C, seed++, 2.0f, 0.5f), w = randn(C, seed++, 0.3f, 1.0f), b = randn(C, seed++);
    Vec dy = randn((size_t)N * C, seed++), dx0 = randn((size_t)N * C, seed++);
    Vec dw0 = randn(C, seed++), db0 = randn(C, seed++);
    cases.push_back({"layernorm_forward+backward", [=] {
                       Vec out((size_t)N * C), mean(N), rstd(N), dx = dx0, dw = dw0, db = db0;
                       cpu::layernorm_forward(out.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), N, C);
                       cpu::layernorm_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(),
                                               mean.data(), rstd.data(), N, C, true);
                       return bytes_of(out, mean, rstd, dx, dw, db);
                     }});
  }
  {
    const long n = 100003;
    Vec x = randn(n, seed++, 3.0f), y = randn(n, seed++), dy = randn(n, seed++), d0 = randn(n, seed++);
    cases.push_back({"gelu_forward+backward", [=] {
                       Vec out(n), dx = d0;
                       cpu::gelu_forward(out.data(), x.data(), n);
                       cpu::gelu_backward(dx.data(), x.data(), dy.data(), n, true);
                       return bytes_of(out, dx);
                     }});
    cases.push_back({"residual_forward+backward", [=] {
                       Vec out(n), da = d0, db = y;
                       cpu::residual_forward(out.data(), x.data(), y.data(), n);
                       cpu::residual_backward(da.data(), db.data(), dy.data(), n, true, false);
                       return bytes_of(out, da, db);
                     }});
    Vec m0 = randn(n, seed++, 0.1f), v0 = randn(n, seed++, 0.1f);
    for (auto& e : v0) e = e * e;
    cases.push_back({"adamw_update", [=] {
                       Vec p = x, m = m0, v = v0;
                       cpu::adamw_update(p.data(), dy.data(), m.data(), v.data(), n, 1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f,
                                         3);
                       return bytes_of(p, m, v);
                     }});
  }
  {
    const long n = 1000003;
    Vec a = randn(n, seed++, 1.0f, 0.3f), b = randn(n, seed++);
    cases.push_back({"sum, dot, squared_norm", [=] {
                       std::vector<double> r = {cpu::sum(a.data(), n), cpu::dot(a.data(), b.data(), n),
                                                cpu::squared_norm(a.data(), n)};
                       return bytes_of(r);
                     }});
  }
  {
    const int B = 9, T = 37, C = 130, V = 11;
    Tokens tokens = rand_tokens((size_t)B * T, V, seed++);
    Vec wte = randn((size_t)V * C, seed++), wpe = randn((size_t)T * C, seed++), dy = randn((size_t)B * T * C, seed++);
    Vec dwte0 = randn((size_t)V * C, seed++), dwpe0 = randn((size_t)T * C, seed++);
    cases.push_back({"encoder_forward+backward", [=] {
                       Vec out((size_t)B * T * C), dwte = dwte0, dwpe = dwpe0;
                       cpu::encoder_forward(out.data(), tokens.data(), wte.data(), wpe.data(), B, T, C);
                       cpu::encoder_backward(dwte.data(), dwpe.data(), dy.data(), tokens.data(), B, T, C);
                       return bytes_of(out, dwte, dwpe);
                     }});
  }
  {
    const int B = 3, T = 37, C = 48, NH = 3;
    Vec qkv = randn((size_t)B * T * 3 * C, seed++), dy = randn((size_t)B * T * C, seed++);
    Vec dqkv0 = randn((size_t)B * T * 3 * C, seed++);
    cases.push_back({"attention_forward+backward", [=] {
                       Vec out((size_t)B * T * C), att((size_t)B * NH * T * T), dqkv = dqkv0;
                       cpu::attention_forward(out.data(), att.data(), qkv.data(), B, T, C, NH);
                       cpu::attention_backward(dqkv.data(), dy.data(), qkv.data(), att.data(), B, T, C, NH, true);
                       return bytes_of(out, att, dqkv);
                     }});
    const int Tmax = 80, t0 = 60, Tn = 8;
    Vec kc0 = randn((size_t)B * Tmax * C, seed++), vc0 = randn((size_t)B * Tmax * C, seed++);
    Vec q = randn((size_t)B * Tn * 3 * C, seed++);
    cases.push_back({"attention_forward_cached", [=] {
                       Vec out((size_t)B * Tn * C), kc = kc0, vc = vc0;
                       cpu::attention_forward_cached(out.data(), kc.data(), vc.data(), q.data(), B, Tn, t0, Tmax, C,
                                                     NH);
                       return bytes_of(out, kc, vc);
                     }});
  }
  {
    const int N = 77, V = 1001;
    Vec logits = randn((size_t)N * V, seed++, 3.0f), dl = randn(N, seed++), dz0 = randn((size_t)N * V, seed++);
    Tokens targets = rand_tokens(N, V, seed++);
    cases.push_back({"cross_entropy_forward+backward", [=] {
                       Vec losses(N), probs((size_t)N * V), dz = dz0;
                       cpu::cross_entropy_forward(losses.data(), probs.data(), logits.data(), targets.data(), N, V);
                       cpu::cross_entropy_backward(dz.data(), probs.data(), targets.data(), dl.data(), N, V, true);
                       return bytes_of(losses, probs, dz);
                     }});
    const Vec q = soft_targets(N, V, targets, seed++);
    cases.push_back({"soft_cross_entropy_forward+backward", [=] {
                       Vec losses(N), probs((size_t)N * V), dz = dz0;
                       cpu::soft_cross_entropy_forward(losses.data(), probs.data(), logits.data(), q.data(), N, V);
                       cpu::soft_cross_entropy_backward(dz.data(), probs.data(), q.data(), dl.data(), N, V, true);
                       return bytes_of(losses, probs, dz);
                     }});
  }
  return cases;
}

}  // namespace

TEST_CASE("cpu kernels are bitwise identical for 1, 2 and 3 threads and every instruction set", "[kernels]") {
  ThreadGuard threads_guard;
  IsaGuard isa_guard;
  const std::vector<cpu::Isa> isas = supported_isas();
  for (const auto& c : determinism_cases()) {
    INFO(c.name);
    cpu::set_num_threads(1);
    REQUIRE(cpu::num_threads() == 1);
    cpu::select_kernels(cpu::Isa::portable, cpu::GemmBackend::vrev);
    const auto want = c.run();
    for (cpu::Isa isa : isas) {
      cpu::select_kernels(isa, cpu::GemmBackend::vrev);
      for (int threads : {1, 2, 3}) {
        cpu::set_num_threads(threads);
        const auto got = c.run();
        INFO("isa=" << vrev::settings::name_of(isa) << " threads=" << threads);
        CHECK((got.size() == want.size() && std::memcmp(got.data(), want.data(), got.size()) == 0));
      }
    }
  }
}

// The GEMM's contract (kernels/cpu/gemm/gemm.h), element by element: C[i][j] is one std::fma
// chain over k = 0 .. K-1 in order, started from zero or from C's old value, and with a bias, that
// chain plus bias[j]. Shapes cover edge tiles, K across several cache blocks (256), K = 0, a single
// row, blocks spread over threads, and weight gradients whose K (N = 600 and 520 rows) spans
// several cache blocks, the second with its B packed.
TEST_CASE("the GEMM computes every element as one FMA chain over k in order", "[kernels]") {
  ThreadGuard threads_guard;
  IsaGuard isa_guard;
  const int shapes[][3] = {{1, 1, 1},      {5, 17, 3},    {7, 33, 600}, {97, 65, 257},
                           {200, 300, 40}, {13, 9, 0},    {600, 33, 50}, {520, 140, 20}};
  uint32_t seed = 77;
  for (const auto& s : shapes) {
    const int N = s[0], IC = s[1], OC = s[2];
    Vec x = randn((size_t)N * IC, seed++), w = randn((size_t)OC * IC, seed++), dy = randn((size_t)N * OC, seed++);
    const Vec dx0 = randn((size_t)N * IC, seed++), dw0 = randn((size_t)OC * IC, seed++);
    // out[n][o] = chain over i of x[n][i] w[o][i]; dx[n][i] = dx0 + chain over o of dy[n][o] w[o][i]
    // (or the chain alone, overwriting); dw[o][i] = dw0 + chain over n of dy[n][o] x[n][i].
    const Vec bias = randn(OC, seed++);
    Vec out_want((size_t)N * OC), biased_want((size_t)N * OC), dx_want = dx0, dw_want = dw0;
    Vec dx_fresh_want((size_t)N * IC, 0.0f);
    for (int n = 0; n < N; n++)
      for (int o = 0; o < OC; o++) {
        float acc = 0.0f;
        for (int i = 0; i < IC; i++) acc = std::fma(x[(size_t)n * IC + i], w[(size_t)o * IC + i], acc);
        out_want[(size_t)n * OC + o] = acc;
        biased_want[(size_t)n * OC + o] = acc + bias[o];
      }
    for (int n = 0; n < N; n++)
      for (int i = 0; i < IC; i++) {
        float& acc = dx_want[(size_t)n * IC + i];
        float& fresh = dx_fresh_want[(size_t)n * IC + i];
        for (int o = 0; o < OC; o++) {
          acc = std::fma(dy[(size_t)n * OC + o], w[(size_t)o * IC + i], acc);
          fresh = std::fma(dy[(size_t)n * OC + o], w[(size_t)o * IC + i], fresh);
        }
      }
    for (int o = 0; o < OC; o++)
      for (int i = 0; i < IC; i++) {
        float& acc = dw_want[(size_t)o * IC + i];
        for (int n = 0; n < N; n++) acc = std::fma(dy[(size_t)n * OC + o], x[(size_t)n * IC + i], acc);
      }
    for (cpu::Isa isa : supported_isas())
      for (int threads : {1, 2}) {
        cpu::select_kernels(isa, cpu::GemmBackend::vrev);
        cpu::set_num_threads(threads);
        Vec out((size_t)N * OC, 99.0f), biased((size_t)N * OC, 99.0f), dx = dx0, dw = dw0;
        Vec dx_fresh((size_t)N * IC, 99.0f);
        cpu::matmul_forward(out.data(), x.data(), w.data(), nullptr, N, IC, OC);
        cpu::matmul_forward(biased.data(), x.data(), w.data(), bias.data(), N, IC, OC);
        cpu::matmul_backward_input(dx.data(), dy.data(), w.data(), N, IC, OC, true);
        cpu::matmul_backward_input(dx_fresh.data(), dy.data(), w.data(), N, IC, OC, false);
        cpu::matmul_backward_weight(dw.data(), dy.data(), x.data(), N, IC, OC);
        INFO("N=" << N << " IC=" << IC << " OC=" << OC << " isa=" << vrev::settings::name_of(isa)
                  << " threads=" << threads);
        CHECK(bytes_of(out) == bytes_of(out_want));
        CHECK(bytes_of(biased) == bytes_of(biased_want));
        CHECK(bytes_of(dx) == bytes_of(dx_want));
        CHECK(bytes_of(dx_fresh) == bytes_of(dx_fresh_want));
        CHECK(bytes_of(dw) == bytes_of(dw_want));
      }
  }
}

TEST_CASE("kernel selection: automatic takes the widest instruction set, openblas is selectable", "[kernels]") {
  IsaGuard isa_guard;
  CHECK(cpu::isa_supported(cpu::Isa::portable));
  cpu::select_kernels(cpu::Isa::automatic, cpu::GemmBackend::vrev);
  const cpu::Isa widest = supported_isas().back();
  CHECK(cpu::selected_isa() == widest);
  cpu::select_kernels(cpu::Isa::portable, cpu::GemmBackend::openblas);
  CHECK(cpu::selected_gemm() == cpu::GemmBackend::openblas);
  // OpenBLAS agrees with vrev's GEMM to rounding, not in bits.
  const int N = 37, IC = 300, OC = 41;
  Vec x = randn((size_t)N * IC, 5), w = randn((size_t)OC * IC, 6), bias = randn(OC, 7);
  Vec blas((size_t)N * OC), own((size_t)N * OC);
  cpu::matmul_forward(blas.data(), x.data(), w.data(), bias.data(), N, IC, OC);
  cpu::select_kernels(cpu::Isa::automatic, cpu::GemmBackend::vrev);
  cpu::matmul_forward(own.data(), x.data(), w.data(), bias.data(), N, IC, OC);
  check_close("openblas vs vrev", blas, DVec(own.begin(), own.end()), tol_for(IC));
}

TEST_CASE("set_num_threads(0) restores the default: the cores other work leaves idle", "[kernels]") {
  ThreadGuard guard;
  cpu::set_num_threads(1);
  CHECK(cpu::num_threads() == 1);
  cpu::set_num_threads(0);
  CHECK(cpu::num_threads() >= 1);
  CHECK(cpu::num_threads() <= omp_get_num_procs());
  // A thread that keeps a core busy is other work: the default leaves its core to it.
  std::atomic<bool> stop{false};
  std::thread busy([&] {
    while (!stop.load(std::memory_order_relaxed)) {
    }
  });
  const int idle = cpu::idle_cores();
  stop = true;
  busy.join();
  CHECK(idle >= 1);
  CHECK(idle <= std::max(1, omp_get_num_procs() - 1));
}

// ---- ref backward against central differences, in double ------------------------------------

namespace {

// One op as a function of its differentiable inputs. Integer inputs (tokens, targets) and saved
// forward state live in the lambdas; backward accumulates (+=) into din, as every kernel does.
struct GradCase {
  std::string name;
  std::vector<DVec> inputs;
  size_t nout;
  std::function<void(const std::vector<DVec>& in, DVec& out)> forward;
  std::function<void(const std::vector<DVec>& in, const DVec& dout, std::vector<DVec>& din)> backward;
};

DVec drandn(size_t n, uint32_t seed, double scale = 1.0, double shift = 0.0) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> dist(shift, scale);
  DVec v(n);
  for (auto& x : v) x = dist(gen);
  return v;
}

// Checks backward against (L(x + e) - L(x - e)) / 2e for L = sum(out * w), w random, per input.
// din starts from random values, so the check also covers the += policy.
void check_gradients(const GradCase& op, uint32_t seed) {
  INFO("op " << op.name);
  const double eps = 1e-6;
  const DVec w = drandn(op.nout, seed);
  auto loss = [&](const std::vector<DVec>& in) {
    DVec out(op.nout);
    op.forward(in, out);
    double l = 0.0;
    for (size_t i = 0; i < out.size(); i++) l += out[i] * w[i];
    return l;
  };
  std::vector<DVec> din, din0;
  for (size_t k = 0; k < op.inputs.size(); k++) din0.push_back(drandn(op.inputs[k].size(), seed + 1 + k));
  din = din0;
  op.backward(op.inputs, w, din);
  std::vector<DVec> in = op.inputs;
  for (size_t k = 0; k < in.size(); k++) {
    double worst = 0.0;
    size_t at = 0;
    for (size_t j = 0; j < in[k].size(); j++) {
      const double x = in[k][j];
      in[k][j] = x + eps;
      const double lp = loss(in);
      in[k][j] = x - eps;
      const double lm = loss(in);
      in[k][j] = x;
      const double numeric = (lp - lm) / (2 * eps);
      const double analytic = din[k][j] - din0[k][j];
      const double err = std::fabs(numeric - analytic) / (1.0 + std::fabs(numeric));
      if (!(err <= worst)) {
        worst = err;
        at = j;
      }
    }
    INFO("input " << k << ": worst relative error " << worst << " at index " << at);
    CHECK(worst <= 1e-6);
  }
}

std::vector<GradCase> grad_cases() {
  std::vector<GradCase> cases;
  uint32_t seed = 2000;
  {
    const int N = 3, IC = 5, OC = 4;
    cases.push_back(
        {"matmul with bias",
         {drandn(N * IC, seed++), drandn(OC * IC, seed++), drandn(OC, seed++)},
         (size_t)N * OC,
         [=](const auto& in, DVec& out) {
           ref::matmul_forward(out.data(), in[0].data(), in[1].data(), in[2].data(), N, IC, OC);
         },
         [=](const auto& in, const DVec& dout, auto& din) {
           ref::matmul_backward_input(din[0].data(), dout.data(), in[1].data(), N, IC, OC, true);
           ref::matmul_backward_weight(din[1].data(), dout.data(), in[0].data(), N, IC, OC);
           ref::bias_backward(din[2].data(), dout.data(), N, OC);
         }});
  }
  {
    const int N = 3, C = 5;
    auto fwd = [=](const std::vector<DVec>& in, DVec& out, DVec& mean, DVec& rstd) {
      ref::layernorm_forward(out.data(), mean.data(), rstd.data(), in[0].data(), in[1].data(), in[2].data(), N, C);
    };
    cases.push_back({"layernorm",
                     {drandn(N * C, seed++, 2.0, 0.5), drandn(C, seed++, 0.3, 1.0), drandn(C, seed++)},
                     (size_t)N * C,
                     [=](const auto& in, DVec& out) {
                       DVec mean(N), rstd(N);
                       fwd(in, out, mean, rstd);
                     },
                     [=](const auto& in, const DVec& dout, auto& din) {
                       DVec out(N * C), mean(N), rstd(N);
                       fwd(in, out, mean, rstd);
                       ref::layernorm_backward(din[0].data(), din[1].data(), din[2].data(), dout.data(), in[0].data(),
                                               in[1].data(), mean.data(), rstd.data(), N, C, true);
                     }});
  }
  {
    const long n = 11;
    cases.push_back({"gelu",
                     {drandn(n, seed++, 2.0)},
                     (size_t)n,
                     [=](const auto& in, DVec& out) { ref::gelu_forward(out.data(), in[0].data(), n); },
                     [=](const auto& in, const DVec& dout, auto& din) {
                       ref::gelu_backward(din[0].data(), in[0].data(), dout.data(), n, true);
                     }});
  }
  {
    const long n = 6;
    cases.push_back(
        {"residual",
         {drandn(n, seed++), drandn(n, seed++)},
         (size_t)n,
         [=](const auto& in, DVec& out) { ref::residual_forward(out.data(), in[0].data(), in[1].data(), n); },
         [=](const auto&, const DVec& dout, auto& din) {
           ref::residual_backward(din[0].data(), din[1].data(), dout.data(), n, true, true);
         }});
  }
  {
    const int B = 2, T = 3, C = 4, V = 3;
    const Tokens tokens = {2, 0, 2, 1, 2, 2};  // repeats: the scatter-add must sum them
    cases.push_back({"encoder",
                     {drandn(V * C, seed++), drandn(T * C, seed++)},
                     (size_t)B * T * C,
                     [=](const auto& in, DVec& out) {
                       ref::encoder_forward(out.data(), tokens.data(), in[0].data(), in[1].data(), B, T, C);
                     },
                     [=](const auto&, const DVec& dout, auto& din) {
                       ref::encoder_backward(din[0].data(), din[1].data(), dout.data(), tokens.data(), B, T, C);
                     }});
  }
  {
    const int B = 2, T = 4, C = 6, NH = 2;
    cases.push_back({"attention",
                     {drandn(B * T * 3 * C, seed++)},
                     (size_t)B * T * C,
                     [=](const auto& in, DVec& out) {
                       DVec att(B * NH * T * T);
                       ref::attention_forward(out.data(), att.data(), in[0].data(), B, T, C, NH);
                     },
                     [=](const auto& in, const DVec& dout, auto& din) {
                       DVec out(B * T * C), att(B * NH * T * T);
                       ref::attention_forward(out.data(), att.data(), in[0].data(), B, T, C, NH);
                       ref::attention_backward(din[0].data(), dout.data(), in[0].data(), att.data(), B, T, C, NH, true);
                     }});
  }
  {
    const int N = 3, V = 5;
    const Tokens targets = {4, 0, 2};
    cases.push_back({"cross_entropy",
                     {drandn(N * V, seed++, 2.0)},
                     (size_t)N,
                     [=](const auto& in, DVec& out) {
                       DVec probs(N * V);
                       ref::cross_entropy_forward(out.data(), probs.data(), in[0].data(), targets.data(), N, V);
                     },
                     [=](const auto& in, const DVec& dout, auto& din) {
                       DVec losses(N), probs(N * V);
                       ref::cross_entropy_forward(losses.data(), probs.data(), in[0].data(), targets.data(), N, V);
                       ref::cross_entropy_backward(din[0].data(), probs.data(), targets.data(), dout.data(), N, V, true);
                     }});
  }
  {
    const int N = 3, V = 5;
    // Row 0 sums to 1, row 1 is one-hot, row 2 sums to 1.5.
    const DVec q = {0.1, 0.2, 0.3, 0.25, 0.15, 0, 0, 1, 0, 0, 0.5, 0, 0.4, 0.1, 0.5};
    cases.push_back({"soft_cross_entropy",
                     {drandn(N * V, seed++, 2.0)},
                     (size_t)N,
                     [=](const auto& in, DVec& out) {
                       DVec probs(N * V);
                       ref::soft_cross_entropy_forward(out.data(), probs.data(), in[0].data(), q.data(), N, V);
                     },
                     [=](const auto& in, const DVec& dout, auto& din) {
                       DVec losses(N), probs(N * V);
                       ref::soft_cross_entropy_forward(losses.data(), probs.data(), in[0].data(), q.data(), N, V);
                       ref::soft_cross_entropy_backward(din[0].data(), probs.data(), q.data(), dout.data(), N, V, true);
                     }});
  }
  return cases;
}

}  // namespace

TEST_CASE("ref backward passes match central differences in double", "[kernels]") {
  uint32_t seed = 3000;
  for (const auto& op : grad_cases()) check_gradients(op, seed += 10);
}
