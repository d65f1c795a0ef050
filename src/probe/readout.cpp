// The readout direction, by one backward pass with a hook at every site.
#include "probe/readout.h"

#include "autograd/tape.h"
#include "core/error.h"
#include "model/scoped_hook.h"
#include "model/sites.h"
#include "probe/geometry.h"

namespace vrev::probe {

std::vector<std::vector<double>> readout_directions(model::Gpt<float>& model, const model::PromptSet& prompts,
                                                    int32_t up, int32_t down) {
  const int N = prompts.count, T = prompts.length, C = model.config().width, V = model.config().vocab_size;
  const int S = model::num_sites(model.config().layers);
  VREV_CHECK(N > 0, "readout direction: an empty probe set");
  VREV_CHECK(up >= 0 && up < V && down >= 0 && down < V, "readout direction: tokens ", up, " and ", down,
             " outside a vocabulary of ", V);
  std::vector<std::vector<double>> r(S, std::vector<double>(C, 0.0));
  {
    std::vector<model::ScopedHook<float>> hooks;
    for (int s = 0; s < S; ++s)
      hooks.emplace_back(model, model::HookKind::Backward, s, [&, s](float* grad, const Shape&) {
        for (int b = 0; b < N; ++b)
          for (int c = 0; c < C; ++c) r[s][c] += grad[(size_t(b) * T + prompts.position(b)) * C + c];
      });
    autograd::Tape<float> tape;
    model.params().zero_grads();
    const autograd::Var logits = model.forward(tape, prompts.tokens.data(), N, T);
    float* seed = tape.seed(logits);
    for (int b = 0; b < N; ++b) {
      const size_t row = (size_t(b) * T + prompts.position(b)) * V;
      seed[row + up] += 1.0f / N;
      seed[row + down] -= 1.0f / N;
    }
    tape.run_backward();
    model.params().zero_grads();
  }
  return r;  // the seed's 1/N already made the sum over prompts their mean
}

double cosine_without(const std::vector<double>& drift, const std::vector<double>& v, const std::vector<double>& r) {
  const int C = static_cast<int>(r.size());
  const double rr = dot(r.data(), r.data(), C);
  auto without = [&](const std::vector<double>& x) {
    std::vector<double> out = x;
    if (rr == 0) return out;
    const double along = dot(x.data(), r.data(), C) / rr;
    for (int c = 0; c < C; ++c) out[c] -= along * r[c];
    return out;
  };
  return cosine(without(drift), without(v));
}

}  // namespace vrev::probe
