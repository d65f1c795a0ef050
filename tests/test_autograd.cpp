// Gradient checks of every autograd op, in double, against central differences: one helper
// and one table row per op (tinygrad's habit). The scalar being differentiated is a fixed random
// projection of the op's output, seeded straight into the output's gradient.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <vector>

#include "autograd/ops.h"
#include "core/rng.h"

using vrev::Shape;
using vrev::autograd::NoGrad;
using vrev::autograd::Tape;
using vrev::autograd::Var;

namespace {

using Fn = std::function<Var(Tape<double>&, const std::vector<Var>&)>;

struct OpCase {
  const char* name;
  std::vector<Shape> inputs;
  Fn f;
};

std::vector<double> random_vector(size_t n, uint64_t stream, double scale = 1.0) {
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * vrev::rng::normal(42, stream, i);
  return v;
}

// sum_i out_i * r_i for the current input values (no gradients recorded).
double projected_output(const OpCase& c, std::vector<std::vector<double>>& x, const std::vector<double>& r) {
  Tape<double> tape;
  NoGrad<double> no_grad(tape);
  std::vector<Var> vars;
  for (size_t i = 0; i < x.size(); ++i) vars.push_back(tape.leaf(x[i].data(), nullptr, c.inputs[i]));
  Var out = c.f(tape, vars);
  double s = 0;
  for (size_t i = 0; i < r.size(); ++i) s += tape.value(out)[i] * r[i];
  return s;
}

void gradcheck(const OpCase& c) {
  std::vector<std::vector<double>> x, grads;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    x.push_back(random_vector(c.inputs[i].numel(), 100 + i));
    grads.emplace_back(c.inputs[i].numel(), 0.0);
  }
  Tape<double> tape;
  std::vector<Var> vars;
  for (size_t i = 0; i < x.size(); ++i) vars.push_back(tape.leaf(x[i].data(), grads[i].data(), c.inputs[i]));
  Var out = c.f(tape, vars);
  const auto r = random_vector(tape.shape(out).numel(), 7);
  // Two passes on one tape: the second finds the first's gradients in every buffer, which the
  // tape's gradient policy must overwrite, never add to.
  for (int pass = 0; pass < 2; ++pass) {
    for (auto& g : grads) std::fill(g.begin(), g.end(), 0.0);
    double* seed = tape.seed(out);
    for (size_t i = 0; i < r.size(); ++i) seed[i] = r[i];
    tape.run_backward();
  }

  const double eps = 1e-6;
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    for (size_t j = 0; j < x[i].size(); ++j) {
      const double saved = x[i][j];
      x[i][j] = saved + eps;
      const double up = projected_output(c, x, r);
      x[i][j] = saved - eps;
      const double down = projected_output(c, x, r);
      x[i][j] = saved;
      const double numeric = (up - down) / (2 * eps);
      worst = std::max(worst, std::abs(numeric - grads[i][j]) / (1e-3 + std::abs(numeric)));
    }
  }
  INFO(c.name << ": worst error " << worst);
  CHECK(worst < 1e-5);
}

const std::vector<int32_t> kTokens = {3, 1, 4, 1, 5, 0, 2, 6, 5, 3};  // (B=2, T=5), V = 7
const std::vector<double> kWeights = {1, 0, 1, 0.5, 1, 0, 1, 1, 2, 1};

// Soft targets for the (10, 7) logits of the cross-entropy rows: random rows normalised to sum to 1.
const std::vector<double> kTargetProbs = [] {
  std::vector<double> q = random_vector(10 * 7, 300);
  for (int n = 0; n < 10; ++n) {
    double sum = 0;
    for (int i = 0; i < 7; ++i) sum += q[n * 7 + i] = std::abs(q[n * 7 + i]);
    for (int i = 0; i < 7; ++i) q[n * 7 + i] /= sum;
  }
  return q;
}();

// A hook that only reads: the site must then be an exact identity for gradients.
double observed = 0;
vrev::autograd::GradHook<double> observe_hook = [](double* g, const Shape&) { observed += g[0]; };

const std::vector<OpCase> kOps = {
    {"encoder", {{7, 6}, {8, 6}}, [](Tape<double>& t, const std::vector<Var>& v) {
       return vrev::autograd::encoder(t, kTokens.data(), 2, 5, v[0], v[1]);
     }},
    {"layernorm", {{2, 5, 7}, {7}, {7}}, [](Tape<double>& t, const std::vector<Var>& v) {
       return vrev::autograd::layernorm(t, v[0], v[1], v[2]);
     }},
    {"linear", {{2, 3, 5}, {4, 5}, {4}}, [](Tape<double>& t, const std::vector<Var>& v) {
       return vrev::autograd::linear(t, v[0], v[1], v[2]);
     }},
    {"linear_no_bias", {{7, 5}, {3, 5}}, [](Tape<double>& t, const std::vector<Var>& v) {
       return vrev::autograd::linear(t, v[0], v[1], Var{});
     }},
    {"attention", {{2, 5, 18}}, [](Tape<double>& t, const std::vector<Var>& v) {
       return vrev::autograd::attention(t, v[0], 3);
     }},
    {"gelu", {{3, 11}}, [](Tape<double>& t, const std::vector<Var>& v) { return vrev::autograd::gelu(t, v[0]); }},
    {"add", {{4, 6}, {4, 6}}, [](Tape<double>& t, const std::vector<Var>& v) {
       return vrev::autograd::add(t, v[0], v[1]);
     }},
    {"cross_entropy", {{10, 7}}, [](Tape<double>& t, const std::vector<Var>& v) {
       return vrev::autograd::cross_entropy(t, v[0], kTokens.data(), kWeights.data());
     }},
    {"cross_entropy_signed", {{10, 7}}, [](Tape<double>& t, const std::vector<Var>& v) {
       static const std::vector<double> signed_weights = {1, 0, -1, 0.5, 1, 0, -1, 1, -2, 1};
       return vrev::autograd::cross_entropy(t, v[0], kTokens.data(), signed_weights.data());
     }},
    {"cross_entropy_unweighted", {{10, 7}}, [](Tape<double>& t, const std::vector<Var>& v) {
       return vrev::autograd::cross_entropy<double>(t, v[0], kTokens.data(), nullptr);
     }},
    {"soft_cross_entropy", {{10, 7}}, [](Tape<double>& t, const std::vector<Var>& v) {
       return vrev::autograd::soft_cross_entropy(t, v[0], kTargetProbs.data(), kWeights.data());
     }},
    {"soft_cross_entropy_signed", {{10, 7}}, [](Tape<double>& t, const std::vector<Var>& v) {
       static const std::vector<double> signed_weights = {1, 0, -1, 0.5, 1, 0, -1, 1, -2, 1};
       return vrev::autograd::soft_cross_entropy(t, v[0], kTargetProbs.data(), signed_weights.data());
     }},
    {"gradient_site", {{3, 4}}, [](Tape<double>& t, const std::vector<Var>& v) {
       return vrev::autograd::gelu(t, vrev::autograd::gradient_site(t, v[0], &observe_hook));
     }},
    // The tape's gradient policy: the first backward to reach an intermediate overwrites its
    // gradient buffer, later ones add to it.
    {"an intermediate with two consumers", {{3, 4}}, [](Tape<double>& t, const std::vector<Var>& v) {
       Var h = vrev::autograd::gelu(t, v[0]);
       return vrev::autograd::add(t, vrev::autograd::gelu(t, h), h);
     }},
    {"an intermediate added to itself", {{3, 4}}, [](Tape<double>& t, const std::vector<Var>& v) {
       Var h = vrev::autograd::gelu(t, v[0]);
       return vrev::autograd::add(t, h, h);
     }},
    {"an intermediate with an unused consumer", {{3, 4}}, [](Tape<double>& t, const std::vector<Var>& v) {
       Var h = vrev::autograd::gelu(t, v[0]);
       vrev::autograd::gelu(t, h);  // recorded; no gradient ever reaches its output
       return vrev::autograd::gelu(t, h);
     }},
    // Weights, biases and embedding tables that are themselves computed: their kernels only add to
    // a gradient, so the op must zero a first contribution.
    {"linear with a computed weight and bias", {{2, 3, 5}, {4, 5}, {4}}, [](Tape<double>& t, const std::vector<Var>& v) {
       return vrev::autograd::linear(t, v[0], vrev::autograd::gelu(t, v[1]), vrev::autograd::gelu(t, v[2]));
     }},
    {"layernorm with a computed weight and bias", {{2, 5, 7}, {7}, {7}}, [](Tape<double>& t, const std::vector<Var>& v) {
       return vrev::autograd::layernorm(t, v[0], vrev::autograd::gelu(t, v[1]), vrev::autograd::gelu(t, v[2]));
     }},
    {"encoder with computed tables", {{7, 6}, {8, 6}}, [](Tape<double>& t, const std::vector<Var>& v) {
       return vrev::autograd::encoder(t, kTokens.data(), 2, 5, vrev::autograd::gelu(t, v[0]), vrev::autograd::gelu(t, v[1]));
     }},
};

}  // namespace

TEST_CASE("every autograd op passes a double-precision gradient check", "[autograd]") {
  for (const OpCase& c : kOps) {
    SECTION(c.name) { gradcheck(c); }
  }
}

TEST_CASE("a backward hook at a gradient site sees and replaces the gradient", "[autograd]") {
  std::vector<double> x = random_vector(12, 1), gx(12, 0.0);
  Tape<double> tape;
  Var in = tape.leaf(x.data(), gx.data(), Shape{3, 4});
  vrev::autograd::GradHook<double> zero_first = [](double* g, const Shape&) { g[0] = 0; };
  Var out = vrev::autograd::gelu(tape, vrev::autograd::gradient_site(tape, in, &zero_first));
  double* seed = tape.seed(out);
  for (int i = 0; i < 12; ++i) seed[i] = 1.0;
  tape.run_backward();
  CHECK(gx[0] == 0.0);
  CHECK(gx[1] != 0.0);
}

TEST_CASE("no-grad scope records nothing", "[autograd]") {
  std::vector<double> x = random_vector(12, 1), gx(12, 0.0);
  Tape<double> tape;
  {
    NoGrad<double> guard(tape);
    Var in = tape.leaf(x.data(), gx.data(), Shape{3, 4});
    vrev::autograd::gelu(tape, in);
  }
  CHECK(tape.size() == 0);
}
