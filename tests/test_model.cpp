// The whole GPT: a double-precision gradient check of every parameter, float against double
// (the double model runs the independent ref/ kernels), layout and init, hooks, learning.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <optional>

#include "alloc_counter.h"
#include "model/generate.h"
#include "model/gpt.h"
#include "model/parameter_distance.h"
#include "model/sites.h"
#include "test_helpers.h"
#include "train/trainer.h"

using vrev::autograd::NoGrad;
using vrev::autograd::Tape;
using vrev::autograd::Var;
using vrev::model::Gpt;

namespace {

// Masked mean cross-entropy of the model on the fixed batch.
template <class T>
double loss_of(Gpt<T>& gpt, const vrev::train::Batch& b, const std::vector<T>& weights, bool backward) {
  Tape<T> tape;
  std::optional<NoGrad<T>> guard;
  if (!backward) guard.emplace(tape);
  Var logits = gpt.forward(tape, b.inputs.data(), b.B, b.T);
  Var loss = vrev::autograd::cross_entropy(tape, logits, b.targets.data(), weights.data());
  if (backward) tape.backward(loss);
  return tape.value(loss)[0];
}

}  // namespace

TEST_CASE("parameters follow docs/architecture.md's names, shapes and order", "[model]") {
  Gpt<float> gpt(vrev::test::tiny_config());
  const auto& v = gpt.params().views();
  REQUIRE(v.size() == 2 + 12 * 2 + 2);
  CHECK(v[0].name == "wte.weight");
  CHECK(v[0].shape == vrev::Shape{11, 8});
  CHECK(v[2].name == "blocks.0.ln1.weight");
  CHECK(v[4].name == "blocks.0.attn.qkv.weight");
  CHECK(v[4].shape == vrev::Shape{24, 8});
  CHECK(v[12].name == "blocks.0.mlp.proj.weight");
  CHECK(v[12].shape == vrev::Shape{8, 32});
  CHECK(v.back().name == "ln_f.bias");
  CHECK(v.back().offset + v.back().numel() == gpt.params().size());
  CHECK(v[4].decay);
  CHECK_FALSE(v[5].decay);
}

TEST_CASE("init is a function of (seed, name) with GPT-2's statistics", "[model]") {
  vrev::model::ModelConfig cfg{64, 16, 2, 64, 4};
  Gpt<float> a(cfg), b(cfg), c(cfg);
  a.init(5);
  b.init(5);
  c.init(6);
  CHECK(std::equal(a.params().values(), a.params().values() + a.params().size(), b.params().values()));
  CHECK_FALSE(std::equal(a.params().values(), a.params().values() + a.params().size(), c.params().values()));
  auto stddev = [&](int index) {
    const auto& view = a.params().views()[index];
    double s = 0;
    for (size_t i = 0; i < view.numel(); ++i) s += double(a.params().value(index)[i]) * a.params().value(index)[i];
    return std::sqrt(s / view.numel());
  };
  using P = vrev::model::Parameters<float>;
  CHECK(stddev(P::wte()) == Approx(0.02).epsilon(0.05));
  CHECK(stddev(P::block(0, vrev::model::kAttnProjWeight)) == Approx(0.02 / std::sqrt(4.0)).epsilon(0.05));
  CHECK(a.params().value(P::block(1, vrev::model::kLn2Weight))[3] == 1.0f);
  CHECK(a.params().value(P::block(1, vrev::model::kFcBias))[3] == 0.0f);
}

TEST_CASE("whole-model gradient check of every parameter, in double", "[model][gradcheck]") {
  vrev::test::FixedBatches data(2, 5, 11);
  vrev::train::Batch batch;
  data.fill(0, batch);
  const std::vector<double> weights(batch.weights.begin(), batch.weights.end());
  Gpt<double> gpt(vrev::test::tiny_config());
  gpt.init(1);
  // Larger weights than GPT-2's init so every path carries signal.
  for (size_t i = 0; i < gpt.params().size(); ++i) gpt.params().values()[i] *= 10;
  loss_of(gpt, batch, weights, true);
  const std::vector<double> analytic(gpt.params().grads(), gpt.params().grads() + gpt.params().size());
  const double eps = 1e-5;
  double worst = 0;
  size_t worst_index = 0;
  for (size_t i = 0; i < gpt.params().size(); ++i) {
    double& w = gpt.params().values()[i];
    const double saved = w;
    w = saved + eps;
    const double up = loss_of(gpt, batch, weights, false);
    w = saved - eps;
    const double down = loss_of(gpt, batch, weights, false);
    w = saved;
    const double numeric = (up - down) / (2 * eps);
    const double err = std::abs(numeric - analytic[i]) / (1e-4 + std::abs(numeric));
    if (err > worst) worst = err, worst_index = i;
  }
  INFO("worst relative error " << worst << " at parameter element " << worst_index);
  CHECK(worst < 1e-5);
}

TEST_CASE("the float model (OpenBLAS kernels) matches the double model (ref kernels)", "[model]") {
  vrev::test::FixedBatches data(3, 7, 11);
  vrev::train::Batch batch;
  data.fill(0, batch);
  Gpt<float> f(vrev::test::tiny_config());
  Gpt<double> d(vrev::test::tiny_config());
  f.init(2);
  for (size_t i = 0; i < f.params().size(); ++i) d.params().values()[i] = f.params().values()[i];
  const double lf = loss_of(f, batch, batch.weights, true);
  const double ld = loss_of(d, batch, std::vector<double>(batch.weights.begin(), batch.weights.end()), true);
  CHECK(lf == Approx(ld).epsilon(1e-5));
  double max_diff = 0, max_grad = 0;
  for (size_t i = 0; i < f.params().size(); ++i) {
    max_diff = std::max(max_diff, std::abs(double(f.params().grads()[i]) - d.params().grads()[i]));
    max_grad = std::max(max_grad, std::abs(d.params().grads()[i]));
  }
  CHECK(max_diff < 1e-4 * max_grad);
}

TEST_CASE("forward hooks read and replace activations, one per site, and sites name the residual stream", "[model]") {
  Gpt<float> gpt(vrev::test::tiny_config());
  gpt.init(0);
  const std::vector<int32_t> tokens = {1, 2, 3, 4};
  const int site = vrev::model::site_index("blocks.1.resid_post", 2);
  CHECK(vrev::model::site_name(site, 2) == "blocks.1.resid_post");
  CHECK_THROWS_WITH(vrev::model::site_index("blocks.9.resid_post", 2), Catch::Contains("unknown activation site"));

  Tape<float> tape;
  NoGrad<float> guard(tape);
  std::vector<float> captured;
  gpt.set_forward_hook(site, [&](float* act, const vrev::Shape& s) { captured.assign(act, act + s.numel()); });
  Var logits = gpt.forward(tape, tokens.data(), 1, 4);
  std::vector<float> plain(tape.value(logits), tape.value(logits) + 4 * 11);
  Var h = gpt.forward_to_site(tape, tokens.data(), 1, 4, site);
  REQUIRE(captured.size() == 4 * 8);
  CHECK(std::equal(captured.begin(), captured.end(), tape.value(h)));

  CHECK_THROWS_WITH(gpt.set_forward_hook(site, [](float*, const vrev::Shape&) {}),
                    Catch::Contains("'blocks.1.resid_post' already has a forward hook"));
  gpt.set_forward_hook(site, nullptr);
  gpt.set_forward_hook(site, [](float* act, const vrev::Shape& s) { std::fill(act, act + s.numel(), 0.0f); });
  Var zeroed = gpt.forward(tape, tokens.data(), 1, 4);
  // With the last block's output zeroed the final LayerNorm yields its bias: all logits equal
  // across positions.
  CHECK(tape.value(zeroed)[0] == tape.value(zeroed)[11]);
  CHECK_FALSE(std::equal(plain.begin(), plain.end(), tape.value(zeroed)));
}

TEST_CASE("greedy generation with the KV cache equals argmax of full forwards", "[model][generate]") {
  Gpt<float> gpt(vrev::test::tiny_config());
  gpt.init(4);
  for (size_t i = 0; i < gpt.params().size(); ++i) gpt.params().values()[i] *= 20;  // peaky logits
  const std::vector<int32_t> prompts = {1, 2, 3, 5, 7, 9};  // (B=2, P=3)
  vrev::model::GenerateOptions opt;
  opt.max_new_tokens = 4;
  auto gen = vrev::model::generate(gpt, prompts.data(), 2, 3, opt);
  for (int b = 0; b < 2; ++b) {
    std::vector<int32_t> seq(prompts.begin() + 3 * b, prompts.begin() + 3 * b + 3);
    for (int j = 0; j < 4; ++j) {
      Tape<float> tape;
      NoGrad<float> guard(tape);
      Var logits = gpt.forward(tape, seq.data(), 1, static_cast<int>(seq.size()));
      const float* last = tape.value(logits) + (seq.size() - 1) * 11;
      if (j == 0)
        for (int v = 0; v < 11; ++v) CHECK(gen.first_logits[b * 11 + v] == Approx(last[v]).margin(1e-4));
      const int next = static_cast<int>(std::max_element(last, last + 11) - last);
      CHECK(gen.tokens[b * 4 + j] == next);
      seq.push_back(next);
    }
  }
  opt.temperature = 1.0;
  opt.top_k = 3;
  opt.seed = 9;
  auto s1 = vrev::model::generate(gpt, prompts.data(), 2, 3, opt);
  auto s2 = vrev::model::generate(gpt, prompts.data(), 2, 3, opt);
  CHECK(s1.tokens == s2.tokens);
  vrev::model::GenerateOptions too_long;
  too_long.max_new_tokens = 10;
  CHECK_THROWS_WITH(vrev::model::generate(gpt, prompts.data(), 2, 3, too_long),
                    Catch::Contains("exceeds the model's context"));
}

TEST_CASE("generation allocates per call and not per generated token", "[model][generate][memory]") {
  Gpt<float> gpt(vrev::test::tiny_config());
  gpt.init(4);
  const std::vector<int32_t> prompts = {1, 2, 3, 5};  // (B=2, P=2)
  auto allocations = [&](int max_new_tokens) {
    vrev::model::GenerateOptions opt;
    opt.max_new_tokens = max_new_tokens;
    const long before = vrev::test::heap_allocations();
    vrev::model::generate(gpt, prompts.data(), 2, 2, opt);
    return vrev::test::heap_allocations() - before;
  };
  allocations(6);  // the kernels' scratch grows to its size once
  if (vrev::test::heap_allocations() >= 0) CHECK(allocations(2) == allocations(6));
}

TEST_CASE("parameter distance: L2 in total and per group, zero to itself, layouts must match", "[model]") {
  Gpt<float> a(vrev::test::tiny_config()), b(vrev::test::tiny_config());
  a.init(1);
  b.params() = a.params();
  const vrev::model::ParameterDistance zero = vrev::model::parameter_distance(a.params(), b.params());
  CHECK(zero.total == 0.0);
  std::vector<std::string> groups;
  for (const auto& [group, value] : zero.groups) groups.push_back(group);
  CHECK(groups == std::vector<std::string>{"wte", "wpe", "blocks.0", "blocks.1", "ln_f"});
  // Move one weight of blocks.1 by 3 and ln_f's bias by 4: the groups see 3 and 4, the total 5.
  b.params().value(vrev::model::Parameters<float>::block(1, vrev::model::kFcWeight))[2] += 3.0f;
  b.params().value(b.params().ln_f_bias())[0] += 4.0f;
  const vrev::model::ParameterDistance d = vrev::model::parameter_distance(a.params(), b.params());
  CHECK(d.total == Approx(5.0).epsilon(1e-6));
  CHECK(d.groups[3].second == Approx(3.0).epsilon(1e-6));
  CHECK(d.groups[4].second == Approx(4.0).epsilon(1e-6));
  CHECK(d.groups[0].second == 0.0);
  Gpt<float> wide({11, 8, 2, 16, 2});
  CHECK_THROWS_WITH(vrev::model::parameter_distance(a.params(), wide.params()), Catch::Contains("different layouts"));
}
