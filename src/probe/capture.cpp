// Reading activations with forward hooks.
#include "probe/capture.h"

#include <algorithm>

#include "core/error.h"
#include "core/settings.h"
#include "model/scoped_hook.h"

namespace vrev::probe {

namespace {
constexpr int kCaptureBatch = 256;
}

std::vector<double> Capture::site_mean(int s) const {
  std::vector<double> m(C, 0.0);
  const float* x = site(s);
  for (int i = 0; i < N; ++i)
    for (int c = 0; c < C; ++c) m[c] += x[size_t(i) * C + c];
  for (double& v : m) v /= N;
  return m;
}

std::vector<float> Capture::means() const {
  std::vector<float> out(size_t(sites) * C);
  for (int s = 0; s < sites; ++s) {
    const std::vector<double> m = site_mean(s);
    std::copy(m.begin(), m.end(), out.begin() + size_t(s) * C);
  }
  return out;
}

Capture capture_sites(model::Gpt<float>& model, const model::PromptSet& prompts, Position position) {
  VREV_CHECK(prompts.count > 0, "capture: the probe set is empty");
  const int L = model.config().layers, C = model.config().width, S = model::num_sites(L);
  const int T = prompts.length;
  Capture cap;
  cap.sites = S;
  cap.N = prompts.count;
  cap.C = C;
  cap.data.assign(size_t(S) * cap.N * C, 0.0f);

  autograd::Tape<float> tape;
  for (int start = 0; start < cap.N; start += kCaptureBatch) {
    const int B = std::min(kCaptureBatch, cap.N - start);
    std::vector<model::ScopedHook<float>> hooks;  // removed when the batch is done, or on an error
    hooks.reserve(S);
    for (int s = 0; s < S; ++s) {
      hooks.emplace_back(model, model::HookKind::Forward, s, [&, s, start](float* act, const Shape&) {
        for (int b = 0; b < B; ++b) {
          float* out = cap.data.data() + (size_t(s) * cap.N + start + b) * C;
          const float* seq = act + size_t(b) * T * C;
          if (position == Position::Mean) {
            for (int c = 0; c < C; ++c) {
              double sum = 0;
              for (int t = 0; t < T; ++t) sum += seq[size_t(t) * C + c];
              out[c] = static_cast<float>(sum / T);
            }
          } else {
            const int row = position == Position::Last ? T - 1 : prompts.position(start + b);
            std::copy(seq + size_t(row) * C, seq + size_t(row + 1) * C, out);
          }
        }
      });
    }
    tape.reset();
    autograd::NoGrad<float> no_grad(tape);
    model.forward(tape, prompts.prompt(start), B, T);
  }
  return cap;
}

}  // namespace vrev::probe
